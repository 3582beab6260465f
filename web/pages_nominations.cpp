// The nominations: the list (the inbox of every role, with filters and paging, and batch approval and
// naming for approvers), a nomination's page (status, nominee, 事迹, materials, score sheets,
// objections, what happens next, the action forms the viewer may use, the timeline), and the POSTs
// that run an action or a batch through the store.
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <set>

#include "engine/decide.h"
#include "storage/canonical_json.h"
#include "web/api_json.h"
#include "web/site.h"

namespace laurel::web {
namespace bj = boost::json;
using engine::Time;

namespace {

constexpr int kPerPage = 20;

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

const engine::ActionDef* action_def(const engine::Definition* def, std::string_view id) {
  if (!def) return nullptr;
  for (const auto& a : def->actions) if (a.id == id) return &a;
  return nullptr;
}

bool has_guard(const engine::ActionDef* a, engine::GuardKind k) {
  return a && std::any_of(a->guards.begin(), a->guards.end(), [&](const engine::Guard& g) { return g.kind == k; });
}

const engine::Effect* effect_of(const engine::ActionDef* a, engine::EffectKind k) {
  if (!a) return nullptr;
  for (const auto& e : a->effects) if (e.kind == k) return &e;
  return nullptr;
}

std::string role_id(engine::Role r) {
  std::string s(engine::to_string(r));
  if (s == "public_") s = "public";
  return s;
}

std::string kind_of_action(std::string_view action) {
  static const std::set<std::string_view> danger{"reject", "withdraw", "revoke", "uphold_objection"};
  static const std::set<std::string_view> caution{"return", "declare_conflict", "dismiss_objection"};
  if (danger.contains(action)) return "button-danger";
  if (caution.contains(action)) return "button-caution";
  return "button-primary";
}

std::string human_size(std::int64_t bytes) {
  char buf[32];
  if (bytes < 1024) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else if (bytes < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(bytes) / 1024);
  else std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024 * 1024));
  return buf;
}

std::string human_types(const std::vector<std::string>& types) {
  std::string out;
  for (const auto& t : types) {
    std::string name = t;
    if (t == "application/pdf") name = "PDF";
    else if (t == "image/jpeg") name = "JPEG";
    else if (t == "image/png") name = "PNG";
    else if (t.find("wordprocessingml") != std::string::npos) name = "DOCX";
    if (out.find(name) != std::string::npos) continue;
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

std::string objection_state_name(Lang lang, std::string_view state) {
  return std::string(tr(lang, "objection_" + std::string(state)));
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

// The query string of the list page without `page` (for paging links).
std::string list_query(const Page& page, std::initializer_list<std::string_view> drop) {
  std::string q;
  for (const auto& [k, v] : page.query.items()) {
    if (k == "lang" || std::find(drop.begin(), drop.end(), k) != drop.end() || v.empty()) continue;
    q += (q.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  }
  return q;
}

bool open_objection(const engine::Nomination& n) {
  return std::any_of(n.objections.begin(), n.objections.end(), [](const engine::Objection& o) { return o.state == "open"; });
}

std::string mean_text(std::int64_t x100) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(x100 / 100), static_cast<long long>(x100 % 100));
  return buf;
}

// The publicity window that approving now would open (working days counted by the calendar), shown
// beside the number of days; the notice itself shows the dates the engine records.
void set_window_preview(const Site& site, const Page& page, Dict* d, int days) {
  if (days < 1 || days > 1000) return;
  const auto& cal = site.catalog.calendar();
  auto w = cal.publicity_window(page.now, days);
  std::string window = date_range_text(page.lang, cal.local_date(w.starts), cal.local_date(w.ends - 1));
  d->SetValueAndShowSection("WINDOW_PREVIEW", trf(page.lang, "publicity_preview", {window, std::to_string(days)}), "HAS_PREVIEW");
}

}  // namespace

// ---- The list ------------------------------------------------------------------------------------

Response nominations_page(Site& site, Page& page, int status, const storage::BatchResult* refused) {
  const Lang lang = page.lang;
  const auto& viewer = page.who.actor;
  View v = site.view(page, "nominations.tpl", std::string(page.t("list_title")), "nominations");
  Dict* b = v.body;
  add_export_links(page, b, "/api/v1/exports/nominations", {"state", "category", "level", "year", "q", "at"});

  auto opt = [&](const char* k) -> std::optional<std::string> {
    std::string s = page.query.get(k);
    if (s.empty()) return std::nullopt;
    return s;
  };
  storage::ListQuery q;
  q.state = opt("state");
  q.category = opt("category");
  q.level = opt("level");
  q.q = opt("q");
  q.at_office = opt("at");
  if (auto y = opt("year")) {
    auto n = to_int(*y);
    if (n && *n >= 2000 && *n <= 2100) q.year = static_cast<int>(*n);
    else b->SetValueAndShowSection("YEAR_ERROR", std::string(page.t("filter_year_invalid")), "HAS_YEAR_ERROR");
  }
  int pg = 1;
  if (auto p = opt("page")) {
    auto n = to_int(*p);
    if (n && *n >= 1 && *n <= 100000) pg = static_cast<int>(*n);
  }
  // Rows per page: 20, or 50 or 100 when asked (?per_page=), nothing else (a page stays small).
  int per_page = kPerPage;
  if (auto n = to_int(page.query.get("per_page")); n && (*n == 50 || *n == 100)) per_page = static_cast<int>(*n);
  std::string todo = page.query.get("todo");
  if (todo != "unscored" && todo != "objections") todo.clear();

  std::vector<engine::Nomination> items;
  std::int64_t total = 0;
  if (!todo.empty()) {
    auto all = site.list_all(q, viewer);
    const std::string& me = viewer.user;
    std::erase_if(all, [&](const engine::Nomination& n) {
      if (todo == "objections") return !open_objection(n);
      bool scored = std::any_of(n.score_sheets.begin(), n.score_sheets.end(), [&](const engine::ScoreSheet& s) { return s.panelist == me; });
      bool conflict = std::any_of(n.conflicts.begin(), n.conflicts.end(), [&](const engine::Conflict& c) { return c.panelist == me; });
      return scored || conflict;
    });
    total = static_cast<std::int64_t>(all.size());
    std::size_t from = static_cast<std::size_t>(pg - 1) * static_cast<std::size_t>(per_page);
    for (std::size_t i = from; i < all.size() && i < from + static_cast<std::size_t>(per_page); ++i) items.push_back(std::move(all[i]));
  } else {
    q.page = pg;
    q.per_page = per_page;
    auto res = site.store.list(q, viewer);
    items = std::move(res.items);
    total = res.total;
  }

  // Filters.
  for (const auto& s : site.all_states()) {
    Dict* o = b->AddSectionDictionary("STATE_OPTION");
    o->SetValue("VALUE", s);
    o->SetValue("LABEL", site.state_name(lang, s));
    if (q.state && *q.state == s) o->SetValue("SELECTED", "selected");
  }
  for (const auto& c : site.catalog.categories()) {
    Dict* o = b->AddSectionDictionary("CATEGORY_OPTION");
    o->SetValue("VALUE", c.id);
    o->SetValue("LABEL", lang == Lang::zh ? c.name : c.name_en);
    if (q.category && *q.category == c.id) o->SetValue("SELECTED", "selected");
  }
  std::vector<std::string> levels;
  for (const auto* d : site.catalog.definitions()) {
    if (std::find(levels.begin(), levels.end(), d->target_level) == levels.end()) levels.push_back(d->target_level);
  }
  for (const auto& l : levels) {
    Dict* o = b->AddSectionDictionary("LEVEL_OPTION");
    o->SetValue("VALUE", l);
    o->SetValue("LABEL", site.level_name(lang, l));
    if (q.level && *q.level == l) o->SetValue("SELECTED", "selected");
  }
  for (int n : {20, 50, 100}) {
    Dict* o = b->AddSectionDictionary("PER_PAGE_OPTION");
    o->SetIntValue("VALUE", n);
    if (n == per_page) o->SetValue("SELECTED", "selected");
  }
  b->SetValue("YEAR", page.query.get("year"));
  b->SetValue("Q", page.query.get("q"));
  if (q.at_office) {
    Dict* chip = b->AddSectionDictionary("AT");
    chip->SetValue("VALUE", *q.at_office);
    chip->SetValue("LABEL", trf(lang, "filter_at", {site.jurisdiction_name(lang, *q.at_office)}));
    std::string rest = list_query(page, {"at", "page"});
    chip->SetValue("CLEAR_URL", "/nominations" + (rest.empty() ? "" : "?" + rest));
  }
  if (!todo.empty()) {
    Dict* chip = b->AddSectionDictionary("TODO");
    chip->SetValue("VALUE", todo);
    chip->SetValue("LABEL", std::string(page.t("filter_todo_" + todo)));
    std::string rest = list_query(page, {"todo", "page"});
    chip->SetValue("CLEAR_URL", "/nominations" + (rest.empty() ? "" : "?" + rest));
  }

  // Batch approval and naming: an approver's shortlist or closed publicity.
  std::string batch_action;
  if (page.has_role("approver") && q.state && (*q.state == "shortlisted" || *q.state == "publicity_closed")) {
    batch_action = *q.state == "shortlisted" ? "approve" : "name";
  } else if (page.has_role("reviewer") && q.state && (*q.state == "evaluation" || q.state->ends_with("_review"))) {
    // Reviewers accept many into evaluation at once, or close many evaluations at once.
    batch_action = *q.state == "evaluation" ? "close_evaluation" : "accept";
  }
  bool batch_rows = false;

  for (const auto& n : items) {
    Dict* row = b->AddSectionDictionary("ROW");
    row->SetValue("ID", n.id);
    row->SetValue("NAME", site.nominee_name(n));
    row->SetValue("CATEGORY", site.category_name(lang, n.category));
    row->SetValue("LEVEL", site.level_name(lang, n.level));
    row->SetIntValue("YEAR", n.year);
    row->SetValue("JURISDICTION", site.jurisdiction_name(lang, n.jurisdiction));
    row->SetValue("OFFICE", site.jurisdiction_name(lang, n.office));
    row->SetValue("STATE", n.state);
    row->SetValue("STATE_NAME", site.state_name(lang, n));
    row->SetValue("UPDATED", site.date_time(lang, n.updated_at));
    if (open_objection(n)) row->ShowSection("HAS_OBJECTION");
    if (!batch_action.empty()) {
      row->ShowSection("BATCH_COL");
      auto avail = engine::available_actions(n, viewer, site.catalog);
      if (std::find(avail.begin(), avail.end(), batch_action) != avail.end()) {
        Dict* c = row->AddSectionDictionary("CAN_BATCH");
        c->SetValue("ITEM", n.id + ":" + std::to_string(n.version));
        batch_rows = true;
      }
    }
  }
  if (std::string done = page.query.get("done"); !done.empty() && !refused) {
    b->SetValueAndShowSection("DONE_MESSAGE", trf(lang, "batch_done", {site.action_name(lang, nullptr, done), page.query.get("n")}), "DONE");
  }
  if (items.empty()) b->ShowSection("EMPTY");
  else b->ShowSection("TABLE");
  if (!batch_action.empty()) b->ShowSection("BATCH_HEAD");

  if (batch_rows) {
    Dict* f = b->AddSectionDictionary("BATCH");
    const engine::Definition* def = nullptr;
    for (const auto& n : items) if ((def = site.definition_of(n))) break;
    f->SetValue("ACTION", batch_action);
    f->SetValue("ACTION_NAME", site.action_name(lang, def, batch_action));
    std::string back = list_query(page, {"page"});
    f->SetValue("FORM_URL", "/nominations/batch" + (back.empty() ? "" : "?" + back));
    const bool approving = batch_action == "approve" || batch_action == "name";
    std::string office = q.at_office.value_or(page.jurisdictions(approving ? "approver" : "reviewer").front());
    int year = q.year.value_or(items.front().year);
    std::string level = items.front().level;
    const auto& form = page.form;
    bool again = refused != nullptr;
    if (batch_action == "approve") {
      Dict* a = f->AddSectionDictionary("APPROVE");
      a->SetValue("NOTICE_TITLE", again ? form.get("notice_title")
                                        : trf(lang, "default_notice_title", {site.jurisdiction_name(lang, office), std::to_string(year),
                                                                             site.level_name(lang, level)}));
      const auto* ad = action_def(def, "approve");
      const auto* e = effect_of(ad, engine::EffectKind::open_publicity);
      int days = again && !form.get("days").empty() ? std::atoi(form.get("days").c_str()) : (e ? e->params.days : 5);
      a->SetIntValue("DAYS", days);
      a->SetIntValue("MAX_DAYS", e ? static_cast<long>(e->params.max_days) : 30);
      set_window_preview(site, page, a, days);
    } else if (batch_action == "name") {
      Dict* a = f->AddSectionDictionary("NAME_FIELDS");
      a->SetValue("DOCUMENT_NO", again ? form.get("document_no") : "");
      a->SetValue("DECISION_TITLE", again ? form.get("decision_title")
                                          : trf(lang, "default_decision_title", {std::to_string(year), site.level_name(lang, level)}));
    }
    f->SetValue("COMMENT", again ? form.get("comment") : "");
    // Quota usage of the office, per category (what approving and naming use up).
    if (approving) f->ShowSection("QUOTAS");
    for (const auto& quota : approving ? site.store.quotas(year, office) : std::vector<storage::Quota>{}) {
      f->ShowSection("HAS_QUOTA");
      Dict* r = f->AddSectionDictionary("QUOTA");
      r->SetValue("CATEGORY", site.category_name(lang, quota.category));
      r->SetValue("LEVEL", site.level_name(lang, quota.level));
      r->SetIntValue("LIMIT", static_cast<long>(quota.limit));
      r->SetIntValue("USED", static_cast<long>(quota.used));
      r->SetIntValue("LEFT", static_cast<long>(std::max<std::int64_t>(0, quota.limit - quota.used)));
    }
  }
  if (refused) {
    Dict* box = b->AddSectionDictionary("BATCH_REFUSAL");
    box->SetValue("MESSAGE", std::string(page.t(refused->items.empty() ? "batch_none_selected" : "batch_refused")));
    for (const auto& it : refused->items) {
      if (it.status == storage::CommandResult::Status::accepted) continue;
      Dict* r = box->AddSectionDictionary("ITEM");
      auto n = site.store.nomination(it.id);
      r->SetValue("NAME", n ? site.nominee_name(*n) : it.id);
      r->SetValue("MESSAGE", it.rejection ? std::string(page.t("problem_" + std::string(engine::to_string(it.rejection->code))))
                                          : std::string(page.t("error_not_found")));
      if (it.rejection) {
        std::vector<std::string> details;
        for (const auto& e : it.rejection->errors) details.push_back(field_message(lang, e.message));
        if (!details.empty()) r->SetValueAndShowSection("DETAIL", join(details, std::string(page.t("semicolon"))), "HAS_DETAIL");
      }
    }
  }

  // Paging.
  std::int64_t pages = std::max<std::int64_t>(1, (total + per_page - 1) / per_page);
  b->SetValue("PAGING", trf(lang, "paging", {std::to_string(pg), std::to_string(pages), std::to_string(total)}));
  std::string base = list_query(page, {"page"});
  auto page_url = [&](int n) { return "/nominations?" + base + (base.empty() ? "" : "&") + "page=" + std::to_string(n); };
  if (pg > 1) b->SetValueAndShowSection("PREV_URL", page_url(pg - 1), "PREV");
  if (pg < pages) b->SetValueAndShowSection("NEXT_URL", page_url(pg + 1), "NEXT");
  if (page.has_role("nominator")) b->ShowSection("CAN_CREATE");
  return site.render(page, v, status);
}

Response nominations_page(Site& site, Page& page) { return nominations_page(site, page, 200, nullptr); }

Response batch_act(Site& site, Page& page) {
  const auto& f = page.form;
  storage::BatchRequest req;
  req.caller = page.caller();
  req.now = page.now;
  req.command.action = f.get("action");
  req.command.comment = form_text(f.get("comment"));
  static const std::set<std::string_view> batchable{"approve", "name", "accept", "close_evaluation"};
  if (!batchable.contains(req.command.action)) return site.error_page(page, 422, "error_batch_action");
  for (const auto& item : f.all("item")) {
    auto colon = item.rfind(':');
    if (colon == std::string::npos) continue;
    auto ver = to_int(std::string_view(item).substr(colon + 1));
    if (!ver) continue;
    req.items.emplace_back(item.substr(0, colon), *ver);
  }
  if (req.items.empty()) {
    storage::BatchResult none;
    return nominations_page(site, page, 422, &none);
  }
  if (req.command.action == "approve") {
    req.command.notice_title = f.get("notice_title");
    if (auto d = to_int(f.get("days"))) req.command.days = static_cast<int>(std::clamp<std::int64_t>(*d, -1, 1000));
  } else {
    req.command.document_no = f.get("document_no");
    req.command.decision_title = f.get("decision_title");
  }
  std::string action = req.command.action;
  std::string document_no = req.command.document_no;
  auto result = site.store.execute_batch(std::move(req));
  if (!result.error.empty()) return site.error_page(page, 503, "error_unavailable");
  if (result.accepted) {
    if (action == "approve" && !result.notice_id.empty()) return site.redirect(page, "/notices/" + url_encode(result.notice_id));
    if (action == "name") return site.redirect(page, "/decisions/" + url_encode(document_no));
    std::string back = list_query(page, {"page", "done", "n"});
    return site.redirect(page, "/nominations?" + back + (back.empty() ? "" : "&") + "done=" + url_encode(action) + "&n=" +
                                   std::to_string(result.items.size()));
  }
  int status = 422;
  for (const auto& it : result.items) {
    if (it.status == storage::CommandResult::Status::accepted) continue;
    status = it.rejection ? engine::http_status(it.rejection->code) : 404;
    break;
  }
  return nominations_page(site, page, status, &result);
}

// ---- One nomination ------------------------------------------------------------------------------

namespace {

void fill_next_steps(Site& site, const Page& page, const engine::Nomination& n, const engine::Definition* def, Dict* b) {
  const Lang lang = page.lang;
  if (!def) return;
  int s = def->state_index(n.state);
  if (s < 0) return;
  if (def->state(s).terminal) {
    b->ShowSection("FINISHED");
    return;
  }
  // Who may do what now, grouped by role, in definition order.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_role;
  for (int ai : def->actions_from(s)) {
    const auto& a = def->action(ai);
    if (a.role == engine::Role::system) continue;
    if (a.id == "edit" || a.id == "attach" || a.id == "detach") continue;
    std::string role = role_id(a.role);
    auto it = std::find_if(by_role.begin(), by_role.end(), [&](const auto& p) { return p.first == role; });
    if (it == by_role.end()) {
      by_role.push_back({role, {}});
      it = std::prev(by_role.end());
    }
    it->second.push_back(lang == Lang::zh ? a.name : a.name_en);
  }
  for (const auto& [role, actions] : by_role) {
    Dict* d = b->AddSectionDictionary("NEXT");
    std::string who = site.role_name(lang, role);
    if (role == "reviewer" || role == "panelist" || role == "approver") {
      who = trf(lang, "next_who_at", {site.jurisdiction_name(lang, n.office), who});
    } else if (role == "nominator") {
      who = std::string(page.t("next_who_unit"));
    }
    d->SetValue("WHO", who);
    d->SetValue("ACTIONS", join(actions, lang == Lang::zh ? "、" : ", "));
  }
  if (auto due = engine::next_due(n, site.catalog)) {
    Dict* d = b->AddSectionDictionary("NEXT");
    d->SetValue("WHO", std::string(page.t("next_who_system")));
    d->SetValue("ACTIONS", trf(lang, "next_system", {site.date_time(lang, due->at), site.action_name(lang, def, due->action)}));
  }
}

void fill_action_form(Site& site, const Page& page, const engine::Nomination& n, const engine::Definition* def,
                      const std::string& action, Dict* b, bool again, const FieldErrors& errors) {
  const Lang lang = page.lang;
  const auto* a = action_def(def, action);
  const auto& form = page.form;
  auto value = [&](const char* key, std::string fallback) { return again ? form.get(key) : fallback; };
  Dict* d = b->AddSectionDictionary("ACTION");
  d->SetValue("ACTION", action);
  d->SetValue("ACTION_NAME", site.action_name(lang, def, action));
  d->SetValue("KIND", kind_of_action(action));
  bool wide = has_guard(a, engine::GuardKind::score_sheet_valid) || effect_of(a, engine::EffectKind::open_publicity) ||
              has_guard(a, engine::GuardKind::document_no_required) || has_guard(a, engine::GuardKind::finding_required);
  d->SetValue("WIDTH", wide ? "action-wide" : "");
  d->SetIntValue("VERSION", static_cast<long>(n.version));
  std::string help_key = "help_" + action;
  if (tr(lang, help_key) != help_key) d->SetValueAndShowSection("HELP", std::string(tr(lang, help_key)), "HAS_HELP");
  bool comment_required = has_guard(a, engine::GuardKind::comment_required);
  d->SetValue("COMMENT", value("comment", ""));
  d->ShowSection(comment_required ? "COMMENT_REQUIRED" : "COMMENT_OPTIONAL");
  if (again) set_field_error(d, errors, "comment");
  if (action == "reject" || action == "withdraw" || action == "revoke" || action == "uphold_objection") {
    d->SetValueAndShowSection("CONFIRM", trf(lang, "confirm_action", {site.action_name(lang, def, action)}), "HAS_CONFIRM");
  }

  if (has_guard(a, engine::GuardKind::score_sheet_valid)) {
    Dict* s = d->AddSectionDictionary("SCORE");
    const auto* cat = site.catalog.category(n.category);
    int max_total = 0, total = 0;
    for (const auto& ind : cat ? cat->indicators : std::vector<engine::Indicator>{}) {
      if (ind.veto) {
        Dict* v = s->AddSectionDictionary("VETO_ITEM");
        v->SetValue("IID", ind.id);
        v->SetValue("NAME", lang == Lang::zh ? ind.name : ind.name_en);
        auto chosen = form.all("veto_item");
        if (again && std::find(chosen.begin(), chosen.end(), ind.id) != chosen.end()) v->ShowSection("CHECKED");
        else v->ShowSection("UNCHECKED");
        continue;
      }
      Dict* r = s->AddSectionDictionary("IND");
      r->SetValue("IID", ind.id);
      r->SetValue("NAME", lang == Lang::zh ? ind.name : ind.name_en);
      r->SetIntValue("MAX", ind.max);
      std::string v = value(("points." + ind.id).c_str(), "");
      r->SetValue("VALUE", v);
      if (auto p = to_int(v)) total += static_cast<int>(*p);
      max_total += ind.max;
      if (again) set_item_error(r, errors, "data.points." + ind.id);
    }
    s->SetIntValue("MAX_TOTAL", max_total);
    s->SetIntValue("TOTAL", total);
    s->SetIntValue("PASS_MARK", cat ? cat->pass_mark : 90);
    s->SetValue("VETO_REASON", value("veto_reason", ""));
    if (again) set_field_error(s, errors, "data.veto_reason");
  }
  if (const auto* e = effect_of(a, engine::EffectKind::open_publicity)) {
    Dict* s = d->AddSectionDictionary("APPROVE");
    s->SetValue("NOTICE_TITLE", value("notice_title", trf(lang, "default_notice_title",
                                                           {site.jurisdiction_name(lang, n.office), std::to_string(n.year),
                                                            site.level_name(lang, n.level)})));
    s->SetValue("DAYS", value("days", std::to_string(e->params.days)));
    s->SetIntValue("MAX_DAYS", static_cast<long>(e->params.max_days));
    set_window_preview(site, page, s, again ? static_cast<int>(to_int(form.get("days")).value_or(e->params.days)) : e->params.days);
    if (again) set_field_error(s, errors, "data.days");
  }
  if (has_guard(a, engine::GuardKind::document_no_required)) {
    Dict* s = d->AddSectionDictionary("NAME_FIELDS");
    s->SetValue("DOCUMENT_NO", value("document_no", ""));
    s->SetValue("DECISION_TITLE", value("decision_title", trf(lang, "default_decision_title",
                                                               {std::to_string(n.year), site.level_name(lang, n.level)})));
    if (again) set_field_error(s, errors, "data.document_no");
  }
  if (has_guard(a, engine::GuardKind::finding_required)) {
    Dict* s = d->AddSectionDictionary("OBJECTION");
    for (const auto& o : n.objections) {
      if (o.state != "open") continue;
      Dict* opt = s->AddSectionDictionary("OPTION");
      opt->SetValue("VALUE", o.id);
      std::string text = o.text;
      if (engine::utf8_length(text) > 40) {
        // Cut at a character boundary.
        std::size_t count = 0, i = 0;
        for (; i < text.size() && count < 40; ++i) if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++count;
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
        text = text.substr(0, i) + "…";
      }
      opt->SetValue("LABEL", o.id + " · " + text);
      if (again && form.get("objection_id") == o.id) opt->SetValue("SELECTED", "selected");
    }
    s->SetValue("FINDING", value("finding", ""));
    if (again) {
      set_field_error(s, errors, "data.finding");
      set_field_error(s, errors, "data.objection_id");
    }
  }
  if (has_guard(a, engine::GuardKind::reason_required)) {
    Dict* s = d->AddSectionDictionary("REASON");
    s->SetValue("REASON", value("reason", ""));
    if (again) set_field_error(s, errors, "data.reason");
  }
}

}  // namespace

Response nomination_page(Site& site, Page& page, const std::string& id, int status, const engine::Rejection* refusal,
                         const std::string& upload_error) {
  auto found = site.store.nomination(id);
  const auto& viewer = page.who.actor;
  if (!found || !engine::may_see(*found, viewer, site.catalog.tree())) return site.error_page(page, 404, "error_not_found");
  const engine::Nomination& n = *found;
  const Lang lang = page.lang;
  const auto* cat = site.catalog.category(n.category);
  const auto* def = site.definition_of(n);
  Visibility vis = visibility_for(n, viewer, site.catalog);

  View v = site.view(page, "nomination.tpl", site.nominee_name(n), "nominations");
  Dict* b = v.body;
  b->SetValue("ID", n.id);
  b->SetValue("NAME", site.nominee_name(n));
  b->SetValue("STATE", n.state);
  b->SetValue("STATE_NAME", site.state_name(lang, n));
  b->SetValue("CATEGORY", site.category_name(lang, n.category));
  b->SetValue("LEVEL", site.level_name(lang, n.level));
  b->SetIntValue("YEAR", n.year);
  b->SetValue("JURISDICTION", site.jurisdiction_name(lang, n.jurisdiction));
  b->SetValue("OFFICE", site.jurisdiction_name(lang, n.office));
  b->SetIntValue("VERSION", static_cast<long>(n.version));
  b->SetValue("OWNER", n.owner);
  b->SetValue("CREATED", site.date_time(lang, n.created_at));
  b->SetValue("UPDATED", site.date_time(lang, n.updated_at));
  b->SetValue("WORKFLOW", def ? (lang == Lang::zh ? def->name : def->name_en) + " · v" + std::to_string(def->version) : n.workflow_id);

  if (std::string done = page.query.get("done"); !done.empty() && !refusal && upload_error.empty()) {
    std::string msg = done == "create" ? std::string(page.t("done_create"))
                      : done == "attach" ? std::string(page.t("done_attach"))
                                         : trf(lang, "done_action", {site.action_name(lang, def, done)});
    b->SetValueAndShowSection("DONE_MESSAGE", msg, "DONE");
  }
  if (!upload_error.empty()) b->SetValueAndShowSection("UPLOAD_ERROR", upload_error, "UPLOAD_REFUSED");
  FieldErrors errors;
  std::string failed_action = refusal ? page.form.get("action") : "";
  if (refusal) site.describe_rejection(page, *refusal, b, &errors);

  // Nominee.
  bool hidden = false;
  if (cat) {
    for (const auto& f : cat->nominee_fields) {
      if (f.personal && !vis.personal) {
        hidden = true;
        continue;
      }
      Dict* d = b->AddSectionDictionary("FIELD");
      d->SetValue("LABEL", lang == Lang::zh ? f.name : f.name_en);
      auto it = n.nominee.find(f.id);
      d->SetValue("VALUE", it == n.nominee.end() || it->second.empty() ? "—" : it->second);
      if (f.personal) d->ShowSection("PERSONAL");
    }
  }
  if (hidden) b->ShowSection("PERSONAL_HIDDEN");
  b->SetValue("SUMMARY", n.summary);
  b->SetIntValue("SUMMARY_LENGTH", static_cast<long>(engine::utf8_length(n.summary)));

  auto avail = engine::available_actions(n, viewer, site.catalog);
  auto can = [&](std::string_view a) { return std::find(avail.begin(), avail.end(), a) != avail.end(); };

  // Materials.
  if (cat) {
    for (const auto& m : cat->materials) {
      Dict* d = b->AddSectionDictionary("MATERIAL");
      d->SetValue("MID", m.id);
      d->SetValue("NAME", lang == Lang::zh ? m.name : m.name_en);
      if (m.required) d->ShowSection("REQUIRED");
      d->SetValue("RULE", m.min == m.max ? trf(lang, "material_rule_exact", {std::to_string(m.min)})
                                         : trf(lang, "material_rule", {std::to_string(m.min), std::to_string(m.max)}));
      d->SetValue("TYPES", human_types(m.types));
      int count = 0;
      for (const auto& a : n.attachments) {
        if (a.material != m.id) continue;
        ++count;
        Dict* f = d->AddSectionDictionary("FILE");
        f->SetValue("URL", "/api/v1/nominations/" + url_encode(n.id) + "/attachments/" + a.sha256);
        f->SetValue("FILENAME", a.filename);
        f->SetValue("SIZE", human_size(a.size));
        f->SetValue("SHA", a.sha256);
        f->SetValue("SHORT_SHA", a.sha256.substr(0, 12));
        if (can("detach")) {
          Dict* x = f->AddSectionDictionary("DETACH");
          x->SetIntValue("VERSION", static_cast<long>(n.version));
        }
      }
      d->SetIntValue("COUNT", count);
      if (count < m.min) d->ShowSection("MISSING");
      if (can("attach") && count < m.max) {
        Dict* u = d->AddSectionDictionary("UPLOAD");
        std::string accept;
        for (const auto& t : m.types) accept += (accept.empty() ? "" : ",") + t;
        u->SetValue("ACCEPT", accept);
        u->SetValue("FORM_URL", "/nominations/" + url_encode(n.id) + "/materials");
        u->SetValue("UPLOAD_URL", "/api/v1/nominations/" + url_encode(n.id) + "/attachments?material=" + url_encode(m.id));
      }
    }
  }
  if (can("attach")) {
    b->SetValueAndShowSection("UPLOAD_HINT", trf(lang, "upload_hint", {upload_limit_text(site)}), "CAN_ATTACH");
  }

  // Score sheets: the viewer's visibility decides which.
  std::vector<const engine::ScoreSheet*> sheets;
  for (const auto& s : n.score_sheets) {
    if (vis.all_score_sheets || (vis.own_score_sheet && s.panelist == viewer.user)) sheets.push_back(&s);
  }
  if (!n.score_sheets.empty() || n.state == "evaluation") {
    Dict* sec = b->AddSectionDictionary("SCORES");
    sec->SetIntValue("SHEET_COUNT", static_cast<long>(n.score_sheets.size()));
    if (sheets.size() < n.score_sheets.size()) sec->ShowSection("SHEETS_HIDDEN");
    if (!sheets.empty() && cat) {
      Dict* t = sec->AddSectionDictionary("SHEET_TABLE");
      for (const auto* s : sheets) t->AddSectionDictionary("PANELIST")->SetValue("NAME", s->panelist);
      for (const auto& ind : cat->indicators) {
        if (ind.veto) continue;
        Dict* r = t->AddSectionDictionary("ROW");
        r->SetValue("NAME", lang == Lang::zh ? ind.name : ind.name_en);
        r->SetIntValue("MAX", ind.max);
        for (const auto* s : sheets) {
          auto it = s->points.find(ind.id);
          r->AddSectionDictionary("CELL")->SetValue("VALUE", it == s->points.end() ? "" : std::to_string(it->second));
        }
      }
      for (const auto* s : sheets) {
        Dict* c = t->AddSectionDictionary("TOTAL");
        c->SetIntValue("VALUE", s->total);
        Dict* vt = t->AddSectionDictionary("VETO");
        vt->SetValue("VALUE", s->veto ? std::string(page.t("veto_yes")) + (s->veto_reason.empty() ? "" : std::string(page.t("colon")) + s->veto_reason)
                                      : std::string(page.t("veto_no")));
        t->AddSectionDictionary("AT")->SetValue("VALUE", site.date_time(lang, s->at));
      }
    }
    if (n.evaluation_mean_x100 || n.evaluation_passed) {
      sec->SetValueAndShowSection("MEAN", mean_text(n.evaluation_mean_x100), "EVALUATED");
      sec->SetValue("PASSED", std::string(page.t(n.evaluation_passed ? "evaluation_passed" : "evaluation_failed")));
    }
    if (cat) sec->SetIntValue("PASS_MARK", cat->pass_mark);
    for (const auto& c : n.conflicts) {
      Dict* d = sec->AddSectionDictionary("CONFLICT");
      d->SetValue("PANELIST", c.panelist);
      d->SetValue("AT", site.date_time(lang, c.at));
    }
  }

  // Objections.
  if (!n.objections.empty()) {
    Dict* sec = b->AddSectionDictionary("OBJECTIONS");
    for (const auto& o : n.objections) {
      Dict* d = sec->AddSectionDictionary("OBJ");
      d->SetValue("ID", o.id);
      d->SetValue("RECEIVED", site.date_time(lang, o.received_at));
      d->SetValue("TEXT", o.text);
      d->SetValue("STATE", o.state);
      d->SetValue("STATE_NAME", objection_state_name(lang, o.state));
      if (!o.finding.empty()) d->SetValueAndShowSection("FINDING", o.finding, "HAS_FINDING");
      if (vis.objection_contacts && o.has_contact) {
        if (auto c = site.store.objection_contact(o.id)) d->SetValueAndShowSection("CONTACT", *c, "HAS_CONTACT");
      }
    }
  }

  // Publicity, naming, links.
  if (!n.notice_id.empty()) {
    Dict* d = b->AddSectionDictionary("PUBLICITY");
    d->SetValue("URL", "/notices/" + url_encode(n.notice_id));
    d->SetValue("TITLE", n.notice_title);
    d->SetValue("WINDOW", date_range_text(lang, site.catalog.calendar().local_date(n.publicity_starts),
                                          site.catalog.calendar().local_date(n.publicity_ends - 1)));
  }
  if (!n.document_no.empty()) {
    Dict* d = b->AddSectionDictionary("NAMING");
    d->SetValue("URL", "/decisions/" + url_encode(n.document_no));
    d->SetValue("DOCUMENT_NO", n.document_no);
    d->SetValue("NAMED_AT", site.date(lang, n.named_at));
    d->SetValue("VALID_UNTIL", site.date(lang, n.valid_until));
    d->SetValue("VERIFY_URL", "/verify/" + url_encode(n.id));
    if (n.state == "named") {
      d->SetValueAndShowSection("CERTIFICATE_URL", "/decisions/" + url_encode(n.document_no) + "/certificates/" + url_encode(n.id),
                                "CERTIFICATE");
    }
  }
  if (!n.parent_id.empty()) b->SetValueAndShowSection("PARENT_URL", "/nominations/" + url_encode(n.parent_id), "PARENT");
  for (const auto& c : n.children) {
    Dict* d = b->AddSectionDictionary("CHILD");
    d->SetValue("URL", "/nominations/" + url_encode(c));
    d->SetValue("ID", c);
  }

  fill_next_steps(site, page, n, def, b);

  // Action forms.
  bool any_action = false;
  for (const auto& a : avail) {
    if (a == "attach" || a == "detach") continue;
    if (a == "edit") {
      Dict* e = b->AddSectionDictionary("EDIT");
      bool again = failed_action == "edit";
      e->SetIntValue("VERSION", static_cast<long>(n.version));
      for (const auto& f : cat ? cat->nominee_fields : std::vector<engine::NomineeField>{}) {
        Dict* d = e->AddSectionDictionary("INPUT");
        d->SetValue("FID", f.id);
        d->SetValue("LABEL", lang == Lang::zh ? f.name : f.name_en);
        d->SetIntValue("MAX", f.max_length);
        auto it = n.nominee.find(f.id);
        d->SetValue("VALUE", again ? page.form.get("nominee." + f.id) : (it == n.nominee.end() ? "" : it->second));
        d->ShowSection(f.required ? "REQUIRED" : "OPTIONAL");
        if (f.personal) d->ShowSection("PERSONAL");
        if (again) set_item_error(d, errors, "nominee." + f.id);
      }
      e->SetValue("SUMMARY", again ? page.form.get("summary") : n.summary);
      e->SetIntValue("SUMMARY_MAX", cat ? cat->summary_max_length : 3000);
      if (again) set_field_error(e, errors, "summary");
      continue;
    }
    // Guards are the engine's; but a form that can only be refused is not offered: a panelist who
    // has scored or declared a conflict is told so instead.
    const std::string& me = viewer.user;
    bool scored = std::any_of(n.score_sheets.begin(), n.score_sheets.end(), [&](const engine::ScoreSheet& s) { return s.panelist == me; });
    bool conflict = std::any_of(n.conflicts.begin(), n.conflicts.end(), [&](const engine::Conflict& c) { return c.panelist == me; });
    if ((a == "score" || a == "declare_conflict") && (scored || conflict)) {
      b->SetValueAndShowSection("PANEL_NOTE", std::string(page.t(conflict ? "panel_conflict_declared" : "panel_already_scored")), "HAS_PANEL_NOTE");
      continue;
    }
    any_action = true;
    fill_action_form(site, page, n, def, a, b, failed_action == a, errors);
  }
  if (any_action) b->ShowSection("HAS_ACTIONS");

  // Timeline.
  std::string last_move_comment, last_move_action;
  if (vis.internal) {
    Dict* sec = b->AddSectionDictionary("TIMELINE");
    for (const auto& row : site.store.history(n.id)) {
      auto parsed = storage::parse_canonical_json(row.bytes);
      if (!parsed || !parsed->is_object()) continue;
      const auto& r = parsed->as_object();
      auto str = [](const bj::object& o, std::string_view k) -> std::string {
        auto p = o.if_contains(k);
        return p && p->is_string() ? std::string(p->get_string()) : std::string();
      };
      Dict* d = sec->AddSectionDictionary("EVENT");
      d->SetIntValue("INDEX", static_cast<long>(row.index));
      auto at = engine::parse_rfc3339(str(r, "at"));
      d->SetValue("AT", at ? site.date_time(lang, *at) : str(r, "at"));
      if (auto w = r.if_contains("who"); w && w->is_object()) {
        std::string user = str(w->as_object(), "user");
        std::string role = str(w->as_object(), "role");
        if (user.empty()) user = std::string(page.t("who_public"));
        if (user == "system") user = std::string(page.t("who_system"));
        d->SetValue("WHO", user);
        if (!role.empty() && role != "system" && role != "public") d->SetValueAndShowSection("ROLE", site.role_name(lang, role), "HAS_ROLE");
      }
      std::string action = str(r, "action");
      d->SetValue("ACTION", action == "create" ? std::string(page.t("action_create")) : site.action_name(lang, def, action));
      std::string outcome = str(r, "outcome");
      d->SetValue("OUTCOME", outcome);
      d->SetValue("OUTCOME_NAME", std::string(page.t("outcome_" + outcome)));
      if (auto reason = r.if_contains("reason"); reason && reason->is_object()) {
        d->SetValueAndShowSection("REASON", std::string(page.t("problem_" + str(reason->as_object(), "code"))), "HAS_REASON");
      }
      std::string comment = str(r, "comment");
      if (!comment.empty()) d->SetValueAndShowSection("COMMENT", comment, "HAS_COMMENT");
      std::string from, to;
      if (auto o = r.if_contains("old"); o && o->is_object()) from = str(o->as_object(), "state");
      if (auto o = r.if_contains("new"); o && o->is_object()) to = str(o->as_object(), "state");
      if (!to.empty() && from != to && outcome == "accepted") {
        // Why it is where it is now: the comment of the move into the current state.
        if (to == n.state) {
          last_move_comment = comment;
          last_move_action = (action == "create" ? std::string(page.t("action_create")) : site.action_name(lang, def, action));
        }
        Dict* c = d->AddSectionDictionary("CHANGE");
        c->SetValue("FROM", from.empty() ? std::string("—") : site.state_name(lang, from));
        c->SetValue("TO", site.state_name(lang, to));
      }
    }
  }
  if (!last_move_comment.empty()) {
    Dict* r = b->AddSectionDictionary("STATE_REASON");
    r->SetValue("ACTION", last_move_action);
    r->SetValue("COMMENT", last_move_comment);
  }
  return site.render(page, v, status);
}

Response nomination_act(Site& site, Page& page, const std::string& id) {
  const auto& f = page.form;
  engine::Command cmd;
  cmd.action = f.get("action");
  std::vector<engine::FieldError> errors;
  if (cmd.action.empty() || cmd.action == "create" || cmd.action == "attach" || cmd.action == "object") {
    errors.push_back({"action", "not an action for this form"});
  }
  if (auto v = to_int(f.get("expected_version"))) cmd.expected_version = *v;
  else errors.push_back({"expected_version", "required"});
  cmd.comment = form_text(f.get("comment"));
  if (engine::utf8_length(cmd.comment) > 2000) errors.push_back({"comment", "longer than 2000 characters"});
  auto n = site.store.nomination(id);
  if (!n) return site.error_page(page, 404, "error_not_found");
  const auto* cat = site.catalog.category(n->category);

  if (cmd.action == "score") {
    for (const auto& [k, val] : f.items()) {
      if (!k.starts_with("points.")) continue;
      std::string ind = k.substr(7);
      if (val.empty()) continue;  // the engine reports it as required
      auto p = to_int(val);
      if (!p) {
        errors.push_back({"data.points." + ind, "must be an integer"});
        continue;
      }
      cmd.points[ind] = static_cast<int>(std::clamp<std::int64_t>(*p, -1, 1000));
    }
    std::vector<std::string> items;
    for (const auto& item : f.all("veto_item")) {
      const auto* ind = cat ? cat->indicator(item) : nullptr;
      if (ind && ind->veto) items.push_back(page.lang == Lang::zh ? ind->name : ind->name_en);
    }
    cmd.veto = f.has("veto") || !items.empty();
    std::string reason = form_text(f.get("veto_reason"));
    std::string listed = join(items, std::string(page.t("semicolon")));
    cmd.veto_reason = listed.empty() ? reason : (reason.empty() ? listed : listed + "。" + reason);
  } else if (cmd.action == "approve") {
    cmd.notice_title = f.get("notice_title");
    if (std::string d = f.get("days"); !d.empty()) {
      if (auto v = to_int(d)) cmd.days = static_cast<int>(std::clamp<std::int64_t>(*v, -1, 1000));
      else errors.push_back({"data.days", "must be an integer"});
    }
  } else if (cmd.action == "uphold_objection" || cmd.action == "dismiss_objection") {
    cmd.objection_id = f.get("objection_id");
    cmd.finding = form_text(f.get("finding"));
  } else if (cmd.action == "name") {
    cmd.document_no = f.get("document_no");
    cmd.decision_title = f.get("decision_title");
  } else if (cmd.action == "revoke" || cmd.action == "declare_conflict") {
    cmd.reason = form_text(f.get("reason"));
  } else if (cmd.action == "detach") {
    cmd.attachment.sha256 = f.get("sha256");
  } else if (cmd.action == "edit") {
    std::map<std::string, std::string> nominee;
    if (cat) {
      for (const auto& field : cat->nominee_fields) {
        std::string val = f.get("nominee." + field.id);
        if (!val.empty()) nominee[field.id] = val;
      }
    }
    cmd.nominee = nominee;
    cmd.summary = form_text(f.get("summary"));
  }
  if (!errors.empty()) {
    engine::Rejection r{engine::Problem::validation_failed, "the form is not valid", {}, errors};
    return nomination_page(site, page, id, 422, &r);
  }
  storage::CommandRequest req;
  req.caller = page.caller();
  req.nomination_id = id;
  req.command = cmd;
  req.now = page.now;
  auto result = site.store.execute(std::move(req));
  using S = storage::CommandResult::Status;
  switch (result.status) {
    case S::accepted:
      return site.redirect(page, "/nominations/" + url_encode(id) + "?done=" + url_encode(cmd.action));
    case S::rejected: {
      const auto& r = *result.rejection;
      if (!engine::may_see(*n, page.who.actor, site.catalog.tree())) return site.error_page(page, 403, "problem_forbidden");
      return nomination_page(site, page, id, engine::http_status(r.code), &r);
    }
    case S::not_found: return site.error_page(page, 404, "error_not_found");
    default: return site.error_page(page, 503, "error_unavailable", result.error);
  }
}

}  // namespace laurel::web
