#include "web/i18n.h"

#include <algorithm>
#include <array>
#include <regex>
#include <unordered_map>

namespace laurel::web {

namespace {

// Every string of the pages. Keys are lower-case with underscores; templates use {{T_<key>}}.
constexpr Text kTexts[] = {
    // Product and layout
    {"product_name", "民族团结进步示范创建评审系统", "Ethnic Unity and Progress Model Review System"},
    {"product_tagline", "申报 · 评审 · 公示 · 命名", "nominate · review · publicise · name"},
    {"skip_to_content", "跳到正文", "Skip to the content"},
    {"nav_label", "主导航", "Main navigation"},
    {"nav_home", "待办", "My work"},
    {"nav_nominations", "申报与评审", "Nominations"},
    {"nav_new", "新建申报", "New nomination"},
    {"nav_notices", "公示公告", "Publicity notices"},
    {"nav_stats", "统计", "Statistics"},
    {"nav_audit", "审计", "Audit"},
    {"nav_admin", "系统管理", "Administration"},
    {"nav_sign_in", "登录", "Sign in"},
    {"sign_out", "退出", "Sign out"},
    {"footer_note", "本系统全部操作均记入可验证的审计日志。", "Every action in this system is written to a verifiable audit log."},
    {"back_home", "返回首页", "Back to the home page"},

    // Punctuation between template parts (full-width in Chinese)
    {"colon", "：", ": "},
    {"lparen", "（", " ("},
    {"rparen", "）", ")"},
    {"comma", "，", ", "},
    {"semicolon", "；", "; "},

    // Sign-in
    {"sign_in", "登录", "Sign in"},
    {"sign_in_title", "登录", "Sign in"},
    {"sign_in_intro", "申报单位、评审人员、评审专家、领导小组成员、审计人员和管理员请使用分配的账号登录。",
     "Nominating units, reviewers, panelists, approvers, auditors and administrators sign in with the account they were given."},
    {"username", "用户名", "Username"},
    {"password", "密码", "Password"},
    {"sign_in_failed", "用户名或密码不正确。", "Wrong username or password."},
    {"sign_in_missing", "请输入用户名和密码。", "Enter your username and password."},
    {"sign_in_throttled", "登录失败次数过多，为保护账号安全，请 15 分钟后再试。",
     "Too many failed sign-ins. To protect the account, wait 15 minutes and try again."},
    {"public_title", "社会公众", "The public"},
    {"public_intro", "无需登录即可查阅公示名单，并在公示期内实名反映情况。",
     "Without an account you can read the publicity notices and, while a notice is open, lodge an objection."},
    {"view_notices", "查看公示公告", "Read the publicity notices"},

    // Home
    {"home_title", "待办事项", "What waits for me"},
    {"home_intro", "按您的角色列出需要办理的事项，点击数字查看对应清单。", "The work waiting for each of your roles. Select a count to see the list."},
    {"home_no_roles", "您的账号尚未分配角色，请联系系统管理员。", "Your account has no roles yet. Ask an administrator."},
    {"todo_drafts", "草稿（未提交）", "Drafts not yet submitted"},
    {"todo_returned", "被退回待修改", "Returned for changes"},
    {"todo_all_mine", "本单位全部申报", "All my nominations"},
    {"todo_review", "待审核：{0}", "To review: {0}"},
    {"todo_close_evaluation", "专家评审中（评分齐后结束评审）", "In panel evaluation (close when scored)"},
    {"todo_objections", "公示中有未处理异议", "In publicity with open objections"},
    {"todo_score", "待我评分", "Waiting for my score"},
    {"todo_approve", "拟命名，待审定公示", "Shortlisted, to approve for publicity"},
    {"todo_name", "公示期满，待命名", "Publicity closed, to name"},
    {"todo_in_publicity", "公示中", "In publicity"},
    {"todo_audit_note", "审计日志现有 {0} 条记录。", "The audit log holds {0} records."},
    {"todo_admin_note", "您管理范围内有 {0} 个用户。", "{0} users within your jurisdiction."},
    {"audit_denied_link", "查看被拒绝的操作", "Denied attempts"},

    // Roles, levels, kinds
    {"role_nominator", "申报单位", "Nominating unit"},
    {"role_reviewer", "审核人员", "Reviewer"},
    {"role_panelist", "评审专家", "Panelist"},
    {"role_approver", "领导小组", "Approver"},
    {"role_auditor", "审计人员", "Auditor"},
    {"role_admin", "系统管理员", "Administrator"},
    {"role_public", "社会公众", "The public"},
    {"role_system", "系统", "System"},
    {"level_county", "县级", "County"},
    {"level_city", "市级", "City"},
    {"level_province", "省级", "Province"},
    {"level_township", "乡镇级", "Township"},
    {"kind_unit", "示范单位", "Model units"},
    {"kind_family", "示范家庭", "Model families"},
    {"kind_individual", "模范个人", "Model individuals"},
    {"kind_total_unit", "单位合计", "Units in all"},
    {"kind_total_family", "家庭合计", "Families in all"},
    {"kind_total_individual", "个人合计", "Individuals in all"},

    // Lists and filters
    {"list_title", "申报与评审", "Nominations"},
    {"list_empty", "没有符合条件的申报。", "No nominations match."},
    {"filters", "筛选", "Filters"},
    {"all", "全部", "All"},
    {"state", "状态", "State"},
    {"category", "类别", "Category"},
    {"level", "级别", "Level"},
    {"year", "年度", "Year"},
    {"search", "搜索", "Search"},
    {"search_placeholder", "名称或事迹中的文字", "Words in the name or summary"},
    {"apply_filters", "查询", "Apply"},
    {"remove_filter", "取消此条件", "Remove this filter"},
    {"filter_at", "当前办理单位：{0}", "Now at: {0}"},
    {"filter_todo_unscored", "尚未由我评分", "Not yet scored by me"},
    {"filter_todo_objections", "有未处理异议", "With open objections"},
    {"filter_year_invalid", "年度应为 2000 至 2100 之间的整数。", "The year must be a whole number from 2000 to 2100."},
    {"nominee_name", "名称", "Name"},
    {"jurisdiction", "所在地", "Jurisdiction"},
    {"office", "当前办理单位", "Office now"},
    {"updated", "更新时间", "Updated"},
    {"has_open_objection", "有异议", "Objection"},
    {"paging", "第 {0} / {1} 页，共 {2} 件", "Page {0} of {1}, {2} in all"},
    {"prev_page", "上一页", "Previous"},
    {"next_page", "下一页", "Next"},
    {"select", "选择", "Select"},
    {"select_all", "全选", "Select all"},

    // Batch
    {"batch_title", "批量办理", "Act on several"},
    {"batch_intro", "勾选上表中的申报后提交：审定公示时所选对象列入同一份公示，命名时列入同一份命名决定；任何一项不符合条件则全部不办理。",
     "Tick nominations in the table, then submit: approval puts them all in one publicity notice, naming in one decision. If any one of them cannot be done, none is."},
    {"batch_none_selected", "请至少勾选一项申报。", "Select at least one nomination."},
    {"batch_refused", "批量办理未执行，以下申报不符合条件：", "Nothing was done; these nominations cannot be:"},
    {"quota_usage", "名额使用情况", "Quota usage"},
    {"quota_limit", "名额", "Limit"},
    {"quota_used", "已用", "Used"},
    {"quota_left", "剩余", "Left"},
    {"quota_none_hint", "未设置名额的类别不限数量。", "A category without a quota has no limit."},
    {"quota_set", "设置名额", "Set a quota"},

    // One nomination
    {"status", "办理状态", "Status"},
    {"nominating_unit", "申报账号", "Nominated by"},
    {"workflow", "工作流程", "Workflow"},
    {"version", "版本", "Version"},
    {"next_steps", "下一步", "What happens next"},
    {"next_finished", "办理已结束。", "This nomination's process has ended."},
    {"next_who_at", "{0}{1}", "{1}, {0}"},
    {"next_who_unit", "申报单位", "The nominating unit"},
    {"next_who_system", "系统", "The system"},
    {"next_system", "{0} 自动{1}", "{1} automatically at {0}"},
    {"go_to_actions", "办理", "Act on it"},
    {"publicity", "公示", "Publicity"},
    {"naming", "命名", "Naming"},
    {"valid_until", "有效期至", "valid until"},
    {"certificate_check", "证书核验", "Certificate check"},
    {"parent_nomination", "查看下一级的原申报", "The nomination at the level below"},
    {"child_nomination", "已推荐至上一级", "Recommended to the next level"},
    {"nominee", "申报对象", "Nominee"},
    {"personal_data", "个人信息", "Personal"},
    {"personal_data_hint", "个人信息仅申报单位、审核人员和审计人员可见，不写入审计日志明文。",
     "Personal data is shown only to the nominating unit, reviewers and auditors, and kept out of the audit log in clear."},
    {"personal_hidden", "部分个人信息按规定不向您显示。", "Some personal data is not shown to you."},
    {"summary", "主要事迹", "Account of deeds (事迹)"},
    {"summary_short", "主要事迹", "Summary"},
    {"summary_hint", "简要介绍主要事迹，可分段。右下方显示已输入字数。", "A short account of the deeds, in paragraphs if you like. The count shows how much you have written."},
    {"characters", "字", "characters"},
    {"char_count", "已输入 {n} / {max} 字", "{n} of {max} characters"},
    {"materials", "申报材料", "Materials"},
    {"material", "材料", "Material"},
    {"material_rule", "{0}–{1} 份", "{0} to {1} files"},
    {"material_rule_exact", "{0} 份", "{0} file(s)"},
    {"material_count", "份数与格式", "Files and formats"},
    {"material_missing", "尚缺", "Missing"},
    {"files", "已上传文件", "Files"},
    {"required", "必需", "Required"},
    {"required_note", "带 * 的为必填项。", "Fields marked * are required."},
    {"upload", "上传", "Upload"},
    {"uploading", "正在上传…", "Uploading…"},
    {"upload_failed", "上传失败：", "Upload failed: "},
    {"upload_hint", "上传的文件列在对应材料下；每个文件不超过 {0}，格式以文件内容为准。",
     "Uploaded files are listed under their material. Each file may be up to {0}; its type is judged by its content."},
    {"upload_submit", "上传文件", "Upload the file"},
    {"upload_refused", "文件未能上传", "The file was not uploaded"},
    {"upload_again", "重新选择文件上传", "Choose the file again"},
    {"upload_no_material", "没有指明上传的是哪一项材料，请在对应材料下选择文件上传。", "The form did not say which material this is. Upload the file under its material."},
    {"upload_no_file", "没有选择文件，请先选择要上传的文件。", "No file was chosen. Choose the file to upload first."},
    {"upload_one_file", "一次只能上传一个文件，请逐个上传。", "Upload one file at a time."},
    {"upload_empty", "所选文件是空文件（0 字节），请检查后重新选择。", "The chosen file is empty (0 bytes). Check it and choose it again."},
    {"upload_too_large", "文件超过了 {0} 的上限，请压缩或拆分后再上传。", "The file is larger than the limit of {0}. Make it smaller or split it, then upload again."},
    {"upload_malformed", "上传的表单无法读取：{0}请刷新页面后重新上传。", "The uploaded form could not be read: {0}. Reload the page and upload again."},
    {"multipart_not_multipart", "表单不是文件上传格式。", "it is not a file upload form"},
    {"multipart_bad_boundary", "表单的分隔标记缺失或无效。", "its boundary is missing or invalid"},
    {"multipart_no_boundary_line", "表单内容中找不到分隔标记。", "its body never shows the boundary"},
    {"multipart_bad_boundary_line", "表单的分隔行格式错误。", "a boundary line is malformed"},
    {"multipart_truncated", "表单内容不完整（可能上传中断）。", "it ends early (the upload may have been cut off)"},
    {"multipart_header_too_large", "表单某部分的头信息过长。", "a part's headers are too long"},
    {"multipart_bad_header", "表单某部分的头信息格式错误。", "a part's headers are malformed"},
    {"multipart_no_disposition", "表单某部分缺少字段名。", "a part has no field name"},
    {"multipart_too_many_parts", "表单的部分过多。", "it has too many parts"},
    {"multipart_field_too_large", "表单某个字段过长。", "a field is too long"},
    {"multipart_read_failed", "服务器读取上传内容失败。", "the server could not read the upload"},
    {"remove", "删除", "Remove"},
    {"score_sheets", "评分表", "Score sheets"},
    {"score_sheet_count", "已提交评分表", "Score sheets submitted:"},
    {"sheets_hidden", "评审结束前，其他专家的评分不向您显示。", "Other panelists' sheets are hidden until the evaluation closes."},
    {"indicator", "评分指标", "Indicator"},
    {"max_points", "分值", "Max"},
    {"points", "得分", "Points"},
    {"total", "合计", "Total"},
    {"pass_mark", "合格分", "Pass mark"},
    {"mean_total", "平均分", "Mean total"},
    {"evaluation_passed", "达到合格分且无否决", "passed, no veto"},
    {"evaluation_failed", "未达合格分或有否决", "below the pass mark or vetoed"},
    {"veto", "一票否决", "Veto"},
    {"veto_yes", "否决", "Vetoed"},
    {"veto_no", "无", "None"},
    {"veto_items", "一票否决事项", "Veto items (一票否决)"},
    {"veto_hint", "如存在下列任一情形，请勾选并说明理由；勾选即否决。", "Tick any item that applies and give the reason; a tick vetoes the nomination."},
    {"veto_reason", "否决理由", "Reason for the veto"},
    {"scored_at", "评分时间", "Scored at"},
    {"panel_already_scored", "您已提交对该申报的评分表。", "You have scored this nomination."},
    {"panel_conflict_declared", "您已申明回避，不参与对该申报的评分。", "You declared a conflict of interest and do not score this nomination."},
    {"conflict_declared", "已申明回避", "Conflict of interest declared"},
    {"objections", "异议", "Objections"},
    {"objection", "异议", "Objection"},
    {"objection_open", "待处理", "Open"},
    {"objection_upheld", "异议成立", "Upheld"},
    {"objection_dismissed", "异议不成立", "Dismissed"},
    {"objector_contact", "反映人联系方式", "Objector's contact"},
    {"finding", "核查结论", "Finding"},
    {"receipt", "回执号", "Receipt"},
    {"timeline", "办理记录", "Timeline"},
    {"who_public", "公众", "The public"},
    {"who_system", "系统", "System"},
    {"outcome_accepted", "已办理", "Accepted"},
    {"outcome_denied", "被拒绝", "Denied"},
    {"action_create", "创建申报", "Create"},
    {"actions", "办理", "Actions"},
    {"comment", "办理意见", "Comment"},
    {"reason", "理由", "Reason"},
    {"save", "保存修改", "Save changes"},
    {"edit_nomination", "修改申报内容", "Edit the nomination"},
    {"done_create", "申报已保存为草稿。请上传申报材料，然后提交。", "The nomination is saved as a draft. Upload the materials, then submit it."},
    {"done_action", "已完成：{0}", "Done: {0}"},
    {"done_attach", "材料已上传，已列在下方对应材料中。", "The file was uploaded; it is listed under its material below."},
    {"confirm_action", "确定要“{0}”吗？此操作会记入审计日志。", "Really “{0}”? This is recorded in the audit log."},
    {"notice_title", "公示标题", "Notice title"},
    {"publicity_days", "公示期（工作日）", "Publicity window (working days)"},
    {"publicity_preview", "如现在审定，公示时间为{0}（{1}个工作日）。", "Approved now, the publicity would run {0} ({1} working days)."},
    {"publicity_days_hint", "从审定后的下一个工作日开始计算，节假日不计。", "Counted from the next working day after approval; holidays do not count."},
    {"document_no", "文号", "Document number (文号)"},
    {"document_no_example", "瓜民团发〔2019〕1号", "瓜民团发〔2019〕1号"},
    {"document_no_hint", "年份用六角括号〔〕，例如：瓜民团发〔2019〕1号。", "Put the year in hexagonal brackets 〔〕, e.g. 瓜民团发〔2019〕1号."},
    {"decision_title", "命名决定标题", "Decision title"},
    {"default_notice_title", "{0}{1}年度{2}民族团结进步示范单位（家庭）拟命名对象公示",
     "{0}: {2}-level ethnic unity and progress models proposed for {1}, public notice"},
    {"default_decision_title", "关于命名{0}年度{1}民族团结进步示范单位（家庭）的决定",
     "Decision naming the {1}-level ethnic unity and progress model units and families of {0}"},
    {"help_submit", "提交后进入县级审核，提交前请确认必需材料已齐全。", "Submitting sends it to county review; check that the required materials are complete."},
    {"help_resubmit", "按退回意见修改后重新提交审核。", "Resubmit after the changes asked for."},
    {"help_return", "退回申报单位修改，请写明需要修改的内容。", "Send it back to the unit for changes; say what must change."},
    {"help_reject", "不予通过后办理结束，请写明理由。", "Rejection ends the process; give the reason."},
    {"help_accept", "受理后交由评审专家按指标评分。", "Accepting sends it to the panel for scoring."},
    {"help_score", "按各项指标评分，每项不超过分值；合计显示在表格下方。", "Score each indicator up to its maximum; the total shows below the table."},
    {"help_declare_conflict", "与申报对象存在利害关系的，应申明回避，回避后不能评分。", "Declare a conflict of interest if you have one; you then cannot score it."},
    {"help_close_evaluation", "评分表齐全后结束评审，系统按平均分和否决情况确定是否拟命名。",
     "Close once the sheets are in; the mean and any veto decide whether it is shortlisted."},
    {"help_approve", "审定后进入公示，公示期按工作日计算。", "Approval opens the publicity window, counted in working days."},
    {"help_uphold_objection", "异议成立后该对象不予命名。", "Upholding removes the nominee."},
    {"help_dismiss_objection", "写明核查结论，异议不成立继续公示。", "Give the finding; the publicity continues."},
    {"help_name", "命名后生成命名决定，有效期开始计算。", "Naming issues the decision and starts the validity."},
    {"help_revoke", "撤销命名请写明理由。", "Give the reason for revoking."},
    {"help_recommend", "推荐至上一级参加评选。", "Recommend it to the next level."},
    {"help_withdraw", "撤回后办理结束，不能恢复。", "Withdrawing ends the process for good."},

    // New nomination
    {"new_title", "新建申报", "New nomination"},
    {"steps", "步骤", "Steps"},
    {"new_step_category", "选择类别", "Category"},
    {"new_step_form", "填写申报信息", "Details"},
    {"new_step_materials", "上传材料", "Materials"},
    {"new_step_submit", "提交审核", "Submit"},
    {"next", "下一步", "Next"},
    {"change_category", "更换类别", "change"},
    {"target_level", "申报级别", "Target level"},
    {"nominee_jurisdiction", "申报对象所在地", "Where the nominee is"},
    {"materials_later", "保存后在申报页面上传以下材料", "After saving, upload these materials on the nomination's page"},
    {"save_draft", "保存草稿", "Save the draft"},

    // Public
    {"notices_title", "公示公告", "Publicity notices"},
    {"notices_intro", "以下为正在公示和近期结束的拟命名对象公示。公示期内，任何单位和个人均可对公示对象提出异议。",
     "Notices open now and recently closed. While a notice is open, anyone may object to a nominee on it."},
    {"notices_empty", "目前没有公示。", "There are no notices."},
    {"issuing_office", "发布单位", "Issued by"},
    {"publicity_window", "公示时间", "Window"},
    {"nominee_count", "公示对象", "Nominees"},
    {"notice_open", "公示中", "Open"},
    {"notice_closed", "已结束", "Closed"},
    {"notice_upcoming", "即将开始", "Not yet open"},
    {"notice_authority", "{0}民族团结进步创建工作领导小组办公室", "Office of the {0} Ethnic Unity and Progress Leading Group"},
    {"notice_intro", "根据民族团结进步示范创建评选工作安排，经申报、审核和专家评审，现将{0}{1}年度{2}民族团结进步示范单位（家庭）拟命名对象予以公示，接受社会监督。",
     "Following nomination, review and panel evaluation, the {2}-level ethnic unity and progress models proposed by {0} for {1} are published here for public scrutiny."},
    {"notice_window", "公示时间：{0}（{1}个工作日）。", "Publicity: {0} ({1} working days)."},
    {"notice_how_to_object", "公示期间，如对公示对象有异议，请于{1}前通过本页面提交，或以书面形式向{0}反映。反映情况应实事求是，提倡实名反映，请留下真实姓名和联系方式，以便核实。",
     "If you object to a nominee, submit it on this page, or in writing to the {0}, before the end of {1}. Keep to the facts; please give your real name and contact so that it can be checked."},
    {"notice_online_address", "网上提交地址：{0}", "Online: {0}"},
    {"index", "序号", "No."},
    {"objection_form_title", "提出异议", "Lodge an objection"},
    {"objection_form_intro", "请如实说明情况。联系方式仅供核实，只向负责核查的审核人员和审计人员显示。",
     "State the facts. Your contact is used only to check them and is shown only to the reviewers and auditors who do."},
    {"objection_about", "异议对象", "Nominee"},
    {"objection_text", "异议内容", "Your objection"},
    {"objection_contact", "姓名和联系方式", "Name and contact"},
    {"objection_contact_hint", "提倡实名反映。", "A real name is encouraged (实名反映)."},
    {"objection_submit", "提交异议", "Submit the objection"},
    {"objection_received", "您的异议已收到，将依规核查。", "Your objection has been received and will be looked into."},
    {"receipt_number", "回执号", "Receipt number"},
    {"receipt_keep", "请记下回执号，以便查询办理情况。", "Keep the receipt number to ask about it later."},
    {"objection_closed", "公示期已结束，不再受理异议。", "The publicity window has closed; objections are no longer accepted."},
    {"objection_window_closed", "公示期已结束，不再受理异议。", "The publicity window has closed; objections are no longer accepted."},
    {"objection_window_upcoming", "公示尚未开始，开始后方可提出异议。", "The window has not opened yet; objections are accepted once it has."},
    {"objection_rate_limited", "提交过于频繁，请一小时后再试。", "Too many objections from your address; try again in an hour."},
    {"objection_invalid", "请检查填写的内容。", "Check what you entered."},
    {"print_hint", "可直接打印（A4）。", "Ready to print on A4."},
    {"decision_authority", "{0}民族团结进步创建工作领导小组", "{0} Ethnic Unity and Progress Leading Group"},
    {"decision_mark", "{0}文件", "{0}"},
    {"decision_addressee_county", "各乡镇人民政府，县直各部门、各单位：", "To the township governments and all county departments and units:"},
    {"decision_addressee_city", "各县（市、区）人民政府，市直各部门、各单位：", "To the county governments and all city departments and units:"},
    {"decision_addressee_province", "各市（州）人民政府，省直各部门、各单位：", "To the city governments and all provincial departments and units:"},
    {"decision_intro", "为深入贯彻落实党的民族政策，进一步推进民族团结进步示范创建工作，经申报、审核、专家评审和社会公示，{0}决定，命名以下{3}个单位（家庭）为{1}年度{2}民族团结进步示范单位（家庭）。",
     "To carry the Party's ethnic policy further and advance the model-creation work, after nomination, review, panel evaluation and public notice, the {0} names the following {3} units and families as {2}-level ethnic unity and progress models of {1}."},
    {"decision_group", "民族团结进步示范{0}（{1}个）", "Model {0} ({1})"},
    {"decision_closing", "希望受到命名的单位和家庭珍惜荣誉、再接再厉，充分发挥示范引领作用，为铸牢中华民族共同体意识作出新的更大贡献。",
     "We hope that those named will value the honour, keep up their work, lead by example, and contribute still more to a strong sense of community of the Chinese nation."},
    {"per_page", "每页", "Per page"},
    {"audit_role_needed", "所需角色：{0}", "needs the role {0}"},
    {"notice_brief", "拟命名对象共{0}个，以下列出名称和所在地，主要事迹从略。", "{0} nominees: their names and places are listed; summaries are left out."},
    {"certificate_title", "荣誉证书", "Certificate of Honour"},
    {"certificate_text", "经{0}研究决定（{4}），命名为{1}年度{2}民族团结进步示范{3}。",
     "By decision of the {0} ({4}), named a {2} Model {3} for Ethnic Unity and Progress of {1}."},
    {"certificate_closing", "特发此证，以资鼓励。", "This certificate is awarded in recognition."},
    {"certificate_number", "证书编号", "Certificate number"},
    {"certificate_print", "打印命名证书", "Print the certificate"},
    {"certificates_all", "打印全部命名证书", "Print every certificate"},
    {"certificates_none", "该决定中没有仍然有效的命名。", "No naming of this decision is in force."},
    {"certificate_print_hint", "每张证书单独一页（A4 横向），请直接打印。", "One certificate per page (A4 landscape): ready to print."},
    {"verify_title", "命名证书核验", "Certificate check"},
    {"verify_not_found", "未找到该证书编号对应的命名记录。", "No naming matches this certificate number."},
    {"verify_valid", "有效：该对象已被命名，且在有效期内。", "Valid: this nominee is named and the naming is in force."},
    {"verify_expired", "已过有效期。", "The naming's validity has ended."},
    {"verify_revoked", "该命名已被撤销。", "This naming has been revoked."},
    {"verify_other", "该命名当前无效。", "This naming is not in force."},
    {"verify_notice_genuine", "真实：这是本系统发布的公示。", "Genuine: this publicity notice was issued through this system."},
    {"verify_decision_genuine", "真实：这是本系统记录的命名决定。", "Genuine: this naming decision is recorded in this system."},
    {"verify_office", "命名机关", "Naming office"},
    {"verify_document", "文件", "Document"},
    {"verify_date", "日期", "Date"},
    {"verify_count", "对象数", "Nominees"},
    {"verify_code", "核验码", "Verification code"},
    {"verify_audit_record", "审计记录", "Audit record"},

    // Documents: exports, imports, PDFs (web/documents_*.h)
    {"export_xlsx", "导出 Excel", "Export to Excel"},
    {"export_csv", "导出 CSV", "Export to CSV"},
    {"print_pdf", "打印版（PDF）", "Print (PDF)"},
    {"certificates_pdf", "荣誉证书（PDF）", "Certificates (PDF)"},
    {"import_title", "批量导入申报", "Import nominations"},
    {"import_link", "批量导入", "Import"},
    {"import_intro", "从 Excel（.xlsx）或 CSV（UTF-8）文件批量创建申报。每一行都先经过检查，检查与逐条填报相同；只要有一行有问题，默认一行也不导入。",
     "Create nominations in bulk from an Excel (.xlsx) or CSV (UTF-8) file. Every row is checked first, exactly as a nomination entered by hand; by default nothing is imported while any row has a problem."},
    {"import_template_xlsx", "下载模板（Excel）", "Download the template (Excel)"},
    {"import_template_csv", "下载模板（CSV）", "Download the template (CSV)"},
    {"import_columns", "模板各列：类别（如“家庭”“乡镇”）、级别（县级、市级、省级）、年度、地区代码（行政区划代码），以及该类别的各项信息和事迹摘要。不属于该类别的列请留空。导出的申报清单也可以直接导入。",
     "The template's columns: category (such as 家庭 or 乡镇), level (county, city, province), year, jurisdiction code, then the category's fields and the summary. Leave fields that the category does not have empty. An exported list imports as it is."},
    {"import_file", "文件", "File"},
    {"import_mode_all", "全部无误才导入（推荐）", "Import only if every row is valid (recommended)"},
    {"import_mode_valid", "只导入无误的行，有问题的行下载修改后再导入", "Import the valid rows; download the others to fix"},
    {"import_submit", "检查并导入", "Check and import"},
    {"import_no_file", "没有选择文件，请先选择要导入的 Excel 或 CSV 文件。", "No file was chosen. Choose the Excel or CSV file to import first."},
    {"import_one_file", "一次只能导入一个文件。", "Import one file at a time."},
    {"import_empty", "所选文件是空文件（0 字节），请检查后重新选择。", "The chosen file is empty (0 bytes). Check it and choose it again."},
    {"import_too_large", "文件超过了 {0} 的上限，请拆分后分批导入。", "The file is larger than the limit of {0}. Split it and import the parts one by one."},
    {"import_bad_mode", "导入方式无效，请选择“全部无误才导入”或“只导入无误的行”。", "The import mode is not valid. Choose one of the two modes."},
    {"import_forbidden", "只有申报单位（申报人角色）可以批量导入申报。", "Only nominating units (the nominator role) may import nominations."},
    {"import_refused_columns", "文件的列与模板不符。", "The file's columns are not those of the template."},
    {"import_refused_no_rows", "文件中没有数据行。", "The file holds no rows."},
    {"import_refused_rows", "{1} 行中有 {0} 行有问题。", "{0} of {1} rows have problems."},
    {"import_refused_written", "写入时有一行被拒绝（权限可能刚刚变更）。", "A row was refused when it was written (a role may have just changed)."},
    {"import_problems_title", "请按下表修改后重新导入：", "Fix these and import again:"},
    {"import_left_out", "以下行有问题，没有导入，请修改后另行导入：", "These rows have problems and were not imported; fix them and import them again:"},
    {"import_row", "行", "Row"},
    {"import_column", "列", "Column"},
    {"import_problem", "问题", "Problem"},
    {"import_done", "已导入 {0} 条申报（导入批次 {1}）。", "Imported {0} nominations (import {1})."},
    {"import_refused", "没有导入任何申报：", "Nothing was imported: "},
    {"import_rejected_file", "下载有问题的行（CSV）", "Download the rows with problems (CSV)"},
    {"named_at", "命名日期", "Named on"},

    // Statistics
    {"stats_title", "统计", "Statistics"},
    {"stats_office", "范围", "Area"},
    {"all_years", "全部年度", "All years"},
    {"stats_scope", "{0} · {1}", "{0} · {1}"},
    {"stats_named", "命名数量（按级别和类别）", "Named, by level and category"},
    {"stats_named_hint", "包括此后被撤销或期满的命名。", "Counts every naming, including those later revoked or expired."},
    {"stats_chart", "命名数量图", "Named, by category and level"},
    {"stats_none", "所选范围内没有命名记录。", "Nothing was named in this range."},
    {"stats_by_state", "当前办理状态", "Current states"},

    // Audit
    {"audit_title", "审计", "Audit trail"},
    {"checkpoint_title", "日志完整性", "Integrity of the log"},
    {"checkpoint_none", "尚无已签名的检查点。", "No signed checkpoint yet."},
    {"checkpoint_note", "检查点原文（签名文本）", "The checkpoint (signed note)"},
    {"checkpoint_verified_all", "已验证：最新检查点的签名有效，覆盖全部 {0} 条记录。任何对这些记录的修改、删除或插入都会被发现。",
     "Verified: the latest checkpoint's signature is valid and covers all {0} records. Any edit, deletion or insertion in them would show."},
    {"checkpoint_verified_part", "已验证：最新检查点的签名有效，覆盖前 {0} 条记录；其后 {1} 条记录将由下一个检查点覆盖。",
     "Verified: the latest checkpoint's signature is valid and covers the first {0} records; the {1} after them await the next checkpoint."},
    {"checkpoint_failed", "警告：检查点签名无法验证（{0}）。请立即运行 laurel audit verify 并报告。",
     "Warning: the checkpoint's signature does not verify ({0}). Run laurel audit verify now and report it."},
    {"verifier_key", "验证公钥", "Verifier key"},
    {"audit_export_hint", "完整日志可导出后用独立程序离线核验：", "The whole log can be exported and checked offline by an independent program:"},
    {"audit_export", "导出审计日志", "Export the audit log"},
    {"audit_nomination", "申报编号", "Nomination"},
    {"audit_actor", "操作人", "User"},
    {"audit_action", "操作", "Action"},
    {"audit_outcome", "结果", "Outcome"},
    {"audit_since", "起始日期", "From"},
    {"audit_until", "截止日期", "To"},
    {"audit_time", "时间", "Time"},
    {"audit_who", "操作人", "Who"},
    {"audit_object", "对象", "Object"},
    {"audit_details", "原因、意见、变更", "Reason, comment, change"},
    {"audit_log_size", "日志记录总数", "Records in the log:"},
    {"audit_empty", "没有符合条件的记录。", "No records match."},
    {"audit_trail_of", "该申报的全部记录", "its whole trail"},
    {"audit_values", "原值与新值", "Old and new values"},
    {"audit_earlier", "更早", "Earlier"},
    {"audit_later", "更新", "Later"},
    {"audit_action_login", "登录", "Sign-in"},
    {"audit_action_logout", "退出", "Sign-out"},
    {"audit_action_init", "初始化", "Initialisation"},
    {"audit_action_create_user", "创建用户", "User created"},
    {"audit_action_update_user", "修改用户", "User changed"},
    {"audit_action_set_quota", "设置名额", "Quota set"},
    {"audit_action_create_token", "创建接口令牌", "API token created"},
    {"audit_action_rotate_key", "更换签名密钥", "Signing key rotated"},
    {"audit_action_audit_page", "查阅审计页面", "Audit page viewed"},
    {"audit_action_audit_records", "查阅审计记录", "Audit records read"},
    {"audit_action_audit_checkpoint", "读取检查点", "Checkpoint read"},
    {"audit_action_audit_export", "导出审计日志", "Audit log exported"},
    {"audit_action_audit_proof", "读取证明", "Proof read"},

    // Administration
    {"admin_title", "系统管理", "Administration"},
    {"admin_users", "用户与角色", "Users and roles"},
    {"admin_quotas", "名额", "Quotas"},
    {"admin_jurisdictions", "行政区划", "Jurisdictions"},
    {"admin_workflows", "工作流程", "Workflows"},
    {"admin_done_create_user", "用户已创建。", "The user is created."},
    {"admin_done_disable", "用户已停用。", "The user is disabled."},
    {"admin_done_enable", "用户已启用。", "The user is enabled."},
    {"admin_done_set_quota", "名额已设置。", "The quota is set."},
    {"admin_done_grant", "角色已授予。", "The role is granted."},
    {"admin_done_revoke", "角色已撤销。", "The role is revoked."},
    {"display_name", "姓名或单位名称", "Display name"},
    {"roles", "角色", "Roles"},
    {"role", "角色", "Role"},
    {"user_active", "正常", "Active"},
    {"user_edit_roles", "角色", "Roles"},
    {"user_roles_of", "角色与管辖：", "Roles of"},
    {"user_revoke", "撤销", "Revoke"},
    {"user_grant", "授予角色", "Grant the role"},
    {"user_no_roles", "暂无角色。", "No role."},
    {"user_grant_hint", "只能在本人管辖范围内授予或撤销角色；每次变更都记入审计日志（含变更前后的值）。",
     "Roles can be granted or revoked only inside your own jurisdiction; every change is recorded in the audit log with its old and new values."},
    {"user_disabled", "已停用", "Disabled"},
    {"user_enable", "启用", "Enable"},
    {"user_disable", "停用", "Disable"},
    {"user_create", "新建用户", "Create a user"},
    {"password_rule", "至少 12 个字符，且不能是常见密码。", "At least 12 characters, and not a common password."},
    {"state_diagram", "状态图", "State diagram"},
    {"state_diagram_caption", "方框为状态（红框为起点，灰色为结束状态），箭头为可执行的操作；悬停可查看操作名称和角色。",
     "Boxes are states (red: the start, grey: end states), arrows the actions; hover for the action and its role."},
    {"diagram_from_many", "各状态均可“{0}”", "{0} from most states"},
    {"workflow_states", "状态", "States"},
    {"workflow_actions", "操作", "Actions"},
    {"terminal", "结束状态", "End state"},
    {"action", "操作", "Action"},
    {"from", "从", "From"},
    {"to", "到", "To"},
    {"guards", "条件", "Guards"},
    {"stays", "（状态不变）", "(stays)"},
    {"yes", "是", "yes"},

    // Problems (the API's codes)
    {"problem_forbidden", "您无权进行此操作。", "You may not do this."},
    {"problem_invalid_transition", "该申报当前状态下不能进行此操作，可能已被他人办理。", "This action is not available in the nomination's current state; someone may have acted on it."},
    {"problem_quota_exceeded", "超出名额，不能再审定。", "The quota is used up."},
    {"problem_missing_materials", "必需的申报材料不齐全。", "Required materials are missing."},
    {"problem_objections_open", "仍有未处理的异议。", "Objections are still open."},
    {"problem_validation_failed", "填写的内容有误，请检查。", "Some fields are not valid."},
    {"problem_version_conflict", "该申报已被他人更新，请刷新页面后重新办理。", "Someone changed this nomination meanwhile. Reload the page and try again."},
    {"problem_csrf_failed", "表单已过期，请刷新页面后重试。", "The form has expired. Reload the page and try again."},
    {"problem_not_found", "未找到。", "Not found."},
    {"problem_rate_limited", "请求过于频繁。", "Too many requests."},
    {"problem_unauthenticated", "请先登录。", "Sign in first."},

    // Error pages
    {"error_generic", "出错了", "Something went wrong"},
    {"error_401", "需要登录", "Sign-in needed"},
    {"error_403", "无权访问", "Not allowed"},
    {"error_404", "未找到", "Not found"},
    {"error_405", "不支持的请求", "Not supported"},
    {"error_415", "不支持的表单格式", "Unsupported form"},
    {"error_422", "无法办理", "Cannot be done"},
    {"error_429", "请求过于频繁", "Too many requests"},
    {"error_503", "暂时无法服务", "Temporarily unavailable"},
    {"error_status", "状态码", "Status"},
    {"error_not_found", "没有这个页面，或者您无权查看。", "There is no such page, or you may not see it."},
    {"error_sign_in_first", "请先登录后再访问此页面。", "Sign in to see this page."},
    {"error_csrf", "表单校验失败（可能已过期或来自其他网站），请返回刷新页面后重试。", "The form check failed (it may have expired or come from another site). Go back, reload the page and try again."},
    {"error_method", "此地址不支持该请求方式。", "This address does not take that kind of request."},
    {"error_form_type", "表单格式不正确。", "The form was not sent in the expected format."},
    {"error_form", "表单内容不完整。", "The form is incomplete."},
    {"error_413", "内容过大", "Too large"},
    {"error_too_large", "提交的内容超过了系统允许的大小，未作处理。", "What was sent is larger than the system accepts; nothing was done."},
    {"error_batch_action", "批量办理只适用于受理、结束评审、审定公示和命名。", "Batches are for accepting, closing evaluations, approval and naming only."},
    {"batch_done", "已批量办理：{0}（{1}件）。", "Done for several: {0} ({1})."},
    {"error_unavailable", "系统暂时无法完成操作，请稍后再试。", "The system cannot do this right now; try again later."},
    {"error_need_nominator", "只有申报单位可以新建申报。", "Only nominating units create nominations."},
    {"error_need_auditor", "审计记录仅审计人员可以查看（系统管理员不是审计人员）。本次访问已记入审计日志。",
     "Only auditors may see the audit trail (administrators are not auditors). This attempt has been recorded."},
    {"error_need_admin", "只有系统管理员可以访问此页面。", "Only administrators may see this page."},
};

const std::unordered_map<std::string_view, const Text*>& index() {
  static const auto map = [] {
    std::unordered_map<std::string_view, const Text*> m;
    for (const auto& t : kTexts) m.emplace(t.key, &t);
    return m;
  }();
  return map;
}

}  // namespace

std::optional<Lang> parse_lang(std::string_view s) {
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "zh" || lower == "zh-cn" || lower == "zh-hans") return Lang::zh;
  if (lower == "en" || lower == "en-us" || lower == "en-gb") return Lang::en;
  return std::nullopt;
}

std::string_view html_lang(Lang lang) { return lang == Lang::zh ? "zh-CN" : "en"; }
std::string_view lang_cookie_value(Lang lang) { return lang == Lang::zh ? "zh" : "en"; }

std::span<const Text> texts() { return kTexts; }

std::string_view tr(Lang lang, std::string_view key) {
  const auto& m = index();
  auto it = m.find(key);
  if (it == m.end()) return key;
  return lang == Lang::zh ? it->second->zh : it->second->en;
}

std::string trf(Lang lang, std::string_view key, std::initializer_list<std::string_view> args) {
  std::string out(tr(lang, key));
  std::size_t i = 0;
  for (auto a : args) {
    std::string marker = "{" + std::to_string(i++) + "}";
    for (auto pos = out.find(marker); pos != std::string::npos; pos = out.find(marker, pos + a.size())) {
      out.replace(pos, marker.size(), a);
    }
  }
  return out;
}

namespace {
const char* const kMonths[] = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"};
}

std::string date_text(Lang lang, std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  if (lang == Lang::zh) return std::to_string(y) + "年" + std::to_string(m) + "月" + std::to_string(d) + "日";
  return std::to_string(d) + " " + kMonths[m - 1] + " " + std::to_string(y);
}

std::string date_range_text(Lang lang, std::chrono::sys_days from, std::chrono::sys_days to) {
  std::chrono::year_month_day a(from), b(to);
  if (lang == Lang::zh) {
    std::string end = a.year() == b.year() ? std::to_string(static_cast<unsigned>(b.month())) + "月" + std::to_string(static_cast<unsigned>(b.day())) + "日"
                                           : date_text(lang, to);
    return date_text(lang, from) + "至" + end;
  }
  if (a.year() == b.year() && a.month() == b.month()) {
    return std::to_string(static_cast<unsigned>(a.day())) + " to " + date_text(lang, to);
  }
  return date_text(lang, from) + " to " + date_text(lang, to);
}

std::string field_message(Lang lang, std::string_view message) {
  if (lang == Lang::en) return std::string(message);
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex("^required$"), "必填"},
      {std::regex("^required with a veto$"), "否决时必须写明理由"},
      {std::regex("^required: objections must give a real name and contact.*$"), "须留下真实姓名和联系方式（实名反映）"},
      {std::regex("^longer than ([0-9]+) characters$"), "超过 $1 字"},
      {std::regex("^at most ([0-9]+) characters$"), "最多 $1 字"},
      {std::regex("^must lie between ([0-9]+) and ([0-9]+)$"), "应在 $1 至 $2 之间"},
      {std::regex("^at least ([0-9]+) needed, ([0-9]+) attached$"), "至少需要 $1 份，已上传 $2 份"},
      {std::regex("^at most ([0-9]+) allowed, ([0-9]+) attached$"), "最多 $1 份，已上传 $2 份"},
      {std::regex("^must be an integer$"), "应为整数"},
      {std::regex("^not valid UTF-8$"), "含有无效字符"},
      {std::regex("^unknown indicator$"), "未知的评分指标"},
      {std::regex("^no such objection on this nomination$"), "该申报没有这条异议"},
      {std::regex("^the objection is already (.*)$"), "该异议已处理"},
      {std::regex("^not a nominee of this notice$"), "不是本公示的对象"},
      {std::regex("^the file is empty$"), "文件为空"},
      {std::regex("^\"(.*)\" is not accepted for .* \\(accepted: (.*)\\)$"), "不接受 $1 类型的文件（可接受：$2）"},
      {std::regex("^at most ([0-9]+) files for .*$"), "该项材料最多 $1 份"},
      {std::regex("^this file is already attached as .*$"), "同一文件已作为该项材料上传过"},
      {std::regex("^a file name of 1 to 255 bytes without '/' is required$"), "文件名应为 1 至 255 字节，且不含“/”"},
      {std::regex("^unknown material .*$"), "没有这一项材料"},
      {std::regex("^lies above the .* level where nominations start$"), "所选地区级别过高，应为县级或以下"},
      {std::regex("^unknown jurisdiction.*$"), "未知的行政区划"},
      {std::regex("^must lie between 2000 and 2100$"), "应在 2000 至 2100 之间"},
      {std::regex("^not an action for this form$"), "不是可在此办理的操作"},
  };
  std::string m(message);
  for (const auto& [re, zh] : rules) {
    if (std::regex_match(m, re)) return std::regex_replace(m, re, zh);
  }
  return m;
}

}  // namespace laurel::web
