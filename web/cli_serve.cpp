#include "web/cli_serve.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <cstdlib>
#include <iostream>
#include <map>

#include "web/api.h"
#include "web/catalog_files.h"
#include "web/log_sink.h"
#include "web/pages.h"
#include "web/proxy.h"
#include "web/server.h"
#include "web/settings.h"
#include "web/systemd_notify.h"
#include "web/upgrade.h"

#ifndef LAUREL_TEMPLATES_DIR
#define LAUREL_TEMPLATES_DIR "web/templates"
#endif
#ifndef LAUREL_STATIC_DIR
#define LAUREL_STATIC_DIR "web/static"
#endif
#ifndef LAUREL_VERSION
#define LAUREL_VERSION "0.0.0"
#endif

namespace laurel::web {
namespace {

namespace fs = std::filesystem;

// Fills the defaults that depend on the installation or on other settings.
void resolve_defaults(ServeSettings& s, const std::string& built_in_workflows) {
  if (s.workflows.empty()) s.workflows = built_in_workflows;
  if (s.templates.empty()) s.templates = data_folder("templates", LAUREL_TEMPLATES_DIR);
  if (s.static_dir.empty()) s.static_dir = data_folder("static", LAUREL_STATIC_DIR);
}

// The files the service needs, checked before anything is opened so that each problem gets its own
// message: a missing or unreadable database, key or folder.
std::vector<std::string> check_files(const ServeSettings& s) {
  std::vector<std::string> errors;
  std::error_code ec;
  storage::Options so;
  so.db_path = s.db;
  so.key_path = s.key;
  so.files_dir = s.files;
  auto db_dir = fs::absolute(s.db, ec).parent_path();
  if (!fs::exists(s.db, ec)) {
    errors.push_back("db: no database at " + s.db + " (create one with `laurel init --db " + s.db + "`, or restore a backup)");
  } else if (::access(s.db.c_str(), R_OK | W_OK) != 0) {
    errors.push_back("db: cannot read and write " + s.db + ": " + std::strerror(errno) + " (the service's user must own the data folder)");
  } else if (::access(db_dir.c_str(), W_OK | X_OK) != 0) {
    errors.push_back("db: the folder " + db_dir.string() + " is not writable: " + std::strerror(errno) +
                     " (SQLite writes its -wal and -shm files beside the database)");
  }
  if (!fs::exists(so.key_file(), ec)) {
    errors.push_back("key: the audit signing key " + so.key_file() + " is missing; restore it from its own backup (it is never in the database backups)");
  } else if (::access(so.key_file().c_str(), R_OK) != 0) {
    errors.push_back("key: cannot read the audit signing key " + so.key_file() + ": " + std::strerror(errno));
  }
  if (fs::exists(s.db, ec) && !fs::is_directory(so.files_folder(), ec)) {
    errors.push_back("files: the attachments folder " + so.files_folder() + " is missing");
  }
  for (auto [name, dir] : {std::pair<const char*, const std::string*>{"workflows", &s.workflows}, {"templates", &s.templates}, {"static", &s.static_dir}}) {
    if (!fs::is_directory(*dir, ec)) errors.push_back(std::string(name) + ": " + *dir + " is not a folder");
  }
  return errors;
}

// The settings from the configuration file (if any) and the command line; false after printing the
// errors.
bool gather(ServeSettings& s, const std::string& config, const std::map<std::string, std::string>& flags, std::ostream& err) {
  std::vector<std::string> errors;
  if (!config.empty()) {
    for (const auto& e : read_config_file(config, s)) errors.push_back(e.to_string());
  }
  for (const auto& [name, value] : flags) {
    const auto& table = serve_settings();
    auto it = std::find_if(table.begin(), table.end(), [&](const SettingInfo& i) { return i.name == name; });
    if (auto bad = it->set(s, value)) errors.push_back("--" + name + ": " + *bad);
  }
  for (auto& e : check_settings(s)) errors.push_back((config.empty() ? "" : config + ": ") + e);
  for (const auto& e : errors) err << "error: " << e << "\n";
  return errors.empty();
}

engine::Time wall_clock() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void add_serve_command(CLI::App& app, CommonOptions& o, int& rc) {
  static std::string config;
  static std::map<std::string, std::string> given;  // flags given on the command line
  static std::map<std::string, std::string> values;
  static std::map<std::string, bool> flags;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API and pages");
  serve->add_option("--config", config, "Read settings from this file (`name = value` lines, the names of the flags below; see deploy/laurel.conf)");
  for (const auto& info : serve_settings()) {
    std::string help = info.purpose + " [" + info.unit + "; default " + info.default_value + "]";
    if (info.is_flag) serve->add_flag("--" + info.name, flags[info.name], help);
    else serve->add_option("--" + info.name, values[info.name], help);
  }
  serve->callback([&o, &rc, serve] {
    // Log lines are formatted by the thread that logs them and written by one background thread in
    // batches (web/log_sink.h), so a request never waits on stderr nor wakes a thread per line; a
    // logger blocks rather than drop a line when too much is waiting.
    auto logger = std::make_shared<spdlog::logger>("laurel", std::make_shared<BatchingFdSink>(STDERR_FILENO));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
    // Every queued line is written before this returns, whichever way it returns.
    struct FlushLog {
      ~FlushLog() { spdlog::shutdown(); }
    } flush_log;

    for (const auto& info : serve_settings()) {
      if (serve->count("--" + info.name) == 0) continue;
      given[info.name] = info.is_flag ? (flags[info.name] ? "true" : "false") : values[info.name];
    }
    ServeSettings s;
    if (!gather(s, config, given, std::cerr)) {
      rc = 2;
      return;
    }
    resolve_defaults(s, o.workflows);
    if (auto errors = check_files(s); !errors.empty()) {
      for (const auto& e : errors) std::cerr << "error: " << e << "\n";
      rc = 1;
      return;
    }
    auto listen = *parse_listen(s.listen);
    auto proxies = *TrustedProxies::parse(s.trusted_proxies);
    std::string public_url = s.public_url.empty() ? "" : *parse_public_url(s.public_url);
    // Printed documents (web/documents_print.h) put the same address before /verify/CODE. Set before
    // any thread starts.
    if (!public_url.empty()) ::setenv("LAUREL_PUBLIC_URL", public_url.c_str(), 1);

    auto catalog = load_catalog(s.workflows);
    if (!catalog) {
      for (const auto& e : catalog.error()) std::cerr << "error: " << e.to_string() << "\n";
      rc = 1;
      return;
    }
    auto plan = prepare_upgrade(s.db, s.backup_before_migrate, wall_clock());
    if (!plan) {
      std::cerr << "error: " << plan.error() << "\n";
      rc = 1;
      return;
    }
    if (plan->found < plan->latest) {
      spdlog::info(R"({{"event":"migrating","from":{},"to":{},"backup":"{}"}})", plan->found, plan->latest, plan->backup);
    }
    storage::Options so;
    so.db_path = s.db;
    so.key_path = s.key;
    so.files_dir = s.files;
    so.max_attachment_bytes = static_cast<std::int64_t>(s.upload_limit);
    auto store = storage::Store::open(so, *catalog);
    if (!store) {
      std::cerr << "error: " << store.error().message << "\n";
      if (!plan->backup.empty()) std::cerr << "the database as it was before this start is in " << plan->backup << "\n";
      rc = 1;
      return;
    }
    if (plan->found < plan->latest) {
      spdlog::info(R"({{"event":"migrated","from":{},"to":{}}})", plan->found, plan->latest);
    }
    Clock clock;
    ApiConfig ac;
    ac.dev_clock = s.dev_clock;
    ac.session_idle = s.session_idle * 60;
    ac.session_absolute = static_cast<engine::Time>(s.session_lifetime) * 3600;
    ac.objections_per_hour = s.objections_per_hour;
    ac.max_json_body = static_cast<std::int64_t>(s.body_limit);
    ac.version = LAUREL_VERSION;
    {
      int year = static_cast<int>(catalog->calendar().local_date(clock.now()).time_since_epoch().count() / 365 + 1970);
      for (int y : {year, year + 1}) {
        if (!catalog->calendar().covers(y)) {
          spdlog::warn(R"({{"event":"calendar","message":"no holiday data for {}: publicity windows that year skip weekends only; add the State Council schedule to workflows/holidays.json"}})", y);
        }
      }
    }
    Api api(**store, clock, ac);
    ServerConfig sc;
    sc.address = listen.host;
    sc.port = listen.port;
    sc.body_limit = s.body_limit;
    sc.upload_limit = s.upload_limit;
    sc.header_timeout = std::chrono::seconds(s.header_timeout);
    sc.body_timeout = std::chrono::seconds(s.body_timeout);
    sc.idle_timeout = std::chrono::seconds(s.idle_timeout);
    sc.workers = std::max(1, s.workers);
    sc.io_threads = std::max(1, s.io_threads);
    sc.proxies = proxies;
    sc.tls_default = public_url.starts_with("https://");
    sc.upload_dir = so.files_folder();
    Server server(api, **store, clock, sc);
    PagesConfig pc;
    pc.templates_dir = s.templates;
    pc.static_dir = s.static_dir;
    pc.public_url = public_url;
    std::unique_ptr<Pages> pages;
    try {
      pages = std::make_unique<Pages>(**store, api, clock, pc);
    } catch (const std::exception& e) {
      std::cerr << "error: templates: " << e.what() << "\n";
      rc = 1;
      return;
    }
    server.set_pages([&pages](const Request& r) { return pages->handle(r); });
    auto bound = server.listen();
    if (!bound) {
      std::cerr << "error: listen: " << bound.error() << "\n";
      rc = 1;
      return;
    }
    std::cout << "listening on http://" << *bound << std::endl;
    spdlog::info(R"({{"event":"listening","address":"{}","dev_clock":{},"version":"{}"}})", *bound, s.dev_clock, LAUREL_VERSION);
    notify_systemd("READY=1\nSTATUS=listening on " + *bound + "\nMAINPID=" + std::to_string(::getpid()));
    server.run();
    spdlog::info("{}", R"({"event":"stopped"})");
    rc = 0;
  });
}

void add_config_command(CLI::App& app, const std::string& built_in_workflows, int& rc) {
  static std::string file;
  static std::string workflows;
  workflows = built_in_workflows;
  auto* config = app.add_subcommand("config", "Work with the configuration file of `laurel serve`");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate a configuration file: every name and value, and that the files it names exist and can be read");
  check->add_option("file", file, "The configuration file")->required();
  auto* list = config->add_subcommand("settings", "List every setting with its default, unit and purpose");
  check->callback([&rc] {
    ServeSettings s;
    std::vector<std::string> errors;
    for (const auto& e : read_config_file(file, s)) errors.push_back(e.to_string());
    for (auto& e : check_settings(s)) errors.push_back(file + ": " + e);
    if (errors.empty()) {
      resolve_defaults(s, workflows);
      for (auto& e : check_files(s)) errors.push_back(file + ": " + e);
    }
    for (const auto& e : errors) std::cerr << "error: " << e << "\n";
    if (errors.empty()) std::cout << file << ": ok\n";
    rc = errors.empty() ? 0 : 1;
  });
  list->callback([&rc] {
    for (const auto& i : serve_settings()) {
      std::cout << i.name << " = " << i.default_value << "\n    " << i.unit << ". " << i.purpose << "\n";
    }
    rc = 0;
  });
}

}  // namespace laurel::web
