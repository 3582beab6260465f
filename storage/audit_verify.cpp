#include "storage/audit_verify.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/audit_keyring.h"
#include "storage/canonical_json.h"
#include "storage/canonical_json_scan.h"
#include "storage/merkle.h"
#include "storage/readahead_vfs.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace laurel::storage::audit {
namespace {

using merkle::Hash;

// The records are read and hashed in chunks of consecutive indexes, each on a worker with its own
// connection: large enough that handing one over costs nothing next to hashing it. A power of two,
// so that a chunk holds whole subtrees.
constexpr std::uint32_t kChunkLevels = 12;
constexpr std::int64_t kChunkRecords = std::int64_t{1} << kChunkLevels;
constexpr std::size_t kSignatureBatch = 64;
// Chunks read ahead of the one the main thread waits for, at most (each holds its hashes only,
// about 300 KB).
constexpr std::size_t kMaxInFlight = 64;
// Records beyond the last checkpoint read in chunks before the rest comes as one (an index made
// huge by tampering must not make billions of empty ranges).
constexpr std::int64_t kTailRecords = std::int64_t{1} << 20;

// The worker thread running a job (0, 1, ...), -1 on any other thread.
thread_local int current_worker = -1;

std::string range_text(std::int64_t first, std::int64_t end) {
  if (end - first == 1) return "record " + std::to_string(first);
  return "records " + std::to_string(first) + ".." + std::to_string(end - 1);
}

// Findings are ordered by where in the log they arise: record i at 2i, the checkpoint of size S
// just after its last record, at 2S - 1. At one position a bad signature goes before anything else
// said about that checkpoint (an unsigned checkpoint's root means nothing).
std::int64_t record_position(std::int64_t index) { return 2 * index; }
std::int64_t checkpoint_position(std::int64_t size) { return 2 * size - 1; }

struct Located {
  std::int64_t position = 0;
  Finding finding;
};

void keep_earliest(std::optional<Located>& kept, Located candidate) {
  if (!kept || candidate.position < kept->position ||
      (candidate.position == kept->position && candidate.finding.kind == Problem::checkpoint_signature &&
       kept->finding.kind != Problem::checkpoint_signature)) {
    kept = std::move(candidate);
  }
}

// A fixed set of threads taking jobs from a queue (threads are dear to start in a loop).
class Workers {
 public:
  explicit Workers(unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
      threads_.emplace_back([this, i] {
        current_worker = static_cast<int>(i);
        run();
      });
    }
  }
  ~Workers() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      queue_.clear();  // jobs not started are dropped: nobody waits for them any more
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Runs one job that no worker has started yet on the calling thread: a thread that would otherwise
  // wait for a result helps instead. False when none is waiting.
  bool help() {
    std::function<void()> job;
    {
      std::lock_guard lock(mu_);
      if (stopping_ || queue_.empty()) return false;
      job = std::move(queue_.back());
      queue_.pop_back();
    }
    job();
    return true;
  }

  template <typename F>
  auto submit(F job) -> std::future<decltype(job())> {
    auto task = std::make_shared<std::packaged_task<decltype(job())()>>(std::move(job));
    auto result = task->get_future();
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return result;
  }

 private:
  void run() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The audit_log rows whose indexes lie in [from, to); the worker reads them and fills in their
// indexes, leaf hashes and the first record that is not canonical.
struct Chunk {
  std::int64_t from = 0, to = 0;
  bool check_nodes = false;  // the worker also compares the stored nodes inside the chunk (schema 5 on)
  // Then: the stored nodes at positions [nodes_from, nodes_to) are exactly the ones recomputed, the
  // complete subtrees inside the chunk (levels up to kChunkLevels).
  bool nodes_match = false;
  std::int64_t nodes_from = 0, nodes_to = 0;
  std::vector<std::int64_t> idx;
  std::vector<Hash> leaves;
  std::ptrdiff_t first_not_canonical = -1;
  std::string not_canonical;  // that record's bytes
  std::vector<std::pair<std::size_t, std::string>> rotations;  // rotate_key records: position, key retired
  // The hashes of the complete subtrees wholly inside the chunk, from level 1 up, when its indexes
  // run without a gap: inner[l - 1][k] is node (l, inner_first[l - 1] + k); inner_levels in use.
  std::vector<std::vector<Hash>> inner;
  std::vector<std::uint64_t> inner_first;
  std::size_t inner_levels = 0;

  std::size_t size() const { return idx.size(); }
  void clear() {
    idx.clear();
    leaves.clear();
    first_not_canonical = -1;
    not_canonical.clear();
    rotations.clear();
    inner_levels = 0;
    nodes_match = false;
  }
};

// The chunk's subtree hashes, as the main thread's appender would compute them: done here, on a
// worker, so that the appender only hashes the few nodes that span chunks.
class ChunkNodes final : public merkle::KnownNodes {
 public:
  explicit ChunkNodes(const Chunk& chunk) : chunk_(chunk) {}
  const Hash* find(std::uint32_t level, std::uint64_t index) const override {
    if (level == 0 || level > chunk_.inner_levels) return nullptr;
    const auto& hashes = chunk_.inner[level - 1];
    const std::uint64_t first = chunk_.inner_first[level - 1];
    return index >= first && index - first < hashes.size() ? &hashes[index - first] : nullptr;
  }

 private:
  const Chunk& chunk_;
};

void hash_subtrees(Chunk& chunk) {
  chunk.inner_levels = 0;
  const std::size_t n = chunk.size();
  // Indexes come sorted and unique (the primary key): the first and last tell whether any is missing.
  if (n < 2 || chunk.idx.front() < 0 || chunk.idx.back() - chunk.idx.front() != static_cast<std::int64_t>(n) - 1) return;
  const auto start = static_cast<std::uint64_t>(chunk.idx.front());
  const std::vector<Hash>* below = &chunk.leaves;
  std::uint64_t below_first = start;
  for (std::uint32_t level = 1; level < 63; ++level) {
    const std::uint64_t first = (start + (std::uint64_t{1} << level) - 1) >> level;
    const std::uint64_t end = (start + n) >> level;
    if (end <= first) break;
    if (chunk.inner.size() < level) {
      chunk.inner.emplace_back();
      chunk.inner_first.emplace_back();
      below = level == 1 ? &chunk.leaves : &chunk.inner[level - 2];  // the vector of levels may have moved
    }
    auto& hashes = chunk.inner[level - 1];
    hashes.resize(end - first);
    chunk.inner_first[level - 1] = first;
    for (std::uint64_t i = first; i < end; ++i) {
      hashes[i - first] = merkle::node_hash((*below)[2 * i - below_first], (*below)[2 * i + 1 - below_first]);
    }
    below = &hashes;
    below_first = first;
    chunk.inner_levels = level;
  }
}

// Compares the stored nodes of the complete subtrees inside a chunk that starts at a multiple of
// kChunkRecords and has no gap with the recomputed ones, on the worker: when every one is there
// and equal, the main thread need not read them (anything else it reads and reports itself).
void match_nodes(Chunk& chunk, sql::Db& db) {
  const std::size_t n = chunk.size();
  if (n == 0 || n > static_cast<std::size_t>(kChunkRecords) || chunk.idx.front() < 0 || chunk.idx.front() % kChunkRecords != 0 ||
      chunk.idx.back() - chunk.idx.front() != static_cast<std::int64_t>(n) - 1) {
    return;
  }
  const auto first = static_cast<std::uint64_t>(chunk.idx.front());
  const auto from = static_cast<std::int64_t>(*merkle::postorder_position(0, first));
  const auto count = static_cast<std::int64_t>(2 * n - static_cast<std::size_t>(std::popcount(n)));
  sql::Stmt rows(db, "SELECT pos, level, idx, hash FROM merkle_nodes WHERE pos >= ? AND pos < ? ORDER BY pos");
  rows.bind(1, from).bind(2, from + count);
  // The nodes in post-order: after leaf j, the subtrees that it completes, lowest first.
  std::int64_t position = from;
  auto next_is = [&](std::uint32_t level, std::uint64_t index, const Hash& hash) {
    if (!rows.step() || rows.i64(0) != position || rows.i64(1) != static_cast<std::int64_t>(level) ||
        rows.i64(2) != static_cast<std::int64_t>(index)) {
      return false;
    }
    const auto blob = rows.blob_view(3);
    ++position;
    return blob.size() == hash.size() && std::equal(blob.begin(), blob.end(), hash.begin());
  };
  for (std::size_t j = 0; j < n; ++j) {
    if (!next_is(0, first + j, chunk.leaves[j])) return;
    for (std::uint32_t level = 1; level <= chunk.inner_levels && ((j + 1) & ((std::size_t{1} << level) - 1)) == 0; ++level) {
      const std::uint64_t index = ((first + j + 1) >> level) - 1;
      if (!next_is(level, index, chunk.inner[level - 1][index - chunk.inner_first[level - 1]])) return;
    }
  }
  if (position != from + count || rows.step()) return;
  chunk.nodes_match = true;
  chunk.nodes_from = from;
  chunk.nodes_to = from + count;
}

// Reads the chunk's rows and hashes them straight from SQLite's pages (no copy), on `db`: the
// connection of the thread running it.
void read_chunk(Chunk& chunk, sql::Db& db) {
  chunk.clear();
  sql::Stmt rows(db, "SELECT idx, record FROM audit_log WHERE idx >= ? AND idx < ? ORDER BY idx");
  rows.bind(1, chunk.from).bind(2, chunk.to);
  while (rows.step()) {
    const std::size_t i = chunk.size();
    chunk.idx.push_back(rows.i64(0));
    const auto blob = rows.blob_view(1);
    const std::string_view record(reinterpret_cast<const char*>(blob.data()), blob.size());
    chunk.leaves.push_back(merkle::leaf_hash(record));
    // A rotation record has the string "rotate_key" (its action): only a record with a string
    // ending so is parsed to see whether it is one.
    bool rotation = false;
    if (!is_canonical_json(record, "rotate_key", rotation)) {
      if (chunk.first_not_canonical < 0) {
        chunk.first_not_canonical = static_cast<std::ptrdiff_t>(i);
        chunk.not_canonical.assign(record);
      }
      continue;  // not a rotation either: retired_by_record parses canonical JSON only
    }
    if (!rotation) continue;
    if (auto retired = retired_by_record(record)) chunk.rotations.emplace_back(i, std::move(*retired));
  }
  hash_subtrees(chunk);
  if (chunk.check_nodes) match_nodes(chunk, db);
}

// What tells two read transactions apart: every commit appends records or checkpoints, so two
// snapshots with the same last record and last checkpoint are the same.
std::pair<std::int64_t, std::int64_t> snapshot_marks(sql::Db& db) {
  sql::Stmt s(db, "SELECT coalesce((SELECT max(idx) FROM audit_log), -1), coalesce((SELECT max(size) FROM checkpoints), -1)");
  s.step();
  return {s.i64(0), s.i64(1)};
}

struct PendingSignature {
  std::int64_t size = 0;
  std::string note;
};

std::optional<Located> check_signatures(const KeyRing& ring, std::vector<PendingSignature> batch) {
  for (const auto& p : batch) {
    auto checked = ring.verify(p.note);
    if (!checked) {
      return Located{checkpoint_position(p.size),
                     Finding{p.size - 1, Problem::checkpoint_signature,
                             "the checkpoint of size " + std::to_string(p.size) + " is not validly signed: " + checked.error(), p.size}};
    }
  }
  return std::nullopt;
}

// The stored nodes in position order (merkle::postorder_position), which is the order the
// recomputation completes them in: one pass beside the records. A database older than schema 5 (a
// backup, opened read-only) has no position column: its nodes are sorted by the computed one.
class NodeCursor {
 public:
  explicit NodeCursor(sql::Db& db) : by_position_(schema_version(db) >= kNodesByPositionSchema), stmt_(db, select(db, by_position_)) {
    seek(std::numeric_limits<std::int64_t>::min());
  }
  static const char* select(sql::Db& db, bool by_position) {
    if (by_position) return "SELECT pos, level, idx, hash FROM merkle_nodes WHERE pos >= ? ORDER BY pos";
    register_sql_functions(db);
    return "SELECT laurel_node_position(level, idx) AS pos, level, idx, hash FROM merkle_nodes ORDER BY pos";
  }
  // Whether the table is keyed by position (schema 5 on): only then can the cursor skip ahead.
  bool by_position() const { return by_position_; }
  // To the first row at `position` or after (by_position() only; the start otherwise).
  void seek(std::int64_t position) {
    stmt_.reset();
    if (by_position_) stmt_.bind(1, position);
    advance();
  }
  bool has_row() const { return has_row_; }
  std::int64_t position() const { return position_; }
  std::int64_t level() const { return level_; }
  std::int64_t index() const { return index_; }
  const std::optional<Hash>& hash() const { return hash_; }
  void advance() {
    has_row_ = stmt_.step();
    if (!has_row_) return;
    position_ = stmt_.i64(0);
    level_ = stmt_.i64(1);
    index_ = stmt_.i64(2);
    auto blob = stmt_.blob_view(3);
    if (blob.size() == 32) {
      hash_.emplace();
      std::copy(blob.begin(), blob.end(), hash_->begin());
    } else {
      hash_.reset();
    }
  }

 private:
  bool by_position_;
  sql::Stmt stmt_;
  bool has_row_ = false;
  std::int64_t position_ = 0, level_ = 0, index_ = 0;
  std::optional<Hash> hash_;
};

struct StoredCheckpoint {
  std::int64_t size = 0;
  std::vector<std::uint8_t> root;
  std::string note;
};

class CheckpointCursor {
 public:
  explicit CheckpointCursor(sql::Db& db) : stmt_(db, "SELECT size, root, note FROM checkpoints ORDER BY size") { advance(); }
  bool has_row() const { return has_row_; }
  const StoredCheckpoint& row() const { return row_; }
  void advance() {
    has_row_ = stmt_.step();
    if (has_row_) row_ = StoredCheckpoint{stmt_.i64(0), stmt_.blob(1), stmt_.text(2)};
  }

 private:
  sql::Stmt stmt_;
  bool has_row_ = false;
  StoredCheckpoint row_;
};

// The body of a signed note, without checking the signature (that happens on a worker).
std::expected<checkpoint::Checkpoint, std::string> unsigned_body(std::string_view note) {
  const auto split = note.rfind("\n\n");
  if (split == std::string_view::npos) return std::unexpected("no blank line before the signatures");
  return checkpoint::parse_checkpoint_body(note.substr(0, split + 1));
}

class DatabaseVerification {
 public:
  DatabaseVerification(const std::string& path, const VerifyOptions& options) : path_(path), options_(options) {
    // By default one worker per hardware thread but one: the reading thread keeps a core of its own
    // (on two cores, two workers beside it were slower than one).
    threads_ = options.threads ? options.threads : std::max(2u, std::thread::hardware_concurrency()) - 1;
  }

  Report run();

 private:
  void open_readers(sql::Db& db, std::optional<sql::Transaction>& snapshot);
  void stream(sql::Db& db);
  void combine(sql::Db& db, const Chunk& chunk);
  bool expect_node(sql::Db& db, const merkle::StoredNode& node);
  void check_checkpoints_up_to(std::int64_t size);
  void queue_signature(std::int64_t size, std::string note, bool flush);
  void collect_signatures(std::size_t keep_in_flight);
  void finish();
  void fail(std::int64_t position, Finding finding) { keep_earliest(error_, Located{position, std::move(finding)}); }
  bool stopped() const { return error_.has_value(); }

  std::string path_;
  VerifyOptions options_;
  unsigned threads_ = 1;

  std::string origin_;
  KeyRing ring_;
  std::optional<checkpoint::Checkpoint> trusted_;
  std::optional<Hash> root_at_trusted_;

  merkle::Appender tree_;
  std::unique_ptr<NodeCursor> nodes_;
  std::unique_ptr<CheckpointCursor> checkpoints_;
  std::int64_t records_ = 0;
  std::int64_t checkpoints_seen_ = 0;
  std::int64_t last_checkpoint_size_ = 0;

  std::vector<PendingSignature> batch_;
  std::deque<std::future<std::optional<Located>>> signatures_;
  std::optional<Located> signature_error_;
  std::optional<Located> error_;
  // One connection per worker, each in a read transaction that sees what the main one sees: the
  // workers read the records as well as hash them. Empty when no such snapshot could be had (the
  // main thread then reads and hashes alone).
  std::vector<std::unique_ptr<sql::Db>> readers_;
  std::vector<std::unique_ptr<sql::Transaction>> reader_snapshots_;
  // Last, so that it stops (and no job touches ring_ or readers_ any more) before the rest goes.
  std::unique_ptr<Workers> workers_;
};

Report DatabaseVerification::run() {
  Report report;
  auto unreadable = [&](std::string message) {
    report.first_error = Finding{-1, Problem::unreadable, std::move(message), -1};
    return report;
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec)) return unreadable("no database at " + path_);
  try {
    auto connection = open_for_scan(path_);
    // The cursors' statements go before their connection: a statement returns to its connection's
    // cache when destroyed (a use after free that ASan found through `laurel audit verify`).
    struct ReleaseCursors {
      DatabaseVerification& v;
      ~ReleaseCursors() {
        v.checkpoints_.reset();
        v.nodes_.reset();
        v.workers_.reset();
        v.reader_snapshots_.clear();
        v.readers_.clear();
      }
    } release_cursors{*this};
    sql::Db& db = *connection;
    std::optional<sql::Transaction> snapshot;
    snapshot.emplace(db, /*immediate=*/false);
    {
      sql::Stmt s(db,
                  "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('audit_log', 'merkle_nodes', 'checkpoints', "
                  "'signing_keys', 'meta')");
      s.step();
      if (s.i64(0) != 5) return unreadable(path_ + " is not a Laurel database (its audit tables are missing)");
    }
    open_readers(db, snapshot);
    auto origin = read_origin(db);
    if (!origin) return unreadable(path_ + " has no log origin");
    origin_ = *origin;
    auto ring = KeyRing::make(read_signing_keys(db));
    if (!ring) return unreadable("a stored signing key is malformed: " + ring.error());
    if (ring->empty()) return unreadable(path_ + " has no signing keys");
    ring_ = std::move(*ring);
    if (options_.trusted_checkpoint) {
      auto trusted = ring_.verify(*options_.trusted_checkpoint);
      if (!trusted) {
        report.first_error = Finding{-1, Problem::checkpoint_signature,
                                     "the trusted checkpoint does not verify with this database's keys: " + trusted.error() +
                                         " (a database restored from before a key rotation does not know the later keys)",
                                     -1};
        return report;
      }
      if (trusted->origin != origin_) {
        report.first_error =
            Finding{-1, Problem::malformed,
                    "the trusted checkpoint is of another log (\"" + trusted->origin + "\", this one is \"" + origin_ + "\")", -1};
        return report;
      }
      trusted_ = *trusted;
    }
    workers_ = std::make_unique<Workers>(threads_);
    stream(db);
    collect_signatures(0);
    if (!stopped()) finish();
    report.records = records_;
    report.checkpoints = checkpoints_seen_;
    report.verified_size = last_checkpoint_size_;
    if (error_) {
      // Signatures are checked behind the stream, so the counts above may run past the problem:
      // only the checkpoints before it count as verified.
      sql::Stmt s(db, "SELECT count(*), coalesce(max(size), 0) FROM checkpoints WHERE size >= 0 AND 2 * size - 1 < ?");
      s.bind(1, error_->position);
      s.step();
      report.checkpoints = s.i64(0);
      report.verified_size = s.i64(1);
      report.first_error = error_->finding;
      // A bad checkpoint leaves unvouched for everything after the last good one.
      if (error_->finding.kind == Problem::checkpoint_signature || error_->finding.kind == Problem::checkpoint_inconsistent) {
        report.first_error->index = report.verified_size;
      }
    }
    report.unverified_tail = std::max<std::int64_t>(0, report.records - report.verified_size);
  } catch (const std::exception& e) {
    return unreadable(path_ + ": " + e.what());
  }
  report.ok = !report.first_error;
  return report;
}

void DatabaseVerification::open_readers(sql::Db& db, std::optional<sql::Transaction>& snapshot) {
  // SQLite (as Debian builds it) cannot hand one snapshot to another connection: the readers begin
  // right after the main one, and a commit in between (the marks differ) starts all of them again.
  try {
    for (unsigned i = 0; i < threads_; ++i) readers_.push_back(open_for_scan(path_));
  } catch (const std::exception&) {
    readers_.clear();  // the main connection reads alone
    return;
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (attempt > 0) {
      snapshot.reset();
      snapshot.emplace(db, /*immediate=*/false);
    }
    const auto marks = snapshot_marks(db);
    bool same = true;
    for (auto& reader : readers_) {
      reader_snapshots_.push_back(std::make_unique<sql::Transaction>(*reader, /*immediate=*/false));
      if (snapshot_marks(*reader) != marks) {
        same = false;
        break;
      }
    }
    if (same) return;
    reader_snapshots_.clear();
  }
  readers_.clear();
}

void DatabaseVerification::stream(sql::Db& db) {
  checkpoints_ = std::make_unique<CheckpointCursor>(db);
  nodes_ = std::make_unique<NodeCursor>(db);
  if (trusted_ && trusted_->size == 0) root_at_trusted_ = merkle::empty_root();
  check_checkpoints_up_to(0);
  // The chunks: indexes [k·C, (k+1)·C) for k < bounded (the first open below), then one open above,
  // up to the largest index but at most kTailRecords beyond the last checkpoint. Whatever lies beyond
  // (only a log with a gap, or a long tail not yet signed) comes in that last chunk.
  const auto [max_index, max_size] = snapshot_marks(db);
  const std::int64_t signed_end = std::clamp<std::int64_t>(max_size, 0, std::int64_t{1} << 62) + kTailRecords;
  const std::int64_t end = max_index < signed_end ? std::max<std::int64_t>(max_index + 1, 0) : signed_end;
  const std::int64_t bounded = (end + kChunkRecords - 1) / kChunkRecords;
  constexpr std::int64_t kLowest = std::numeric_limits<std::int64_t>::min(), kHighest = std::numeric_limits<std::int64_t>::max();
  // Chunks are reused, so that their buffers are allocated (and their pages touched) only once.
  std::vector<std::unique_ptr<Chunk>> spare;
  std::int64_t next = 0;
  auto take = [&] {
    std::unique_ptr<Chunk> chunk;
    if (spare.empty()) {
      chunk = std::make_unique<Chunk>();
      chunk->idx.reserve(kChunkRecords);
      chunk->leaves.reserve(kChunkRecords);
    } else {
      chunk = std::move(spare.back());
      spare.pop_back();
    }
    chunk->from = next == 0 ? kLowest : next * kChunkRecords;
    chunk->to = next < bounded ? (next + 1) * kChunkRecords : kHighest;
    chunk->check_nodes = nodes_->by_position();
    ++next;
    return chunk;
  };
  if (readers_.empty()) {
    while (next <= bounded && !stopped()) {
      auto chunk = take();
      read_chunk(*chunk, db);
      combine(db, *chunk);
      spare.push_back(std::move(chunk));
    }
    return;
  }
  std::deque<std::future<std::unique_ptr<Chunk>>> in_flight;
  auto submit = [&] {
    in_flight.push_back(workers_->submit([this, &db, c = take()]() mutable {
      // On a worker its own connection; on this thread (helping) the main one.
      read_chunk(*c, current_worker >= 0 ? *readers_[static_cast<std::size_t>(current_worker)] : db);
      return std::move(c);
    }));
  };
  while (!stopped()) {
    while (next <= bounded && in_flight.size() < 4 * (threads_ + 1)) submit();
    if (in_flight.empty()) break;
    // While the oldest chunk is still being read, read later ones here rather than wait: queued
    // ones, else new ones (a worker descheduled by another process must not stall this thread).
    while (in_flight.front().wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      if (workers_->help()) continue;
      if (next > bounded || in_flight.size() >= kMaxInFlight) break;
      submit();
    }
    auto done = in_flight.front().get();
    in_flight.pop_front();
    combine(db, *done);
    spare.push_back(std::move(done));
  }
  // Pending workers finish before their futures go (their results are no longer needed).
  in_flight.clear();
}

void DatabaseVerification::combine(sql::Db& db, const Chunk& chunk) {
  const ChunkNodes known(chunk);
  // The nodes inside the chunk matched on the worker, and the stored ones before them here: skip
  // them (those over more than the chunk, completed by its last record, are still read here).
  const bool matched = chunk.nodes_match && nodes_->has_row() && nodes_->position() == chunk.nodes_from;
  if (matched) nodes_->seek(chunk.nodes_to);
  for (std::size_t i = 0; i < chunk.size() && !stopped(); ++i) {
    const std::int64_t expected = static_cast<std::int64_t>(tree_.size());
    const std::int64_t index = chunk.idx[i];
    if (index != expected) {
      if (index > expected) {
        fail(record_position(expected),
             Finding{expected, Problem::missing,
                     range_text(expected, index) + " missing: the log jumps from index " + std::to_string(expected - 1) + " to " +
                         std::to_string(index) + " (records were deleted)",
                     -1});
      } else {
        fail(record_position(expected),
             Finding{expected, Problem::out_of_order,
                     "a record numbered " + std::to_string(index) + " follows record " + std::to_string(expected - 1), -1});
      }
      return;
    }
    ++records_;
    for (const auto& node : tree_.append(chunk.leaves[i], known)) {
      if (matched && node.level <= kChunkLevels) continue;
      if (!expect_node(db, node)) return;
    }
    if (chunk.first_not_canonical == static_cast<std::ptrdiff_t>(i)) {
      auto parsed = parse_canonical_json(chunk.not_canonical);
      fail(record_position(index), Finding{index, Problem::not_canonical,
                                           "record " + std::to_string(index) + " is not canonical JSON: " +
                                               (parsed ? std::string("the fast check and the parser disagree") : parsed.error()),
                                           -1});
      return;
    }
    const auto size = static_cast<std::int64_t>(tree_.size());
    // A rotation record (in the tree, so authentic once a later checkpoint verifies) must agree with
    // the rotation point signing_keys gives the key it retires: else the key table was altered to
    // let the old key sign on.
    for (const auto& [position, retired] : chunk.rotations) {
      if (position != i) continue;
      const auto point = ring_.rotation_point(retired);
      if (!point || *point != static_cast<std::uint64_t>(size)) {
        fail(record_position(index),
             Finding{index, Problem::checkpoint_signature,
                     "record " + std::to_string(index) + " rotates the signing key " + retired.substr(0, 80) + ", but signing_keys " +
                         (!ring_.contains(retired) ? std::string("does not list that key")
                          : point ? "gives it the rotation point " + std::to_string(*point) + " instead of " + std::to_string(size)
                                  : std::string("does not record its rotation point")) +
                         ": the key table was altered",
                     -1});
        return;
      }
    }
    if (trusted_ && static_cast<std::uint64_t>(size) == trusted_->size) root_at_trusted_ = tree_.root();
    check_checkpoints_up_to(size);
  }
}

bool DatabaseVerification::expect_node(sql::Db& db, const merkle::StoredNode& node) {
  NodeCursor& cursor = *nodes_;
  const auto index = static_cast<std::int64_t>(node.index);
  const std::int64_t first = index << node.level;
  const std::int64_t end = (index + 1) << node.level;
  const auto position = static_cast<std::int64_t>(merkle::postorder_position(node.level, node.index).value_or(0));
  // Named only in a finding: built there, not for each of the millions of nodes that match.
  auto which = [&] { return "(level " + std::to_string(node.level) + ", index " + std::to_string(index) + ")"; };
  if (cursor.has_row() && cursor.position() < position) {
    fail(record_position(first), Finding{first, Problem::node_mismatch,
                                         "a stored tree node (position " + std::to_string(cursor.position()) + ", level " +
                                             std::to_string(cursor.level()) + ", index " + std::to_string(cursor.index()) +
                                             ") lies outside the tree",
                                         -1});
    return false;
  }
  if (!cursor.has_row() || cursor.position() > position) {
    fail(record_position(end - 1),
         Finding{first, Problem::node_missing, "the tree node over " + range_text(first, end) + " " + which() + " is missing", -1});
    return false;
  }
  if (cursor.level() != static_cast<std::int64_t>(node.level) || cursor.index() != index) {
    fail(record_position(end - 1), Finding{first, Problem::node_mismatch,
                                           "the stored tree node at position " + std::to_string(position) + " names itself level " +
                                               std::to_string(cursor.level()) + ", index " + std::to_string(cursor.index()) +
                                               ", but that position holds the node over " + range_text(first, end) + " " + which() +
                                               ": the table was altered",
                                           -1});
    return false;
  }
  if (!cursor.hash() || *cursor.hash() != node.hash) {
    if (node.level == 0) {
      // Either the record was changed, or it is another record moved here: look the leaf up.
      sql::Stmt s(db, "SELECT idx FROM merkle_nodes WHERE level = 0 AND hash = ? AND idx != ? ORDER BY idx LIMIT 1");
      s.bind_blob(1, node.hash).bind(2, index);
      if (s.step()) {
        const std::int64_t other = s.i64(0);
        fail(record_position(index),
             Finding{index, Problem::out_of_order,
                     "record " + std::to_string(index) + " is out of order: it holds what was recorded at index " + std::to_string(other),
                     -1});
      } else {
        fail(record_position(index),
             Finding{index, Problem::edited,
                     "record " + std::to_string(index) + " was edited: its leaf hash differs from the one stored when it was written", -1});
      }
    } else {
      fail(record_position(end - 1), Finding{first, Problem::node_mismatch,
                                             "the stored tree node over " + range_text(first, end) + " (level " +
                                                 std::to_string(node.level) + ", index " + std::to_string(index) +
                                                 ") differs from the one recomputed from the records: a record there was changed together "
                                                 "with its leaf node, or the node itself",
                                             -1});
    }
    return false;
  }
  cursor.advance();
  return true;
}

void DatabaseVerification::check_checkpoints_up_to(std::int64_t size) {
  while (checkpoints_->has_row() && checkpoints_->row().size <= size && !stopped()) {
    const StoredCheckpoint& cp = checkpoints_->row();
    const std::string at = "the checkpoint of size " + std::to_string(cp.size);
    auto body = unsigned_body(cp.note);
    const Hash root = tree_.root();
    if (cp.size != size) {
      fail(checkpoint_position(std::max<std::int64_t>(cp.size, 0)),
           Finding{-1, Problem::checkpoint_inconsistent, at + " has an impossible size", cp.size});
    } else if (!body) {
      fail(checkpoint_position(cp.size),
           Finding{cp.size - 1, Problem::checkpoint_signature, at + " is not a well-formed signed note: " + body.error(), cp.size});
    } else if (body->origin != origin_ || static_cast<std::int64_t>(body->size) != cp.size ||
               cp.root != std::vector<std::uint8_t>(body->root.begin(), body->root.end())) {
      fail(checkpoint_position(cp.size), Finding{cp.size - 1, Problem::checkpoint_inconsistent,
                                                 at + " was altered: its stored size and root do not match its signed note (origin \"" +
                                                     body->origin + "\", size " + std::to_string(body->size) + ")",
                                                 cp.size});
    } else if (body->root != root) {
      const std::int64_t first = last_checkpoint_size_;
      fail(checkpoint_position(cp.size),
           Finding{first, Problem::checkpoint_inconsistent,
                   at + " is not consistent with the log: the records give a different root. The change lies in " +
                       range_text(first, cp.size) + " (after the last consistent checkpoint, of size " + std::to_string(first) +
                       "): records were edited, inserted, removed or reordered, and the stored tree rewritten to hide it",
                   cp.size});
    } else {
      ++checkpoints_seen_;
      last_checkpoint_size_ = cp.size;
    }
    // The signature is checked even when something else is wrong: at one position a bad signature
    // is the finding that counts.
    queue_signature(cp.size, cp.note, stopped());
    checkpoints_->advance();
  }
}

void DatabaseVerification::queue_signature(std::int64_t size, std::string note, bool flush) {
  batch_.push_back(PendingSignature{size, std::move(note)});
  if (batch_.size() >= kSignatureBatch || flush) {
    signatures_.push_back(workers_->submit([this, b = std::move(batch_)]() mutable { return check_signatures(ring_, std::move(b)); }));
    batch_ = {};
    collect_signatures(threads_);
  }
}

void DatabaseVerification::collect_signatures(std::size_t keep_in_flight) {
  if (keep_in_flight == 0 && !batch_.empty()) {
    signatures_.push_back(workers_->submit([this, b = std::move(batch_)]() mutable { return check_signatures(ring_, std::move(b)); }));
    batch_ = {};
  }
  while (signatures_.size() > keep_in_flight) {
    auto failed = signatures_.front().get();
    signatures_.pop_front();
    if (failed) {
      keep_earliest(signature_error_, std::move(*failed));
      // Nothing after a bad signature matters: stop reading.
      keep_earliest(error_, *signature_error_);
    }
  }
}

void DatabaseVerification::finish() {
  const std::int64_t n = records_;
  // A checkpoint beyond the end: the log lost its tail, unless that checkpoint is itself forged.
  if (checkpoints_->has_row()) {
    const StoredCheckpoint& cp = checkpoints_->row();
    auto checked = ring_.verify(cp.note);
    if (!checked) {
      fail(checkpoint_position(cp.size),
           Finding{cp.size - 1, Problem::checkpoint_signature,
                   "the checkpoint of size " + std::to_string(cp.size) + " is not validly signed: " + checked.error(), cp.size});
    } else {
      fail(checkpoint_position(cp.size),
           Finding{n, Problem::truncated,
                   "the log was truncated: it ends after " + std::to_string(n) + " records, but a checkpoint was signed for " +
                       std::to_string(cp.size) + " (" + range_text(n, cp.size) + " are gone)",
                   cp.size});
    }
    return;
  }
  // Stored nodes past the end: records (and the checkpoints that covered them) were removed.
  if (nodes_->has_row()) {
    const std::int64_t level = nodes_->level(), index = nodes_->index();
    const std::string over = level >= 0 && level < 63 ? " over record " + std::to_string(index << level) + " and on" : "";
    fail(record_position(n), Finding{n, Problem::truncated,
                                     "the log ends after " + std::to_string(n) + " records, but the stored tree has a node (level " +
                                         std::to_string(level) + ", index " + std::to_string(index) + ")" + over +
                                         ": records were removed from the end",
                                     -1});
    return;
  }
  if (trusted_) {
    const auto t = static_cast<std::int64_t>(trusted_->size);
    if (t > n) {
      fail(record_position(n),
           Finding{n, Problem::rollback,
                   "rollback or truncation: the trusted checkpoint covers " + std::to_string(t) + " records but the log has only " +
                       std::to_string(n) + " (an older backup was restored, or the tail was cut)",
                   t});
      return;
    }
    if (!root_at_trusted_ || *root_at_trusted_ != trusted_->root) {
      fail(record_position(n), Finding{-1, Problem::rollback,
                                       "the log is not the one the trusted checkpoint signed: its first " + std::to_string(t) +
                                           " records give another root (the log was rewritten, or replaced by a different copy)",
                                       t});
      return;
    }
  }
  if (last_checkpoint_size_ < n) {
    fail(
        record_position(last_checkpoint_size_),
        Finding{last_checkpoint_size_, Problem::unverified,
                range_text(last_checkpoint_size_, n) + " unverified (not yet covered by a checkpoint): no signature vouches for them", -1});
  }
}

}  // namespace

std::string_view to_string(Problem problem) {
  switch (problem) {
    case Problem::edited:
      return "edited";
    case Problem::missing:
      return "missing";
    case Problem::out_of_order:
      return "out of order";
    case Problem::not_canonical:
      return "not canonical";
    case Problem::node_missing:
      return "node missing";
    case Problem::node_mismatch:
      return "node mismatch";
    case Problem::checkpoint_signature:
      return "checkpoint signature invalid";
    case Problem::checkpoint_inconsistent:
      return "checkpoint not consistent";
    case Problem::truncated:
      return "truncated";
    case Problem::rollback:
      return "rollback";
    case Problem::unverified:
      return "unverified";
    case Problem::malformed:
      return "malformed";
    case Problem::unreadable:
      return "unreadable";
  }
  return "unknown";
}

std::string Report::summary() const {
  if (first_error) {
    std::string where = first_error->index >= 0 ? " at record " + std::to_string(first_error->index) : std::string();
    return "error" + where + " (" + std::string(to_string(first_error->kind)) + "): " + first_error->message;
  }
  return "ok: " + std::to_string(records) + (records == 1 ? " record, " : " records, ") + std::to_string(checkpoints) +
         (checkpoints == 1 ? " checkpoint" : " checkpoints") + " verified, the latest at size " + std::to_string(verified_size);
}

Report verify_database(const std::string& db_path, const VerifyOptions& options) { return DatabaseVerification(db_path, options).run(); }

}  // namespace laurel::storage::audit
