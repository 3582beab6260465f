// Bulk import of nominations from a spreadsheet (CSV or XLSX, read by documents_table.h). The
// template's columns are those of the nominations export, so an exported list imports again; columns
// that only the export fills (编号, 状态, 文号, …) are accepted and ignored. Every row is checked
// before anything is written: the columns, the values' types, and then the engine itself
// (decide_create, the same check as a nomination sent one by one), and every problem is reported
// with the spreadsheet row, the column, and a message in Chinese and English. The store then creates
// the rows all or nothing (storage::Store::import_nominations). import_file is that whole path for one
// uploaded file, shared by the API (POST /api/v1/imports/nominations, JSON) and the import page
// (POST /nominations/import, a form that works without JavaScript, HTML): who may import, the limits,
// the modes and what is recorded are decided there once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog.h"
#include "engine/nomination.h"
#include "storage/store.h"
#include "web/documents_table.h"

namespace laurel::web::documents {

struct RowProblem {
  std::size_t row = 0;  // the spreadsheet's row number (the header is row 1); 0 for the file as a whole
  std::string column;   // the column's header as in the file (or the missing column's), "" for the row
  std::string zh;
  std::string en;
};

struct ImportPlan {
  std::size_t rows = 0;                      // data rows read
  std::vector<engine::Command> commands;     // the valid rows, as "create" commands
  std::vector<std::size_t> command_rows;     // their row numbers
  std::vector<RowProblem> problems;          // every problem found
  Table rejected;                            // the rows with problems, plus a column saying what to fix
  bool file_problem() const { return !problems.empty() && problems.front().row == 0; }
};

// The empty template: the header row only.
Table import_template(const engine::Catalog& catalog);
// Checks every row as `actor` at `now`, without writing anything.
ImportPlan plan_import(const Table& table, const engine::Catalog& catalog, const engine::Actor& actor, engine::Time now);

// One uploaded file to import: `length` bytes at `offset` of the file at `path` (the request body the
// server wrote to disk, or a part of it), or of `memory` when `path` is empty.
struct ImportUpload {
  storage::Caller caller;
  std::string path;
  std::string_view memory;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string mode = "all";      // all: every row must be valid; valid: import the valid rows, report the others
  std::string file_name;         // as the uploader named it, for the import record
  engine::Time now = 0;
};

// What importing it came to.
struct ImportOutcome {
  enum class Kind {
    forbidden,   // the caller is not a nominator; the attempt is recorded as denied
    bad_mode,    // the mode is neither all nor valid
    too_large,   // over ReadLimits::max_file_bytes; nothing read
    empty,       // no bytes
    unreadable,  // not a CSV or XLSX that can be read: `unreadable`
    refused,     // the columns are wrong, there are no rows, or (every row required) a row has problems: `plan`
    refused_when_written,  // the engine refused a checked row as it was written (a role changed meanwhile): `stored`
    unavailable, // the store failed: `stored.error`
    imported,    // `plan` (the rows left out in valid-rows mode) and `stored` (the created nominations, in plan.command_rows order)
  };
  Kind kind = Kind::unavailable;
  std::string sha256;  // of the file, once read
  ReadError unreadable;
  ImportPlan plan;
  storage::ImportResult stored;
  std::size_t max_file_bytes = 0;

  // 201 imported, 403 forbidden, 413 too large, 422 for the refusals, 503 unavailable.
  int http_status() const;
  // Why nothing was imported (refused), in English, as the API's problem detail says it.
  std::string refusal_detail() const;
};

// Whether `actor` may import nominations at all (each row is then the engine's to decide).
bool may_import(const engine::Actor& actor);

ImportOutcome import_file(storage::Store& store, const ImportUpload& upload);

}  // namespace laurel::web::documents
