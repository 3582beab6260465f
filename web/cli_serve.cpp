#include "web/cli_serve.h"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "web/api.h"
#include "web/catalog_files.h"
#include "web/pages.h"
#include "web/server.h"

namespace laurel::web {

void add_serve_command(CLI::App& app, CommonOptions& o, int& rc) {
  struct Settings {
    std::string listen = "127.0.0.1:8080";
    bool dev_clock = false;
    std::size_t body_limit = 1024 * 1024;
    std::size_t upload_limit = 20 * 1024 * 1024;
    int session_idle_minutes = 30;
    int session_hours = 12;
    int header_timeout = 10;
    int body_timeout = 120;
    int idle_timeout = 60;
    int workers = 64;
    int io_threads = 2;
    bool trust_proxy = false;
    int objections_per_hour = 10;
  };
  static Settings s;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API and pages");
  add_common_options(*serve, o);
  serve->set_config("--config", "", "Read settings from this file (key = value, same names as the flags)");
  serve->add_option("--listen", s.listen, "Address and port to listen on; port 0 picks a free port")->capture_default_str();
  serve->add_flag("--dev-clock", s.dev_clock, "Enable POST /api/v1/dev/clock to move the clock forward (never in production)");
  serve->add_option("--body-limit", s.body_limit, "Largest JSON or form body, bytes")->capture_default_str();
  serve->add_option("--upload-limit", s.upload_limit, "Largest attachment, bytes")->capture_default_str();
  serve->add_option("--session-idle", s.session_idle_minutes, "Minutes without use after which a session ends")->capture_default_str();
  serve->add_option("--session-lifetime", s.session_hours, "Hours after sign-in after which a session ends")->capture_default_str();
  serve->add_option("--header-timeout", s.header_timeout, "Seconds to receive a request's headers")->capture_default_str();
  serve->add_option("--body-timeout", s.body_timeout, "Seconds to receive a request's body")->capture_default_str();
  serve->add_option("--idle-timeout", s.idle_timeout, "Seconds a kept-alive connection may stay idle")->capture_default_str();
  serve->add_option("--workers", s.workers, "Handler threads (a durable command holds one while it commits)")->capture_default_str();
  serve->add_option("--io-threads", s.io_threads, "Network threads")->capture_default_str();
  serve->add_flag("--trust-proxy", s.trust_proxy, "Trust X-Forwarded-For/-Proto from a reverse proxy on loopback");
  serve->add_option("--objections-per-hour", s.objections_per_hour, "Public objections allowed per client address per hour")->capture_default_str();
  serve->callback([&] {
    // Log lines are formatted by the thread that logs them and written by one background thread, so
    // a request never waits on stderr; the queue blocks rather than drop a line when it is full.
    spdlog::init_thread_pool(8192, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::async_logger>("laurel", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::block);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);

    auto colon = s.listen.rfind(':');
    if (colon == std::string::npos) {
      std::cerr << "error: --listen must be ADDRESS:PORT, not \"" << s.listen << "\"\n";
      rc = 2;
      return;
    }
    std::string host = s.listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    int port = -1;
    try { port = std::stoi(s.listen.substr(colon + 1)); } catch (...) {}
    if (port < 0 || port > 65535) {
      std::cerr << "error: --listen: bad port in \"" << s.listen << "\"\n";
      rc = 2;
      return;
    }
    auto catalog = load_catalog(o.workflows);
    if (!catalog) {
      for (const auto& e : catalog.error()) std::cerr << "error: " << e.to_string() << "\n";
      rc = 1;
      return;
    }
    storage::Options so;
    so.db_path = o.db;
    so.key_path = o.key;
    so.files_dir = o.files;
    so.max_attachment_bytes = static_cast<std::int64_t>(s.upload_limit);
    auto store = storage::Store::open(so, *catalog);
    if (!store) {
      std::cerr << "error: " << store.error().message << "\n";
      rc = 1;
      return;
    }
    Clock clock;
    ApiConfig ac;
    ac.dev_clock = s.dev_clock;
    ac.session_idle = s.session_idle_minutes * 60;
    ac.session_absolute = static_cast<engine::Time>(s.session_hours) * 3600;
    ac.objections_per_hour = s.objections_per_hour;
    ac.max_json_body = static_cast<std::int64_t>(s.body_limit);
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
    sc.address = host;
    sc.port = static_cast<unsigned short>(port);
    sc.body_limit = s.body_limit;
    sc.upload_limit = s.upload_limit;
    sc.header_timeout = std::chrono::seconds(s.header_timeout);
    sc.body_timeout = std::chrono::seconds(s.body_timeout);
    sc.idle_timeout = std::chrono::seconds(s.idle_timeout);
    sc.workers = std::max(1, s.workers);
    sc.io_threads = std::max(1, s.io_threads);
    sc.trust_proxy = s.trust_proxy;
    sc.upload_dir = so.files_folder();
    Server server(api, **store, clock, sc);
    Pages pages(**store, api, clock);  // the HTML pages; throws naming a missing or broken template
    server.set_pages([&pages](const Request& r) { return pages.handle(r); });
    auto bound = server.listen();
    if (!bound) {
      std::cerr << "error: " << bound.error() << "\n";
      rc = 1;
      return;
    }
    std::cout << "listening on http://" << *bound << std::endl;
    spdlog::info(R"({{"event":"listening","address":"{}","dev_clock":{}}})", *bound, s.dev_clock);
    server.run();
    spdlog::info("{}", R"({"event":"stopped"})");
    spdlog::shutdown();  // writes every queued line before the process ends
    rc = 0;
  });
}

}  // namespace laurel::web
