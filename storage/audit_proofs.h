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

#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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
class AuditReader {
 public:
  static std::expected<std::unique_ptr<AuditReader>, std::string> open(const std::string& db_path);
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

  struct Statements;  // prepared once: a proof is then a few microseconds of SQLite reads

 private:
  explicit AuditReader(std::unique_ptr<sql::Db> db);
  std::mutex mu_;
  std::unique_ptr<sql::Db> db_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace audit
}  // namespace laurel::storage
