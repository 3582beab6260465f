// A read-ahead SQLite VFS for whole-log scans (`laurel audit verify`, `laurel audit export`). SQLite
// reads one page (4 KiB) per read() call; a scan of a large log then costs one system call per page,
// which dominates where system calls are dear (virtual machines: about 10 µs each on the
// development machine, against 1 µs to hash a record). This VFS wraps the default one and serves the
// main database file's reads from 256 KiB blocks read at once (the last 64 kept: a scan walks
// several B-trees at once); everything else (the WAL, its index, locks) goes straight through.
// The reads come first from a shared read-only mapping of the whole file, made at the first read
// under a lock (a page is then one copy from the page cache, with no system call and no kernel
// copy, which was a fifth of a verification's CPU); pages beyond it (the file grew since) from the
// blocks, which are themselves mappings (MAP_POPULATE) or, where mapping fails, reads. A shared
// mapping shows the file as it is, as read() does, so it may outlast a transaction; the blocks may not:
//
// Blocks are cached only while the connection holds a lock on the file, and dropped whenever a lock
// changes (on the file, or on the WAL index, where WAL-mode read transactions begin and end), so
// that a block never outlives the read transaction in which it was read (SQLite also reads the
// header when it opens a connection, before any lock: that read is not cached). Within one read
// transaction the pages SQLite takes from the database file do not change: a WAL checkpoint never
// copies frames newer than a reader's snapshot, and in rollback mode no one writes while a reader
// holds its lock. tests/storage/audit_verify_test.cpp verifies while writers run, which failed
// within a few runs before the lock rule.
#pragma once

#include <memory>
#include <string>

#include "storage/sqlite.h"

namespace laurel::storage {

// The URI to open `path` read-only through the read-ahead VFS (registered on first use), for
// sql::Db(…, Mode::read_only). SQLite on Debian accepts URI filenames by default.
std::string readahead_uri(const std::string& path);

// A read-only connection for a scan: through the read-ahead VFS, or a plain one where this SQLite
// does not take URI filenames. Throws sql::SqliteError as sql::Db does.
std::unique_ptr<sql::Db> open_for_scan(const std::string& path);

}  // namespace laurel::storage
