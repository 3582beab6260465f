// Tables in and out of spreadsheets: CSV (UTF-8 with BOM so that Excel shows Chinese, CRLF, RFC 4180
// quoting) and XLSX (written with libxlsxwriter, every cell a string; read with libzip and expat under
// hard limits so that a hostile file, such as a zip bomb, is refused before it is inflated).
// Cells that a spreadsheet would run as a formula (starting with = + - @ TAB CR) are neutralised on
// the way out with a leading apostrophe, and the apostrophe is taken off again on the way in.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace laurel::web::documents {

struct Table {
  std::string sheet_name = "Sheet1";  // the XLSX worksheet's name (at most 31 characters)
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

enum class Format { csv, xlsx };
std::optional<Format> parse_format(std::string_view name);  // "csv" | "xlsx"
std::string_view content_type(Format f);
std::string_view extension(Format f);  // "csv" | "xlsx"

// A cell as it is safe to hand to a spreadsheet: "'" put before = + - @ TAB CR.
std::string neutralise(std::string_view cell);
// The reverse, for cells read back: an apostrophe before one of those characters is dropped.
std::string unneutralise(std::string_view cell);

std::string to_csv(const Table& t);
// XLSX bytes (libxlsxwriter writes through a temporary file); an error message on failure.
std::expected<std::string, std::string> to_xlsx(const Table& t);
std::expected<std::string, std::string> write_table(const Table& t, Format f);

// Limits for reading a file someone uploaded. A file over any of them is refused as a whole.
struct ReadLimits {
  std::size_t max_file_bytes = 10 * 1024 * 1024;
  std::size_t max_rows = 5000;            // data rows, after the header
  std::size_t max_columns = 64;
  std::size_t max_cell_bytes = 16 * 1024;
  // XLSX only: checked against the zip directory before anything is inflated, and again while inflating.
  std::uint64_t max_inflated_bytes = 64 * 1024 * 1024;  // all entries read, in total
  std::uint64_t max_entry_ratio = 100;                  // uncompressed / compressed, for entries above 64 KiB
  std::size_t max_entries = 200;
  std::size_t max_shared_strings = 200000;
};

// Why a file cannot be read, in Chinese and English, with the line (CSV) or cell (XLSX) when known.
struct ReadError {
  std::string zh;
  std::string en;
};

std::expected<Table, ReadError> read_csv(std::string_view bytes, const ReadLimits& limits = {});
std::expected<Table, ReadError> read_xlsx(std::string_view bytes, const ReadLimits& limits = {});
// Chooses by content: a zip (PK\3\4) is read as XLSX, anything else as CSV.
std::expected<Table, ReadError> read_table(std::string_view bytes, const ReadLimits& limits = {});

// "A", "B", …, "Z", "AA" for a 0-based column.
std::string column_letter(std::size_t index);

}  // namespace laurel::web::documents
