#include "storage/sqlite.h"

#include "storage/page_cache.h"

namespace laurel::storage::sql {

bool SqliteError::is_io() const {
  int primary = code_ & 0xff;
  return primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY;
}

Db::Db(const std::string& path, Mode mode) {
  install_page_cache();  // before SQLite's first use in the process
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::read_write_create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case Mode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::read_only: flags |= SQLITE_OPEN_READONLY; break;
  }
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() {
  cache_->open = false;
  for (auto& [sql, idle] : cache_->idle) {
    for (sqlite3_stmt* st : idle) sqlite3_finalize(st);
    idle.clear();
  }
  sqlite3_close_v2(db_);  // a statement still out finalises later; SQLite closes then
}

sqlite3_stmt* Db::acquire(std::string_view sql, const std::string** key) {
  auto& idle = cache_->idle;
  auto it = idle.find(sql);
  if (it == idle.end() && idle.size() < kMaxCached) it = idle.emplace(std::string(sql), std::vector<sqlite3_stmt*>{}).first;
  *key = it == idle.end() ? nullptr : &it->first;
  if (it != idle.end() && !it->second.empty()) {
    sqlite3_stmt* st = it->second.back();
    it->second.pop_back();
    return st;
  }
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK) fail(rc, "prepare " + std::string(sql.substr(0, 60)));
  return st;
}

void Db::run(std::string_view sql) { Stmt(*this, sql).run(); }

void Db::fail(int rc, std::string_view context) {
  throw SqliteError(rc, std::string(context) + ": " + sqlite3_errmsg(db_));
}

void Db::sync_wal() {
  sqlite3_file* wal = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK || !wal || !wal->pMethods) return;
  if (int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL); rc != SQLITE_OK) throw SqliteError(rc, "syncing the WAL");
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(rc, msg);
  }
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  stmt_ = db.acquire(sql, &key_);  // not in the initialiser list: key_'s own initialiser runs after stmt_'s
  cache_ = db.cache_;
}

Stmt::~Stmt() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (cache_ && cache_->open && key_) {
    auto it = cache_->idle.find(*key_);
    if (it != cache_->idle.end() && it->second.size() < 4) {
      it->second.push_back(stmt_);
      return;
    }
  }
  sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, i, v);
  if (rc != SQLITE_OK) db_->fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_blob(int i, std::span<const std::uint8_t> v) {
  int rc = sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) db_->fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(stmt_, i);
  if (rc != SQLITE_OK) db_->fail(rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  int code = sqlite3_extended_errcode(db_->handle());
  std::string msg = sqlite3_errmsg(db_->handle());
  sqlite3_reset(stmt_);
  throw SqliteError(code ? code : rc, msg);
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Stmt::i64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::text(int col) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::span<const std::uint8_t> Stmt::blob_view(int col) const {
  auto p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::vector<std::uint8_t> Stmt::blob(int col) const {
  auto v = blob_view(col);
  return {v.begin(), v.end()};
}

Transaction::Transaction(Db& db, bool immediate) : db_(db) { db_.run(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.run("ROLLBACK");
    } catch (...) {
      // The transaction may already be gone (SQLite rolls back by itself on some errors).
    }
  }
}

void Transaction::commit() {
  db_.run("COMMIT");
  done_ = true;
}

}  // namespace laurel::storage::sql
