// Bulk import of nominations from a spreadsheet (CSV or XLSX, read by documents_table.h). The
// template's columns are those of the nominations export, so an exported list imports again; columns
// that only the export fills (编号, 状态, 文号, …) are accepted and ignored. Every row is checked
// before anything is written: the columns, the values' types, and then the engine itself
// (decide_create, the same check as a nomination sent one by one), and every problem is reported
// with the spreadsheet row, the column, and a message in Chinese and English. The store then creates
// the rows all or nothing (storage::Store::import_nominations).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/nomination.h"
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

}  // namespace laurel::web::documents
