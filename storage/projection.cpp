#include "storage/projection.h"

#include "engine/decide.h"
#include "engine/serialization.h"
#include "storage/snapshot_archive.h"

namespace laurel::storage {
namespace bj = boost::json;

std::string jurisdiction_path(const engine::JurisdictionTree& tree, const std::string& code) {
  std::vector<std::string> parts;
  const engine::Jurisdiction* j = tree.find(code);
  while (j) {
    parts.push_back(j->code);
    j = j->parent >= 0 ? &tree.all()[static_cast<std::size_t>(j->parent)] : nullptr;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += *it + "/";
  return out;
}

std::vector<std::uint8_t> snapshot_bytes(const engine::Nomination& n) {
  std::vector<std::uint8_t> out;
  out.reserve(2048);
  SnapshotOutputArchive ar(out);
  ar(n);
  return out;
}

engine::Nomination from_snapshot(std::span<const std::uint8_t> bytes) {
  SnapshotInputArchive ar(bytes);
  engine::Nomination n;
  ar(n);
  if (!ar.done()) throw cereal::Exception("a snapshot has bytes after its nomination");
  return n;
}

void Projector::write_nomination(const engine::Nomination& n) {
  auto name = n.nominee.contains("name") ? n.nominee.at("name") : std::string();
  auto opt = [](const std::string& v) { return v.empty() ? std::optional<std::string>() : std::optional<std::string>(v); };
  // What the row holds now decides how little to write: the full-text row changes only with the
  // name or summary, and the indexed columns only with a move (most commands change neither, and
  // an UPDATE that does not name an indexed column leaves that index alone).
  std::optional<std::int64_t> fts_key;
  bool exists = false, text_changed = true, keys_changed = true;
  {
    sql::Stmt old(db_, "SELECT fts_key, name, summary, office, office_level, state, notice_id, document_no, named_at"
                       " FROM nominations WHERE id = ?");
    old.bind(1, n.id);
    if (old.step()) {
      exists = true;
      if (!old.is_null(0)) fts_key = old.i64(0);
      text_changed = old.text(1) != name || old.text(2) != n.summary;
      keys_changed = old.text(3) != n.office || old.text(4) != n.office_level || old.text(5) != n.state ||
                     old.text(6) != n.notice_id || old.text(7) != n.document_no ||
                     (old.is_null(8) ? n.named_at != 0 : old.i64(8) != n.named_at);
    }
  }
  if (!fts_key) {
    sql::Stmt ins(db_, "INSERT INTO nominations_fts (id, name, summary) VALUES (?, ?, ?)");
    ins.bind(1, n.id).bind(2, name).bind(3, n.summary).run();
    fts_key = sqlite3_last_insert_rowid(db_.handle());
  } else if (text_changed) {
    sql::Stmt up(db_, "UPDATE nominations_fts SET name = ?, summary = ? WHERE rowid = ?");
    up.bind(1, name).bind(2, n.summary).bind(3, *fts_key).run();
  }
  {
    sql::Stmt snap(db_, "INSERT INTO nomination_snapshots (k, snapshot) VALUES (?, ?)"
                        " ON CONFLICT(k) DO UPDATE SET snapshot = excluded.snapshot");
    snap.bind(1, *fts_key).bind_blob(2, snapshot_bytes(n)).run();
  }
  if (exists && !keys_changed && !text_changed) {
    sql::Stmt up(db_, "UPDATE nominations SET version = ?, updated_at = ?, fts_key = ? WHERE id = ?");
    up.bind(1, n.version).bind(2, n.updated_at).bind(3, *fts_key).bind(4, n.id).run();
    return;
  }

  static const char* kUpsert =
      "INSERT INTO nominations (id, workflow_id, workflow_version, category, level, year, jurisdiction, jpath, office,"
      " office_level, owner, state, version, name, summary, notice_id, document_no, named_at, parent_id, created_at,"
      " updated_at, fts_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
      " ON CONFLICT(id) DO UPDATE SET office = excluded.office, office_level = excluded.office_level,"
      " state = excluded.state, version = excluded.version, name = excluded.name, summary = excluded.summary,"
      " notice_id = excluded.notice_id, document_no = excluded.document_no, named_at = excluded.named_at,"
      " updated_at = excluded.updated_at, fts_key = excluded.fts_key";
  sql::Stmt s(db_, kUpsert);
  s.bind(1, n.id).bind(2, n.workflow_id).bind(3, n.workflow_version).bind(4, n.category).bind(5, n.level).bind(6, n.year);
  s.bind(7, n.jurisdiction).bind(8, jurisdiction_path(catalog_.tree(), n.jurisdiction)).bind(9, n.office).bind(10, n.office_level);
  s.bind(11, n.owner).bind(12, n.state).bind(13, n.version).bind(14, name).bind(15, n.summary);
  s.bind(16, opt(n.notice_id)).bind(17, opt(n.document_no));
  if (n.named_at) s.bind(18, n.named_at); else s.bind_null(18);
  s.bind(19, opt(n.parent_id)).bind(20, n.created_at).bind(21, n.updated_at).bind(22, *fts_key);
  s.run();
}

void Projector::write_timer(const engine::Nomination& n) {
  auto due = engine::next_due(n, catalog_);
  if (due) {
    sql::Stmt s(db_, "INSERT INTO timers (nomination_id, due_at, action) VALUES (?, ?, ?)"
                     " ON CONFLICT(nomination_id) DO UPDATE SET due_at = excluded.due_at, action = excluded.action");
    s.bind(1, n.id).bind(2, due->at).bind(3, due->action).run();
  } else {
    sql::Stmt s(db_, "DELETE FROM timers WHERE nomination_id = ?");
    s.bind(1, n.id).run();
  }
}

void Projector::apply(const engine::Event& e, const engine::Nomination& after, const std::string& objection_contact) {
  write_nomination(after);
  write_timer(after);
  for (const auto& c : e.changes) {
    if (const auto* p = std::get_if<engine::change::PublicityOpened>(&c)) {
      sql::Stmt s(db_, "INSERT INTO notices (id, title, office, level, starts_at, ends_at, created_at) VALUES (?,?,?,?,?,?,?)"
                       " ON CONFLICT(id) DO NOTHING");
      s.bind(1, p->notice_id).bind(2, p->title).bind(3, after.office).bind(4, after.office_level).bind(5, p->starts);
      s.bind(6, p->ends).bind(7, e.at).run();
    } else if (const auto* nm = std::get_if<engine::change::Named>(&c)) {
      sql::Stmt s(db_, "INSERT INTO decisions (document_no, title, office, level, named_at) VALUES (?,?,?,?,?)"
                       " ON CONFLICT(document_no) DO NOTHING");
      s.bind(1, nm->document_no).bind(2, nm->title).bind(3, after.office).bind(4, after.office_level).bind(5, e.at).run();
    } else if (const auto* o = std::get_if<engine::change::ObjectionLodged>(&c)) {
      sql::Stmt s(db_, "INSERT INTO objections (id, nomination_id, notice_id, state, received_at, contact) VALUES (?,?,?,?,?,?)");
      s.bind(1, o->objection.id).bind(2, after.id).bind(3, after.notice_id).bind(4, o->objection.state);
      s.bind(5, o->objection.received_at);
      if (objection_contact.empty()) s.bind_null(6); else s.bind(6, objection_contact);
      s.run();
    } else if (const auto* r = std::get_if<engine::change::ObjectionResolved>(&c)) {
      sql::Stmt s(db_, "UPDATE objections SET state = ? WHERE id = ?");
      s.bind(1, r->outcome).bind(2, r->objection_id).run();
    }
  }
}

void Projector::apply_user(const bj::value& v, engine::Time at) {
  const auto& o = v.as_object();
  std::string username(o.at("username").as_string());
  sql::Stmt up(db_, "INSERT INTO users (username, display_name, disabled, created_at, updated_at) VALUES (?,?,?,?,?)"
                    " ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, disabled = excluded.disabled,"
                    " updated_at = excluded.updated_at");
  up.bind(1, username).bind(2, std::string(o.at("display_name").as_string())).bind(3, o.at("disabled").as_bool() ? 1 : 0);
  up.bind(4, at).bind(5, at).run();
  sql::Stmt del(db_, "DELETE FROM user_roles WHERE username = ?");
  del.bind(1, username).run();
  for (const auto& g : o.at("roles").as_array()) {
    sql::Stmt ins(db_, "INSERT OR IGNORE INTO user_roles (username, role, jurisdiction) VALUES (?,?,?)");
    ins.bind(1, username).bind(2, std::string(g.at("role").as_string())).bind(3, std::string(g.at("jurisdiction").as_string())).run();
  }
}

void Projector::apply_quota(const bj::value& v) {
  const auto& o = v.as_object();
  sql::Stmt s(db_, "INSERT INTO quotas (office, level, category, year, lim) VALUES (?,?,?,?,?)"
                   " ON CONFLICT(office, level, category, year) DO UPDATE SET lim = excluded.lim");
  s.bind(1, std::string(o.at("office").as_string())).bind(2, std::string(o.at("level").as_string()));
  s.bind(3, std::string(o.at("category").as_string())).bind(4, o.at("year").as_int64()).bind(5, o.at("limit").as_int64()).run();
}

void Projector::clear(sql::Db& db) {
  for (const char* t : {"nominations", "nomination_snapshots", "nominations_fts", "notices", "decisions", "objections", "timers",
                        "users", "user_roles", "quotas"}) {
    db.exec(std::string("DELETE FROM ") + t);
  }
}

}  // namespace laurel::storage
