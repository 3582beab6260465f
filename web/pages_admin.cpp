// Administration inside the administrator's own jurisdiction subtree: users and their roles (create,
// disable, enable, grant and revoke a role), quotas (set), the jurisdiction tree, and the installed workflow definitions with
// their states and actions, drawn as a state diagram. The rules (who may grant what where, valid
// passwords, quotas) are the engine's; these pages only collect the form and show the answer.
#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "engine/administration.h"
#include "web/site.h"

namespace laurel::web {

namespace {

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool in_subtree(const Site& site, const Page& page, std::string_view code) {
  for (const auto& j : page.jurisdictions("admin")) {
    if (site.catalog.tree().contains(j, code)) return true;
  }
  return false;
}

std::string guard_name(engine::GuardKind k) {
  switch (k) {
    case engine::GuardKind::materials_complete: return "materials_complete";
    case engine::GuardKind::comment_required: return "comment_required";
    case engine::GuardKind::reason_required: return "reason_required";
    case engine::GuardKind::finding_required: return "finding_required";
    case engine::GuardKind::document_no_required: return "document_no_required";
    case engine::GuardKind::score_sheet_valid: return "score_sheet_valid";
    case engine::GuardKind::no_conflict: return "no_conflict";
    case engine::GuardKind::evaluation_complete: return "evaluation_complete";
    case engine::GuardKind::quota_available: return "quota_available";
    case engine::GuardKind::no_open_objections: return "no_open_objections";
    case engine::GuardKind::publicity_open: return "publicity_open";
    case engine::GuardKind::publicity_ended: return "publicity_ended";
    case engine::GuardKind::validity_ended: return "validity_ended";
    case engine::GuardKind::objection_valid: return "objection_valid";
    case engine::GuardKind::nominee_valid: return "nominee_valid";
    case engine::GuardKind::material_valid: return "material_valid";
    case engine::GuardKind::attachment_exists: return "attachment_exists";
    case engine::GuardKind::has_next_level: return "has_next_level";
    case engine::GuardKind::not_yet_recommended: return "not_yet_recommended";
  }
  return "guard";
}

std::string role_id(engine::Role r) {
  std::string s(engine::to_string(r));
  return s == "public_" ? "public" : s;
}

// A state diagram of one definition. The main path (from the initial state, always to the
// successor with the longest way still ahead) runs left to right on the top row; every other state
// sits in the column after the first state that leads to it, in the rows below. Actions that leave
// from many states (withdraw) are not drawn as arrows: their target names them instead.
std::vector<int> targets_of(const engine::ActionDef& a) {
  std::vector<int> t;
  if (a.to >= 0) t.push_back(a.to);
  for (const auto& b : a.branches) t.push_back(b.to);
  return t;
}

constexpr std::size_t kManyFrom = 3;

void fill_diagram(const Site& site, Lang lang, const engine::Definition& def, Dict* d) {
  const std::size_t n = def.states.size();
  if (def.initial < 0 || n == 0) return;
  std::vector<std::vector<int>> next(n);
  for (const auto& a : def.actions) {
    if (a.from.size() > kManyFrom) continue;
    for (int f : a.from) {
      for (int t : targets_of(a)) {
        if (t != f) next[static_cast<std::size_t>(f)].push_back(t);
      }
    }
  }
  // Breadth-first depth from the initial state; edges to a deeper state are "forward", and the
  // forward edges form a DAG, on which the longest way ahead of each state is well defined.
  std::vector<int> depth(n, -1);
  {
    std::vector<int> q{def.initial};
    depth[static_cast<std::size_t>(def.initial)] = 0;
    for (std::size_t qi = 0; qi < q.size(); ++qi) {
      for (int t : next[static_cast<std::size_t>(q[qi])]) {
        if (depth[static_cast<std::size_t>(t)] < 0) {
          depth[static_cast<std::size_t>(t)] = depth[static_cast<std::size_t>(q[qi])] + 1;
          q.push_back(t);
        }
      }
    }
  }
  std::vector<int> ahead(n, -1);
  std::function<int(int)> longest = [&](int s) -> int {
    auto i = static_cast<std::size_t>(s);
    if (ahead[i] >= 0) return ahead[i];
    int best = 0;
    for (int t : next[i]) {
      if (depth[static_cast<std::size_t>(t)] > depth[i]) best = std::max(best, 1 + longest(t));
    }
    ahead[i] = best;
    return best;
  };
  std::vector<int> col(n, -1), row(n, -1);
  int c = 0;
  for (int s = def.initial; s >= 0;) {
    col[static_cast<std::size_t>(s)] = c++;
    row[static_cast<std::size_t>(s)] = 0;
    int pick = -1;
    for (int t : next[static_cast<std::size_t>(s)]) {
      if (col[static_cast<std::size_t>(t)] >= 0) continue;
      if (pick < 0 || longest(t) > longest(pick)) pick = t;
    }
    s = pick;
  }
  std::map<int, int> used;  // column -> rows taken below the main path
  std::vector<int> queue;
  for (std::size_t i = 0; i < n; ++i) if (col[i] >= 0) queue.push_back(static_cast<int>(i));
  std::sort(queue.begin(), queue.end(), [&](int a, int b) { return col[static_cast<std::size_t>(a)] < col[static_cast<std::size_t>(b)]; });
  for (std::size_t qi = 0; qi < queue.size(); ++qi) {
    int s = queue[qi];
    for (int t : next[static_cast<std::size_t>(s)]) {
      auto ti = static_cast<std::size_t>(t);
      if (col[ti] >= 0) continue;
      col[ti] = col[static_cast<std::size_t>(s)] + 1;
      row[ti] = ++used[col[ti]];
      queue.push_back(t);
    }
  }
  std::vector<std::string> many_from(n);
  for (const auto& a : def.actions) {
    if (a.from.size() <= kManyFrom) continue;
    for (int t : targets_of(a)) many_from[static_cast<std::size_t>(t)] = lang == Lang::zh ? a.name : a.name_en;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (col[i] < 0) {  // reached only by a many-from action: the column after the initial state
      col[i] = 1;
      row[i] = ++used[1];
    }
  }
  const int col_w = 136, row_h = 58, box_w = 108, box_h = 34, pad = 10;
  int max_col = 0, max_row = 0;
  for (std::size_t i = 0; i < n; ++i) {
    max_col = std::max(max_col, col[i]);
    max_row = std::max(max_row, row[i]);
  }
  auto x_of = [&](std::size_t i) { return pad + col[i] * col_w; };
  auto y_of = [&](std::size_t i) { return pad + row[i] * row_h; };
  d->SetIntValue("WIDTH", pad * 2 + max_col * col_w + box_w);
  d->SetIntValue("HEIGHT", pad * 2 + max_row * row_h + box_h + 14);
  for (const auto& a : def.actions) {
    if (a.from.size() > kManyFrom) continue;
    for (int from : a.from) {
      for (int t : targets_of(a)) {
        if (t == from) continue;
        auto fi = static_cast<std::size_t>(from), ti = static_cast<std::size_t>(t);
        Dict* e = d->AddSectionDictionary("EDGE");
        int x1 = x_of(fi), y1 = y_of(fi), x2 = x_of(ti), y2 = y_of(ti);
        if (col[ti] > col[fi]) {  // forward: right side to left side
          e->SetIntValue("X1", x1 + box_w);
          e->SetIntValue("Y1", y1 + box_h / 2);
          e->SetIntValue("X2", x2);
          e->SetIntValue("Y2", y2 + box_h / 2);
        } else if (col[ti] == col[fi]) {  // same column: bottom to top or top to bottom
          bool down = row[ti] > row[fi];
          e->SetIntValue("X1", x1 + box_w / 2 + (down ? -8 : 8));
          e->SetIntValue("Y1", down ? y1 + box_h : y1);
          e->SetIntValue("X2", x2 + box_w / 2 + (down ? -8 : 8));
          e->SetIntValue("Y2", down ? y2 : y2 + box_h);
        } else {  // backward: from the top edge to the target's bottom edge
          e->SetIntValue("X1", x1 + box_w / 3);
          e->SetIntValue("Y1", row[fi] > row[ti] ? y1 : y1 + box_h);
          e->SetIntValue("X2", x2 + 2 * box_w / 3);
          e->SetIntValue("Y2", row[fi] > row[ti] ? y2 + box_h : y2);
        }
        e->SetValue("CLASS", a.role == engine::Role::system ? "edge edge-system" : (col[ti] < col[fi] ? "edge edge-back" : "edge"));
        e->SetValue("TITLE", (lang == Lang::zh ? a.name : a.name_en) + " (" + site.role_name(lang, role_id(a.role)) + ")");
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto& st = def.states[i];
    Dict* node = d->AddSectionDictionary("NODE");
    node->SetIntValue("X", x_of(i));
    node->SetIntValue("Y", y_of(i));
    node->SetIntValue("W", box_w);
    node->SetIntValue("H", box_h);
    node->SetIntValue("TX", x_of(i) + box_w / 2);
    node->SetIntValue("TY", y_of(i) + box_h / 2 + 5);
    node->SetValue("CLASS", st.terminal ? "node node-terminal" : (static_cast<int>(i) == def.initial ? "node node-initial" : "node"));
    node->SetValue("LABEL", lang == Lang::zh ? st.name : st.name_en);
    node->SetValue("TITLE", st.id);
    if (!many_from[i].empty()) {
      Dict* note = node->AddSectionDictionary("NOTE");
      note->SetIntValue("NX", x_of(i) + box_w / 2);
      note->SetIntValue("NY", y_of(i) + box_h + 13);
      note->SetValue("TEXT", trf(lang, "diagram_from_many", {many_from[i]}));
    }
  }
}

}  // namespace

Response admin_page(Site& site, Page& page, std::string_view section, int status, const engine::Rejection* refusal) {
  if (!page.has_role("admin")) return site.error_page(page, 403, "error_need_admin");
  const Lang lang = page.lang;
  if (section != "users" && section != "quotas" && section != "jurisdictions" && section != "workflows") {
    return site.error_page(page, 404, "error_not_found");
  }
  View v = site.view(page, "admin.tpl", std::string(page.t("admin_title")) + " · " + std::string(page.t("admin_" + std::string(section))), "admin");
  Dict* b = v.body;
  for (const char* s : {"users", "quotas", "jurisdictions", "workflows"}) {
    Dict* t = b->AddSectionDictionary("TAB");
    t->SetValue("URL", std::string("/admin") + (std::string_view(s) == "users" ? "" : "/" + std::string(s)));
    t->SetValue("LABEL", std::string(page.t(std::string("admin_") + s)));
    t->SetValue("ARIA_CURRENT", section == s ? "page" : "false");
    t->SetValue("CLASS", section == s ? "current" : "");
  }
  if (std::string done = page.query.get("done"); !done.empty() && !refusal) {
    b->SetValueAndShowSection("DONE_MESSAGE", std::string(page.t("admin_done_" + done)), "DONE");
  }
  FieldErrors errors;
  if (refusal) site.describe_rejection(page, *refusal, b, &errors);
  const auto admin_codes = page.jurisdictions("admin");
  bool again = refusal != nullptr;
  const auto& form = page.form;

  if (section == "users") {
    Dict* s = b->AddSectionDictionary("USERS");
    for (const auto& u : site.store.users(page.who.actor)) {
      Dict* r = s->AddSectionDictionary("USER");
      r->SetValue("USERNAME", u.username);
      r->SetValue("DISPLAY_NAME", u.display_name);
      std::string roles;
      for (const auto& g : u.roles) {
        roles += (roles.empty() ? "" : (lang == Lang::zh ? "；" : "; ")) + site.role_name(lang, g.role) + " · " +
                 site.jurisdiction_name(lang, g.jurisdiction);
      }
      r->SetValue("ROLES", roles);
      r->SetValue("STATUS", std::string(page.t(u.disabled ? "user_disabled" : "user_active")));
      r->SetValue("STATUS_CLASS", u.disabled ? "disabled" : "active");
      if (u.username != page.who.actor.user && engine::may_manage(page.who.actor, u.roles, site.catalog.tree())) {
        Dict* t = r->AddSectionDictionary("TOGGLE");
        t->SetValue("OP", u.disabled ? "enable" : "disable");
        t->SetValue("LABEL", std::string(page.t(u.disabled ? "user_enable" : "user_disable")));
        r->SetValueAndShowSection("EDIT_URL", "/admin?edit=" + url_encode(u.username) + "#roles", "CAN_EDIT");
      }
    }
    // One user's roles: revoke each, grant another (inside the administrator's subtree).
    std::string editing = page.query.get("edit");
    if (editing.empty() && again && (form.get("op") == "grant" || form.get("op") == "revoke")) editing = form.get("username");
    if (!editing.empty()) {
      auto u = site.store.user(editing);
      if (u && u->username != page.who.actor.user && engine::may_manage(page.who.actor, u->roles, site.catalog.tree())) {
        Dict* e = s->AddSectionDictionary("EDIT");
        e->SetValue("USERNAME", u->username);
        e->SetValue("DISPLAY_NAME", u->display_name);
        for (const auto& g : u->roles) {
          Dict* r = e->AddSectionDictionary("GRANT");
          r->SetValue("ROLE", g.role);
          r->SetValue("JURISDICTION", g.jurisdiction);
          r->SetValue("LABEL", site.role_name(lang, g.role) + " · " + site.jurisdiction_name(lang, g.jurisdiction));
        }
        if (u->roles.empty()) e->ShowSection("NO_GRANT");
        std::string role = again ? form.get("role") : "";
        for (const auto& r : engine::known_roles()) {
          Dict* o = e->AddSectionDictionary("ROLE_OPTION");
          o->SetValue("VALUE", r);
          o->SetValue("LABEL", site.role_name(lang, r));
          if (r == role) o->SetValue("SELECTED", "selected");
        }
        site.jurisdiction_options(e, "JURISDICTION_OPTION", lang, admin_codes, again ? form.get("jurisdiction") : "");
      }
    }
    Dict* f = s->AddSectionDictionary("CREATE");
    f->SetValue("USERNAME", again ? form.get("username") : "");
    f->SetValue("DISPLAY_NAME", again ? form.get("display_name") : "");
    std::string role = again ? form.get("role") : "";
    for (const auto& r : engine::known_roles()) {
      Dict* o = f->AddSectionDictionary("ROLE_OPTION");
      o->SetValue("VALUE", r);
      o->SetValue("LABEL", site.role_name(lang, r));
      if (r == role) o->SetValue("SELECTED", "selected");
    }
    site.jurisdiction_options(f, "JURISDICTION_OPTION", lang, admin_codes, again ? form.get("jurisdiction") : "");
    set_field_error(f, errors, "username");
    set_field_error(f, errors, "password");
    set_field_error(f, errors, "display_name");
  } else if (section == "quotas") {
    Dict* s = b->AddSectionDictionary("QUOTAS");
    for (const auto& q : site.store.quotas(std::nullopt, std::nullopt)) {
      if (!in_subtree(site, page, q.office)) continue;
      Dict* r = s->AddSectionDictionary("QUOTA");
      r->SetValue("OFFICE", site.jurisdiction_name(lang, q.office));
      r->SetValue("LEVEL", site.level_name(lang, q.level));
      r->SetValue("CATEGORY", site.category_name(lang, q.category));
      r->SetIntValue("YEAR", q.year);
      r->SetIntValue("LIMIT", static_cast<long>(q.limit));
      r->SetIntValue("USED", static_cast<long>(q.used));
    }
    site.jurisdiction_options(s, "OFFICE_OPTION", lang, admin_codes, again ? form.get("office") : "");
    std::string level = again ? form.get("level") : "";
    for (auto it = site.catalog.tree().levels().rbegin(); it != site.catalog.tree().levels().rend(); ++it) {
      if (!site.catalog.definition_for_level(*it)) continue;
      Dict* o = s->AddSectionDictionary("LEVEL_OPTION");
      o->SetValue("VALUE", *it);
      o->SetValue("LABEL", site.level_name(lang, *it));
      if (*it == level) o->SetValue("SELECTED", "selected");
    }
    std::string category = again ? form.get("category") : "";
    for (const auto& c : site.catalog.categories()) {
      Dict* o = s->AddSectionDictionary("CATEGORY_OPTION");
      o->SetValue("VALUE", c.id);
      o->SetValue("LABEL", lang == Lang::zh ? c.name : c.name_en);
      if (c.id == category) o->SetValue("SELECTED", "selected");
    }
    int year = static_cast<int>(std::chrono::year_month_day(site.catalog.calendar().local_date(page.now)).year());
    s->SetValue("YEAR", again ? form.get("year") : std::to_string(year));
    s->SetValue("LIMIT", again ? form.get("limit") : "");
  } else if (section == "jurisdictions") {
    Dict* s = b->AddSectionDictionary("JURISDICTIONS");
    for (const auto& code : admin_codes) {
      for (const auto& [j, depth] : site.subtree(code)) {
        Dict* r = s->AddSectionDictionary("NODE");
        r->SetValue("CODE", j->code);
        r->SetValue("NAME", lang == Lang::zh ? j->name : j->name_en);
        r->SetValue("LEVEL", site.level_name(lang, j->level));
        r->SetValue("DEPTH_CLASS", "depth-" + std::to_string(std::min(depth, 5)));
      }
    }
  } else {
    Dict* s = b->AddSectionDictionary("WORKFLOWS");
    for (const auto* def : site.catalog.definitions()) {
      Dict* d = s->AddSectionDictionary("DEFINITION");
      d->SetValue("NAME", lang == Lang::zh ? def->name : def->name_en);
      d->SetValue("ID", def->id);
      d->SetIntValue("VERSION", def->version);
      d->SetValue("TARGET", site.level_name(lang, def->target_level));
      for (const auto& st : def->states) {
        Dict* r = d->AddSectionDictionary("STATE");
        r->SetValue("SID", st.id);
        r->SetValue("NAME", lang == Lang::zh ? st.name : st.name_en);
        r->SetValue("OFFICE", st.office ? site.level_name(lang, *st.office) : "—");
        r->SetValue("TERMINAL", st.terminal ? std::string(page.t("yes")) : "");
      }
      for (const auto& a : def->actions) {
        Dict* r = d->AddSectionDictionary("ACTION");
        r->SetValue("AID", a.id);
        r->SetValue("NAME", lang == Lang::zh ? a.name : a.name_en);
        std::string from;
        for (int f : a.from) from += (from.empty() ? "" : ", ") + (lang == Lang::zh ? def->state(f).name : def->state(f).name_en);
        r->SetValue("FROM", from);
        std::string to;
        if (a.stay) to = std::string(page.t("stays"));
        if (a.to >= 0) to = lang == Lang::zh ? def->state(a.to).name : def->state(a.to).name_en;
        for (const auto& br : a.branches) to += (to.empty() ? "" : " / ") + (lang == Lang::zh ? def->state(br.to).name : def->state(br.to).name_en);
        r->SetValue("TO", to);
        r->SetValue("ROLE", site.role_name(lang, role_id(a.role)));
        std::string guards;
        for (const auto& g : a.guards) guards += (guards.empty() ? "" : ", ") + guard_name(g.kind);
        r->SetValue("GUARDS", guards);
      }
      fill_diagram(site, lang, *def, d->AddSectionDictionary("DIAGRAM"));
    }
  }
  return site.render(page, v, status);
}

Response admin_post(Site& site, Page& page, std::string_view section) {
  if (!page.has_role("admin")) return site.error_page(page, 403, "error_need_admin");
  const auto& f = page.form;
  if (section == "users") {
    std::string op = f.get("op");
    if (op == "create") {
      storage::User u;
      u.username = f.get("username");
      u.display_name = f.get("display_name");
      u.roles.push_back({f.get("role"), f.get("jurisdiction")});
      auto res = site.store.create_user(page.caller(), u, f.get("password"), page.now);
      if (res.rejection) return admin_page(site, page, section, engine::http_status(res.rejection->code), &*res.rejection);
      if (!res.error.empty()) return site.error_page(page, 503, "error_unavailable", res.error);
      return site.redirect(page, "/admin?done=create_user");
    }
    if (op == "disable" || op == "enable") {
      auto res = site.store.update_user(page.caller(), f.get("username"), std::nullopt, op == "disable", std::nullopt, page.now);
      if (res.rejection) return admin_page(site, page, section, engine::http_status(res.rejection->code), &*res.rejection);
      if (!res.error.empty()) return site.error_page(page, 503, "error_unavailable", res.error);
      return site.redirect(page, "/admin?done=" + op);
    }
    if (op == "grant" || op == "revoke") {
      // The user's roles with one added or taken away; the store checks every grant against the
      // administrator's jurisdiction (engine::check_grants) and records the change with old and new values.
      std::string username = f.get("username");
      auto u = site.store.user(username);
      if (!u) return site.error_page(page, 404, "error_not_found");
      engine::RoleGrant g{f.get("role"), f.get("jurisdiction")};
      auto roles = u->roles;
      if (op == "grant") roles.push_back(g);
      else std::erase(roles, g);
      auto res = site.store.update_user(page.caller(), username, roles, std::nullopt, std::nullopt, page.now);
      if (res.rejection) return admin_page(site, page, section, engine::http_status(res.rejection->code), &*res.rejection);
      if (!res.error.empty()) return site.error_page(page, 503, "error_unavailable", res.error);
      return site.redirect(page, "/admin?edit=" + url_encode(username) + "&done=" + op + "#roles");
    }
    return site.error_page(page, 422, "error_form");
  }
  if (section == "quotas") {
    storage::Quota q;
    q.office = f.get("office");
    q.level = f.get("level");
    q.category = f.get("category");
    q.year = static_cast<int>(to_int(f.get("year")).value_or(0));
    q.limit = to_int(f.get("limit")).value_or(-1);
    auto res = site.store.set_quota(page.caller(), q, page.now);
    if (res.rejection) return admin_page(site, page, section, engine::http_status(res.rejection->code), &*res.rejection);
    if (!res.error.empty()) return site.error_page(page, 503, "error_unavailable", res.error);
    return site.redirect(page, "/admin/quotas?done=set_quota");
  }
  return site.error_page(page, 405, "error_method");
}

}  // namespace laurel::web
