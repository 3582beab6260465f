// The HTML pages, called as a function from request to response (no socket): sign-in and sign-out,
// each role's home counts, the nomination page and who sees which action forms, CSRF on every form
// that changes state, escaping of hostile input, the language switch, the public notice and its
// objection form, the naming decision, statistics, the audit trail's access rule, administration,
// and the static files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "web/api.h"
#include "web/i18n.h"
#include "web/pages.h"
#include "tests/storage/store_fixture.h"

namespace laurel::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using storage::testing::kGuazhou;
using storage::testing::kJiuquan;
using storage::testing::kShuangta;

const char* kPassword = "a long enough password 1";

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) if (k == name) return v;
  return {};
}

std::vector<std::string> headers(const Response& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) if (k == name) out.push_back(v);
  return out;
}

std::string form_encode(std::initializer_list<std::pair<std::string, std::string>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += "&";
    auto enc = [](const std::string& s) {
      static const char* hex = "0123456789ABCDEF";
      std::string e;
      for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') e.push_back(static_cast<char>(c));
        else if (c == ' ') e.push_back('+');
        else { e.push_back('%'); e.push_back(hex[c >> 4]); e.push_back(hex[c & 15]); }
      }
      return e;
    };
    out += enc(k) + "=" + enc(v);
  }
  return out;
}

class PagesTest : public storage::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    clock.set(now);
    api = std::make_unique<Api>(*store, clock, ApiConfig{});
    pages = std::make_unique<Pages>(*store, *api, clock);
  }
  void TearDown() override {
    pages.reset();
    api.reset();
    StoreTest::TearDown();
  }

  void at(engine::Time t) {
    now = t;
    clock.set(t);
  }

  Request request(const std::string& method, const std::string& target, const std::string& cookie) {
    Request r;
    r.method = method;
    r.target = target;
    EXPECT_TRUE(parse_target(target, r.path, r.query)) << target;
    if (!cookie.empty()) r.headers["cookie"] = cookie;
    r.client_address = "192.0.2.7";
    return r;
  }
  Response get(const std::string& target, const std::string& cookie = "") { return pages->handle(request("GET", target, cookie)); }
  Response post(const std::string& target, const std::string& body, const std::string& cookie = "") {
    Request r = request("POST", target, cookie);
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.body = body;
    return pages->handle(r);
  }

  struct Session {
    std::string cookie;  // "laurel_session=..."
    std::string csrf;
  };
  Session sign_in(const std::string& user) {
    // The fixture's store was made with this administrator password; the other users have kPassword.
    std::string password = user == "admin" ? "correct horse battery staple" : kPassword;
    Response r = post("/login", form_encode({{"username", user}, {"password", password}}));
    EXPECT_EQ(r.status, 303) << r.body;
    std::string set = header(r, "Set-Cookie");
    Session s;
    s.cookie = set.substr(0, set.find(';'));
    Response home = get("/", s.cookie);
    std::smatch m;
    std::regex meta(R"re(<meta name="csrf-token" content="([^"]+)">)re");
    EXPECT_TRUE(std::regex_search(home.body, m, meta)) << home.body.substr(0, 400);
    s.csrf = m.size() > 1 ? m[1].str() : "";
    return s;
  }

  std::string submitted() {
    std::string id = create_nomination();
    attach_all(id);
    EXPECT_EQ(run("unit", id, "submit").status, storage::CommandResult::Status::accepted);
    return id;
  }

  // Approves a shortlisted nomination as the county approver; returns the notice id.
  std::string approved(const std::string& id) {
    engine::Command c;
    c.action = "approve";
    c.notice_title = "瓜州县2018年度县级民族团结进步示范家庭拟命名对象公示";
    auto r = run("county_approver", id, c);
    EXPECT_EQ(r.status, storage::CommandResult::Status::accepted) << (r.rejection ? r.rejection->detail : r.error);
    return r.nomination ? r.nomination->notice_id : "";
  }

  Clock clock;
  std::unique_ptr<Api> api;
  std::unique_ptr<Pages> pages;
};

TEST_F(PagesTest, SignInPageThenSignInSetsTheCookieAndRedirectsHome) {
  Response page = get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr(R"(<form method="post" action="/login")"));
  EXPECT_THAT(page.body, HasSubstr("民族团结进步示范创建评审系统"));
  EXPECT_THAT(header(page, "Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(header(page, "Content-Security-Policy"), HasSubstr("script-src 'self'"));
  EXPECT_EQ(header(page, "Cache-Control"), "no-store");

  Response ok = post("/login", form_encode({{"username", "county_reviewer"}, {"password", kPassword}}));
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(header(ok, "Location"), "/");
  std::string cookie = header(ok, "Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("laurel_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));

  Response home = get("/", cookie.substr(0, cookie.find(';')));
  EXPECT_EQ(home.status, 200);
  EXPECT_THAT(home.body, HasSubstr("待办事项"));
  EXPECT_THAT(home.body, HasSubstr("county_reviewer 同志"));
  EXPECT_THAT(home.body, HasSubstr("审核人员·瓜州县"));
}

TEST_F(PagesTest, WrongPasswordIsShownInTheFormAndRepeatedFailuresAre429) {
  Response bad = post("/login", form_encode({{"username", "unit"}, {"password", "wrong password here"}}));
  EXPECT_EQ(bad.status, 401);
  EXPECT_THAT(bad.body, HasSubstr("用户名或密码不正确"));
  EXPECT_THAT(bad.body, HasSubstr(R"(value="unit")"));
  EXPECT_TRUE(headers(bad, "Set-Cookie").empty());
  for (int i = 0; i < 5; ++i) post("/login", form_encode({{"username", "unit"}, {"password", "wrong password here"}}));
  Response throttled = post("/login", form_encode({{"username", "unit"}, {"password", kPassword}}));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_THAT(throttled.body, HasSubstr("15 分钟"));
}

TEST_F(PagesTest, SignOutNeedsTheCsrfTokenAndEndsTheSession) {
  Session s = sign_in("unit");
  EXPECT_EQ(post("/logout", "", s.cookie).status, 403);
  Response out = post("/logout", form_encode({{"csrf", s.csrf}}), s.cookie);
  EXPECT_EQ(out.status, 303);
  EXPECT_THAT(header(out, "Set-Cookie"), HasSubstr("Max-Age=0"));
  Response after = get("/", s.cookie);
  EXPECT_THAT(after.body, HasSubstr(R"(action="/login")"));
}

TEST_F(PagesTest, HomeShowsWhatWaitsForEachRoleWithLinksToTheFilteredList) {
  std::string waiting = submitted();
  create_nomination();  // a draft
  Session reviewer = sign_in("county_reviewer");
  Response home = get("/", reviewer.cookie);
  EXPECT_THAT(home.body, HasSubstr(R"(<a href="/nominations?state=county_review&amp;at=620922"><span class="todo-count has-work">1</span><span class="todo-label">待审核：县级审核</span>)"));

  Session unit = sign_in("unit");
  Response mine = get("/", unit.cookie);
  EXPECT_THAT(mine.body, HasSubstr(R"(<a href="/nominations?state=draft"><span class="todo-count has-work">1</span><span class="todo-label">草稿（未提交）</span>)"));

  // The link's list shows exactly that nomination.
  Response list = get("/nominations?state=county_review&at=620922", reviewer.cookie);
  EXPECT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("/nominations/" + waiting));
  EXPECT_THAT(list.body, HasSubstr("第 1 / 1 页，共 1 件"));

  // Panelists see what waits for their score once accepted.
  ASSERT_EQ(run("county_reviewer", waiting, "accept").status, storage::CommandResult::Status::accepted);
  Session panelist = sign_in("p1");
  EXPECT_THAT(get("/", panelist.cookie).body, HasSubstr(R"(<span class="todo-count has-work">1</span><span class="todo-label">待我评分</span>)"));
  EXPECT_THAT(get("/nominations?state=evaluation&at=620922&todo=unscored", panelist.cookie).body, HasSubstr("/nominations/" + waiting));
}

TEST_F(PagesTest, ANominationPageShowsTheNomineeAndTheReviewersActionsButNotToAnotherCounty) {
  std::string id = submitted();
  Session reviewer = sign_in("county_reviewer");
  Response page = get("/nominations/" + id, reviewer.cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(page.body, HasSubstr("13993700001"));  // the reviewer of its office sees personal fields
  EXPECT_THAT(page.body, HasSubstr(R"(id="act-accept")"));
  EXPECT_THAT(page.body, HasSubstr(R"(id="act-return")"));
  EXPECT_THAT(page.body, HasSubstr(R"(id="act-reject")"));
  EXPECT_THAT(page.body, HasSubstr("县级审核"));
  EXPECT_THAT(page.body, HasSubstr("办理记录"));  // the timeline
  EXPECT_THAT(page.body, HasSubstr("/api/v1/nominations/" + id + "/attachments/"));

  // The unit sees its nomination but no reviewer actions.
  Session unit = sign_in("unit");
  Response own = get("/nominations/" + id, unit.cookie);
  EXPECT_EQ(own.status, 200);
  EXPECT_THAT(own.body, Not(HasSubstr(R"(id="act-accept")")));
  EXPECT_THAT(own.body, HasSubstr(R"(id="act-withdraw")"));

  add_user("dunhuang_reviewer", {{"reviewer", "620982"}});
  Session other = sign_in("dunhuang_reviewer");
  Response hidden = get("/nominations/" + id, other.cookie);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_THAT(hidden.body, Not(HasSubstr("马玉兰家庭")));

  // A panelist (not office staff) does not see the contact phone.
  ASSERT_EQ(run("county_reviewer", id, "accept").status, storage::CommandResult::Status::accepted);
  Session panelist = sign_in("p1");
  Response scoring = get("/nominations/" + id, panelist.cookie);
  EXPECT_THAT(scoring.body, Not(HasSubstr("13993700001")));
  EXPECT_THAT(scoring.body, HasSubstr(R"(name="points.family_harmony")"));
  EXPECT_THAT(scoring.body, HasSubstr(R"(max="20")"));
  EXPECT_THAT(scoring.body, HasSubstr(R"(name="veto_item" value="veto_crime")"));
}

TEST_F(PagesTest, AnActionFormWithoutTheCsrfFieldIsRefusedAndWithItTheStateChanges) {
  std::string id = submitted();
  auto before = store->nomination(id);
  Session reviewer = sign_in("county_reviewer");
  std::string version = std::to_string(before->version);
  Response refused = post("/nominations/" + id + "/act", form_encode({{"action", "accept"}, {"expected_version", version}}), reviewer.cookie);
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("表单校验失败"));
  EXPECT_EQ(store->nomination(id)->state, "county_review");
  Response wrong = post("/nominations/" + id + "/act",
                        form_encode({{"csrf", "not-the-token"}, {"action", "accept"}, {"expected_version", version}}), reviewer.cookie);
  EXPECT_EQ(wrong.status, 403);

  Response done = post("/nominations/" + id + "/act",
                       form_encode({{"csrf", reviewer.csrf}, {"action", "accept"}, {"expected_version", version}, {"comment", "材料齐全"}}),
                       reviewer.cookie);
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(header(done, "Location"), "/nominations/" + id + "?done=accept");
  EXPECT_EQ(store->nomination(id)->state, "evaluation");
  Response after = get(header(done, "Location"), reviewer.cookie);
  EXPECT_THAT(after.body, HasSubstr("已完成：受理并提交评审"));
  EXPECT_THAT(after.body, HasSubstr("材料齐全"));  // the comment in the timeline

  // A stale version is refused and said so.
  Response stale = post("/nominations/" + id + "/act",
                        form_encode({{"csrf", reviewer.csrf}, {"action", "close_evaluation"}, {"expected_version", version}}), reviewer.cookie);
  EXPECT_EQ(stale.status, 409);
  EXPECT_THAT(stale.body, HasSubstr("该申报已被他人更新"));
}

TEST_F(PagesTest, ARefusedReturnWithoutACommentIsShownNextToTheForm) {
  std::string id = submitted();
  Session reviewer = sign_in("county_reviewer");
  std::string version = std::to_string(store->nomination(id)->version);
  Response r = post("/nominations/" + id + "/act", form_encode({{"csrf", reviewer.csrf}, {"action", "return"}, {"expected_version", version}}),
                    reviewer.cookie);
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(r.body, HasSubstr("填写的内容有误"));
  EXPECT_THAT(r.body, HasSubstr(R"(<p class="field-error">必填</p>)"));
  EXPECT_EQ(store->nomination(id)->state, "county_review");
}

TEST_F(PagesTest, AReturnedNominationShowsWhyAndTheUnitEditsIt) {
  std::string id = submitted();
  engine::Command back;
  back.action = "return";
  back.comment = "请补充村（社区）意见。";
  ASSERT_EQ(run("county_reviewer", id, back).status, storage::CommandResult::Status::accepted);
  Session unit = sign_in("unit");
  Response page = get("/nominations/" + id, unit.cookie);
  EXPECT_THAT(page.body, HasSubstr("请补充村（社区）意见。"));
  EXPECT_THAT(page.body, HasSubstr(R"(name="nominee.name" value="马玉兰家庭")"));
  EXPECT_THAT(page.body, HasSubstr(R"(id="act-resubmit")"));
  EXPECT_THAT(page.body, HasSubstr("data-upload-url="));
  std::string version = std::to_string(store->nomination(id)->version);
  Response edited = post("/nominations/" + id + "/act",
                         form_encode({{"csrf", unit.csrf}, {"action", "edit"}, {"expected_version", version}, {"nominee.name", "马玉兰家庭"},
                                      {"nominee.ethnic_groups", "回族、汉族、东乡族"}, {"nominee.members", "6"}, {"nominee.address", "双塔乡"},
                                      {"nominee.contact_phone", "13993700001"}, {"summary", "修改后的事迹。"}}),
                         unit.cookie);
  ASSERT_EQ(edited.status, 303) << edited.body.substr(0, 2000);
  auto n = store->nomination(id);
  EXPECT_EQ(n->nominee.at("ethnic_groups"), "回族、汉族、东乡族");
  EXPECT_EQ(n->summary, "修改后的事迹。");
  EXPECT_EQ(n->state, "returned");
}

TEST_F(PagesTest, APanelistScoresThroughTheForm) {
  std::string id = submitted();
  ASSERT_EQ(run("county_reviewer", id, "accept").status, storage::CommandResult::Status::accepted);
  Session p = sign_in("p1");
  std::string version = std::to_string(store->nomination(id)->version);
  std::string body = form_encode({{"csrf", p.csrf}, {"action", "score"}, {"expected_version", version}});
  for (const auto& ind : store->catalog().category("family")->indicators) {
    if (!ind.veto) body += "&points." + ind.id + "=" + std::to_string(ind.max - 1);
  }
  Response r = post("/nominations/" + id + "/act", body, p.cookie);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 2000);
  auto n = store->nomination(id);
  ASSERT_EQ(n->score_sheets.size(), 1u);
  EXPECT_EQ(n->score_sheets[0].total, 94);

  // Too many points for an indicator: refused, with the message at the field.
  Session p2 = sign_in("p2");
  version = std::to_string(n->version);
  body = form_encode({{"csrf", p2.csrf}, {"action", "score"}, {"expected_version", version}});
  for (const auto& ind : store->catalog().category("family")->indicators) {
    if (!ind.veto) body += "&points." + ind.id + "=" + std::to_string(ind.id == "family_harmony" ? 25 : ind.max);
  }
  Response over = post("/nominations/" + id + "/act", body, p2.cookie);
  EXPECT_EQ(over.status, 422);
  EXPECT_THAT(over.body, HasSubstr("应在 0 至 20 之间"));
  EXPECT_THAT(over.body, HasSubstr(R"(value="25")"));
}

TEST_F(PagesTest, HostileInputIsEscaped) {
  engine::Command c;
  c.action = "create";
  c.category = "family";
  c.level = "county";
  c.year = 2018;
  c.jurisdiction = kShuangta;
  c.nominee = std::map<std::string, std::string>{{"name", "<script>alert(1)</script>"}, {"ethnic_groups", "\"><img src=x onerror=alert(2)>"},
                                                  {"members", "5"}, {"address", "'single' & \"double\""}, {"contact_phone", "1"}};
  c.summary = std::string(3, 'x') + "</textarea><script>alert(3)</script>" + std::string("长") ;
  auto r = run("unit", "", c);
  ASSERT_EQ(r.status, storage::CommandResult::Status::accepted);
  std::string id = r.nomination->id;
  Session unit = sign_in("unit");
  Response page = get("/nominations/" + id, unit.cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page.body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(page.body, Not(HasSubstr("<img src=x")));
  EXPECT_THAT(page.body, Not(HasSubstr("</textarea><script>")));
  EXPECT_THAT(page.body, HasSubstr("&#39;single&#39; &amp; &quot;double&quot;"));
  Response list = get("/nominations?q=" + std::string("script"), unit.cookie);
  EXPECT_THAT(list.body, Not(HasSubstr("<script>alert")));
  // A hostile search term is escaped in the form and the links.
  Response search = get("/nominations?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E", unit.cookie);
  EXPECT_THAT(search.body, Not(HasSubstr("<script>x")));
}

TEST_F(PagesTest, TheLanguageSwitchSetsACookieAndEnglishIsRemembered) {
  Response zh = get("/");
  EXPECT_THAT(zh.body, HasSubstr(R"(<html lang="zh-CN">)"));
  EXPECT_THAT(zh.body, HasSubstr("登录"));
  Response en = get("/?lang=en");
  EXPECT_THAT(en.body, HasSubstr(R"(<html lang="en">)"));
  EXPECT_THAT(en.body, HasSubstr("Sign in"));
  EXPECT_THAT(en.body, HasSubstr("Ethnic Unity and Progress Model Review System"));
  EXPECT_THAT(en.body, Not(HasSubstr("用户名")));
  std::string cookie = header(en, "Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("laurel_lang=en"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age="));
  Response again = get("/notices", "laurel_lang=en");
  EXPECT_THAT(again.body, HasSubstr("Publicity notices"));
  EXPECT_THAT(again.body, HasSubstr(R"(href="/notices?lang=zh")"));
  Response back = get("/notices?lang=zh", "laurel_lang=en");
  EXPECT_THAT(back.body, HasSubstr("公示公告"));
  EXPECT_THAT(header(back, "Set-Cookie"), HasSubstr("laurel_lang=zh"));

  // Signed in, names from the data are in English too.
  std::string id = submitted();
  Session reviewer = sign_in("county_reviewer");
  Response page = get("/nominations/" + id, reviewer.cookie + "; laurel_lang=en");
  EXPECT_THAT(page.body, HasSubstr("County review"));
  EXPECT_THAT(page.body, HasSubstr("Accept for evaluation"));
  EXPECT_THAT(page.body, HasSubstr("Guazhou County"));
}

TEST_F(PagesTest, EveryTemplateTextIsTranslated) {
  std::set<std::string> keys;
  std::regex marker(R"(\{\{T_([a-z0-9_]+)\}\})");
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LAUREL_SOURCE_DIR) + "/web/templates")) {
    std::ifstream in(entry.path());
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    for (std::sregex_iterator it(text.begin(), text.end(), marker), end; it != end; ++it) keys.insert((*it)[1].str());
  }
  EXPECT_GT(keys.size(), 100u);
  for (const auto& k : keys) {
    EXPECT_NE(tr(Lang::zh, k), k) << "no text for {{T_" << k << "}}";
  }
  std::set<std::string_view> seen;
  for (const auto& t : texts()) {
    EXPECT_TRUE(seen.insert(t.key).second) << "duplicate key " << t.key;
    EXPECT_FALSE(t.zh.empty()) << t.key;
    EXPECT_FALSE(t.en.empty()) << t.key;
  }
  EXPECT_EQ(date_range_text(Lang::zh, std::chrono::sys_days(std::chrono::year(2019) / 1 / 21), std::chrono::sys_days(std::chrono::year(2019) / 1 / 25)),
            "2019年1月21日至1月25日");
  EXPECT_EQ(date_text(Lang::en, std::chrono::sys_days(std::chrono::year(2019) / 1 / 21)), "21 January 2019");
}

TEST_F(PagesTest, ThePublicNoticeWorksSignedOutShowsNoContactAndTakesObjections) {
  std::string id = shortlisted();
  std::string notice = approved(id);
  ASSERT_FALSE(notice.empty());
  // Before the window opens (the next working day).
  Response early = get("/notices/" + notice);
  EXPECT_EQ(early.status, 200);
  EXPECT_THAT(early.body, HasSubstr("公示尚未开始"));

  at(now + 2 * engine::testing::kDay);
  Response list = get("/notices");
  EXPECT_THAT(list.body, HasSubstr("/notices/" + notice));
  EXPECT_THAT(list.body, HasSubstr("公示中"));
  Response page = get("/notices/" + notice);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("瓜州县2018年度县级民族团结进步示范家庭拟命名对象公示"));
  EXPECT_THAT(page.body, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(page.body, HasSubstr("公示时间：2019年1月15日至1月21日（5个工作日）"));
  EXPECT_THAT(page.body, Not(HasSubstr("13993700001")));
  EXPECT_THAT(page.body, Not(HasSubstr("月牙墩村")));
  EXPECT_THAT(page.body, HasSubstr(R"(action="/notices/)" + notice + R"(/object")"));
  // The printed notice carries its absolute address (no public-url configured: from the Host header).
  EXPECT_THAT(page.body, HasSubstr("网上提交地址：http://localhost/notices/" + notice));

  Response lodged = post("/notices/" + notice + "/object",
                         form_encode({{"nomination_id", id}, {"text", "该户不符合条件"}, {"contact", "张三 13800000000"}}));
  EXPECT_EQ(lodged.status, 202);
  EXPECT_THAT(lodged.body, HasSubstr("您的异议已收到"));
  auto n = store->nomination(id);
  ASSERT_EQ(n->objections.size(), 1u);
  EXPECT_THAT(lodged.body, HasSubstr(R"(<strong class="receipt-no">)" + n->objections[0].id + "</strong>"));
  EXPECT_THAT(lodged.body, Not(HasSubstr("13800000000")));

  Response empty = post("/notices/" + notice + "/object", form_encode({{"nomination_id", id}, {"text", ""}}));
  EXPECT_EQ(empty.status, 422);
  EXPECT_THAT(empty.body, HasSubstr("必填"));

  // The reviewer of the office sees the objector's contact; the objection shows on the list.
  Session reviewer = sign_in("county_reviewer");
  EXPECT_THAT(get("/nominations/" + id, reviewer.cookie).body, HasSubstr("张三 13800000000"));

  at(now + 10 * engine::testing::kDay);
  Response closed = get("/notices/" + notice);
  EXPECT_THAT(closed.body, HasSubstr("公示期已结束，不再受理异议"));
  EXPECT_THAT(closed.body, Not(HasSubstr("/object\"")));
  Response late = post("/notices/" + notice + "/object", form_encode({{"nomination_id", id}, {"text", "迟到的异议"}}));
  EXPECT_EQ(late.status, 422);
  EXPECT_THAT(late.body, HasSubstr("公示期已结束"));
}

TEST_F(PagesTest, TheNamingDecisionIsAPrintableDocument) {
  std::string id = shortlisted();
  std::string notice = approved(id);
  at(now + 10 * engine::testing::kDay);
  store->fire_due_timers(now);
  ASSERT_EQ(store->nomination(id)->state, "publicity_closed");
  Session approver = sign_in("county_approver");
  // The approver names it in a batch from the list.
  Response list = get("/nominations?state=publicity_closed&at=620922", approver.cookie);
  EXPECT_THAT(list.body, HasSubstr(R"(id="batch-form")"));
  std::string item = id + ":" + std::to_string(store->nomination(id)->version);
  Response named = post("/nominations/batch?state=publicity_closed&at=620922",
                        form_encode({{"csrf", approver.csrf}, {"action", "name"}, {"item", item}, {"document_no", "瓜民团发〔2019〕3号"},
                                     {"decision_title", "关于命名2018年度县级民族团结进步示范家庭的决定"}}),
                        approver.cookie);
  ASSERT_EQ(named.status, 303) << named.body.substr(0, 3000);
  EXPECT_EQ(header(named, "Location"), "/decisions/%E7%93%9C%E6%B0%91%E5%9B%A2%E5%8F%91%E3%80%942019%E3%80%953%E5%8F%B7");
  EXPECT_EQ(store->nomination(id)->state, "named");
  Request r = request("GET", header(named, "Location"), "");
  Response doc = pages->handle(r);
  ASSERT_EQ(doc.status, 200);
  EXPECT_THAT(doc.body, HasSubstr(R"(<p class="doc-number">瓜民团发〔2019〕3号</p>)"));
  EXPECT_THAT(doc.body, HasSubstr("瓜州县民族团结进步创建工作领导小组文件"));
  EXPECT_THAT(doc.body, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(doc.body, HasSubstr("各乡镇人民政府"));
  EXPECT_THAT(get("/verify/" + id).body, HasSubstr("有效"));
  EXPECT_EQ(get("/decisions/none").status, 404);

  // The certificates: the whole decision's (public, like the decision) and one nominee's, numbered in
  // the decision's order, with the place for the verification code.
  const std::string decision = header(named, "Location");
  EXPECT_THAT(doc.body, HasSubstr(R"(href=")" + decision + R"(/certificates" class="certificates-link")"));
  Response all = get(decision + "/certificates");
  ASSERT_EQ(all.status, 200);
  EXPECT_THAT(all.body, HasSubstr(R"(<h1 class="cert-title">荣誉证书</h1>)"));
  EXPECT_THAT(all.body, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(all.body, HasSubstr("命名为2018年度县级民族团结进步示范家庭。"));
  EXPECT_THAT(all.body, HasSubstr("瓜民团发〔2019〕3号-001"));
  EXPECT_THAT(all.body, HasSubstr(R"(<div class="cert-verify" id="verify-)" + id + R"(">)"));
  EXPECT_THAT(all.body, HasSubstr("/verify/" + id));
  Response one = get(decision + "/certificates/" + id, approver.cookie);
  ASSERT_EQ(one.status, 200);
  EXPECT_THAT(one.body, HasSubstr("瓜民团发〔2019〕3号-001"));
  EXPECT_THAT(get("/nominations/" + id, approver.cookie).body, HasSubstr(decision + "/certificates/" + id + R"(" class="certificate-link")"));
  EXPECT_EQ(get(decision + "/certificates/N999999").status, 404);
  EXPECT_EQ(get("/decisions/none/certificates").status, 404);
  EXPECT_EQ(post(decision + "/certificates", form_encode({{"csrf", approver.csrf}}), approver.cookie).status, 405);
  // A revoked naming has no certificate any more: the single one leads to the check, which says why.
  engine::Command revoke;
  revoke.action = "revoke";
  revoke.reason = "经复核，事迹材料不实。";
  ASSERT_EQ(run("county_approver", id, revoke).status, storage::CommandResult::Status::accepted);
  Response gone = get(decision + "/certificates/" + id);
  EXPECT_EQ(gone.status, 303);
  EXPECT_EQ(header(gone, "Location"), "/verify/" + id);
  EXPECT_THAT(get("/verify/" + id).body, HasSubstr("撤销"));
  Response none = get(decision + "/certificates");
  EXPECT_THAT(none.body, HasSubstr("该决定中没有仍然有效的命名"));
  EXPECT_THAT(none.body, Not(HasSubstr("cert-title")));
}

TEST_F(PagesTest, AReviewerAcceptsSeveralAtOnceAllOrNothing) {
  std::string a = submitted();
  std::string b = submitted();
  Session reviewer = sign_in("county_reviewer");
  Response list = get("/nominations?state=county_review&per_page=50", reviewer.cookie);
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr(R"(id="batch-form")"));
  EXPECT_THAT(list.body, HasSubstr(R"(name="action" value="accept")"));
  EXPECT_THAT(list.body, Not(HasSubstr("名额使用")));  // quotas are for approvers
  auto item = [&](const std::string& id) { return id + ":" + std::to_string(store->nomination(id)->version); };
  // One stale version: nothing is accepted, and the stale one is named.
  Response stale = post("/nominations/batch?state=county_review",
                        form_encode({{"csrf", reviewer.csrf}, {"action", "accept"}, {"item", item(a)}, {"item", b + ":1"}}), reviewer.cookie);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(store->nomination(a)->state, "county_review");
  Response done = post("/nominations/batch?state=county_review",
                       form_encode({{"csrf", reviewer.csrf}, {"action", "accept"}, {"item", item(a)}, {"item", item(b)}, {"comment", "材料齐全"}}),
                       reviewer.cookie);
  ASSERT_EQ(done.status, 303) << done.body.substr(0, 2000);
  EXPECT_EQ(header(done, "Location"), "/nominations?state=county_review&done=accept&n=2");
  EXPECT_EQ(store->nomination(a)->state, "evaluation");
  EXPECT_EQ(store->nomination(b)->state, "evaluation");
  EXPECT_THAT(get(header(done, "Location"), reviewer.cookie).body, HasSubstr("已批量办理：受理并提交评审（2件）"));
  // Other actions are not batched from the pages; a unit sees no batch form.
  EXPECT_EQ(post("/nominations/batch", form_encode({{"csrf", reviewer.csrf}, {"action", "reject"}, {"item", item(a)}}), reviewer.cookie).status, 422);
  Session unit = sign_in("unit");
  EXPECT_THAT(get("/nominations?state=evaluation", unit.cookie).body, Not(HasSubstr(R"(id="batch-form")")));
}

TEST_F(PagesTest, AnAdministratorGrantsAndRevokesRolesOnlyInsideItsJurisdiction) {
  ASSERT_TRUE(store->create_user(admin_caller(), storage::User{"county_admin", "县管理员", false, {{"admin", kGuazhou}}}, kPassword, now).ok());
  Session admin = sign_in("county_admin");
  Response users = get("/admin", admin.cookie);
  ASSERT_EQ(users.status, 200);
  EXPECT_THAT(users.body, HasSubstr(R"(href="/admin?edit=county_reviewer#roles" class="edit-roles")"));
  EXPECT_THAT(users.body, Not(HasSubstr("edit=city_reviewer")));  // 酒泉市's reviewer is not this admin's to manage
  Response edit = get("/admin?edit=county_reviewer", admin.cookie);
  ASSERT_EQ(edit.status, 200);
  EXPECT_THAT(edit.body, HasSubstr(R"(class="form grant-form")"));
  EXPECT_THAT(edit.body, HasSubstr(R"(<option value="620922213" >)"));
  EXPECT_THAT(edit.body, Not(HasSubstr(R"(<option value="620900")")));

  auto roles = [&] { return store->user("county_reviewer")->roles; };
  Response granted = post("/admin/users",
                          form_encode({{"csrf", admin.csrf}, {"op", "grant"}, {"username", "county_reviewer"}, {"role", "panelist"},
                                       {"jurisdiction", kShuangta}}),
                          admin.cookie);
  ASSERT_EQ(granted.status, 303) << granted.body.substr(0, 2000);
  EXPECT_EQ(header(granted, "Location"), "/admin?edit=county_reviewer&done=grant#roles");
  EXPECT_EQ(roles().size(), 2u);
  // Without the CSRF field, or outside the subtree: refused, nothing changes, the refusal is shown.
  EXPECT_EQ(post("/admin/users", form_encode({{"op", "grant"}, {"username", "county_reviewer"}, {"role", "approver"}, {"jurisdiction", kGuazhou}}),
                 admin.cookie).status, 403);
  Response outside = post("/admin/users",
                          form_encode({{"csrf", admin.csrf}, {"op", "grant"}, {"username", "county_reviewer"}, {"role", "approver"},
                                       {"jurisdiction", kJiuquan}}),
                          admin.cookie);
  EXPECT_EQ(outside.status, 403);
  EXPECT_THAT(outside.body, HasSubstr(R"(class="alert alert-error")"));
  EXPECT_THAT(outside.body, HasSubstr(R"(class="form grant-form")"));  // the form is shown again
  EXPECT_EQ(roles().size(), 2u);
  EXPECT_EQ(post("/admin/users", form_encode({{"csrf", admin.csrf}, {"op", "grant"}, {"username", "city_reviewer"}, {"role", "panelist"},
                                              {"jurisdiction", kShuangta}}),
                 admin.cookie).status, 403);
  Response revoked = post("/admin/users",
                          form_encode({{"csrf", admin.csrf}, {"op", "revoke"}, {"username", "county_reviewer"}, {"role", "panelist"},
                                       {"jurisdiction", kShuangta}}),
                          admin.cookie);
  ASSERT_EQ(revoked.status, 303);
  ASSERT_EQ(roles().size(), 1u);
  EXPECT_EQ(roles().front().role, "reviewer");
  EXPECT_EQ(post("/admin/users", form_encode({{"csrf", admin.csrf}, {"op", "grant"}, {"username", "nobody"}, {"role", "panelist"},
                                              {"jurisdiction", kShuangta}}),
                 admin.cookie).status, 404);
}

TEST_F(PagesTest, ANominatingUnitCreatesANominationThroughTheForm) {
  Session unit = sign_in("unit");
  Response choose = get("/nominations/new", unit.cookie);
  EXPECT_THAT(choose.body, HasSubstr(R"(name="category" value="family")"));
  Response form = get("/nominations/new?category=family", unit.cookie);
  EXPECT_THAT(form.body, HasSubstr(R"(name="nominee.contact_phone")"));
  EXPECT_THAT(form.body, HasSubstr(R"(value="620922213")"));  // 双塔乡
  EXPECT_THAT(form.body, HasSubstr("data-count="));

  Response missing = post("/nominations/new",
                          form_encode({{"csrf", unit.csrf}, {"category", "family"}, {"level", "county"}, {"year", "2019"},
                                       {"jurisdiction", kShuangta}, {"nominee.ethnic_groups", "回族"}}),
                          unit.cookie);
  EXPECT_EQ(missing.status, 422);
  EXPECT_THAT(missing.body, HasSubstr(R"(<p class="field-error">必填</p>)"));
  EXPECT_THAT(missing.body, HasSubstr(R"(value="回族")"));

  Response made = post("/nominations/new",
                       form_encode({{"csrf", unit.csrf}, {"category", "family"}, {"level", "county"}, {"year", "2019"}, {"jurisdiction", kShuangta},
                                    {"nominee.name", "李建国家庭"}, {"nominee.ethnic_groups", "回族、汉族"}, {"nominee.members", "4"},
                                    {"nominee.address", "双塔乡"}, {"nominee.contact_phone", "13900000000"}, {"summary", "第一段\r\n第二段"}}),
                       unit.cookie);
  ASSERT_EQ(made.status, 303) << made.body.substr(0, 3000);
  std::string location = header(made, "Location");
  EXPECT_THAT(location, HasSubstr("?done=create"));
  std::string id = location.substr(std::string("/nominations/").size(), location.find('?') - std::string("/nominations/").size());
  auto n = store->nomination(id);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->summary, "第一段\n第二段");
  Response page = get(location, unit.cookie);
  EXPECT_THAT(page.body, HasSubstr("data-upload-url=\"/api/v1/nominations/" + id + "/attachments?material=application_form\""));
  EXPECT_THAT(page.body, HasSubstr(R"(id="act-submit")"));

  Session reviewer = sign_in("county_reviewer");
  EXPECT_EQ(get("/nominations/new", reviewer.cookie).status, 403);
}

// The materials form without JavaScript: multipart/form-data with the CSRF field, the file stored
// as the API stores it, Post/Redirect/Get; refusals said in the page's language. (The body here is
// in memory; tests/e2e/test_pages_upload.py posts it to the real server, which writes it to disk.)
TEST_F(PagesTest, TheMaterialsFormUploadsAFileWithoutJavaScript) {
  std::string id = create_nomination();
  Session unit = sign_in("unit");
  Response page = get("/nominations/" + id, unit.cookie);
  EXPECT_THAT(page.body, HasSubstr(R"(<form method="post" enctype="multipart/form-data" action="/nominations/)" + id + R"(/materials" class="upload">)"));
  EXPECT_THAT(page.body, HasSubstr(R"(<input type="hidden" name="material" value="application_form">)"));
  EXPECT_THAT(page.body, Not(HasSubstr("<noscript>")));
  const std::string boundary = "----formboundaryXYZ";
  auto body = [&](const std::string& csrf, const std::string& material, const std::string& filename, const std::string& content) {
    std::string b;
    auto field = [&](const std::string& name, const std::string& value) {
      b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    };
    if (!csrf.empty()) field("csrf", csrf);
    field("material", material);
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: application/pdf\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    return b;
  };
  auto upload = [&](const std::string& cookie, const std::string& b) {
    Request r = request("POST", "/nominations/" + id + "/materials", cookie);
    r.headers["content-type"] = "multipart/form-data; boundary=" + boundary;
    r.body = b;
    return pages->handle(r);
  };
  const std::string pdf = "%PDF-1.4\r\n--" + boundary + "x inside\r\n%%EOF\r\n";

  Response no_csrf = upload(unit.cookie, body("", "application_form", "申报表.pdf", pdf));
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("表单校验失败"));
  EXPECT_EQ(upload(unit.cookie, body("wrong", "application_form", "申报表.pdf", pdf)).status, 403);
  EXPECT_TRUE(store->nomination(id)->attachments.empty());

  Response done = upload(unit.cookie, body(unit.csrf, "application_form", "C:\\fakepath\\申报表.pdf", pdf));
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(header(done, "Location"), "/nominations/" + id + "?done=attach#materials");
  auto n = store->nomination(id);
  ASSERT_EQ(n->attachments.size(), 1u);
  EXPECT_EQ(n->attachments[0].filename, "申报表.pdf");
  EXPECT_EQ(n->attachments[0].content_type, "application/pdf");
  EXPECT_EQ(n->attachments[0].size, static_cast<std::int64_t>(pdf.size()));
  EXPECT_EQ(n->attachments[0].sha256, storage::sha256_hex(pdf));
  EXPECT_THAT(get("/nominations/" + id + "?done=attach", unit.cookie).body, HasSubstr("材料已上传"));

  // The type is judged by the content, and refused in the page's language.
  Response png = upload(unit.cookie, body(unit.csrf, "deeds", "事迹.pdf", "not a pdf at all"));
  EXPECT_EQ(png.status, 422);
  EXPECT_THAT(png.body, HasSubstr("不接受 application/octet-stream 类型的文件"));
  // Malformed: cut off before its closing boundary.
  std::string cut = body(unit.csrf, "deeds", "a.pdf", pdf);
  Response malformed = upload(unit.cookie, cut.substr(0, cut.size() - 30));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.body, HasSubstr("表单内容不完整"));
  // An empty file input.
  Response empty = upload(unit.cookie, body(unit.csrf, "deeds", "", ""));
  EXPECT_EQ(empty.status, 422);
  EXPECT_THAT(empty.body, HasSubstr("没有选择文件"));
  // Another unit: refused by the engine and recorded as denied.
  Session other = sign_in("other_unit");
  Response denied = upload(other.cookie, body(other.csrf, "deeds", "a.pdf", pdf));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(store->nomination(id)->attachments.size(), 1u);
  auto history = store->history(id);
  ASSERT_FALSE(history.empty());
  EXPECT_THAT(history.back().bytes, HasSubstr(R"("outcome":"denied")"));
  EXPECT_THAT(history.back().bytes, HasSubstr(R"("action":"attach")"));
  // Over the limit (the server did not read the body): the page says so in English when asked.
  Request big = request("POST", "/nominations/" + id + "/materials?lang=en", unit.cookie);
  big.body_over_limit = true;
  Response too_large = pages->handle(big);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_THAT(too_large.body, HasSubstr("larger than the limit of 20 MB"));
}

// The import form without JavaScript: multipart/form-data with the CSRF field to POST
// /nominations/import, the API's import behind it (documents::import_file), the report rendered on
// the page in the viewer's language with the API's status. (tests/e2e/test_pages_import.py posts it
// to the real server, which writes the body to disk.)
TEST_F(PagesTest, TheImportFormImportsASpreadsheetWithoutJavaScript) {
  Session unit = sign_in("unit");
  Response page = get("/nominations/import", unit.cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr(R"(method="post" enctype="multipart/form-data" action="/nominations/import")"));
  EXPECT_THAT(page.body, HasSubstr(R"(<input type="hidden" name="csrf" value=")" + unit.csrf + "\">"));
  EXPECT_THAT(page.body, Not(HasSubstr("hidden data-lang")));
  EXPECT_THAT(page.body, Not(HasSubstr("import-noscript")));

  const std::string boundary = "----importboundary42";
  auto body = [&](const std::string& csrf, const std::string& mode, const std::string& csv) {
    std::string b;
    auto field = [&](const std::string& name, const std::string& value) {
      b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    };
    if (!csrf.empty()) field("csrf", csrf);
    if (!mode.empty()) field("mode", mode);
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\fakepath\\名单.csv\"\r\nContent-Type: text/csv\r\n\r\n" + csv +
         "\r\n--" + boundary + "--\r\n";
    return b;
  };
  auto import = [&](const std::string& cookie, const std::string& b, const std::string& query = "") {
    Request r = request("POST", "/nominations/import" + query, cookie);
    r.headers["content-type"] = "multipart/form-data; boundary=" + boundary;
    r.body = b;
    return pages->handle(r);
  };
  auto count = [&] { return store->list(storage::ListQuery{}, actor("unit")).total; };
  const std::string header = "category,level,year,jurisdiction,name,ethnic_groups,members,address,contact_phone,summary\r\n";
  auto row = [](const std::string& name, const std::string& year) {
    return "家庭,县级," + year + ",620922213," + name + ",回族、汉族,5,双塔乡月牙墩村,13993700001,邻里互助\r\n";
  };
  const std::string good = header + row("一号家庭", "2018") + row("<b>二号家庭</b>", "2018");
  const std::string half = header + row("三号家庭", "2018") + row("四号家庭", "二〇一八");

  Response no_csrf = import(unit.cookie, body("", "all", good));
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("表单校验失败"));
  EXPECT_EQ(import(unit.cookie, body("wrong", "all", good)).status, 403);
  EXPECT_EQ(count(), 0);

  // Every row required (the default): one bad row refuses the file, shown row by row.
  Response refused = import(unit.cookie, body(unit.csrf, "all", half));
  EXPECT_EQ(refused.status, 422) << refused.body.substr(0, 300);
  EXPECT_THAT(refused.body, HasSubstr("没有导入任何申报：</strong>2 行中有 1 行有问题。"));
  EXPECT_THAT(refused.body, HasSubstr("<td>3</td><td>year</td><td>应为 2000 至 2100 之间的年份，而不是“二〇一八”。</td>"));
  EXPECT_EQ(count(), 0);
  Response english = import(unit.cookie, body(unit.csrf, "all", half), "?lang=en");
  EXPECT_EQ(english.status, 422);
  EXPECT_THAT(english.body, HasSubstr("Nothing was imported: </strong>1 of 2 rows have problems."));
  EXPECT_THAT(english.body, HasSubstr("Must be a year from 2000 to 2100"));

  // The valid rows only, on request: the good one imported, the other listed.
  Response valid = import(unit.cookie, body(unit.csrf, "valid", half), "?lang=zh");
  ASSERT_EQ(valid.status, 201) << valid.body.substr(0, 300);
  EXPECT_EQ(count(), 1);
  EXPECT_THAT(valid.body, HasSubstr("已导入 1 条申报"));
  EXPECT_THAT(valid.body, HasSubstr("以下行有问题，没有导入"));
  EXPECT_THAT(valid.body, HasSubstr(R"(value="valid" checked)"));

  // All of a good file, with links to what was made; the names escaped.
  Response done = import(unit.cookie, body(unit.csrf, "all", good));
  ASSERT_EQ(done.status, 201) << done.body.substr(0, 300);
  EXPECT_EQ(count(), 3);
  EXPECT_THAT(done.body, HasSubstr("已导入 2 条申报"));
  std::regex link(R"re(<a href="/nominations/([^"]+)">)re");
  std::vector<std::string> ids;
  for (std::sregex_iterator it(done.body.begin(), done.body.end(), link), end; it != end; ++it) {
    if (store->nomination((*it)[1].str())) ids.push_back((*it)[1].str());
  }
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(store->nomination(ids[1])->nominee.at("name"), "<b>二号家庭</b>");
  auto last = store->records(storage::RecordQuery{store->log_size() - 1, 1, {}, {}, {}, {}, {}, {}});
  ASSERT_EQ(last.size(), 1u);
  EXPECT_THAT(last[0].bytes, HasSubstr(R"("file_name":"名单.csv")"));

  // Reloading the result posts the same form again: the same answer, nothing imported twice. The
  // form id is the page's own (a fresh one on every page shown); another user's post of it is theirs.
  std::smatch id_match;
  const std::string form_page = get("/nominations/import", unit.cookie).body;
  ASSERT_TRUE(std::regex_search(form_page, id_match, std::regex(R"re(name="form_id" value="([0-9a-f]{32})")re")));
  const std::string form_id = id_match[1].str();
  std::string with_id = body(unit.csrf, "all", header + row("五号家庭", "2018"));
  with_id.insert(0, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"form_id\"\r\n\r\n" + form_id + "\r\n");
  Response first = import(unit.cookie, with_id);
  ASSERT_EQ(first.status, 201) << first.body.substr(0, 300);
  EXPECT_EQ(count(), 4);
  Response reloaded = import(unit.cookie, with_id);
  EXPECT_EQ(reloaded.status, 201);
  EXPECT_EQ(reloaded.body, first.body);
  EXPECT_EQ(count(), 4);
  EXPECT_THAT(get("/nominations/import", unit.cookie).body, Not(HasSubstr(form_id)));  // each page its own id

  // Refusals before any import: no file, not a spreadsheet, malformed multipart.
  std::string none = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + unit.csrf + "\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--" + boundary + "--\r\n";
  Response no_file = import(unit.cookie, none);
  EXPECT_EQ(no_file.status, 422);
  EXPECT_THAT(no_file.body, HasSubstr("没有选择文件"));
  Response columns = import(unit.cookie, body(unit.csrf, "all", "foo,bar\r\n1,2\r\n"));
  EXPECT_EQ(columns.status, 422);
  EXPECT_THAT(columns.body, HasSubstr("文件的列与模板不符"));
  EXPECT_THAT(columns.body, HasSubstr("<td>—</td><td>foo</td>"));
  std::string cut = body(unit.csrf, "all", good);
  Response malformed = import(unit.cookie, cut.substr(0, cut.size() - 30));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.body, HasSubstr("表单内容不完整"));
  EXPECT_THAT(malformed.body, HasSubstr(R"(action="/nominations/import")"));
  EXPECT_EQ(count(), 4);

  // Not a nominator: no form, and a post refused (403, as the API) and recorded as denied.
  Session reviewer = sign_in("county_reviewer");
  EXPECT_THAT(get("/nominations/import", reviewer.cookie).body, Not(HasSubstr(R"(id="import-form")")));
  auto before = store->log_size();
  Response denied = import(reviewer.cookie, body(reviewer.csrf, "all", good));
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("只有申报单位"));
  EXPECT_EQ(count(), 4);
  ASSERT_EQ(store->log_size(), before + 1);
  auto record = store->records(storage::RecordQuery{before, 1, {}, {}, {}, {}, {}, {}});
  ASSERT_EQ(record.size(), 1u);
  EXPECT_THAT(record[0].bytes, HasSubstr(R"("outcome":"denied")"));
  EXPECT_THAT(record[0].bytes, HasSubstr(R"("action":"import_nominations")"));

  // Over the limit (the server did not read the body).
  Request big = request("POST", "/nominations/import?lang=en", unit.cookie);
  big.body_over_limit = true;
  Response too_large = pages->handle(big);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_THAT(too_large.body, HasSubstr("larger than the limit of 10 MB"));
}

TEST_F(PagesTest, OnlyAuditorsSeeTheAuditTrailAndARefusalIsRecorded) {
  std::string id = submitted();
  run("other_unit", id, "withdraw");  // a denied attempt
  Session admin = sign_in("admin");
  auto before = store->log_size();
  Response refused = get("/audit", admin.cookie);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(store->log_size(), before + 1);

  Session auditor = sign_in("auditor");
  Response trail = get("/audit?outcome=denied", auditor.cookie);
  ASSERT_EQ(trail.status, 200);
  EXPECT_THAT(trail.body, HasSubstr("other_unit"));
  EXPECT_THAT(trail.body, HasSubstr("被拒绝"));
  EXPECT_THAT(trail.body, HasSubstr("admin"));  // the administrator's refused look at the audit page
  EXPECT_THAT(trail.body, HasSubstr("已验证：最新检查点的签名有效"));
  Response one = get("/audit?nomination=" + id, auditor.cookie);
  EXPECT_THAT(one.body, HasSubstr(R"(<code class="small">submit</code>)"));
}

TEST_F(PagesTest, StatisticsAndAdministration) {
  std::string id = shortlisted();
  Session admin = sign_in("admin");
  Response stats = get("/stats?year=2018", admin.cookie);
  ASSERT_EQ(stats.status, 200);
  EXPECT_THAT(stats.body, HasSubstr("拟命名"));  // in progress by state
  Response users = get("/admin", admin.cookie);
  ASSERT_EQ(users.status, 200);
  EXPECT_THAT(users.body, HasSubstr("county_reviewer"));
  Response created = post("/admin/users",
                          form_encode({{"csrf", admin.csrf}, {"op", "create"}, {"username", "newunit"}, {"display_name", "新单位"},
                                       {"password", "another long password 9"}, {"role", "nominator"}, {"jurisdiction", kGuazhou}}),
                          admin.cookie);
  EXPECT_EQ(created.status, 303);
  EXPECT_TRUE(store->user("newunit"));
  Response weak = post("/admin/users",
                       form_encode({{"csrf", admin.csrf}, {"op", "create"}, {"username", "weak"}, {"display_name", "弱"},
                                    {"password", "short"}, {"role", "nominator"}, {"jurisdiction", kGuazhou}}),
                       admin.cookie);
  EXPECT_EQ(weak.status, 422);
  EXPECT_FALSE(store->user("weak"));
  Response quota = post("/admin/quotas",
                        form_encode({{"csrf", admin.csrf}, {"office", kGuazhou}, {"level", "county"}, {"category", "family"}, {"year", "2018"}, {"limit", "198"}}),
                        admin.cookie);
  EXPECT_EQ(quota.status, 303);
  EXPECT_THAT(get("/admin/quotas", admin.cookie).body, HasSubstr("198"));
  Response workflows = get("/admin/workflows", admin.cookie);
  EXPECT_THAT(workflows.body, HasSubstr("<svg"));
  EXPECT_THAT(workflows.body, HasSubstr("受理并提交评审"));
  Session unit = sign_in("unit");
  EXPECT_EQ(get("/admin", unit.cookie).status, 403);

  // Named counts and the chart once something is named.
  approved(id);
  at(now + 10 * engine::testing::kDay);
  store->fire_due_timers(now);
  engine::Command c;
  c.action = "name";
  c.document_no = "瓜民团发〔2019〕1号";
  ASSERT_EQ(run("county_approver", id, c).status, storage::CommandResult::Status::accepted);
  EXPECT_EQ(get("/stats?year=2018", admin.cookie).status, 401);  // the session has ended meanwhile
  admin = sign_in("admin");
  Response chart = get("/stats?year=2018", admin.cookie);
  EXPECT_THAT(chart.body, HasSubstr("<svg"));
  EXPECT_THAT(chart.body, HasSubstr(R"(class="chart-value">1</text>)"));
}

TEST_F(PagesTest, StaticFilesHaveTheirTypeAndNothingOutsideTheFolderIsServed) {
  Response css = get("/static/laurel.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_THAT(css.body, HasSubstr("@media print"));
  EXPECT_THAT(header(css, "Cache-Control"), HasSubstr("public"));
  Response js = get("/static/laurel.js?v=1");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_THAT(header(js, "Cache-Control"), HasSubstr("immutable"));
  Request again = request("GET", "/static/laurel.css", "");
  again.headers["if-none-match"] = header(css, "ETag");
  EXPECT_EQ(pages->handle(again).status, 304);
  EXPECT_EQ(get("/static/favicon.svg").content_type, "image/svg+xml");

  Request traversal;
  traversal.method = "GET";
  traversal.target = "/static/../CMakeLists.txt";
  traversal.path = "/static/../CMakeLists.txt";
  Response refused = pages->handle(traversal);
  EXPECT_EQ(refused.status, 404);
  EXPECT_THAT(refused.body, Not(HasSubstr("add_library")));
  for (const char* bad : {"/static/%2e%2e/CMakeLists.txt", "/static/..%2fpages.cpp", "/static/.hidden", "/static/", "/static/laurel.css/",
                          "/static//etc/passwd", "/static/nothing.css", "/static/templates/../../web/pages.cpp"}) {
    Response r = get(bad);
    EXPECT_EQ(r.status, 404) << bad;
  }
  EXPECT_EQ(get("/no-such-page").status, 404);
  EXPECT_EQ(get("/nominations").status, 401);
}

}  // namespace
}  // namespace laurel::web
