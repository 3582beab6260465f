#include "storage/merkle.h"

#include <openssl/evp.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include <bit>
#include <cstring>
#include <stdexcept>

namespace laurel::storage::merkle {
namespace {

// SHA-256 of a one-byte prefix followed by a message: the shape of every leaf and node hash.
//
// Where the CPU has the SHA extensions (SHA-NI), the compression function below runs them
// directly on the caller's bytes: no context to set up, no copy of the message but its first and
// last block, no dispatch. Elsewhere OpenSSL's libcrypto does it (through EVP, with one context per
// thread), which is still faster than libsodium's portable C. Per call, EVP's set-up and
// finalisation cost about as much as hashing a 65-byte node itself, which is why the direct path
// exists: tests/bench/merkle_bench.cpp measures both (BM_LeafHash, BM_NodeHash and their
// *OpenSsl and *Libsodium twins), and tests/storage/merkle_test.cpp checks the two paths agree on
// every length up to several blocks.
class EvpSha256 {
 public:
  EvpSha256() : context_(EVP_MD_CTX_new()) {}
  ~EvpSha256() { EVP_MD_CTX_free(context_); }
  EvpSha256(const EvpSha256&) = delete;
  EvpSha256& operator=(const EvpSha256&) = delete;

  Hash digest(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Hash out{};
    unsigned int length = 0;
    const bool ok = algorithm != nullptr && context_ != nullptr && EVP_DigestInit_ex2(context_, algorithm, nullptr) == 1 &&
                    EVP_DigestUpdate(context_, first.data(), first.size()) == 1 &&
                    EVP_DigestUpdate(context_, second.data(), second.size()) == 1 &&
                    EVP_DigestFinal_ex(context_, out.data(), &length) == 1 && length == out.size();
    // Only an allocation failure or a broken OpenSSL installation gets here: nothing a caller
    // could handle, and no hash may be made up.
    if (!ok) throw std::runtime_error("SHA-256 in OpenSSL's libcrypto failed");
    return out;
  }

 private:
  EVP_MD_CTX* context_;
};

Hash evp_sha256(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
  thread_local EvpSha256 context;
  return context.digest(first, second);
}

#if defined(__x86_64__)
alignas(16) constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4's compression function over `blocks` consecutive 64-byte blocks, with the SHA
// extensions. The state is kept as the instructions want it (ABEF and CDGH).
__attribute__((target("sha,ssse3,sse4.1"))) void compress_shani(std::uint32_t state[8], const std::uint8_t* data,
                                                                  std::size_t blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xB1);  // CDAB
  __m128i state1 = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1B);  // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  for (; blocks != 0; --blocks, data += 64) {
    const __m128i abef = state0, cdgh = state1;
    __m128i w[4];
    for (int i = 0; i < 4; ++i) w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), byte_swap);
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      __m128i message = _mm_add_epi32(w[g & 3], _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * g)));
      state1 = _mm_sha256rnds2_epu32(state1, state0, message);
      message = _mm_shuffle_epi32(message, 0x0E);
      state0 = _mm_sha256rnds2_epu32(state0, state1, message);
      if (g < 12) {
        // W[4(g+4)..] from W[4g..4g+15]: sigma0 terms (msg1), W[t-7], then the sigma1 terms (msg2).
        __m128i next = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
        w[g & 3] = _mm_sha256msg2_epu32(next, w[(g + 3) & 3]);
      }
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1B);       // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);    // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // HGFE
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), state1);
}

bool cpu_has_sha_extensions() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool ssse3 = (c & bit_SSSE3) != 0, sse41 = (c & bit_SSE4_1) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return ssse3 && sse41 && (b & bit_SHA) != 0;
}

// SHA-256(prefix || message), reading the message in place: block 0 is the prefix and the first
// 63 bytes, the blocks after it start one byte before a multiple of 64, and only the first and the
// padded tail are copied.
Hash shani_sha256(std::uint8_t prefix, std::span<const std::uint8_t> message) {
  std::uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const std::uint8_t* data = message.data();
  const std::size_t n = message.size();
  const std::size_t total = n + 1;
  const std::size_t full = total / 64;
  alignas(16) std::uint8_t buffer[128];
  if (full > 0) {
    buffer[0] = prefix;
    std::memcpy(buffer + 1, data, 63);
    compress_shani(state, buffer, 1);
    if (full > 1) compress_shani(state, data + 63, full - 1);
  }
  const std::size_t rest = total - 64 * full;  // 0..63 bytes left, then the padding
  std::memset(buffer, 0, sizeof buffer);
  if (full == 0) {
    buffer[0] = prefix;
    if (n != 0) std::memcpy(buffer + 1, data, n);
  } else if (rest != 0) {
    std::memcpy(buffer, data + 64 * full - 1, rest);
  }
  buffer[rest] = 0x80;
  const std::size_t tail_blocks = rest + 1 + 8 <= 64 ? 1 : 2;
  const std::uint64_t bits = static_cast<std::uint64_t>(total) * 8;
  for (int i = 0; i < 8; ++i) buffer[64 * tail_blocks - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
  compress_shani(state, buffer, tail_blocks);
  Hash out;
  for (int i = 0; i < 8; ++i) {
    const std::uint32_t v = state[i];
    out[4 * i] = static_cast<std::uint8_t>(v >> 24);
    out[4 * i + 1] = static_cast<std::uint8_t>(v >> 16);
    out[4 * i + 2] = static_cast<std::uint8_t>(v >> 8);
    out[4 * i + 3] = static_cast<std::uint8_t>(v);
  }
  return out;
}

const bool kShaExtensions = cpu_has_sha_extensions();
#else
constexpr bool kShaExtensions = false;
Hash shani_sha256(std::uint8_t, std::span<const std::uint8_t>) { throw std::logic_error("no SHA extensions"); }
#endif

Hash prefixed_sha256(std::uint8_t prefix, std::span<const std::uint8_t> message) {
  if (kShaExtensions) return shani_sha256(prefix, message);
  const std::uint8_t first[] = {prefix};
  return evp_sha256(first, message);
}

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

// The hash of leaves [begin, end) where that range is a subtree on the right edge of the tree of
// `end` leaves: begin is 0, or end - begin <= 2^countr_zero(begin). The range splits into complete
// subtrees, one per set bit of end - begin, the one of level j ending at end with its low j bits
// cleared; they are folded from the smallest (rightmost) outward, one read each.
std::optional<Hash> right_edge_hash(std::uint64_t begin, std::uint64_t end, NodeReader& nodes) {
  std::optional<Hash> folded;
  for (std::uint64_t remaining = end - begin; remaining != 0; remaining &= remaining - 1) {
    const auto level = static_cast<std::uint32_t>(std::countr_zero(remaining));
    const auto node = nodes.node(level, (end >> level) - 1);
    if (!node) return std::nullopt;
    folded = folded ? node_hash(*node, *folded) : *node;
  }
  return folded;
}

// Appends to `proof` the hashes that lead from the complete node (level, index) up to the root of
// the tree of `size` leaves, lowest first; the node must lie wholly inside [0, size). Below the
// level where the node's first leaf and the last leaf part, every sibling is a complete node; at
// that level the sibling on the right holds the last leaf and may be incomplete (right_edge_hash);
// above it, the path runs along the right edge and each sibling is the complete subtree on the left.
bool append_path(std::uint32_t level, std::uint64_t index, std::uint64_t size, NodeReader& nodes,
                 std::vector<Hash>& proof) {
  const std::uint64_t first = index << level;
  const auto parting_level = static_cast<std::uint32_t>(std::bit_width(first ^ (size - 1)));
  std::uint32_t l = level;
  for (; l + 1 < parting_level; ++l) {
    const auto sibling = nodes.node(l, (first >> l) ^ 1);
    if (!sibling) return false;
    proof.push_back(*sibling);
  }
  if (l + 1 == parting_level) {
    const auto sibling = right_edge_hash(((first >> l) + 1) << l, size, nodes);
    if (!sibling) return false;
    proof.push_back(*sibling);
    ++l;
  }
  for (std::uint64_t above = first >> l; above != 0; above >>= 1, ++l) {
    if ((above & 1) == 0) continue;
    const auto sibling = nodes.node(l, above - 1);
    if (!sibling) return false;
    proof.push_back(*sibling);
  }
  return true;
}

// RFC 9162's "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0".
void shift_to_set_bit(std::uint64_t& fn, std::uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash leaf_hash(std::span<const std::uint8_t> leaf) { return prefixed_sha256(kLeafPrefix, leaf); }

Hash leaf_hash(std::string_view leaf) {
  return leaf_hash(std::span(reinterpret_cast<const std::uint8_t*>(leaf.data()), leaf.size()));
}

Hash node_hash(const Hash& left, const Hash& right) {
  std::array<std::uint8_t, 2 * sizeof(Hash)> message;
  std::memcpy(message.data(), left.data(), left.size());
  std::memcpy(message.data() + left.size(), right.data(), right.size());
  return prefixed_sha256(kNodePrefix, message);
}

Hash openssl_leaf_hash(std::span<const std::uint8_t> leaf) {
  static constexpr std::uint8_t prefix[] = {kLeafPrefix};
  return evp_sha256(prefix, leaf);
}

bool uses_sha_extensions() { return kShaExtensions; }

Hash empty_root() {
  static const Hash root = evp_sha256({}, {});
  return root;
}

NodeReader::~NodeReader() = default;

void MemoryTree::append_leaf_hash(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  for (std::size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const auto& below = levels_[level];
    const Hash parent = node_hash(below[below.size() - 2], below.back());
    levels_[level + 1].push_back(parent);
  }
}

void MemoryTree::reserve(std::uint64_t leaves) {
  for (std::size_t level = 0; leaves != 0; ++level, leaves >>= 1) {
    if (level == levels_.size()) levels_.emplace_back();
    levels_[level].reserve(leaves);
  }
}

std::optional<Hash> MemoryTree::node(std::uint32_t level, std::uint64_t index) {
  if (level >= levels_.size() || index >= levels_[level].size()) return std::nullopt;
  return levels_[level][index];
}

std::optional<Appender> Appender::from_frontier(std::uint64_t size, std::vector<Hash> frontier) {
  if (frontier.size() != static_cast<std::size_t>(std::popcount(size))) return std::nullopt;
  Appender appender;
  appender.size_ = size;
  appender.frontier_ = std::move(frontier);
  return appender;
}

std::optional<Appender> Appender::load(std::uint64_t size, NodeReader& nodes) {
  std::vector<Hash> frontier(static_cast<std::size_t>(std::popcount(size)));
  auto slot = frontier.size();  // filled from the smallest subtree, which comes last
  for (std::uint64_t remaining = size; remaining != 0; remaining &= remaining - 1) {
    const auto level = static_cast<std::uint32_t>(std::countr_zero(remaining));
    const auto node = nodes.node(level, (size >> level) - 1);
    if (!node) return std::nullopt;
    frontier[--slot] = *node;
  }
  return from_frontier(size, std::move(frontier));
}

std::optional<std::uint64_t> postorder_position(std::uint32_t level, std::uint64_t index) {
  constexpr std::uint32_t kMaxLevel = 62;
  if (level > kMaxLevel || index >= (std::uint64_t{1} << (kMaxLevel - level))) return std::nullopt;
  const std::uint64_t first = index << level;
  return 2 * first - static_cast<std::uint64_t>(std::popcount(first)) + (std::uint64_t{2} << level) - 2;
}

KnownNodes::~KnownNodes() = default;

namespace {
class NoKnownNodes final : public KnownNodes {
 public:
  const Hash* find(std::uint32_t, std::uint64_t) const override { return nullptr; }
};
}  // namespace

std::vector<StoredNode> Appender::append(const Hash& leaf_hash) { return append(leaf_hash, NoKnownNodes{}); }

std::vector<StoredNode> Appender::append(const Hash& leaf_hash, const KnownNodes& known) {
  std::vector<StoredNode> completed;
  completed.reserve(static_cast<std::size_t>(std::countr_one(size_)) + 1);
  Hash hash = leaf_hash;
  std::uint32_t level = 0;
  completed.push_back({level, size_, hash});
  // Each trailing set bit of size_ is a complete subtree of that level just left of the new leaf:
  // it merges with what the leaf completed so far into a node one level up.
  while (level < 63 && ((size_ >> level) & 1) != 0) {
    ++level;
    const Hash* given = known.find(level, size_ >> level);
    hash = given ? *given : node_hash(frontier_.back(), hash);
    frontier_.pop_back();
    completed.push_back({level, size_ >> level, hash});
  }
  frontier_.push_back(hash);
  ++size_;
  return completed;
}

Hash Appender::root() const {
  if (frontier_.empty()) return empty_root();
  Hash folded = frontier_.back();
  for (auto it = frontier_.rbegin() + 1; it != frontier_.rend(); ++it) folded = node_hash(*it, folded);
  return folded;
}

std::optional<Hash> root_at(std::uint64_t size, NodeReader& nodes) {
  if (size == 0) return empty_root();
  return right_edge_hash(0, size, nodes);
}

std::optional<std::vector<Hash>> inclusion_proof(std::uint64_t index, std::uint64_t size, NodeReader& nodes) {
  if (index >= size) return std::nullopt;
  std::vector<Hash> proof;
  proof.reserve(static_cast<std::size_t>(std::bit_width(size)));
  if (!append_path(0, index, size, nodes, proof)) return std::nullopt;
  return proof;
}

std::optional<std::vector<Hash>> consistency_proof(std::uint64_t from, std::uint64_t to, NodeReader& nodes) {
  if (from > to) return std::nullopt;
  std::vector<Hash> proof;
  if (from == 0 || from == to) return proof;
  proof.reserve(static_cast<std::size_t>(std::bit_width(to)) + 1);
  // RFC 9162's SUBPROOF descends to the largest complete subtree that ends at `from`; the proof is
  // that subtree's hash (left out when it is the old root itself, i.e. `from` is a power of two)
  // followed by its path to the new root.
  const auto level = static_cast<std::uint32_t>(std::countr_zero(from));
  const std::uint64_t index = (from >> level) - 1;
  if (!std::has_single_bit(from)) {
    const auto node = nodes.node(level, index);
    if (!node) return std::nullopt;
    proof.push_back(*node);
  }
  if (!append_path(level, index, to, nodes, proof)) return std::nullopt;
  return proof;
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                      const Hash& root) {
  if (index >= size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      if ((fn & 1) == 0) shift_to_set_bit(fn, sn);
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t from, std::uint64_t to, const Hash& from_root, const Hash& to_root,
                        std::span<const Hash> proof) {
  if (from > to) return false;
  if (from == to) return proof.empty() && from_root == to_root;
  if (from == 0) return proof.empty() && from_root == empty_root();
  if (proof.empty()) return false;
  // When `from` is a power of two the proof leaves out the old root, which RFC 9162 prepends.
  std::size_t next = 0;
  const Hash start = std::has_single_bit(from) ? from_root : proof[next++];
  std::uint64_t fn = from - 1;
  std::uint64_t sn = to - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = start;
  Hash sr = start;
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if ((fn & 1) == 0) shift_to_set_bit(fn, sn);
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == from_root && sr == to_root && sn == 0;
}

}  // namespace laurel::storage::merkle
