#include "web/api_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "engine/administration.h"

namespace laurel::web {
namespace bj = boost::json;

Visibility visibility_for(const engine::Nomination& n, const engine::Actor& viewer, const engine::Catalog& catalog) {
  Visibility v;
  const auto& tree = catalog.tree();
  bool office_staff = false, auditor = false, panelist = false;
  for (const auto& g : viewer.roles) {
    if ((g.role == "reviewer" || g.role == "approver") && tree.contains(g.jurisdiction, n.jurisdiction)) office_staff = true;
    if (g.role == "auditor" && tree.contains(g.jurisdiction, n.jurisdiction)) auditor = true;
    if (g.role == "panelist" && tree.contains(g.jurisdiction, n.jurisdiction)) panelist = true;
  }
  bool owner = viewer.kind == engine::Actor::Kind::person && viewer.user == n.owner;
  v.personal = owner || office_staff || auditor;
  v.all_score_sheets = office_staff || auditor || (panelist && n.state != "evaluation");
  v.own_score_sheet = panelist;
  v.objection_contacts = auditor || std::any_of(viewer.roles.begin(), viewer.roles.end(), [&](const engine::RoleGrant& g) {
                           return g.role == "reviewer" && g.jurisdiction == n.office;
                         });
  return v;
}

bj::value nomination_json(const engine::Nomination& n, const engine::Actor& viewer, const engine::Catalog& catalog,
                          storage::Store* store) {
  Visibility vis = visibility_for(n, viewer, catalog);
  const engine::Category* cat = catalog.category(n.category);
  bj::object o;
  o["id"] = n.id;
  o["category"] = n.category;
  o["level"] = n.level;
  o["year"] = n.year;
  o["jurisdiction"] = n.jurisdiction;
  o["office"] = n.office;
  bj::object nominee;
  for (const auto& [k, v] : n.nominee) {
    const engine::NomineeField* f = cat ? cat->field(k) : nullptr;
    if (f && f->personal && !vis.personal) continue;
    nominee[k] = v;
  }
  o["nominee"] = std::move(nominee);
  o["summary"] = n.summary;
  o["state"] = n.state;
  o["version"] = n.version;
  o["owner"] = n.owner;
  o["workflow"] = bj::object{{"id", n.workflow_id}, {"version", n.workflow_version}};
  bj::array atts;
  for (const auto& a : n.attachments) {
    atts.push_back(bj::object{{"sha256", a.sha256}, {"material", a.material}, {"filename", a.filename},
                              {"content_type", a.content_type}, {"size", a.size}, {"uploaded_at", engine::format_rfc3339(a.at)}});
  }
  o["attachments"] = std::move(atts);
  bj::array objs;
  for (const auto& ob : n.objections) {
    bj::object j{{"id", ob.id}, {"text", ob.text}, {"state", ob.state}, {"finding", ob.finding},
                 {"received_at", engine::format_rfc3339(ob.received_at)}};
    if (vis.objection_contacts && ob.has_contact && store) {
      if (auto c = store->objection_contact(ob.id)) j["contact"] = *c;
    }
    objs.push_back(std::move(j));
  }
  o["objections"] = std::move(objs);
  bj::array sheets;
  for (const auto& s : n.score_sheets) {
    if (!vis.all_score_sheets && !(vis.own_score_sheet && s.panelist == viewer.user)) continue;
    bj::object points;
    for (const auto& [k, p] : s.points) points[k] = p;
    sheets.push_back(bj::object{{"panelist", s.panelist}, {"points", points}, {"total", s.total}, {"veto", s.veto},
                                {"veto_reason", s.veto_reason}, {"at", engine::format_rfc3339(s.at)}});
  }
  o["score_sheets"] = std::move(sheets);
  o["score_sheet_count"] = static_cast<std::int64_t>(n.score_sheets.size());
  bj::array conflicts;
  for (const auto& c : n.conflicts) conflicts.push_back(bj::value(c.panelist));
  o["conflicts"] = std::move(conflicts);
  if (n.evaluation_mean_x100 || n.evaluation_passed) {
    o["evaluation"] = bj::object{{"mean_x100", n.evaluation_mean_x100}, {"passed", n.evaluation_passed}};
  }
  if (!n.notice_id.empty()) {
    o["publicity"] = bj::object{{"notice_id", n.notice_id}, {"title", n.notice_title},
                                {"starts_at", engine::format_rfc3339(n.publicity_starts)},
                                {"ends_at", engine::format_rfc3339(n.publicity_ends)}};
  }
  if (!n.document_no.empty()) {
    o["naming"] = bj::object{{"document_no", n.document_no}, {"title", n.decision_title},
                             {"named_at", engine::format_rfc3339(n.named_at)}, {"valid_until", engine::format_rfc3339(n.valid_until)}};
  }
  o["parent_id"] = n.parent_id.empty() ? bj::value(nullptr) : bj::value(n.parent_id);
  bj::array children;
  for (const auto& c : n.children) children.push_back(bj::value(c));
  o["children"] = std::move(children);
  bj::array actions;
  for (const auto& a : engine::available_actions(n, viewer, catalog)) actions.push_back(bj::value(a));
  o["available_actions"] = std::move(actions);
  o["created_at"] = engine::format_rfc3339(n.created_at);
  o["updated_at"] = engine::format_rfc3339(n.updated_at);
  return o;
}

Response json_response(int status, const bj::value& v) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = bj::serialize(v);
  return r;
}

Response problem(int status, std::string_view code, std::string_view title, std::string_view detail, bj::object extra) {
  bj::object o = std::move(extra);
  o["type"] = "/problems/" + std::string(code);
  o["title"] = title;
  o["status"] = status;
  o["code"] = code;
  o["detail"] = detail;
  Response r = json_response(status, o);
  r.content_type = "application/problem+json";
  return r;
}

namespace {
const char* title_of(engine::Problem p) {
  switch (p) {
    case engine::Problem::forbidden: return "Forbidden";
    case engine::Problem::invalid_transition: return "Action not available";
    case engine::Problem::quota_exceeded: return "Quota exceeded";
    case engine::Problem::missing_materials: return "Required materials missing";
    case engine::Problem::objections_open: return "Objections still open";
    case engine::Problem::validation_failed: return "Validation failed";
    case engine::Problem::version_conflict: return "Version conflict";
  }
  return "Error";
}

bj::array errors_json(const std::vector<engine::FieldError>& errors) {
  bj::array a;
  for (const auto& e : errors) a.push_back(bj::object{{"field", e.field}, {"message", e.message}});
  return a;
}
}  // namespace

Response rejection_problem(const engine::Rejection& r) {
  bj::object extra;
  if (r.code == engine::Problem::invalid_transition) {
    bj::array allowed;
    for (const auto& a : r.allowed_actions) allowed.push_back(bj::value(a));
    extra["allowed_actions"] = std::move(allowed);
  }
  if (!r.errors.empty()) extra["errors"] = errors_json(r.errors);
  return problem(engine::http_status(r.code), engine::to_string(r.code), title_of(r.code), r.detail, std::move(extra));
}

std::optional<int> int_param(const Request& r, const char* name, int lo, int hi, std::vector<engine::FieldError>& errors) {
  auto v = r.param(name);
  if (!v || v->empty()) return std::nullopt;
  if (v->size() > 9 || !std::all_of(v->begin(), v->end(), [](unsigned char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(*v) < lo || std::stoi(*v) > hi) {
    errors.push_back({name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi)});
    return std::nullopt;
  }
  return std::stoi(*v);
}

storage::ListQuery list_filters(const Request& r, std::vector<engine::FieldError>& errors) {
  storage::ListQuery q;
  q.state = r.param("state");
  q.level = r.param("level");
  q.category = r.param("category");
  q.office = r.param("office");
  q.q = r.param("q");
  q.year = int_param(r, "year", 2000, 2100, errors);
  return q;
}

Response validation_problem(std::vector<engine::FieldError> errors, std::string_view detail) {
  return problem(422, "validation_failed", "Validation failed", detail, bj::object{{"errors", errors_json(errors)}});
}

BodyReader::BodyReader(const std::string& body) {
  boost::system::error_code ec;
  bj::value v = bj::parse(body, ec);
  if (ec) {
    errors_.push_back({"", "malformed JSON: " + ec.message()});
    return;
  }
  if (!v.is_object()) {
    errors_.push_back({"", "the body must be a JSON object"});
    return;
  }
  obj_ = std::move(v.get_object());
}

std::optional<std::string> BodyReader::str(std::string_view key, bool required, std::size_t max_length) {
  auto p = obj_.if_contains(key);
  if (!p || p->is_null()) {
    if (required) error(std::string(key), "required");
    return std::nullopt;
  }
  if (!p->is_string()) { error(std::string(key), "must be a string"); return std::nullopt; }
  std::string s(p->get_string());
  if (!engine::is_valid_utf8(s)) { error(std::string(key), "not valid UTF-8"); return std::nullopt; }
  if (engine::utf8_length(s) > max_length) { error(std::string(key), "longer than " + std::to_string(max_length) + " characters"); return std::nullopt; }
  return s;
}

std::optional<std::int64_t> BodyReader::integer(std::string_view key, bool required) {
  auto p = obj_.if_contains(key);
  if (!p || p->is_null()) {
    if (required) error(std::string(key), "required");
    return std::nullopt;
  }
  if (p->is_int64()) return p->get_int64();
  if (p->is_uint64() && p->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(p->get_uint64());
  error(std::string(key), "must be an integer");
  return std::nullopt;
}

std::optional<bool> BodyReader::boolean(std::string_view key) {
  auto p = obj_.if_contains(key);
  if (!p || p->is_null()) return std::nullopt;
  if (!p->is_bool()) { error(std::string(key), "must be true or false"); return std::nullopt; }
  return p->get_bool();
}

const bj::object* BodyReader::obj(std::string_view key, bool required) {
  auto p = obj_.if_contains(key);
  if (!p || p->is_null()) {
    if (required) error(std::string(key), "required");
    return nullptr;
  }
  if (!p->is_object()) { error(std::string(key), "must be an object"); return nullptr; }
  return &p->get_object();
}

const bj::array* BodyReader::arr(std::string_view key, bool required) {
  auto p = obj_.if_contains(key);
  if (!p || p->is_null()) {
    if (required) error(std::string(key), "required");
    return nullptr;
  }
  if (!p->is_array()) { error(std::string(key), "must be an array"); return nullptr; }
  return &p->get_array();
}

void BodyReader::only(std::initializer_list<std::string_view> known, std::string_view prefix) {
  for (const auto& kv : obj_) {
    if (std::find(known.begin(), known.end(), std::string_view(kv.key())) == known.end()) {
      error(std::string(prefix) + std::string(kv.key()), "unknown field");
    }
  }
}

}  // namespace laurel::web
