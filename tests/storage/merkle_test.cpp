// Tests of the audit log's Merkle tree: the published RFC 6962 test vectors (the eight leaves of
// certificate-transparency and transparency-dev/merkle, with their node hashes, roots, inclusion and
// consistency proofs); an exhaustive comparison, for every tree size up to 130, every leaf and every
// pair of sizes, with a slow reference that follows RFC 9162's recursive definitions word for word;
// corrupted proofs and roots; the appender against the in-memory store; missing nodes; and the
// O(log n) bound on node reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sodium.h>

#include "storage/merkle.h"

using namespace laurel::storage::merkle;

namespace {

std::vector<std::uint8_t> bytes_from_hex(std::string_view hex) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

Hash hash_from_hex(std::string_view hex) {
  const auto bytes = bytes_from_hex(hex);
  EXPECT_EQ(bytes.size(), 32u) << hex;
  Hash h{};
  std::copy_n(bytes.begin(), std::min<std::size_t>(bytes.size(), 32), h.begin());
  return h;
}

std::vector<Hash> hashes_from_hex(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash> out;
  for (auto h : hexes) out.push_back(hash_from_hex(h));
  return out;
}

std::uint64_t largest_power_of_two_below(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// RFC 9162's definitions (2.1.1 MTH, 2.1.3.1 PATH, 2.1.4.1 PROOF/SUBPROOF), recursive and slow on
// purpose: nothing in it is shared with storage/merkle.cpp but leaf_hash and node_hash.
class Reference {
 public:
  explicit Reference(std::vector<Hash> leaves) : leaves_(std::move(leaves)) {}

  Hash mth(std::uint64_t begin, std::uint64_t end) const {
    const std::uint64_t n = end - begin;
    if (n == 0) return empty_root();
    if (n == 1) return leaves_[begin];
    const std::uint64_t k = largest_power_of_two_below(n);
    return node_hash(mth(begin, begin + k), mth(begin + k, end));
  }

  std::vector<Hash> path(std::uint64_t m, std::uint64_t begin, std::uint64_t end) const {
    const std::uint64_t n = end - begin;
    if (n <= 1) return {};
    const std::uint64_t k = largest_power_of_two_below(n);
    std::vector<Hash> p;
    if (m < k) {
      p = path(m, begin, begin + k);
      p.push_back(mth(begin + k, end));
    } else {
      p = path(m - k, begin + k, end);
      p.push_back(mth(begin, begin + k));
    }
    return p;
  }

  std::vector<Hash> proof(std::uint64_t m, std::uint64_t n) const { return subproof(m, 0, n, true); }

  std::vector<Hash> subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool complete) const {
    const std::uint64_t n = end - begin;
    if (m == n) return complete ? std::vector<Hash>{} : std::vector<Hash>{mth(begin, end)};
    const std::uint64_t k = largest_power_of_two_below(n);
    std::vector<Hash> p;
    if (m <= k) {
      p = subproof(m, begin, begin + k, complete);
      p.push_back(mth(begin + k, end));
    } else {
      p = subproof(m - k, begin + k, end, false);
      p.push_back(mth(begin, begin + k));
    }
    return p;
  }

 private:
  std::vector<Hash> leaves_;
};

// Counts reads, and can hide one node to play a damaged store.
class WatchedReader final : public NodeReader {
 public:
  explicit WatchedReader(NodeReader& inner) : inner_(inner) {}
  std::optional<Hash> node(std::uint32_t level, std::uint64_t index) override {
    ++reads;
    read.insert({level, index});
    if (hidden == std::pair{level, index}) return std::nullopt;
    return inner_.node(level, index);
  }
  void reset() {
    reads = 0;
    read.clear();
  }

  std::size_t reads = 0;
  std::set<std::pair<std::uint32_t, std::uint64_t>> read;
  std::optional<std::pair<std::uint32_t, std::uint64_t>> hidden;

 private:
  NodeReader& inner_;
};

Hash flip_bit(Hash h, std::size_t byte, int bit) {
  h[byte] ^= static_cast<std::uint8_t>(1u << bit);
  return h;
}

std::vector<Hash> distinct_leaf_hashes(std::uint64_t n) {
  std::vector<Hash> leaves;
  for (std::uint64_t i = 0; i < n; ++i) leaves.push_back(leaf_hash("record " + std::to_string(i)));
  return leaves;
}

// The eight leaves of the RFC 6962 test vectors and their published hashes.
const std::vector<std::vector<std::uint8_t>>& vector_leaves() {
  static const std::vector<std::vector<std::uint8_t>> leaves = {
      bytes_from_hex(""),         bytes_from_hex("00"),       bytes_from_hex("10"),
      bytes_from_hex("2021"),     bytes_from_hex("3031"),     bytes_from_hex("40414243"),
      bytes_from_hex("5051525354555657"), bytes_from_hex("606162636465666768696a6b6c6d6e6f"),
  };
  return leaves;
}

const std::vector<std::vector<Hash>>& vector_nodes() {  // [level][index]
  static const std::vector<std::vector<Hash>> nodes = {
      hashes_from_hex({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                       "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                       "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                       "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                       "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                       "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
                       "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                       "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"}),
      hashes_from_hex({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                       "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                       "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                       "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"}),
      hashes_from_hex({"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                       "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}),
      hashes_from_hex({"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"}),
  };
  return nodes;
}

const std::vector<Hash>& vector_roots() {  // by size, from 0
  static const std::vector<Hash> roots = hashes_from_hex({
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  });
  return roots;
}

MemoryTree vector_tree(std::uint64_t size) {
  MemoryTree tree;
  for (std::uint64_t i = 0; i < size; ++i) tree.append_leaf(vector_leaves()[i]);
  return tree;
}

struct InclusionVector {
  std::uint64_t index;
  std::uint64_t size;
  std::vector<Hash> proof;
};

struct ConsistencyVector {
  std::uint64_t from;
  std::uint64_t to;
  std::vector<Hash> proof;
};

const std::vector<InclusionVector>& inclusion_vectors() {
  static const std::vector<InclusionVector> vectors = {
      {0, 1, {}},
      {0, 2, hashes_from_hex({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"})},
      {1, 2, hashes_from_hex({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"})},
      {2, 3, hashes_from_hex({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5, hashes_from_hex({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {0, 8, hashes_from_hex({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8, hashes_from_hex({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  return vectors;
}

const std::vector<ConsistencyVector>& consistency_vectors() {
  static const std::vector<ConsistencyVector> vectors = {
      {1, 1, {}},
      {1, 8, hashes_from_hex({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {2, 5, hashes_from_hex({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 8, hashes_from_hex({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {6, 7, hashes_from_hex({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                              "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  return vectors;
}

// Proofs that any change must break, whatever the tree: every bit-flipped element, a dropped last
// element, an extra element at either end.
std::vector<std::vector<Hash>> damaged_proofs(const std::vector<Hash>& proof, const Hash& extra) {
  std::vector<std::vector<Hash>> damaged;
  for (std::size_t i = 0; i < proof.size(); ++i) {
    for (std::size_t byte : {std::size_t{0}, std::size_t{31}}) {
      auto p = proof;
      p[i] = flip_bit(p[i], byte, static_cast<int>(i % 8));
      damaged.push_back(std::move(p));
    }
  }
  if (!proof.empty()) damaged.emplace_back(proof.begin(), proof.end() - 1);
  auto longer = proof;
  longer.push_back(extra);
  damaged.push_back(longer);
  std::vector<Hash> front{extra};
  front.insert(front.end(), proof.begin(), proof.end());
  damaged.push_back(front);
  return damaged;
}

constexpr std::uint64_t kExhaustiveMaxSize = 130;

}  // namespace

TEST(MerkleHashes, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(empty_root(), hash_from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

TEST(MerkleHashes, LeafAndNodeHashesMatchThePublishedVectors) {
  const auto& nodes = vector_nodes();
  for (std::size_t i = 0; i < vector_leaves().size(); ++i) {
    EXPECT_EQ(leaf_hash(vector_leaves()[i]), nodes[0][i]) << "leaf " << i;
  }
  EXPECT_EQ(node_hash(nodes[0][0], nodes[0][1]), nodes[1][0]);
  EXPECT_EQ(node_hash(nodes[1][2], nodes[1][3]), nodes[2][1]);
  EXPECT_EQ(node_hash(nodes[2][0], nodes[2][1]), nodes[3][0]);
  EXPECT_NE(node_hash(nodes[0][1], nodes[0][0]), nodes[1][0]);
  // The string overload hashes the same bytes.
  const std::string_view text = "\x20\x21";
  EXPECT_EQ(leaf_hash(text), nodes[0][3]);
}

// leaf_hash and node_hash run the CPU's SHA extensions directly where it has them: their block
// handling (the prefix byte shifts every block by one) is checked against libsodium's SHA-256 of
// the whole message, for every length that puts the end and the padding in a different place.
TEST(MerkleHashes, AgreeWithLibsodiumAtEveryLength) {
  ASSERT_GE(sodium_init(), 0);
  std::vector<std::uint8_t> data(1100);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 131 + 7);
  auto sodium_sha256 = [](std::uint8_t prefix, std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> message{prefix};
    message.insert(message.end(), bytes.begin(), bytes.end());
    Hash out;
    crypto_hash_sha256(out.data(), message.data(), message.size());
    return out;
  };
  for (std::size_t n = 0; n <= data.size(); ++n) {
    // Offsets 0 and 3: the direct path reads unaligned blocks from the caller's buffer.
    for (std::size_t offset : {std::size_t{0}, std::size_t{3}}) {
      if (offset + n > data.size()) continue;
      const std::span<const std::uint8_t> bytes(data.data() + offset, n);
      ASSERT_EQ(leaf_hash(bytes), sodium_sha256(0x00, bytes)) << "length " << n << " offset " << offset;
      ASSERT_EQ(openssl_leaf_hash(bytes), sodium_sha256(0x00, bytes)) << "length " << n;
    }
  }
  Hash left, right;
  for (std::size_t i = 0; i < 32; ++i) left[i] = static_cast<std::uint8_t>(i), right[i] = static_cast<std::uint8_t>(255 - i);
  std::vector<std::uint8_t> pair(left.begin(), left.end());
  pair.insert(pair.end(), right.begin(), right.end());
  EXPECT_EQ(node_hash(left, right), sodium_sha256(0x01, pair));
  RecordProperty("sha_extensions", uses_sha_extensions() ? "yes" : "no");
}

TEST(MerkleVectors, MemoryTreeHoldsThePublishedNodeHashes) {
  MemoryTree tree = vector_tree(8);
  EXPECT_EQ(tree.size(), 8u);
  const auto& nodes = vector_nodes();
  for (std::uint32_t level = 0; level < nodes.size(); ++level) {
    for (std::uint64_t index = 0; index < nodes[level].size(); ++index) {
      EXPECT_EQ(tree.node(level, index), nodes[level][index]) << "level " << level << " index " << index;
    }
    EXPECT_EQ(tree.node(level, nodes[level].size()), std::nullopt);
  }
  EXPECT_EQ(tree.node(4, 0), std::nullopt);
}

TEST(MerkleVectors, RootsForEverySizeMatchThePublishedRoots) {
  MemoryTree tree = vector_tree(8);
  Appender appender;
  EXPECT_EQ(appender.root(), vector_roots()[0]);
  for (std::uint64_t size = 0; size <= 8; ++size) {
    EXPECT_EQ(root_at(size, tree), vector_roots()[size]) << "size " << size;
    if (size > 0) {
      appender.append(leaf_hash(vector_leaves()[size - 1]));
      EXPECT_EQ(appender.root(), vector_roots()[size]) << "size " << size;
    }
  }
}

TEST(MerkleVectors, InclusionProofsMatchAndVerify) {
  MemoryTree tree = vector_tree(8);
  for (const auto& v : inclusion_vectors()) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    EXPECT_EQ(inclusion_proof(v.index, v.size, tree), v.proof);
    const Hash leaf = leaf_hash(vector_leaves()[v.index]);
    const Hash& root = vector_roots()[v.size];
    EXPECT_TRUE(verify_inclusion(v.index, v.size, leaf, v.proof, root));
    // The parameter changes that transparency-dev's verifier tests refuse for these vectors.
    EXPECT_FALSE(verify_inclusion(v.index - 1, v.size, leaf, v.proof, root));
    EXPECT_FALSE(verify_inclusion(v.index + 1, v.size, leaf, v.proof, root));
    EXPECT_FALSE(verify_inclusion(v.index ^ 2, v.size, leaf, v.proof, root));
    EXPECT_FALSE(verify_inclusion(v.index, v.size * 2, leaf, v.proof, root));
    EXPECT_FALSE(verify_inclusion(v.index, v.size / 2, leaf, v.proof, root));
    EXPECT_FALSE(verify_inclusion(v.index, v.size, leaf_hash(std::string_view("WrongLeaf")), v.proof, root));
    EXPECT_FALSE(verify_inclusion(v.index, v.size, leaf, v.proof, empty_root()));
    for (const auto& damaged : damaged_proofs(v.proof, root)) {
      EXPECT_FALSE(verify_inclusion(v.index, v.size, leaf, damaged, root));
    }
  }
}

TEST(MerkleVectors, ConsistencyProofsMatchAndVerify) {
  MemoryTree tree = vector_tree(8);
  for (const auto& v : consistency_vectors()) {
    SCOPED_TRACE("from " + std::to_string(v.from) + " to " + std::to_string(v.to));
    EXPECT_EQ(consistency_proof(v.from, v.to, tree), v.proof);
    const Hash& from_root = vector_roots()[v.from];
    const Hash& to_root = vector_roots()[v.to];
    EXPECT_TRUE(verify_consistency(v.from, v.to, from_root, to_root, v.proof));
    if (v.proof.empty()) continue;
    EXPECT_FALSE(verify_consistency(v.from - 1, v.to, from_root, to_root, v.proof));
    EXPECT_FALSE(verify_consistency(v.from + 1, v.to, from_root, to_root, v.proof));
    EXPECT_FALSE(verify_consistency(v.from ^ 2, v.to, from_root, to_root, v.proof));
    EXPECT_FALSE(verify_consistency(v.from, v.to * 2, from_root, to_root, v.proof));
    EXPECT_FALSE(verify_consistency(v.from, v.to / 2, from_root, to_root, v.proof));
    EXPECT_FALSE(verify_consistency(v.from, v.to, to_root, from_root, v.proof));
    EXPECT_FALSE(verify_consistency(v.from, v.to, from_root, to_root, {}));
    for (const auto& damaged : damaged_proofs(v.proof, to_root)) {
      EXPECT_FALSE(verify_consistency(v.from, v.to, from_root, to_root, damaged));
    }
  }
}

// Every size up to kExhaustiveMaxSize: roots, every leaf's inclusion proof and every consistency
// proof equal the reference's, verify, and stop verifying once damaged.
TEST(MerkleExhaustive, RootsAndInclusionProofsEqualTheReference) {
  const auto leaves = distinct_leaf_hashes(kExhaustiveMaxSize);
  const Reference reference(leaves);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append_leaf_hash(leaf);
  EXPECT_EQ(root_at(0, tree), empty_root());
  for (std::uint64_t size = 1; size <= kExhaustiveMaxSize; ++size) {
    const Hash root = reference.mth(0, size);
    ASSERT_EQ(root_at(size, tree), root) << "size " << size;
    const Hash other_root = reference.mth(0, size - 1);
    for (std::uint64_t index = 0; index < size; ++index) {
      SCOPED_TRACE("index " + std::to_string(index) + " size " + std::to_string(size));
      const auto proof = inclusion_proof(index, size, tree);
      ASSERT_TRUE(proof.has_value());
      ASSERT_EQ(*proof, reference.path(index, 0, size));
      ASSERT_TRUE(verify_inclusion(index, size, leaves[index], *proof, root));
      EXPECT_FALSE(verify_inclusion(index, size, leaves[(index + 1) % kExhaustiveMaxSize], *proof, root));
      EXPECT_FALSE(verify_inclusion(index, size, leaves[index], *proof, other_root));
      EXPECT_FALSE(verify_inclusion(index, size, leaves[index], *proof, flip_bit(root, 7, 0)));
      for (const auto& damaged : damaged_proofs(*proof, root)) {
        EXPECT_FALSE(verify_inclusion(index, size, leaves[index], damaged, root));
      }
    }
  }
}

TEST(MerkleExhaustive, ConsistencyProofsEqualTheReference) {
  const auto leaves = distinct_leaf_hashes(kExhaustiveMaxSize);
  const Reference reference(leaves);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append_leaf_hash(leaf);
  std::vector<Hash> roots;
  for (std::uint64_t size = 0; size <= kExhaustiveMaxSize; ++size) roots.push_back(reference.mth(0, size));
  for (std::uint64_t to = 1; to <= kExhaustiveMaxSize; ++to) {
    for (std::uint64_t from = 1; from <= to; ++from) {
      SCOPED_TRACE("from " + std::to_string(from) + " to " + std::to_string(to));
      const auto proof = consistency_proof(from, to, tree);
      ASSERT_TRUE(proof.has_value());
      ASSERT_EQ(*proof, reference.proof(from, to));
      ASSERT_TRUE(verify_consistency(from, to, roots[from], roots[to], *proof));
      if (from == to) {
        EXPECT_FALSE(verify_consistency(from, to, roots[from], roots[from - 1], *proof));
        continue;
      }
      EXPECT_FALSE(verify_consistency(from, to, roots[to], roots[from], *proof));
      EXPECT_FALSE(verify_consistency(from, to, roots[from - 1], roots[to], *proof));
      EXPECT_FALSE(verify_consistency(from, to, roots[from], roots[to - 1], *proof));
      EXPECT_FALSE(verify_consistency(from, to, roots[from], roots[to], {}));
      for (const auto& damaged : damaged_proofs(*proof, roots[to])) {
        EXPECT_FALSE(verify_consistency(from, to, roots[from], roots[to], damaged));
      }
    }
  }
}

TEST(MerkleAppender, EmitsExactlyTheNodesTheMemoryTreeStores) {
  const auto leaves = distinct_leaf_hashes(kExhaustiveMaxSize);
  const Reference reference(leaves);
  MemoryTree tree;
  Appender appender;
  std::map<std::pair<std::uint32_t, std::uint64_t>, Hash> emitted;
  for (std::uint64_t i = 0; i < leaves.size(); ++i) {
    tree.append_leaf_hash(leaves[i]);
    const auto nodes = appender.append(leaves[i]);
    ASSERT_FALSE(nodes.empty());
    EXPECT_EQ(nodes.front(), (StoredNode{0, i, leaves[i]}));
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      EXPECT_EQ(nodes[k].level, k);
      EXPECT_EQ(tree.node(nodes[k].level, nodes[k].index), nodes[k].hash) << "leaf " << i << " node " << k;
      EXPECT_TRUE(emitted.emplace(std::pair{nodes[k].level, nodes[k].index}, nodes[k].hash).second) << "emitted twice";
    }
    EXPECT_EQ(appender.size(), i + 1);
    EXPECT_EQ(appender.frontier().size(), static_cast<std::size_t>(std::popcount(i + 1)));
    EXPECT_EQ(appender.root(), reference.mth(0, i + 1));
  }
  // Every node the tree holds was emitted once: at level L there are size >> L of them.
  std::size_t stored = 0;
  for (std::uint32_t level = 0; (kExhaustiveMaxSize >> level) != 0; ++level) stored += kExhaustiveMaxSize >> level;
  EXPECT_EQ(emitted.size(), stored);
}

TEST(MerkleAppender, EmitsNodesInPostorderPositionOrder) {
  // Storage keys nodes by postorder_position and relies on the appender emitting them at positions
  // 0, 1, 2, ... with no gap: checked over 5,000 leaves, then around a large size.
  Appender appender;
  std::uint64_t next = 0;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    for (const auto& n : appender.append(leaf_hash(std::to_string(i)))) {
      ASSERT_EQ(postorder_position(n.level, n.index), next) << "level " << n.level << " index " << n.index;
      ++next;
    }
  }
  EXPECT_EQ(next, 2 * 5000 - std::popcount(5000u));
  // Node (L, i) of a big tree: the nodes of all leaves before it, then its own subtree's.
  const std::uint64_t first = (std::uint64_t{1} << 40) + 12345;
  EXPECT_EQ(postorder_position(0, first), 2 * first - std::popcount(first));
  EXPECT_EQ(postorder_position(3, first >> 3), 2 * (first & ~7ull) - std::popcount(first & ~7ull) + 14);
  EXPECT_EQ(postorder_position(62, 0), (std::uint64_t{1} << 63) - 2);
  EXPECT_FALSE(postorder_position(62, 1));
  EXPECT_FALSE(postorder_position(63, 0));
  EXPECT_FALSE(postorder_position(0, std::uint64_t{1} << 62));
}

TEST(MerkleAppender, LoadedFromAStoreContinuesLikeTheOriginal) {
  const auto leaves = distinct_leaf_hashes(70);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append_leaf_hash(leaf);
  for (std::uint64_t size = 0; size <= leaves.size(); ++size) {
    WatchedReader reader(tree);
    auto loaded = Appender::load(size, reader);
    ASSERT_TRUE(loaded.has_value()) << size;
    EXPECT_EQ(reader.reads, static_cast<std::size_t>(std::popcount(size)));
    EXPECT_EQ(loaded->size(), size);
    EXPECT_EQ(loaded->root(), root_at(size, tree));
    auto rebuilt = Appender::from_frontier(size, loaded->frontier());
    ASSERT_TRUE(rebuilt.has_value());
    for (std::uint64_t i = size; i < leaves.size(); ++i) {
      for (const auto& node : loaded->append(leaves[i])) {
        EXPECT_EQ(tree.node(node.level, node.index), node.hash) << "from size " << size << " leaf " << i;
      }
      rebuilt->append(leaves[i]);
    }
    EXPECT_EQ(loaded->root(), root_at(leaves.size(), tree));
    EXPECT_EQ(rebuilt->root(), loaded->root());
  }
}

TEST(MerkleAppender, RefusesAFrontierOfTheWrongLengthAndAMissingNode) {
  const Hash h = leaf_hash(std::string_view("x"));
  EXPECT_FALSE(Appender::from_frontier(0, {h}).has_value());
  EXPECT_FALSE(Appender::from_frontier(3, {h}).has_value());
  EXPECT_FALSE(Appender::from_frontier(4, {h, h}).has_value());
  EXPECT_TRUE(Appender::from_frontier(0, {}).has_value());
  EXPECT_TRUE(Appender::from_frontier(6, {h, h}).has_value());

  MemoryTree tree;
  for (const auto& leaf : distinct_leaf_hashes(6)) tree.append_leaf_hash(leaf);
  EXPECT_FALSE(Appender::load(7, tree).has_value());  // node (0, 6) is not there
  WatchedReader reader(tree);
  reader.hidden = std::pair{std::uint32_t{1}, std::uint64_t{2}};
  EXPECT_FALSE(Appender::load(6, reader).has_value());
}

TEST(MerkleProofs, ArgumentsOutsideTheTreeAndTrivialCases) {
  MemoryTree tree = vector_tree(8);
  EXPECT_EQ(inclusion_proof(0, 0, tree), std::nullopt);
  EXPECT_EQ(inclusion_proof(5, 5, tree), std::nullopt);
  EXPECT_EQ(inclusion_proof(0, 9, tree), std::nullopt);  // beyond the stored tree: a missing node
  EXPECT_EQ(root_at(9, tree), std::nullopt);
  EXPECT_EQ(consistency_proof(3, 2, tree), std::nullopt);
  EXPECT_EQ(consistency_proof(0, 8, tree), std::vector<Hash>{});
  EXPECT_EQ(consistency_proof(0, 0, tree), std::vector<Hash>{});
  EXPECT_EQ(consistency_proof(5, 5, tree), std::vector<Hash>{});
  EXPECT_EQ(consistency_proof(3, 9, tree), std::nullopt);

  const auto& roots = vector_roots();
  const Hash some = leaf_hash(std::string_view("some"));
  EXPECT_FALSE(verify_inclusion(0, 0, some, {}, empty_root()));
  EXPECT_FALSE(verify_inclusion(1, 1, roots[1], {}, roots[1]));
  EXPECT_TRUE(verify_inclusion(0, 1, roots[1], {}, roots[1]));
  EXPECT_FALSE(verify_inclusion(0, 1, roots[1], {}, some));

  EXPECT_TRUE(verify_consistency(0, 0, empty_root(), empty_root(), {}));
  EXPECT_FALSE(verify_consistency(0, 0, empty_root(), some, {}));
  EXPECT_TRUE(verify_consistency(0, 5, empty_root(), roots[5], {}));
  EXPECT_FALSE(verify_consistency(0, 5, some, roots[5], {}));
  EXPECT_FALSE(verify_consistency(0, 5, empty_root(), roots[5], std::vector<Hash>{empty_root()}));
  EXPECT_TRUE(verify_consistency(5, 5, roots[5], roots[5], {}));
  EXPECT_FALSE(verify_consistency(5, 5, roots[5], roots[5], std::vector<Hash>{roots[5]}));
  EXPECT_FALSE(verify_consistency(5, 5, roots[5], roots[4], {}));
  EXPECT_FALSE(verify_consistency(2, 1, roots[2], roots[1], {}));
  EXPECT_FALSE(verify_consistency(1, 2, roots[1], roots[2], {}));
}

// A missing node makes exactly the requests that need it fail, and no request gives a wrong answer.
TEST(MerkleProofs, AMissingNodeFailsExactlyTheRequestsThatReadIt) {
  constexpr std::uint64_t kSize = 21;
  MemoryTree tree;
  for (const auto& leaf : distinct_leaf_hashes(kSize)) tree.append_leaf_hash(leaf);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> stored;
  for (std::uint32_t level = 0; (kSize >> level) != 0; ++level) {
    for (std::uint64_t index = 0; index < (kSize >> level); ++index) stored.emplace_back(level, index);
  }
  for (const auto& hidden : stored) {
    WatchedReader damaged(tree);
    damaged.hidden = hidden;
    WatchedReader whole(tree);
    auto check = [&](const auto& got, const auto& want, const std::string& what) {
      const bool needs_hidden = whole.read.contains(hidden);
      EXPECT_EQ(got.has_value(), !needs_hidden) << what;
      if (got.has_value()) {
        EXPECT_EQ(got, want) << what;
      }
      whole.reset();
    };
    for (std::uint64_t size = 1; size <= kSize; ++size) {
      const std::string at = " size " + std::to_string(size) + " hidden (" + std::to_string(hidden.first) + ", " +
                             std::to_string(hidden.second) + ")";
      {
        const auto got = root_at(size, damaged);
        check(got, root_at(size, whole), "root" + at);
      }
      for (std::uint64_t index = 0; index < size; ++index) {
        const auto got = inclusion_proof(index, size, damaged);
        check(got, inclusion_proof(index, size, whole), "inclusion of " + std::to_string(index) + at);
      }
      for (std::uint64_t from = 1; from <= size; ++from) {
        const auto got = consistency_proof(from, size, damaged);
        check(got, consistency_proof(from, size, whole), "consistency from " + std::to_string(from) + at);
      }
    }
  }
}

// Roots and proofs in a larger tree read O(log n) nodes (about two per level at most) and still
// verify against the appender's root.
TEST(MerkleProofs, ReadAtMostTwoNodesPerLevel) {
  constexpr std::uint64_t kSize = (1u << 16) + 12345;
  MemoryTree tree;
  Appender appender;
  std::vector<Hash> leaves;
  leaves.reserve(kSize);
  for (std::uint64_t i = 0; i < kSize; ++i) {
    leaves.push_back(leaf_hash("leaf " + std::to_string(i)));
    tree.append_leaf_hash(leaves.back());
    appender.append(leaves.back());
  }
  WatchedReader reader(tree);
  const auto root = root_at(kSize, reader);
  ASSERT_EQ(root, appender.root());
  EXPECT_EQ(reader.reads, static_cast<std::size_t>(std::popcount(kSize)));

  std::uint64_t state = 12345;
  auto next = [&state](std::uint64_t bound) {  // a fixed pseudo-random sequence (splitmix64)
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) % bound;
  };
  for (int round = 0; round < 300; ++round) {
    const std::uint64_t size = round == 0 ? kSize : 1 + next(kSize);
    const std::uint64_t index = round == 1 ? size - 1 : next(size);
    const std::size_t levels = static_cast<std::size_t>(std::bit_width(size));
    reader.reset();
    const auto size_root = root_at(size, reader);
    ASSERT_TRUE(size_root.has_value());
    reader.reset();
    const auto inclusion = inclusion_proof(index, size, reader);
    ASSERT_TRUE(inclusion.has_value());
    EXPECT_LE(reader.reads, 2 * levels) << "inclusion of " << index << " in " << size;
    EXPECT_TRUE(verify_inclusion(index, size, leaves[index], *inclusion, *size_root));

    const std::uint64_t from = 1 + next(size);
    reader.reset();
    const auto consistency = consistency_proof(from, size, reader);
    ASSERT_TRUE(consistency.has_value());
    EXPECT_LE(reader.reads, 2 * levels + 1) << "consistency " << from << " to " << size;
    EXPECT_TRUE(verify_consistency(from, size, *root_at(from, tree), *size_root, *consistency));
    EXPECT_TRUE(verify_consistency(size, kSize, *size_root, *root, *consistency_proof(size, kSize, tree)));
  }
  // A few against the reference, which rehashes everything each time.
  const Reference reference(leaves);
  for (const std::uint64_t index : {std::uint64_t{0}, std::uint64_t{40000}, kSize - 1}) {
    EXPECT_EQ(inclusion_proof(index, kSize, tree), reference.path(index, 0, kSize)) << index;
  }
  EXPECT_EQ(consistency_proof(70001, kSize, tree), reference.proof(70001, kSize));
}
