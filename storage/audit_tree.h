// The audit log's Merkle tree on the write path: for each appended record it writes the complete
// subtree hashes that the record completes (in the same transaction), and at the end of each commit
// batch it checks that the new tree is consistent with the last checkpoint and stores a new signed
// checkpoint. Owned by the writer thread; not thread-safe.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/checkpoint.h"
#include "storage/merkle.h"
#include "storage/sqlite.h"

namespace laurel::storage {

// Reads stored complete subtree hashes from the merkle_nodes table.
class SqlNodeReader final : public merkle::NodeReader {
 public:
  explicit SqlNodeReader(sql::Db& db);
  std::optional<merkle::Hash> node(std::uint32_t level, std::uint64_t index) override;

 private:
  sql::Stmt stmt_;
};

// Stores the nodes an append completed, through a statement prepared from kInsertNodeSql (the
// position key comes from their level and index).
inline constexpr const char* kInsertNodeSql = "INSERT INTO merkle_nodes (pos, level, idx, hash) VALUES (?, ?, ?, ?)";
void insert_nodes(sql::Stmt& insert, const std::vector<merkle::StoredNode>& nodes);

class AuditTree {
 public:
  ~AuditTree();
  // Loads the frontier of the stored tree and the signing key (which must be one this database
  // knows). A checkpoint is stamped with the time of the last record it covers. With `hashed`
  // false (Options::audit_tree, for the storage benchmark only) records are counted but neither
  // hashed nor covered by nodes or checkpoints.
  static std::expected<std::unique_ptr<AuditTree>, std::string> open(sql::Db& db, const std::string& key_path, bool hashed = true);

  std::int64_t size() const { return static_cast<std::int64_t>(appender_.size() + unhashed_); }
  const std::string& origin() const { return origin_; }
  const checkpoint::Signer& signer() const { return signer_; }

  void begin();
  void append(sql::Db& db, std::string_view leaf_bytes, std::int64_t at);
  void mark();
  void rollback_to_mark();
  // Signs and stores a checkpoint when the batch appended anything. Throws on an inconsistency with
  // the last checkpoint (a broken invariant: the stored tree was altered under us).
  void finish(sql::Db& db);
  void committed();
  void rolled_back();

 private:
  AuditTree(merkle::Appender appender, checkpoint::Signer signer, std::string origin, bool hashed);

  merkle::Appender appender_;
  merkle::Appender committed_;
  merkle::Appender marked_;
  checkpoint::Signer signer_;
  std::string origin_;
  std::int64_t last_at_ = 0;
  bool hashed_ = true;
  // The writer's statements, prepared on first use (on the connection they were made for).
  struct Statements;
  std::unique_ptr<Statements> statements_;
  Statements& statements(sql::Db& db);
  // Records appended without hashing (hashed_ false), and that count at the last commit and mark.
  std::uint64_t unhashed_ = 0, committed_unhashed_ = 0, marked_unhashed_ = 0;
};

}  // namespace laurel::storage
