// What Laurel exports as spreadsheets (web/documents_table.h writes them as CSV or XLSX): a list of
// nominations with its filters, the statistics table, a publicity notice's nominees, a naming
// decision's nominees, and audit records. Every table holds exactly what its viewer may see: a list
// only the nominations the viewer may see and their personal contact fields only where
// visibility_for() allows; notices and decisions are public and carry no personal data at all.
// Column headers read "中文(id)"; the import (documents_import.h) reads the same headers back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "storage/store.h"
#include "web/documents_table.h"

namespace laurel::web::documents {

// "类别(category)" for a column id and its Chinese label.
std::string header_cell(std::string_view zh, std::string_view id);
// The nominee fields of every category, in catalog order, without repeats: (id, Chinese label).
std::vector<std::pair<std::string, std::string>> nominee_columns(const engine::Catalog& catalog);

// Every nomination matching `q` that `viewer` may see, page by page, at most `max` of them.
std::vector<engine::Nomination> all_nominations(storage::Store& store, storage::ListQuery q, const engine::Actor& viewer,
                                                std::size_t max = 100000);

Table nominations_table(const std::vector<engine::Nomination>& list, const engine::Actor& viewer, const engine::Catalog& catalog);
Table stats_table(storage::Store& store, std::optional<int> year, const std::optional<std::string>& office);
Table notice_table(const storage::Notice& notice, const engine::Catalog& catalog);
Table decision_table(const storage::Decision& decision, const engine::Catalog& catalog);
Table audit_table(const std::vector<storage::RecordRow>& rows);

// A file name for a download: "laurel-<what>-<date>.<ext>" with only safe characters.
std::string download_name(std::string_view what, Format format);

}  // namespace laurel::web::documents
