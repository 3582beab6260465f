// Shared set-up for the audit tests: a store grown to a few hundred records through real commands
// (some committed one by one, some together, so that checkpoints cover one or several records),
// consistent copies to tamper with, and the tampering an attacker with write access to the file
// would do (the append-only triggers dropped first).
#pragma once

#include <functional>
#include <string>

#include "storage/audit_tree.h"
#include "storage/checkpoint.h"
#include "storage/merkle.h"
#include "storage/sqlite.h"
#include "tests/storage/store_fixture.h"

namespace laurel::storage::testing {

class AuditTest : public StoreTest {
 protected:
  std::string db() const { return options().db_path; }
  // Runs commands until the log holds at least `records` records.
  void grow_to(std::int64_t records);
  CommandRequest create_request();
  // A consistent copy of the live database (SQLite's backup API), named in the test folder.
  std::string copy_db(const std::string& name);
  std::string path(const std::string& name) const { return (dir.path() / name).string(); }
  // The latest checkpoint's note and the current verifier key.
  std::string latest_note();
  std::string verifier_key();
};

// Opens `db_path` for writing, drops the audit log's append-only triggers, and runs `change`.
void tamper(const std::string& db_path, const std::function<void(sql::Db&)>& change);
// Recomputes every merkle_nodes row from the records, as an attacker who knows the format would
// after editing records.
void rewrite_tree(sql::Db& db);
// Appends a record with its leaf and subtree nodes but no checkpoint.
void append_unsigned_record(sql::Db& db, const std::string& bytes);
std::string record_bytes(sql::Db& db, std::int64_t index);
// Changes one byte of a record so that it stays canonical JSON (the first letter of its outcome).
void change_one_byte(std::string& record);
void set_record_bytes(sql::Db& db, std::int64_t index, const std::string& bytes);
std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace laurel::storage::testing
