#include "web/documents_api.h"

#include <boost/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "engine/administration.h"
#include "storage/attachments.h"
#include "web/api_json.h"
#include "web/documents_export.h"
#include "web/documents_import.h"
#include "web/documents_print.h"
#include "web/documents_table.h"

namespace laurel::web {
namespace bj = boost::json;
using namespace documents;

namespace {

Response not_found() { return problem(404, "not_found", "Not found", "no such resource"); }
Response unauthenticated() { return problem(401, "unauthenticated", "Sign-in required", "sign in or send a bearer token"); }
Response method_not_allowed() { return problem(405, "method_not_allowed", "Method not allowed", "this resource does not take that method"); }

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Response download(std::string body, std::string_view content_type, const std::string& filename, bool personal) {
  Response out;
  out.content_type = std::string(content_type);
  out.body = std::move(body);
  out.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  out.set_header("X-Content-Type-Options", "nosniff");
  out.set_header("Cache-Control", personal ? "private, no-store" : "public, max-age=60");
  return out;
}

bool has_role(const Identity& who, std::string_view role) {
  return std::any_of(who.actor.roles.begin(), who.actor.roles.end(), [&](const engine::RoleGrant& g) { return g.role == role; });
}

Response print_problem(const PrintError& e) {
  if (e.kind == PrintError::Kind::not_found) return problem(404, "not_found", "Not found", e.message);
  if (e.kind == PrintError::Kind::validation) return validation_problem({{"ids", e.message}}, e.message);
  return problem(503, "unavailable", "Service unavailable", e.message);
}

}  // namespace

struct DocumentsApi::Impl {
  storage::Store& store;
  const engine::Catalog& catalog;
  explicit Impl(storage::Store& s) : store(s), catalog(s.catalog()) {}

  std::optional<Format> format(const Request& r, std::vector<engine::FieldError>& errors) {
    auto v = r.param("format").value_or("xlsx");
    auto f = parse_format(v);
    if (!f) errors.push_back({"format", "must be csv or xlsx"});
    return f;
  }

  Response table(const Table& t, Format f, const std::string& what, bool personal) {
    auto bytes = write_table(t, f);
    if (!bytes) return problem(503, "unavailable", "Service unavailable", bytes.error());
    return download(std::move(*bytes), content_type(f), download_name(what, f), personal);
  }

  Response exports(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p);
  Response imports(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p);
  Response pdfs(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p);
  Response verification(const Request& r, engine::Time now, const std::vector<std::string>& p);
};

DocumentsApi::DocumentsApi(storage::Store& store) : impl_(std::make_unique<Impl>(store)) {}
DocumentsApi::~DocumentsApi() = default;

std::optional<Response> DocumentsApi::handle(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p) {
  if (p.empty()) return std::nullopt;
  if (p[0] == "exports") return impl_->exports(r, who, now, p);
  if (p[0] == "imports") return impl_->imports(r, who, now, p);
  if (p[0] == "documents") return impl_->pdfs(r, who, now, p);
  if (p[0] == "verify") return impl_->verification(r, now, p);
  return std::nullopt;
}

Response DocumentsApi::Impl::exports(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p) {
  if (r.method != "GET") return method_not_allowed();
  std::vector<engine::FieldError> errors;
  auto f = format(r, errors);
  if (p.size() == 3 && p[1] == "notices") {
    if (!errors.empty()) return validation_problem(errors);
    auto n = store.notice(p[2]);
    if (!n) return not_found();
    return table(notice_table(*n, catalog), *f, "notice-" + n->id, false);
  }
  if (p.size() == 3 && p[1] == "decisions") {
    if (!errors.empty()) return validation_problem(errors);
    auto d = store.decision(p[2]);
    if (!d) return not_found();
    return table(decision_table(*d, catalog), *f, "decision", false);
  }
  if (!who.authenticated) return unauthenticated();
  if (p.size() == 2 && p[1] == "nominations") {
    storage::ListQuery q = list_filters(r, errors);
    q.at_office = r.param("at");  // the office holding it now, as on the list page
    // In an export an empty filter means none.
    for (auto* opt : {&q.state, &q.level, &q.category, &q.office, &q.q, &q.at_office}) if (*opt && (*opt)->empty()) opt->reset();
    if (!errors.empty()) return validation_problem(errors);
    auto list = all_nominations(store, q, who.actor);
    return table(nominations_table(list, who.actor, catalog), *f, "nominations", true);
  }
  if (p.size() == 2 && p[1] == "stats") {
    auto year = int_param(r, "year", 2000, 2100, errors);
    std::string office = r.param("office").value_or("");
    if (!office.empty() && !catalog.tree().find(office)) errors.push_back({"office", "unknown jurisdiction"});
    if (!errors.empty()) return validation_problem(errors);
    return table(stats_table(store, year, office.empty() ? std::nullopt : std::optional<std::string>(office)), *f, "statistics", false);
  }
  if (p.size() == 2 && p[1] == "audit-records") {
    storage::AuditRecord use;
    use.at = now;
    use.who = storage::Who{who.actor.user, "auditor", "", who.method, r.client_address};
    use.kind = "audit_access";
    use.action = "audit_export_records";
    use.object_type = "audit";
    use.object_id = r.target.substr(0, 200);
    if (!has_role(who, "auditor")) {
      use.outcome = "denied";
      use.reason = engine::Rejection{engine::Problem::forbidden, "the audit endpoints need the auditor role", {}, {}};
      (void)store.append_record(use);
      return problem(403, "forbidden", "Forbidden", "the audit endpoints need the auditor role (administrators are not auditors)");
    }
    storage::RecordQuery q;
    if (auto v = r.param("from"); v && !v->empty()) {
      if (v->size() > 18 || !std::all_of(v->begin(), v->end(), ::isdigit)) errors.push_back({"from", "must be a record index"});
      else q.from = std::stoll(*v);
    }
    int limit = int_param(r, "limit", 1, 100000, errors).value_or(10000);
    q.nomination = r.param("nomination");
    q.actor = r.param("actor");
    q.action = r.param("action");
    q.outcome = r.param("outcome");
    for (auto* opt : {&q.nomination, &q.actor, &q.action, &q.outcome}) if (*opt && (*opt)->empty()) opt->reset();
    if (!errors.empty()) return validation_problem(errors);
    std::vector<storage::RecordRow> rows;
    while (static_cast<int>(rows.size()) < limit) {
      q.limit = std::min(1000, limit - static_cast<int>(rows.size()));
      auto page = store.records(q);
      if (page.empty()) break;
      q.from = page.back().index + 1;
      for (auto& row : page) rows.push_back(std::move(row));
      if (static_cast<int>(page.size()) < q.limit) break;
    }
    use.outcome = "accepted";
    (void)store.append_record(use);
    return table(audit_table(rows), *f, "audit-records", true);
  }
  return not_found();
}

Response DocumentsApi::Impl::imports(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p) {
  if (!who.authenticated) return unauthenticated();
  std::vector<engine::FieldError> errors;
  if (p.size() == 3 && p[1] == "nominations" && p[2] == "template") {
    if (r.method != "GET") return method_not_allowed();
    auto f = format(r, errors);
    if (!errors.empty()) return validation_problem(errors);
    return table(import_template(catalog), *f, "import-template", false);
  }
  if (p.size() != 2 || p[1] != "nominations") return not_found();
  if (r.method != "POST") return method_not_allowed();
  ImportUpload upload;
  upload.caller = storage::Caller{who.actor, who.method, r.client_address};
  upload.mode = r.param("mode").value_or("all");
  upload.file_name = r.param("filename").value_or("upload").substr(0, 200);
  upload.now = now;
  if (!r.body_file.empty()) {
    std::error_code ec;
    auto size = std::filesystem::file_size(r.body_file, ec);
    if (ec) return problem(503, "unavailable", "Service unavailable", "cannot read the uploaded file");
    upload.path = r.body_file;
    upload.length = size;
  } else {
    upload.memory = r.body;
    upload.length = r.body.size();
  }
  ImportOutcome outcome = import_file(store, upload);
  const ImportPlan& plan = outcome.plan;
  const std::string& sha = outcome.sha256;
  using K = ImportOutcome::Kind;
  auto problems_json = [&] {
    bj::array rows;
    for (const auto& pr : plan.problems) {
      rows.push_back(bj::object{{"row", pr.row}, {"column", pr.column}, {"message", pr.en}, {"message_zh", pr.zh}});
    }
    return rows;
  };
  auto rejected_file = [&]() -> bj::value {
    if (plan.rejected.rows.empty()) return nullptr;
    return bj::object{{"name", "rejected-" + sha.substr(0, 8) + ".csv"}, {"content_type", "text/csv; charset=utf-8"},
                      {"base64", base64(to_csv(plan.rejected))}};
  };
  switch (outcome.kind) {
    case K::forbidden: return problem(403, "forbidden", "Forbidden", "importing nominations needs the nominator role");
    case K::bad_mode: return validation_problem({{"mode", "must be all or valid"}});
    case K::too_large:
      return problem(413, "payload_too_large", "Payload too large", "an import file may hold at most " + std::to_string(outcome.max_file_bytes / (1024 * 1024)) + " MiB");
    case K::empty: return validation_problem({{"body", "the file is empty"}}, "send the CSV or XLSX file as the request body");
    case K::unavailable: return problem(503, "unavailable", "Service unavailable", outcome.stored.error);
    case K::unreadable:
      return problem(422, "validation_failed", "The file cannot be read", outcome.unreadable.en,
                     bj::object{{"detail_zh", outcome.unreadable.zh}, {"errors", bj::array{bj::object{{"field", "file"}, {"message", outcome.unreadable.en}}}},
                                {"file_sha256", sha}});
    case K::refused: {
      bj::array errs;
      for (const auto& pr : plan.problems) {
        errs.push_back(bj::object{{"field", pr.row ? "row " + std::to_string(pr.row) + ": " + pr.column : pr.column}, {"message", pr.en}});
        if (errs.size() >= 1000) break;
      }
      if (plan.problems.empty()) errs.push_back(bj::object{{"field", "file"}, {"message", "no data rows"}});
      return problem(422, "validation_failed", "The import was refused", outcome.refusal_detail(),
                     bj::object{{"errors", errs}, {"rows", problems_json()}, {"rows_in_file", plan.rows}, {"file_sha256", sha},
                                {"rejected_file", rejected_file()}});
    }
    case K::refused_when_written: {
      bj::array errs;
      for (std::size_t i = 0; i < outcome.stored.rows.size(); ++i) {
        const auto& row = outcome.stored.rows[i];
        if (!row.rejection) continue;
        errs.push_back(bj::object{{"field", "row " + std::to_string(plan.command_rows[i])}, {"message", row.rejection->detail}});
      }
      return problem(422, "validation_failed", "The import was refused", outcome.refusal_detail(), bj::object{{"errors", errs}, {"file_sha256", sha}});
    }
    case K::imported: break;
  }
  const auto& result = outcome.stored;
  bj::array created;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    created.push_back(bj::object{{"row", plan.command_rows[i]}, {"id", result.rows[i].nomination->id}});
  }
  return json_response(201, bj::object{{"import_id", result.import_id}, {"imported", result.rows.size()}, {"rows_in_file", plan.rows},
                                       {"file_sha256", sha}, {"audit_index", result.audit_index}, {"nominations", created},
                                       {"rejected", problems_json()}, {"rejected_file", rejected_file()}});
}

Response DocumentsApi::Impl::pdfs(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p) {
  if (r.method != "GET") return method_not_allowed();
  std::expected<std::string, PrintError> pdf = std::unexpected(PrintError{PrintError::Kind::not_found, "no such document"});
  std::string name;
  bool personal = false;
  if (p.size() == 4 && p[1] == "decisions" && p[3] == "decision.pdf") {
    pdf = decision_pdf(store, p[2], now);
    name = "decision.pdf";
  } else if (p.size() == 4 && p[1] == "notices" && p[3] == "notice.pdf") {
    pdf = notice_pdf(store, p[2], now);
    name = "notice-" + p[2] + ".pdf";
  } else if (p.size() == 4 && p[1] == "decisions" && p[3] == "certificates.pdf") {
    if (!who.authenticated) return unauthenticated();
    auto d = store.decision(p[2]);
    if (!d) return not_found();
    bool staff = false;
    for (const char* role : {"approver", "reviewer", "admin"}) staff = staff || engine::holds_over(who.actor, role, d->office, catalog.tree());
    if (!staff) return problem(403, "forbidden", "Forbidden", "printing certificates needs an approver, reviewer or administrator over office " + d->office);
    std::vector<std::string> only;
    if (auto ids = r.param("ids"); ids && !ids->empty()) {
      std::stringstream in(*ids);
      for (std::string id; std::getline(in, id, ',');) if (!id.empty()) only.push_back(id);
      if (only.size() > 5000) return validation_problem({{"ids", "at most 5000 ids"}});
    }
    pdf = certificates_pdf(store, p[2], only, now);
    name = "certificates.pdf";
    personal = true;
  } else {
    return not_found();
  }
  if (!pdf) return print_problem(pdf.error());
  return download(std::move(*pdf), "application/pdf", name, personal);
}

Response DocumentsApi::Impl::verification(const Request& r, engine::Time now, const std::vector<std::string>& p) {
  if (p.size() != 2) return not_found();
  if (r.method != "GET") return method_not_allowed();
  auto v = verify(store, p[1], now);
  if (!v) return problem(404, "not_found", "Not found", "no document carries this verification code");
  bj::object o{{"code", v->code.code}, {"genuine", true}, {"kind", v->code.kind}, {"status", v->status},
               {"document_no", v->document_no}, {"title", v->title}, {"office", v->office}, {"office_name", v->office_name},
               {"audit_index", v->code.audit_index}};
  if (v->code.kind == "notice") o["starts_at"] = engine::format_rfc3339(v->at);
  else o["named_at"] = engine::format_rfc3339(v->at);
  if (v->code.kind == "certificate") {
    o["nomination_id"] = v->code.nomination_id;
    o["nominee"] = bj::object{{"name", v->nominee}, {"category", v->category}, {"category_name", v->category_name}, {"level", v->level}};
    o["valid_until"] = engine::format_rfc3339(v->valid_until);
  } else {
    o["count"] = v->count;
  }
  Response out = json_response(200, o);
  out.set_header("Cache-Control", "no-store");
  return out;
}

}  // namespace laurel::web
