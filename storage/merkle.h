// The Merkle tree over the audit log (RFC 6962 / RFC 9162, SHA-256): leaf and node hashes, the
// appender that says which subtree hashes to store as records are added, the root at any past size,
// inclusion and consistency proofs, and their verification. Storage keeps only complete (perfect)
// subtrees: node (level L, index i) is the hash of leaves [i·2^L, (i+1)·2^L). Every root and proof
// is built from at most about 2·log2(n) such nodes, read through NodeReader, so the same code serves
// SQLite and the in-memory tree of the tests. Proofs are exactly those of RFC 9162 sections 2.1.3 and
// 2.1.4 (same hashes, same order), so any conforming verifier accepts them. This unit does no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace laurel::storage::merkle {

using Hash = std::array<std::uint8_t, 32>;

// SHA-256(0x00 || leaf).
Hash leaf_hash(std::span<const std::uint8_t> leaf);
Hash leaf_hash(std::string_view leaf);
// SHA-256(0x01 || left || right).
Hash node_hash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of the empty string.
Hash empty_root();
// leaf_hash through OpenSSL's EVP interface always, and whether leaf_hash and node_hash use the
// CPU's SHA extensions directly instead: for the tests that compare the two and the benchmarks.
Hash openssl_leaf_hash(std::span<const std::uint8_t> leaf);
bool uses_sha_extensions();

// A complete subtree hash, as storage keeps it.
struct StoredNode {
  std::uint32_t level = 0;
  std::uint64_t index = 0;
  Hash hash{};

  bool operator==(const StoredNode&) const = default;
};

// Where node (level, index) stands in post-order, the order in which an appender completes nodes
// (leaf 0, leaf 1, node (1,0), leaf 2, ...): 2m - popcount(m) nodes complete the first m leaves, so
// the node over [m, m + 2^level) comes 2^(level+1) - 2 places after them, with m = index * 2^level.
// Storage keys the nodes by it: they are appended at the end of one B-tree, and any complete
// subtree's nodes lie together. nullopt when the node lies beyond 2^62 leaves.
std::optional<std::uint64_t> postorder_position(std::uint32_t level, std::uint64_t index);

// Where the stored complete subtree hashes are read from. nullopt means the node is missing, which
// callers report as an error (a damaged or truncated store): the functions below only ask for nodes
// that lie wholly inside the tree size they were given.
class NodeReader {
 public:
  virtual ~NodeReader();
  virtual std::optional<Hash> node(std::uint32_t level, std::uint64_t index) = 0;
};

// All complete subtree hashes of a tree, in memory: the node store of tests and benchmarks.
class MemoryTree final : public NodeReader {
 public:
  void append_leaf(std::span<const std::uint8_t> leaf) { append_leaf_hash(leaf_hash(leaf)); }
  void append_leaf(std::string_view leaf) { append_leaf_hash(leaf_hash(leaf)); }
  void append_leaf_hash(const Hash& leaf_hash);
  void reserve(std::uint64_t leaves);
  std::uint64_t size() const { return levels_.empty() ? 0 : levels_.front().size(); }
  std::optional<Hash> node(std::uint32_t level, std::uint64_t index) override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

// The right frontier of the tree (a "compact range"): the hashes of the complete subtrees that
// together cover [0, size), largest (leftmost) first, one per set bit of size. That is all it takes
// to append and to compute the current root without reading anything.
// Hashes of complete subtrees already computed elsewhere (the verifier hashes the subtrees inside a
// chunk of records on a worker thread): null where this one does not have the node.
class KnownNodes {
 public:
  virtual ~KnownNodes();
  virtual const Hash* find(std::uint32_t level, std::uint64_t index) const = 0;
};

class Appender {
 public:
  Appender() = default;  // the empty tree

  // nullopt when `frontier` does not hold exactly one hash per set bit of `size`.
  static std::optional<Appender> from_frontier(std::uint64_t size, std::vector<Hash> frontier);
  // Reads the frontier of a stored tree of `size` leaves (popcount(size) reads); nullopt when a
  // node is missing.
  static std::optional<Appender> load(std::uint64_t size, NodeReader& nodes);

  std::uint64_t size() const { return size_; }
  const std::vector<Hash>& frontier() const { return frontier_; }

  // Adds a leaf and returns every node that this completes, leaf (level 0) first, each one level
  // higher than the last: the caller writes them in the same transaction as the record.
  std::vector<StoredNode> append(const Hash& leaf_hash);
  // The same, taking each completed node's hash from `known` where it has it instead of hashing.
  std::vector<StoredNode> append(const Hash& leaf_hash, const KnownNodes& known);
  // The root at the current size: O(log n) hashing, no reads.
  Hash root() const;

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> frontier_;
};

// The root of the tree of the first `size` leaves; nullopt when a node is missing.
std::optional<Hash> root_at(std::uint64_t size, NodeReader& nodes);

// The inclusion proof (audit path) of leaf `index` in the tree of the first `size` leaves, as in
// RFC 9162 2.1.3.1. nullopt when index >= size or a node is missing: callers check the arguments
// first (index < size <= stored size) so that nullopt then means a damaged store.
std::optional<std::vector<Hash>> inclusion_proof(std::uint64_t index, std::uint64_t size, NodeReader& nodes);

// The consistency proof between the trees of the first `from` and `to` leaves, as in RFC 9162
// 2.1.4.1; empty when from == to or from == 0. nullopt when from > to or a node is missing.
std::optional<std::vector<Hash>> consistency_proof(std::uint64_t from, std::uint64_t to, NodeReader& nodes);

// RFC 9162 2.1.3.2: true when `proof` shows that `leaf_hash` is leaf `index` of the tree of `size`
// leaves whose root is `root`.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                      const Hash& root);

// RFC 9162 2.1.4.2: true when `proof` shows that the tree of `from` leaves with root `from_root` is
// a prefix of the tree of `to` leaves with root `to_root`. For from == to the proof must be empty
// and the roots equal; for from == 0 the proof must be empty and from_root the empty tree's root.
bool verify_consistency(std::uint64_t from, std::uint64_t to, const Hash& from_root, const Hash& to_root,
                        std::span<const Hash> proof);

}  // namespace laurel::storage::merkle
