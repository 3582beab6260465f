#include "web/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "web/systemd_notify.h"

#include <array>
#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

namespace laurel::web {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') { out.push_back('\\'); out.push_back(c); }
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out.push_back(c);
  }
  return out;
}

// 16 hex digits that tell requests apart in the log: a per-thread counter from a random start,
// mixed (splitmix64), so that ids do not collide across threads or restarts. Not secret: no system
// call per request (libsodium's randombytes_buf was a getrandom(2) each).
std::string new_request_id() {
  thread_local std::uint64_t state = [] {
    std::uint64_t seed;
    randombytes_buf(&seed, sizeof seed);
    return seed;
  }();
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  static const char* hex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) out[static_cast<std::size_t>(i)] = hex[z & 15];
  return out;
}

// The page forms that post a file without JavaScript, as a multipart/form-data body (web/multipart.h)
// around it: a material (POST /nominations/{id}/materials) and a spreadsheet to import (POST
// /nominations/import).
bool is_file_form(const Request& r) {
  auto p = split_path(r.path);
  if (r.method != "POST" || p.empty() || p[0] != "nominations") return false;
  return (p.size() == 3 && p[2] == "materials") || (p.size() == 2 && p[1] == "import");
}

bool is_upload(const Request& r) {
  if (r.method == "POST" && r.path == "/api/v1/imports/nominations") return true;  // spreadsheets (web/documents_api.h)
  if (is_file_form(r)) return true;
  return r.method == "POST" && r.path.size() > 12 && r.path.ends_with("/attachments") && r.path.starts_with("/api/v1/nominations/");
}

// Room for the form's fields and part headers around a file of the upload limit; the file itself is
// held to the limit when it is stored (storage/attachments.h).
constexpr std::size_t kFormEnvelope = 64 * 1024;

bool is_api(std::string_view path) { return path.starts_with("/api/") || path == "/healthz" || path == "/metrics"; }

}  // namespace

struct Server::Impl {
  Impl(Api& a, storage::Store& s, Clock& c, ServerConfig cfg)
      : api(a), store(s), clock(c), config(std::move(cfg)), ioc(config.io_threads), workers(static_cast<std::size_t>(config.workers)),
        acceptor(net::make_strand(ioc)), signals(ioc, SIGINT, SIGTERM), timer(net::make_strand(ioc)) {}

  Api& api;
  storage::Store& store;
  Clock& clock;
  ServerConfig config;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer timer;  // on its own strand: schedule_timers runs there
  // Keeps run() running until shutdown() has let the handlers in flight finish (not merely until the
  // io_context runs out of work), so that the server is not destroyed under the stopping thread.
  net::executor_work_guard<net::io_context::executor_type> guard{ioc.get_executor()};
  std::thread stopper;  // joined by run()
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> firing{false};
  std::function<Response(const Request&)> pages;

  void accept();
  void schedule_timers(std::optional<engine::Time> due);
  void fire_timers();
  void shutdown();
};

// One connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {}

  void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read_header, shared_from_this())); }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Server::Impl& server_;
  std::optional<http::request_parser<http::empty_body>> header_;
  std::optional<http::request_parser<http::string_body>> body_;
  std::optional<http::request_parser<http::file_body>> file_;
  std::string upload_path_;
  std::optional<std::string> peer_;  // the peer's address, read on the first request
  bool first_ = true;
  std::uint64_t unread_ = 0;  // of a refused body: drained after the answer (see drain)

  void read_header() {
    header_.emplace();
    header_->header_limit(16 * 1024);
    header_->body_limit(boost::none);  // the limit is checked in on_header, per kind of request
    body_.reset();
    file_.reset();
    stream_.expires_after(first_ ? server_.config.header_timeout : server_.config.idle_timeout);
    first_ = false;
    http::async_read_header(stream_, buffer_, *header_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return close();
    const auto& h = header_->get();
    std::string target(h.target());
    Request probe;
    probe.method = std::string(h.method_string());
    parse_target(target, probe.path, probe.query);
    stream_.expires_after(server_.config.body_timeout);
    bool upload = is_upload(probe) && !server_.config.upload_dir.empty();
    std::size_t limit = upload ? server_.config.upload_limit + (is_file_form(probe) ? kFormEnvelope : 0) : server_.config.body_limit;
    if (auto length = header_->content_length(); length && *length > limit) {
      unread_ = *length;
      return refuse_too_large(h);
    }
    if (upload) {
      file_.emplace(std::move(*header_));
      file_->body_limit(limit);
      unsigned char rnd[8];
      randombytes_buf(rnd, sizeof rnd);
      char name[40];
      std::snprintf(name, sizeof name, ".incoming-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
      upload_path_ = (std::filesystem::path(server_.config.upload_dir) / name).string();
      beast::error_code fec;
      file_->get().body().open(upload_path_.c_str(), beast::file_mode::write_new, fec);
      if (fec) return respond_error(500, "internal", "cannot store the upload");
      http::async_read(stream_, buffer_, *file_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
    } else {
      body_.emplace(std::move(*header_));
      body_->body_limit(server_.config.body_limit);
      http::async_read(stream_, buffer_, *body_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
    }
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
      remove_upload();
      unread_ = server_.config.upload_limit;  // unknown (chunked): drain up to another limit's worth
      if (file_) return refuse_too_large(file_->get());
      return refuse_too_large(body_->get());
    }
    if (ec) {
      remove_upload();
      return close();
    }
    Request req;
    bool keep_alive = false;
    unsigned version = 11;
    if (file_) {
      fill(req, file_->get(), keep_alive, version);
      file_->get().body().close();
      req.body_file = upload_path_;
    } else {
      fill(req, body_->get(), keep_alive, version);
      req.body = std::move(body_->get().body());
    }
    if (!parse_target(req.target, req.path, req.query)) {
      remove_upload();
      return respond_error(400, "bad_request", "the request target is malformed");
    }
    dispatch(std::move(req), keep_alive, version);
  }

  template <class Message>
  static void fill(Request& req, const Message& msg, bool& keep_alive, unsigned& version) {
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    keep_alive = msg.keep_alive();
    version = msg.version();
  }

  // A body over the limit, not read: the API answers with its problem document; a page request goes
  // to the pages (without its body) so that the person sees why, in their language. The connection
  // closes after the answer.
  template <class Message>
  void refuse_too_large(const Message& msg) {
    Request req;
    bool keep_alive = false;
    unsigned version = 11;
    fill(req, msg, keep_alive, version);
    if (!server_.pages || !parse_target(req.target, req.path, req.query) || is_api(req.path)) {
      return respond_error(413, "payload_too_large", "the request body is larger than the limit");
    }
    req.body_over_limit = true;
    dispatch(std::move(req), false, version);
  }

  void dispatch(Request req, bool keep_alive, unsigned version) {
    if (!peer_) {  // once a connection: getpeername(2) was a system call per request
      beast::error_code pec;
      auto peer = stream_.socket().remote_endpoint(pec);
      peer_ = pec ? std::string() : peer.address().to_string();
    }
    apply_forwarding(req, *peer_, server_.config.proxies, server_.config.tls_default);
    req.request_id = req.header("x-request-id").empty() || req.header("x-request-id").size() > 64 ? new_request_id() : req.header("x-request-id");
    stream_.expires_never();
    server_.in_flight += 1;
    // A command may block on its durable commit: it runs on the worker pool and answers on our
    // strand. Quick reads run right here on the network thread: handing every GET to another thread
    // and back cost two thread switches each, more than the read itself.
    const bool quick = runs_inline(req);
    auto work = [self = shared_from_this(), req = std::move(req), keep_alive, version]() mutable {
      self->handle(std::move(req), keep_alive, version);
    };
    if (quick) {
      work();
    } else {
      net::post(server_.workers, std::move(work));
    }
  }

  static bool runs_inline(const Request& req) {
    if (req.method != "GET" && req.method != "HEAD") return false;
    if (req.path == "/healthz" || req.path == "/metrics" || req.path.starts_with("/static/")) return true;
    // Audit reads and exports can be long; they keep to the workers.
    return req.path.starts_with("/api/v1/") && !req.path.starts_with("/api/v1/audit") && req.path.find("export") == std::string::npos;
  }

  void handle(Request req, bool keep_alive, unsigned version) {
    auto started = std::chrono::steady_clock::now();
    Response resp;
    try {
      resp = is_api(req.path) || !server_.pages ? server_.api.handle(req) : server_.pages(req);
    } catch (const std::exception& e) {
      spdlog::error(R"({{"request_id":"{}","error":"{}"}})", req.request_id, json_escape(e.what()));
      resp = Response{};
      resp.status = 500;
      resp.content_type = "application/problem+json";
      resp.body = R"({"type":"/problems/internal","title":"Internal error","status":500,"code":"internal","detail":"the server failed; the request id is in the log"})";
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    server_.api.observe(req, resp, seconds);
    spdlog::info(R"({{"time":"{}","request_id":"{}","user":"{}","method":"{}","route":"{}","status":{},"duration_ms":{:.3f}}})",
                 engine::format_rfc3339(std::time(nullptr)), req.request_id, json_escape(resp.user), req.method,
                 json_escape(resp.route), resp.status, seconds * 1000);
    if (resp.route == "dev" && req.method == "POST" && resp.status == 200) {
      // The dev clock moved: the armed timer waits for the old time; arm it again.
      auto& server = server_;
      net::post(server.timer.get_executor(), [&server] { server.schedule_timers(server.store.next_due()); });
    }
    if (!req.body_file.empty()) {
      std::error_code rec;
      std::filesystem::remove(req.body_file, rec);
    }
    // On our strand already (an inline read) this writes at once; from a worker it is queued there.
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), resp = std::move(resp), keep_alive, version, id = req.request_id]() mutable {
      self->server_.in_flight -= 1;
      self->write(std::move(resp), keep_alive && !self->server_.stopping, version, id);
    });
  }

  void remove_upload() {
    if (!upload_path_.empty()) {
      if (file_) file_->get().body().close();
      std::error_code ec;
      std::filesystem::remove(upload_path_, ec);
      upload_path_.clear();
    }
  }

  void write(Response resp, bool keep_alive, unsigned version, const std::string& request_id) {
    auto set_common = [&](auto& msg) {
      msg.set(http::field::server, "Laurel");
      msg.set(http::field::content_type, resp.content_type);
      msg.set("X-Request-Id", request_id);
      msg.set("X-Content-Type-Options", "nosniff");
      msg.set("Referrer-Policy", "same-origin");
      msg.set(http::field::cache_control, "no-store");
      for (const auto& [k, v] : resp.headers) {
        if (k == "Cache-Control") msg.set(http::field::cache_control, v);
        else msg.insert(k, v);
      }
      msg.keep_alive(keep_alive);
    };
    if (!resp.file.empty()) {
      http::response<http::file_body> msg{static_cast<http::status>(resp.status), version};
      beast::error_code ec;
      msg.body().open(resp.file.c_str(), beast::file_mode::scan, ec);
      if (!ec) {
        set_common(msg);
        msg.prepare_payload();
        send(http::message_generator(std::move(msg)), keep_alive);
        return;
      }
      resp.status = 503;
      resp.file.clear();
      resp.content_type = "application/problem+json";
      resp.body = R"({"type":"/problems/unavailable","title":"Service unavailable","status":503,"code":"unavailable","detail":"the file cannot be read"})";
    }
    http::response<http::string_body> msg{static_cast<http::status>(resp.status), version};
    set_common(msg);
    msg.body() = std::move(resp.body);
    msg.prepare_payload();
    send(http::message_generator(std::move(msg)), keep_alive);
  }

  void respond_error(int status, const char* code, const char* detail) {
    Response r;
    r.status = status;
    r.content_type = "application/problem+json";
    r.body = std::string(R"({"type":"/problems/)") + code + R"(","title":")" + detail + R"(","status":)" + std::to_string(status) +
             R"(,"code":")" + code + R"(","detail":")" + detail + R"("})";
    write(std::move(r), false, 11, new_request_id());
  }

  void send(http::message_generator msg, bool keep_alive) {
    stream_.expires_after(std::chrono::seconds(60));
    beast::async_write(stream_, std::move(msg), [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec || !keep_alive) return self->close();
      self->read_header();
    });
  }

  void close() {
    remove_upload();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (unread_ > 0) {
      // The client may still be sending the body we refused. Closing now would reset the
      // connection, and a browser then shows "connection reset" instead of our answer; so read and
      // drop what it sends for a bounded time and amount first.
      unread_ = std::min<std::uint64_t>(unread_, 2 * static_cast<std::uint64_t>(server_.config.upload_limit));
      stream_.expires_after(std::chrono::seconds(10));
      drain(std::make_shared<std::array<char, 16384>>());
    }
  }

  void drain(std::shared_ptr<std::array<char, 16384>> scratch) {
    stream_.async_read_some(net::buffer(*scratch), [self = shared_from_this(), scratch](beast::error_code ec, std::size_t n) {
      if (ec || n >= self->unread_) return;
      self->unread_ -= n;
      self->drain(scratch);
    });
  }
};

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      // Responses go out as header and body writes: without TCP_NODELAY the body waits for the
      // client's delayed ACK of the header, 40 ms on Linux, which capped a connection at ~25 req/s.
      beast::error_code opt;
      socket.set_option(tcp::no_delay(true), opt);
      std::make_shared<Session>(std::move(socket), *this)->run();
    }
    accept();
  });
}

void Server::Impl::schedule_timers(std::optional<engine::Time> due) {
  if (stopping) return;
  if (!due) {
    timer.cancel();
    return;
  }
  engine::Time wait = std::max<engine::Time>(0, *due - clock.now());
  timer.expires_after(std::chrono::seconds(std::min<engine::Time>(wait, 3600)));
  timer.async_wait([this](beast::error_code ec) {
    if (ec || stopping) return;
    fire_timers();
  });
}

void Server::Impl::fire_timers() {
  if (firing.exchange(true)) return;
  net::post(workers, [this] {
    try {
      while (store.fire_due_timers(clock.now()) > 0) {
      }
    } catch (const std::exception& e) {
      spdlog::error(R"({{"timers":"failed","error":"{}"}})", json_escape(e.what()));
    }
    firing = false;
    net::post(timer.get_executor(), [this] { schedule_timers(store.next_due()); });
  });
}

void Server::Impl::shutdown() {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  acceptor.close(ec);
  net::post(timer.get_executor(), [this] { timer.cancel(); });
  spdlog::info(R"({{"event":"stopping","in_flight":{}}})", in_flight.load());
  notify_systemd("STOPPING=1");
  // Let the handlers in flight finish (their commands commit), then stop the network threads.
  stopper = std::thread([this] {
    workers.join();
    for (int i = 0; i < 200 && in_flight > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    guard.reset();
    ioc.stop();
  });
}

Server::Server(Api& api, storage::Store& store, Clock& clock, ServerConfig config)
    : impl_(std::make_unique<Impl>(api, store, clock, std::move(config))) {}

Server::~Server() = default;

std::expected<std::string, std::string> Server::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->config.address, ec);
  if (ec) return std::unexpected("--listen: \"" + impl_->config.address + "\" is not an IP address");
  tcp::endpoint ep{address, impl_->config.port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (ec) {
    std::string hint = ec == net::error::address_in_use ? " (another program, or another laurel, holds this port: stop it or choose another `listen`)"
                       : ec == net::error::access_denied ? " (ports below 1024 need privileges: listen on a high port behind the proxy)"
                       : ec == boost::system::errc::address_not_available ? " (no interface of this machine has that address)"
                       : "";
    return std::unexpected("cannot listen on " + impl_->config.address + ":" + std::to_string(impl_->config.port) + ": " + ec.message() + hint);
  }
  a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("cannot listen: " + ec.message());
  auto bound = a.local_endpoint();
  std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  return host + ":" + std::to_string(bound.port());
}

void Server::run() {
  auto& i = *impl_;
  i.signals.async_wait([&i](beast::error_code, int) { i.shutdown(); });
  i.store.on_commit([&i](std::optional<engine::Time> due) { net::post(i.timer.get_executor(), [&i, due] { i.schedule_timers(due); }); });
  i.accept();
  // Timers that fell due while the server was down fire now.
  net::post(i.ioc, [&i] { i.fire_timers(); });
  std::vector<std::thread> threads;
  for (int t = 1; t < i.config.io_threads; ++t) threads.emplace_back([&i] { i.ioc.run(); });
  i.ioc.run();
  for (auto& t : threads) t.join();
  if (i.stopper.joinable()) i.stopper.join();
  i.store.on_commit({});
}

void Server::set_pages(std::function<Response(const Request&)> pages) { impl_->pages = std::move(pages); }

void Server::stop() {
  net::post(impl_->ioc, [this] { impl_->shutdown(); });
}

}  // namespace laurel::web
