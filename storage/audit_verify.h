// `laurel audit verify`: checks a database's audit log against itself and its signed checkpoints,
// and names the first record that does not match. It reads one consistent snapshot through a
// read-only connection (one read transaction), so it works while the server runs; the server's
// writes after that snapshot are simply not seen.
//
// What is checked, in log order, stopping at the first problem:
//   - the records are numbered 0, 1, 2, … without a gap;
//   - each record's leaf hash (SHA-256(0x00 || bytes)) equals the stored level-0 node, and each
//     complete subtree hash recomputed bottom-up equals the stored merkle_nodes row, with none
//     missing and none beyond the log;
//   - each record is canonical JSON;
//   - each stored checkpoint is signed by a key of signing_keys (current or retired), names the
//     log's origin, agrees with its own size and root columns, and its root equals the root
//     recomputed from the records at its size. All checkpoints are then roots of prefixes of one
//     sequence of leaves, which is what "consecutive checkpoints are consistent" means;
//   - no checkpoint is larger than the log (truncation);
//   - records after the last checkpoint are reported as unverified: nothing signed vouches for them.
// With a trusted checkpoint (one saved earlier, outside this database) it also checks that the log
// still extends it, which catches a rollback to an older backup and a truncation that removed the
// later checkpoints too (nothing inside the database can show those).
//
// Cost: the records are hashed and scanned on worker threads, and the checkpoint signatures are
// checked on others, while one thread reads the database and compares the tree; memory is bounded
// (a few chunks of records in flight and the tree's right frontier), not proportional to the log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace laurel::storage::audit {

enum class Problem {
  edited,                   // a record's leaf hash differs from the stored leaf node
  missing,                  // a gap in the numbering: records were deleted
  out_of_order,             // a record holds what was recorded at another index (reordered)
  not_canonical,            // a record is not canonical JSON
  node_missing,             // a complete subtree hash that must be stored is not
  node_mismatch,            // a stored subtree hash differs from the one recomputed from the records
  checkpoint_signature,     // a checkpoint's signature does not verify with any known key
  checkpoint_inconsistent,  // a checkpoint's root is not the root of the records at its size
  truncated,                // the log is shorter than a checkpoint says it was
  rollback,                 // the log is shorter than, or forks from, a trusted checkpoint
  unverified,               // records after the last checkpoint: no signature covers them
  malformed,                // an export or a checkpoint that cannot be read
  unreadable,               // the database cannot be opened or read
};

std::string_view to_string(Problem problem);

struct Finding {
  // The first record concerned; for a checkpoint problem, the first record that no verified
  // checkpoint covers; -1 when none can be named.
  std::int64_t index = -1;
  Problem kind = Problem::unreadable;
  std::string message;                // for a person: what is wrong and where
  std::int64_t checkpoint_size = -1;  // the checkpoint concerned, for checkpoint problems
};

struct Report {
  bool ok = false;                   // no problem at all, and every record covered by a checkpoint
  std::int64_t records = 0;          // records read
  std::int64_t checkpoints = 0;      // checkpoints verified (signature and root)
  std::int64_t verified_size = 0;    // the size of the largest verified checkpoint
  std::int64_t unverified_tail = 0;  // records after it
  std::optional<Finding> first_error;

  // One line: "ok: …" or "error at record N (kind): …".
  std::string summary() const;
};

struct VerifyOptions {
  // A checkpoint note saved earlier; it must be signed by one of the database's keys.
  std::optional<std::string> trusted_checkpoint;
  // Worker threads for hashing and signatures; 0: one per hardware thread but one (at least one).
  unsigned threads = 0;
};

Report verify_database(const std::string& db_path, const VerifyOptions& options = {});

}  // namespace laurel::storage::audit
