#include "web/cli_database.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "engine/administration.h"
#include "web/backups.h"
#include "web/catalog_files.h"
#include "web/demo.h"

namespace laurel::web {
namespace {

engine::Time wall_clock() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

storage::Options store_options(const CommonOptions& o) {
  storage::Options s;
  s.db_path = o.db;
  s.key_path = o.key;
  s.files_dir = o.files;
  return s;
}

std::optional<engine::Catalog> catalog_or_print(const CommonOptions& o) {
  auto c = load_catalog(o.workflows);
  if (!c) {
    for (const auto& e : c.error()) std::cerr << "error: " << e.to_string() << "\n";
    return std::nullopt;
  }
  return std::move(*c);
}

std::vector<std::pair<std::string, std::string>> definition_texts(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  engine::LoadErrors ignored;
  for (const auto& f : definition_files(dir)) {
    if (auto text = read_text_file(f, ignored)) out.emplace_back(f.string(), *text);
  }
  return out;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

int do_init(const CommonOptions& o, const engine::Catalog& catalog, bool quiet_if_exists) {
  (void)quiet_if_exists;
  const char* pw = env("LAUREL_ADMIN_PASSWORD");
  auto r = storage::Store::init(store_options(o), catalog, definition_texts(o.workflows), pw ? pw : "", wall_clock());
  if (!r) {
    std::cerr << "error: " << r.error().message << "\n";
    return 1;
  }
  auto so = store_options(o);
  std::cout << "created " << o.db << "\n";
  std::cout << "audit signing key: " << so.key_file() << " (mode 0600; back it up apart from the database)\n";
  std::cout << "attachments folder: " << so.files_folder() << "\n";
  if (!r->empty()) std::cout << "user admin, password (shown once): " << *r << "\n";
  else std::cout << "user admin, password from LAUREL_ADMIN_PASSWORD\n";
  return 0;
}

}  // namespace

void add_common_options(CLI::App& cmd, CommonOptions& o, bool db_required) {
  auto* db = cmd.add_option("--db", o.db, "The database file");
  if (db_required) db->required();
  cmd.add_option("--key", o.key, "The audit signing key file (default: DB.key)");
  cmd.add_option("--files", o.files, "The attachments folder (default: DB.files)");
  cmd.add_option("--workflows", o.workflows, "The workflows folder")->capture_default_str();
}

void add_database_commands(CLI::App& app, CommonOptions& o, int& rc) {
  auto* init = app.add_subcommand("init", "Create a database, its signing key and user admin "
                                          "(password from LAUREL_ADMIN_PASSWORD, or generated and printed once)");
  add_common_options(*init, o);
  init->callback([&] {
    auto catalog = catalog_or_print(o);
    rc = catalog ? do_init(o, *catalog, false) : 1;
  });

  auto* demo = app.add_subcommand("demo", "Create the database if missing and fill it with the seed county's 2018 figures, "
                                          "run through the real workflow; prints the demo users (password from "
                                          "LAUREL_DEMO_PASSWORD, or generated)");
  add_common_options(*demo, o);
  demo->callback([&] {
    auto catalog = catalog_or_print(o);
    if (!catalog) { rc = 1; return; }
    std::error_code ec;
    if (!std::filesystem::exists(o.db, ec)) {
      if (int r = do_init(o, *catalog, true)) { rc = r; return; }
    }
    auto store = storage::Store::open(store_options(o), *catalog);
    if (!store) {
      std::cerr << "error: " << store.error().message << "\n";
      rc = 1;
      return;
    }
    const char* pw = env("LAUREL_DEMO_PASSWORD");
    std::string password = pw ? pw : "demo-" + std::to_string(wall_clock() % 1000000) + "-laurel";
    if (auto bad = engine::check_password(password, "")) {
      std::cerr << "error: LAUREL_DEMO_PASSWORD: " << bad->detail << "\n";
      rc = 1;
      return;
    }
    auto done = run_demo(**store, password, std::cout);
    if (!done) {
      std::cerr << "error: " << done.error() << "\n";
      rc = 1;
      return;
    }
    std::cout << "\ndemo users (password for all: " << password << ")\n";
    for (const auto& u : demo_users()) {
      std::cout << "  " << u.username << std::string(14 - std::min<std::size_t>(14, u.username.size()), ' ') << u.role << " @ "
                << u.jurisdiction << "  " << u.display_name << "\n";
    }
    rc = 0;
  });

  auto* rebuild = app.add_subcommand("rebuild", "Rebuild every projection from the audit log (the server must be stopped)");
  add_common_options(*rebuild, o);
  rebuild->callback([&] {
    auto catalog = catalog_or_print(o);
    if (!catalog) { rc = 1; return; }
    auto r = storage::Store::rebuild(store_options(o), *catalog);
    if (!r) {
      std::cerr << "error: " << r.error().message << "\n";
      rc = 1;
      return;
    }
    std::cout << "rebuilt the projections from " << *r << " records\n";
    rc = 0;
  });

  static std::string to;
  static std::string dir;
  static int keep = 7;
  auto* backup = app.add_subcommand("backup", "Copy a consistent snapshot of the database with SQLite's online backup (safe while the server runs); "
                                              "with --dir, the nightly job: a verified copy, new attachments, the oldest copies beyond --keep removed");
  add_common_options(*backup, o);
  auto* to_opt = backup->add_option("--to", to, "The backup file to create (must not exist)");
  auto* dir_opt = backup->add_option("--dir", dir, "The backup folder: writes DIR/laurel-TIME.db, verifies it with the audit verifier, "
                                                   "copies new attachments to DIR/files/ and records the outcome in DB.last-backup");
  backup->add_option("--keep", keep, "With --dir: how many copies to keep")->capture_default_str()->check(CLI::Range(1, 100000));
  to_opt->excludes(dir_opt);
  backup->callback([&] {
    if (to.empty() == dir.empty()) {
      std::cerr << "error: give either --to FILE (one copy) or --dir DIR (the verified, rotated nightly copy)\n";
      rc = 2;
      return;
    }
    auto so = store_options(o);
    if (!dir.empty()) {
      auto r = run_backup(BackupRun{o.db, so.files_folder(), dir, keep, wall_clock()}, std::cout);
      if (!r) {
        std::cerr << "error: backup: " << r.error() << "\n";
        rc = 1;
        return;
      }
      std::cout << "the signing key (" << so.key_file() << ") is not in the backup: keep its own copy apart from these\n";
      rc = 0;
      return;
    }
    auto r = storage::Store::backup(o.db, to);
    if (!r) {
      std::cerr << "error: " << r.error().message << "\n";
      rc = 1;
      return;
    }
    std::cout << "backed up " << o.db << " to " << to << "\n"
              << "the signing key (" << so.key_file() << ") and the attachments folder ("
              << so.files_folder() << ") are not in the backup: copy them separately\n";
    rc = 0;
  });
}

}  // namespace laurel::web
