// Storage figures, printed (a program, not a timed test):
//  1. Durable commands per second through Store::execute with 1, 8 and 64 concurrent submitters on
//     the workload's journey (create, five attachments, submit, accept, three scores, close the
//     evaluation: each submitter on its own nominations), with p50 and p99 latency; beside it the
//     physical limit measured in the same run: raw SQLite inserts of the very record bytes the run
//     wrote, into a table with the store's sync settings (WAL, synchronous=FULL), committed in
//     batches of the store's average group-commit size.
//  2. A log of 1,000,000 records built through the store: build time, database size, and the
//     start-up time (Store::open) and resident memory of a fresh process that opens it.
// Reproduce: deploy/bench-storage.sh, or
//   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C build/release store_bench
//   build/release/tests/store_bench [--seconds 5] [--records 1000000] [--dir /var/tmp] [--keep]
#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/storage/workload.h"
#include "web/catalog_files.h"

namespace {

namespace fs = std::filesystem;
using laurel::storage::CommandResult;
using laurel::storage::Options;
using laurel::storage::Store;
using Clock = std::chrono::steady_clock;

constexpr laurel::engine::Time kNow = 1547427600;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

Options options_for(const fs::path& dir) {
  Options o;
  o.db_path = (dir / "laurel.db").string();
  o.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  o.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
  return o;
}

// audit_tree false: the same store without leaf and tree hashes and checkpoints (Options::audit_tree),
// to show what the verifiable log costs on the write path.
std::unique_ptr<Store> fresh_store(const fs::path& dir, const laurel::engine::Catalog& catalog, bool audit_tree = true) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  Options o = options_for(dir);
  if (auto made = Store::init(o, catalog, {}, "correct horse battery staple", kNow); !made) die(made.error().message);
  o.audit_tree = audit_tree;
  auto store = Store::open(o, catalog);
  if (!store) die(store.error().message);
  if (auto users = laurel::storage::testing::add_workload_users(**store, kNow); !users) die(users.error());
  return std::move(*store);
}

// A read-only look at the database beside the store (WAL readers do not block the writer).
struct Peek {
  explicit Peek(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) die("cannot open " + path);
  }
  ~Peek() { sqlite3_close(db); }
  std::int64_t scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
    std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
  }
  std::vector<std::string> records_from(std::int64_t idx, int limit) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT record FROM audit_log WHERE idx >= ? ORDER BY idx LIMIT ?", -1, &s, nullptr);
    sqlite3_bind_int64(s, 1, idx);
    sqlite3_bind_int(s, 2, limit);
    while (sqlite3_step(s) == SQLITE_ROW) {
      out.emplace_back(static_cast<const char*>(sqlite3_column_blob(s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
    }
    sqlite3_finalize(s);
    return out;
  }
  sqlite3* db = nullptr;
};

void exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) die("cannot open " + path);
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) die(path + ": " + (err ? err : "?"));
  sqlite3_close(db);
}

// The bulk path for the large log. Each write of a nomination deletes its full-text row by id, an
// UNINDEXED column of the FTS5 table, which scans the whole table: a command costs time in
// proportion to the number of nominations, and a million records through the store take hours.
// So the log is built by the store itself (its writer, records, Merkle nodes, checkpoints and every
// other projection exactly as in service) with the full-text table swapped for a plain table of
// the same columns, which is turned back into the FTS5 table, with the same rows, at the end.
constexpr const char* kFtsToPlain =
    "BEGIN IMMEDIATE; DROP TABLE nominations_fts;"
    " CREATE TABLE nominations_fts (id TEXT PRIMARY KEY, name TEXT NOT NULL, summary TEXT NOT NULL) WITHOUT ROWID; COMMIT";
constexpr const char* kPlainToFts =
    "BEGIN IMMEDIATE; ALTER TABLE nominations_fts RENAME TO nominations_fts_plain;"
    // As in storage/schema.cpp:
    " CREATE VIRTUAL TABLE nominations_fts USING fts5(id UNINDEXED, name, summary, tokenize = 'trigram');"
    " INSERT INTO nominations_fts (id, name, summary) SELECT id, name, summary FROM nominations_fts_plain ORDER BY id;"
    " DROP TABLE nominations_fts_plain; COMMIT";

// Submitters each running journeys on their own nominations until `stop`; returns per-command
// latencies in microseconds.
struct Run {
  std::vector<std::int64_t> latencies_us;
  std::int64_t failed = 0;
  double seconds = 0;
};

Run drive(Store& store, const laurel::engine::Catalog& catalog, int submitters, std::function<bool()> stop) {
  const int length = laurel::storage::testing::journey_length(catalog);
  std::vector<std::vector<std::int64_t>> lat(static_cast<std::size_t>(submitters));
  std::atomic<std::int64_t> failed{0};
  std::atomic<bool> done{false};
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < submitters; ++t) {
    pool.emplace_back([&, t] {
      auto& mine = lat[static_cast<std::size_t>(t)];
      mine.reserve(1 << 16);
      for (std::uint64_t journey = 0; !done.load(std::memory_order_relaxed); ++journey) {
        std::string id;
        std::int64_t version = 0;
        const std::uint64_t salt = (static_cast<std::uint64_t>(t) << 40) + journey + (static_cast<std::uint64_t>(::getpid()) << 50);
        for (int step = 0; step < length && !done.load(std::memory_order_relaxed); ++step) {
          auto req = laurel::storage::testing::journey_step(catalog, step, id, version, kNow, salt);
          const auto t0 = Clock::now();
          CommandResult r = store.execute(std::move(*req));
          mine.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
          if (r.status != CommandResult::Status::accepted) {
            ++failed;
            break;
          }
          id = r.nomination->id;
          version = r.nomination->version;
        }
      }
    });
  }
  while (!stop()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  done = true;
  for (auto& th : pool) th.join();
  Run run;
  run.seconds = seconds_since(start);
  run.failed = failed;
  for (auto& v : lat) run.latencies_us.insert(run.latencies_us.end(), v.begin(), v.end());
  std::sort(run.latencies_us.begin(), run.latencies_us.end());
  return run;
}

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  auto i = std::min(sorted_us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted_us.size())));
  return static_cast<double>(sorted_us[i]) / 1000.0;
}

// The physical limit: the same record bytes inserted into a bare table with the store's sync
// settings, `batch` rows per commit, for `seconds`. Returns rows per second.
double raw_inserts(const fs::path& path, const std::vector<std::string>& records, int batch, double seconds) {
  fs::remove(path);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) die("cannot create " + path.string());
  sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                   "CREATE TABLE log (idx INTEGER PRIMARY KEY, record BLOB NOT NULL)", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO log (idx, record) VALUES (?, ?)", -1, &ins, nullptr);
  std::int64_t rows = 0;
  const auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int i = 0; i < batch; ++i, ++rows) {
      const std::string& r = records[static_cast<std::size_t>(rows) % records.size()];
      sqlite3_bind_int64(ins, 1, rows);
      sqlite3_bind_blob(ins, 2, r.data(), static_cast<int>(r.size()), SQLITE_STATIC);
      if (sqlite3_step(ins) != SQLITE_DONE) die(std::string("raw insert: ") + sqlite3_errmsg(db));
      sqlite3_reset(ins);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) die(std::string("raw commit: ") + sqlite3_errmsg(db));
  }
  const double elapsed = seconds_since(start);
  sqlite3_finalize(ins);
  sqlite3_close(db);
  fs::remove(path);
  return static_cast<double>(rows) / elapsed;
}

std::int64_t status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(std::string(field).size()));
  }
  return -1;
}

std::uintmax_t size_of(const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(p, ec)) total += e.is_regular_file() ? e.file_size() : 0;
    return total;
  }
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

// `store_bench --open-only DB`: what a starting server pays; prints "open_ms rss_before_kb rss_kb hwm_kb".
int open_only(const std::string& db, const laurel::engine::Catalog& catalog) {
  Options o;
  o.db_path = db;
  const std::int64_t before = status_kb("VmRSS:");
  const auto t0 = Clock::now();
  auto store = Store::open(o, catalog);
  const double ms = seconds_since(t0) * 1000;
  if (!store) die(store.error().message);
  std::printf("%.1f %lld %lld %lld %lld\n", ms, static_cast<long long>(before), static_cast<long long>(status_kb("VmRSS:")),
              static_cast<long long>(status_kb("VmHWM:")), static_cast<long long>((*store)->log_size()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Laurel storage figures"};
  double seconds = 5;
  std::int64_t records = 1'000'000;
  std::string dir_arg = (fs::temp_directory_path() / "laurel-store-bench").string();
  std::string open_db;
  bool keep = false, skip_throughput = false, fts_during_build = false, plain_fts = false;
  int build_submitters = 256;
  std::vector<int> levels{1, 8, 64};
  app.add_option("--seconds", seconds, "measuring time per submitter count");
  app.add_option("--records", records, "size of the large log (0 skips it)");
  app.add_option("--submitters", levels, "submitter counts");
  app.add_option("--dir", dir_arg, "working folder (on the disk to measure)");
  app.add_flag("--keep", keep, "keep and reuse the large log in --dir");
  app.add_flag("--skip-throughput", skip_throughput, "only the large log");
  app.add_flag("--fts-during-build", fts_during_build, "build the large log with the full-text table in place (slow: hours)");
  app.add_option("--build-submitters", build_submitters, "submitters building the large log");
  app.add_flag("--plain-fts", plain_fts, "diagnostic: measure throughput with the full-text table swapped for a plain one");
  app.add_option("--open-only", open_db, "internal: open DB, print start-up figures");
  CLI11_PARSE(app, argc, argv);

  auto catalog = laurel::web::load_catalog(LAUREL_WORKFLOWS_DIR);
  if (!catalog) die("cannot load the workflows");
  if (!open_db.empty()) return open_only(open_db, *catalog);
  const fs::path dir = dir_arg;
  fs::create_directories(dir);

  if (!skip_throughput) {
    std::printf("== durable commands through Store::execute (WAL synced before each answer; journey: create, 5 x attach, submit, accept,\n"
                "   3 x score, close_evaluation; each submitter waits for its answer), %.0f s each, in %s\n", seconds, dir.c_str());
    std::printf("   raw: the same record bytes into a bare table, same sync settings, K rows per commit, one thread\n");
    std::printf("   each count twice, alternating: with the Merkle tree and signed checkpoints (as in service), then without\n"
                "   (Options::audit_tree = false: no leaf or node hashes, no node rows, no checkpoint per batch)\n");
    if (plain_fts) std::printf("   DIAGNOSTIC: the full-text table is a plain table here\n");
    std::printf("   pages/cmd: WAL pages the commits wrote per command\n");
    std::printf("%10s %8s %7s %7s %9s %6s %9s %6s %5s %9s | %11s %6s | %12s\n", "submitters", "cmds/s", "p50 ms", "p99 ms", "commits/s",
                "K", "batch ms", "busy%", "rec B", "pages/cmd", "raw K rows/s", "store%", "raw K=subm.");
    for (int submitters : levels) {
      double with_tree = 0;
      for (const bool tree : {true, false}) {
        const fs::path sub = dir / ("throughput-" + std::to_string(submitters));
        auto store = fresh_store(sub, *catalog, tree);
        if (plain_fts) {
          store.reset();
          exec(options_for(sub).db_path, kFtsToPlain);
          Options o = options_for(sub);
          o.audit_tree = tree;
          auto reopened = Store::open(o, *catalog);
          if (!reopened) die(reopened.error().message);
          store = std::move(*reopened);
        }
        Peek peek(options_for(sub).db_path);
        const std::int64_t log0 = store->log_size();
        const Store::Counters c0 = store->counters();
        const auto start = Clock::now();
        Run run = drive(*store, *catalog, submitters, [&] { return seconds_since(start) >= seconds; });
        const Store::Counters c1 = store->counters();
        const double batches = static_cast<double>(c1.batches - c0.batches);
        const double batch = batches > 0 ? static_cast<double>(c1.commands - c0.commands) / batches : 0;
        const double batch_ms = batches > 0 ? static_cast<double>(c1.commit_micros - c0.commit_micros) / batches / 1000 : 0;
        const double busy = static_cast<double>(c1.commit_micros - c0.commit_micros) / 1e6 / run.seconds;
        const double pages = c1.commands > c0.commands ? static_cast<double>(c1.wal_pages - c0.wal_pages) / static_cast<double>(c1.commands - c0.commands) : 0;
        auto sample = peek.records_from(log0, 20000);
        double bytes = 0;
        for (const auto& r : sample) bytes += static_cast<double>(r.size());
        bytes /= static_cast<double>(std::max<std::size_t>(sample.size(), 1));
        const double rate = static_cast<double>(run.latencies_us.size()) / run.seconds;
        store.reset();
        if (!tree) {
          std::printf("%10s %8.0f %7.2f %7.2f %9.0f %6.1f %9.2f %5.0f%% %5.0f %9.2f | without the tree: the tree costs %.1f%% of commands/s\n",
                      "(no tree)", rate, percentile_ms(run.latencies_us, 0.50), percentile_ms(run.latencies_us, 0.99), batches / run.seconds,
                      batch, batch_ms, 100 * busy, bytes, pages, rate > 0 ? 100 * (rate - with_tree) / rate : 0.0);
          std::fflush(stdout);
          fs::remove_all(sub);
          continue;
        }
        with_tree = rate;
        const int k = std::max(1, static_cast<int>(batch + 0.5));
        const double raw = raw_inserts(sub / "raw.db", sample, k, seconds);
        // The ceiling for this many waiting submitters: every commit carrying one command from each.
        const double ceiling = submitters == k ? raw : raw_inserts(sub / "raw.db", sample, submitters, seconds);
        std::printf("%10d %8.0f %7.2f %7.2f %9.0f %6.1f %9.2f %5.0f%% %5.0f %9.2f | %12.0f %5.1f%% | %12.0f%s\n", submitters, rate,
                    percentile_ms(run.latencies_us, 0.50), percentile_ms(run.latencies_us, 0.99), batches / run.seconds, batch, batch_ms,
                    100 * busy, bytes, pages, raw, 100 * rate / raw, ceiling, run.failed ? "  (some commands failed!)" : "");
        std::fflush(stdout);
        fs::remove_all(sub);
      }
    }
  }

  if (records > 0) {
    const fs::path big = dir / "log-large";
    const Options o = options_for(big);
    std::printf("\n== a log of %lld records\n", static_cast<long long>(records));
    bool reuse = false;
    if (keep && fs::exists(o.db_path)) {
      Peek peek(o.db_path);
      reuse = peek.scalar("SELECT count(*) FROM audit_log") >= records;
    }
    if (!reuse) {
      fresh_store(big, *catalog).reset();
      if (!fts_during_build) exec(o.db_path, kFtsToPlain);
      auto opened = Store::open(o, *catalog);
      if (!opened) die(opened.error().message);
      auto& store = *opened;
      const std::int64_t log0 = store->log_size();
      const auto start = Clock::now();
      auto last = start;
      std::int64_t last_size = log0;
      Run run = drive(*store, *catalog, build_submitters, [&] {
        if (seconds_since(last) >= 30) {
          const std::int64_t size = store->log_size();
          std::printf("   ... %lld records after %.0f s (%.0f records/s in the last 30 s)\n", static_cast<long long>(size), seconds_since(start),
                      static_cast<double>(size - last_size) / seconds_since(last));
          std::fflush(stdout);
          last = Clock::now();
          last_size = size;
        }
        return store->log_size() >= records;
      });
      const double took = seconds_since(start);
      const std::int64_t built = store->log_size() - log0;
      store.reset();
      std::printf("built through Store::execute with %d submitters%s: %lld records in %.1f s (%.0f records/s)%s\n", build_submitters,
                  fts_during_build ? "" : " (full-text table swapped for a plain one)", static_cast<long long>(built), took,
                  static_cast<double>(built) / took, run.failed ? " (some commands failed!)" : "");
      if (!fts_during_build) {
        const auto t0 = Clock::now();
        exec(o.db_path, kPlainToFts);
        std::printf("full-text index built in %.1f s\n", seconds_since(t0));
      }
    }
    {
      Peek peek(o.db_path);
      std::printf("records %lld, nominations %lld (full-text rows %lld), checkpoints %lld\n",
                  static_cast<long long>(peek.scalar("SELECT count(*) FROM audit_log")),
                  static_cast<long long>(peek.scalar("SELECT count(*) FROM nominations")),
                  static_cast<long long>(peek.scalar("SELECT count(*) FROM nominations_fts")),
                  static_cast<long long>(peek.scalar("SELECT count(*) FROM checkpoints")));
      const std::int64_t page = peek.scalar("PRAGMA page_size");
      std::printf("pages in use %.1f MiB (free pages %.1f MiB)\n",
                  static_cast<double>((peek.scalar("PRAGMA page_count") - peek.scalar("PRAGMA freelist_count")) * page) / 1048576.0,
                  static_cast<double>(peek.scalar("PRAGMA freelist_count") * page) / 1048576.0);
    }
    std::printf("database %.1f MiB (WAL %.1f MiB after close), attachments folder %.1f MiB\n", static_cast<double>(size_of(o.db_path)) / 1048576.0,
                static_cast<double>(size_of(o.db_path + "-wal")) / 1048576.0, static_cast<double>(size_of(o.files_folder())) / 1048576.0);
    // Start-up in a fresh process each time: first with the page cache dropped where we may (root),
    // then warm.
    std::string exe = fs::read_symlink("/proc/self/exe").string();
    for (int i = 0; i < 4; ++i) {
      bool cold = false;
      if (i < 2) {
        ::sync();
        std::ofstream drop("/proc/sys/vm/drop_caches");
        cold = static_cast<bool>(drop << "3\n" << std::flush);
        if (!cold) continue;
      }
      std::string cmd = "'" + exe + "' --open-only '" + o.db_path + "'";
      FILE* p = ::popen(cmd.c_str(), "r");
      char line[256] = {};
      if (!p || !std::fgets(line, sizeof line, p)) die("start-up probe failed");
      ::pclose(p);
      double ms = 0;
      long long before = 0, rss = 0, hwm = 0, size = 0;
      std::sscanf(line, "%lf %lld %lld %lld %lld", &ms, &before, &rss, &hwm, &size);
      std::printf("Store::open in a fresh process (%s cache): %.1f ms; resident memory %.1f MiB after open (%.1f MiB before, peak %.1f MiB); log size %lld\n",
                  cold ? "cold" : "warm", ms, static_cast<double>(rss) / 1024.0, static_cast<double>(before) / 1024.0, static_cast<double>(hwm) / 1024.0, size);
    }
    if (!keep) fs::remove_all(big);
  }
  return 0;
}
