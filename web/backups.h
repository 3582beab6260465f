// Scheduled backups (`laurel backup --db DB --dir DIR --keep N`, run nightly by deploy/systemd's
// laurel-backup.timer): a consistent online copy of the database into DIR/laurel-TIME.db, checked
// with the audit verifier before it counts, the new attachment files copied into DIR/files/ (they are
// content-addressed and never change, so one shared folder serves every copy), the oldest copies
// beyond N removed, and the outcome written to DB.last-backup for /metrics and the backup-age alert.
// The signing key is never copied: it is kept apart from the database's backups.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

namespace laurel::web {

struct BackupRun {
  std::string db;        // the live database
  std::string files;     // its attachments folder
  std::string dir;       // where the copies go
  int keep = 7;          // copies kept (at least 1)
  long long now = 0;     // Unix seconds, for the copy's name and the status
};

struct BackupResult {
  std::string file;             // the verified copy
  std::int64_t records = 0;     // audit records in it
  std::int64_t attachments = 0; // attachment files copied this time
  int removed = 0;              // old copies removed
};

// Runs one backup; on any failure the copy is removed, nothing old is pruned, the status is not
// updated, and the error says what failed.
std::expected<BackupResult, std::string> run_backup(const BackupRun& run, std::ostream& log);

// The status file beside the database (DB.last-backup).
std::string backup_status_path(const std::string& db);
// (finished at, records) of the last successful scheduled backup, if any.
std::optional<std::pair<long long, std::int64_t>> read_backup_status(const std::string& db);

}  // namespace laurel::web
