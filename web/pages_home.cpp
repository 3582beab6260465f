// Sign-in, sign-out and the home page: for each role the viewer holds, what waits for it (待办), with
// counts that link to the filtered list.
#include <algorithm>

#include "web/site.h"

namespace laurel::web {

Response sign_in_page(Site& site, Page& page, int status, std::string_view error_key, const std::string& username) {
  View v = site.view(page, "signin.tpl", std::string(page.t("sign_in_title")), "home");
  if (!error_key.empty()) v.body->SetValueAndShowSection("MESSAGE", std::string(page.t(error_key)), "ERROR");
  v.body->SetValue("USERNAME", username);
  return site.render(page, v, status);
}

Response login(Site& site, Page& page) {
  std::string username = page.form.get("username");
  std::string password = page.form.get("password");
  if (username.empty() || password.empty()) return sign_in_page(site, page, 422, "sign_in_missing", username);
  auto signed_in = site.api.sign_in(page.request, username, password);
  if (!signed_in) {
    int status = signed_in.error().status;
    if (status == 429) return sign_in_page(site, page, 429, "sign_in_throttled", username);
    if (status == 401) return sign_in_page(site, page, 401, "sign_in_failed", username);
    return sign_in_page(site, page, status, "error_unavailable", username);
  }
  page.cookies.push_back(signed_in->first);
  return site.redirect(page, "/");
}

Response logout(Site& site, Page& page) {
  if (!page.who.session_token.empty()) site.store.delete_session(page.who.session_token, page.caller(), page.now);
  std::string c = "laurel_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (page.request.secure) c += "; Secure";
  page.cookies.push_back(c);
  return site.redirect(page, "/");
}

namespace {

struct Todo {
  std::string label;
  std::int64_t count = 0;
  std::string url;
};

std::string list_url(std::string_view state, const std::string& at, std::string_view todo = {}) {
  std::string u = "/nominations?state=" + url_encode(state);
  if (!at.empty()) u += "&at=" + url_encode(at);
  if (!todo.empty()) u += "&todo=" + url_encode(todo);
  return u;
}

std::int64_t count(Site& site, const Page& page, std::string_view state, const std::string& at) {
  storage::ListQuery q;
  q.state = std::string(state);
  if (!at.empty()) q.at_office = at;
  q.per_page = 1;
  return site.store.list(q, page.who.actor).total;
}

// The review states of `level`: states held by an office of that level from which a reviewer may
// return a nomination (the definitions' "return" action marks a review).
std::vector<std::string> review_states(const Site& site, const std::string& level) {
  std::vector<std::string> out;
  for (const auto* def : site.catalog.definitions()) {
    for (const auto& a : def->actions) {
      if (a.role != engine::Role::reviewer || a.to < 0 || a.from.size() < 1) continue;
      if (a.id != "return") continue;
      for (int f : a.from) {
        const auto& s = def->state(f);
        if (s.office && *s.office == level && std::find(out.begin(), out.end(), s.id) == out.end()) out.push_back(s.id);
      }
    }
  }
  return out;
}

}  // namespace

Response home_page(Site& site, Page& page) {
  View v = site.view(page, "home.tpl", std::string(page.t("home_title")), "home");
  const Lang lang = page.lang;
  bool any = false;
  for (const auto& grant : page.who.actor.roles) {
    const auto* j = site.catalog.tree().find(grant.jurisdiction);
    if (!j) continue;
    const std::string& at = grant.jurisdiction;
    std::vector<Todo> todos;
    std::vector<std::pair<std::string, std::string>> links;  // label, url
    std::string note;
    if (grant.role == "nominator") {
      todos.push_back({std::string(page.t("todo_drafts")), count(site, page, "draft", ""), list_url("draft", "")});
      todos.push_back({std::string(page.t("todo_returned")), count(site, page, "returned", ""), list_url("returned", "")});
      storage::ListQuery all;
      all.per_page = 1;
      todos.push_back({std::string(page.t("todo_all_mine")), site.store.list(all, page.who.actor).total, "/nominations"});
      links.emplace_back(page.t("nav_new"), "/nominations/new");
    } else if (grant.role == "reviewer") {
      for (const auto& s : review_states(site, j->level)) {
        todos.push_back({trf(lang, "todo_review", {site.state_name(lang, s)}), count(site, page, s, at), list_url(s, at)});
      }
      todos.push_back({std::string(page.t("todo_close_evaluation")), count(site, page, "evaluation", at), list_url("evaluation", at)});
      storage::ListQuery q;
      q.state = "publicity";
      q.at_office = at;
      auto in_publicity = site.list_all(q, page.who.actor);
      auto open = std::count_if(in_publicity.begin(), in_publicity.end(), [](const engine::Nomination& n) {
        return std::any_of(n.objections.begin(), n.objections.end(), [](const engine::Objection& o) { return o.state == "open"; });
      });
      todos.push_back({std::string(page.t("todo_objections")), open, list_url("publicity", at, "objections")});
    } else if (grant.role == "panelist") {
      storage::ListQuery q;
      q.state = "evaluation";
      q.at_office = at;
      auto items = site.list_all(q, page.who.actor);
      const std::string& me = page.who.actor.user;
      auto waiting = std::count_if(items.begin(), items.end(), [&](const engine::Nomination& n) {
        bool scored = std::any_of(n.score_sheets.begin(), n.score_sheets.end(), [&](const engine::ScoreSheet& s) { return s.panelist == me; });
        bool conflict = std::any_of(n.conflicts.begin(), n.conflicts.end(), [&](const engine::Conflict& c) { return c.panelist == me; });
        return !scored && !conflict;
      });
      todos.push_back({std::string(page.t("todo_score")), waiting, list_url("evaluation", at, "unscored")});
    } else if (grant.role == "approver") {
      todos.push_back({std::string(page.t("todo_approve")), count(site, page, "shortlisted", at), list_url("shortlisted", at)});
      todos.push_back({std::string(page.t("todo_name")), count(site, page, "publicity_closed", at), list_url("publicity_closed", at)});
      todos.push_back({std::string(page.t("todo_in_publicity")), count(site, page, "publicity", at), list_url("publicity", at)});
    } else if (grant.role == "auditor") {
      note = trf(lang, "todo_audit_note", {std::to_string(site.store.log_size())});
      links.emplace_back(page.t("nav_audit"), "/audit");
      links.emplace_back(page.t("audit_denied_link"), "/audit?outcome=denied");
    } else if (grant.role == "admin") {
      note = trf(lang, "todo_admin_note", {std::to_string(site.store.users(page.who.actor).size())});
      links.emplace_back(page.t("admin_users"), "/admin");
      links.emplace_back(page.t("admin_quotas"), "/admin/quotas");
      links.emplace_back(page.t("admin_workflows"), "/admin/workflows");
    } else {
      continue;
    }
    any = true;
    Dict* g = v.body->AddSectionDictionary("GROUP");
    g->SetValue("ROLE", site.role_name(lang, grant.role));
    g->SetValue("JURISDICTION", site.jurisdiction_name(lang, grant.jurisdiction));
    for (const auto& t : todos) {
      Dict* d = g->AddSectionDictionary("ITEM");
      d->SetValue("LABEL", t.label);
      d->SetIntValue("COUNT", static_cast<long>(t.count));
      d->SetValue("URL", t.url);
      d->SetValue("CLASS", t.count > 0 ? "todo-count has-work" : "todo-count");
    }
    if (!note.empty()) g->SetValueAndShowSection("NOTE", note, "HAS_NOTE");
    for (const auto& [label, url] : links) {
      Dict* d = g->AddSectionDictionary("LINK");
      d->SetValue("LABEL", label);
      d->SetValue("URL", url);
    }
  }
  if (!any) v.body->ShowSection("NO_ROLES");
  return site.render(page, v);
}

}  // namespace laurel::web
