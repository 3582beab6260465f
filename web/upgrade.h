// Upgrading a database on start: before the store migrates an older schema, a consistent copy is
// taken beside the database (DB.vN-YYYYMMDDTHHMMSSZ.bak), so that a failed or regretted upgrade can
// be undone by restoring it; a database from a newer Laurel is refused before anything is written.
#pragma once

#include <expected>
#include <optional>
#include <string>

namespace laurel::web {

struct UpgradePlan {
  int found = 0;        // the database's schema version
  int latest = 0;       // this build's
  std::string backup;   // the copy taken ("" when none was needed)
};

// Reads the schema version (read-only). Newer than this build: an error naming both versions, and
// nothing is written. Older and `take_backup`: copies the database first (error if the copy fails).
// `now_utc` is the time written into the backup's name (Unix seconds).
std::expected<UpgradePlan, std::string> prepare_upgrade(const std::string& db_path, bool take_backup, long long now_utc);

}  // namespace laurel::web
