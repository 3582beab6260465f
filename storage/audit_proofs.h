// What the audit endpoints serve (API.md "Audit"): the latest signed checkpoint, the verifier keys,
// and RFC 9162 inclusion and consistency proofs built from the stored complete subtree hashes
// (O(log n) reads each). Every answer comes from one read transaction, so a proof always matches
// the tree sizes it names, while the writer keeps appending: stored nodes never change, so a proof
// for a signed size stays valid for ever.
//
// The web layer uses AuditReader (no SQLite type leaves storage/); the free functions on an open
// connection are for storage/ itself. Bad arguments (an index outside the tree, a size beyond the
// latest checkpoint) and a damaged store are error values, told apart so that the server can
// answer 400 or 500.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/merkle.h"

namespace laurel::storage {
namespace sql {
class Db;
}

namespace audit {

struct ProofError {
  enum class Kind {
    bad_request,  // the arguments name trees or leaves that do not exist (yet)
    damaged,      // a node the proof needs is not stored: run `laurel audit verify`
    unavailable,  // the database could not be read
  };
  Kind kind = Kind::bad_request;
  std::string message;
};

struct LatestCheckpoint {
  std::string note;  // the signed note, as served (text/plain)
  std::uint64_t size = 0;
  merkle::Hash root{};
  std::int64_t at = 0;  // when it was signed (Unix seconds), for the checkpoint-age metric
};

using Proof = std::vector<merkle::Hash>;

// On an open connection; each runs in its own read transaction unless one is already open.
// Proofs are limited to sizes up to the latest checkpoint's: only signed trees are proven.
std::optional<LatestCheckpoint> latest_checkpoint(sql::Db& db);
std::expected<Proof, ProofError> inclusion_proof(sql::Db& db, std::uint64_t index, std::uint64_t size);
std::expected<Proof, ProofError> consistency_proof(sql::Db& db, std::uint64_t from, std::uint64_t to);

// The hashes as the API writes them: standard base64 with padding.
std::vector<std::string> base64_hashes(const Proof& proof);

// A read-only connection to one database for the audit endpoints. Thread-safe (calls are
// serialised; each takes microseconds); a server may also hold one per thread.
// Proofs share one read transaction for at most kSnapshotHeld (its BEGIN and COMMIT, the WAL
// index's file locks, were a tenth of a proof): a thread of the reader's ends it when that expires,
// so the WAL is never pinned for longer. A proof for a size beyond the shared snapshot's latest
// checkpoint takes a fresh one before it answers, and latest_checkpoint() and the keys always read
// a fresh one: nothing signed is ever missed, and every proof is for a checkpoint that exists (a
// stored node never changes, so an older snapshot gives the same proof).
class AuditReader {
 public:
  static constexpr std::chrono::milliseconds kSnapshotHeld{20};
  // `snapshot_held`: how long proofs may share one read transaction (a test's own, else the default).
  static std::expected<std::unique_ptr<AuditReader>, std::string> open(const std::string& db_path,
                                                                       std::chrono::milliseconds snapshot_held = kSnapshotHeld);
  ~AuditReader();
  AuditReader(const AuditReader&) = delete;
  AuditReader& operator=(const AuditReader&) = delete;

  std::expected<LatestCheckpoint, ProofError> latest_checkpoint();
  // The key that signs new checkpoints (the one not retired), and every key the log has had,
  // oldest first.
  std::expected<std::string, ProofError> verifier_key();
  std::expected<std::vector<std::string>, ProofError> verifier_keys();
  std::expected<Proof, ProofError> inclusion_proof(std::uint64_t index, std::uint64_t size);
  std::expected<Proof, ProofError> consistency_proof(std::uint64_t from, std::uint64_t to);

  // Called after each answer is read and before it is returned (the store's: wait until whatever
  // the read may have seen is durable). Set once, before the reader is shared.
  void set_after_read(std::function<void()> f) { after_read_ = std::move(f); }

  struct Statements;  // prepared once: a proof is then a few microseconds of SQLite reads

 private:
  AuditReader(std::unique_ptr<sql::Db> db, std::chrono::milliseconds snapshot_held);
  // With mu_ held: the shared read transaction, begun anew when none is open or it has expired
  // (or `fresh`); its latest checkpoint's size.
  std::uint64_t shared_snapshot(bool fresh = false);
  void end_snapshot();
  void release_expired();
  // A proof in the shared read transaction (a fresh one when it has not seen `size` signed).
  template <typename F>
  std::expected<Proof, ProofError> shared_proof(std::uint64_t size, F&& proof);
  std::mutex mu_;
  std::condition_variable snapshot_cv_;
  bool stopping_ = false;
  std::chrono::milliseconds snapshot_held_;
  std::unique_ptr<sql::Db> db_;
  std::unique_ptr<Statements> statements_;
  std::function<void()> after_read_;
  struct AfterRead {  // declared before the lock: it runs once the lock is released
    const std::function<void()>& f;
    ~AfterRead() { if (f) f(); }
  };
  std::thread releaser_;  // last: it stops before the rest goes
};

}  // namespace audit
}  // namespace laurel::storage
