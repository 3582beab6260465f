#include "storage/page_cache.h"

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <new>

// Why this exists. When SQLite's B-tree rebalances a node it puts the new pages in ascending
// order by swapping page numbers, and it parks a page under a temporary number while it does so:
// the page of the lock byte (PENDING_BYTE / page size + 1; 262145 for 4 KiB pages), which no real
// page ever has. The default page cache (pcache1) remembers the largest number it has ever held
// ("iMaxKey") and does not forget it when the page moves on. At the end of every transaction the
// pager truncates the cache to the database's size; while that remembered maximum lies more than
// a hash table's length beyond the size, pcache1 walks its whole hash table and every page in it
// instead of the few buckets past the end. With the writer's 64 MiB cache (16,000 pages) that walk
// was 12 % of the writer's time in the storage benchmark: one rebalance per batch is enough.
//
// The wrapper hands every call to pcache1 unchanged except one: the temporary number is held
// under key 0, which SQLite never uses (page numbers start at 1), so the maximum stays the real
// one and the truncation looks at the buckets past the end only. The mapping is one-to-one and
// applied to every key going in (fetch, rekey), so pcache1 sees a consistent cache. A page spends
// only the three calls of one swap under the temporary number; nothing truncates or fetches in
// between. tests/storage/page_cache_test.cpp rebalances, commits, rolls back and checks the data.

namespace laurel::storage {
namespace {

sqlite3_pcache_methods2 inner;  // SQLite's default page cache, as it was before the wrapper
bool installed = false;
std::atomic<unsigned long long> parked{0};

struct Cache {
  sqlite3_pcache* inner;
  unsigned temporary_key;  // the lock byte's page number at this cache's page size
};

Cache* as_cache(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }
unsigned key_for(const Cache* c, unsigned key) { return key == c->temporary_key ? 0u : key; }

int x_init(void*) { return inner.xInit(inner.pArg); }
void x_shutdown(void*) {
  if (inner.xShutdown) inner.xShutdown(inner.pArg);
}
sqlite3_pcache* x_create(int page_size, int extra, int purgeable) {
  auto* c = new (std::nothrow) Cache{nullptr, 0};
  if (!c) return nullptr;
  c->inner = inner.xCreate(page_size, extra, purgeable);
  if (!c->inner) {
    delete c;
    return nullptr;
  }
  // SQLite's PENDING_BYTE (0x40000000) over the page size, plus one: the page that holds it.
  c->temporary_key = page_size > 0 ? 0x40000000u / static_cast<unsigned>(page_size) + 1 : 0;
  return reinterpret_cast<sqlite3_pcache*>(c);
}
void x_cachesize(sqlite3_pcache* p, int n) { inner.xCachesize(as_cache(p)->inner, n); }
int x_pagecount(sqlite3_pcache* p) { return inner.xPagecount(as_cache(p)->inner); }
sqlite3_pcache_page* x_fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache* c = as_cache(p);
  return inner.xFetch(c->inner, key_for(c, key), create);
}
void x_unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) { inner.xUnpin(as_cache(p)->inner, page, discard); }
void x_rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = as_cache(p);
  if (new_key == c->temporary_key) parked.fetch_add(1, std::memory_order_relaxed);
  inner.xRekey(c->inner, page, key_for(c, old_key), key_for(c, new_key));
}
void x_truncate(sqlite3_pcache* p, unsigned limit) { inner.xTruncate(as_cache(p)->inner, limit); }
void x_destroy(sqlite3_pcache* p) {
  Cache* c = as_cache(p);
  inner.xDestroy(c->inner);
  delete c;
}
void x_shrink(sqlite3_pcache* p) {
  if (inner.xShrink) inner.xShrink(as_cache(p)->inner);
}

}  // namespace

bool install_page_cache() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_pcache_methods2 current{};
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &current) != SQLITE_OK || !current.xCreate) return;
    sqlite3_pcache_methods2 wrapper{};
    wrapper.iVersion = 1;
    wrapper.xInit = x_init;
    wrapper.xShutdown = x_shutdown;
    wrapper.xCreate = x_create;
    wrapper.xCachesize = x_cachesize;
    wrapper.xPagecount = x_pagecount;
    wrapper.xFetch = x_fetch;
    wrapper.xUnpin = x_unpin;
    wrapper.xRekey = x_rekey;
    wrapper.xTruncate = x_truncate;
    wrapper.xDestroy = x_destroy;
    wrapper.xShrink = x_shrink;
    inner = current;
    // Refused (SQLITE_MISUSE) once SQLite is initialised: the default cache stays, untouched.
    installed = sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrapper) == SQLITE_OK;
  });
  return installed;
}

bool page_cache_installed() { return installed; }
unsigned long long page_cache_parked() { return parked.load(std::memory_order_relaxed); }

}  // namespace laurel::storage
