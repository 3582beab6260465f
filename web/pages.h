// The HTML pages of shared/API.md ("Pages"): sign-in, each role's home (待办), the nominations list and
// page with their action forms, the new-nomination form, the public publicity notices with the
// objection form, the naming decision in the official document layout, statistics, the audit trail
// and administration; and the static files they use (/static/*). One function from request to
// response like the API, never touching a socket: the server hands it every request outside /api/,
// /healthz and /metrics. Pages are rendered with ctemplate from web/templates (auto-escaped HTML), in
// Chinese by default and English on request (?lang=en, remembered in the `laurel_lang` cookie).
// Every form that changes state carries the session's CSRF token.
#pragma once

#include <memory>
#include <string>

#include "storage/store.h"
#include "web/api.h"
#include "web/clock.h"
#include "web/http.h"

namespace laurel::web {

struct PagesConfig {
  // Where the templates (*.tpl) and the static files are. Empty: the environment variables
  // LAUREL_TEMPLATES_DIR and LAUREL_STATIC_DIR when set, else the source tree's web/templates and
  // web/static (compiled in).
  std::string templates_dir;
  std::string static_dir;
  // The public base URL (settings: public-url), for the absolute addresses printed on notices; empty:
  // from the request's Host header.
  std::string public_url;
};

class Site;

class Pages {
 public:
  // Loads every template (throws std::runtime_error naming the file when one is missing or broken).
  Pages(storage::Store& store, Api& api, Clock& clock, PagesConfig config = {});
  ~Pages();
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;

  Response handle(const Request& request);

 private:
  std::unique_ptr<Site> site_;
};

}  // namespace laurel::web
