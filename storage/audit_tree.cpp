#include "storage/audit_tree.h"

#include <stdexcept>

namespace laurel::storage {

SqlNodeReader::SqlNodeReader(sql::Db& db) : stmt_(db, "SELECT hash FROM merkle_nodes WHERE pos = ?") {}

std::optional<merkle::Hash> SqlNodeReader::node(std::uint32_t level, std::uint64_t index) {
  const auto position = merkle::postorder_position(level, index);
  if (!position) return std::nullopt;
  stmt_.reset();
  stmt_.bind(1, static_cast<std::int64_t>(*position));
  if (!stmt_.step()) return std::nullopt;
  auto blob = stmt_.blob_view(0);
  if (blob.size() != 32) return std::nullopt;
  merkle::Hash h;
  std::copy(blob.begin(), blob.end(), h.begin());
  stmt_.reset();
  return h;
}

void insert_nodes(sql::Stmt& insert, const std::vector<merkle::StoredNode>& nodes) {
  for (const auto& n : nodes) {
    const auto position = merkle::postorder_position(n.level, n.index);
    if (!position) throw std::length_error("the audit log is full (2^62 records)");
    insert.bind(1, static_cast<std::int64_t>(*position))
        .bind(2, static_cast<std::int64_t>(n.level))
        .bind(3, static_cast<std::int64_t>(n.index))
        .bind_blob(4, n.hash);
    insert.run();
  }
}

struct AuditTree::Statements {
  explicit Statements(sql::Db& d)
      : db(&d),
        insert_node(d, kInsertNodeSql),
        last_checkpoint(d, "SELECT size, root FROM checkpoints ORDER BY size DESC LIMIT 1"),
        insert_checkpoint(d, "INSERT INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, ?)"),
        nodes(d) {}
  sql::Db* db;
  sql::Stmt insert_node;
  sql::Stmt last_checkpoint;
  sql::Stmt insert_checkpoint;
  SqlNodeReader nodes;
};

AuditTree::AuditTree(merkle::Appender appender, checkpoint::Signer signer, std::string origin, bool hashed)
    : appender_(std::move(appender)), committed_(appender_), marked_(appender_), signer_(std::move(signer)), origin_(std::move(origin)),
      hashed_(hashed) {}

AuditTree::~AuditTree() = default;

AuditTree::Statements& AuditTree::statements(sql::Db& db) {
  if (!statements_ || statements_->db != &db) statements_ = std::make_unique<Statements>(db);
  return *statements_;
}

std::expected<std::unique_ptr<AuditTree>, std::string> AuditTree::open(sql::Db& db, const std::string& key_path, bool hashed) {
  std::int64_t size = 0;
  {
    // Indexes are dense from 0 (appended in order, never deleted), so the size is the last index
    // + 1: one seek in the primary key, where count(*) reads a whole index (1.7 s for a million
    // records from a cold cache, most of the start-up time).
    sql::Stmt s(db, "SELECT coalesce(max(idx) + 1, 0) FROM audit_log");
    s.step();
    size = s.i64(0);
  }
  SqlNodeReader reader(db);
  auto appender = merkle::Appender::load(static_cast<std::uint64_t>(size), reader);
  if (!appender) return std::unexpected("the Merkle tree of the audit log is incomplete (a node is missing); run `laurel audit verify`");
  std::string origin;
  {
    sql::Stmt s(db, "SELECT value FROM meta WHERE key = 'origin'");
    if (!s.step()) return std::unexpected("the database has no log origin; was it created with `laurel init`?");
    origin = s.text(0);
  }
  auto signer = checkpoint::read_signer_key_file(key_path);
  if (!signer) return std::unexpected(signer.error());
  {
    sql::Stmt s(db, "SELECT retired_at FROM signing_keys WHERE verifier_key = ?");
    s.bind(1, signer->verifier_key());
    if (!s.step()) return std::unexpected("the signing key " + key_path + " is not a key of this database");
    if (!s.is_null(0)) return std::unexpected("the signing key " + key_path + " was retired; use the current key");
  }
  return std::unique_ptr<AuditTree>(new AuditTree(std::move(*appender), std::move(*signer), std::move(origin), hashed));
}

void AuditTree::begin() {
  committed_ = appender_;
  marked_ = appender_;
  committed_unhashed_ = marked_unhashed_ = unhashed_;
}

void AuditTree::append(sql::Db& db, std::string_view leaf_bytes, std::int64_t at) {
  last_at_ = at;
  if (!hashed_) {
    ++unhashed_;
    return;
  }
  insert_nodes(statements(db).insert_node, appender_.append(merkle::leaf_hash(leaf_bytes)));
}

void AuditTree::mark() {
  marked_ = appender_;
  marked_unhashed_ = unhashed_;
}
void AuditTree::rollback_to_mark() {
  appender_ = marked_;
  unhashed_ = marked_unhashed_;
}

void AuditTree::finish(sql::Db& db) {
  // Nothing appended in this batch (a read, a failed command): nothing to sign.
  if (!hashed_ || appender_.size() == committed_.size()) return;
  merkle::Hash root = appender_.root();
  // The new tree must extend the last checkpoint: its root at the checkpoint's size must be the
  // checkpoint's root, and a consistency proof between them must verify.
  Statements& st = statements(db);
  sql::Stmt& last = st.last_checkpoint;
  last.reset();
  if (last.step()) {
    auto old_size = static_cast<std::uint64_t>(last.i64(0));
    auto blob = last.blob_view(1);
    merkle::Hash old_root;
    if (blob.size() != 32) throw std::logic_error("a stored checkpoint root is not 32 bytes");
    std::copy(blob.begin(), blob.end(), old_root.begin());
    last.reset();
    auto proof = merkle::consistency_proof(old_size, appender_.size(), st.nodes);
    if (!proof || !merkle::verify_consistency(old_size, appender_.size(), old_root, root, *proof)) {
      throw std::logic_error("the audit log is not consistent with its last checkpoint (size " + std::to_string(old_size) +
                             "); refusing to sign. Run `laurel audit verify`");
    }
  }
  checkpoint::Checkpoint cp{origin_, appender_.size(), root};
  std::string note = signer_.sign(cp);
  st.insert_checkpoint.bind(1, static_cast<std::int64_t>(cp.size)).bind_blob(2, root).bind(3, note).bind(4, last_at_).run();
}

void AuditTree::committed() {
  committed_ = appender_;
  committed_unhashed_ = unhashed_;
}
void AuditTree::rolled_back() {
  appender_ = committed_;
  unhashed_ = committed_unhashed_;
}

}  // namespace laurel::storage
