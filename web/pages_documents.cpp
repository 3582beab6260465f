// The pages' side of documents and data exchange: the export buttons beside the lists, the
// statistics, the audit trail, the notices and decisions (links to the API's download endpoints,
// which apply the viewer's visibility themselves), and the import page (/nominations/import) with
// its downloadable template. The import form works without JavaScript: it posts the file as
// multipart/form-data to POST /nominations/import (the CSRF field checked in pages.cpp), which runs
// the API's import (documents::import_file: the same roles, limits, modes and records) and renders
// the report here, in the viewer's language, with the API's status. With scripts, static/import.js
// sends the file to the API instead and shows the same report in place. `laurel import nominations`
// works without a browser.
#include "web/documents_import.h"

#include <sodium.h>

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

namespace {

void add_problem_rows(Dict* result, const std::string& title, const std::vector<documents::RowProblem>& problems, Lang lang) {
  Dict* table = result->AddSectionDictionary("PROBLEMS");
  table->SetValue("PROBLEMS_TITLE", title);
  for (const auto& pr : problems) {
    Dict* row = table->AddSectionDictionary("PROBLEM");
    row->SetValue("ROW", pr.row ? std::to_string(pr.row) : "—");
    row->SetValue("COLUMN", pr.column);
    row->SetValue("MESSAGE", lang == Lang::zh ? pr.zh : pr.en);
  }
}

// The report of an import, as static/import.js shows the API's answer.
void show_outcome(const Page& page, const documents::ImportOutcome& outcome, Dict* body) {
  using K = documents::ImportOutcome::Kind;
  const Lang lang = page.lang;
  const auto& plan = outcome.plan;
  Dict* result = body->AddSectionDictionary("RESULT");
  if (outcome.kind == K::imported) {
    Dict* done = result->AddSectionDictionary("DONE");
    done->SetValue("DONE_MESSAGE", trf(lang, "import_done", {std::to_string(outcome.stored.rows.size()), outcome.stored.import_id}));
    for (std::size_t i = 0; i < outcome.stored.rows.size(); ++i) {
      const std::string& id = outcome.stored.rows[i].nomination->id;
      Dict* c = done->AddSectionDictionary("CREATED");
      c->SetValue("ID", id);
      c->SetValue("URL", "/nominations/" + url_encode(id));
      c->SetValue("ROW", std::to_string(plan.command_rows[i]));
    }
    if (!plan.problems.empty()) add_problem_rows(result, std::string(page.t("import_left_out")), plan.problems, lang);
    return;
  }
  std::string reason;
  std::vector<documents::RowProblem> rows;
  switch (outcome.kind) {
    case K::forbidden: reason = page.t("import_forbidden"); break;
    case K::bad_mode: reason = page.t("import_bad_mode"); break;
    case K::too_large: reason = trf(lang, "import_too_large", {size_text(static_cast<std::int64_t>(outcome.max_file_bytes))}); break;
    case K::empty: reason = page.t("import_empty"); break;
    case K::unreadable: reason = lang == Lang::zh ? outcome.unreadable.zh : outcome.unreadable.en; break;
    case K::refused:
      reason = plan.file_problem() ? std::string(page.t("import_refused_columns"))
               : plan.problems.empty() ? std::string(page.t("import_refused_no_rows"))
                                       : trf(lang, "import_refused_rows", {std::to_string(plan.rejected.rows.size()), std::to_string(plan.rows)});
      rows = plan.problems;
      break;
    case K::refused_when_written:
      reason = page.t("import_refused_written");
      for (std::size_t i = 0; i < outcome.stored.rows.size(); ++i) {
        if (const auto& rej = outcome.stored.rows[i].rejection) {
          rows.push_back({plan.command_rows[i], "", field_message(Lang::zh, rej->detail), rej->detail});
        }
      }
      break;
    case K::unavailable:
    case K::imported: break;
  }
  result->AddSectionDictionary("REFUSED")->SetValue("REASON", reason);
  if (!rows.empty()) add_problem_rows(result, std::string(page.t("import_problems_title")), rows, lang);
}

// A form's one-time id (see Site::replay): 16 random bytes in hex.
std::string new_form_id() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

}  // namespace

Response import_page(Site& site, Page& page, int status, const documents::ImportOutcome* outcome, const std::string& refusal) {
  View v = site.view(page, "import.tpl", std::string(page.t("import_title")), "nominations");
  Dict* b = v.body;
  b->SetValue("FORM_ID", new_form_id());
  b->SetValue("TEMPLATE_XLSX", "/api/v1/imports/nominations/template?format=xlsx");
  b->SetValue("TEMPLATE_CSV", "/api/v1/imports/nominations/template?format=csv");
  b->SetValue("LANG_CODE", page.lang == Lang::zh ? "zh" : "en");
  if (documents::may_import(page.who.actor)) b->ShowSection("CAN_IMPORT");
  b->ShowSection(page.form.get("mode") == "valid" ? "MODE_VALID" : "MODE_ALL");
  if (!refusal.empty()) b->AddSectionDictionary("RESULT")->AddSectionDictionary("REFUSED")->SetValue("REASON", refusal);
  if (outcome) show_outcome(page, *outcome, b);
  return site.render(page, v, status);
}

Response import_nominations(Site& site, Page& page) {
  documents::ImportUpload upload;
  upload.caller = page.caller();
  upload.mode = page.form.has("mode") ? page.form.get("mode") : "all";
  upload.now = page.now;
  upload.path = page.request.body_file;
  upload.memory = page.request.body;
  drop_empty_file_inputs(page.files);
  // Who may import is decided first (import_file refuses and records anyone else before reading).
  if (documents::may_import(page.who.actor)) {
    if (page.files.empty()) return import_page(site, page, 422, nullptr, std::string(page.t("import_no_file")));
    if (page.files.size() > 1) return import_page(site, page, 422, nullptr, std::string(page.t("import_one_file")));
  }
  if (!page.files.empty()) {
    const MultipartFile& part = page.files.front();
    upload.offset = part.offset;
    upload.length = part.length;
    upload.file_name = chosen_file_name(part.filename).substr(0, 200);
  }
  // The same form posted again (the result page reloaded): the first answer, not a second import.
  const std::string form_id = page.form.get("form_id");
  if (auto again = site.replay(page.who.actor.user, form_id)) return *again;
  documents::ImportOutcome outcome = documents::import_file(site.store, upload);
  if (outcome.kind == documents::ImportOutcome::Kind::unavailable) return site.error_page(page, 503, "error_unavailable", outcome.stored.error);
  Response answer = import_page(site, page, outcome.http_status(), &outcome);
  if (outcome.kind == documents::ImportOutcome::Kind::imported) site.keep_answer(page.who.actor.user, form_id, answer);
  return answer;
}

Response import_too_large(Site& site, Page& page) {
  return import_page(site, page, 413, nullptr, trf(page.lang, "import_too_large", {size_text(static_cast<std::int64_t>(documents::ReadLimits{}.max_file_bytes))}));
}

}  // namespace laurel::web
