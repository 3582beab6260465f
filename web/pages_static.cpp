// The static files of the pages (/static/*: the style sheet, the script, the icon), served from the
// static folder with their content type and caching headers. Only plain file names inside that folder
// are served: no "..", no hidden files, nothing outside it (also not through a symbolic link).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "web/site.h"

namespace laurel::web {

namespace {

std::string_view content_type(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext; };
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".woff2")) return "font/woff2";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return {};
}

Response not_found() {
  Response r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "not found\n";
  r.route = "static";
  return r;
}

}  // namespace

Response static_file(const Site& site, const Request& request) {
  std::string_view rel = std::string_view(request.path).substr(std::string_view("/static/").size());
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = not_found();
    r.status = 405;
    r.body = "method not allowed\n";
    return r;
  }
  // One or more segments of [A-Za-z0-9_.-], none starting with a dot.
  if (rel.empty() || rel.size() > 200) return not_found();
  bool segment_start = true;
  for (char c : rel) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '/';
    if (!ok) return not_found();
    if (segment_start && (c == '.' || c == '/')) return not_found();
    segment_start = c == '/';
  }
  if (segment_start) return not_found();  // ends with '/'
  std::string_view type = content_type(rel);
  if (type.empty()) return not_found();
  std::error_code ec;
  auto root = std::filesystem::canonical(site.config.static_dir, ec);
  if (ec) return not_found();
  auto file = std::filesystem::weakly_canonical(root / std::filesystem::path(std::string(rel)), ec);
  if (ec) return not_found();
  auto [r_end, f_it] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (r_end != root.end() || !std::filesystem::is_regular_file(file, ec)) return not_found();
  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream body;
  body << in.rdbuf();
  Response r;
  r.content_type = std::string(type);
  r.body = body.str();
  r.route = "static";
  std::string etag = "\"" + std::to_string(std::hash<std::string>{}(r.body)) + "\"";
  r.set_header("ETag", etag);
  // Pages link the files with ?v=<content version>, so a versioned URL may be kept for long.
  r.set_header("Cache-Control", request.target.find("?v=") != std::string::npos ? "public, max-age=31536000, immutable"
                                                                                  : "public, max-age=3600");
  if (request.header("if-none-match") == etag) {
    r.status = 304;
    r.body.clear();
  }
  if (request.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace laurel::web
