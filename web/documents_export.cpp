#include "web/documents_export.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/decide.h"
#include "storage/audit_record.h"
#include "storage/canonical_json.h"
#include "storage/merkle.h"
#include "web/api_json.h"
#include "web/i18n.h"

namespace laurel::web::documents {
namespace {

std::string level_zh(std::string_view level) {
  std::string key = "level_" + std::string(level);
  std::string_view t = tr(Lang::zh, key);
  return t == key ? std::string(level) : std::string(t);
}

std::string category_zh(const engine::Catalog& catalog, std::string_view id) {
  const auto* c = catalog.category(id);
  return c ? c->name : std::string(id);
}

std::string jurisdiction_zh(const engine::Catalog& catalog, std::string_view code) {
  const auto* j = catalog.tree().find(code);
  return j ? j->name : std::string(code);
}

std::string state_zh(const engine::Catalog& catalog, const engine::Nomination& n) {
  if (const auto* def = catalog.definition(n.workflow_id, n.workflow_version)) {
    int i = def->state_index(n.state);
    if (i >= 0) return def->state(i).name;
  }
  return n.state;
}

std::string day(const engine::Catalog& catalog, engine::Time t) {
  if (t <= 0) return "";
  return engine::format_date(catalog.calendar().local_date(t));
}

std::string field(const engine::Nomination& n, const std::string& key) {
  auto it = n.nominee.find(key);
  return it == n.nominee.end() ? "" : it->second;
}

}  // namespace

std::string header_cell(std::string_view zh, std::string_view id) { return std::string(zh) + "(" + std::string(id) + ")"; }

std::vector<std::pair<std::string, std::string>> nominee_columns(const engine::Catalog& catalog) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& c : catalog.categories()) {
    for (const auto& f : c.nominee_fields) {
      if (!seen.insert(f.id).second) continue;
      // "name" is 单位名称 for units and 姓名 for people: the column says 名称.
      out.emplace_back(f.id, f.id == "name" ? "名称" : f.name);
    }
  }
  return out;
}

std::vector<engine::Nomination> all_nominations(storage::Store& store, storage::ListQuery q, const engine::Actor& viewer, std::size_t max) {
  std::vector<engine::Nomination> out;
  q.per_page = 200;
  for (q.page = 1;; ++q.page) {
    auto page = store.list(q, viewer);
    for (auto& n : page.items) {
      if (out.size() >= max) return out;
      out.push_back(std::move(n));
    }
    if (page.items.size() < 200 || static_cast<std::int64_t>(out.size()) >= page.total) break;
  }
  return out;
}

Table nominations_table(const std::vector<engine::Nomination>& list, const engine::Actor& viewer, const engine::Catalog& catalog) {
  Table t;
  t.sheet_name = "nominations";
  auto fields = nominee_columns(catalog);
  t.header = {header_cell("编号", "id"), header_cell("类别", "category"), header_cell("级别", "level"), header_cell("年度", "year"),
              header_cell("地区代码", "jurisdiction"), header_cell("地区", "jurisdiction_name")};
  for (const auto& [id, zh] : fields) t.header.push_back(header_cell(zh, id));
  for (auto [zh, id] : std::initializer_list<std::pair<const char*, const char*>>{
           {"事迹摘要", "summary"}, {"状态", "state"}, {"当前机关", "office"}, {"公示编号", "notice_id"},
           {"文号", "document_no"}, {"命名日期", "named_at"}, {"有效期至", "valid_until"}}) {
    t.header.push_back(header_cell(zh, id));
  }
  for (const auto& n : list) {
    Visibility vis = visibility_for(n, viewer, catalog);
    const engine::Category* cat = catalog.category(n.category);
    std::vector<std::string> row{n.id, category_zh(catalog, n.category), level_zh(n.level), std::to_string(n.year), n.jurisdiction,
                                 jurisdiction_zh(catalog, n.jurisdiction)};
    for (const auto& [id, zh] : fields) {
      const engine::NomineeField* f = cat ? cat->field(id) : nullptr;
      row.push_back(f && (!f->personal || vis.personal) ? field(n, id) : "");
    }
    row.push_back(n.summary);
    row.push_back(state_zh(catalog, n));
    row.push_back(jurisdiction_zh(catalog, n.office));
    row.push_back(n.notice_id);
    row.push_back(n.document_no);
    row.push_back(day(catalog, n.named_at));
    row.push_back(day(catalog, n.valid_until));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table stats_table(storage::Store& store, std::optional<int> year, const std::optional<std::string>& office) {
  const auto& catalog = store.catalog();
  Table t;
  t.sheet_name = "statistics";
  auto named = store.stats_named(year, office);
  auto by_state = store.stats_by_state(year, office);
  // One row per (level, category); the named count, then one column per current state.
  std::vector<std::string> states;
  for (const auto* def : catalog.definitions()) {
    for (const auto& s : def->states) {
      if (std::find(states.begin(), states.end(), s.id) == states.end()) states.push_back(s.id);
    }
  }
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::int64_t>> cells;
  for (const auto& s : named) cells[{s.level, s.category}]["#named"] += s.count;
  for (const auto& s : by_state) cells[{s.level, s.category}][s.state] += s.count;
  std::vector<std::string> used;
  for (const auto& st : states) {
    bool any = std::any_of(cells.begin(), cells.end(), [&](const auto& kv) { return kv.second.contains(st); });
    if (any) used.push_back(st);
  }
  t.header = {header_cell("级别", "level"), header_cell("类别", "category"), header_cell("类别编号", "category_id"),
              header_cell("已命名（含后来撤销、期满）", "named_total")};
  auto state_label = [&](const std::string& id) {
    for (const auto* def : catalog.definitions()) {
      int i = def->state_index(id);
      if (i >= 0) return def->state(i).name;
    }
    return id;
  };
  for (const auto& s : used) t.header.push_back(header_cell("当前" + state_label(s), s));
  for (const auto& [key, counts] : cells) {
    std::vector<std::string> row{level_zh(key.first), category_zh(catalog, key.second), key.second};
    auto count = [&](const std::string& k) {
      auto it = counts.find(k);
      return std::to_string(it == counts.end() ? 0 : it->second);
    };
    row.push_back(count("#named"));
    for (const auto& s : used) row.push_back(count(s));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table notice_table(const storage::Notice& notice, const engine::Catalog& catalog) {
  Table t;
  t.sheet_name = "notice";
  t.header = {header_cell("公示编号", "notice_id"), header_cell("公示标题", "title"), header_cell("序号", "no"),
              header_cell("编号", "nomination_id"), header_cell("名称", "name"), header_cell("类别", "category"),
              header_cell("地区", "jurisdiction_name"), header_cell("事迹摘要", "summary"),
              header_cell("公示开始", "starts_at"), header_cell("公示结束", "ends_at")};
  int no = 0;
  for (const auto& n : notice.nominations) {
    if (n.state == "withdrawn" || n.state == "removed") continue;
    t.rows.push_back({notice.id, notice.title, std::to_string(++no), n.id, field(n, "name"), category_zh(catalog, n.category),
                      jurisdiction_zh(catalog, n.jurisdiction), n.summary, engine::format_rfc3339(notice.starts_at),
                      engine::format_rfc3339(notice.ends_at)});
  }
  return t;
}

Table decision_table(const storage::Decision& decision, const engine::Catalog& catalog) {
  Table t;
  t.sheet_name = "decision";
  t.header = {header_cell("文号", "document_no"), header_cell("决定标题", "title"), header_cell("序号", "no"),
              header_cell("编号", "nomination_id"), header_cell("名称", "name"), header_cell("类别", "category"),
              header_cell("地区", "jurisdiction_name"), header_cell("命名日期", "named_at"), header_cell("有效期至", "valid_until"),
              header_cell("现状", "state")};
  int no = 0;
  for (const auto& n : decision.nominations) {
    t.rows.push_back({decision.document_no, decision.title, std::to_string(++no), n.id, field(n, "name"),
                      category_zh(catalog, n.category), jurisdiction_zh(catalog, n.jurisdiction), day(catalog, n.named_at),
                      day(catalog, n.valid_until), state_zh(catalog, n)});
  }
  return t;
}

Table audit_table(const std::vector<storage::RecordRow>& rows) {
  Table t;
  t.sheet_name = "audit";
  t.header = {header_cell("序号", "index"), header_cell("时间", "at"), header_cell("用户", "user"), header_cell("角色", "role"),
              header_cell("辖区", "jurisdiction"), header_cell("方式", "auth"), header_cell("种类", "kind"), header_cell("动作", "action"),
              header_cell("对象", "object_id"), header_cell("结果", "outcome"), header_cell("原因", "reason"),
              header_cell("批次", "batch"), header_cell("备注", "comment"), header_cell("叶哈希", "leaf_hash")};
  static const char* hex = "0123456789abcdef";
  for (const auto& row : rows) {
    auto value = storage::parse_canonical_json(row.bytes);
    std::optional<storage::AuditRecord> r;
    if (value) r = storage::AuditRecord::from_json(*value);
    auto leaf = storage::merkle::leaf_hash(std::string_view(row.bytes));
    std::string leaf_hex;
    for (auto c : leaf) { leaf_hex.push_back(hex[c >> 4]); leaf_hex.push_back(hex[c & 15]); }
    if (!r) {
      t.rows.push_back({std::to_string(row.index), "", "", "", "", "", "", "", "", "", "unreadable record", "", "", leaf_hex});
      continue;
    }
    t.rows.push_back({std::to_string(row.index), engine::format_rfc3339(r->at), r->who.user, r->who.role, r->who.jurisdiction,
                      r->who.auth, r->kind, r->action, r->object_id, r->outcome, r->reason ? r->reason->detail : "", r->batch,
                      r->comment, leaf_hex});
  }
  return t;
}

std::string download_name(std::string_view what, Format format) {
  std::string safe;
  for (char c : what) safe.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-');
  return "laurel-" + safe + "." + std::string(extension(format));
}

}  // namespace laurel::web::documents
