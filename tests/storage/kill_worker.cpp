// The process the kill test kills: opens an existing store and runs nomination journeys from several
// threads until it is killed (or, as a safety net, until a deadline passes). After each command the
// store answers (accepted or rejected), it appends one line to the acknowledgement file, opened with
// O_APPEND and fsynced, so that the test knows exactly what was acknowledged before the kill:
//   ACK <audit_index> <nomination id> <version>
// Anything else the store answers is a bug; the worker then writes "ERR <detail>" and exits 3.
// Once the store is open it writes "READY <pid>".
// Usage: kill_worker DB ACK_FILE THREADS SECONDS
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/storage/workload.h"
#include "web/catalog_files.h"

namespace {

using laurel::storage::CommandResult;

int ack_fd = -1;

void write_line(const std::string& line) {
  // One write() of a short line to an O_APPEND file is never interleaved with another thread's.
  if (::write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fdatasync(ack_fd) != 0) {
    std::perror("kill_worker: ack file");
    std::_Exit(4);
  }
}

[[noreturn]] void fail(const std::string& detail) {
  write_line("ERR " + detail + "\n");
  std::fprintf(stderr, "kill_worker: %s\n", detail.c_str());
  std::_Exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: kill_worker DB ACK_FILE THREADS SECONDS\n");
    return 2;
  }
  auto catalog = laurel::web::load_catalog(LAUREL_WORKFLOWS_DIR);
  if (!catalog) {
    std::fprintf(stderr, "kill_worker: cannot load the workflows\n");
    return 2;
  }
  laurel::storage::Options options;
  options.db_path = argv[1];
  ack_fd = ::open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (ack_fd < 0) {
    std::perror("kill_worker: open ack file");
    return 2;
  }
  const int threads = std::atoi(argv[3]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[4]));
  auto store = laurel::storage::Store::open(options, *catalog);
  if (!store) {
    std::fprintf(stderr, "kill_worker: %s\n", store.error().message.c_str());
    return 2;
  }
  write_line("READY " + std::to_string(::getpid()) + "\n");
  const laurel::engine::Time now = 1547427600;
  const int length = laurel::storage::testing::journey_length(*catalog);
  std::atomic<std::uint64_t> journeys{static_cast<std::uint64_t>(::getpid()) << 20};

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(::getpid() * 31 + t));
      while (std::chrono::steady_clock::now() < deadline) {
        const std::uint64_t salt = journeys++;
        std::string id;
        std::int64_t version = 0;
        for (int step = 0; step < length;) {
          auto req = laurel::storage::testing::journey_step(*catalog, step, id, version, now, salt);
          const bool stale = step > 0 && rng() % 8 == 0;  // a stale version: refused, and logged
          if (stale) req->command.expected_version = version - 1;
          CommandResult r = (*store)->execute(std::move(*req));
          if (r.status == CommandResult::Status::accepted) {
            id = r.nomination->id;
            version = r.nomination->version;
            ++step;
          } else if (r.status != CommandResult::Status::rejected || !stale) {
            fail("step " + std::to_string(step) + " of " + (id.empty() ? "a new nomination" : id) + ": status " +
                 std::to_string(static_cast<int>(r.status)) + " " + r.error + (r.rejection ? r.rejection->detail : ""));
          }
          write_line("ACK " + std::to_string(r.audit_index) + " " + id + " " + std::to_string(version) + "\n");
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  return 0;
}
