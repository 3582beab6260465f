// Costs of the audit log's cryptography: hashing 500-byte records as leaves (with OpenSSL, which
// storage/merkle.cpp uses, and with libsodium, which it would otherwise use), node hashing,
// appending a record, roots and proofs in a tree of 10,000,000 leaves held in memory (the median of
// 9 repetitions, with the node reads each proof costs), proof verification, and checkpoint signing
// and verification. Reproduce:
//   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C build/release merkle_bench
//   build/release/tests/merkle_bench
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "storage/checkpoint.h"
#include "storage/merkle.h"

namespace {
using namespace laurel::storage::merkle;
using namespace laurel::storage::checkpoint;

constexpr std::size_t kRecordBytes = 500;
constexpr std::uint64_t kLargeTree = 10'000'000;
constexpr int kRepetitions = 9;

std::vector<std::uint8_t> record() {
  std::vector<std::uint8_t> bytes(kRecordBytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>('a' + i % 26);
  return bytes;
}

void count_records(benchmark::State& state, std::size_t bytes_each) {
  const auto n = static_cast<double>(state.iterations());
  state.counters["records_per_s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["MB_per_s"] = benchmark::Counter(n * static_cast<double>(bytes_each) / 1e6, benchmark::Counter::kIsRate);
}

void BM_LeafHash(benchmark::State& state) {
  auto bytes = record();
  for (auto _ : state) {
    const Hash h = leaf_hash(bytes);
    bytes[0] = h[0];  // each record differs from the last
    benchmark::DoNotOptimize(bytes.data());
  }
  count_records(state, kRecordBytes);
}
BENCHMARK(BM_LeafHash);

// The same through OpenSSL's EVP interface, what leaf_hash falls back to without SHA extensions.
void BM_LeafHashOpenSsl(benchmark::State& state) {
  auto bytes = record();
  for (auto _ : state) {
    const Hash h = openssl_leaf_hash(bytes);
    bytes[0] = h[0];
    benchmark::DoNotOptimize(bytes.data());
  }
  count_records(state, kRecordBytes);
  state.SetLabel(uses_sha_extensions() ? "leaf_hash uses SHA extensions directly" : "leaf_hash uses this path");
}
BENCHMARK(BM_LeafHashOpenSsl);

void BM_LeafHashLibsodium(benchmark::State& state) {
  auto bytes = record();
  for (auto _ : state) {
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    const std::uint8_t prefix = 0x00;
    crypto_hash_sha256_update(&sha, &prefix, 1);
    crypto_hash_sha256_update(&sha, bytes.data(), bytes.size());
    Hash h;
    crypto_hash_sha256_final(&sha, h.data());
    bytes[0] = h[0];
    benchmark::DoNotOptimize(bytes.data());
  }
  count_records(state, kRecordBytes);
}
BENCHMARK(BM_LeafHashLibsodium);

void BM_NodeHash(benchmark::State& state) {
  Hash left = leaf_hash(std::string_view("left"));
  const Hash right = leaf_hash(std::string_view("right"));
  for (auto _ : state) {
    left = node_hash(left, right);
    benchmark::DoNotOptimize(left);
  }
  state.counters["nodes_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NodeHash);

void BM_NodeHashLibsodium(benchmark::State& state) {
  Hash left = leaf_hash(std::string_view("left"));
  const Hash right = leaf_hash(std::string_view("right"));
  for (auto _ : state) {
    std::uint8_t message[65];
    message[0] = 0x01;
    std::copy(left.begin(), left.end(), message + 1);
    std::copy(right.begin(), right.end(), message + 33);
    crypto_hash_sha256(left.data(), message, sizeof message);
    benchmark::DoNotOptimize(left);
  }
  state.counters["nodes_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NodeHashLibsodium);

// What storage does per record: hash the leaf, append it, receive the nodes to write.
void BM_AppendRecord(benchmark::State& state) {
  auto bytes = record();
  Appender appender;
  for (auto _ : state) {
    const Hash h = leaf_hash(bytes);
    bytes[0] = h[0];
    auto nodes = appender.append(h);
    benchmark::DoNotOptimize(nodes.data());
  }
  count_records(state, kRecordBytes);
}
BENCHMARK(BM_AppendRecord);

// The tree of 10,000,000 leaves, built once, with its appender's root.
struct LargeTree {
  MemoryTree tree;
  Hash root{};

  LargeTree() {
    std::fprintf(stderr, "building a tree of %llu leaves...\n", static_cast<unsigned long long>(kLargeTree));
    tree.reserve(kLargeTree);
    Appender appender;
    for (std::uint64_t i = 0; i < kLargeTree; ++i) {
      const Hash h = leaf_hash(std::string_view(reinterpret_cast<const char*>(&i), sizeof i));
      tree.append_leaf_hash(h);
      appender.append(h);
    }
    root = appender.root();
  }
};

LargeTree& large_tree() {
  static LargeTree large;
  return large;
}

// A fixed pseudo-random sequence (splitmix64), the same in every run.
class Sequence {
 public:
  std::uint64_t next(std::uint64_t bound) {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) % bound;
  }

 private:
  std::uint64_t state_ = 2024;
};

class CountingReader final : public NodeReader {
 public:
  explicit CountingReader(NodeReader& inner) : inner_(inner) {}
  std::optional<Hash> node(std::uint32_t level, std::uint64_t index) override {
    ++reads;
    return inner_.node(level, index);
  }
  std::uint64_t reads = 0;

 private:
  NodeReader& inner_;
};

constexpr std::size_t kSamples = 4096;

void BM_InclusionProof10M(benchmark::State& state) {
  auto& large = large_tree();
  Sequence sequence;
  std::vector<std::uint64_t> indexes(kSamples);
  for (auto& index : indexes) index = sequence.next(kLargeTree);
  CountingReader counter(large.tree);
  for (const auto index : indexes) inclusion_proof(index, kLargeTree, counter);
  std::size_t i = 0;
  for (auto _ : state) {
    auto proof = inclusion_proof(indexes[i++ % kSamples], kLargeTree, large.tree);
    benchmark::DoNotOptimize(proof);
  }
  state.counters["reads_per_proof"] = static_cast<double>(counter.reads) / kSamples;
}
BENCHMARK(BM_InclusionProof10M)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_ConsistencyProof10M(benchmark::State& state) {
  auto& large = large_tree();
  Sequence sequence;
  std::vector<std::uint64_t> froms(kSamples);
  for (auto& from : froms) from = 1 + sequence.next(kLargeTree);
  CountingReader counter(large.tree);
  for (const auto from : froms) consistency_proof(from, kLargeTree, counter);
  std::size_t i = 0;
  for (auto _ : state) {
    auto proof = consistency_proof(froms[i++ % kSamples], kLargeTree, large.tree);
    benchmark::DoNotOptimize(proof);
  }
  state.counters["reads_per_proof"] = static_cast<double>(counter.reads) / kSamples;
}
BENCHMARK(BM_ConsistencyProof10M)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_RootAt10M(benchmark::State& state) {
  auto& large = large_tree();
  Sequence sequence;
  std::vector<std::uint64_t> sizes(kSamples);
  for (auto& size : sizes) size = 1 + sequence.next(kLargeTree);
  std::size_t i = 0;
  for (auto _ : state) {
    auto root = root_at(sizes[i++ % kSamples], large.tree);
    benchmark::DoNotOptimize(root);
  }
}
BENCHMARK(BM_RootAt10M)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_VerifyInclusion10M(benchmark::State& state) {
  auto& large = large_tree();
  Sequence sequence;
  struct Sample {
    std::uint64_t index;
    Hash leaf;
    std::vector<Hash> proof;
  };
  std::vector<Sample> samples;
  for (std::size_t k = 0; k < 256; ++k) {
    const auto index = sequence.next(kLargeTree);
    samples.push_back({index, *large.tree.node(0, index), *inclusion_proof(index, kLargeTree, large.tree)});
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& s = samples[i++ % samples.size()];
    if (!verify_inclusion(s.index, kLargeTree, s.leaf, s.proof, large.root)) state.SkipWithError("proof refused");
  }
}
BENCHMARK(BM_VerifyInclusion10M)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_VerifyConsistency10M(benchmark::State& state) {
  auto& large = large_tree();
  Sequence sequence;
  struct Sample {
    std::uint64_t from;
    Hash from_root;
    std::vector<Hash> proof;
  };
  std::vector<Sample> samples;
  for (std::size_t k = 0; k < 256; ++k) {
    const auto from = 1 + sequence.next(kLargeTree);
    samples.push_back({from, *root_at(from, large.tree), *consistency_proof(from, kLargeTree, large.tree)});
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& s = samples[i++ % samples.size()];
    if (!verify_consistency(s.from, kLargeTree, s.from_root, large.root, s.proof)) state.SkipWithError("proof refused");
  }
}
BENCHMARK(BM_VerifyConsistency10M)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

Signer bench_signer() {
  std::array<std::uint8_t, 32> seed{};
  auto signer = Signer::from_seed("laurel.example/audit", seed);
  if (!signer) std::abort();
  return *signer;
}

void BM_CheckpointSign(benchmark::State& state) {
  const Signer signer = bench_signer();
  Checkpoint checkpoint{"laurel.example/audit", kLargeTree, leaf_hash(std::string_view("root"))};
  for (auto _ : state) {
    auto note = signer.sign(checkpoint);
    benchmark::DoNotOptimize(note.data());
    ++checkpoint.size;
  }
  state.counters["signs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CheckpointSign)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_CheckpointVerify(benchmark::State& state) {
  const Signer signer = bench_signer();
  const auto verifier = Verifier::parse(signer.verifier_key());
  if (!verifier) std::abort();
  const std::string note = signer.sign(Checkpoint{"laurel.example/audit", kLargeTree, leaf_hash(std::string_view("root"))});
  for (auto _ : state) {
    auto checkpoint = verifier->verify(note);
    if (!checkpoint) state.SkipWithError("checkpoint refused");
    benchmark::DoNotOptimize(checkpoint);
  }
}
BENCHMARK(BM_CheckpointVerify)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
