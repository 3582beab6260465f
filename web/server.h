// The HTTP server: Boost.Beast in the shape of Beast's advanced server example. A listener accepts;
// each connection is one session object on its own strand that lives as long as an operation holds
// it; a fresh parser per request with a body limit (larger, and streamed to a file, for attachment
// uploads); timeouts on every read and write; keep-alive; handlers run on a worker pool so that a
// durable command never blocks the network threads; one request at a time per connection. SIGINT and
// SIGTERM stop accepting, let the requests in flight finish, and return from run().
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "web/api.h"
#include "web/proxy.h"

namespace laurel::web {

struct ServerConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::size_t body_limit = 1024 * 1024;           // JSON and forms
  std::size_t upload_limit = 20 * 1024 * 1024;    // attachments
  std::chrono::seconds header_timeout{10};        // to receive a request's headers
  std::chrono::seconds body_timeout{120};         // to receive its body
  std::chrono::seconds idle_timeout{60};          // keep-alive between requests
  int io_threads = 2;
  int workers = 64;
  TrustedProxies proxies;                         // peers whose Forwarded / X-Forwarded-* headers are believed
  bool tls_default = false;                       // every request counts as secure (the public URL is https)
  std::string upload_dir;                         // where uploads are streamed (the attachments folder)
};

class Server {
 public:
  Server(Api& api, storage::Store& store, Clock& clock, ServerConfig config);
  ~Server();
  // Binds and listens; returns the bound address ("127.0.0.1:PORT").
  std::expected<std::string, std::string> listen();
  // Requests outside /api/, /healthz and /metrics go to `pages` (the HTML pages) when set.
  void set_pages(std::function<Response(const Request&)> pages);
  // Serves until a signal (or stop()); returns after the requests in flight are answered.
  void run();
  void stop();

  struct Impl;  // defined in server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace laurel::web
