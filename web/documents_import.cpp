#include "web/documents_import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "engine/decide.h"
#include "storage/attachments.h"
#include "web/documents_export.h"
#include "web/i18n.h"

namespace laurel::web::documents {
namespace {

// Columns the nominations export writes but the import does not read.
const std::set<std::string> kExportOnly = {"id", "jurisdiction_name", "state", "office", "notice_id", "document_no",
                                           "named_at", "valid_until", "problems"};
const std::vector<std::string> kRequired = {"category", "level", "year", "jurisdiction", "name"};

struct Column {
  std::string id;
  std::string zh;
};

std::vector<Column> import_columns(const engine::Catalog& catalog) {
  std::vector<Column> cols{{"category", "类别"}, {"level", "级别"}, {"year", "年度"}, {"jurisdiction", "地区代码"}};
  for (const auto& [id, zh] : nominee_columns(catalog)) cols.push_back({id, zh});
  cols.push_back({"summary", "事迹摘要"});
  return cols;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "类别(category)", "类别（category）", "category" or "类别" → "category"; "" when unknown.
std::string column_id(const std::string& header, const std::vector<Column>& cols) {
  std::string h = trim(header);
  std::string inner;
  for (auto [open, close] : std::initializer_list<std::pair<std::string_view, std::string_view>>{{"(", ")"}, {"（", "）"}}) {
    if (h.ends_with(close)) {
      auto p = h.rfind(open);
      if (p != std::string::npos) inner = trim(h.substr(p + open.size(), h.size() - p - open.size() - close.size()));
    }
  }
  for (const std::string& candidate : {inner, h}) {
    if (candidate.empty()) continue;
    for (const auto& c : cols) if (c.id == candidate || c.zh == candidate) return c.id;
    if (kExportOnly.contains(candidate)) return candidate;
  }
  return "";
}

std::optional<std::string> category_id(const engine::Catalog& catalog, const std::string& v) {
  for (const auto& c : catalog.categories()) {
    if (c.id == v || c.name == v || c.name_en == v) return c.id;
  }
  return std::nullopt;
}

std::optional<std::string> level_id(const engine::Catalog& catalog, const std::string& v) {
  for (const auto& l : catalog.tree().levels()) {
    std::string key = "level_" + l;
    if (l == v || tr(Lang::zh, key) == v || tr(Lang::en, key) == v) return l;
  }
  return std::nullopt;
}

// Whole numbers, also as a spreadsheet may store them ("2018.0").
std::optional<long long> whole_number(std::string v) {
  if (v.ends_with(".0")) v.resize(v.size() - 2);
  if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return std::stoll(v);
}

}  // namespace

Table import_template(const engine::Catalog& catalog) {
  Table t;
  t.sheet_name = "nominations";
  for (const auto& c : import_columns(catalog)) t.header.push_back(header_cell(c.zh, c.id));
  return t;
}

ImportPlan plan_import(const Table& table, const engine::Catalog& catalog, const engine::Actor& actor, engine::Time now) {
  ImportPlan plan;
  plan.rows = table.rows.size();
  auto cols = import_columns(catalog);
  auto label = [&](const std::string& id) {
    for (const auto& c : cols) if (c.id == id) return header_cell(c.zh, c.id);
    return id;
  };

  // The header: every column known, none twice, the required ones present.
  std::vector<std::string> ids(table.header.size());
  std::map<std::string, std::size_t> where;
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    const std::string& h = table.header[i];
    if (trim(h).empty()) {
      plan.problems.push_back({0, column_letter(i), "第 " + column_letter(i) + " 列没有表头。", "Column " + column_letter(i) + " has no header."});
      continue;
    }
    ids[i] = column_id(h, cols);
    if (ids[i].empty()) {
      plan.problems.push_back({0, h, "未知的列“" + h + "”。请使用模板中的列。", "Unknown column \"" + h + "\". Use the template's columns."});
    } else if (!where.emplace(ids[i], i).second) {
      plan.problems.push_back({0, h, "列“" + h + "”重复。", "Column \"" + h + "\" appears twice."});
    }
  }
  for (const auto& r : kRequired) {
    if (!where.contains(r)) {
      plan.problems.push_back({0, label(r), "缺少必需的列“" + label(r) + "”。", "The required column \"" + label(r) + "\" is missing."});
    }
  }
  plan.rejected.sheet_name = "rejected";
  plan.rejected.header = table.header;
  plan.rejected.header.push_back(header_cell("问题", "problems"));
  if (!plan.problems.empty()) return plan;

  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& cells = table.rows[r];
    const std::size_t row_no = r + 2;
    std::vector<RowProblem> found;
    auto cell = [&](const std::string& id) -> std::string {
      auto it = where.find(id);
      return it == where.end() || it->second >= cells.size() ? "" : trim(cells[it->second]);
    };
    auto header_of = [&](const std::string& id) {
      auto it = where.find(id);
      return it == where.end() ? label(id) : table.header[it->second];
    };
    auto problem = [&](const std::string& id, std::string zh, std::string en) { found.push_back({row_no, header_of(id), std::move(zh), std::move(en)}); };
    for (std::size_t c = ids.size(); c < cells.size(); ++c) {
      if (!trim(cells[c]).empty()) {
        found.push_back({row_no, column_letter(c), "第 " + column_letter(c) + " 列没有表头，却有内容。", "Column " + column_letter(c) + " has a value but no header."});
      }
    }

    engine::Command cmd;
    cmd.action = "create";
    std::string v = cell("category");
    if (auto id = category_id(catalog, v)) cmd.category = *id;
    else problem("category", v.empty() ? "必填。" : "未知的类别“" + v + "”。", v.empty() ? "Required." : "Unknown category \"" + v + "\".");
    v = cell("level");
    if (auto id = level_id(catalog, v)) cmd.level = *id;
    else problem("level", v.empty() ? "必填。" : "未知的级别“" + v + "”（县级、市级、省级）。", v.empty() ? "Required." : "Unknown level \"" + v + "\" (county, city, province).");
    v = cell("year");
    if (auto y = whole_number(v); y && *y >= 2000 && *y <= 2100) cmd.year = static_cast<int>(*y);
    else problem("year", "应为 2000 至 2100 之间的年份，而不是“" + v + "”。", "Must be a year from 2000 to 2100, not \"" + v + "\".");
    v = cell("jurisdiction");
    if (auto n = whole_number(v)) v = std::to_string(*n);
    if (catalog.tree().find(v)) cmd.jurisdiction = v;
    else problem("jurisdiction", v.empty() ? "必填（行政区划代码，如 620922）。" : "未知的地区代码“" + v + "”。",
                 v.empty() ? "Required (a jurisdiction code such as 620922)." : "Unknown jurisdiction code \"" + v + "\".");
    const engine::Category* cat = catalog.category(cmd.category);
    std::map<std::string, std::string> nominee;
    for (const auto& [id, zh] : nominee_columns(catalog)) {
      std::string value = cell(id);
      if (value.empty()) continue;
      if (cat && !cat->field(id)) {
        problem(id, "类别“" + cat->name + "”没有这一项，请留空。", "Category \"" + cat->name_en + "\" has no such field; leave it empty.");
        continue;
      }
      nominee[id] = value;
    }
    cmd.nominee = nominee;
    cmd.summary = cell("summary");

    if (found.empty()) {
      // The engine's own check, exactly as for one nomination sent through the API.
      engine::Command probe = cmd;
      probe.new_id = "IMPORT-CHECK";
      engine::Context ctx{actor, now, catalog, std::nullopt};
      auto decision = engine::decide_create(probe, ctx);
      if (!decision) {
        const auto& rej = decision.error();
        if (rej.errors.empty()) {
          std::string zh = rej.code == engine::Problem::forbidden ? "您没有在地区 " + cmd.jurisdiction + " 申报的权限。" : field_message(Lang::zh, rej.detail);
          problem("jurisdiction", zh, rej.detail);
        }
        for (const auto& e : rej.errors) {
          std::string id = e.field.starts_with("nominee.") ? e.field.substr(8) : e.field;
          problem(id, field_message(Lang::zh, e.message), e.message);
        }
      }
    }
    if (found.empty()) {
      plan.commands.push_back(std::move(cmd));
      plan.command_rows.push_back(row_no);
      continue;
    }
    std::vector<std::string> bad = cells;
    bad.resize(table.header.size());
    std::string what;
    for (const auto& p : found) what += (what.empty() ? "" : "；") + p.column + "：" + p.zh + " / " + p.en;
    bad.push_back(what);
    plan.rejected.rows.push_back(std::move(bad));
    plan.problems.insert(plan.problems.end(), found.begin(), found.end());
  }
  return plan;
}

int ImportOutcome::http_status() const {
  switch (kind) {
    case Kind::forbidden: return 403;
    case Kind::too_large: return 413;
    case Kind::bad_mode:
    case Kind::empty:
    case Kind::unreadable:
    case Kind::refused:
    case Kind::refused_when_written: return 422;
    case Kind::unavailable: return 503;
    case Kind::imported: return 201;
  }
  return 500;
}

std::string ImportOutcome::refusal_detail() const {
  if (kind == Kind::refused_when_written) return "a row was refused when it was written; nothing was imported";
  if (plan.file_problem()) return "the file's columns are not those of the template; nothing was imported";
  if (plan.problems.empty()) return "the file holds no rows; nothing was imported";
  return std::to_string(plan.rejected.rows.size()) + " of " + std::to_string(plan.rows) + " rows have problems; nothing was imported";
}

bool may_import(const engine::Actor& actor) {
  return std::any_of(actor.roles.begin(), actor.roles.end(), [](const engine::RoleGrant& g) { return g.role == "nominator"; });
}

ImportOutcome import_file(storage::Store& store, const ImportUpload& upload) {
  ImportOutcome out;
  const ReadLimits limits;
  out.max_file_bytes = limits.max_file_bytes;
  if (!may_import(upload.caller.actor)) {
    // Refused before a byte is read, and recorded like every action the caller may not take.
    storage::AuditRecord rec;
    rec.at = upload.now;
    rec.who = storage::Who{upload.caller.actor.user, "nominator", "", upload.caller.auth, upload.caller.address};
    rec.kind = "import";
    rec.action = "import_nominations";
    rec.object_type = "import";
    rec.outcome = "denied";
    rec.reason = engine::Rejection{engine::Problem::forbidden, "importing nominations needs the nominator role", {}, {}};
    rec.new_value = boost::json::object{{"file_name", upload.file_name}, {"imported", 0}};
    (void)store.append_record(std::move(rec));
    out.kind = ImportOutcome::Kind::forbidden;
    return out;
  }
  if (upload.mode != "all" && upload.mode != "valid") {
    out.kind = ImportOutcome::Kind::bad_mode;
    return out;
  }
  if (upload.length > limits.max_file_bytes) {
    out.kind = ImportOutcome::Kind::too_large;
    return out;
  }
  if (upload.length == 0) {
    out.kind = ImportOutcome::Kind::empty;
    return out;
  }
  std::string bytes;
  if (upload.path.empty()) {
    if (upload.offset + upload.length > upload.memory.size()) {
      out.kind = ImportOutcome::Kind::unavailable;
      out.stored.error = "the upload is shorter than its part";
      return out;
    }
    bytes = std::string(upload.memory.substr(upload.offset, upload.length));
  } else {
    std::ifstream in(upload.path, std::ios::binary);
    bytes.resize(upload.length);
    in.seekg(static_cast<std::streamoff>(upload.offset));
    in.read(bytes.data(), static_cast<std::streamsize>(upload.length));
    if (!in || in.gcount() != static_cast<std::streamsize>(upload.length)) {
      out.kind = ImportOutcome::Kind::unavailable;
      out.stored.error = "cannot read the uploaded file";
      return out;
    }
  }
  out.sha256 = storage::sha256_hex(bytes);
  auto parsed = read_table(bytes, limits);
  if (!parsed) {
    out.kind = ImportOutcome::Kind::unreadable;
    out.unreadable = parsed.error();
    return out;
  }
  out.plan = plan_import(*parsed, store.catalog(), upload.caller.actor, upload.now);
  const ImportPlan& plan = out.plan;
  if (plan.file_problem() || plan.commands.empty() || (upload.mode == "all" && !plan.problems.empty())) {
    out.kind = ImportOutcome::Kind::refused;
    return out;
  }
  storage::ImportRequest req;
  req.caller = upload.caller;
  req.rows = plan.commands;
  req.file_name = upload.file_name;
  req.file_sha256 = out.sha256;
  req.rows_in_file = static_cast<std::int64_t>(plan.rows);
  req.now = upload.now;
  out.stored = store.import_nominations(std::move(req));
  if (!out.stored.error.empty()) out.kind = ImportOutcome::Kind::unavailable;
  else if (!out.stored.accepted) out.kind = ImportOutcome::Kind::refused_when_written;
  else out.kind = ImportOutcome::Kind::imported;
  return out;
}

}  // namespace laurel::web::documents
