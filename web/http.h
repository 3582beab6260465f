// The HTTP request and response as the handlers see them: plain structs with no Beast types, so that
// handlers are functions from request to response that never touch a socket, compile quickly, and
// are tested without a network. The server (server.cpp) converts to and from Beast's messages.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace laurel::web {

struct Request {
  std::string method;  // GET, POST, …
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path
  std::map<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string client_address;  // the peer, or the trusted proxy's X-Forwarded-For
  bool secure = false;         // served over TLS (directly or by the trusted proxy)
  std::string request_id;
  // When set, the body was streamed to this file instead of `body` (attachments).
  std::string body_file;
  // The body was larger than the limit and was not read (`body` is empty): the handler answers 413.
  bool body_over_limit = false;

  std::string header(std::string_view name) const;
  std::optional<std::string> param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is this file's contents (attachments), sent without loading it whole.
  std::string file;
  // Filled by the router for the log line.
  std::string user;
  std::string route;

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// The non-empty segments of a path: "/api/v1/x" → {"api", "v1", "x"}.
std::vector<std::string> split_path(std::string_view path);
// The value of cookie `name` in a Cookie header, or "" when absent.
std::string cookie_value(std::string_view header, std::string_view name);

// Splits a request target into its decoded path and query parameters; false on malformed escapes.
bool parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query);

}  // namespace laurel::web
