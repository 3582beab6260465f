// A thin RAII layer over the SQLite C API, internal to storage/: a connection, prepared statements
// with typed binding and reading, and transactions. Errors are reported as SqliteError exceptions
// inside storage only; the storage interface turns them into error values. No SQLite type or SQL
// string leaves storage/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace laurel::storage::sql {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  // Disk full or an I/O error: the operation failed, the database is intact, retry may succeed.
  bool is_io() const;
  bool is_busy() const { return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED; }

 private:
  int code_;
};

class Db {
 public:
  enum class Mode { read_write_create, read_write, read_only };
  Db(const std::string& path, Mode mode);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs a script of any number of statements (migrations, pragmas); nothing is cached.
  void exec(std::string_view sql);
  // Runs one statement without result rows through the statement cache (BEGIN, COMMIT, SAVEPOINT …).
  void run(std::string_view sql);
  sqlite3* handle() { return db_; }
  // Syncs the WAL file this connection reads (if it has one open): what it has read is then on the
  // disk. For a reader that hands on what it read (a backup, an export) while a server may have
  // committed without a sync yet (its syncer syncs before it answers, not before others read).
  void sync_wal();
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  [[noreturn]] void fail(int rc, std::string_view context);

 private:
  friend class Stmt;
  // Prepared statements are kept per connection, keyed by their SQL text, and reused: a Stmt takes an
  // idle one (or prepares it) and gives it back, reset, when it is destroyed. Preparing was a quarter
  // of the writer's time. At most kMaxCached distinct texts; beyond that statements are not kept.
  // The cache is shared with the statements out of it, so a Stmt that outlives its Db still finalises
  // safely (SQLite keeps a closed connection alive until its last statement is finalised).
  static constexpr std::size_t kMaxCached = 256;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Cache {
    bool open = true;
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>, Hash, std::equal_to<>> idle;
  };
  sqlite3_stmt* acquire(std::string_view sql, const std::string** key);

  sqlite3* db_ = nullptr;
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_), key_(o.key_), cache_(std::move(o.cache_)) { o.stmt_ = nullptr; }

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind_blob(int i, std::span<const std::uint8_t> v);
  Stmt& bind_null(int i);
  template <typename T>
  Stmt& bind(int i, const std::optional<T>& v) { return v ? bind(i, *v) : bind_null(i); }

  // Steps once: true when a row is available.
  bool step();
  // Steps to completion (for statements without rows) and resets.
  void run();
  void reset();

  bool is_null(int col) const;
  std::int64_t i64(int col) const;
  std::string text(int col) const;
  std::vector<std::uint8_t> blob(int col) const;
  std::span<const std::uint8_t> blob_view(int col) const;  // valid until the next step/reset

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const std::string* key_ = nullptr;  // the cache slot it returns to, or none
  std::shared_ptr<Db::Cache> cache_;
};

// BEGIN IMMEDIATE … COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db, bool immediate = true);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace laurel::storage::sql
