#include "web/cli_documents.h"


#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "storage/attachments.h"
#include "storage/store.h"
#include "web/catalog_files.h"
#include "web/documents_export.h"
#include "web/documents_import.h"
#include "web/documents_print.h"
#include "web/documents_table.h"

namespace laurel::web {
namespace {

using namespace documents;

engine::Time wall_clock() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Opened {
  std::unique_ptr<engine::Catalog> catalog;
  std::unique_ptr<storage::Store> store;
};

std::optional<Opened> open_store(const CommonOptions& o) {
  auto c = load_catalog(o.workflows);
  if (!c) {
    for (const auto& e : c.error()) std::cerr << "error: " << e.to_string() << "\n";
    return std::nullopt;
  }
  Opened out;
  out.catalog = std::make_unique<engine::Catalog>(std::move(*c));
  storage::Options so;
  so.db_path = o.db;
  so.key_path = o.key;
  so.files_dir = o.files;
  auto s = storage::Store::open(so, *out.catalog);
  if (!s) {
    std::cerr << "error: " << s.error().message << "\n";
    return std::nullopt;
  }
  out.store = std::move(*s);
  return out;
}

// The actor named by --as, with its roles; prints why not.
std::optional<engine::Actor> actor_of(storage::Store& store, const std::string& username) {
  if (username.empty()) {
    std::cerr << "error: --as USER is required: the user whose roles decide what may be seen and done\n";
    return std::nullopt;
  }
  auto u = store.user(username);
  if (!u || u->disabled) {
    std::cerr << "error: no active user \"" << username << "\"\n";
    return std::nullopt;
  }
  return engine::Actor{engine::Actor::Kind::person, u->username, u->roles};
}

bool write_file(const std::string& path, const std::string& bytes) {
  if (path == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bool(std::cout);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::cerr << "error: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// --format, else from the output file's extension, else xlsx.
std::optional<Format> format_for(const std::string& format, const std::string& out) {
  std::string f = format;
  if (f.empty()) f = out.ends_with(".csv") ? "csv" : "xlsx";
  auto parsed = parse_format(f);
  if (!parsed) std::cerr << "error: --format must be csv or xlsx, not \"" << f << "\"\n";
  return parsed;
}

int write_table_file(const Table& t, const std::string& format, const std::string& out) {
  auto f = format_for(format, out);
  if (!f) return 2;
  auto bytes = write_table(t, *f);
  if (!bytes) {
    std::cerr << "error: " << bytes.error() << "\n";
    return 1;
  }
  if (!write_file(out, *bytes)) return 1;
  if (out != "-") std::cerr << "wrote " << out << ": " << t.rows.size() << " rows\n";
  return 0;
}

using storage::sha256_hex;

struct Args {
  std::string as, out, format, subject, file, rejected_out, ids, public_url;
  std::string state, level, category, office, q, nomination, actor, action, outcome;
  int year = 0;
  std::int64_t from = 0;
  int limit = 10000;
  bool valid_only = false;
};

int import_nominations(const CommonOptions& common, const Args& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << a.file << "\n";
    return 1;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string bytes = std::move(buf).str();
  auto table = read_table(bytes);
  if (!table) {
    std::cerr << a.file << ": " << table.error().zh << "\n" << a.file << ": " << table.error().en << "\n";
    return 1;
  }
  auto opened = open_store(common);
  if (!opened) return 1;
  auto& store = *opened->store;
  auto actor = actor_of(store, a.as);
  if (!actor) return 1;
  engine::Time now = wall_clock();
  ImportPlan plan = plan_import(*table, store.catalog(), *actor, now);
  for (const auto& p : plan.problems) {
    std::cerr << a.file << ":" << (p.row ? "row " + std::to_string(p.row) + ": " : "") << p.column << ": " << p.zh << " / " << p.en << "\n";
  }
  if (!plan.rejected.rows.empty() && !a.rejected_out.empty()) {
    if (write_file(a.rejected_out, to_csv(plan.rejected))) std::cerr << "rejected rows written to " << a.rejected_out << "\n";
  }
  if (plan.file_problem() || plan.commands.empty() || (!a.valid_only && !plan.problems.empty())) {
    std::cerr << "nothing imported: " << plan.rejected.rows.size() << " of " << plan.rows << " rows have problems"
              << (plan.file_problem() ? " (the columns are not the template's)" : "") << "\n";
    return 1;
  }
  storage::ImportRequest req;
  req.caller = storage::Caller{*actor, "cli", ""};
  req.rows = plan.commands;
  req.file_name = std::filesystem::path(a.file).filename().string();
  req.file_sha256 = sha256_hex(bytes);
  req.rows_in_file = static_cast<std::int64_t>(plan.rows);
  req.now = now;
  auto result = store.import_nominations(std::move(req));
  if (!result.error.empty()) {
    std::cerr << "error: " << result.error << "\n";
    return 1;
  }
  if (!result.accepted) {
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
      if (result.rows[i].rejection) std::cerr << a.file << ":row " << plan.command_rows[i] << ": " << result.rows[i].rejection->detail << "\n";
    }
    std::cerr << "nothing imported\n";
    return 1;
  }
  std::cout << "imported " << result.rows.size() << " of " << plan.rows << " rows as " << result.import_id << " (audit record "
            << result.audit_index << ", file SHA-256 " << sha256_hex(bytes) << "): " << result.rows.front().nomination->id << " … "
            << result.rows.back().nomination->id << "\n";
  return 0;
}

}  // namespace

void add_document_commands(CLI::App& app, CommonOptions& common, int& rc) {
  auto a = std::make_shared<Args>();

  // laurel export …
  auto* exp = app.add_subcommand("export", "Write a list, the statistics, a notice's or a decision's nominees, or audit records as XLSX or CSV");
  exp->require_subcommand(1);
  auto output = [a](CLI::App* c) {
    c->add_option("--out", a->out, "The file to write (- for standard output)")->required();
    c->add_option("--format", a->format, "csv or xlsx (default: from --out's extension, else xlsx)");
  };
  auto* en = exp->add_subcommand("nominations", "The nominations that --as may see, with filters, as the list page shows them");
  add_common_options(*en, common);
  output(en);
  en->add_option("--as", a->as, "The user whose view is exported")->required();
  en->add_option("--state", a->state);
  en->add_option("--level", a->level);
  en->add_option("--category", a->category);
  en->add_option("--office", a->office, "A jurisdiction code: nominations of its subtree");
  en->add_option("--year", a->year);
  en->add_option("--q", a->q, "Full-text search in names and summaries");
  en->callback([a, &common, &rc] {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    auto actor = actor_of(*o->store, a->as);
    if (!actor) { rc = 1; return; }
    storage::ListQuery q;
    auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
    q.state = opt(a->state), q.level = opt(a->level), q.category = opt(a->category), q.office = opt(a->office), q.q = opt(a->q);
    if (a->year) q.year = a->year;
    rc = write_table_file(nominations_table(all_nominations(*o->store, q, *actor), *actor, *o->catalog), a->format, a->out);
  });
  auto* es = exp->add_subcommand("stats", "The statistics table: named and current counts by level and category");
  add_common_options(*es, common);
  output(es);
  es->add_option("--year", a->year);
  es->add_option("--office", a->office);
  es->callback([a, &common, &rc] {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    rc = write_table_file(stats_table(*o->store, a->year ? std::optional<int>(a->year) : std::nullopt,
                                      a->office.empty() ? std::nullopt : std::optional<std::string>(a->office)),
                          a->format, a->out);
  });
  auto* ent = exp->add_subcommand("notice", "A publicity notice's nominees (public facts only)");
  add_common_options(*ent, common);
  output(ent);
  ent->add_option("id", a->subject, "The notice id")->required();
  ent->callback([a, &common, &rc] {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    auto n = o->store->notice(a->subject);
    if (!n) { std::cerr << "error: no notice " << a->subject << "\n"; rc = 1; return; }
    rc = write_table_file(notice_table(*n, *o->catalog), a->format, a->out);
  });
  auto* ed = exp->add_subcommand("decision", "A naming decision's nominees (public facts only)");
  add_common_options(*ed, common);
  output(ed);
  ed->add_option("document_no", a->subject, "The decision's document number (文号)")->required();
  ed->callback([a, &common, &rc] {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    auto d = o->store->decision(a->subject);
    if (!d) { std::cerr << "error: no decision " << a->subject << "\n"; rc = 1; return; }
    rc = write_table_file(decision_table(*d, *o->catalog), a->format, a->out);
  });
  auto* ea = exp->add_subcommand("audit", "Audit records matching a filter (--as an auditor; the export is itself recorded)");
  add_common_options(*ea, common);
  output(ea);
  ea->add_option("--as", a->as, "An auditor")->required();
  ea->add_option("--from", a->from, "The first record index");
  ea->add_option("--limit", a->limit, "At most this many records")->capture_default_str();
  ea->add_option("--nomination", a->nomination);
  ea->add_option("--actor", a->actor);
  ea->add_option("--action", a->action);
  ea->add_option("--outcome", a->outcome, "accepted or denied");
  ea->callback([a, &common, &rc] {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    auto actor = actor_of(*o->store, a->as);
    if (!actor) { rc = 1; return; }
    bool auditor = std::any_of(actor->roles.begin(), actor->roles.end(), [](const engine::RoleGrant& g) { return g.role == "auditor"; });
    storage::AuditRecord use;
    use.at = wall_clock();
    use.who = storage::Who{actor->user, "auditor", "", "cli", ""};
    use.kind = "audit_access";
    use.action = "audit_export_records";
    use.object_type = "audit";
    use.object_id = "cli";
    use.outcome = auditor ? "accepted" : "denied";
    if (!auditor) use.reason = engine::Rejection{engine::Problem::forbidden, "the audit records need the auditor role", {}, {}};
    (void)o->store->append_record(use);
    if (!auditor) { std::cerr << "error: " << a->as << " is not an auditor\n"; rc = 1; return; }
    storage::RecordQuery q;
    q.from = a->from;
    auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
    q.nomination = opt(a->nomination), q.actor = opt(a->actor), q.action = opt(a->action), q.outcome = opt(a->outcome);
    std::vector<storage::RecordRow> rows;
    while (static_cast<int>(rows.size()) < a->limit) {
      q.limit = std::min(1000, a->limit - static_cast<int>(rows.size()));
      auto page = o->store->records(q);
      if (page.empty()) break;
      q.from = page.back().index + 1;
      for (auto& r : page) rows.push_back(std::move(r));
      if (static_cast<int>(page.size()) < q.limit) break;
    }
    rc = write_table_file(audit_table(rows), a->format, a->out);
  });

  // laurel import …
  auto* imp = app.add_subcommand("import", "Import nominations from a CSV or XLSX file (every row checked first; all or nothing)");
  imp->require_subcommand(1);
  auto* it = imp->add_subcommand("template", "Write the empty import template (the header row)");
  it->add_option("--workflows", common.workflows, "The workflows folder")->capture_default_str();
  output(it);
  it->callback([a, &common, &rc] {
    auto c = load_catalog(common.workflows);
    if (!c) {
      for (const auto& e : c.error()) std::cerr << "error: " << e.to_string() << "\n";
      rc = 1;
      return;
    }
    rc = write_table_file(import_template(*c), a->format, a->out);
  });
  auto* in = imp->add_subcommand("nominations", "Create the file's rows as nominations of --as (a nominator); stop the server first");
  add_common_options(*in, common);
  in->add_option("file", a->file, "The CSV (UTF-8) or XLSX file")->required()->check(CLI::ExistingFile);
  in->add_option("--as", a->as, "The nominating user")->required();
  in->add_flag("--valid-only", a->valid_only, "Import the valid rows even when others have problems");
  in->add_option("--rejected-out", a->rejected_out, "Write the rows with problems to this CSV, with a column saying what to fix");
  in->callback([a, &common, &rc] { rc = import_nominations(common, *a); });

  // laurel documents …
  auto* doc = app.add_subcommand("documents", "Print the naming decision, the publicity notice or certificates as PDF; check a code");
  doc->require_subcommand(1);
  auto pdf_cmd = [&](const char* name, const char* help, const char* what) {
    auto* c = doc->add_subcommand(name, help);
    add_common_options(*c, common);
    c->add_option("subject", a->subject, what)->required();
    c->add_option("--out", a->out, "The PDF file to write (- for standard output)")->required();
    c->add_option("--public-url", a->public_url, "The server's public address, printed before /verify/CODE (default: $LAUREL_PUBLIC_URL)");
    return c;
  };
  auto run_pdf = [a, &common, &rc](auto make) {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    PrintOptions po;
    po.public_url = a->public_url;
    auto pdf = make(*o->store, po);
    if (!pdf) { std::cerr << "error: " << pdf.error().message << "\n"; rc = 1; return; }
    rc = write_file(a->out, *pdf) ? 0 : 1;
    if (rc == 0 && a->out != "-") std::cerr << "wrote " << a->out << " (" << pdf->size() << " bytes)\n";
  };
  pdf_cmd("decision", "The naming decision (命名决定) in the official layout", "The document number (文号)")->callback([a, run_pdf] {
    run_pdf([a](storage::Store& s, const PrintOptions& po) { return decision_pdf(s, a->subject, wall_clock(), po); });
  });
  pdf_cmd("notice", "The publicity notice (公示)", "The notice id")->callback([a, run_pdf] {
    run_pdf([a](storage::Store& s, const PrintOptions& po) { return notice_pdf(s, a->subject, wall_clock(), po); });
  });
  auto* cert = pdf_cmd("certificates", "Certificates of a decision's nominations in force, one a page", "The document number (文号)");
  cert->add_option("--ids", a->ids, "Only these nomination ids (comma-separated)");
  cert->callback([a, run_pdf] {
    run_pdf([a](storage::Store& s, const PrintOptions& po) {
      std::vector<std::string> only;
      std::stringstream in(a->ids);
      for (std::string id; std::getline(in, id, ',');) if (!id.empty()) only.push_back(id);
      return certificates_pdf(s, a->subject, only, wall_clock(), po);
    });
  });
  auto* ver = doc->add_subcommand("verify", "What a verification code stands for, and whether the naming is in force");
  add_common_options(*ver, common);
  ver->add_option("code", a->subject, "The code as printed (hyphens optional)")->required();
  ver->callback([a, &common, &rc] {
    auto o = open_store(common);
    if (!o) { rc = 1; return; }
    auto v = verify(*o->store, a->subject, wall_clock());
    if (!v) { std::cout << "not genuine: no document carries the code " << a->subject << "\n"; rc = 1; return; }
    std::cout << "genuine " << v->code.kind << " " << grouped_code(v->code.code) << ": " << v->document_no << " " << v->title << "\n"
              << "office: " << v->office_name << " (" << v->office << ")\n"
              << "at: " << engine::format_rfc3339(v->at) << "\n";
    if (v->code.kind == "certificate") std::cout << "nominee: " << v->nominee << " (" << v->category_name << ")\nvalid until: " << engine::format_rfc3339(v->valid_until) << "\n";
    std::cout << "status: " << v->status << "\naudit record: " << v->code.audit_index << "\n";
    rc = 0;
  });
}

}  // namespace laurel::web
