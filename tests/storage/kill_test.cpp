// The kill test: a worker process (kill_worker.cpp) runs nomination journeys against a store from
// four threads and is killed with SIGKILL at a random moment, round after round on the same
// database. After each kill the store is reopened and checked: every acknowledged command is
// present, nothing half-applied is visible, the projections equal a rebuild from the log, and work
// continues. The seed is printed; LAUREL_KILL_SEED=<n> repeats a run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "storage/canonical_json.h"
#include "storage/sqlite.h"
#include "tests/storage/store_fixture.h"
#include "tests/storage/workload.h"

extern char** environ;

namespace laurel::storage::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Ack {
  std::int64_t index = -1;
  std::string id;
  std::int64_t version = 0;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The acknowledged commands. A line cut short by the kill has no newline and is ignored (it was
// written, if at all, after the store answered, so nothing is lost by ignoring it).
std::vector<Ack> read_acks(const fs::path& file) {
  std::vector<Ack> out;
  std::string text = read_file(file);
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::istringstream line(text.substr(start, nl - start));
    std::string word;
    line >> word;
    if (word == "READY") continue;
    if (word == "ERR") {
      ADD_FAILURE() << "the worker saw an unexpected answer: " << line.str();
      continue;
    }
    Ack a;
    line >> a.index >> a.id >> a.version;
    if (word != "ACK" || !line || a.index < 0) {
      ADD_FAILURE() << "malformed acknowledgement line: " << line.str();
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

void append_ack(const fs::path& file, const CommandResult& r) {
  std::ofstream(file, std::ios::app) << "ACK " << r.audit_index << " " << r.nomination->id << " " << r.nomination->version << "\n";
}

// Copies the database files as they are on disk (the crash image: database, WAL, shared memory).
void copy_database(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(to + suffix, ec);
    if (fs::exists(from + suffix)) fs::copy_file(from + suffix, to + suffix);
  }
}

class KillTest : public ::testing::Test {
 protected:
  Options options() const {
    Options o;
    o.db_path = (dir.path() / "laurel.db").string();
    o.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    o.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    return o;
  }
  const engine::Catalog& catalog() const { return engine::testing::shipped_catalog(); }

  pid_t start_worker() {
    std::string log = (dir.path() / "worker.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string db = options().db_path, acks = ack_file().string();
    std::vector<std::string> args{LAUREL_KILL_WORKER, db, acks, "4", "20"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, LAUREL_KILL_WORKER, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << LAUREL_KILL_WORKER;
    return rc == 0 ? pid : -1;
  }

  fs::path ack_file() const { return dir.path() / "acks.txt"; }

  // Waits (up to 20 s) for the worker's READY line.
  void wait_until_ready(pid_t pid) {
    const std::string ready = "READY " + std::to_string(pid) + "\n";
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (read_file(ack_file()).find(ready) == std::string::npos && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // Reopens the store after a kill and checks that every acknowledged command is there and that
  // every nomination's projection agrees with the log.
  void check_recovered(const std::vector<Ack>& acks) {
    auto store = Store::open(options(), catalog());
    // Store::open loads the Merkle tree's frontier for the log's size: a record without its nodes
    // fails here; the counts below catch the reverse.
    ASSERT_TRUE(store) << store.error().message;
    const std::int64_t size = (*store)->log_size();

    sql::Db db(options().db_path, sql::Db::Mode::read_only);
    auto scalar = [&](const char* q) {
      sql::Stmt s(db, q);
      s.step();
      return s.i64(0);
    };
    EXPECT_EQ(scalar("SELECT count(*) FROM audit_log"), size) << "the log's indexes are not dense";
    EXPECT_EQ(scalar("SELECT count(*) FROM merkle_nodes WHERE level = 0"), size);
    EXPECT_EQ(scalar("SELECT max(size) FROM checkpoints"), size) << "the last commit's checkpoint is missing or ahead";

    std::map<std::int64_t, std::string> object_of;
    {
      sql::Stmt s(db, "SELECT idx, object_id FROM audit_log");
      while (s.step()) object_of[s.i64(0)] = s.text(1);
    }
    // The record acknowledged: an accepted command's record carries the version it produced.
    auto record_at = [&](std::int64_t idx) {
      sql::Stmt s(db, "SELECT record FROM audit_log WHERE idx = ?");
      s.bind(1, idx);
      EXPECT_TRUE(s.step());
      auto bytes = s.blob_view(0);
      auto v = parse_canonical_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      EXPECT_TRUE(v) << "record " << idx << ": " << (v ? "" : v.error());
      return v ? v->as_object() : boost::json::object{};
    };
    std::map<std::string, std::int64_t> version_of;
    {
      sql::Stmt s(db, "SELECT id, version FROM nominations");
      while (s.step()) version_of[s.text(0)] = s.i64(1);
    }
    std::map<std::string, std::int64_t> accepted;
    {
      sql::Stmt s(db, "SELECT object_id, count(*) FROM audit_log WHERE kind = 'command' AND outcome = 'accepted' GROUP BY object_id");
      while (s.step()) accepted[s.text(0)] = s.i64(1);
    }
    for (const auto& a : acks) {
      ASSERT_LT(a.index, size) << "acknowledged record " << a.index << " (" << a.id << " v" << a.version << ") is lost";
      ASSERT_EQ(object_of[a.index], a.id) << "record " << a.index << " is not the one acknowledged";
      auto record = record_at(a.index);
      const std::string outcome(record.at("outcome").as_string());
      if (outcome == "accepted") {
        EXPECT_EQ(record.at("new").at("version").as_int64(), a.version) << "record " << a.index;
      } else {
        EXPECT_EQ(outcome, "denied") << "record " << a.index;
      }
      ASSERT_TRUE(version_of.contains(a.id)) << "acknowledged nomination " << a.id << " is lost";
      ASSERT_GE(version_of[a.id], a.version) << a.id << " went back in time";
    }
    // Nothing half-applied: each accepted command moved its nomination one version on, in the same
    // transaction as its record.
    for (const auto& [id, version] : version_of) EXPECT_EQ(version, accepted[id]) << id;
    for (const auto& [id, count] : accepted) EXPECT_TRUE(version_of.contains(id)) << id << " has records but no projection";
  }

  TempDir dir;
};

TEST_F(KillTest, AcknowledgedCommandsSurviveSigkillAndTheProjectionsEqualARebuild) {
  ASSERT_TRUE(Store::init(options(), catalog(), {}, "correct horse battery staple", engine::testing::kStart));
  {
    auto store = Store::open(options(), catalog());
    ASSERT_TRUE(store) << store.error().message;
    auto users = add_workload_users(**store, engine::testing::kStart);
    ASSERT_TRUE(users) << users.error();
  }

  std::uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("LAUREL_KILL_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "[ seed     ] LAUREL_KILL_SEED=" << seed << "\n";
  SCOPED_TRACE("LAUREL_KILL_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);

  const auto started = Clock::now();
  const int kRounds = 15;
  int rounds = 0, killed_running = 0;
  std::size_t acks_seen = 0;
  for (; rounds < kRounds && Clock::now() - started < std::chrono::seconds(40); ++rounds) {
    SCOPED_TRACE("round " + std::to_string(rounds));
    pid_t pid = start_worker();
    ASSERT_GT(pid, 0);
    // Most rounds kill a worker that is running commands (the delay counts from when its store is
    // open, so that a slow start, as under sanitizers, does not eat the round); one in four kills it
    // at any moment, start-up and recovery included.
    if (rng() % 4 != 0) wait_until_ready(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 351));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      ++killed_running;
    } else {
      FAIL() << "the worker ended by itself (status " << status << "): " << read_file(dir.path() / "worker.log");
    }

    std::string crash = (dir.path() / "crash.db").string();
    copy_database(options().db_path, crash);
    auto acks = read_acks(ack_file());
    ASSERT_FALSE(HasFailure());
    acks_seen = acks.size();
    check_recovered(acks);
    ASSERT_FALSE(HasFailure());

    // The projections equal a rebuild of the crash image from its log.
    std::string live = dump_projections(options().db_path);
    Options copy;
    copy.db_path = crash;
    auto rebuilt = Store::rebuild(copy, catalog());
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
    ASSERT_EQ(live, dump_projections(crash));

    // Work continues: a new nomination and its first material.
    auto store = Store::open(options(), catalog());
    ASSERT_TRUE(store) << store.error().message;
    auto created = (*store)->execute(*journey_step(catalog(), 0, "", 0, engine::testing::kStart, rng()));
    ASSERT_EQ(created.status, CommandResult::Status::accepted) << created.error;
    append_ack(ack_file(), created);
    auto attached = (*store)->execute(
        *journey_step(catalog(), 1, created.nomination->id, created.nomination->version, engine::testing::kStart, rng()));
    ASSERT_EQ(attached.status, CommandResult::Status::accepted) << attached.error;
    append_ack(ack_file(), attached);
  }
  std::cout << "[ rounds   ] " << rounds << " kills, " << acks_seen << " acknowledged commands, "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() << " ms\n";
  EXPECT_GE(rounds, 5);
  EXPECT_EQ(killed_running, rounds);
  // The test means something only if the worker got commands acknowledged between kills.
  EXPECT_GT(acks_seen, static_cast<std::size_t>(rounds) * 2 + 20);
  check_recovered(read_acks(ack_file()));
}

}  // namespace
}  // namespace laurel::storage::testing
