// The database schema and its migrations: numbered, forward-only, each applied in its own
// transaction. A database written by a newer Laurel (a higher schema version than this build knows)
// is refused with a clear message and left untouched.
#pragma once

#include <expected>
#include <string>

#include "storage/sqlite.h"

namespace laurel::storage {

inline constexpr int kSchemaVersion = 3;

// Applies the missing migrations. Returns the version found before, or an error (newer database,
// not a Laurel database).
std::expected<int, std::string> migrate(sql::Db& db);

// The schema version stored in the database (0 for an empty database).
int schema_version(sql::Db& db);

}  // namespace laurel::storage
