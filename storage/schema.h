// The database schema and its migrations: numbered, forward-only, each applied in its own
// transaction. A database written by a newer Laurel (a higher schema version than this build knows)
// is refused with a clear message and left untouched.
#pragma once

#include <expected>
#include <string>

#include "storage/sqlite.h"

namespace laurel::storage {

inline constexpr int kSchemaVersion = 6;  // the number of migrations (checked in schema.cpp)

// Applies the missing migrations. Returns the version found before, or an error (newer database,
// not a Laurel database).
std::expected<int, std::string> migrate(sql::Db& db);

// The schema version stored in the database (0 for an empty database).
int schema_version(sql::Db& db);

// Registers Laurel's SQL functions on a connection: laurel_node_position(level, idx), the
// post-order key of a tree node (merkle::postorder_position; an error for a node no tree has). The
// migrations use it, and readers of a database older than schema 5 (a backup, read-only) use it to
// read the tree nodes in the order the verifier wants.
void register_sql_functions(sql::Db& db);
// The first schema whose merkle_nodes rows are keyed by that position (column pos).
inline constexpr int kNodesByPositionSchema = 5;

}  // namespace laurel::storage
