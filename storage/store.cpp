#include "storage/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "engine/administration.h"
#include "storage/audit_proofs.h"
#include "storage/audit_tree.h"
#include "storage/canonical_json.h"
#include "storage/personal_data.h"
#include "storage/projection.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace laurel::storage {
namespace bj = boost::json;
namespace fs = std::filesystem;
using engine::Nomination;
using engine::Time;

namespace {

constexpr Time kNoDue = INT64_MAX;

bj::value grants_json(const std::vector<engine::RoleGrant>& grants) {
  bj::array a;
  for (const auto& g : grants) a.push_back(bj::object{{"role", g.role}, {"jurisdiction", g.jurisdiction}});
  return a;
}

bj::value user_json(const User& u) {
  return bj::object{{"username", u.username}, {"display_name", u.display_name}, {"disabled", u.disabled}, {"roles", grants_json(u.roles)}};
}

std::string random_id(std::size_t n) {
  static const char* alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";  // no 0/O, 1/I/L
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(alphabet[randombytes_uniform(31)]);
  return out;
}

void configure_writer(sql::Db& db) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA cache_size = -65536");  // 64 MiB of page cache: the indexes' hot pages stay in memory
}

// The role grant an actor used for an action: the grant matching the role at the office (or, for a
// nominator, the one over the nominee's jurisdiction).
std::string grant_jurisdiction(const engine::Actor& actor, const std::string& role, const Nomination& n,
                               const engine::JurisdictionTree& tree) {
  for (const auto& g : actor.roles) {
    if (g.role != role) continue;
    if (role == "nominator" ? tree.contains(g.jurisdiction, n.jurisdiction) : g.jurisdiction == n.office) return g.jurisdiction;
  }
  return "";
}

// The nominations with their snapshots (cereal binary of engine::Nomination, column s.snapshot), for
// a query that appends its WHERE.
#define LAUREL_WITH_SNAPSHOTS "FROM nominations JOIN nomination_snapshots s ON s.k = nominations.fts_key"
#define LAUREL_SNAPSHOT_SELECT "SELECT s.snapshot " LAUREL_WITH_SNAPSHOTS

bool is_store_failure(const std::exception& e) { return dynamic_cast<const sql::SqliteError*>(&e) != nullptr; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// The writer: jobs run inside one transaction per batch.

class Batch;

struct Job {
  virtual ~Job() = default;
  virtual void run(Batch& b) = 0;
  virtual void complete() = 0;
  virtual void fail(const std::string& error) = 0;
  // False for jobs that cannot change users, roles, sessions or tokens (Store::auth_generation).
  virtual bool may_change_auth() const { return true; }
};

// Commits count twice: when the writer begins one (before its COMMIT writes a frame) and when it
// is durable (the WAL synced after it, or it failed and left nothing). A read waits, before it
// answers, until every commit begun by then is durable: it may have seen any of them, and nobody
// may see a change that a crash could still take back.
struct Durability {
  std::atomic<std::uint64_t> begun{0}, durable{0};
  std::uint64_t begin() { return begun.fetch_add(1) + 1; }
  void reach(std::uint64_t seq) {
    durable.store(seq);
    durable.notify_all();
  }
  void await() const {
    const std::uint64_t w = begun.load();
    for (std::uint64_t d = durable.load(); d < w; d = durable.load()) durable.wait(d);
  }
};

class ReadPool {
 public:
  ReadPool(std::string path, const Durability& durability) : path_(std::move(path)), durability_(durability) {}
  struct Lease {
    ReadPool* pool;
    std::unique_ptr<sql::Db> db;
    ~Lease() {
      if (db) pool->put(std::move(db));
      pool->durability_.await();  // what this read saw is durable before anyone is told
    }
    sql::Db& operator*() { return *db; }
  };
  Lease get() {
    std::unique_lock lock(mu_);
    if (!free_.empty()) {
      auto db = std::move(free_.back());
      free_.pop_back();
      return Lease{this, std::move(db)};
    }
    lock.unlock();
    auto db = std::make_unique<sql::Db>(path_, sql::Db::Mode::read_only);
    return Lease{this, std::move(db)};
  }

 private:
  void put(std::unique_ptr<sql::Db> db) {
    std::lock_guard lock(mu_);
    if (free_.size() < 16) free_.push_back(std::move(db));
  }
  std::string path_;
  const Durability& durability_;
  std::mutex mu_;
  std::vector<std::unique_ptr<sql::Db>> free_;
};

struct Store::Impl {
  Impl(const Options& o, const engine::Catalog& c) : options(o), catalog(c), reads(o.db_path, durability) {}

  Options options;
  const engine::Catalog& catalog;
  Durability durability;
  std::unique_ptr<sql::Db> writer;
  std::unique_ptr<AuditTree> tree;
  ReadPool reads;
  std::unique_ptr<audit::AuditReader> audit;  // the auditors' checkpoints and proofs

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Job>> queue;
  bool stopping = false;
  std::thread thread;

  // The latest committed state of the nominations commands touched recently (writer thread only),
  // so that a command does not read and decode its nomination's snapshot again. Filled only after
  // a commit, so it never holds what a rolled-back batch wrote.
  static constexpr std::size_t kCommittedMax = 4096;  // ~4 KB each in memory
  std::unordered_map<std::string, Nomination> committed;

  std::atomic<Time> next_due{kNoDue};
  std::atomic<std::uint64_t> auth_generation{0};
  std::atomic<std::uint64_t> batches{0}, commands{0}, failures{0}, commit_micros{0}, last_batch{0};
  std::array<std::atomic<std::uint64_t>, Counters::kCommitBuckets.size()> commit_buckets{};
  std::mutex callback_mu;
  std::function<void(std::optional<Time>)> on_commit;

  // WAL checkpoints run on a thread of their own with its own connection, so that copying pages
  // into the database file (and its fsync) overlaps the writer's work instead of stalling a commit.
  // The writer notes the WAL's length after each commit (sqlite3_wal_hook) and wakes the
  // checkpointer past Options::wal_checkpoint_pages. A checkpoint that runs beside a writer can
  // never copy the frames of the transaction in progress, and SQLite starts the WAL over from its
  // beginning only when a write transaction begins with every frame already copied; so once the
  // checkpointer has copied all but the last kWalTailFrames (a few batches' worth), the writer
  // copies that short tail itself between two transactions, and the next one restarts the WAL.
  // Without that the WAL grows for as long as the writes go on. Past kWalHardLimit frames (a
  // checkpointer that cannot keep up) the writer checkpoints everything itself.
  static constexpr int kWalTailFrames = 400;
  static constexpr int kWalHardLimit = 50000;
  std::thread checkpointer;
  std::mutex cp_mu;
  std::condition_variable cp_cv;
  bool cp_wanted = false, cp_stopping = false;
  std::atomic<int> cp_copied{0};  // frames the checkpointer's last checkpoint copied (this WAL)
  int wal_frames_seen = 0;        // the WAL's length after the last commit (writer thread only)
  std::atomic<std::uint64_t> wal_pages{0}, wal_restarts{0};

  static int on_wal(void* self, sqlite3* db, const char* name, int frames) {
    auto* impl = static_cast<Impl*>(self);
    const bool restarted = frames < impl->wal_frames_seen;
    impl->wal_pages += static_cast<std::uint64_t>(restarted ? frames : frames - impl->wal_frames_seen);
    if (restarted) impl->wal_restarts += 1;
    impl->wal_frames_seen = frames;
    if (frames < impl->options.wal_checkpoint_pages) return SQLITE_OK;
    if (frames >= kWalHardLimit || impl->cp_copied.load() >= frames - kWalTailFrames) {
      impl->cp_copied.store(0);  // the WAL starts over with the next transaction
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      return SQLITE_OK;
    }
    {
      std::lock_guard lock(impl->cp_mu);
      impl->cp_wanted = true;
    }
    impl->cp_cv.notify_one();
    return SQLITE_OK;
  }
  void checkpoint_loop(std::unique_ptr<sql::Db> db) {
    for (;;) {
      {
        std::unique_lock lock(cp_mu);
        cp_cv.wait(lock, [&] { return cp_wanted || cp_stopping; });
        if (cp_stopping) return;
        cp_wanted = false;
      }
      // PASSIVE never blocks the writer; a failure (busy, I/O) only leaves the WAL longer for now.
      int log = 0, copied = 0;
      if (sqlite3_wal_checkpoint_v2(db->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK && copied > 0) {
        cp_copied.store(copied);
      }
    }
  }

  // The WAL's fsync runs on a thread of its own (the syncer): the writer commits with
  // synchronous=NORMAL (its COMMIT writes the frames and returns) and hands the batch's callers to
  // the syncer, which syncs the WAL once for every commit written meanwhile and only then answers
  // them, so the writer runs the next batch while the disk syncs. Acknowledged means durable, as
  // with synchronous=FULL; readers wait for the same point (Durability). The syncer syncs through
  // its own handle on the WAL, opened with the writer's VFS. If that cannot be opened the writer
  // keeps synchronous=FULL and answers its callers itself.
  // A failed sync: the callers of every commit it covered are told that the outcome is unknown
  // (the frames are in the WAL and visible; whether the disk has them nobody can say), and the
  // next batch first copies the whole WAL into the database file and syncs that (a FULL
  // checkpoint); until one succeeds every command fails, so nothing is acknowledged on top of
  // frames that may not be on the disk.
  struct Synced {
    std::uint64_t seq;
    std::vector<std::unique_ptr<Job>> jobs;
  };
  sqlite3_file* wal_file = nullptr;
  std::unique_ptr<char[]> wal_file_mem;
  std::thread syncer;
  std::mutex sync_mu;
  std::condition_variable sync_cv;
  std::vector<Synced> to_sync;
  bool sync_stopping = false;
  std::atomic<bool> sync_failed{false};                // a sync failed and the writer has not recovered yet
  std::atomic<std::uint64_t> recovered_from{0};        // the first commit begun after the last recovery
  bool in_failure = false;                             // syncer thread only
  std::string last_sync_error;                         // syncer thread only
  std::atomic<std::uint64_t> wal_syncs{0};

  static std::string unknown_outcome(const std::string& why) {
    return "storage error: the commit could not be confirmed durable, so its outcome is unknown (" + why +
           "); check the nomination's history before repeating the command";
  }
  bool open_wal_for_sync() {
    sqlite3_vfs* vfs = nullptr;
    if (sqlite3_file_control(writer->handle(), "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK || !vfs) return false;
    const char* wal_name = sqlite3_filename_wal(sqlite3_db_filename(writer->handle(), "main"));  // lives with the writer
    if (!wal_name || !*wal_name) return false;
    wal_file_mem = std::make_unique<char[]>(static_cast<std::size_t>(vfs->szOsFile));
    auto* f = reinterpret_cast<sqlite3_file*>(wal_file_mem.get());
    int out = 0;
    if (vfs->xOpen(vfs, wal_name, f, SQLITE_OPEN_READWRITE | SQLITE_OPEN_WAL, &out) != SQLITE_OK) {
      if (f->pMethods) f->pMethods->xClose(f);
      wal_file_mem.reset();
      return false;
    }
    wal_file = f;
    // The WAL's own directory entry, once (SQLite syncs it only at the WAL's first sync of its own).
    const fs::path folder = fs::absolute(options.db_path).parent_path();
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
    return true;
  }
  void sync_loop() {
    for (;;) {
      std::vector<Synced> work;
      {
        std::unique_lock lock(sync_mu);
        sync_cv.wait(lock, [&] { return sync_stopping || !to_sync.empty(); });
        if (to_sync.empty()) return;  // stopping, and every commit has been synced and answered
        work.swap(to_sync);
      }
      // Only commits that went through need the disk; a failed COMMIT left nothing to make durable.
      const bool any = std::any_of(work.begin(), work.end(), [](const Synced& w) { return !w.jobs.empty(); });
      const int rc = any ? wal_file->pMethods->xSync(wal_file, SQLITE_SYNC_NORMAL) : SQLITE_OK;
      if (any) wal_syncs += 1;
      if (rc != SQLITE_OK) {
        recovered_from.store(UINT64_MAX);  // before the writer can see the failure below
        sync_failed.store(true);
        last_sync_error = sqlite3_errstr(rc);
      }
      durability.reach(work.back().seq);
      for (auto& w : work) {
        // After a failed sync a later sync may succeed without the earlier frames being on the
        // disk (the kernel reports a writeback error once), so a commit is acknowledged again
        // only when it began after the writer's checkpoint made everything durable.
        const bool ok = rc == SQLITE_OK && (!in_failure || w.seq >= recovered_from.load());
        in_failure = !ok;
        for (auto& j : w.jobs) ok ? j->complete() : j->fail(unknown_outcome(last_sync_error));
      }
    }
  }
  // After a commit (or one whose COMMIT failed: `jobs` empty): answered once durable.
  void committed_batch(std::uint64_t seq, std::vector<std::unique_ptr<Job>> jobs) {
    if (!wal_file) {
      durability.reach(seq);
      for (auto& j : jobs) j->complete();
      return;
    }
    {
      std::lock_guard lock(sync_mu);
      to_sync.push_back(Synced{seq, std::move(jobs)});
    }
    sync_cv.notify_one();
  }
  // Before a batch, after a failed sync: the whole WAL copied into the database file and synced.
  std::optional<std::string> recover_from_failed_sync() {
    if (!sync_failed.load()) return std::nullopt;
    const int rc = sqlite3_wal_checkpoint_v2(writer->handle(), "main", SQLITE_CHECKPOINT_FULL, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      return std::string("storage error: an earlier commit could not be confirmed durable and the database cannot be made "
                         "durable yet (") + sqlite3_errstr(rc) + "); no change is accepted until it can";
    }
    recovered_from.store(durability.begun.load() + 1);
    sync_failed.store(false);
    return std::nullopt;
  }

  void start() {
    if (open_wal_for_sync()) {
      writer->exec("PRAGMA synchronous = NORMAL");  // the syncer syncs every commit before it is answered
      syncer = std::thread([this] { sync_loop(); });
      pthread_setname_np(syncer.native_handle(), "laurel-syncer");
    }
    sqlite3_wal_hook(writer->handle(), &Impl::on_wal, this);
    try {
      auto db = std::make_unique<sql::Db>(options.db_path, sql::Db::Mode::read_write);
      // A connection opens the WAL only when it first reads; until then a checkpoint on it does
      // nothing and reports success (log and checkpointed frames -1).
      db->exec("PRAGMA journal_mode = WAL");
      checkpointer = std::thread([this, d = std::move(db)]() mutable { checkpoint_loop(std::move(d)); });
      pthread_setname_np(checkpointer.native_handle(), "laurel-ckpt");
    } catch (const std::exception&) {
      sqlite3_wal_autocheckpoint(writer->handle(), 1000);  // no second connection: the writer checkpoints
    }
    thread = std::thread([this] { loop(); });
    pthread_setname_np(thread.native_handle(), "laurel-writer");  // names for top -H, perf and gdb
  }
  void stop() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
    if (thread.joinable()) thread.join();
    {
      std::lock_guard lock(sync_mu);
      sync_stopping = true;
    }
    sync_cv.notify_all();
    if (syncer.joinable()) syncer.join();
    if (wal_file) {
      wal_file->pMethods->xClose(wal_file);
      wal_file = nullptr;
    }
    {
      std::lock_guard lock(cp_mu);
      cp_stopping = true;
    }
    cp_cv.notify_all();
    if (checkpointer.joinable()) checkpointer.join();
  }
  void enqueue(std::unique_ptr<Job> job) {
    {
      std::lock_guard lock(mu);
      queue.push_back(std::move(job));
    }
    cv.notify_one();
  }
  void loop();
  bool run_batch(std::vector<std::unique_ptr<Job>>& jobs, std::string& error);
  // Inside the batch's write transaction: when another process has appended to the log since this
  // writer's last commit (a `laurel` command beside the server), the Merkle appender and the
  // memory of committed nominations are read again; otherwise this writer's next record would
  // claim an index that is taken.
  void catch_up_with_other_writers() {
    sql::Stmt s(*writer, "SELECT coalesce(max(idx) + 1, 0) FROM audit_log");
    s.step();
    if (s.i64(0) == tree->size()) return;
    auto fresh = AuditTree::open(*writer, options.key_file(), options.audit_tree);
    if (!fresh) throw std::runtime_error("the audit log changed under this writer and cannot be read again: " + fresh.error());
    tree = std::move(*fresh);
    committed.clear();
  }
  void refresh_next_due();
};

class Batch {
 public:
  Batch(Store::Impl& impl, sql::Db& db) : impl_(impl), db_(db), projector_(db, impl.catalog) {}

  sql::Db& db() { return db_; }
  Store::Impl& impl() { return impl_; }
  Projector& projector() { return projector_; }

  std::int64_t append(const AuditRecord& r) {
    std::string bytes = r.bytes();
    std::int64_t index = impl_.tree->size();
    sql::Stmt s(db_, "INSERT INTO audit_log (idx, record, at, actor, kind, action, object_id, outcome) VALUES (?,?,?,?,?,?,?,?)");
    s.bind(1, index).bind_blob(2, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    s.bind(3, r.at).bind(4, r.who.user).bind(5, r.kind).bind(6, r.action).bind(7, r.object_id).bind(8, r.outcome).run();
    impl_.tree->append(db_, bytes, r.at);
    return index;
  }

  std::optional<Nomination> load(const std::string& id) {
    if (auto it = overlay_.find(id); it != overlay_.end()) return it->second;
    if (!bypass_committed_) {
      if (auto it = impl_.committed.find(id); it != impl_.committed.end()) return it->second;
    }
    sql::Stmt s(db_, LAUREL_SNAPSHOT_SELECT " WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return from_snapshot(s.blob_view(0));
  }
  void store(const Nomination& n) {
    overlay_[n.id] = n;
    touched_.insert(n.id);
  }
  // After the commit: what the batch wrote becomes the writer's view of the committed state.
  void publish() {
    auto& committed = impl_.committed;
    if (committed.size() + overlay_.size() > Store::Impl::kCommittedMax) committed.clear();
    for (const auto& id : touched_) {
      auto it = overlay_.find(id);
      if (it == overlay_.end()) {
        committed.erase(id);  // written, then dropped by undo_group: its state is SQL's
      } else {
        committed.insert_or_assign(id, std::move(it->second));
      }
    }
  }

  // All or nothing for a group of commands inside the batch (a batch action, an import): the SQL
  // savepoint, the tree's mark and the loaded nominations move together.
  void begin_group() {
    db_.run("SAVEPOINT command_group");
    impl_.tree->mark();
  }
  void keep_group() { db_.run("RELEASE command_group"); }
  void undo_group() {
    db_.run("ROLLBACK TO command_group");
    db_.run("RELEASE command_group");
    impl_.tree->rollback_to_mark();
    // The group's writes are gone, and so is the memory of this batch's earlier ones: from now on
    // the transaction's own rows are the truth (the committed cache is older than they are).
    overlay_.clear();
    bypass_committed_ = true;
  }

  std::string next_sequence(const std::string& name, const char* prefix, int width) {
    std::int64_t value = 1;
    {
      sql::Stmt s(db_, "SELECT value FROM meta WHERE key = ?");
      s.bind(1, "seq." + name);
      if (s.step()) value = std::stoll(s.text(0)) + 1;
    }
    sql::Stmt up(db_, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    up.bind(1, "seq." + name).bind(2, std::to_string(value)).run();
    std::string digits = std::to_string(value);
    if (static_cast<int>(digits.size()) < width) digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    return prefix + digits;
  }

  std::optional<engine::Quota> quota_for(const Nomination& n) {
    sql::Stmt q(db_, "SELECT lim FROM quotas WHERE office = ? AND level = ? AND category = ? AND year = ?");
    q.bind(1, n.office).bind(2, n.level).bind(3, n.category).bind(4, n.year);
    if (!q.step()) return std::nullopt;
    engine::Quota quota{q.i64(0), 0};
    sql::Stmt c(db_, "SELECT count(*) FROM nominations WHERE office = ? AND level = ? AND category = ? AND year = ?"
                     " AND state IN ('publicity', 'publicity_closed', 'named', 'revoked', 'expired')");
    c.bind(1, n.office).bind(2, n.level).bind(3, n.category).bind(4, n.year);
    c.step();
    quota.used = c.i64(0);
    return quota;
  }

 private:
  Store::Impl& impl_;
  sql::Db& db_;
  Projector projector_;
  std::map<std::string, Nomination> overlay_;
  std::set<std::string> touched_;  // every nomination stored in this batch
  bool bypass_committed_ = false;
};

void Store::Impl::refresh_next_due() {
  sql::Stmt s(*writer, "SELECT min(due_at) FROM timers");
  Time due = kNoDue;
  if (s.step() && !s.is_null(0)) due = s.i64(0);
  next_due.store(due);
  std::function<void(std::optional<Time>)> cb;
  {
    std::lock_guard lock(callback_mu);
    cb = on_commit;
  }
  if (cb) {
    try {
      cb(due == kNoDue ? std::nullopt : std::optional<Time>(due));
    } catch (const std::exception&) {
      // A listener's failure is its own; the commit stands.
    }
  }
}

bool Store::Impl::run_batch(std::vector<std::unique_ptr<Job>>& jobs, std::string& error) {
  auto started = std::chrono::steady_clock::now();
  bool committing = false;
  const bool auth = std::any_of(jobs.begin(), jobs.end(), [](const auto& j) { return j->may_change_auth(); });
  // After the commit (or a failure whose outcome is unknown), before any caller is answered.
  struct BumpAuth {
    std::atomic<std::uint64_t>& generation;
    bool on;
    ~BumpAuth() { if (on) generation.fetch_add(1, std::memory_order_acq_rel); }
  };
  if (auto refused = recover_from_failed_sync()) {
    failures += 1;
    error = *refused;
    return false;
  }
  std::uint64_t seq = 0;  // this commit's, once its COMMIT has begun
  try {
    sql::Transaction t(*writer);
    catch_up_with_other_writers();
    Batch b(*this, *writer);
    tree->begin();
    for (auto& j : jobs) j->run(b);
    tree->finish(*writer);
    committing = true;
    BumpAuth bump{auth_generation, auth};
    seq = durability.begin();
    t.commit();
    tree->committed();
    try {
      b.publish();
    } catch (const std::exception&) {
      committed.clear();  // the commit stands; the cache is only a shortcut
    }
  } catch (const std::exception& e) {
    if (seq) committed_batch(seq, {});  // nothing to answer, but readers wait for it in order
    tree->rolled_back();
    failures += 1;
    const auto* se = dynamic_cast<const sql::SqliteError*>(&e);
    const bool sync_failed = se && (se->code() == SQLITE_IOERR_FSYNC || se->code() == SQLITE_IOERR_DIR_FSYNC);
    if (committing && sync_failed) {
      // The commit's frames were written but their fsync failed: they may or may not be on the disk,
      // so until the next successful commit overwrites them nobody can say whether a crash now would
      // keep this batch. The caller must check before repeating the command. (A failed write, by
      // contrast, stops before the commit frame: that batch is simply not there.)
      error = unknown_outcome(e.what());
    } else {
      error = is_store_failure(e) ? std::string("storage error: ") + e.what() : std::string("internal error: ") + e.what();
    }
    return false;
  }
  batches += 1;
  commands += jobs.size();
  last_batch = jobs.size();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  commit_micros += static_cast<std::uint64_t>(micros);
  for (std::size_t i = 0; i < commit_buckets.size(); ++i) {
    if (static_cast<double>(micros) <= Counters::kCommitBuckets[i] * 1e6) commit_buckets[i] += 1;
  }
  // The batch is committed: nothing after this point may turn it into a failure.
  try {
    refresh_next_due();
  } catch (const std::exception&) {
    next_due.store(0);  // unknown: the timer check runs at once and scans the timers table itself
  }
  committed_batch(seq, std::move(jobs));
  return true;
}

void Store::Impl::loop() {
  for (;;) {
    std::vector<std::unique_ptr<Job>> jobs;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything queued has been committed
      while (!queue.empty() && jobs.size() < options.max_batch) {
        jobs.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    std::string error;
    if (run_batch(jobs, error)) continue;
    if (jobs.size() == 1) {
      jobs.front()->fail(error);
      continue;
    }
    // Isolate the failure: run each job alone, so that one bad command cannot sink the others.
    for (auto& j : jobs) {
      std::vector<std::unique_ptr<Job>> one;
      one.push_back(std::move(j));
      std::string e;
      if (!run_batch(one, e)) one.front()->fail(e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

namespace {

AuditRecord command_record(const CommandRequest& req, const std::string& object_id, const std::string& role,
                           const std::string& jurisdiction) {
  AuditRecord r;
  r.at = req.now;
  r.who = Who{req.caller.actor.kind == engine::Actor::Kind::system ? "system" : req.caller.actor.user, role, jurisdiction,
              req.caller.auth, req.caller.address};
  r.kind = "command";
  r.action = req.command.action;
  r.object_type = "nomination";
  r.object_id = object_id;
  r.comment = req.command.comment;
  return r;
}

// The engine role an action needs, for the denied record.
std::string action_role(const engine::Catalog& catalog, const Nomination* n, const std::string& action) {
  if (!n) return action == "create" ? "nominator" : "";
  const engine::Definition* def = catalog.definition(n->workflow_id, n->workflow_version);
  if (!def) return "";
  int ai = def->action_from(def->state_index(n->state), action);
  if (ai < 0) return "";
  auto r = def->action(ai).role;
  return r == engine::Role::public_ ? "public" : std::string(engine::to_string(r));
}

bool needs_quota(const engine::Catalog& catalog, const Nomination& n, const std::string& action) {
  const engine::Definition* def = catalog.definition(n.workflow_id, n.workflow_version);
  if (!def) return false;
  int ai = def->action_from(def->state_index(n.state), action);
  if (ai < 0) return false;
  for (const auto& g : def->action(ai).guards) if (g.kind == engine::GuardKind::quota_available) return true;
  return false;
}

}  // namespace

// Runs one command inside a batch. Shared by single commands and batch actions.
static CommandResult run_command(Batch& b, CommandRequest& req, const std::string& batch_id = "") {
  CommandResult result;
  const engine::Catalog& catalog = b.impl().catalog;
  auto& db = b.db();
  const bool create = req.command.action == "create";

  std::optional<Nomination> before;
  if (!create) {
    before = b.load(req.nomination_id);
    if (!before) {
      result.status = CommandResult::Status::not_found;
      return result;
    }
  }
  // Ids for what the command creates.
  if (create || req.command.action == "recommend") req.command.new_id = b.next_sequence("nomination", "N", 6);
  if (req.command.action == "object") req.command.new_id = "YY" + random_id(10);
  if (req.command.action == "approve" && req.command.notice_id.empty()) req.command.notice_id = b.next_sequence("notice", "G", 5);
  req.command.has_contact = req.command.has_contact || !req.contact.empty();

  std::optional<engine::Quota> quota;
  if (before && needs_quota(catalog, *before, req.command.action)) quota = b.quota_for(*before);
  engine::Context ctx{req.caller.actor, req.now, catalog, quota};
  auto decision = create ? engine::decide_create(req.command, ctx) : engine::decide(req.command, *before, ctx);

  const std::string object_id = create ? req.command.new_id : req.nomination_id;
  if (!decision) {
    std::string role = action_role(catalog, before ? &*before : nullptr, req.command.action);
    AuditRecord r = command_record(req, create ? "" : object_id, role,
                                   before ? grant_jurisdiction(req.caller.actor, role, *before, catalog.tree()) : "");
    r.outcome = "denied";
    r.reason = decision.error();
    r.batch = batch_id;
    result.audit_index = b.append(r);
    result.status = CommandResult::Status::rejected;
    result.rejection = decision.error();
    return result;
  }

  Nomination after = before.value_or(Nomination{});
  std::string contact_commitment;
  if (!req.contact.empty()) contact_commitment = commit_personal(db, req.contact);
  std::vector<engine::Event> masked;
  for (const auto& e : *decision) {
    if (e.nomination_id == after.id || (create && &e == &decision->front())) {
      after = engine::apply(std::move(after), e);
      b.store(after);
      b.projector().apply(e, after, contact_commitment);
    } else {
      Nomination child = engine::apply(Nomination{}, e);
      b.store(child);
      b.projector().apply(e, child, "");
      result.opened.push_back(child);
    }
    masked.push_back(mask_event(db, e, catalog, after.category));
  }
  const engine::Event& first = decision->front();
  AuditRecord r = command_record(req, object_id, first.role,
                                 grant_jurisdiction(req.caller.actor, first.role, after, catalog.tree()));
  r.outcome = "accepted";
  r.events = std::move(masked);
  r.batch = batch_id;
  if (before) {
    bj::object ov{{"state", before->state}, {"version", before->version}, {"office", before->office}};
    // An edit's record holds the old values of what it changed beside the new ones in its event;
    // an old personal value is held as a fresh commitment, erasable like every other.
    for (const auto& e : *decision) {
      for (const auto& c : e.changes) {
        const auto* edited = std::get_if<engine::change::Edited>(&c);
        if (!edited) continue;
        const engine::Category* cat = catalog.category(before->category);
        bj::object old_nominee;
        auto record_old = [&](const std::string& key, const std::string& old) {
          const engine::NomineeField* f = cat ? cat->field(key) : nullptr;
          old_nominee[key] = f && f->personal && !old.empty() ? commit_personal(db, old) : old;
        };
        for (const auto& [key, value] : edited->nominee) {
          auto it = before->nominee.find(key);
          std::string old = it == before->nominee.end() ? std::string() : it->second;
          if (old != value) record_old(key, old);
        }
        for (const auto& [key, old] : before->nominee) {
          if (!edited->nominee.contains(key)) record_old(key, old);
        }
        if (!old_nominee.empty()) ov["nominee"] = std::move(old_nominee);
        if (before->summary != edited->summary) ov["summary"] = before->summary;
      }
    }
    r.old_value = std::move(ov);
  }
  bj::object nv{{"state", after.state}, {"version", after.version}, {"office", after.office}};
  if (!contact_commitment.empty()) nv["contact"] = contact_commitment;
  r.new_value = std::move(nv);
  result.audit_index = b.append(r);
  result.status = CommandResult::Status::accepted;
  result.nomination = std::move(after);
  return result;
}

namespace {

struct CommandJob : Job {
  bool may_change_auth() const override { return false; }
  CommandRequest req;
  std::promise<CommandResult> promise;
  CommandResult result;

  void run(Batch& b) override {
    result = CommandResult{};
    auto& db = b.db();
    const std::string user = req.caller.actor.user;
    if (!req.idempotency_key.empty()) {
      sql::Stmt s(db, "SELECT fingerprint, status, response FROM idempotency WHERE username = ? AND key = ?");
      s.bind(1, user).bind(2, req.idempotency_key);
      if (s.step()) {
        if (s.text(0) != req.fingerprint) {
          result.status = CommandResult::Status::idempotency_mismatch;
        } else {
          result.status = CommandResult::Status::replayed;
          result.replay = StoredResponse{static_cast<int>(s.i64(1)), s.text(2)};
        }
        return;
      }
    }
    CommandRequest copy = req;  // the request may be run again if the batch is retried
    result = run_command(b, copy);
    if (!req.idempotency_key.empty() && req.render && result.status != CommandResult::Status::not_found) {
      StoredResponse resp = req.render(result);
      sql::Stmt s(db, "INSERT INTO idempotency (username, key, fingerprint, status, response, created_at) VALUES (?,?,?,?,?,?)");
      s.bind(1, user).bind(2, req.idempotency_key).bind(3, req.fingerprint).bind(4, resp.status).bind(5, resp.body).bind(6, req.now).run();
    }
  }
  void complete() override { promise.set_value(std::move(result)); }
  void fail(const std::string& error) override {
    CommandResult r;
    r.status = CommandResult::Status::failed;
    r.error = error;
    promise.set_value(std::move(r));
  }
};

struct BatchJob : Job {
  bool may_change_auth() const override { return false; }
  BatchRequest req;
  std::promise<BatchResult> promise;
  BatchResult result;

  void run(Batch& b) override {
    result = BatchResult{};
    std::string batch_id = b.next_sequence("batch", "B", 6);
    engine::Command shared = req.command;
    if (shared.action == "approve" && shared.notice_id.empty()) shared.notice_id = b.next_sequence("notice", "G", 5);
    b.begin_group();
    result.notice_id = shared.notice_id;
    bool all_ok = true;
    std::vector<CommandResult> outcomes;
    for (const auto& [id, version] : req.items) {
      CommandRequest one;
      one.caller = req.caller;
      one.nomination_id = id;
      one.command = shared;
      one.command.expected_version = version;
      one.now = req.now;
      CommandResult r = run_command(b, one, batch_id);
      all_ok = all_ok && r.status == CommandResult::Status::accepted;
      result.not_found = result.not_found || r.status == CommandResult::Status::not_found;
      result.items.push_back({id, r.status, r.rejection, r.nomination});
    }
    if (all_ok && !req.items.empty()) {
      b.keep_group();
      result.accepted = true;
      return;
    }
    // All or nothing: undo the accepted items, then record each refusal (and nothing else).
    b.undo_group();
    for (auto& item : result.items) {
      if (item.status != CommandResult::Status::rejected) continue;
      AuditRecord r;
      r.at = req.now;
      r.who = Who{req.caller.actor.user, "", "", req.caller.auth, req.caller.address};
      r.kind = "command";
      r.action = shared.action;
      r.object_type = "nomination";
      r.object_id = item.id;
      r.outcome = "denied";
      r.reason = item.rejection;
      r.batch = batch_id;
      r.comment = shared.comment;
      b.append(r);
    }
    for (auto& item : result.items) if (item.status == CommandResult::Status::accepted) item.nomination.reset();
  }
  void complete() override { promise.set_value(std::move(result)); }
  void fail(const std::string& error) override {
    BatchResult r;
    r.error = error;
    promise.set_value(std::move(r));
  }
};

// A bulk import: every row is an ordinary creation (its own record, as if sent one by one), all kept
// or none, then one "import" record naming the file's SHA-256 (accepted, or denied with the first
// refusal when nothing was kept).
struct ImportJob : Job {
  bool may_change_auth() const override { return false; }
  ImportRequest req;
  std::promise<ImportResult> promise;
  ImportResult result;

  void run(Batch& b) override {
    result = ImportResult{};
    result.import_id = b.next_sequence("import", "I", 6);
    b.begin_group();
    bool all_ok = !req.rows.empty();
    std::optional<engine::Rejection> first_refusal;
    for (const auto& cmd : req.rows) {
      CommandRequest one;
      one.caller = req.caller;
      one.command = cmd;
      one.command.action = "create";
      one.now = req.now;
      CommandResult r = run_command(b, one, result.import_id);
      if (r.status != CommandResult::Status::accepted) {
        all_ok = false;
        if (!first_refusal && r.rejection) first_refusal = r.rejection;
      }
      result.rows.push_back(std::move(r));
    }
    AuditRecord rec;
    rec.at = req.now;
    rec.who = Who{req.caller.actor.user, "nominator", "", req.caller.auth, req.caller.address};
    rec.kind = "import";
    rec.action = "import_nominations";
    rec.object_type = "import";
    rec.object_id = result.import_id;
    rec.batch = result.import_id;
    bj::object nv{{"file_name", req.file_name}, {"file_sha256", req.file_sha256}, {"rows_in_file", req.rows_in_file},
                  {"rows_submitted", static_cast<std::int64_t>(req.rows.size())}};
    if (all_ok) {
      b.keep_group();
      nv["imported"] = static_cast<std::int64_t>(req.rows.size());
      nv["first_id"] = result.rows.front().nomination->id;
      nv["last_id"] = result.rows.back().nomination->id;
      rec.outcome = "accepted";
      rec.new_value = std::move(nv);
      result.audit_index = b.append(rec);
      result.accepted = true;
      return;
    }
    b.undo_group();
    nv["imported"] = 0;
    rec.outcome = "denied";
    rec.reason = first_refusal.value_or(engine::Rejection{engine::Problem::validation_failed, "the file holds no rows to import", {}, {}});
    rec.new_value = std::move(nv);
    result.audit_index = b.append(rec);
    for (auto& r : result.rows) {
      r.nomination.reset();
      r.audit_index = -1;
    }
  }
  void complete() override { promise.set_value(std::move(result)); }
  void fail(const std::string& error) override {
    ImportResult r;
    r.error = error;
    promise.set_value(std::move(r));
  }
};

// A job given as a function (administrative changes, logins, arbitrary records).
template <typename T>
struct FunctionJob : Job {
  std::function<T(Batch&)> fn;
  std::function<T(const std::string&)> on_fail;
  std::promise<T> promise;
  T result{};
  void run(Batch& b) override { result = fn(b); }
  void complete() override { promise.set_value(std::move(result)); }
  void fail(const std::string& error) override { promise.set_value(on_fail(error)); }
};

template <typename T>
T run_job(Store::Impl& impl, std::function<T(Batch&)> fn, std::function<T(const std::string&)> on_fail) {
  auto job = std::make_unique<FunctionJob<T>>();
  job->fn = std::move(fn);
  job->on_fail = std::move(on_fail);
  auto future = job->promise.get_future();
  impl.enqueue(std::move(job));
  return future.get();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Opening, creating, rebuilding, backing up

namespace {

std::expected<std::unique_ptr<sql::Db>, StoreError> open_existing(const std::string& path, sql::Db::Mode mode) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::unexpected(StoreError{"no database at " + path + " (create one with `laurel init --db " + path + "`)"});
  if (!fs::is_regular_file(path, ec)) return std::unexpected(StoreError{path + " is not a regular file"});
  try {
    auto db = std::make_unique<sql::Db>(path, mode);
    sql::Stmt s(*db, "SELECT count(*) FROM sqlite_schema");
    s.step();
    return db;
  } catch (const sql::SqliteError& e) {
    if ((e.code() & 0xff) == SQLITE_NOTADB) return std::unexpected(StoreError{path + " is not a Laurel database (not an SQLite file)"});
    return std::unexpected(StoreError{path + ": " + e.what()});
  }
}

std::string hash_password(const std::string& password, const Options& o) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), o.pwhash_opslimit, o.pwhash_memlimit) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

std::string generate_password() {
  static const char* alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i) out.push_back(alphabet[randombytes_uniform(56)]);
  return out;
}

// Replays one accepted command record into the projections (rebuild).
void replay_record(sql::Db& db, Projector& projector, const engine::Catalog& catalog, const AuditRecord& r,
                   std::map<std::string, Nomination>& state) {
  if (r.outcome != "accepted") return;
  if (r.kind == "command") {
    std::string contact;
    if (r.new_value.is_object()) {
      if (auto c = r.new_value.as_object().if_contains("contact"); c && c->is_string()) contact = std::string(c->get_string());
    }
    for (const auto& masked : r.events) {
      engine::Event e = unmask_event(db, masked);
      Nomination before;
      if (auto it = state.find(e.nomination_id); it != state.end()) {
        before = std::move(it->second);
      } else {
        sql::Stmt s(db, LAUREL_SNAPSHOT_SELECT " WHERE id = ?");
        s.bind(1, e.nomination_id);
        if (s.step()) before = from_snapshot(s.blob_view(0));
      }
      Nomination after = engine::apply(std::move(before), e);
      projector.apply(e, after, e.nomination_id == r.object_id ? contact : std::string());
      state[after.id] = std::move(after);
    }
  } else if (r.kind == "user") {
    projector.apply_user(r.new_value, r.at);
  } else if (r.kind == "quota") {
    projector.apply_quota(r.new_value);
  }
  (void)catalog;
}

}  // namespace

std::expected<std::string, StoreError> Store::init(const Options& options, const engine::Catalog& catalog,
                                                   const std::vector<std::pair<std::string, std::string>>& definition_texts,
                                                   std::string admin_password, Time now) {
  if (sodium_init() < 0) return std::unexpected(StoreError{"libsodium failed to initialise"});
  std::error_code ec;
  if (fs::exists(options.db_path, ec)) {
    auto db = open_existing(options.db_path, sql::Db::Mode::read_write);
    if (!db) return std::unexpected(db.error());
    sql::Stmt s(**db, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log'");
    s.step();
    if (s.i64(0)) {
      sql::Stmt c(**db, "SELECT count(*) FROM audit_log");
      c.step();
      if (c.i64(0)) return std::unexpected(StoreError{options.db_path + " already holds a Laurel database with " + std::to_string(c.i64(0)) + " records; refusing to overwrite it"});
    }
  }
  if (fs::exists(options.key_file(), ec)) {
    return std::unexpected(StoreError{"the signing key " + options.key_file() + " already exists; refusing to overwrite it (move it away or give --key)"});
  }
  if (!admin_password.empty()) {
    if (auto bad = engine::check_password(admin_password, "admin")) return std::unexpected(StoreError{"LAUREL_ADMIN_PASSWORD: " + bad->detail});
  }
  const bool generated = admin_password.empty();
  if (generated) admin_password = generate_password();
  try {
    sql::Db db(options.db_path, sql::Db::Mode::read_write_create);
    configure_writer(db);
    auto migrated = migrate(db);
    if (!migrated) return std::unexpected(StoreError{options.db_path + ": " + migrated.error()});
    fs::create_directories(options.files_folder(), ec);
    if (ec) return std::unexpected(StoreError{"cannot create the attachments folder " + options.files_folder() + ": " + ec.message()});

    std::string origin = "laurel.local/" + random_id(8);
    auto generated_key = checkpoint::Signer::generate(origin);
    if (!generated_key) return std::unexpected(StoreError{generated_key.error()});
    const checkpoint::Signer& signer = *generated_key;
    auto written = checkpoint::write_signer_key_file(options.key_file(), signer);
    if (!written) return std::unexpected(StoreError{written.error()});
    {
      sql::Transaction t(db);
      sql::Stmt m(db, "INSERT INTO meta (key, value) VALUES (?, ?)");
      m.bind(1, "origin").bind(2, origin).run();
      m.bind(1, "created_at").bind(2, engine::format_rfc3339(now)).run();
      sql::Stmt k(db, "INSERT INTO signing_keys (key_id, name, verifier_key, created_at) VALUES (?, ?, ?, ?)");
      k.bind(1, signer.key_id_hex()).bind(2, origin).bind(3, signer.verifier_key()).bind(4, now).run();
      for (const auto& [file, text] : definition_texts) {
        (void)file;
        sql::Stmt d(db, "INSERT OR IGNORE INTO workflow_definitions (id, version, text, installed_at) VALUES (?, ?, ?, ?)");
        for (const auto* def : catalog.definitions()) {
          if (text.find("\"" + def->id + "\"") != std::string::npos) {
            d.bind(1, def->id).bind(2, def->version).bind(3, text).bind(4, now).run();
          }
        }
      }
      t.commit();
    }
    std::string hash = hash_password(admin_password, options);
    auto store = open(options, catalog);
    if (!store) return std::unexpected(store.error());
    Caller cli{engine::Actor::system_actor(), "cli", ""};
    User admin{"admin", "系统管理员", false, {{"admin", catalog.tree().root().code}}};
    auto r = run_job<AdminResult>(
        *(*store)->impl_,
        [&](Batch& b) {
          AuditRecord init;
          init.at = now;
          init.who = Who{"system", "", "", "cli", ""};
          init.kind = "system";
          init.action = "init";
          init.object_type = "database";
          init.object_id = origin;
          init.outcome = "accepted";
          bj::array defs;
          for (const auto* d : catalog.definitions()) defs.push_back(bj::object{{"id", d->id}, {"version", d->version}});
          init.new_value = bj::object{{"origin", origin}, {"workflows", defs}, {"verifier_key", signer.verifier_key()}};
          b.append(init);
          sql::Stmt c(b.db(), "INSERT INTO credentials (username, password_hash, changed_at) VALUES (?, ?, ?)");
          c.bind(1, admin.username).bind(2, hash).bind(3, now).run();
          AuditRecord u;
          u.at = now;
          u.who = init.who;
          u.kind = "user";
          u.action = "create_user";
          u.object_type = "user";
          u.object_id = admin.username;
          u.outcome = "accepted";
          u.new_value = user_json(admin);
          b.projector().apply_user(u.new_value, now);
          AdminResult res;
          res.audit_index = b.append(u);
          return res;
        },
        [](const std::string& e) { AdminResult r; r.error = e; return r; });
    if (!r.ok()) return std::unexpected(StoreError{r.error});
    return generated ? admin_password : std::string();
  } catch (const std::exception& e) {
    return std::unexpected(StoreError{options.db_path + ": " + e.what()});
  }
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() { impl_->stop(); }

std::expected<std::unique_ptr<Store>, StoreError> Store::open(const Options& options, const engine::Catalog& catalog) {
  if (sodium_init() < 0) return std::unexpected(StoreError{"libsodium failed to initialise"});
  auto db = open_existing(options.db_path, sql::Db::Mode::read_write);
  if (!db) return std::unexpected(db.error());
  try {
    auto migrated = migrate(**db);
    if (!migrated) return std::unexpected(StoreError{options.db_path + ": " + migrated.error()});
    configure_writer(**db);
    std::error_code ec;
    if (!fs::is_directory(options.files_folder(), ec)) {
      return std::unexpected(StoreError{"the attachments folder " + options.files_folder() + " is missing"});
    }
    auto tree = AuditTree::open(**db, options.key_file(), options.audit_tree);
    if (!tree) return std::unexpected(StoreError{tree.error()});
    auto reader = audit::AuditReader::open(options.db_path);
    if (!reader) return std::unexpected(StoreError{reader.error()});
    auto impl = std::make_unique<Impl>(options, catalog);
    impl->audit = std::move(*reader);
    impl->audit->set_after_read([d = &impl->durability] { d->await(); });
    impl->writer = std::move(*db);
    impl->tree = std::move(*tree);
    impl->refresh_next_due();
    impl->start();
    return std::unique_ptr<Store>(new Store(std::move(impl)));
  } catch (const std::exception& e) {
    return std::unexpected(StoreError{options.db_path + ": " + e.what()});
  }
}

std::expected<std::int64_t, StoreError> Store::rebuild(const Options& options, const engine::Catalog& catalog) {
  auto db = open_existing(options.db_path, sql::Db::Mode::read_write);
  if (!db) return std::unexpected(db.error());
  try {
    auto migrated = migrate(**db);
    if (!migrated) return std::unexpected(StoreError{migrated.error()});
    configure_writer(**db);
    sql::Transaction t(**db);
    Projector::clear(**db);
    Projector projector(**db, catalog);
    std::map<std::string, Nomination> state;
    sql::Stmt s(**db, "SELECT idx, record FROM audit_log ORDER BY idx");
    std::int64_t count = 0;
    while (s.step()) {
      auto bytes = s.blob_view(1);
      auto value = parse_canonical_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      if (!value) return std::unexpected(StoreError{"record " + std::to_string(s.i64(0)) + ": " + value.error()});
      std::string why;
      auto record = AuditRecord::from_json(*value, &why);
      if (!record) return std::unexpected(StoreError{"record " + std::to_string(s.i64(0)) + ": " + why});
      replay_record(**db, projector, catalog, *record, state);
      ++count;
    }
    t.commit();
    return count;
  } catch (const std::exception& e) {
    return std::unexpected(StoreError{e.what()});
  }
}

std::expected<void, StoreError> Store::backup(const std::string& db_path, const std::string& to) {
  auto src = open_existing(db_path, sql::Db::Mode::read_only);
  if (!src) return std::unexpected(src.error());
  std::error_code ec;
  if (fs::exists(to, ec)) return std::unexpected(StoreError{to + " already exists; refusing to overwrite it"});
  try {
    sql::Db dst(to, sql::Db::Mode::read_write_create);
    sqlite3_backup* b = sqlite3_backup_init(dst.handle(), "main", (*src)->handle(), "main");
    if (!b) return std::unexpected(StoreError{to + ": " + sqlite3_errmsg(dst.handle())});
    int rc;
    // All pages in one step, inside one read transaction: the server is another connection (often
    // another process), and a step-wise copy restarts from the first page whenever it commits, so
    // on a busy server it might never finish. In WAL mode the read does not block the writer.
    do {
      rc = sqlite3_backup_step(b, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      fs::remove(to, ec);
      return std::unexpected(StoreError{"backup failed: " + std::string(sqlite3_errstr(rc))});
    }
    (*src)->sync_wal();  // the copy holds nothing that a crash could still take from the original
    dst.exec("PRAGMA journal_mode = DELETE");
    return {};
  } catch (const std::exception& e) {
    fs::remove(to, ec);
    return std::unexpected(StoreError{e.what()});
  }
}

const engine::Catalog& Store::catalog() const { return impl_->catalog; }
const Options& Store::options() const { return impl_->options; }

// ---------------------------------------------------------------------------------------------
// Commands

std::future<CommandResult> Store::submit(CommandRequest request) {
  auto job = std::make_unique<CommandJob>();
  job->req = std::move(request);
  auto future = job->promise.get_future();
  impl_->enqueue(std::move(job));
  return future;
}

ImportResult Store::import_nominations(ImportRequest request) {
  auto job = std::make_unique<ImportJob>();
  job->req = std::move(request);
  auto future = job->promise.get_future();
  impl_->enqueue(std::move(job));
  return future.get();
}

BatchResult Store::execute_batch(BatchRequest request) {
  auto job = std::make_unique<BatchJob>();
  job->req = std::move(request);
  auto future = job->promise.get_future();
  impl_->enqueue(std::move(job));
  return future.get();
}

std::optional<Time> Store::next_due() const {
  Time t = impl_->next_due.load();
  return t == kNoDue ? std::nullopt : std::optional<Time>(t);
}

void Store::on_commit(std::function<void(std::optional<Time>)> callback) {
  std::lock_guard lock(impl_->callback_mu);
  impl_->on_commit = std::move(callback);
}

std::size_t Store::fire_due_timers(Time now) {
  std::vector<std::pair<std::string, std::string>> due;
  {
    auto db = impl_->reads.get();
    sql::Stmt s(*db, "SELECT nomination_id, action FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT 10000");
    s.bind(1, now);
    while (s.step()) due.emplace_back(s.text(0), s.text(1));
  }
  std::vector<std::future<CommandResult>> futures;
  for (const auto& [id, action] : due) {
    CommandRequest r;
    r.caller = Caller{engine::Actor::system_actor(), "system", ""};
    r.nomination_id = id;
    r.command.action = action;
    r.now = now;
    futures.push_back(submit(std::move(r)));
  }
  std::size_t ran = 0;
  for (auto& f : futures) ran += f.get().status == CommandResult::Status::accepted ? 1 : 0;
  return ran;
}

// ---------------------------------------------------------------------------------------------
// Reads

std::optional<Nomination> Store::nomination(const std::string& id) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, LAUREL_SNAPSHOT_SELECT " WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return from_snapshot(s.blob_view(0));
}

std::optional<Nomination> Store::nomination_unless(const std::string& id, std::int64_t known_version) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT nominations.version, s.snapshot " LAUREL_WITH_SNAPSHOTS " WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  if (s.i64(0) == known_version) {
    Nomination n;
    n.id = id;
    n.version = known_version;
    return n;
  }
  return from_snapshot(s.blob_view(1));
}

ListPage Store::list(const ListQuery& q, const engine::Actor& viewer) {
  const auto& tree = impl_->catalog.tree();
  std::string where = "1";
  std::vector<std::string> args;
  // Visibility, as engine::may_see says.
  std::string vis;
  for (const auto& g : viewer.roles) {
    std::string clause;
    if (g.role == "nominator") {
      clause = "owner = ?";
      args.push_back(viewer.user);
    } else if (g.role == "auditor" || g.role == "admin") {
      clause = "jpath LIKE ? ESCAPE '\\'";
      args.push_back(jurisdiction_path(tree, g.jurisdiction) + "%");
    } else if (g.role == "reviewer" || g.role == "panelist" || g.role == "approver") {
      clause = "(jpath LIKE ? ESCAPE '\\' AND state <> 'draft')";
      args.push_back(jurisdiction_path(tree, g.jurisdiction) + "%");
    } else {
      continue;
    }
    vis += (vis.empty() ? "" : " OR ") + clause;
  }
  if (viewer.kind == engine::Actor::Kind::system) vis = "1";
  if (vis.empty()) return {};
  where += " AND (" + vis + ")";
  auto add = [&](const char* clause, const std::string& v) { where += clause; args.push_back(v); };
  if (q.state) add(" AND state = ?", *q.state);
  if (q.level) add(" AND level = ?", *q.level);
  if (q.category) add(" AND category = ?", *q.category);
  if (q.office) add(" AND jpath LIKE ?", jurisdiction_path(tree, *q.office) + "%");
  if (q.at_office) add(" AND office = ?", *q.at_office);
  if (q.year) add(" AND year = ?", std::to_string(*q.year));
  if (q.q && !q.q->empty()) {
    if (engine::utf8_length(*q.q) >= 3) {
      std::string phrase = "\"";
      for (char c : *q.q) { if (c == '"') phrase += "\"\""; else phrase.push_back(c); }
      phrase += "\"";
      add(" AND id IN (SELECT id FROM nominations_fts WHERE nominations_fts MATCH ?)", phrase);
    } else {
      where += " AND (name LIKE ? OR summary LIKE ?)";
      args.push_back("%" + *q.q + "%");
      args.push_back("%" + *q.q + "%");
    }
  }
  auto db = impl_->reads.get();
  ListPage page;
  {
    sql::Stmt c(*db, "SELECT count(*) FROM nominations WHERE " + where);
    for (std::size_t i = 0; i < args.size(); ++i) c.bind(static_cast<int>(i + 1), args[i]);
    c.step();
    page.total = c.i64(0);
  }
  int per_page = std::clamp(q.per_page, 1, 200);
  int pg = std::max(q.page, 1);
  // The page is chosen by sorting keys only; the snapshots (~2 KB each) are read for its rows alone,
  // not carried through the sort of every row before it (a deep page of 30,000 drafts: 2x faster).
  sql::Stmt s(*db, "SELECT (SELECT snapshot FROM nomination_snapshots WHERE k = page.fts_key) FROM"
                   " (SELECT fts_key, updated_at, id FROM nominations WHERE " + where +
                   " ORDER BY updated_at DESC, id LIMIT ? OFFSET ?) AS page ORDER BY page.updated_at DESC, page.id");
  int i = 1;
  for (const auto& a : args) s.bind(i++, a);
  s.bind(i, per_page);
  s.bind(i + 1, static_cast<std::int64_t>(pg - 1) * per_page);
  while (s.step()) page.items.push_back(from_snapshot(s.blob_view(0)));
  return page;
}

std::vector<RecordRow> Store::history(const std::string& nomination_id) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT idx, record FROM audit_log WHERE object_id = ? ORDER BY idx");
  s.bind(1, nomination_id);
  std::vector<RecordRow> out;
  while (s.step()) {
    auto b = s.blob_view(1);
    out.push_back({s.i64(0), std::string(reinterpret_cast<const char*>(b.data()), b.size())});
  }
  return out;
}

std::vector<RecordRow> Store::records(const RecordQuery& q) {
  std::string where = "idx >= ?";
  std::vector<std::string> args{std::to_string(q.from)};
  if (q.nomination) { where += " AND object_id = ?"; args.push_back(*q.nomination); }
  if (q.actor) { where += " AND actor = ?"; args.push_back(*q.actor); }
  if (q.action) { where += " AND action = ?"; args.push_back(*q.action); }
  if (q.outcome) { where += " AND outcome = ?"; args.push_back(*q.outcome); }
  if (q.since) { where += " AND at >= ?"; args.push_back(std::to_string(*q.since)); }
  if (q.until) { where += " AND at < ?"; args.push_back(std::to_string(*q.until)); }
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT idx, record FROM audit_log WHERE " + where + " ORDER BY idx LIMIT ?");
  int i = 1;
  for (const auto& a : args) s.bind(i++, a);
  s.bind(i, std::clamp(q.limit, 1, 1000));
  std::vector<RecordRow> out;
  while (s.step()) {
    auto b = s.blob_view(1);
    out.push_back({s.i64(0), std::string(reinterpret_cast<const char*>(b.data()), b.size())});
  }
  return out;
}

std::int64_t Store::log_size() { return impl_->tree->size(); }

namespace {
std::vector<Nomination> nominations_where(sql::Db& db, const char* column, const std::string& value) {
  sql::Stmt s(db, std::string(LAUREL_SNAPSHOT_SELECT " WHERE ") + column + " = ? ORDER BY id");
  s.bind(1, value);
  std::vector<Nomination> out;
  while (s.step()) out.push_back(from_snapshot(s.blob_view(0)));
  return out;
}
}  // namespace

std::vector<Notice> Store::notices(Time now, bool open_only) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, open_only ? "SELECT id, title, office, level, starts_at, ends_at FROM notices WHERE ends_at > ? ORDER BY starts_at DESC"
                             : "SELECT id, title, office, level, starts_at, ends_at FROM notices WHERE ends_at > ? - 90 * 86400 ORDER BY starts_at DESC");
  s.bind(1, now);
  std::vector<Notice> out;
  while (s.step()) out.push_back(Notice{s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5), {}});
  for (auto& n : out) n.nominations = nominations_where(*db, "notice_id", n.id);
  return out;
}

std::optional<Notice> Store::notice(const std::string& id) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT id, title, office, level, starts_at, ends_at FROM notices WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  Notice n{s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5), {}};
  n.nominations = nominations_where(*db, "notice_id", n.id);
  return n;
}

std::optional<Decision> Store::decision(const std::string& document_no) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT document_no, title, office, level, named_at FROM decisions WHERE document_no = ?");
  s.bind(1, document_no);
  if (!s.step()) return std::nullopt;
  Decision d{s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), {}};
  d.nominations = nominations_where(*db, "document_no", d.document_no);
  return d;
}

namespace {
std::vector<StatRow> stats(sql::Db& db, const engine::JurisdictionTree& tree, bool named, std::optional<int> year,
                           std::optional<std::string> office) {
  std::string sql = named ? "SELECT level, category, '', count(*) FROM nominations WHERE named_at IS NOT NULL"
                          : "SELECT level, category, state, count(*) FROM nominations WHERE 1";
  if (year) sql += " AND year = ?";
  if (office) sql += " AND jpath LIKE ?";
  sql += named ? " GROUP BY level, category ORDER BY level, category" : " GROUP BY level, category, state ORDER BY level, category, state";
  sql::Stmt s(db, sql);
  int i = 1;
  if (year) s.bind(i++, *year);
  if (office) s.bind(i++, jurisdiction_path(tree, *office) + "%");
  std::vector<StatRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.i64(3)});
  return out;
}
}  // namespace

std::vector<StatRow> Store::stats_named(std::optional<int> year, std::optional<std::string> office) {
  auto db = impl_->reads.get();
  return stats(*db, impl_->catalog.tree(), true, year, std::move(office));
}

std::vector<StatRow> Store::stats_by_state(std::optional<int> year, std::optional<std::string> office) {
  auto db = impl_->reads.get();
  return stats(*db, impl_->catalog.tree(), false, year, std::move(office));
}

namespace {

// 10 characters of Crockford's base32 (no I, L, O, U): 50 random bits.
std::string verification_code_text() {
  static const char* alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string out;
  for (int i = 0; i < 10; ++i) out.push_back(alphabet[randombytes_uniform(32)]);
  return out;
}

// The audit record a code stands for: the first accepted naming of the nomination (certificate) or
// of the decision, or the first accepted approval of the notice; -1 when there is none.
std::int64_t subject_record(sql::Db& db, const std::string& kind, const std::string& document_no, const std::string& nomination_id) {
  std::string sql;
  if (kind == "certificate") {
    sql = "SELECT min(a.idx) FROM audit_log a JOIN nominations n ON n.id = a.object_id"
          " WHERE a.object_id = ?1 AND n.document_no = ?2 AND a.action = 'name' AND a.outcome = 'accepted'";
  } else if (kind == "decision") {
    sql = "SELECT min(a.idx) FROM nominations n JOIN audit_log a ON a.object_id = n.id"
          " WHERE n.document_no = ?2 AND a.action = 'name' AND a.outcome = 'accepted' AND ?1 = ''";
  } else if (kind == "notice") {
    sql = "SELECT min(a.idx) FROM nominations n JOIN audit_log a ON a.object_id = n.id"
          " WHERE n.notice_id = ?2 AND a.action = 'approve' AND a.outcome = 'accepted' AND ?1 = ''";
  } else {
    return -1;
  }
  sql::Stmt s(db, sql);
  s.bind(1, nomination_id).bind(2, document_no);
  if (!s.step() || s.is_null(0)) return -1;
  return s.i64(0);
}

VerificationCode read_code(sql::Stmt& s) {
  return VerificationCode{s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5)};
}

}  // namespace

std::expected<std::vector<VerificationCode>, StoreError> Store::verification_codes(const std::string& kind, const std::string& document_no,
                                                                                  const std::vector<std::string>& nomination_ids, Time now) {
  using R = std::expected<std::vector<VerificationCode>, StoreError>;
  return run_job<R>(
      *impl_,
      [&](Batch& b) -> R {
        auto& db = b.db();
        std::vector<VerificationCode> out;
        for (const auto& id : nomination_ids) {
          sql::Stmt s(db, "SELECT code, kind, document_no, nomination_id, audit_index, created_at FROM verification_codes"
                          " WHERE kind = ? AND document_no = ? AND nomination_id = ?");
          s.bind(1, kind).bind(2, document_no).bind(3, id);
          if (s.step()) {
            out.push_back(read_code(s));
            continue;
          }
          std::int64_t index = subject_record(db, kind, document_no, id);
          if (index < 0) {
            return std::unexpected(StoreError{"no accepted " + std::string(kind == "notice" ? "approval" : "naming") + " recorded for " + kind + " " +
                                              document_no + (id.empty() ? "" : " / " + id)});
          }
          VerificationCode c{verification_code_text(), kind, document_no, id, index, now};
          sql::Stmt in(db, "INSERT INTO verification_codes (code, kind, document_no, nomination_id, audit_index, created_at) VALUES (?,?,?,?,?,?)");
          in.bind(1, c.code).bind(2, c.kind).bind(3, c.document_no).bind(4, c.nomination_id).bind(5, c.audit_index).bind(6, now).run();
          out.push_back(std::move(c));
        }
        return out;
      },
      [](const std::string& e) -> R { return std::unexpected(StoreError{e}); });
}

std::optional<VerificationCode> Store::find_verification_code(const std::string& code) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT code, kind, document_no, nomination_id, audit_index, created_at FROM verification_codes WHERE code = ?");
  s.bind(1, code);
  if (!s.step()) return std::nullopt;
  return read_code(s);
}

std::optional<std::string> Store::objection_contact(const std::string& objection_id) {
  auto db = impl_->reads.get();
  sql::Stmt s(*db, "SELECT contact FROM objections WHERE id = ?");
  s.bind(1, objection_id);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return reveal_personal(*db, s.text(0));
}

// ---------------------------------------------------------------------------------------------
// Users, quotas, logins

namespace {

std::optional<User> read_user(sql::Db& db, const std::string& username) {
  sql::Stmt s(db, "SELECT display_name, disabled FROM users WHERE username = ?");
  s.bind(1, username);
  if (!s.step()) return std::nullopt;
  User u{username, s.text(0), s.i64(1) != 0, {}};
  sql::Stmt r(db, "SELECT role, jurisdiction FROM user_roles WHERE username = ? ORDER BY role, jurisdiction");
  r.bind(1, username);
  while (r.step()) u.roles.push_back({r.text(0), r.text(1)});
  return u;
}

AuditRecord admin_record(const Caller& by, Time now, const char* kind, const char* action, const char* type, std::string id) {
  AuditRecord r;
  r.at = now;
  r.who = Who{by.actor.kind == engine::Actor::Kind::system ? "system" : by.actor.user, "admin", "", by.auth, by.address};
  r.kind = kind;
  r.action = action;
  r.object_type = type;
  r.object_id = std::move(id);
  return r;
}

AdminResult denied(Batch& b, AuditRecord r, engine::Rejection why) {
  r.outcome = "denied";
  r.reason = why;
  AdminResult res;
  res.audit_index = b.append(r);
  res.rejection = std::move(why);
  return res;
}

AdminResult failed(const std::string& e) {
  AdminResult r;
  r.error = e;
  return r;
}

}  // namespace

AdminResult Store::create_user(const Caller& by, const User& user, const std::string& password, Time now) {
  // Validate before the expensive hash; authorisation is checked (and a refusal logged) in the writer.
  std::optional<engine::Rejection> invalid = engine::check_username(user.username);
  if (!invalid) invalid = engine::check_display_name(user.display_name);
  if (!invalid) invalid = engine::check_password(password, user.username);
  std::string hash = invalid ? std::string() : hash_password(password, impl_->options);
  const auto& tree = impl_->catalog.tree();
  return run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        AuditRecord r = admin_record(by, now, "user", "create_user", "user", user.username);
        if (auto bad = engine::check_grants(by.actor, user.roles, {}, tree)) return denied(b, r, *bad);
        if (user.roles.empty() && !engine::holds_over(by.actor, "admin", tree.root().code, tree)) {
          return denied(b, r, engine::Rejection{engine::Problem::validation_failed, "roles: at least one role", {}, {{"roles", "at least one role"}}});
        }
        if (invalid) return denied(b, r, *invalid);
        if (read_user(b.db(), user.username)) {
          return denied(b, r, engine::Rejection{engine::Problem::validation_failed, "username: already taken", {}, {{"username", "already taken"}}});
        }
        User clean = user;
        clean.disabled = false;
        std::sort(clean.roles.begin(), clean.roles.end(), [](auto& a, auto& c) { return std::tie(a.role, a.jurisdiction) < std::tie(c.role, c.jurisdiction); });
        clean.roles.erase(std::unique(clean.roles.begin(), clean.roles.end()), clean.roles.end());
        sql::Stmt c(b.db(), "INSERT INTO credentials (username, password_hash, changed_at) VALUES (?, ?, ?)");
        c.bind(1, clean.username).bind(2, hash).bind(3, now).run();
        r.outcome = "accepted";
        r.new_value = user_json(clean);
        b.projector().apply_user(r.new_value, now);
        AdminResult res;
        res.audit_index = b.append(r);
        return res;
      },
      failed);
}

AdminResult Store::update_user(const Caller& by, const std::string& username, std::optional<std::vector<engine::RoleGrant>> roles,
                               std::optional<bool> disabled, std::optional<std::string> password, Time now) {
  std::optional<engine::Rejection> invalid;
  if (password) invalid = engine::check_password(*password, username);
  std::string hash = password && !invalid ? hash_password(*password, impl_->options) : std::string();
  const auto& tree = impl_->catalog.tree();
  return run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        AuditRecord r = admin_record(by, now, "user", "update_user", "user", username);
        auto current = read_user(b.db(), username);
        if (!current) return denied(b, r, engine::Rejection{engine::Problem::validation_failed, "no such user", {}, {{"username", "no such user"}}});
        const bool self = by.actor.user == username;
        if (!(self && !roles && !disabled) && !engine::may_manage(by.actor, current->roles, tree)) {
          return denied(b, r, engine::Rejection{engine::Problem::forbidden, "the user holds roles outside your jurisdiction", {}, {}});
        }
        if (roles) {
          if (auto bad = engine::check_grants(by.actor, *roles, current->roles, tree)) return denied(b, r, *bad);
        }
        if (invalid) return denied(b, r, *invalid);
        User next = *current;
        if (roles) next.roles = *roles;
        if (disabled) next.disabled = *disabled;
        std::sort(next.roles.begin(), next.roles.end(), [](auto& a, auto& c) { return std::tie(a.role, a.jurisdiction) < std::tie(c.role, c.jurisdiction); });
        next.roles.erase(std::unique(next.roles.begin(), next.roles.end()), next.roles.end());
        if (password) {
          sql::Stmt c(b.db(), "UPDATE credentials SET password_hash = ?, changed_at = ? WHERE username = ?");
          c.bind(1, hash).bind(2, now).bind(3, username).run();
          sql::Stmt s(b.db(), "DELETE FROM sessions WHERE username = ?");
          s.bind(1, username).run();
        }
        if (next.disabled) {
          sql::Stmt s(b.db(), "DELETE FROM sessions WHERE username = ?");
          s.bind(1, username).run();
        }
        r.outcome = "accepted";
        r.old_value = user_json(*current);
        bj::value nv = user_json(next);
        if (password) nv.as_object()["password_changed"] = true;
        r.new_value = nv;
        b.projector().apply_user(r.new_value, now);
        AdminResult res;
        res.audit_index = b.append(r);
        return res;
      },
      failed);
}

std::vector<User> Store::users(const engine::Actor& viewer) {
  auto db = impl_->reads.get();
  std::vector<User> out;
  sql::Stmt s(*db, "SELECT username FROM users ORDER BY username");
  while (s.step()) {
    auto u = read_user(*db, s.text(0));
    if (u && engine::may_manage(viewer, u->roles, impl_->catalog.tree())) out.push_back(std::move(*u));
  }
  return out;
}

std::optional<User> Store::user(const std::string& username) {
  auto db = impl_->reads.get();
  return read_user(*db, username);
}

AdminResult Store::set_quota(const Caller& by, const Quota& quota, Time now) {
  return run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        std::string id = quota.office + "/" + quota.level + "/" + quota.category + "/" + std::to_string(quota.year);
        AuditRecord r = admin_record(by, now, "quota", "set_quota", "quota", id);
        if (auto bad = engine::check_quota(by.actor, quota.office, quota.level, quota.category, quota.year, quota.limit, impl_->catalog)) {
          return denied(b, r, *bad);
        }
        sql::Stmt old(b.db(), "SELECT lim FROM quotas WHERE office = ? AND level = ? AND category = ? AND year = ?");
        old.bind(1, quota.office).bind(2, quota.level).bind(3, quota.category).bind(4, quota.year);
        bj::object key{{"office", quota.office}, {"level", quota.level}, {"category", quota.category}, {"year", quota.year}};
        if (old.step()) {
          bj::object ov = key;
          ov["limit"] = old.i64(0);
          r.old_value = ov;
        }
        old.reset();
        key["limit"] = quota.limit;
        r.new_value = key;
        r.outcome = "accepted";
        b.projector().apply_quota(r.new_value);
        AdminResult res;
        res.audit_index = b.append(r);
        return res;
      },
      failed);
}

std::vector<Quota> Store::quotas(std::optional<int> year, std::optional<std::string> office) {
  auto db = impl_->reads.get();
  std::string sql = "SELECT office, level, category, year, lim FROM quotas WHERE 1";
  if (year) sql += " AND year = ?";
  if (office) sql += " AND office = ?";
  sql::Stmt s(*db, sql + " ORDER BY year, office, level, category");
  int i = 1;
  if (year) s.bind(i++, *year);
  if (office) s.bind(i++, *office);
  std::vector<Quota> out;
  while (s.step()) out.push_back(Quota{s.text(0), s.text(1), s.text(2), static_cast<int>(s.i64(3)), s.i64(4), 0});
  for (auto& q : out) {
    sql::Stmt c(*db, "SELECT count(*) FROM nominations WHERE office = ? AND level = ? AND category = ? AND year = ?"
                     " AND state IN ('publicity', 'publicity_closed', 'named', 'revoked', 'expired')");
    c.bind(1, q.office).bind(2, q.level).bind(3, q.category).bind(4, q.year);
    c.step();
    q.used = c.i64(0);
  }
  return out;
}

std::optional<User> Store::login(const std::string& username, const std::string& password, const std::string& address, Time now) {
  std::string hash;
  std::optional<User> user;
  {
    auto db = impl_->reads.get();
    user = read_user(*db, username);
    sql::Stmt s(*db, "SELECT password_hash FROM credentials WHERE username = ?");
    s.bind(1, username);
    if (s.step()) hash = s.text(0);
  }
  // Verify even for an unknown user, against a fixed hash, so that timing does not tell who exists.
  static const std::string dummy = hash_password("laurel-dummy-password", impl_->options);
  bool ok = crypto_pwhash_str_verify(hash.empty() ? dummy.c_str() : hash.c_str(), password.data(), password.size()) == 0;
  ok = ok && !hash.empty() && user && !user->disabled;
  std::string reason = !user || hash.empty() ? "unknown user" : user->disabled ? "account disabled" : "wrong password";
  run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        AuditRecord r;
        r.at = now;
        r.who = Who{username, "", "", "password", address};
        r.kind = "login";
        r.action = "login";
        r.object_type = "session";
        r.object_id = username;
        r.outcome = ok ? "accepted" : "denied";
        if (!ok) r.reason = engine::Rejection{engine::Problem::forbidden, reason, {}, {}};
        AdminResult res;
        res.audit_index = b.append(r);
        return res;
      },
      failed);
  if (!ok) return std::nullopt;
  return user;
}

std::expected<std::int64_t, StoreError> Store::append_record(AuditRecord record) {
  auto r = run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        AdminResult res;
        res.audit_index = b.append(record);
        return res;
      },
      failed);
  if (!r.error.empty()) return std::unexpected(StoreError{r.error});
  return r.audit_index;
}

// ---------------------------------------------------------------------------------------------
// Sessions and tokens

namespace {

std::string random_secret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::vector<std::uint8_t> secret_hash(const std::string& secret) {
  std::vector<std::uint8_t> h(crypto_hash_sha256_BYTES);
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return h;
}

}  // namespace

std::expected<Store::Session, StoreError> Store::create_session(const std::string& username, const std::string& auth, Time now) {
  Session s{random_secret(), random_secret(), username, auth, now, now};
  auto r = run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        sql::Stmt ins(b.db(), "INSERT INTO sessions (id_hash, username, csrf, auth, created_at, last_seen, expires_at) VALUES (?,?,?,?,?,?,?)");
        ins.bind_blob(1, secret_hash(s.token)).bind(2, username).bind(3, s.csrf).bind(4, auth).bind(5, now).bind(6, now).bind(7, now).run();
        sql::Stmt old(b.db(), "DELETE FROM sessions WHERE last_seen < ?");
        old.bind(1, now - 30 * 86400).run();
        return AdminResult{};
      },
      failed);
  if (!r.error.empty()) return std::unexpected(StoreError{r.error});
  return s;
}

std::optional<Store::Session> Store::find_session(const std::string& token, Time now, Time idle, Time absolute) {
  Session s;
  {
    auto db = impl_->reads.get();
    sql::Stmt q(*db, "SELECT username, csrf, auth, created_at, last_seen FROM sessions WHERE id_hash = ?");
    q.bind_blob(1, secret_hash(token));
    if (!q.step()) return std::nullopt;
    s = Session{"", q.text(1), q.text(0), q.text(2), q.i64(3), q.i64(4)};
  }
  if (now - s.last_seen > idle || now - s.created_at > absolute) return std::nullopt;
  if (now - s.last_seen >= 60) {
    // Touch at most once a minute, without waiting for it.
    auto job = std::make_unique<FunctionJob<AdminResult>>();
    auto hash = secret_hash(token);
    job->fn = [hash, now](Batch& b) {
      sql::Stmt up(b.db(), "UPDATE sessions SET last_seen = ? WHERE id_hash = ?");
      up.bind(1, now).bind_blob(2, hash).run();
      return AdminResult{};
    };
    job->on_fail = failed;
    impl_->enqueue(std::move(job));
  }
  return s;
}

void Store::delete_session(const std::string& token, const Caller& who, Time now) {
  run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        sql::Stmt del(b.db(), "DELETE FROM sessions WHERE id_hash = ?");
        del.bind_blob(1, secret_hash(token)).run();
        AuditRecord r;
        r.at = now;
        r.who = Who{who.actor.user, "", "", who.auth, who.address};
        r.kind = "logout";
        r.action = "logout";
        r.object_type = "session";
        r.object_id = who.actor.user;
        r.outcome = "accepted";
        b.append(r);
        return AdminResult{};
      },
      failed);
}

std::expected<std::string, StoreError> Store::create_token(const Caller& owner, const std::string& name, Time now) {
  std::string token = "lt_" + random_secret();
  auto r = run_job<AdminResult>(
      *impl_,
      [&](Batch& b) {
        sql::Stmt ins(b.db(), "INSERT INTO api_tokens (token_hash, username, name, created_at) VALUES (?,?,?,?)");
        ins.bind_blob(1, secret_hash(token)).bind(2, owner.actor.user).bind(3, name).bind(4, now).run();
        AuditRecord rec;
        rec.at = now;
        rec.who = Who{owner.actor.user, "", "", owner.auth, owner.address};
        rec.kind = "token";
        rec.action = "create_token";
        rec.object_type = "token";
        rec.object_id = owner.actor.user;
        rec.outcome = "accepted";
        rec.new_value = bj::object{{"name", name}};
        AdminResult res;
        res.audit_index = b.append(rec);
        return res;
      },
      failed);
  if (!r.error.empty()) return std::unexpected(StoreError{r.error});
  return token;
}

std::optional<std::string> Store::find_token(const std::string& token) {
  auto db = impl_->reads.get();
  sql::Stmt q(*db, "SELECT username FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL");
  q.bind_blob(1, secret_hash(token));
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::uint64_t Store::auth_generation() const { return impl_->auth_generation.load(std::memory_order_acquire); }

bool Store::ping() {
  try {
    auto db = impl_->reads.get();
    sql::Stmt s(*db, "SELECT count(*) FROM meta");
    s.step();
  } catch (const std::exception&) {
    return false;
  }
  auto r = run_job<AdminResult>(*impl_, [](Batch&) { return AdminResult{}; }, failed);
  return r.error.empty();
}

Store::Counters Store::counters() const {
  Counters c{impl_->batches.load(), impl_->commands.load(), impl_->failures.load(), impl_->commit_micros.load(),
             impl_->last_batch.load(), impl_->wal_pages.load(), impl_->wal_restarts.load(), impl_->wal_syncs.load(), {}};
  for (std::size_t i = 0; i < c.commit_buckets.size(); ++i) c.commit_buckets[i] = impl_->commit_buckets[i].load();
  return c;
}

audit::AuditReader& Store::audit() { return *impl_->audit; }

std::string Store::verifier_key() const { return impl_->tree->signer().verifier_key(); }

}  // namespace laurel::storage
