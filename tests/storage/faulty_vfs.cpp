#include "tests/storage/faulty_vfs.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstddef>
#include <mutex>
#include <thread>
#include <chrono>

namespace laurel::storage::testing {
namespace {

// What is armed. `target` counts calls of `op` since arming; 0 means nothing is armed.
struct State {
  std::mutex mu;
  FaultyVfs::Op op = FaultyVfs::Op::write;
  int target = 0;
  int code = SQLITE_OK;
  bool sticky = false;
  std::atomic<bool> read_only{false};
  std::atomic<int> writes{0}, syncs{0}, injected{0};
  std::atomic<int> sync_delay_ms{0}, synced{0};
};

State& state() {
  static State s;
  return s;
}

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs faulty_vfs{};
// One table per io_methods version, so that SQLite never calls a method the real file lacks.
sqlite3_io_methods faulty_methods[3]{};

// The wrapper file: SQLite allocates szOsFile bytes; the real file lives right after this header.
struct File {
  sqlite3_file base;
  sqlite3_file* real;
  bool tracked;  // a database, WAL or rollback journal (not a temporary file)
};

constexpr int kTrackedKinds = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }
bool tracked(sqlite3_file* f) { return reinterpret_cast<File*>(f)->tracked; }

// Counts a call of `op`; returns the error to inject, or SQLITE_OK.
int count(FaultyVfs::Op op) {
  State& s = state();
  int n = op == FaultyVfs::Op::write ? ++s.writes : ++s.syncs;
  std::lock_guard lock(s.mu);
  if (s.target == 0 || s.op != op) return SQLITE_OK;
  if (n == s.target || (s.sticky && n > s.target)) {
    ++s.injected;
    return s.code;
  }
  return SQLITE_OK;
}

int x_close(sqlite3_file* f) {
  int rc = real(f)->pMethods->xClose(real(f));
  f->pMethods = nullptr;
  return rc;
}
int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), buf, amount, offset);
}
int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  if (tracked(f)) {
    if (state().read_only) {
      ++state().injected;
      return SQLITE_IOERR_WRITE;  // what the unix VFS reports for EROFS
    }
    if (int rc = count(FaultyVfs::Op::write); rc != SQLITE_OK) return rc;
  }
  return real(f)->pMethods->xWrite(real(f), buf, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (tracked(f) && state().read_only) return SQLITE_IOERR_TRUNCATE;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (tracked(f)) {
    if (state().read_only) return SQLITE_IOERR_FSYNC;
    if (int rc = count(FaultyVfs::Op::sync); rc != SQLITE_OK) return rc;
    if (int ms = state().sync_delay_ms; ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  int rc = real(f)->pMethods->xSync(real(f), flags);
  if (tracked(f)) ++state().synced;
  return rc;
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int x_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); }
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) { return real(f)->pMethods->xShmLock(real(f), offset, n, flags); }
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int remove) { return real(f)->pMethods->xShmUnmap(real(f), remove); }
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) { return real(f)->pMethods->xUnfetch(real(f), offset, p); }

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(File));
  file->tracked = name != nullptr && (flags & kTrackedKinds) != 0;
  f->pMethods = nullptr;
  if (file->tracked && state().read_only && (flags & SQLITE_OPEN_READWRITE)) {
    int exists = 0;
    real_vfs->xAccess(real_vfs, name, SQLITE_ACCESS_EXISTS, &exists);
    if (!exists) return SQLITE_CANTOPEN;  // cannot create a file on a read-only file system
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE)) | SQLITE_OPEN_READONLY;
  }
  int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
  if (file->real->pMethods == nullptr) return rc;
  // Even on failure the real file may need closing; SQLite calls xClose when pMethods is set.
  f->pMethods = &faulty_methods[std::clamp(file->real->pMethods->iVersion, 1, 3) - 1];
  return rc;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (state().read_only) return SQLITE_IOERR_DELETE;
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) { return real_vfs->xAccess(real_vfs, name, flags, out); }
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) { return real_vfs->xFullPathname(real_vfs, name, n, out); }
void* x_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) { return real_vfs->xDlSym(real_vfs, handle, symbol); }
void x_dl_close(sqlite3_vfs*, void* handle) { real_vfs->xDlClose(real_vfs, handle); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int x_sleep(sqlite3_vfs*, int micros) { return real_vfs->xSleep(real_vfs, micros); }
int x_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int x_get_last_error(sqlite3_vfs*, int n, char* out) { return real_vfs->xGetLastError(real_vfs, n, out); }
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) { return real_vfs->xCurrentTimeInt64(real_vfs, out); }

}  // namespace

FaultyVfs& FaultyVfs::install() {
  static FaultyVfs instance;
  static const bool installed = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    if (real_vfs == nullptr || real_vfs->iVersion < 2) std::abort();
    faulty_vfs.iVersion = 2;
    faulty_vfs.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
    faulty_vfs.mxPathname = real_vfs->mxPathname;
    faulty_vfs.zName = "laurel-faulty";
    faulty_vfs.xOpen = x_open;
    faulty_vfs.xDelete = x_delete;
    faulty_vfs.xAccess = x_access;
    faulty_vfs.xFullPathname = x_full_pathname;
    faulty_vfs.xDlOpen = x_dl_open;
    faulty_vfs.xDlError = x_dl_error;
    faulty_vfs.xDlSym = x_dl_sym;
    faulty_vfs.xDlClose = x_dl_close;
    faulty_vfs.xRandomness = x_randomness;
    faulty_vfs.xSleep = x_sleep;
    faulty_vfs.xCurrentTime = x_current_time;
    faulty_vfs.xGetLastError = x_get_last_error;
    faulty_vfs.xCurrentTimeInt64 = x_current_time_int64;

    sqlite3_io_methods m{};
    m.iVersion = 3;
    m.xClose = x_close;
    m.xRead = x_read;
    m.xWrite = x_write;
    m.xTruncate = x_truncate;
    m.xSync = x_sync;
    m.xFileSize = x_file_size;
    m.xLock = x_lock;
    m.xUnlock = x_unlock;
    m.xCheckReservedLock = x_check_reserved_lock;
    m.xFileControl = x_file_control;
    m.xSectorSize = x_sector_size;
    m.xDeviceCharacteristics = x_device_characteristics;
    m.xShmMap = x_shm_map;
    m.xShmLock = x_shm_lock;
    m.xShmBarrier = x_shm_barrier;
    m.xShmUnmap = x_shm_unmap;
    m.xFetch = x_fetch;
    m.xUnfetch = x_unfetch;
    for (int v = 1; v <= 3; ++v) {
      faulty_methods[v - 1] = m;
      faulty_methods[v - 1].iVersion = v;
    }
    return sqlite3_vfs_register(&faulty_vfs, 1) == SQLITE_OK;
  }();
  if (!installed) std::abort();
  instance.disarm();
  return instance;
}

void FaultyVfs::fail_nth(Op op, int nth, int code, bool sticky) {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.writes = 0;
  s.syncs = 0;
  s.injected = 0;
  s.op = op;
  s.target = nth;
  s.code = code;
  s.sticky = sticky;
}

void FaultyVfs::read_only(bool on) { state().read_only = on; }

void FaultyVfs::disarm() {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.target = 0;
  s.sticky = false;
  s.writes = 0;
  s.syncs = 0;
  s.injected = 0;
  s.read_only = false;
  s.sync_delay_ms = 0;
}

void FaultyVfs::slow_syncs(int millis) { state().sync_delay_ms = millis; }
int FaultyVfs::synced() const { return state().synced; }

int FaultyVfs::writes() const { return state().writes; }
int FaultyVfs::syncs() const { return state().syncs; }
int FaultyVfs::injected() const { return state().injected; }

}  // namespace laurel::storage::testing
