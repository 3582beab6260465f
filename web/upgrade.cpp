#include "web/upgrade.h"

#include <ctime>

#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/store.h"

namespace laurel::web {

std::expected<UpgradePlan, std::string> prepare_upgrade(const std::string& db_path, bool take_backup, long long now_utc) {
  UpgradePlan plan;
  plan.latest = storage::kSchemaVersion;
  try {
    storage::sql::Db db(db_path, storage::sql::Db::Mode::read_only);
    plan.found = storage::schema_version(db);
  } catch (const std::exception& e) {
    return std::unexpected(db_path + ": " + e.what());
  }
  if (plan.found > plan.latest) {
    return std::unexpected(db_path + ": the database has schema version " + std::to_string(plan.found) +
                           ", written by a newer Laurel; this one knows up to " + std::to_string(plan.latest) +
                           ". Nothing was changed. Run the newer Laurel again (downgrades are not supported), or restore a backup made by this version");
  }
  if (plan.found == 0 || plan.found == plan.latest || !take_backup) return plan;
  std::time_t t = static_cast<std::time_t>(now_utc);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  plan.backup = db_path + ".v" + std::to_string(plan.found) + "-" + stamp + ".bak";
  if (auto r = storage::Store::backup(db_path, plan.backup); !r) {
    return std::unexpected("before migrating " + db_path + " from schema version " + std::to_string(plan.found) + " to " +
                           std::to_string(plan.latest) + ", its backup failed: " + r.error().message + ". Nothing was changed");
  }
  return plan;
}

}  // namespace laurel::web
