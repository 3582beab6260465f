// Figures for the audit log (issue 4): `laurel audit verify` over a database of 1,000,000 records,
// beside the raw SHA-256 speed over the same bytes in the same run (the physical limit), and the
// latency of inclusion and consistency proofs read from SQLite's merkle_nodes table at 10,000,000
// leaves, through storage::audit::AuditReader exactly as the server serves them (p50, p99).
//
// The databases are built in a temporary folder at the start (records written directly with the
// store's own tree code: audit_log rows, merkle_nodes via merkle::Appender, a signed checkpoint
// every --checkpoint-every records) and removed at the end unless --keep. Reproduce:
//   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C build/release audit_bench
//   build/release/tests/audit_bench [--records 1000000] [--checkpoint-every 512] [--worst-case 50000]
//                                   [--proof-leaves 10000000] [--samples 10000] [--dir DIR] [--keep]
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/audit_proofs.h"
#include "storage/audit_record.h"
#include "storage/audit_tree.h"
#include "storage/audit_verify.h"
#include "storage/checkpoint.h"
#include "storage/merkle.h"
#include "storage/readahead_vfs.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace {
namespace fs = std::filesystem;
namespace bj = boost::json;
using namespace laurel::storage;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Args {
  std::uint64_t records = 1'000'000;
  std::uint64_t checkpoint_every = 512;
  std::uint64_t worst_case = 50'000;
  std::uint64_t proof_leaves = 10'000'000;
  int samples = 10'000;
  std::string dir;
  bool keep = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--records")
      a.records = std::stoull(value());
    else if (arg == "--checkpoint-every")
      a.checkpoint_every = std::stoull(value());
    else if (arg == "--worst-case")
      a.worst_case = std::stoull(value());
    else if (arg == "--proof-leaves")
      a.proof_leaves = std::stoull(value());
    else if (arg == "--samples")
      a.samples = std::stoi(value());
    else if (arg == "--dir")
      a.dir = value();
    else if (arg == "--keep")
      a.keep = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      std::exit(2);
    }
  }
  return a;
}

// A command record much like the store writes (about 560 bytes), varied so that no two are alike.
std::string make_record(std::uint64_t i) {
  static const char* const actions[] = {"submit", "accept", "score", "approve", "name"};
  static const char* const states[] = {"draft", "county_review", "evaluation", "shortlisted", "publicity", "named"};
  AuditRecord r;
  r.at = 1547427600 + static_cast<std::int64_t>(i);
  r.who = Who{"reviewer" + std::to_string(i % 997), "reviewer", "620922", "session",
              "10.20." + std::to_string(i % 250) + "." + std::to_string(i % 199)};
  r.kind = "command";
  r.action = actions[i % 5];
  r.object_type = "nomination";
  r.object_id = "N2018-" + std::to_string(100000 + i / 7);
  r.outcome = i % 10 == 0 ? "denied" : "accepted";
  if (i % 10 == 0) r.reason = laurel::engine::Rejection{laurel::engine::Problem::forbidden, "该操作不在您的职权范围内", {}, {}};
  r.comment = "材料齐全，经审核同意，按程序报送下一环节。第" + std::to_string(i) + "号记录。";
  r.old_value = bj::object{{"state", states[i % 6]}, {"version", static_cast<std::int64_t>(i % 9)}, {"office", "620922"}};
  r.new_value = bj::object{{"state", states[(i + 1) % 6]},
                           {"version", static_cast<std::int64_t>(i % 9 + 1)},
                           {"office", "620922"},
                           {"score", static_cast<std::int64_t>(i % 100)}};
  return r.bytes();
}

struct Log {
  std::string bytes;              // every record, concatenated
  std::vector<std::size_t> ends;  // where each ends
};

void fail(const std::string& what) {
  std::fprintf(stderr, "audit_bench: %s\n", what.c_str());
  std::exit(1);
}

sql::Db& prepare(sql::Db& db, const checkpoint::Signer& signer) {
  db.exec("PRAGMA journal_mode = OFF");
  db.exec("PRAGMA synchronous = OFF");
  auto migrated = migrate(db);
  if (!migrated) fail(migrated.error());
  db.exec("INSERT INTO meta (key, value) VALUES ('origin', '" + signer.name() + "')");
  sql::Stmt k(db, "INSERT INTO signing_keys (key_id, name, verifier_key, created_at) VALUES (?, ?, ?, 0)");
  k.bind(1, signer.key_id_hex()).bind(2, signer.name()).bind(3, signer.verifier_key()).run();
  return db;
}

void insert_checkpoint(sql::Stmt& cp, const checkpoint::Signer& signer, const merkle::Appender& tree) {
  const merkle::Hash root = tree.root();
  cp.bind(1, static_cast<std::int64_t>(tree.size())).bind_blob(2, root).bind(3, signer.sign({signer.name(), tree.size(), root})).run();
}

// The log as the store would have written it.
Log build_log(const std::string& path, std::uint64_t records, std::uint64_t every) {
  auto signer = checkpoint::Signer::generate("laurel.bench/audit");
  if (!signer) fail(signer.error());
  sql::Db db(path, sql::Db::Mode::read_write_create);
  prepare(db, *signer);
  Log log;
  log.ends.reserve(records);
  sql::Transaction t(db);
  sql::Stmt row(db,
                "INSERT INTO audit_log (idx, record, at, actor, kind, action, object_id, outcome) VALUES (?, ?, ?, ?, 'command', ?, ?, ?)");
  sql::Stmt node(db, kInsertNodeSql);
  sql::Stmt cp(db, "INSERT INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, 0)");
  merkle::Appender tree;
  for (std::uint64_t i = 0; i < records; ++i) {
    const std::string bytes = make_record(i);
    log.bytes += bytes;
    log.ends.push_back(log.bytes.size());
    row.bind(1, static_cast<std::int64_t>(i))
        .bind_blob(2, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()))
        .bind(3, static_cast<std::int64_t>(i))
        .bind(4, "reviewer")
        .bind(5, "accept")
        .bind(6, "N2018-" + std::to_string(i / 7))
        .bind(7, "accepted")
        .run();
    insert_nodes(node, tree.append(merkle::leaf_hash(bytes)));
    if ((i + 1) % every == 0 || i + 1 == records) insert_checkpoint(cp, *signer, tree);
  }
  t.commit();
  db.exec("PRAGMA journal_mode = WAL");  // as the server's database is
  return log;
}

// Leaf hashes of every record, on `threads` threads: what hashing alone costs.
double raw_sha256_seconds(const Log& log, unsigned threads) {
  const auto start = Clock::now();
  static std::atomic<unsigned> sink{0};  // keeps the hashes from being optimised away
  std::vector<std::thread> workers;
  const std::size_t n = log.ends.size();
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      unsigned char acc = 0;
      for (std::size_t i = n * w / threads; i < n * (w + 1) / threads; ++i) {
        const std::size_t begin = i == 0 ? 0 : log.ends[i - 1];
        acc ^= merkle::leaf_hash(std::string_view(log.bytes).substr(begin, log.ends[i] - begin))[0];
      }
      sink.fetch_xor(acc);
    });
  }
  for (auto& t : workers) t.join();
  const double s = seconds_since(start);
  return s;
}

// What reading alone costs: every audit_log row and every merkle_nodes row, as the verifier reads
// them (one read-ahead connection, one transaction), with no hashing or checking.
double scan_seconds(const std::string& path) {
  const auto start = Clock::now();
  auto db = open_for_scan(path);
  sql::Transaction t(*db, /*immediate=*/false);
  std::size_t bytes = 0;
  {
    sql::Stmt rows(*db, "SELECT idx, record FROM audit_log ORDER BY idx");
    while (rows.step()) bytes += rows.blob_view(1).size() + static_cast<std::size_t>(rows.i64(0) & 1);
  }
  {
    sql::Stmt nodes(*db, "SELECT pos, level, idx, hash FROM merkle_nodes ORDER BY pos");
    while (nodes.step()) bytes += nodes.blob_view(3).size() + static_cast<std::size_t>((nodes.i64(0) ^ nodes.i64(1) ^ nodes.i64(2)) & 1);
  }
  if (bytes == 0) fail("nothing read");
  return seconds_since(start);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The median wall time of `runs` verifications, and (in cpu_out) the median CPU time they took on
// all threads: what bounds the rate on an otherwise idle machine (CPU time / cores), whatever else
// the machine runs while this one is measured.
double verify_seconds(const std::string& path, unsigned threads, std::uint64_t expected_records, int runs, double* cpu_out = nullptr) {
  std::vector<double> times, cpu;
  for (int r = 0; r < runs; ++r) {
    const double c0 = process_cpu_seconds();
    const auto start = Clock::now();
    auto report = audit::verify_database(path, audit::VerifyOptions{std::nullopt, threads});
    times.push_back(seconds_since(start));
    cpu.push_back(process_cpu_seconds() - c0);
    if (!report.ok || report.records != static_cast<std::int64_t>(expected_records)) fail("verification failed: " + report.summary());
  }
  if (cpu_out) *cpu_out = median(cpu);
  return median(times);
}

std::string thousands(double value) {
  const std::string digits = std::to_string(static_cast<std::uint64_t>(value + 0.5));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

struct Percentiles {
  double p50, p99, max;
};

Percentiles percentiles(std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  return {micros[micros.size() / 2], micros[micros.size() * 99 / 100], micros.back()};
}

void proofs(const Args& args, const fs::path& dir) {
  const std::string path = (dir / "proofs.db").string();
  const std::uint64_t m = args.proof_leaves;
  std::printf("\nproofs at %s leaves: building merkle_nodes (%s rows) ...\n", thousands(static_cast<double>(m)).c_str(),
              thousands(static_cast<double>(2 * m - std::popcount(m))).c_str());
  std::fflush(stdout);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);  // left by an earlier --keep
  auto start = Clock::now();
  {
    auto signer = checkpoint::Signer::generate("laurel.bench/proofs");
    if (!signer) fail(signer.error());
    sql::Db db(path, sql::Db::Mode::read_write_create);
    prepare(db, *signer);
    sql::Transaction t(db);
    sql::Stmt node(db, kInsertNodeSql);
    sql::Stmt cp(db, "INSERT INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, 0)");
    merkle::Appender tree;
    for (std::uint64_t i = 0; i < m; ++i) insert_nodes(node, tree.append(merkle::leaf_hash(std::to_string(i) + " record")));
    insert_checkpoint(cp, *signer, tree);
    t.commit();
    db.exec("PRAGMA journal_mode = WAL");  // as the server's database is
  }
  std::printf("  built in %.1f s, %.0f MB\n", seconds_since(start), static_cast<double>(fs::file_size(path)) / 1e6);

  auto reader = audit::AuditReader::open(path);
  if (!reader) fail(reader.error());
  auto latest = (*reader)->latest_checkpoint();
  if (!latest || latest->size != m) fail("no checkpoint in the proof database");
  std::mt19937_64 random(42);
  // Warm the page cache as a running server's would be, then measure.
  for (int i = 0; i < 2000; ++i) (void)(*reader)->inclusion_proof(random() % m, m);

  auto print = [](const char* what, const std::vector<double>& v) {
    auto p = percentiles(v);
    std::printf("    %-40s p50 %6.1f µs   p99 %7.1f µs   max %7.1f µs\n", what, p.p50, p.p99, p.max);
  };
  std::uint64_t verified = 0;
  // Twice: first as a freshly opened reader meets the table (each page it touches is mapped on
  // first use), then with fresh random queries once its mapping has warmed, as a running server's has.
  // Wall time, and this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): on a loaded machine the wall
  // time's tail is the scheduler's (a preempted reader waits milliseconds), the CPU time's is not.
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
  };
  struct Samples {
    std::vector<double> wall, cpu;
  };
  auto timed = [&](Samples& into, auto&& call) {
    const double c0 = cpu_now();
    const auto t0 = Clock::now();
    auto result = call();
    into.wall.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    into.cpu.push_back(cpu_now() - c0);
    return result;
  };
  auto print_both = [&](const char* what, const Samples& v) {
    print(what, v.wall);
    auto c = percentiles(v.cpu);
    std::printf("    %-40s p50 %6.1f µs   p99 %7.1f µs   max %7.1f µs  (CPU time)\n", "", c.p50, c.p99, c.max);
  };
  // Twice: first as a freshly opened reader meets the table (each page it touches is mapped on
  // first use), then with fresh random queries once its mapping has warmed, as a running server's has.
  for (const char* pass : {"first", "next"}) {
    Samples inclusion, inclusion_latest, consistency, consistency_latest;
    for (int i = 0; i < args.samples; ++i) {
      // Against the latest checkpoint (what clients ask most), and against an arbitrary older size.
      const std::uint64_t index = random() % m;
      auto p = timed(inclusion_latest, [&] { return (*reader)->inclusion_proof(index, m); });
      if (!p) fail("inclusion proof: " + p.error().message);
      if (i % 100 == 0) {
        const merkle::Hash leaf = merkle::leaf_hash(std::to_string(index) + " record");
        if (!merkle::verify_inclusion(index, m, leaf, *p, latest->root)) fail("an inclusion proof does not verify");
        ++verified;
      }
      const std::uint64_t size = index + 1 + random() % (m - index);
      p = timed(inclusion, [&] { return (*reader)->inclusion_proof(index, size); });
      if (!p) fail("inclusion proof: " + p.error().message);

      const std::uint64_t from = 1 + random() % (m - 1);
      auto c = timed(consistency_latest, [&] { return (*reader)->consistency_proof(from, m); });
      if (!c) fail("consistency proof: " + c.error().message);
      const std::uint64_t to = from + random() % (m - from + 1);
      c = timed(consistency, [&] { return (*reader)->consistency_proof(from, to); });
      if (!c) fail("consistency proof: " + c.error().message);
    }
    std::printf("  the %s %d queries of each kind, through AuditReader (one read transaction: the latest checkpoint, then the nodes):\n",
                pass, args.samples);
    print_both("inclusion, size = latest checkpoint", inclusion_latest);
    print_both("inclusion, random size", inclusion);
    print_both("consistency, to = latest checkpoint", consistency_latest);
    print_both("consistency, random sizes", consistency);
  }
  std::printf("  (%llu inclusion proofs re-verified against the signed root)\n", static_cast<unsigned long long>(verified));
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) fail("libsodium failed to initialise");
  const Args args = parse(argc, argv);
  fs::path dir = args.dir;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "laurel-audit-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) fail("mkdtemp failed");
    dir = tmpl;
  } else {
    fs::create_directories(dir);
  }
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::printf("audit_bench: %u hardware threads; databases in %s\n", hw, dir.c_str());

  const std::string path = (dir / "verify.db").string();
  fs::remove(path);
  auto start = Clock::now();
  Log log = build_log(path, args.records, args.checkpoint_every);
  const double mb = static_cast<double>(log.bytes.size()) / 1e6;
  const double n = static_cast<double>(args.records);
  std::printf("\nlaurel audit verify over %s records (%.0f bytes each on average, %.0f MB; a checkpoint every %llu records)\n",
              thousands(n).c_str(), static_cast<double>(log.bytes.size()) / n, mb, static_cast<unsigned long long>(args.checkpoint_every));
  std::printf("  database built in %.1f s, %.0f MB on disk\n", seconds_since(start), static_cast<double>(fs::file_size(path)) / 1e6);
  std::fflush(stdout);

  const double raw_cpu0 = process_cpu_seconds();
  const double raw1 = median({raw_sha256_seconds(log, 1), raw_sha256_seconds(log, 1), raw_sha256_seconds(log, 1)});
  const double raw1_cpu = (process_cpu_seconds() - raw_cpu0) / 3;
  const double raw_all = median({raw_sha256_seconds(log, hw), raw_sha256_seconds(log, hw), raw_sha256_seconds(log, hw)});
  // The first verification reads the file into the page cache; the measured runs then see what a
  // recently written database looks like.
  (void)verify_seconds(path, 0, args.records, 1);
  const unsigned default_workers = std::max(2u, hw) - 1;  // what verify_database takes by default
  double verify_cpu = 0;
  const double verify_default = verify_seconds(path, 0, args.records, 3, &verify_cpu);
  const double verify_all = verify_seconds(path, hw, args.records, 3);
  const double scan = median({scan_seconds(path), scan_seconds(path), scan_seconds(path)});
  std::printf("  raw SHA-256 leaf hashes of the same bytes, 1 thread:       %11s records/s  (%.0f MB/s)\n", thousands(n / raw1).c_str(),
              mb / raw1);
  std::printf("  raw SHA-256 leaf hashes of the same bytes, 1 thread, CPU time: %11s records/s  (%.2f s per pass)\n",
              thousands(n / raw1_cpu).c_str(), raw1_cpu);
  std::printf("  raw SHA-256 leaf hashes of the same bytes, %u threads:      %11s records/s  (%.0f MB/s)\n", hw,
              thousands(n / raw_all).c_str(), mb / raw_all);
  std::printf("  reading the rows alone (one SQLite connection, no checks):  %11s records/s  (%.2f s)\n", thousands(n / scan).c_str(), scan);
  std::printf("  verify_database, reader + %u worker%s (the default):         %11s records/s  (%.2f s, median of 3)\n", default_workers,
              default_workers == 1 ? " " : "s", thousands(n / verify_default).c_str(), verify_default);
  std::printf("  verify_database, reader + %u workers:                       %11s records/s  (%.2f s, median of 3)\n", hw,
              thousands(n / verify_all).c_str(), verify_all);
  std::printf("  verify_database (the default), CPU time on all threads:     %.2f s per run: at best %s records/s on %u idle cores\n",
              verify_cpu, thousands(n * hw / verify_cpu).c_str(), hw);
  log = Log{};

  if (args.worst_case > 0) {
    // Every command committed alone: a signed checkpoint per record, each signature checked.
    const std::string worst = (dir / "worst.db").string();
    fs::remove(worst);
    build_log(worst, args.worst_case, 1);
    const double w = verify_seconds(worst, hw, args.worst_case, 3);
    std::printf("  worst case, a checkpoint per record (%s records, each signature verified): %s records/s\n",
                thousands(static_cast<double>(args.worst_case)).c_str(), thousands(static_cast<double>(args.worst_case) / w).c_str());
    fs::remove(worst);
  }
  std::fflush(stdout);

  if (args.proof_leaves > 1) proofs(args, dir);
  if (!args.keep) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return 0;
}
