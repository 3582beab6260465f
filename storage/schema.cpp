#include "storage/schema.h"

#include <optional>
#include <vector>

#include "storage/merkle.h"

namespace laurel::storage {
namespace {

// Each entry is one migration; entry i takes the schema from version i to i + 1. Never edit a
// migration that has shipped: add a new one.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- The audit log is the event log: append-only (the triggers refuse UPDATE and DELETE).
CREATE TABLE audit_log (
  idx INTEGER PRIMARY KEY,          -- leaf index, from 0
  record BLOB NOT NULL,             -- canonical JSON bytes (storage/AUDIT_FORMAT.md)
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  object_id TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_id, idx);
CREATE INDEX audit_log_actor ON audit_log(actor, idx);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Complete subtree hashes of the Merkle tree over the log: (level, index) covers leaves
-- [index * 2^level, (index + 1) * 2^level).
CREATE TABLE merkle_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE signing_keys (key_id TEXT PRIMARY KEY, name TEXT NOT NULL, verifier_key TEXT NOT NULL,
                           created_at INTEGER NOT NULL, retired_at INTEGER) WITHOUT ROWID;

-- Personal data lives here, erasable; records hold a salted commitment to it.
CREATE TABLE personal_data (commitment TEXT PRIMARY KEY, salt BLOB NOT NULL, value TEXT, erased_at INTEGER) WITHOUT ROWID;

-- Projections, written in the same transaction as the records they come from.
CREATE TABLE nominations (
  id TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL, workflow_version INTEGER NOT NULL,
  category TEXT NOT NULL, level TEXT NOT NULL, year INTEGER NOT NULL,
  jurisdiction TEXT NOT NULL, jpath TEXT NOT NULL, office TEXT NOT NULL, office_level TEXT NOT NULL,
  owner TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
  name TEXT NOT NULL, summary TEXT NOT NULL,
  notice_id TEXT, document_no TEXT, named_at INTEGER, parent_id TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  snapshot BLOB NOT NULL             -- cereal binary of engine::Nomination
) WITHOUT ROWID;
CREATE INDEX nominations_office ON nominations(office, state);
CREATE INDEX nominations_quota ON nominations(office, level, category, year, state);
CREATE INDEX nominations_owner ON nominations(owner);
CREATE INDEX nominations_jpath ON nominations(jpath);
CREATE INDEX nominations_notice ON nominations(notice_id) WHERE notice_id IS NOT NULL;
CREATE INDEX nominations_decision ON nominations(document_no) WHERE document_no IS NOT NULL;
CREATE INDEX nominations_year ON nominations(year, level, category);
-- Full-text search of names and summaries; trigrams work for Chinese, which has no spaces.
CREATE VIRTUAL TABLE nominations_fts USING fts5(id UNINDEXED, name, summary, tokenize = 'trigram');

CREATE TABLE notices (id TEXT PRIMARY KEY, title TEXT NOT NULL, office TEXT NOT NULL, level TEXT NOT NULL,
                      starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE decisions (document_no TEXT PRIMARY KEY, title TEXT NOT NULL, office TEXT NOT NULL, level TEXT NOT NULL,
                        named_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE objections (id TEXT PRIMARY KEY, nomination_id TEXT NOT NULL, notice_id TEXT NOT NULL,
                         state TEXT NOT NULL, received_at INTEGER NOT NULL, contact TEXT) WITHOUT ROWID;
CREATE INDEX objections_nomination ON objections(nomination_id);
CREATE TABLE quotas (office TEXT NOT NULL, level TEXT NOT NULL, category TEXT NOT NULL, year INTEGER NOT NULL,
                     lim INTEGER NOT NULL, PRIMARY KEY (office, level, category, year)) WITHOUT ROWID;
-- The next due system action of each nomination that has one.
CREATE TABLE timers (nomination_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL, action TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX timers_due ON timers(due_at);

-- Users and their roles (projections of the user records); credentials are not in the log.
CREATE TABLE users (username TEXT PRIMARY KEY, display_name TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE user_roles (username TEXT NOT NULL, role TEXT NOT NULL, jurisdiction TEXT NOT NULL,
                         PRIMARY KEY (username, role, jurisdiction)) WITHOUT ROWID;
CREATE TABLE credentials (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, changed_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE sessions (id_hash BLOB PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, auth TEXT NOT NULL,
                       created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE api_tokens (token_hash BLOB PRIMARY KEY, username TEXT NOT NULL, name TEXT NOT NULL,
                         created_at INTEGER NOT NULL, revoked_at INTEGER) WITHOUT ROWID;
CREATE TABLE idempotency (username TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
                          response TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (username, key)) WITHOUT ROWID;

-- Attachments: the bytes are files named by their SHA-256 beside the database.
CREATE TABLE attachments (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content_type TEXT NOT NULL,
                          created_at INTEGER NOT NULL) WITHOUT ROWID;
-- The workflow definitions installed, as the text they were loaded from.
CREATE TABLE workflow_definitions (id TEXT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL,
                                   installed_at INTEGER NOT NULL, PRIMARY KEY (id, version)) WITHOUT ROWID;
)sql",
    // 2: full-text rows keyed by an integer (nominations.fts_key = the FTS rowid), so that updating
    // a nomination's text is a rowid lookup instead of a scan of the unindexed id column.
    R"sql(
ALTER TABLE nominations ADD COLUMN fts_key INTEGER;
DROP TABLE nominations_fts;
CREATE VIRTUAL TABLE nominations_fts USING fts5(id UNINDEXED, name, summary, tokenize = 'trigram');
CREATE TEMP TABLE fts_keys AS SELECT id, row_number() OVER (ORDER BY created_at, id) AS k FROM nominations;
CREATE UNIQUE INDEX temp.fts_keys_id ON fts_keys(id);
UPDATE nominations SET fts_key = (SELECT k FROM fts_keys WHERE fts_keys.id = nominations.id);
DROP TABLE temp.fts_keys;
INSERT INTO nominations_fts (rowid, id, name, summary) SELECT fts_key, id, name, summary FROM nominations;
)sql",
    // 3: the rotation point of a retired signing key: the size of the last checkpoint it signed (the
    // one covering its rotate_key record). A retired key may sign nothing larger. Keys retired
    // before this migration get it from their rotation record.
    R"sql(
ALTER TABLE signing_keys ADD COLUMN retired_size INTEGER;
UPDATE signing_keys SET retired_size = (
  SELECT idx + 1 FROM audit_log
  WHERE kind = 'system' AND action = 'rotate_key'
    AND json_extract(CAST(record AS TEXT), '$.old.verifier_key') = signing_keys.verifier_key
  ORDER BY idx LIMIT 1)
WHERE retired_at IS NOT NULL;
)sql",
    // 4 (documents): verification codes printed on certificates, naming decisions and publicity
    // notices. A code leads to the audit record of the naming (or approval) it stands for.
    R"sql(
CREATE TABLE verification_codes (
  code TEXT PRIMARY KEY,            -- 10 characters of Crockford base32, random
  kind TEXT NOT NULL,               -- certificate | decision | notice
  document_no TEXT NOT NULL,        -- the decision's 文号, or the notice id
  nomination_id TEXT NOT NULL,      -- the named nomination (certificate), else ''
  audit_index INTEGER NOT NULL,     -- the record of the naming (approval for a notice)
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX verification_codes_subject ON verification_codes(kind, document_no, nomination_id);
)sql",
    // 5: tree nodes keyed by their post-order position (merkle::postorder_position), the order the
    // writer completes them in: each commit appends at the end of one B-tree instead of writing into
    // every level's part of the (level, idx) key; a proof reads each node by one rowid lookup; the
    // verifier reads all nodes in one pass. level and idx stay as columns, for people reading the
    // table (and the verifier checks them).
    R"sql(
CREATE TABLE merkle_nodes_by_position (pos INTEGER PRIMARY KEY, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL);
INSERT INTO merkle_nodes_by_position (pos, level, idx, hash)
  SELECT laurel_node_position(level, idx), level, idx, hash FROM merkle_nodes ORDER BY 1;
DROP TABLE merkle_nodes;
ALTER TABLE merkle_nodes_by_position RENAME TO merkle_nodes;
)sql",
    // 6: less written per command. A nomination's snapshot (~2 KB) moves to a table of its own keyed
    // by the nomination's integer key (fts_key, also its full-text rowid): in the WITHOUT ROWID
    // nominations table every row overflowed its page, so each command wrote the row's page, a new
    // overflow page and the free list. And the attachments table goes: every attach wrote it, at a
    // random page (its key is a SHA-256), and nothing read it; an attachment's hash, size and type
    // stay in its nomination and in the attach record.
    R"sql(
CREATE TABLE nomination_snapshots (k INTEGER PRIMARY KEY, snapshot BLOB NOT NULL);
INSERT INTO nomination_snapshots (k, snapshot) SELECT fts_key, snapshot FROM nominations ORDER BY fts_key;
ALTER TABLE nominations DROP COLUMN snapshot;
DROP TABLE attachments;
)sql",
};

static_assert(std::size(kMigrations) == kSchemaVersion, "kSchemaVersion is the number of migrations");

// laurel_node_position(level, idx), for migration 5: merkle::postorder_position, an error for a
// node that no tree has (the migration then fails, leaving the database as it was).
void node_position(sqlite3_context* context, int, sqlite3_value** argv) {
  const sqlite3_int64 level = sqlite3_value_int64(argv[0]), index = sqlite3_value_int64(argv[1]);
  std::optional<std::uint64_t> position;
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER && sqlite3_value_type(argv[1]) == SQLITE_INTEGER && level >= 0 && level < 64 &&
      index >= 0) {
    position = merkle::postorder_position(static_cast<std::uint32_t>(level), static_cast<std::uint64_t>(index));
  }
  if (!position) {
    const std::string message = "merkle_nodes holds a node no tree has (level " + std::to_string(level) + ", index " +
                                std::to_string(index) + "): run `laurel audit verify` with the Laurel that wrote it";
    sqlite3_result_error(context, message.c_str(), -1);
    return;
  }
  sqlite3_result_int64(context, static_cast<sqlite3_int64>(*position));
}

bool has_table(sql::Db& db, const char* name) {
  sql::Stmt s(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
  s.bind(1, name);
  return s.step();
}

}  // namespace

void register_sql_functions(sql::Db& db) {
  sqlite3_create_function(db.handle(), "laurel_node_position", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, node_position, nullptr,
                          nullptr);
}

int schema_version(sql::Db& db) {
  sql::Stmt s(db, "PRAGMA user_version");
  s.step();
  return static_cast<int>(s.i64(0));
}

std::expected<int, std::string> migrate(sql::Db& db) {
  int found = schema_version(db);
  int known = static_cast<int>(std::size(kMigrations));
  if (found > known) {
    return std::unexpected("the database has schema version " + std::to_string(found) + ", written by a newer Laurel; this one knows up to " +
                           std::to_string(known) + ". Upgrade Laurel; downgrades are not supported");
  }
  if (found == 0) {
    sql::Stmt s(db, "SELECT count(*) FROM sqlite_schema");
    s.step();
    if (s.i64(0) != 0 && !has_table(db, "audit_log")) {
      return std::unexpected("the file is an SQLite database but not a Laurel one (it has other tables); refusing to touch it");
    }
  }
  if (found < known) register_sql_functions(db);
  for (int v = found; v < known; ++v) {
    sql::Transaction t(db);
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    t.commit();
  }
  return found;
}

}  // namespace laurel::storage
