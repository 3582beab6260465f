#include "storage/readahead_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>

#include "storage/page_cache.h"

namespace laurel::storage {
namespace {

constexpr const char* kName = "laurel-readahead";
// A scan walks several B-trees at once (the log, and one cursor per level of the tree nodes), each
// moving forward through its own part of the file: a few blocks per cursor stay cached.
constexpr sqlite3_int64 kBlock = 256 << 10;
constexpr int kBlocks = 64;

// A block is the file's pages mapped (MAP_POPULATE: the page cache's pages put in place at once,
// with no copy and no fault per page: the kernel's copy into a buffer was a fifth of a verification),
// or, when the file cannot be mapped, read into a buffer.
struct Block {
  char* data = nullptr;  // kBlock bytes, allocated on first use (only when not mapped)
  char* map = nullptr;   // the mapping, or null
  std::size_t map_length = 0;
  sqlite3_int64 start = 0;
  sqlite3_int64 length = -1;  // valid bytes; -1: empty
  std::uint64_t used = 0;     // for least-recently-used replacement
  const char* bytes() const { return map ? map : data; }
  void empty() {
    if (map) munmap(map, map_length);
    map = nullptr;
    length = -1;
  }
};

struct File {
  sqlite3_file base;   // must come first: SQLite sees this
  sqlite3_file* real;  // the wrapped file, in the same allocation, after this struct
  bool main_db;
  Block* blocks;  // kBlocks of them, or null
  std::uint64_t clock;
  int lock;  // the file lock held (SQLITE_LOCK_*): reads without one are not cached
  int fd;    // the main database file opened again, read-only, for mapping; -1 if not
  // The whole file as it was at the first read in a transaction, mapped once (pages come in by
  // the kernel's fault-around, sixteen at a time); reads beyond it go through the blocks.
  char* whole;
  std::size_t whole_length;
  bool whole_tried;
};

sqlite3_vfs* real_vfs = nullptr;

File* of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real(sqlite3_file* f) { return of(f)->real; }
void drop_blocks(File* f) {
  if (!f->blocks) return;
  for (int i = 0; i < kBlocks; ++i) f->blocks[i].empty();
}

int x_close(sqlite3_file* f) {
  File* file = of(f);
  int rc = file->real->pMethods ? file->real->pMethods->xClose(file->real) : SQLITE_OK;
  if (file->whole) munmap(file->whole, file->whole_length);
  file->whole = nullptr;
  if (file->fd >= 0) ::close(file->fd);
  file->fd = -1;
  if (file->blocks) {
    for (int i = 0; i < kBlocks; ++i) {
      file->blocks[i].empty();
      sqlite3_free(file->blocks[i].data);
    }
    sqlite3_free(file->blocks);
    file->blocks = nullptr;
  }
  return rc;
}

// The cached block holding [start, start + kBlock), reading it when needed.
int find_block(File* file, sqlite3_int64 start, Block** found) {
  if (!file->blocks) {
    file->blocks = static_cast<Block*>(sqlite3_malloc64(sizeof(Block) * kBlocks));
    if (!file->blocks) return SQLITE_IOERR_NOMEM;
    for (int i = 0; i < kBlocks; ++i) new (&file->blocks[i]) Block();
  }
  Block* victim = &file->blocks[0];
  for (int i = 0; i < kBlocks; ++i) {
    Block& b = file->blocks[i];
    if (b.length >= 0 && b.start == start) {
      b.used = ++file->clock;
      *found = &b;
      return SQLITE_OK;
    }
    if (b.length < 0 ? victim->length >= 0 || b.used < victim->used : victim->length >= 0 && b.used < victim->used) victim = &b;
  }
  victim->empty();
  sqlite3_file* r = file->real;
  sqlite3_int64 size = 0;
  int rc = r->pMethods->xFileSize(r, &size);
  if (rc != SQLITE_OK) return rc;
  const sqlite3_int64 length = std::clamp<sqlite3_int64>(size - start, 0, kBlock);
  if (length > 0 && file->fd >= 0) {
    // Whole pages of the file only (start is a multiple of kBlock, so of the page size).
    const long page = sysconf(_SC_PAGESIZE);
    const auto mapped = static_cast<std::size_t>((length + page - 1) / page * page);
    void* m = mmap(nullptr, mapped, PROT_READ, MAP_PRIVATE | MAP_POPULATE, file->fd, static_cast<off_t>(start));
    if (m != MAP_FAILED) {
      victim->map = static_cast<char*>(m);
      victim->map_length = mapped;
    }
  }
  if (!victim->map && !victim->data) {
    victim->data = static_cast<char*>(sqlite3_malloc64(kBlock));
    if (!victim->data) return SQLITE_IOERR_NOMEM;
  }
  if (length > 0 && !victim->map) {
    rc = r->pMethods->xRead(r, victim->data, static_cast<int>(length), start);
    if (rc != SQLITE_OK) return rc;  // a short read here means the file shrank under us
  }
  victim->start = start;
  victim->length = length;
  victim->used = ++file->clock;
  *found = victim;
  return SQLITE_OK;
}

int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  File* file = of(f);
  sqlite3_file* r = file->real;
  const sqlite3_int64 start = offset / kBlock * kBlock;
  // Only inside a transaction (a file lock held) are the database file's pages stable; SQLite also
  // reads the header when it opens the connection, before any lock, and that read must not linger.
  if (!file->main_db || file->lock < SQLITE_LOCK_SHARED || offset + amount > start + kBlock) {
    return r->pMethods->xRead(r, out, amount, offset);
  }
  if (!file->whole_tried && file->fd >= 0) {
    file->whole_tried = true;
    sqlite3_int64 size = 0;
    if (r->pMethods->xFileSize(r, &size) == SQLITE_OK && size > 0) {
      void* m = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, file->fd, 0);
      if (m != MAP_FAILED) {
        file->whole = static_cast<char*>(m);
        file->whole_length = static_cast<std::size_t>(size);
      }
    }
  }
  if (file->whole && static_cast<std::size_t>(offset + amount) <= file->whole_length) {
    std::memcpy(out, file->whole + offset, static_cast<std::size_t>(amount));
    return SQLITE_OK;
  }
  Block* block = nullptr;
  int rc = find_block(file, start, &block);
  if (rc != SQLITE_OK) return rc;
  const sqlite3_int64 at = offset - start;
  const sqlite3_int64 available = std::max<sqlite3_int64>(0, block->length - at);
  const sqlite3_int64 copied = std::min<sqlite3_int64>(available, amount);
  if (copied > 0) std::memcpy(out, block->bytes() + at, static_cast<std::size_t>(copied));
  if (copied < amount) {
    // As the unix VFS does past the end of the file: zeros, and a short-read code.
    std::memset(static_cast<char*>(out) + copied, 0, static_cast<std::size_t>(amount - copied));
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  drop_blocks(of(f));
  return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  drop_blocks(of(f));
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); }
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
// Every change of lock is a transaction's start or end: what was read before may have changed.
int x_lock(sqlite3_file* f, int level) {
  drop_blocks(of(f));
  const int rc = real(f)->pMethods->xLock(real(f), level);
  if (rc == SQLITE_OK) of(f)->lock = level;
  return rc;
}
int x_unlock(sqlite3_file* f, int level) {
  drop_blocks(of(f));
  const int rc = real(f)->pMethods->xUnlock(real(f), level);
  if (rc == SQLITE_OK) of(f)->lock = level;
  return rc;
}
int x_check_reserved_lock(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) {
  int rc = real(f)->pMethods->xFileControl(real(f), op, arg);
  if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK) {
    *static_cast<char**>(arg) = sqlite3_mprintf("%s/%z", kName, *static_cast<char**>(arg));
  }
  return rc;
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
// In WAL mode the file lock stays while the connection is open; a read transaction begins and ends
// with locks on the WAL index instead, so those drop the blocks too.
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  drop_blocks(of(f));
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int delete_flag) { return real(f)->pMethods->xShmUnmap(real(f), delete_flag); }
// No memory mapping through this VFS: every page comes through x_read.
int x_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
int x_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = of(f);
  file->base.pMethods = nullptr;
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  file->blocks = nullptr;
  file->clock = 0;
  file->lock = SQLITE_LOCK_NONE;
  file->fd = file->main_db && name ? ::open(name, O_RDONLY | O_CLOEXEC) : -1;
  file->whole = nullptr;
  file->whole_length = 0;
  file->whole_tried = false;
  int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  if (file->real->pMethods) {
    file->base.pMethods = &kMethods;
  } else if (file->fd >= 0) {
    ::close(file->fd);
    file->fd = -1;
  }
  return rc;
}

sqlite3_vfs vfs;

void register_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    install_page_cache();  // sqlite3_config works only before sqlite3_initialize
    if (sqlite3_initialize() != SQLITE_OK) throw std::runtime_error("sqlite3_initialize failed");
    real_vfs = sqlite3_vfs_find(nullptr);
    if (!real_vfs) throw std::runtime_error("SQLite has no default VFS");
    vfs = *real_vfs;
    vfs.iVersion = std::min(real_vfs->iVersion, 3);
    vfs.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
    vfs.zName = kName;
    vfs.pNext = nullptr;
    vfs.xOpen = x_open;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) throw std::runtime_error("cannot register the read-ahead VFS");
  });
}

}  // namespace

std::string readahead_uri(const std::string& path) {
  register_vfs();
  static const char* hex = "0123456789ABCDEF";
  std::string uri = "file:";
  if (path.starts_with("/")) uri += "//";  // file:///abs/path
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7F) {
      uri += '%';
      uri += hex[c >> 4];
      uri += hex[c & 15];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + "?vfs=" + kName + "&mode=ro";
}

std::unique_ptr<sql::Db> open_for_scan(const std::string& path) {
  if (sqlite3_compileoption_used("USE_URI")) {
    try {
      return std::make_unique<sql::Db>(readahead_uri(path), sql::Db::Mode::read_only);
    } catch (const sql::SqliteError&) {
      // Fall through: the plain connection reports the real problem, if any.
    }
  }
  return std::make_unique<sql::Db>(path, sql::Db::Mode::read_only);
}

}  // namespace laurel::storage
