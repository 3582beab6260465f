#include "web/pages.h"

#include <boost/url/encode.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "engine/administration.h"
#include "web/documents_export.h"
#include "web/site.h"

#ifndef LAUREL_TEMPLATES_DIR
#define LAUREL_TEMPLATES_DIR "web/templates"
#endif
#ifndef LAUREL_STATIC_DIR
#define LAUREL_STATIC_DIR "web/static"
#endif

namespace laurel::web {
using engine::Time;

namespace {

// The templates, loaded (and checked) when the pages start.
constexpr const char* kTemplates[] = {"layout.tpl", "error.tpl",    "signin.tpl", "home.tpl",   "nominations.tpl",
                                      "nomination.tpl", "nomination_new.tpl", "notices.tpl", "notice.tpl",
                                      "decision.tpl", "certificate.tpl", "verify.tpl",  "stats.tpl",  "audit.tpl",  "admin.tpl",
                                      "import.tpl"};


std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}


std::string dir_or(const std::string& configured, const char* env, const char* compiled) {
  if (!configured.empty()) return configured;
  if (const char* e = std::getenv(env); e && *e) return e;
  return compiled;
}

ctemplate::TemplateString ts(std::string_view s) { return ctemplate::TemplateString(s.data(), s.size()); }

// "T_<key>" for every text, made once (ctemplate keeps pointers to variable names).
const std::vector<std::string>& text_markers() {
  static const std::vector<std::string> markers = [] {
    std::vector<std::string> m;
    for (const auto& t : texts()) m.push_back("T_" + std::string(t.key));
    return m;
  }();
  return markers;
}

}  // namespace

// ---- Form ----------------------------------------------------------------------------------------

Form Form::parse(std::string_view encoded) {
  Form f;
  if (!encoded.empty() && encoded.front() == '?') encoded.remove_prefix(1);
  auto parsed = boost::urls::parse_query(encoded);
  if (!parsed) return f;
  boost::urls::encoding_opts opt;
  opt.space_as_plus = true;
  boost::urls::params_view params(boost::core::string_view(encoded.data(), encoded.size()), opt);
  for (auto p : params) f.items_.emplace_back(p.key, p.has_value ? p.value : std::string());
  return f;
}

std::string Form::get(std::string_view key) const {
  for (const auto& [k, v] : items_) if (k == key) return v;
  return {};
}

bool Form::has(std::string_view key) const {
  return std::any_of(items_.begin(), items_.end(), [&](const auto& kv) { return kv.first == key; });
}

std::vector<std::string> Form::all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) if (k == key) out.push_back(v);
  return out;
}

std::string form_text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') continue;
      out.push_back('\n');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

// ---- Page ----------------------------------------------------------------------------------------

bool Page::has_role(std::string_view role) const {
  return std::any_of(who.actor.roles.begin(), who.actor.roles.end(), [&](const engine::RoleGrant& g) { return g.role == role; });
}

std::vector<std::string> Page::jurisdictions(std::string_view role) const {
  std::vector<std::string> out;
  for (const auto& g : who.actor.roles) {
    if (g.role == role && std::find(out.begin(), out.end(), g.jurisdiction) == out.end()) out.push_back(g.jurisdiction);
  }
  return out;
}

storage::Caller Page::caller() const { return storage::Caller{who.actor, who.method, request.client_address}; }

// ---- Site ----------------------------------------------------------------------------------------

Site::Site(storage::Store& s, Api& a, Clock& c, PagesConfig cfg)
    : store(s), api(a), clock(c), catalog(s.catalog()), config(std::move(cfg)) {
  config.templates_dir = dir_or(config.templates_dir, "LAUREL_TEMPLATES_DIR", LAUREL_TEMPLATES_DIR);
  config.static_dir = dir_or(config.static_dir, "LAUREL_STATIC_DIR", LAUREL_STATIC_DIR);
  templates_.SetTemplateRootDirectory(config.templates_dir);
  for (const char* name : kTemplates) {
    if (!templates_.LoadTemplate(name, ctemplate::STRIP_BLANK_LINES)) {
      throw std::runtime_error("cannot load the page template " + config.templates_dir + "/" + name +
                               " (missing, or a syntax or auto-escape error)");
    }
  }
  templates_.Freeze();
  std::string assets = read_file(config.static_dir + "/laurel.css") + read_file(config.static_dir + "/laurel.js");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(assets));
  asset_version = std::string(hex).substr(0, 10);
}

View Site::view(const Page& page, std::string_view template_file, std::string title, std::string_view nav) {
  View v;
  v.root = std::make_unique<Dict>("layout");
  v.body = v.root->AddIncludeDictionary("PAGE");
  v.body->SetFilename(ts(template_file));
  v.root->SetValue("TITLE", title);
  v.nav = std::string(nav);
  (void)page;
  return v;
}

Response Site::render(Page& page, View& v, int status) {
  Dict* root = v.root.get();
  const Lang lang = page.lang;
  const auto& markers = text_markers();
  auto all = texts();
  for (std::size_t i = 0; i < all.size(); ++i) {
    root->SetTemplateGlobalValueWithoutCopy(ts(markers[i]), ts(lang == Lang::zh ? all[i].zh : all[i].en));
  }
  root->SetTemplateGlobalValue("HTML_LANG", ts(html_lang(lang)));
  root->SetTemplateGlobalValue("ASSET_VERSION", asset_version);
  root->SetTemplateGlobalValue("CSRF", page.who.csrf);
  if (lang == Lang::en) root->ShowTemplateGlobalSection("LANG_EN");
  else root->ShowTemplateGlobalSection("LANG_ZH");

  // The language switch keeps the current page (a GET) and its query.
  Lang other = lang == Lang::zh ? Lang::en : Lang::zh;
  std::string switch_url = page.request.method == "GET" ? page.request.path : std::string("/");
  std::string q;
  if (page.request.method == "GET") {
    for (const auto& [k, val] : page.query.items()) {
      if (k == "lang") continue;
      q += (q.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(val);
    }
  }
  q += (q.empty() ? "" : "&") + std::string("lang=") + std::string(lang_cookie_value(other));
  root->SetValue("LANG_SWITCH_URL", switch_url + "?" + q);
  root->SetValue("LANG_SWITCH_LABEL", ts(other == Lang::en ? "English" : "中文"));
  root->SetValue("LANG_SWITCH_LANG", ts(html_lang(other)));

  // Header: who is signed in, in which roles; navigation for those roles.
  struct Nav {
    const char* key;
    const char* url;
    const char* id;
  };
  std::vector<Nav> nav;
  if (page.signed_in()) {
    root->ShowSection("SIGNED_IN");
    auto user = store.user(page.who.actor.user);
    root->SetValue("DISPLAY_NAME", user ? user->display_name : page.who.actor.user);
    root->SetValue("USERNAME", page.who.actor.user);
    std::string roles;
    for (const auto& g : page.who.actor.roles) {
      if (!roles.empty()) roles += lang == Lang::zh ? "；" : "; ";
      roles += role_name(lang, g.role) + (lang == Lang::zh ? "·" : ", ") + jurisdiction_name(lang, g.jurisdiction);
    }
    root->SetValue("ROLES", roles);
    nav.push_back({"nav_home", "/", "home"});
    nav.push_back({"nav_nominations", "/nominations", "nominations"});
    if (page.has_role("nominator")) nav.push_back({"nav_new", "/nominations/new", "new"});
    nav.push_back({"nav_notices", "/notices", "notices"});
    nav.push_back({"nav_stats", "/stats", "stats"});
    if (page.has_role("auditor")) nav.push_back({"nav_audit", "/audit", "audit"});
    if (page.has_role("admin")) nav.push_back({"nav_admin", "/admin", "admin"});
  } else {
    root->ShowSection("SIGNED_OUT");
    nav.push_back({"nav_notices", "/notices", "notices"});
    nav.push_back({"nav_sign_in", "/", "home"});
  }
  {
    std::string nav_id = v.nav;
    for (const auto& n : nav) {
      Dict* d = root->AddSectionDictionary("NAV");
      d->SetValue("URL", n.url);
      d->SetValue("LABEL", ts(tr(lang, n.key)));
      d->SetValue("ARIA_CURRENT", nav_id == n.id ? "page" : "false");
      d->SetValue("CLASS", nav_id == n.id ? "current" : "");
    }
    std::string out;
    if (!templates_.ExpandNoLoad("layout.tpl", ctemplate::STRIP_BLANK_LINES, root, nullptr, &out)) {
      throw std::runtime_error("the page template could not be expanded");
    }
    Response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(out);
    r.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
                 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    r.set_header("X-Frame-Options", "DENY");
    r.set_header("Cache-Control", "no-store");
    r.set_header("Vary", "Cookie");
    for (const auto& c : page.cookies) r.set_header("Set-Cookie", c);
    r.user = page.who.actor.user;
    r.route = "pages";
    return r;
  }
}

Response Site::redirect(Page& page, const std::string& location) {
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.set_header("Location", location);
  r.set_header("Cache-Control", "no-store");
  for (const auto& c : page.cookies) r.set_header("Set-Cookie", c);
  r.user = page.who.actor.user;
  r.route = "pages";
  return r;
}

Response Site::error_page(Page& page, int status, std::string_view message_key, const std::string& detail) {
  std::string heading(tr(page.lang, "error_" + std::to_string(status)));
  if (heading.starts_with("error_")) heading = tr(page.lang, "error_generic");
  View v = view(page, "error.tpl", heading);
  v.body->SetValue("HEADING", heading);
  v.body->SetValue("MESSAGE", ts(tr(page.lang, message_key)));
  v.body->SetIntValue("STATUS", status);
  if (!detail.empty()) v.body->SetValueAndShowSection("DETAIL", detail, "HAS_DETAIL");
  if (status == 401) v.body->ShowSection("SIGN_IN_LINK");
  return render(page, v, status);
}

void Site::describe_rejection(const Page& page, const engine::Rejection& r, Dict* dict, FieldErrors* errors) {
  Dict* box = dict->AddSectionDictionary("REFUSAL");
  box->SetValue("MESSAGE", ts(tr(page.lang, "problem_" + std::string(engine::to_string(r.code)))));
  if (page.lang == Lang::en && !r.detail.empty()) box->SetValueAndShowSection("DETAIL", r.detail, "HAS_DETAIL");
  for (const auto& e : r.errors) {
    Dict* item = box->AddSectionDictionary("ERROR");
    item->SetValue("FIELD", e.field);
    item->SetValue("MESSAGE", field_message(page.lang, e.message));
    if (errors) (*errors)[e.field] = field_message(page.lang, e.message);
  }
  for (const auto& a : r.allowed_actions) {
    Dict* item = box->AddSectionDictionary("ALLOWED");
    item->SetValue("ACTION", a);
  }
}

const engine::Definition* Site::definition_of(const engine::Nomination& n) const {
  return catalog.definition(n.workflow_id, n.workflow_version);
}

std::string Site::state_name(Lang lang, const engine::Nomination& n) const {
  if (const auto* def = definition_of(n)) {
    int i = def->state_index(n.state);
    if (i >= 0) return lang == Lang::zh ? def->state(i).name : def->state(i).name_en;
  }
  return n.state;
}

std::string Site::state_name(Lang lang, std::string_view state) const {
  for (const auto* def : catalog.definitions()) {
    int i = def->state_index(state);
    if (i >= 0) return lang == Lang::zh ? def->state(i).name : def->state(i).name_en;
  }
  return std::string(state);
}

std::string Site::action_name(Lang lang, const engine::Definition* def, std::string_view action) const {
  auto find = [&](const engine::Definition* d) -> std::optional<std::string> {
    for (const auto& a : d->actions) {
      if (a.id == action) return lang == Lang::zh ? a.name : a.name_en;
    }
    return std::nullopt;
  };
  if (def) {
    if (auto n = find(def)) return *n;
  }
  for (const auto* d : catalog.definitions()) {
    if (auto n = find(d)) return *n;
  }
  std::string key = "action_" + std::string(action);
  std::string_view t = tr(lang, key);
  return t == key ? std::string(action) : std::string(t);
}

std::string Site::category_name(Lang lang, std::string_view id) const {
  const auto* c = catalog.category(id);
  if (!c) return std::string(id);
  return lang == Lang::zh ? c->name : c->name_en;
}

std::string Site::jurisdiction_name(Lang lang, std::string_view code) const {
  const auto* j = catalog.tree().find(code);
  if (!j) return std::string(code);
  return lang == Lang::zh ? j->name : j->name_en;
}

std::string Site::level_name(Lang lang, std::string_view level) const {
  std::string key = "level_" + std::string(level);
  std::string_view t = tr(lang, key);
  return t == key ? std::string(level) : std::string(t);
}

std::string Site::role_name(Lang lang, std::string_view role) const {
  std::string key = "role_" + std::string(role);
  std::string_view t = tr(lang, key);
  return t == key ? std::string(role) : std::string(t);
}

std::string Site::date(Lang lang, Time t) const {
  if (t <= 0) return "";
  return date_text(lang, catalog.calendar().local_date(t));
}

std::string Site::date_time(Lang lang, Time t) const {
  if (t <= 0) return "";
  const auto& cal = catalog.calendar();
  auto day = cal.local_date(t);
  Time since_midnight = t - cal.local_midnight(day);
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", static_cast<int>(since_midnight / 3600), static_cast<int>(since_midnight / 60 % 60));
  std::chrono::year_month_day ymd(day);
  char d[16];
  std::snprintf(d, sizeof d, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  (void)lang;
  return std::string(d) + " " + hm;
}

std::string Site::nominee_name(const engine::Nomination& n) const {
  auto it = n.nominee.find("name");
  return it == n.nominee.end() ? n.id : it->second;
}

std::vector<std::string> Site::all_states() const {
  std::vector<std::string> out;
  for (const auto* def : catalog.definitions()) {
    for (const auto& s : def->states) {
      if (std::find(out.begin(), out.end(), s.id) == out.end()) out.push_back(s.id);
    }
  }
  return out;
}

namespace {

constexpr auto kAnswerLifetime = std::chrono::minutes(30);
constexpr std::size_t kAnswersKept = 512;

bool is_form_id(const std::string& id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::optional<Response> Site::replay(const std::string& username, const std::string& form_id) {
  if (!is_form_id(form_id)) return std::nullopt;
  std::lock_guard lock(answers_mu_);
  auto it = answers_.find(username + "\n" + form_id);
  if (it == answers_.end() || std::chrono::steady_clock::now() - it->second.first > kAnswerLifetime) return std::nullopt;
  return it->second.second;
}

void Site::keep_answer(const std::string& username, const std::string& form_id, const Response& answer) {
  if (!is_form_id(form_id)) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(answers_mu_);
  std::erase_if(answers_, [&](const auto& kv) { return now - kv.second.first > kAnswerLifetime; });
  while (answers_.size() >= kAnswersKept) {
    answers_.erase(std::min_element(answers_.begin(), answers_.end(),
                                    [](const auto& a, const auto& b) { return a.second.first < b.second.first; }));
  }
  answers_[username + "\n" + form_id] = {now, answer};
}

std::vector<engine::Nomination> Site::list_all(storage::ListQuery q, const engine::Actor& viewer) {
  return documents::all_nominations(store, std::move(q), viewer, 100000);
}

std::vector<std::pair<const engine::Jurisdiction*, int>> Site::subtree(std::string_view code) const {
  std::vector<std::pair<const engine::Jurisdiction*, int>> out;
  const auto& tree = catalog.tree();
  const auto* top = tree.find(code);
  if (!top) return out;
  std::function<void(const engine::Jurisdiction&, int)> walk = [&](const engine::Jurisdiction& j, int depth) {
    out.emplace_back(&j, depth);
    for (int c : j.children) walk(tree.all()[static_cast<std::size_t>(c)], depth + 1);
  };
  walk(*top, 0);
  return out;
}

void Site::jurisdiction_options(Dict* dict, const char* section, Lang lang, const std::vector<std::string>& codes,
                                std::string_view selected) const {
  std::set<std::string> seen;
  for (const auto& code : codes) {
    for (const auto& [j, depth] : subtree(code)) {
      if (!seen.insert(j->code).second) continue;
      Dict* o = dict->AddSectionDictionary(section);
      o->SetValue("VALUE", j->code);
      std::string indent;
      for (int i = 0; i < depth; ++i) indent += "\u3000";  // ideographic space
      o->SetValue("LABEL", indent + (lang == Lang::zh ? j->name : j->name_en) + " (" + level_name(lang, j->level) + ")");
      if (j->code == selected) o->SetValue("SELECTED", "selected");
    }
  }
}

void set_field_error(Dict* dict, const FieldErrors& errors, const std::string& field) {
  auto it = errors.find(field);
  if (it == errors.end()) return;
  std::string name = field;
  std::replace(name.begin(), name.end(), '.', '_');
  dict->SetValueAndShowSection("ERR_" + name, it->second, "HAS_ERR_" + name);
}

void set_item_error(Dict* dict, const FieldErrors& errors, const std::string& field) {
  auto it = errors.find(field);
  if (it != errors.end()) dict->SetValueAndShowSection("ERR", it->second, "HAS_ERR");
}

// ---- Forms that post a file ------------------------------------------------------------------------

namespace {

// Why a body is not a readable form, in the page's language (and the parser's words in English).
std::string malformed(const Page& page, const MultipartProblem& p) {
  std::string why(page.t("multipart_" + std::string(to_string(p.code))));
  if (page.lang == Lang::en) why += " (" + p.detail + ")";
  return trf(page.lang, "upload_malformed", {why});
}

}  // namespace

std::optional<Response> read_multipart_form(Site& site, Page& page, const std::function<Response(int, std::string)>& refuse) {
  const Request& r = page.request;
  auto boundary = multipart_boundary(r.header("content-type"));
  if (!boundary) {
    if (boundary.error().code == MultipartError::not_multipart) return site.error_page(page, 415, "error_form_type");
    return refuse(400, malformed(page, boundary.error()));
  }
  std::ifstream file;
  std::istringstream memory;
  std::istream* body = &memory;
  if (!r.body_file.empty()) {
    file.open(r.body_file, std::ios::binary);
    body = &file;
  } else {
    memory.str(r.body);
  }
  auto form = parse_multipart(*body, *boundary);
  if (!form) return refuse(400, malformed(page, form.error()));
  for (auto& f : form->fields) page.form.add(std::move(f.name), std::move(f.value));
  page.files = std::move(form->files);
  return std::nullopt;
}

// ---- Pages ---------------------------------------------------------------------------------------

Pages::Pages(storage::Store& store, Api& api, Clock& clock, PagesConfig config)
    : site_(std::make_unique<Site>(store, api, clock, std::move(config))) {}
Pages::~Pages() = default;

Response Pages::handle(const Request& request) {
  Site& site = *site_;
  Page page{request, {}, Lang::zh, {}, {}, site.clock.now(), {}, {}};
  if (request.path.starts_with("/static/")) return static_file(site, request);
  if (request.path == "/favicon.ico") {
    Request r = request;
    r.path = "/static/favicon.svg";
    return static_file(site, r);
  }
  auto qpos = request.target.find('?');
  if (qpos != std::string::npos) page.query = Form::parse(std::string_view(request.target).substr(qpos + 1));
  page.who = site.api.authenticate(request);

  // Language: ?lang= sets the cookie; else the cookie; else Chinese.
  if (auto l = parse_lang(page.query.get("lang")); l && page.query.has("lang")) {
    page.lang = *l;
    std::string c = "laurel_lang=" + std::string(lang_cookie_value(*l)) + "; Path=/; Max-Age=31536000; SameSite=Lax";
    if (request.secure) c += "; Secure";
    page.cookies.push_back(c);
  } else if (auto c = parse_lang(cookie_value(request.header("cookie"), "laurel_lang"))) {
    page.lang = *c;
  }

  auto p = split_path(request.path);
  const std::string& m = request.method;
  bool get = m == "GET" || m == "HEAD";
  bool post = m == "POST";

  // The forms that post a file as multipart/form-data (server.cpp streams their bodies to disk).
  const bool material_form = p.size() == 3 && p[0] == "nominations" && p[2] == "materials";
  const bool import_form = p.size() == 2 && p[0] == "nominations" && p[1] == "import";
  if (request.body_over_limit) {
    // The server did not read a body past its limit; nothing was done.
    if (material_form && page.signed_in()) return material_too_large(site, page, p[1]);
    if (import_form && page.signed_in()) return import_too_large(site, page);
    return site.error_page(page, 413, "error_too_large");
  }
  if (post && (material_form || import_form)) {
    if (!page.signed_in()) return site.error_page(page, 401, "error_sign_in_first");
    // Its CSRF field is inside the multipart body: read that first (the check below then applies).
    // A body that cannot be read is answered on the page the form is on.
    auto refuse = [&](int status, std::string message) {
      return material_form ? nomination_page(site, page, p[1], status, nullptr, message) : import_page(site, page, status, nullptr, message);
    };
    if (auto refused = read_multipart_form(site, page, refuse)) return *refused;
  } else if (post) {
    std::string type = request.header("content-type");
    if (!type.empty() && !type.starts_with("application/x-www-form-urlencoded")) {
      return site.error_page(page, 415, "error_form_type");
    }
    page.form = Form::parse(request.body);
  }
  if (post) {
    bool open_form = (p.size() == 1 && p[0] == "login") || (p.size() == 3 && p[0] == "notices" && p[2] == "object");
    if (!open_form) {
      if (!page.signed_in()) return site.error_page(page, 401, "error_sign_in_first");
      if (page.who.csrf.empty() || page.form.get("csrf") != page.who.csrf) return site.error_page(page, 403, "error_csrf");
    }
  }

  auto not_allowed = [&] { return site.error_page(page, 405, "error_method"); };
  auto need_sign_in = [&] { return site.error_page(page, 401, "error_sign_in_first"); };

  if (p.empty()) {
    if (!get) return not_allowed();
    return page.signed_in() ? home_page(site, page) : sign_in_page(site, page);
  }
  const std::string& root = p[0];
  if (root == "login" && p.size() == 1) return post ? login(site, page) : (get ? site.redirect(page, "/") : not_allowed());
  if (root == "logout" && p.size() == 1) return post ? logout(site, page) : not_allowed();
  if (root == "nominations") {
    if (!page.signed_in()) return need_sign_in();
    if (p.size() == 1) return get ? nominations_page(site, page) : not_allowed();
    if (p.size() == 2 && p[1] == "new") return get ? new_nomination_page(site, page) : (post ? create_nomination(site, page) : not_allowed());
    if (p.size() == 2 && p[1] == "batch") return post ? batch_act(site, page) : not_allowed();
    if (import_form) return get ? import_page(site, page) : (post ? import_nominations(site, page) : not_allowed());
    if (p.size() == 2) return get ? nomination_page(site, page, p[1]) : not_allowed();
    if (p.size() == 3 && p[2] == "act") return post ? nomination_act(site, page, p[1]) : not_allowed();
    if (material_form) return post ? upload_material(site, page, p[1]) : not_allowed();
  }
  if (root == "notices") {
    if (p.size() == 1) return get ? notices_page(site, page) : not_allowed();
    if (p.size() == 2) return get ? notice_page(site, page, p[1]) : not_allowed();
    if (p.size() == 3 && p[2] == "object") return post ? notice_object(site, page, p[1]) : not_allowed();
  }
  if (root == "decisions" && p.size() == 2) return get ? decision_page(site, page, p[1]) : not_allowed();
  if (root == "decisions" && (p.size() == 3 || p.size() == 4) && p[2] == "certificates") {
    return get ? certificates_page(site, page, p[1], p.size() == 4 ? p[3] : std::string()) : not_allowed();
  }
  if (root == "verify" && p.size() == 2) return get ? verify_page(site, page, p[1]) : not_allowed();
  if (root == "stats" && p.size() == 1) {
    if (!page.signed_in()) return need_sign_in();
    return get ? stats_page(site, page) : not_allowed();
  }
  if (root == "audit" && p.size() == 1) {
    if (!page.signed_in()) return need_sign_in();
    return get ? audit_page(site, page) : not_allowed();
  }
  if (root == "admin" && p.size() <= 2) {
    if (!page.signed_in()) return need_sign_in();
    std::string section = p.size() == 2 ? p[1] : "users";
    return get ? admin_page(site, page, section) : (post ? admin_post(site, page, section) : not_allowed());
  }
  return site.error_page(page, 404, "error_not_found");
}

}  // namespace laurel::web
