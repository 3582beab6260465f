#include "web/documents_table.h"

#include <expat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace laurel::web::documents {
namespace {

bool dangerous_lead(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

ReadError err(std::string zh, std::string en) { return ReadError{std::move(zh), std::move(en)}; }

// The first invalid UTF-8 byte's offset, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k) if ((p[i + k] & 0xC0) != 0x80) return i;
    if (n == 2 && c < 0xC2) return i;                                   // overlong
    if (n == 3 && c == 0xE0 && p[i + 1] < 0xA0) return i;               // overlong
    if (n == 3 && c == 0xED && p[i + 1] >= 0xA0) return i;              // surrogates
    if (n == 4 && (c > 0xF4 || (c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] >= 0x90))) return i;
    i += n;
  }
  return std::string::npos;
}

bool blank_row(const std::vector<std::string>& row) {
  for (const auto& c : row) if (c.find_first_not_of(" \t") != std::string::npos) return false;
  return true;
}

// Header cells trimmed; trailing empty header cells dropped; blank rows dropped; rows padded.
std::expected<Table, ReadError> finish(std::vector<std::vector<std::string>> rows, const ReadLimits& limits) {
  Table t;
  while (!rows.empty() && blank_row(rows.front())) rows.erase(rows.begin());
  if (rows.empty()) return std::unexpected(err("文件是空的：没有表头行。", "The file is empty: there is no header row."));
  t.header = std::move(rows.front());
  for (auto& h : t.header) {
    auto b = h.find_first_not_of(" \t\r\n"), e = h.find_last_not_of(" \t\r\n");
    h = b == std::string::npos ? "" : h.substr(b, e - b + 1);
  }
  while (!t.header.empty() && t.header.back().empty()) t.header.pop_back();
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (blank_row(rows[i])) continue;
    auto& r = rows[i];
    for (auto& c : r) c = unneutralise(c);
    if (r.size() < t.header.size()) r.resize(t.header.size());
    t.rows.push_back(std::move(r));
  }
  if (t.rows.size() > limits.max_rows) {
    return std::unexpected(err("行数过多：最多 " + std::to_string(limits.max_rows) + " 行数据，请分成几个文件导入。",
                               "Too many rows: at most " + std::to_string(limits.max_rows) + " data rows; split the file."));
  }
  return t;
}

ReadError too_many_rows(const ReadLimits& l) {
  return err("行数过多：最多 " + std::to_string(l.max_rows) + " 行数据，请分成几个文件导入。",
             "Too many rows: at most " + std::to_string(l.max_rows) + " data rows; split the file.");
}

// ---- XLSX reading ------------------------------------------------------------------------------

struct ZipCloser { void operator()(zip_t* z) const { zip_discard(z); } };
struct ZipFileCloser { void operator()(zip_file_t* f) const { zip_fclose(f); } };

class XlsxArchive {
 public:
  XlsxArchive(std::string_view bytes, const ReadLimits& limits) : limits_(limits) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
    if (!src) { zip_error_fini(&ze); return; }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z) { zip_source_free(src); zip_error_fini(&ze); return; }
    zip_.reset(z);
    zip_error_fini(&ze);
  }
  bool open() const { return zip_ != nullptr; }

  // Checks the directory before anything is inflated: entry count, sizes, compression ratios.
  std::optional<ReadError> check_directory() {
    zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
    if (n < 0 || static_cast<std::uint64_t>(n) > limits_.max_entries) {
      return err("XLSX 文件包含的条目过多（" + std::to_string(n) + "），拒绝读取。", "The XLSX file has too many entries (" + std::to_string(n) + "); refused.");
    }
    std::uint64_t total = 0;
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0) return err("XLSX 文件已损坏。", "The XLSX file is damaged.");
      if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) return err("XLSX 文件已损坏。", "The XLSX file is damaged.");
      total += st.size;
      if (st.size > 64 * 1024 && st.size / std::max<std::uint64_t>(st.comp_size, 1) > limits_.max_entry_ratio) {
        return err("XLSX 文件中的“" + std::string(st.name) + "”压缩比异常（疑似压缩炸弹），拒绝读取。",
                   "The XLSX entry \"" + std::string(st.name) + "\" has an abnormal compression ratio (a zip bomb?); refused.");
      }
    }
    if (total > limits_.max_inflated_bytes) {
      return err("XLSX 文件解压后过大（" + std::to_string(total / (1024 * 1024)) + " MiB），拒绝读取。",
                 "The XLSX file would inflate to " + std::to_string(total / (1024 * 1024)) + " MiB; refused.");
    }
    return std::nullopt;
  }

  bool has(const std::string& name) { return zip_name_locate(zip_.get(), name.c_str(), 0) >= 0; }

  // Streams an entry into `sink` in chunks, stopping at the inflation budget.
  template <typename Sink>
  std::optional<ReadError> read(const std::string& name, Sink&& sink) {
    zip_int64_t idx = zip_name_locate(zip_.get(), name.c_str(), 0);
    if (idx < 0) return err("XLSX 文件缺少“" + name + "”。", "The XLSX file has no \"" + name + "\".");
    std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(idx), 0));
    if (!f) return err("XLSX 文件已损坏（无法打开“" + name + "”）。", "The XLSX file is damaged (cannot open \"" + name + "\").");
    std::vector<char> buf(64 * 1024);
    for (;;) {
      zip_int64_t got = zip_fread(f.get(), buf.data(), buf.size());
      if (got < 0) return err("XLSX 文件已损坏（“" + name + "”无法解压）。", "The XLSX file is damaged (\"" + name + "\" does not inflate).");
      inflated_ += static_cast<std::uint64_t>(got);
      if (inflated_ > limits_.max_inflated_bytes) return err("XLSX 文件解压后过大，拒绝读取。", "The XLSX file inflates beyond the limit; refused.");
      bool last = got == 0;
      if (auto e = sink(std::string_view(buf.data(), static_cast<std::size_t>(got)), last)) return e;
      if (last) return std::nullopt;
    }
  }

 private:
  const ReadLimits& limits_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::uint64_t inflated_ = 0;
};

// An expat parser fed in chunks; refuses DOCTYPE (no entities at all in OOXML).
struct XmlParser {
  XML_Parser p = XML_ParserCreate("UTF-8");
  std::optional<ReadError> stopped;
  ~XmlParser() { XML_ParserFree(p); }
  XmlParser() {
    XML_SetUserData(p, this);
    XML_SetStartDoctypeDeclHandler(p, [](void* ud, const XML_Char*, const XML_Char*, const XML_Char*, int) {
      auto* self = static_cast<XmlParser*>(ud);
      self->stop(err("XLSX 文件含有 DOCTYPE 声明，拒绝读取。", "The XLSX file holds a DOCTYPE declaration; refused."));
    });
  }
  void stop(ReadError e) {
    if (!stopped) stopped = std::move(e);
    XML_StopParser(p, XML_FALSE);
  }
  std::optional<ReadError> feed(std::string_view chunk, bool last, const std::string& name) {
    if (stopped) return stopped;
    if (XML_Parse(p, chunk.data(), static_cast<int>(chunk.size()), last ? 1 : 0) == XML_STATUS_ERROR) {
      if (stopped) return stopped;
      return err("XLSX 文件中的“" + name + "”不是有效的 XML（第 " + std::to_string(XML_GetCurrentLineNumber(p)) + " 行）。",
                 "\"" + name + "\" in the XLSX file is not valid XML (line " + std::to_string(XML_GetCurrentLineNumber(p)) + ").");
    }
    return stopped;
  }
};

std::string_view local_name(const XML_Char* n) {
  std::string_view s(n);
  auto colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

const XML_Char* attr(const XML_Char** atts, std::string_view name) {
  for (int i = 0; atts[i]; i += 2) if (local_name(atts[i]) == name && std::string_view(atts[i]) .find(':') == std::string_view::npos) return atts[i + 1];
  return nullptr;
}
const XML_Char* attr_any(const XML_Char** atts, std::string_view local) {
  for (int i = 0; atts[i]; i += 2) if (local_name(atts[i]) == local) return atts[i + 1];
  return nullptr;
}

// "B12" → column 1 (0-based); npos when malformed.
std::size_t column_of(std::string_view ref) {
  std::size_t col = 0, i = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') {
    col = col * 26 + static_cast<std::size_t>(ref[i] - 'A' + 1);
    if (col > 16384) return std::string::npos;
    ++i;
  }
  if (i == 0) return std::string::npos;
  return col - 1;
}

struct SharedStrings {
  XmlParser x;
  const ReadLimits* limits;
  std::vector<std::string> strings;
  std::string current;
  int depth_si = 0, in_t = 0, in_rph = 0;
  std::uint64_t bytes = 0;
};

struct Sheet {
  XmlParser x;
  const ReadLimits* limits;
  const std::vector<std::string>* shared;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  bool in_row = false;
  std::size_t next_row_number = 1;
  std::size_t col = 0;
  std::string type, value, cell_ref;
  bool in_v = false, in_t = false, in_is = false, has_formula = false, in_cell = false;
};

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "csv") return Format::csv;
  if (name == "xlsx") return Format::xlsx;
  return std::nullopt;
}
std::string_view content_type(Format f) {
  return f == Format::csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}
std::string_view extension(Format f) { return f == Format::csv ? "csv" : "xlsx"; }

std::string column_letter(std::size_t index) {
  std::string s;
  ++index;
  while (index > 0) {
    s.insert(s.begin(), static_cast<char>('A' + (index - 1) % 26));
    index = (index - 1) / 26;
  }
  return s;
}

std::string neutralise(std::string_view cell) {
  if (!cell.empty() && dangerous_lead(cell.front())) return "'" + std::string(cell);
  return std::string(cell);
}

std::string unneutralise(std::string_view cell) {
  if (cell.size() >= 2 && cell.front() == '\'' && dangerous_lead(cell[1])) return std::string(cell.substr(1));
  return std::string(cell);
}

std::string to_csv(const Table& t) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      std::string c = neutralise(cells[i]);
      if (c.find_first_of(",\"\r\n") != std::string::npos) {
        out += '"';
        for (char ch : c) {
          if (ch == '"') out += '"';
          out += ch;
        }
        out += '"';
      } else {
        out += c;
      }
    }
    out += "\r\n";
  };
  line(t.header);
  for (const auto& r : t.rows) line(r);
  return out;
}

std::expected<std::string, std::string> to_xlsx(const Table& t) {
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) return std::unexpected("no temporary folder: " + ec.message());
  std::string path = (dir / "laurel-xlsx-XXXXXX").string();
  int fd = mkstemp(path.data());
  if (fd < 0) return std::unexpected("cannot create a temporary file in " + dir.string());
  ::close(fd);
  struct Remove { std::string p; ~Remove() { std::remove(p.c_str()); } } remove{path};
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = nullptr;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return std::unexpected("libxlsxwriter could not start a workbook");
  std::string sheet = t.sheet_name.empty() ? "Sheet1" : t.sheet_name;
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
  if (!ws) ws = workbook_add_worksheet(wb, nullptr);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* text = workbook_add_format(wb);
  format_set_num_format(text, "@");  // text: Excel keeps leading zeros and long codes as typed
  for (std::size_t c = 0; c < t.header.size(); ++c) worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), 16, text);
  worksheet_freeze_panes(ws, 1, 0);
  auto put = [&](std::size_t r, const std::vector<std::string>& cells, lxw_format* f) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;
      // worksheet_write_string never makes a formula: "=cmd|..." stays text.
      worksheet_write_string(ws, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c), cells[c].c_str(), f);
    }
  };
  put(0, t.header, bold);
  for (std::size_t r = 0; r < t.rows.size(); ++r) put(r + 1, t.rows[r], text);
  lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR) return std::unexpected(std::string("libxlsxwriter: ") + lxw_strerror(e));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

std::expected<std::string, std::string> write_table(const Table& t, Format f) {
  if (f == Format::csv) return to_csv(t);
  return to_xlsx(t);
}

std::expected<Table, ReadError> read_csv(std::string_view bytes, const ReadLimits& limits) {
  if (bytes.size() > limits.max_file_bytes) {
    return std::unexpected(err("文件过大：最大 " + std::to_string(limits.max_file_bytes / (1024 * 1024)) + " MiB。",
                               "The file is too large: at most " + std::to_string(limits.max_file_bytes / (1024 * 1024)) + " MiB."));
  }
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (auto bad = invalid_utf8_at(bytes); bad != std::string::npos) {
    std::size_t line = 1 + static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
    return std::unexpected(err("文件不是 UTF-8 编码（第 " + std::to_string(line) + " 行）。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”，或使用 XLSX 文件。",
                               "The file is not UTF-8 (line " + std::to_string(line) +
                                   "). In Excel use \"Save as\" \"CSV UTF-8 (comma delimited)\", or upload the XLSX file."));
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, was_quoted = false;
  std::size_t line = 1, data_rows = 0;
  auto end_cell = [&]() -> std::optional<ReadError> {
    if (cell.size() > limits.max_cell_bytes) {
      return err("第 " + std::to_string(line) + " 行第 " + std::to_string(row.size() + 1) + " 列内容过长。",
                 "Line " + std::to_string(line) + ", column " + std::to_string(row.size() + 1) + ": the cell is too long.");
    }
    row.push_back(std::move(cell));
    cell.clear();
    was_quoted = false;
    if (row.size() > limits.max_columns) {
      return err("第 " + std::to_string(line) + " 行列数过多（最多 " + std::to_string(limits.max_columns) + " 列）。",
                 "Line " + std::to_string(line) + " has too many columns (at most " + std::to_string(limits.max_columns) + ").");
    }
    return std::nullopt;
  };
  auto end_row = [&]() -> std::optional<ReadError> {
    if (auto e = end_cell()) return e;
    if (!blank_row(row) && !rows.empty() && ++data_rows > limits.max_rows) return too_many_rows(limits);
    rows.push_back(std::move(row));
    row.clear();
    return std::nullopt;
  };
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < bytes.size() && bytes[i + 1] == '"') { cell += '"'; ++i; }
        else quoted = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty() && !was_quoted) { quoted = was_quoted = true; continue; }
    if (c == ',') { if (auto e = end_cell()) return std::unexpected(*e); continue; }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
      if (auto e = end_row()) return std::unexpected(*e);
      ++line;
      continue;
    }
    if (was_quoted) {
      return std::unexpected(err("第 " + std::to_string(line) + " 行：引号后面还有字符（引号内的引号要写成两个 \"\"）。",
                                 "Line " + std::to_string(line) + ": characters after a closing quote (write a quote inside quotes as \"\")."));
    }
    cell += c;
  }
  if (quoted) return std::unexpected(err("文件结尾处有未闭合的引号（从第 " + std::to_string(line) + " 行起）。", "A quote is never closed (by line " + std::to_string(line) + ")."));
  if (!cell.empty() || !row.empty() || was_quoted) {
    if (auto e = end_row()) return std::unexpected(*e);
  }
  return finish(std::move(rows), limits);
}

std::expected<Table, ReadError> read_xlsx(std::string_view bytes, const ReadLimits& limits) {
  if (bytes.size() > limits.max_file_bytes) {
    return std::unexpected(err("文件过大：最大 " + std::to_string(limits.max_file_bytes / (1024 * 1024)) + " MiB。",
                               "The file is too large: at most " + std::to_string(limits.max_file_bytes / (1024 * 1024)) + " MiB."));
  }
  XlsxArchive zip(bytes, limits);
  if (!zip.open()) return std::unexpected(err("这不是有效的 XLSX 文件（无法作为 zip 打开）。", "This is not a valid XLSX file (it does not open as a zip)."));
  if (auto e = zip.check_directory()) return std::unexpected(*e);

  // The first worksheet: workbook.xml names it, its relationships say which file it is.
  std::string first_rid;
  {
    XmlParser x;
    XML_SetUserData(x.p, &first_rid);
    XML_SetStartElementHandler(x.p, [](void* ud, const XML_Char* name, const XML_Char** atts) {
      auto* rid = static_cast<std::string*>(ud);
      if (rid->empty() && local_name(name) == "sheet") {
        if (const XML_Char* v = attr_any(atts, "id")) *rid = v;
      }
    });
    // The DOCTYPE handler reads its user data as XmlParser: give it back for that one callback.
    XML_SetStartDoctypeDeclHandler(x.p, [](void*, const XML_Char*, const XML_Char*, const XML_Char*, int) {});
    XML_SetDefaultHandler(x.p, nullptr);
    bool doctype = false;
    auto e = zip.read("xl/workbook.xml", [&](std::string_view chunk, bool last) -> std::optional<ReadError> {
      if (chunk.find("<!DOCTYPE") != std::string_view::npos) doctype = true;
      if (XML_Parse(x.p, chunk.data(), static_cast<int>(chunk.size()), last ? 1 : 0) == XML_STATUS_ERROR) {
        return err("XLSX 文件中的 workbook.xml 不是有效的 XML。", "workbook.xml in the XLSX file is not valid XML.");
      }
      return std::nullopt;
    });
    if (e) return std::unexpected(*e);
    if (doctype) return std::unexpected(err("XLSX 文件含有 DOCTYPE 声明，拒绝读取。", "The XLSX file holds a DOCTYPE declaration; refused."));
  }
  std::map<std::string, std::string> targets;
  {
    XmlParser x;
    XML_SetUserData(x.p, &targets);
    XML_SetStartDoctypeDeclHandler(x.p, [](void*, const XML_Char*, const XML_Char*, const XML_Char*, int) {});
    XML_SetStartElementHandler(x.p, [](void* ud, const XML_Char* name, const XML_Char** atts) {
      if (local_name(name) != "Relationship") return;
      const XML_Char* id = attr(atts, "Id");
      const XML_Char* target = attr(atts, "Target");
      if (id && target) (*static_cast<std::map<std::string, std::string>*>(ud))[id] = target;
    });
    bool doctype = false;
    auto e = zip.read("xl/_rels/workbook.xml.rels", [&](std::string_view chunk, bool last) -> std::optional<ReadError> {
      if (chunk.find("<!DOCTYPE") != std::string_view::npos) doctype = true;
      if (XML_Parse(x.p, chunk.data(), static_cast<int>(chunk.size()), last ? 1 : 0) == XML_STATUS_ERROR) {
        return err("XLSX 文件中的 workbook.xml.rels 不是有效的 XML。", "workbook.xml.rels in the XLSX file is not valid XML.");
      }
      return std::nullopt;
    });
    if (e) return std::unexpected(*e);
    if (doctype) return std::unexpected(err("XLSX 文件含有 DOCTYPE 声明，拒绝读取。", "The XLSX file holds a DOCTYPE declaration; refused."));
  }
  std::string sheet_path = "xl/worksheets/sheet1.xml";
  if (auto it = targets.find(first_rid); it != targets.end()) {
    sheet_path = it->second.starts_with("/") ? it->second.substr(1) : "xl/" + it->second;
  }

  SharedStrings ss;
  ss.limits = &limits;
  if (zip.has("xl/sharedStrings.xml")) {
    XML_SetUserData(ss.x.p, &ss);
    XML_SetStartDoctypeDeclHandler(ss.x.p, [](void* ud, const XML_Char*, const XML_Char*, const XML_Char*, int) {
      static_cast<SharedStrings*>(ud)->x.stop(err("XLSX 文件含有 DOCTYPE 声明，拒绝读取。", "The XLSX file holds a DOCTYPE declaration; refused."));
    });
    XML_SetElementHandler(
        ss.x.p,
        [](void* ud, const XML_Char* name, const XML_Char**) {
          auto* s = static_cast<SharedStrings*>(ud);
          auto n = local_name(name);
          if (n == "si") { s->depth_si = 1; s->current.clear(); }
          else if (n == "rPh") s->in_rph += 1;
          else if (n == "t" && s->depth_si && !s->in_rph) s->in_t = 1;
        },
        [](void* ud, const XML_Char* name) {
          auto* s = static_cast<SharedStrings*>(ud);
          auto n = local_name(name);
          if (n == "si") {
            s->depth_si = 0;
            if (s->strings.size() >= s->limits->max_shared_strings) {
              s->x.stop(err("XLSX 文件的共享字符串过多，拒绝读取。", "The XLSX file has too many shared strings; refused."));
              return;
            }
            s->strings.push_back(std::move(s->current));
            s->current.clear();
          } else if (n == "rPh") s->in_rph -= 1;
          else if (n == "t") s->in_t = 0;
        });
    XML_SetCharacterDataHandler(ss.x.p, [](void* ud, const XML_Char* text, int len) {
      auto* s = static_cast<SharedStrings*>(ud);
      if (!s->in_t) return;
      s->current.append(text, static_cast<std::size_t>(len));
      if (s->current.size() > s->limits->max_cell_bytes) {
        s->x.stop(err("XLSX 文件中有一个字符串过长，拒绝读取。", "A string in the XLSX file is too long; refused."));
      }
    });
    auto e = zip.read("xl/sharedStrings.xml", [&](std::string_view chunk, bool last) { return ss.x.feed(chunk, last, "sharedStrings.xml"); });
    if (e) return std::unexpected(*e);
  }

  Sheet sh;
  sh.limits = &limits;
  sh.shared = &ss.strings;
  XML_SetUserData(sh.x.p, &sh);
  XML_SetStartDoctypeDeclHandler(sh.x.p, [](void* ud, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<Sheet*>(ud)->x.stop(err("XLSX 文件含有 DOCTYPE 声明，拒绝读取。", "The XLSX file holds a DOCTYPE declaration; refused."));
  });
  XML_SetElementHandler(
      sh.x.p,
      [](void* ud, const XML_Char* name, const XML_Char** atts) {
        auto* s = static_cast<Sheet*>(ud);
        auto n = local_name(name);
        if (n == "row") {
          std::size_t number = s->next_row_number;
          if (const XML_Char* r = attr(atts, "r")) number = static_cast<std::size_t>(std::strtoull(r, nullptr, 10));
          if (number < s->next_row_number || number > s->limits->max_rows + 1000) {
            // Gaps are allowed (blank rows), but never backwards and never far beyond the row cap.
            if (number > s->limits->max_rows + 1000) { s->x.stop(too_many_rows(*s->limits)); return; }
            number = s->next_row_number;
          }
          while (s->next_row_number < number) { s->rows.emplace_back(); s->next_row_number += 1; }
          s->next_row_number = number + 1;
          s->in_row = true;
          s->row.clear();
          s->col = 0;
        } else if (n == "c" && s->in_row) {
          s->in_cell = true;
          s->type.clear();
          s->value.clear();
          s->has_formula = false;
          s->cell_ref.clear();
          if (const XML_Char* t = attr(atts, "t")) s->type = t;
          if (const XML_Char* r = attr(atts, "r")) {
            s->cell_ref = r;
            std::size_t c = column_of(r);
            if (c == std::string::npos || c < s->col) { s->x.stop(err("XLSX 单元格引用无效：" + std::string(r), "Invalid XLSX cell reference: " + std::string(r))); return; }
            s->col = c;
          }
        } else if (n == "v" && s->in_cell) s->in_v = true;
        else if (n == "is" && s->in_cell) s->in_is = true;
        else if (n == "t" && s->in_is) s->in_t = true;
        else if (n == "f" && s->in_cell) s->has_formula = true;
      },
      [](void* ud, const XML_Char* name) {
        auto* s = static_cast<Sheet*>(ud);
        auto n = local_name(name);
        if (n == "v") s->in_v = false;
        else if (n == "t") s->in_t = false;
        else if (n == "is") s->in_is = false;
        else if (n == "c" && s->in_cell) {
          s->in_cell = false;
          std::string ref = s->cell_ref.empty() ? column_letter(s->col) + std::to_string(s->next_row_number - 1) : s->cell_ref;
          if (s->has_formula) {
            s->x.stop(err("单元格 " + ref + " 是公式。请只粘贴数值（选择性粘贴 → 数值）后再导入。",
                          "Cell " + ref + " holds a formula. Paste values only (Paste Special → Values) and import again."));
            return;
          }
          std::string text;
          if (s->type == "s") {
            char* end = nullptr;
            unsigned long long i = std::strtoull(s->value.c_str(), &end, 10);
            if (s->value.empty() || *end || i >= s->shared->size()) {
              s->x.stop(err("单元格 " + ref + " 引用了不存在的共享字符串。", "Cell " + ref + " refers to a shared string that does not exist."));
              return;
            }
            text = (*s->shared)[static_cast<std::size_t>(i)];
          } else if (s->type == "b") {
            text = s->value == "1" ? "TRUE" : "FALSE";
          } else if (s->type == "e") {
            s->x.stop(err("单元格 " + ref + " 是错误值（" + s->value + "）。", "Cell " + ref + " holds an error value (" + s->value + ")."));
            return;
          } else {
            text = s->value;  // n, str, inlineStr, d: the text as stored
          }
          if (s->col >= s->limits->max_columns) {
            if (!text.empty()) {
              s->x.stop(err("列数过多（最多 " + std::to_string(s->limits->max_columns) + " 列，单元格 " + ref + "）。",
                            "Too many columns (at most " + std::to_string(s->limits->max_columns) + "; cell " + ref + ")."));
            }
            return;
          }
          if (s->row.size() <= s->col) s->row.resize(s->col + 1);
          s->row[s->col] = std::move(text);
          s->col += 1;
        } else if (n == "row" && s->in_row) {
          s->in_row = false;
          if (s->rows.size() > s->limits->max_rows + 1 && !blank_row(s->row)) { s->x.stop(too_many_rows(*s->limits)); return; }
          s->rows.push_back(std::move(s->row));
          s->row.clear();
        }
      });
  XML_SetCharacterDataHandler(sh.x.p, [](void* ud, const XML_Char* text, int len) {
    auto* s = static_cast<Sheet*>(ud);
    if (!(s->in_v || (s->in_is && s->in_t))) return;
    s->value.append(text, static_cast<std::size_t>(len));
    if (s->value.size() > s->limits->max_cell_bytes) s->x.stop(err("XLSX 文件中有一个单元格内容过长。", "A cell in the XLSX file is too long."));
  });
  if (auto e = zip.read(sheet_path, [&](std::string_view chunk, bool last) { return sh.x.feed(chunk, last, sheet_path); })) return std::unexpected(*e);
  return finish(std::move(sh.rows), limits);
}

std::expected<Table, ReadError> read_table(std::string_view bytes, const ReadLimits& limits) {
  if (bytes.starts_with("PK\x03\x04")) return read_xlsx(bytes, limits);
  if (bytes.starts_with("\xD0\xCF\x11\xE0")) {
    return std::unexpected(err("这是旧版 Excel（.xls）文件。请在 Excel 中另存为 .xlsx 或 CSV UTF-8 后再导入。",
                               "This is an old Excel (.xls) file. Save it as .xlsx or CSV UTF-8 in Excel and import that."));
  }
  return read_csv(bytes, limits);
}

}  // namespace laurel::web::documents
