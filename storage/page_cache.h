// SQLite's own page cache (pcache1) behind a thin wrapper that keeps one of its bookkeeping
// figures true; see page_cache.cpp for why. Internal to storage/.
#pragma once

namespace laurel::storage {

// Puts the wrapper in place, once per process, before SQLite's first use (sqlite3_config works
// only before sqlite3_initialize). Every connection storage opens calls it first. False when
// SQLite was already initialised by someone else (a test's VFS, say): the default cache then
// stays, which is correct, only slower.
bool install_page_cache();

// Whether the wrapper is SQLite's page cache in this process (for the storage benchmark's header).
bool page_cache_installed();

// How many times a page was parked under the temporary number (for the tests: the case arises).
unsigned long long page_cache_parked();

}  // namespace laurel::storage
