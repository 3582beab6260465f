// The writer's per-command encoding work, in isolation (Google Benchmark): an audit record's
// canonical bytes (AuditRecord::bytes) and a nomination's snapshot (snapshot_bytes, from_snapshot),
// on the records and nomination of one real journey through a store (create, five attachments,
// submit, accept, three scores, close_evaluation).
// Reproduce: ninja -C build/release record_bench && build/release/tests/record_bench
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <memory>

#include "storage/audit_record.h"
#include "storage/projection.h"
#include "storage/store.h"
#include "tests/storage/workload.h"
#include "web/catalog_files.h"

namespace {

namespace fs = std::filesystem;
using namespace laurel;

struct Journey {
  std::vector<storage::AuditRecord> records;
  engine::Nomination nomination;
};

const Journey& journey() {
  static const Journey j = [] {
    if (sodium_init() < 0) std::abort();
    static auto catalog = web::load_catalog(LAUREL_WORKFLOWS_DIR);
    const fs::path dir = fs::temp_directory_path() / ("laurel-record-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    storage::Options o;
    o.db_path = (dir / "laurel.db").string();
    o.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    o.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    const engine::Time now = 1547427600;
    if (!storage::Store::init(o, *catalog, {}, "correct horse battery staple", now)) std::abort();
    auto store = storage::Store::open(o, *catalog);
    if (!store || !storage::testing::add_workload_users(**store, now)) std::abort();
    Journey out;
    std::string id;
    std::int64_t version = 0;
    const std::int64_t first = (*store)->log_size();
    for (int step = 0; step < storage::testing::journey_length(*catalog); ++step) {
      auto r = (*store)->execute(*storage::testing::journey_step(*catalog, step, id, version, now, 7));
      if (r.status != storage::CommandResult::Status::accepted) std::abort();
      id = r.nomination->id;
      version = r.nomination->version;
      out.nomination = *r.nomination;
    }
    for (const auto& row : (*store)->records(storage::RecordQuery{first, 100, {}, {}, {}, {}, {}, {}})) {
      auto record = storage::AuditRecord::from_json(boost::json::parse(row.bytes));
      if (!record || record->bytes() != row.bytes) std::abort();
      out.records.push_back(std::move(*record));
    }
    store->reset();
    fs::remove_all(dir);
    return out;
  }();
  return j;
}

void BM_RecordBytes(benchmark::State& state) {
  const auto& records = journey().records;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    std::string b = records[i++ % records.size()].bytes();
    bytes += b.size();
    benchmark::DoNotOptimize(b);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RecordBytes);

void BM_SnapshotBytes(benchmark::State& state) {
  const auto& n = journey().nomination;
  for (auto _ : state) benchmark::DoNotOptimize(storage::snapshot_bytes(n));
}
BENCHMARK(BM_SnapshotBytes);

void BM_FromSnapshot(benchmark::State& state) {
  const auto bytes = storage::snapshot_bytes(journey().nomination);
  for (auto _ : state) benchmark::DoNotOptimize(storage::from_snapshot(bytes));
}
BENCHMARK(BM_FromSnapshot);

}  // namespace

BENCHMARK_MAIN();
