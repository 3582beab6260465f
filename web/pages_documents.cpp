// The pages' side of documents and data exchange: the export buttons beside the lists, the
// statistics, the audit trail, the notices and decisions (links to the API's download endpoints,
// which apply the viewer's visibility themselves), and the import page (/nominations/import) with
// its downloadable template. The import form posts the file to the API with the session's CSRF token
// (static/import.js) and shows the per-row report; `laurel import nominations` works without a browser.
#include "web/site.h"

namespace laurel::web {

void add_export_links(const Page& page, Dict* dict, const std::string& api_path, std::initializer_list<const char*> params) {
  std::string query;
  for (const char* k : params) {
    std::string v = page.query.get(k);
    if (!v.empty()) query += "&" + std::string(k) + "=" + url_encode(v);
  }
  Dict* e = dict->AddSectionDictionary("EXPORTS");
  e->SetValue("XLSX_URL", api_path + "?format=xlsx" + query);
  e->SetValue("CSV_URL", api_path + "?format=csv" + query);
}

Response import_page(Site& site, Page& page) {
  View v = site.view(page, "import.tpl", std::string(page.t("import_title")), "nominations");
  Dict* b = v.body;
  b->SetValue("TEMPLATE_XLSX", "/api/v1/imports/nominations/template?format=xlsx");
  b->SetValue("TEMPLATE_CSV", "/api/v1/imports/nominations/template?format=csv");
  b->SetValue("LANG_CODE", page.lang == Lang::zh ? "zh" : "en");
  if (page.has_role("nominator")) b->ShowSection("CAN_IMPORT");
  return site.render(page, v);
}

}  // namespace laurel::web
