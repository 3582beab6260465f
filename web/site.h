// What the HTML pages share (internal to web/pages*.cpp): the Site (the store, the API's sign-in, the
// loaded templates, the names of states, actions, categories, jurisdictions and roles in the viewer's
// language, dates) and the Page (one request being answered: who asks, in which language, its query
// and form). A handler builds a View (the layout's dictionary and its own page dictionary inside it),
// fills it, and hands it to Site::render, which adds the header, navigation, translations and the
// security headers. The handlers are free functions, one area of the site per file.
#pragma once

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/store.h"
#include "web/api.h"
#include "web/clock.h"
#include "web/http.h"
#include "web/i18n.h"
#include "web/multipart.h"
#include "web/pages.h"

namespace laurel::web {

namespace documents {
struct ImportOutcome;
}

using Dict = ctemplate::TemplateDictionary;

// A query string or form body (application/x-www-form-urlencoded), every value kept in order.
class Form {
 public:
  static Form parse(std::string_view encoded);
  std::string get(std::string_view key) const;  // the first value, or ""
  bool has(std::string_view key) const;
  void add(std::string key, std::string value) { items_.emplace_back(std::move(key), std::move(value)); }
  std::vector<std::string> all(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// A textarea's value with its CRLF line ends (as browsers send them) made LF.
std::string form_text(const std::string& s);

// Percent-encodes a query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

// One request being answered.
struct Page {
  const Request& request;
  Identity who;
  Lang lang = Lang::zh;
  Form query;
  Form form;  // the body of a POST form (a multipart form's plain fields)
  engine::Time now = 0;
  std::vector<std::string> cookies;  // Set-Cookie values to send
  std::vector<MultipartFile> files;  // a multipart form's files (their bytes stay in the request body)

  bool signed_in() const { return who.authenticated; }
  bool has_role(std::string_view role) const;
  std::vector<std::string> jurisdictions(std::string_view role) const;  // where the viewer holds `role`
  std::string_view t(std::string_view key) const { return tr(lang, key); }
  storage::Caller caller() const;
};

// A page being built: the layout's dictionary and the page's own, included in it as {{>PAGE}}.
struct View {
  std::unique_ptr<Dict> root;
  Dict* body = nullptr;
  std::string nav;  // the navigation entry that is current: home, nominations, new, notices, stats, audit, admin
};

// Field errors by field name ("nominee.name", "summary", "data.points.x"), ready to show next to fields.
using FieldErrors = std::map<std::string, std::string>;

class Site {
 public:
  Site(storage::Store& store, Api& api, Clock& clock, PagesConfig config);

  storage::Store& store;
  Api& api;
  Clock& clock;
  const engine::Catalog& catalog;
  PagesConfig config;

  // The layout around `template_file` (in web/templates) with the page title; `nav` marks the
  // navigation entry that is current.
  View view(const Page& page, std::string_view template_file, std::string title, std::string_view nav = {});
  Response render(Page& page, View& view, int status = 200);
  Response redirect(Page& page, const std::string& location);
  // A page saying what went wrong, with the status.
  Response error_page(Page& page, int status, std::string_view message_key, const std::string& detail = {});
  // The refusal of a command as a message and field errors, in the page's language.
  void describe_rejection(const Page& page, const engine::Rejection& r, Dict* dict, FieldErrors* errors);

  // Names in the page's language.
  const engine::Definition* definition_of(const engine::Nomination& n) const;
  std::string state_name(Lang lang, const engine::Nomination& n) const;
  std::string state_name(Lang lang, std::string_view state) const;
  std::string action_name(Lang lang, const engine::Definition* def, std::string_view action) const;
  std::string category_name(Lang lang, std::string_view id) const;
  std::string jurisdiction_name(Lang lang, std::string_view code) const;
  std::string level_name(Lang lang, std::string_view level) const;
  std::string role_name(Lang lang, std::string_view role) const;
  std::string date(Lang lang, engine::Time t) const;
  std::string date_time(Lang lang, engine::Time t) const;  // local time, minutes
  std::string nominee_name(const engine::Nomination& n) const;
  // Every state id of the installed definitions, in definition order, without repeats.
  std::vector<std::string> all_states() const;

  // Every nomination matching `q` that `viewer` may see (all pages; for counts that need the snapshot).
  std::vector<engine::Nomination> list_all(storage::ListQuery q, const engine::Actor& viewer);
  // The jurisdiction and its subtree, in tree order, with depth (for selects).
  std::vector<std::pair<const engine::Jurisdiction*, int>> subtree(std::string_view code) const;
  // Adds <option> rows to `section` of `dict` for the subtrees of `codes`; `selected` marked.
  void jurisdiction_options(Dict* dict, const char* section, Lang lang, const std::vector<std::string>& codes,
                            std::string_view selected) const;

  std::string asset_version;  // changes when the CSS or script change (cache busting)

  // Answers to forms that must not act twice (an import), kept by user and the form's one-time id
  // (a hidden field) for 30 minutes: posting the same form again (reloading the result) shows the
  // same answer instead of importing the file a second time.
  std::optional<Response> replay(const std::string& username, const std::string& form_id);
  void keep_answer(const std::string& username, const std::string& form_id, const Response& answer);

 private:
  ctemplate::TemplateCache templates_;
  std::mutex answers_mu_;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, Response>> answers_;
};

// Sets "ERROR" in a section `name` (FIELD_ERROR_<name>) when there is one. Field names with dots
// become underscores: nominee.name -> ERR_nominee_name.
void set_field_error(Dict* dict, const FieldErrors& errors, const std::string& field);
// The same for one item of a repeated section: "ERR" in section "HAS_ERR".
void set_item_error(Dict* dict, const FieldErrors& errors, const std::string& field);

// The handlers. Routing and CSRF checks are in pages.cpp.
Response sign_in_page(Site& site, Page& page, int status = 200, std::string_view error_key = {}, const std::string& username = {});
Response login(Site& site, Page& page);
Response logout(Site& site, Page& page);
Response home_page(Site& site, Page& page);                               // pages_home.cpp
Response nominations_page(Site& site, Page& page);                        // pages_nominations.cpp
Response nominations_page(Site& site, Page& page, int status, const storage::BatchResult* refused);
// `upload_error`: why an upload through the materials form was refused, in the page's language.
Response nomination_page(Site& site, Page& page, const std::string& id, int status = 200,
                         const engine::Rejection* refusal = nullptr, const std::string& upload_error = {});
Response nomination_act(Site& site, Page& page, const std::string& id);
Response batch_act(Site& site, Page& page);
// A form posted as multipart/form-data (the materials and import forms; pages.cpp): fills page.form
// and page.files from the request body (in memory or the file the server wrote), or answers why it
// cannot, through `refuse(status, message in the page's language)` (the page the form is on).
std::optional<Response> read_multipart_form(Site& site, Page& page, const std::function<Response(int, std::string)>& refuse);
// The file name a browser sent, without the path old browsers put before it.
std::string chosen_file_name(const std::string& filename);
// Drops the parts of file inputs left empty (no name, no bytes).
void drop_empty_file_inputs(std::vector<MultipartFile>& files);
// The materials form (pages_materials.cpp): a file posted as multipart/form-data, stored as the API's
// attachment route stores it.
Response upload_material(Site& site, Page& page, const std::string& id);
Response material_too_large(Site& site, Page& page, const std::string& id);
// The upload limit as people read it: "20 MB"; any size so.
std::string upload_limit_text(const Site& site);
std::string size_text(std::int64_t bytes);
Response new_nomination_page(Site& site, Page& page, int status = 200, const engine::Rejection* refusal = nullptr);  // pages_new.cpp
Response create_nomination(Site& site, Page& page);
Response notices_page(Site& site, Page& page);                            // pages_public.cpp
Response notice_page(Site& site, Page& page, const std::string& id);
Response notice_object(Site& site, Page& page, const std::string& id);
Response decision_page(Site& site, Page& page, const std::string& document_no);
Response certificates_page(Site& site, Page& page, const std::string& document_no, const std::string& only = {});
Response verify_page(Site& site, Page& page, const std::string& code);
Response stats_page(Site& site, Page& page);                              // pages_stats.cpp
Response audit_page(Site& site, Page& page);                              // pages_audit.cpp
Response admin_page(Site& site, Page& page, std::string_view section, int status = 200,
                    const engine::Rejection* refusal = nullptr);          // pages_admin.cpp
Response admin_post(Site& site, Page& page, std::string_view section);
Response static_file(const Site& site, const Request& request);           // pages_static.cpp
// The import page (pages_documents.cpp); with the outcome of an import posted through its form, or
// `refusal` (why the form was refused before any import, in the page's language).
Response import_page(Site& site, Page& page, int status = 200, const documents::ImportOutcome* outcome = nullptr,
                     const std::string& refusal = {});
Response import_nominations(Site& site, Page& page);  // POST /nominations/import
Response import_too_large(Site& site, Page& page);
// Adds section EXPORTS (XLSX_URL, CSV_URL) to `dict`: the API download at `api_path` with the page's
// query parameters `params` passed on.
void add_export_links(const Page& page, Dict* dict, const std::string& api_path, std::initializer_list<const char*> params);

}  // namespace laurel::web
