#include "storage/audit_proofs.h"

#include <sodium.h>

#include <chrono>
#include <filesystem>
#include <unordered_map>

#include "storage/audit_keyring.h"
#include "storage/audit_tree.h"
#include "storage/sqlite.h"

namespace laurel::storage::audit {

namespace {

// Nodes from this level up (each over 1,024 leaves or more) are kept in memory once read: a stored
// node never changes after the transaction that wrote it, so a proof may take it from here. Below
// it every proof reads SQLite (about ten nodes); above it a proof at 10,000,000 leaves finds its
// other fourteen or so nodes here. The cache holds at most about n / 512 nodes for a log of n
// records (20,000 at 10,000,000: under 2 MB).
constexpr std::uint32_t kCachedFromLevel = 10;
// Lower nodes are kept too, in a second map emptied when it reaches this many: the right edge of
// the latest checkpoint (the nodes every proof at that size hashes into its last step) is then read
// once per checkpoint rather than once per proof. At most about 1.5 MB.
constexpr std::size_t kLowNodesKept = 16384;
using Clock = std::chrono::steady_clock;

class CachedNodes final : public merkle::NodeReader {
 public:
  explicit CachedNodes(sql::Db& db) : stored_(db) {}
  std::optional<merkle::Hash> node(std::uint32_t level, std::uint64_t index) override {
    if (level >= 64 || index >> (64 - 6) != 0) return stored_.node(level, index);
    auto& cache = level < kCachedFromLevel ? low_ : high_;
    const std::uint64_t key = static_cast<std::uint64_t>(level) << (64 - 6) | index;
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    auto hash = stored_.node(level, index);
    if (hash) {
      if (&cache == &low_ && low_.size() >= kLowNodesKept) low_.clear();
      cache.emplace(key, *hash);
    }
    return hash;
  }

 private:
  SqlNodeReader stored_;
  std::unordered_map<std::uint64_t, merkle::Hash> high_, low_;
};

}  // namespace

// The statements a proof needs, prepared once per connection.
struct AuditReader::Statements {
  explicit Statements(sql::Db& db)
      : begin(db, "BEGIN"),
        end(db, "COMMIT"),
        latest(db, "SELECT size, root, note, at FROM checkpoints ORDER BY size DESC LIMIT 1"),
        nodes(db) {}
  sql::Stmt begin;
  sql::Stmt end;
  sql::Stmt latest;
  CachedNodes nodes;
  // AuditReader's shared read transaction: open, since when, and its latest checkpoint's size.
  bool shared = false;
  Clock::time_point shared_since;
  std::uint64_t shared_latest = 0;
};

namespace {

using Statements = AuditReader::Statements;

// One read transaction (unless the caller already holds one), so that the checkpoint and the nodes
// come from one snapshot.
class ReadSnapshot {
 public:
  ReadSnapshot(sql::Db& db, Statements& st) : db_(db), st_(st), own_(sqlite3_get_autocommit(db.handle()) != 0) {
    if (own_) st_.begin.run();
  }
  ~ReadSnapshot() {
    if (!own_) return;
    try {
      st_.end.run();  // a read transaction: commit and rollback are the same
    } catch (...) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {
      }
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sql::Db& db_;
  Statements& st_;
  bool own_;
};

std::optional<LatestCheckpoint> read_latest(Statements& st) {
  sql::Stmt& s = st.latest;
  s.reset();
  if (!s.step()) return std::nullopt;
  LatestCheckpoint cp;
  cp.size = static_cast<std::uint64_t>(s.i64(0));
  auto root = s.blob_view(1);
  if (root.size() == cp.root.size()) std::copy(root.begin(), root.end(), cp.root.begin());
  cp.note = s.text(2);
  cp.at = s.i64(3);
  s.reset();
  return cp;
}

std::uint64_t signed_size(Statements& st) {
  if (st.shared) return st.shared_latest;
  auto cp = read_latest(st);
  return cp ? cp->size : 0;
}

ProofError bad_request(std::string message) { return ProofError{ProofError::Kind::bad_request, std::move(message)}; }
ProofError damaged() {
  return ProofError{ProofError::Kind::damaged, "a tree node the proof needs is not stored; run `laurel audit verify`"};
}

template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return std::unexpected(ProofError{ProofError::Kind::unavailable, std::string("the audit log could not be read: ") + e.what()});
  }
}

std::optional<LatestCheckpoint> latest_with(sql::Db& db, Statements& st) {
  ReadSnapshot snapshot(db, st);
  return read_latest(st);
}

std::expected<Proof, ProofError> inclusion_with(sql::Db& db, Statements& st, std::uint64_t index, std::uint64_t size) {
  ReadSnapshot snapshot(db, st);
  const std::uint64_t latest = signed_size(st);
  if (size > latest) {
    return std::unexpected(
        bad_request("size " + std::to_string(size) + " is beyond the latest checkpoint (" + std::to_string(latest) + ")"));
  }
  if (index >= size) {
    return std::unexpected(bad_request("index " + std::to_string(index) + " is not in a tree of " + std::to_string(size) + " records"));
  }
  auto proof = merkle::inclusion_proof(index, size, st.nodes);
  if (!proof) return std::unexpected(damaged());
  return std::move(*proof);
}

std::expected<Proof, ProofError> consistency_with(sql::Db& db, Statements& st, std::uint64_t from, std::uint64_t to) {
  ReadSnapshot snapshot(db, st);
  const std::uint64_t latest = signed_size(st);
  if (to > latest) {
    return std::unexpected(bad_request("size " + std::to_string(to) + " is beyond the latest checkpoint (" + std::to_string(latest) + ")"));
  }
  if (from > to) return std::unexpected(bad_request("from (" + std::to_string(from) + ") is larger than to (" + std::to_string(to) + ")"));
  auto proof = merkle::consistency_proof(from, to, st.nodes);
  if (!proof) return std::unexpected(damaged());
  return std::move(*proof);
}

}  // namespace

std::optional<LatestCheckpoint> latest_checkpoint(sql::Db& db) {
  Statements st(db);
  return latest_with(db, st);
}

std::expected<Proof, ProofError> inclusion_proof(sql::Db& db, std::uint64_t index, std::uint64_t size) {
  Statements st(db);
  return inclusion_with(db, st, index, size);
}

std::expected<Proof, ProofError> consistency_proof(sql::Db& db, std::uint64_t from, std::uint64_t to) {
  Statements st(db);
  return consistency_with(db, st, from, to);
}

std::vector<std::string> base64_hashes(const Proof& proof) {
  std::vector<std::string> out;
  out.reserve(proof.size());
  for (const auto& h : proof) {
    std::string text(sodium_base64_ENCODED_LEN(h.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(text.data(), text.size(), h.data(), h.size(), sodium_base64_VARIANT_ORIGINAL);
    text.pop_back();
    out.push_back(std::move(text));
  }
  return out;
}

std::expected<std::unique_ptr<AuditReader>, std::string> AuditReader::open(const std::string& db_path,
                                                                           std::chrono::milliseconds snapshot_held) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) return std::unexpected("no database at " + db_path);
  try {
    auto db = std::make_unique<sql::Db>(db_path, sql::Db::Mode::read_only);
    // Proofs read a few nodes scattered over a large table: through a memory map the pages the OS
    // has cached cost no system call (SQLite caps the size at its compile-time limit, 2 GB on Debian).
    db->exec("PRAGMA mmap_size = 2147418112");
    sql::Stmt s(*db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('merkle_nodes', 'checkpoints', 'signing_keys')");
    s.step();
    if (s.i64(0) != 3) return std::unexpected(db_path + " is not a Laurel database");
    return std::unique_ptr<AuditReader>(new AuditReader(std::move(db), snapshot_held));
  } catch (const std::exception& e) {
    return std::unexpected(db_path + ": " + e.what());
  }
}

AuditReader::AuditReader(std::unique_ptr<sql::Db> db, std::chrono::milliseconds snapshot_held)
    : snapshot_held_(snapshot_held),
      db_(std::move(db)),
      statements_(std::make_unique<Statements>(*db_)),
      releaser_([this] { release_expired(); }) {}

AuditReader::~AuditReader() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  snapshot_cv_.notify_all();
  releaser_.join();
}

void AuditReader::release_expired() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!statements_->shared) {
      snapshot_cv_.wait(lock);
    } else if (const auto deadline = statements_->shared_since + snapshot_held_; Clock::now() < deadline) {
      snapshot_cv_.wait_until(lock, deadline);
    } else {
      end_snapshot();
    }
  }
  end_snapshot();
}

void AuditReader::end_snapshot() {
  Statements& st = *statements_;
  if (!st.shared) return;
  st.shared = false;
  try {
    st.end.run();  // a read transaction: commit and rollback are the same
  } catch (...) {
    try {
      db_->exec("ROLLBACK");
    } catch (...) {
    }
  }
}

std::uint64_t AuditReader::shared_snapshot(bool fresh) {
  Statements& st = *statements_;
  const auto now = Clock::now();
  if (st.shared && !fresh && now - st.shared_since < snapshot_held_) return st.shared_latest;
  end_snapshot();
  st.begin.run();
  try {
    st.shared_latest = signed_size(st);
  } catch (...) {
    db_->exec("ROLLBACK");
    throw;
  }
  st.shared = true;
  st.shared_since = now;
  snapshot_cv_.notify_all();
  return st.shared_latest;
}

std::expected<LatestCheckpoint, ProofError> AuditReader::latest_checkpoint() {
  AfterRead gate{after_read_};
  std::lock_guard lock(mu_);
  return guarded([&]() -> std::expected<LatestCheckpoint, ProofError> {
    end_snapshot();
    auto cp = latest_with(*db_, *statements_);
    if (!cp) return std::unexpected(ProofError{ProofError::Kind::unavailable, "the log has no checkpoint yet"});
    return std::move(*cp);
  });
}

std::expected<std::string, ProofError> AuditReader::verifier_key() {
  AfterRead gate{after_read_};
  std::lock_guard lock(mu_);
  return guarded([&]() -> std::expected<std::string, ProofError> {
    end_snapshot();
    std::optional<std::string> current;
    for (const auto& k : read_signing_keys(*db_)) {
      if (!k.retired_at) current = k.verifier_key;
    }
    if (!current) return std::unexpected(ProofError{ProofError::Kind::damaged, "the database has no current signing key"});
    return std::move(*current);
  });
}

std::expected<std::vector<std::string>, ProofError> AuditReader::verifier_keys() {
  AfterRead gate{after_read_};
  std::lock_guard lock(mu_);
  return guarded([&]() -> std::expected<std::vector<std::string>, ProofError> {
    end_snapshot();
    std::vector<std::string> keys;
    for (const auto& k : read_signing_keys(*db_)) keys.push_back(k.verifier_key);
    return keys;
  });
}

template <typename F>
std::expected<Proof, ProofError> AuditReader::shared_proof(std::uint64_t size, F&& proof) {
  return guarded([&]() -> std::expected<Proof, ProofError> {
    try {
      const bool open = statements_->shared && Clock::now() - statements_->shared_since < snapshot_held_;
      if (shared_snapshot() < size && open) shared_snapshot(/*fresh=*/true);
      return proof();
    } catch (...) {
      end_snapshot();
      throw;
    }
  });
}

std::expected<Proof, ProofError> AuditReader::inclusion_proof(std::uint64_t index, std::uint64_t size) {
  AfterRead gate{after_read_};
  std::lock_guard lock(mu_);
  return shared_proof(size, [&] { return inclusion_with(*db_, *statements_, index, size); });
}

std::expected<Proof, ProofError> AuditReader::consistency_proof(std::uint64_t from, std::uint64_t to) {
  AfterRead gate{after_read_};
  std::lock_guard lock(mu_);
  return shared_proof(to, [&] { return consistency_with(*db_, *statements_, from, to); });
}

}  // namespace laurel::storage::audit
