// The HTTP API of shared/API.md as one function from request to response: authentication (session
// cookies with CSRF, bearer tokens, login throttling), authorisation through the engine, the
// resources, the public notices and objections, statistics, users and quotas, the audit endpoints,
// health, metrics and the dev clock. Handlers are thin: they parse, call the store, render.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "storage/attachments.h"
#include "storage/store.h"
#include "web/clock.h"
#include "web/http.h"

namespace laurel::web {

struct ApiConfig {
  bool dev_clock = false;
  engine::Time session_idle = 30 * 60;          // seconds without use
  engine::Time session_absolute = 12 * 3600;    // seconds since login
  int login_failures_per_account = 5;           // within login_window, then 429
  int login_failures_per_address = 20;
  engine::Time login_window = 15 * 60;
  int objections_per_hour = 10;                 // per client address
  std::int64_t max_json_body = 1024 * 1024;
  std::string version;                          // for laurel_build_info
};

// Who sent a request: a session cookie, a bearer token, or nobody.
struct Identity {
  bool authenticated = false;
  engine::Actor actor = engine::Actor::anonymous_actor();
  std::string method = "anonymous";  // session | token | anonymous
  std::string csrf;                   // the session's CSRF token
  std::string session_token;
};

class Api {
 public:
  Api(storage::Store& store, Clock& clock, ApiConfig config);
  ~Api();
  Response handle(const Request& request);
  // The caller of a request (shared with the pages).
  Identity authenticate(const Request& request);
  // Signs in with a password (throttled, recorded) and returns the new session's cookie header value
  // and CSRF token, or a problem response (401, 429).
  std::expected<std::pair<std::string, std::string>, Response> sign_in(const Request& request, const std::string& username,
                                                                       const std::string& password);
  // Prometheus text for /metrics (also used by the server for its own counters).
  void observe(const Request& request, const Response& response, double seconds);

  const ApiConfig& config() const;
  storage::AttachmentStore& attachments();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace laurel::web
