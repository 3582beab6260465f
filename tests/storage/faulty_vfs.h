// An SQLite VFS for tests that wraps the real default VFS and injects failures: an I/O error or a
// full disk on the Nth write or sync of a database or WAL file, a disk that stays full until
// disarmed, and a read-only file system. Installed as SQLite's default VFS, so a Store that opens
// its database without naming a VFS goes through it. Unarmed, it only passes calls through and
// counts writes and syncs. Thread-safe: the store's writer thread and the test thread both use it.
#pragma once

#include <sqlite3.h>

namespace laurel::storage::testing {

class FaultyVfs {
 public:
  enum class Op { write, sync };

  // Registers the shim as the default VFS (once per process) and returns it, disarmed.
  static FaultyVfs& install();

  // Fails the `nth` call of `op` from now on (1 = the next one) with `code` (e.g. SQLITE_IOERR_WRITE,
  // SQLITE_FULL). With `sticky`, that call and every later one of the same kind fail until disarm():
  // a disk that stays full.
  void fail_nth(Op op, int nth, int code, bool sticky = false);
  // Every write fails with SQLITE_FULL until disarm().
  void disk_full() { fail_nth(Op::write, 1, SQLITE_FULL, true); }
  // Behaves like a read-only file system: opening a database, WAL or journal for writing opens it
  // read-only (as SQLite does after EROFS), creating one fails with SQLITE_CANTOPEN, and writes,
  // truncations and deletions fail.
  void read_only(bool on);
  void disarm();
  // Every sync of a database or WAL file takes this much longer (0: as the disk takes), until
  // disarm(); synced() counts the syncs that have returned.
  void slow_syncs(int millis);
  int synced() const;

  // Counts since the last arm or disarm: calls seen on database and WAL files, and failures injected.
  int writes() const;
  int syncs() const;
  int injected() const;

  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;

 private:
  FaultyVfs() = default;
};

}  // namespace laurel::storage::testing
