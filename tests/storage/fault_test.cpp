// Fault injection through an SQLite VFS shim (faulty_vfs.h): an I/O error or a full disk on each
// write and each sync of a commit in turn, a disk that stays full, a transient fault inside a group
// commit, a failed checkpoint at close, and a read-only disk. Each failed command fails with a
// clear error, leaves no record and no projection change, the process stays up, and the next
// command succeeds once the fault is gone; at the end the projections equal a rebuild. Also bad
// input: a corrupt database and a missing attachments folder are refused untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <future>

#include "storage/audit_proofs.h"
#include "storage/sqlite.h"
#include "tests/storage/faulty_vfs.h"
#include "tests/storage/store_fixture.h"
#include "tests/storage/workload.h"

namespace laurel::storage::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using Status = CommandResult::Status;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string describe(const CommandResult& r) {
  return "status " + std::to_string(static_cast<int>(r.status)) + " " + r.error + (r.rejection ? r.rejection->detail : "");
}

// One nomination on its way through the workload's journey.
struct Journey {
  explicit Journey(std::uint64_t s) : salt(s) {}
  std::uint64_t salt;
  std::string id;
  std::int64_t version = 0;
  int step = 0;
};

// What a failed command must not change: the log as the writer sees it (its Merkle appender) and as
// a reader sees it, the tree's leaves and checkpoints, and every projection.
struct Snapshot {
  std::int64_t tree_size = 0, rows = 0, leaves = 0, checkpoint = 0;
  std::string projections;
  bool operator==(const Snapshot&) const = default;
};

std::ostream& operator<<(std::ostream& o, const Snapshot& s) {
  return o << "{tree " << s.tree_size << ", rows " << s.rows << ", leaves " << s.leaves << ", checkpoint " << s.checkpoint
           << ", projections " << s.projections.size() << " bytes}";
}

class FaultTest : public StoreTest {
 protected:
  void SetUp() override {
    vfs = &FaultyVfs::install();
    StoreTest::SetUp();
  }
  void TearDown() override {
    vfs->disarm();
    StoreTest::TearDown();
  }

  CommandRequest next(const Journey& j) { return *journey_step(store->catalog(), j.step, j.id, j.version, now, j.salt); }
  void advance(Journey& j, const CommandResult& r) {
    j.id = r.nomination->id;
    j.version = r.nomination->version;
    ++j.step;
    if (j.step == journey_length(store->catalog())) j = Journey{j.salt + 1000};
  }
  // After a command whose outcome was unknown and which is in place: on to the next step, from the
  // stored nomination (the last record's).
  void advance_to_stored(Journey& j) {
    if (j.id.empty()) {
      sql::Db db(options().db_path, sql::Db::Mode::read_only);
      sql::Stmt st(db, "SELECT object_id FROM audit_log ORDER BY idx DESC LIMIT 1 OFFSET 1");  // before the side step's
      ASSERT_TRUE(st.step());
      j.id = st.text(0);
    }
    auto n = store->nomination(j.id);
    ASSERT_TRUE(n);
    ASSERT_EQ(n->version, j.version + 1);
    CommandResult r;
    r.nomination = *n;
    advance(j, r);
  }
  // Runs the journey's next step with no fault armed; it must be accepted.
  void step_ok(Journey& j) {
    auto r = store->execute(next(j));
    ASSERT_EQ(r.status, Status::accepted) << describe(r);
    advance(j, r);
  }

  Snapshot snapshot() {
    Snapshot s;
    s.tree_size = store->log_size();
    sql::Db db(options().db_path, sql::Db::Mode::read_only);
    auto scalar = [&](const char* q) {
      sql::Stmt st(db, q);
      st.step();
      return st.i64(0);
    };
    s.rows = scalar("SELECT count(*) FROM audit_log");
    s.leaves = scalar("SELECT count(*) FROM merkle_nodes WHERE level = 0");
    s.checkpoint = scalar("SELECT coalesce(max(size), 0) FROM checkpoints");
    s.projections = dump_projections(options().db_path);
    return s;
  }

  // Closes the store, rebuilds a copy of the database from its log, compares the projections, and
  // reopens the store (which loads and checks the Merkle tree).
  void expect_rebuild_equals_live() {
    store.reset();
    std::string copy = (dir.path() / "copy.db").string();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      fs::remove(copy + suffix, ec);
      if (fs::exists(options().db_path + suffix)) fs::copy_file(options().db_path + suffix, copy + suffix);
    }
    std::string live = dump_projections(options().db_path);
    Options o;
    o.db_path = copy;
    auto rebuilt = Store::rebuild(o, engine::testing::shipped_catalog());
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
    EXPECT_EQ(live, dump_projections(copy));
    reopen();
  }

  FaultyVfs* vfs = nullptr;
};

const char* expected_message(int code) { return (code & 0xff) == SQLITE_FULL ? "full" : "I/O error"; }

struct Fault {
  FaultyVfs::Op op;
  int code;
};

void PrintTo(const Fault& f, std::ostream* os) {
  *os << (f.op == FaultyVfs::Op::write ? "write" : "sync") << " fails with " << sqlite3_errstr(f.code);
}

// Fails each write (or sync) of each step of a whole journey in turn: N = 1, 2, … until the
// command's commit has fewer than N calls, when the command goes through.
// The WAL is never checkpointed here: a checkpoint's own writes and syncs (on the checkpointer's
// thread, or the writer's after a commit) would be counted among the commit's, and a fault there
// fails no command (AFailedCheckpointAtCloseLosesNothing covers that path).
class FaultPositions : public FaultTest, public ::testing::WithParamInterface<Fault> {
 protected:
  Options options() const override {
    Options o = FaultTest::options();
    o.wal_checkpoint_pages = 1 << 30;
    return o;
  }
};

TEST_P(FaultPositions, EachWriteOfEachCommitFailingFailsOnlyThatCommand) {
  const auto [op, code] = GetParam();
  Journey main{1}, side{1'000'000};
  int failures = 0, max_n = 0;
  const int length = journey_length(store->catalog());
  for (int step = 0; step < length; ++step) {
    // Every position for I/O errors; every third for a full disk, which takes the same paths.
    for (int n = 1;; n += (op == FaultyVfs::Op::write && (code & 0xff) == SQLITE_FULL) ? 3 : 1) {
      ASSERT_LT(n, 500) << "the fault never stopped firing";
      SCOPED_TRACE("step " + std::to_string(step) + ", call " + std::to_string(n));
      const Snapshot before = snapshot();
      const auto nomination_before = main.id.empty() ? std::nullopt : store->nomination(main.id);
      vfs->fail_nth(op, n, code);
      auto r = store->execute(next(main));
      const int injected = vfs->injected();
      vfs->disarm();
      if (injected == 0) {  // the commit had fewer than n calls: it went through
        ASSERT_EQ(r.status, Status::accepted) << describe(r);
        advance(main, r);
        break;
      }
      ++failures;
      max_n = std::max(max_n, n);
      ASSERT_EQ(r.status, Status::failed) << describe(r);
      EXPECT_THAT(r.error, HasSubstr("storage error"));
      EXPECT_THAT(r.error, HasSubstr(expected_message(code)));
      EXPECT_EQ(r.audit_index, -1);
      if (op == FaultyVfs::Op::sync) {
        // The WAL's sync (the syncer's, after the COMMIT wrote its frames) failed: the commit is in
        // place, whole, and the caller was told its outcome is unknown, not that it failed.
        EXPECT_THAT(r.error, HasSubstr("outcome is unknown"));
        const Snapshot after = snapshot();
        ASSERT_EQ(after.tree_size, before.tree_size + 1) << after;
        EXPECT_EQ(after.rows, after.tree_size);
        EXPECT_EQ(after.leaves, after.tree_size);
        EXPECT_EQ(after.checkpoint, after.tree_size);
        step_ok(side);  // the writer made the WAL durable first (a full checkpoint), then went on
        ASSERT_FALSE(HasFatalFailure());
        advance_to_stored(main);
        break;
      }
      ASSERT_EQ(snapshot(), before) << "the failed command changed the database";
      if (!main.id.empty()) {
        EXPECT_EQ(store->nomination(main.id), nomination_before);
      }
      // The process is up and the writer is not stuck: the next command succeeds.
      step_ok(side);
      ASSERT_FALSE(HasFatalFailure());
    }
  }
  EXPECT_GE(failures, length) << "every commit should have at least one call to fail";
  std::cout << "[ faults   ] " << failures << " injected failures, the last at call " << max_n << " of one commit\n";
  expect_rebuild_equals_live();
  step_ok(main);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FaultPositions,
    ::testing::Values(Fault{FaultyVfs::Op::write, SQLITE_IOERR_WRITE}, Fault{FaultyVfs::Op::write, SQLITE_FULL},
                      Fault{FaultyVfs::Op::sync, SQLITE_IOERR_FSYNC}, Fault{FaultyVfs::Op::sync, SQLITE_FULL}),
    [](const ::testing::TestParamInfo<Fault>& info) {
      return std::string(info.param.op == FaultyVfs::Op::write ? "Write" : "Sync") +
             ((info.param.code & 0xff) == SQLITE_FULL ? "Full" : "IoError");
    });

TEST_F(FaultTest, AFullDiskFailsEveryCommandUntilSpaceReturns) {
  std::vector<Journey> journeys;
  for (int i = 0; i < 8; ++i) {
    journeys.emplace_back(100 + i);
    step_ok(journeys.back());
  }
  const Snapshot before = snapshot();
  vfs->disk_full();
  for (int round = 0; round < 3; ++round) {
    std::vector<std::future<CommandResult>> answers;
    for (auto& j : journeys) answers.push_back(store->submit(next(j)));
    for (auto& a : answers) {
      auto r = a.get();
      ASSERT_EQ(r.status, Status::failed) << describe(r);
      EXPECT_THAT(r.error, HasSubstr("storage error"));
      EXPECT_THAT(r.error, HasSubstr("database or disk is full"));
    }
  }
  EXPECT_GE(vfs->injected(), 3);
  // Reads go on while the disk is full.
  EXPECT_EQ(store->nomination(journeys.front().id)->version, 1);
  ASSERT_EQ(snapshot(), before);
  vfs->disarm();
  std::vector<std::future<CommandResult>> answers;
  for (auto& j : journeys) answers.push_back(store->submit(next(j)));
  for (std::size_t i = 0; i < journeys.size(); ++i) {
    auto r = answers[i].get();
    ASSERT_EQ(r.status, Status::accepted) << describe(r);
    advance(journeys[i], r);
  }
  EXPECT_EQ(store->log_size(), before.tree_size + 8);
  expect_rebuild_equals_live();
}

TEST_F(FaultTest, ATransientFaultInAGroupCommitIsIsolated) {
  // Eight commands queued together; the first commit that has them fails once. The writer retries
  // each alone, so each answer is either accepted or a clear failure, and the log holds exactly the
  // accepted ones.
  std::vector<Journey> journeys;
  for (int i = 0; i < 8; ++i) {
    journeys.emplace_back(200 + i);
    step_ok(journeys.back());
  }
  for (int n : {1, 4, 9}) {
    SCOPED_TRACE("write " + std::to_string(n));
    const std::int64_t size = store->log_size();
    vfs->fail_nth(FaultyVfs::Op::write, n, SQLITE_IOERR_WRITE);
    std::vector<std::future<CommandResult>> answers;
    for (auto& j : journeys) answers.push_back(store->submit(next(j)));
    int accepted = 0;
    for (std::size_t i = 0; i < journeys.size(); ++i) {
      auto r = answers[i].get();
      if (r.status == Status::accepted) {
        ++accepted;
        advance(journeys[i], r);
        EXPECT_EQ(store->nomination(journeys[i].id)->version, journeys[i].version);
      } else {
        ASSERT_EQ(r.status, Status::failed) << describe(r);
        EXPECT_THAT(r.error, HasSubstr("disk I/O error"));
      }
    }
    EXPECT_EQ(vfs->injected(), 1);
    vfs->disarm();
    EXPECT_EQ(store->log_size(), size + accepted);
    EXPECT_GE(accepted, 7) << "only the command whose own commit failed may fail";
  }
  expect_rebuild_equals_live();
}

// After a failed fsync of the WAL the commit's frames are in the file and visible, but whether the
// disk has them nobody can say: the caller is told the outcome is unknown. What must hold is all or
// nothing: a crash image recovers to the state before the command or after it, never to a part of
// it (which one it is, is printed; copied from the page cache it is "after"). And nothing is
// acknowledged on top of those frames until the writer has copied the whole WAL into the database
// file and synced it: the commands around the failure are refused or unknown, never acknowledged.
TEST_F(FaultTest, ACrashAfterAFailedSyncRecoversAllOrNothing) {
  Journey j{800};
  for (int i = 0; i < 3; ++i) step_ok(j);
  const Snapshot before = snapshot();
  vfs->fail_nth(FaultyVfs::Op::sync, 1, SQLITE_IOERR_FSYNC);
  auto r = store->execute(next(j));
  vfs->disarm();
  ASSERT_EQ(r.status, Status::failed) << describe(r);
  EXPECT_THAT(r.error, HasSubstr("outcome is unknown"));
  EXPECT_EQ(snapshot().tree_size, before.tree_size + 1) << "the commit's frames are in the WAL and visible";
  // The crash image: the files as they are now, while the store is still open.
  Options crash = options();
  crash.db_path = (dir.path() / "crash.db").string();
  crash.key_path = options().key_file();
  crash.files_dir = options().files_folder();
  fs::copy_file(options().db_path, crash.db_path);
  fs::copy_file(options().db_path + "-wal", crash.db_path + "-wal");
  {
    auto recovered = Store::open(crash, engine::testing::shipped_catalog());
    ASSERT_TRUE(recovered) << recovered.error().message;
    const std::int64_t size = (*recovered)->log_size();
    ASSERT_TRUE(size == before.tree_size || size == before.tree_size + 1) << size;
    const bool after = size == before.tree_size + 1;
    std::cout << "[ recovery ] the command answered \"outcome unknown\" is " << (after ? "present" : "absent") << " after a crash\n";
    EXPECT_EQ((*recovered)->nomination(j.id)->version, j.version + (after ? 1 : 0));
  }
  std::string live = dump_projections(crash.db_path);
  auto rebuilt = Store::rebuild(crash, engine::testing::shipped_catalog());
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(live, dump_projections(crash.db_path));
  // The running store goes on from the command in place once the database is durable again.
  advance_to_stored(j);
  ASSERT_FALSE(HasFatalFailure());
  step_ok(j);
  EXPECT_EQ(store->log_size(), before.tree_size + 2);
  expect_rebuild_equals_live();
}

// A sync that fails leaves the writer refusing commands until the database is durable again: the
// command after the failure finds the checkpoint's sync failing too and is refused with the reason;
// once the disk syncs again the writer checkpoints and goes on.
TEST_F(FaultTest, AfterAFailedSyncNothingIsAcknowledgedUntilTheDatabaseIsDurable) {
  Journey j{900}, k{901};
  step_ok(j);
  step_ok(k);
  vfs->fail_nth(FaultyVfs::Op::sync, 1, SQLITE_IOERR_FSYNC);
  auto r = store->execute(next(j));
  ASSERT_EQ(r.status, Status::failed) << describe(r);
  EXPECT_THAT(r.error, HasSubstr("outcome is unknown"));
  vfs->fail_nth(FaultyVfs::Op::sync, 1, SQLITE_IOERR_FSYNC, /*sticky=*/true);
  const std::int64_t size = store->log_size();
  for (int i = 0; i < 2; ++i) {
    auto refused = store->execute(next(k));
    ASSERT_EQ(refused.status, Status::failed) << describe(refused);
    EXPECT_THAT(refused.error, HasSubstr("cannot be made durable yet"));
    EXPECT_THAT(refused.error, HasSubstr("disk I/O error"));
  }
  EXPECT_EQ(store->log_size(), size) << "a refused command left a record";
  vfs->disarm();
  advance_to_stored(j);
  ASSERT_FALSE(HasFatalFailure());
  step_ok(k);
  step_ok(j);
  expect_rebuild_equals_live();
}

// The writer's COMMIT writes the WAL; the syncer syncs it and only then answers. With syncs made
// slow, neither the caller nor a reader (of the nomination, or of the auditors' latest checkpoint)
// learns of the commit before its sync has returned.
TEST_F(FaultTest, NobodySeesACommitBeforeItsSyncHasReturned) {
  Journey j{950};
  step_ok(j);
  step_ok(j);
  const std::int64_t version = j.version;
  const auto size = store->audit().latest_checkpoint()->size;
  vfs->slow_syncs(150);
  const int synced = vfs->synced();
  auto answer = store->submit(next(j));
  int reads = 0, early = 0;
  while (answer.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
    auto n = store->nomination(j.id);
    const int synced_after_nomination = vfs->synced();
    auto cp = store->audit().latest_checkpoint();
    const int synced_after_checkpoint = vfs->synced();
    ASSERT_TRUE(n && cp);
    ++reads;
    if (n->version > version && synced_after_nomination == synced) ++early;
    if (cp->size > size && synced_after_checkpoint == synced) ++early;
  }
  const int synced_at_answer = vfs->synced();
  auto r = answer.get();
  vfs->disarm();
  ASSERT_EQ(r.status, Status::accepted) << describe(r);
  EXPECT_GT(synced_at_answer, synced) << "the caller was answered before the WAL was synced";
  EXPECT_EQ(early, 0) << "a reader saw the commit before its sync returned (" << reads << " reads)";
  EXPECT_GE(reads, 1);
  EXPECT_EQ(store->nomination(j.id)->version, version + 1);
}

TEST_F(FaultTest, AFailedCheckpointAtCloseLosesNothing) {
  Journey j{300};
  for (int i = 0; i < 5; ++i) step_ok(j);
  const Snapshot before = snapshot();
  // Closing the last connection copies the WAL into the database file; let those writes fail.
  vfs->fail_nth(FaultyVfs::Op::write, 1, SQLITE_IOERR_WRITE, true);
  store.reset();
  vfs->disarm();
  reopen();
  EXPECT_EQ(snapshot(), before);
  step_ok(j);
  expect_rebuild_equals_live();
}

// A read-only disk (EROFS), simulated by the shim because the tests run as root, for whom chmod
// does not stop writes.
TEST_F(FaultTest, AReadOnlyDiskIsRefusedClearlyAndNothingIsOverwritten) {
  Journey j{400};
  step_ok(j);
  store.reset();
  const std::string db_bytes = read_bytes(options().db_path);
  ASSERT_FALSE(fs::exists(options().db_path + "-wal"));  // a clean close checkpoints and removes it

  vfs->read_only(true);
  auto opened = Store::open(options(), engine::testing::shipped_catalog());
  if (opened) {
    // If the store opens, every command must fail clearly.
    auto r = (*opened)->execute(next(j));
    EXPECT_EQ(r.status, Status::failed) << describe(r);
    EXPECT_THAT(r.error, HasSubstr("storage error"));
    opened->reset();
  } else {
    std::cout << "[ read-only] Store::open: " << opened.error().message << "\n";
    EXPECT_THAT(opened.error().message, HasSubstr(options().db_path));
    EXPECT_THAT(opened.error().message, AnyOf(HasSubstr("unable to open"), HasSubstr("read-only"), HasSubstr("readonly")));
  }
  Options fresh = options();
  fresh.db_path = (dir.path() / "fresh.db").string();
  auto made = Store::init(fresh, engine::testing::shipped_catalog(), {}, "correct horse battery staple", now);
  ASSERT_FALSE(made);
  std::cout << "[ read-only] Store::init: " << made.error().message << "\n";
  EXPECT_THAT(made.error().message, HasSubstr("fresh.db"));
  EXPECT_THAT(made.error().message, HasSubstr("unable to open"));
  auto rebuilt = Store::rebuild(options(), engine::testing::shipped_catalog());
  EXPECT_FALSE(rebuilt);
  vfs->disarm();

  EXPECT_FALSE(fs::exists(fresh.db_path));
  EXPECT_FALSE(fs::exists(fresh.key_file())) << "init wrote a key although the database could not be created";
  EXPECT_EQ(read_bytes(options().db_path), db_bytes) << "the database was overwritten";
  reopen();
  step_ok(j);
}

TEST_F(FaultTest, ADiskThatTurnsReadOnlyWhileRunningFailsCommandsUntilItIsWritable) {
  Journey j{500};
  step_ok(j);
  const Snapshot before = snapshot();
  vfs->read_only(true);
  for (int i = 0; i < 3; ++i) {
    auto r = store->execute(next(j));
    ASSERT_EQ(r.status, Status::failed) << describe(r);
    EXPECT_THAT(r.error, HasSubstr("storage error: disk I/O error"));
  }
  vfs->disarm();
  ASSERT_EQ(snapshot(), before);
  step_ok(j);
  expect_rebuild_equals_live();
}

TEST_F(FaultTest, AReadOnlyFolderByPermissionsIsRefusedClearly) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root, for whom chmod does not stop writes; "
                    "AReadOnlyDiskIsRefusedClearlyAndNothingIsOverwritten covers a read-only disk with the faulty VFS";
  }
  Journey j{600};
  step_ok(j);
  store.reset();
  const std::string db_bytes = read_bytes(options().db_path);
  fs::permissions(options().db_path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  auto opened = Store::open(options(), engine::testing::shipped_catalog());
  if (opened) {
    auto r = (*opened)->execute(next(j));
    EXPECT_EQ(r.status, Status::failed) << describe(r);
    EXPECT_THAT(r.error, HasSubstr("storage error"));
    opened->reset();
  } else {
    EXPECT_THAT(opened.error().message, HasSubstr(options().db_path));
  }
  fs::permissions(dir.path(), fs::perms::owner_all);
  fs::permissions(options().db_path, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_bytes(options().db_path), db_bytes);
  reopen();
  step_ok(j);
}

TEST_F(FaultTest, ACorruptDatabaseIsRefusedUntouched) {
  Journey j{700};
  for (int i = 0; i < 3; ++i) step_ok(j);
  store.reset();
  // Keep the header page, so that it still looks like SQLite, and overwrite every later page.
  std::string bytes = read_bytes(options().db_path);
  ASSERT_GT(bytes.size(), 8192u);
  for (std::size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131) ^ 0x5a);
  { std::ofstream(options().db_path, std::ios::binary | std::ios::trunc) << bytes; }
  auto opened = Store::open(options(), engine::testing::shipped_catalog());
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error().message, HasSubstr(options().db_path));
  EXPECT_THAT(opened.error().message, AnyOf(HasSubstr("malformed"), HasSubstr("not a Laurel database")));
  EXPECT_FALSE(Store::rebuild(options(), engine::testing::shipped_catalog()));
  EXPECT_EQ(read_bytes(options().db_path), bytes) << "the corrupt file was changed";
}

TEST_F(FaultTest, AMissingAttachmentsFolderIsRefusedAndNotRecreated) {
  store.reset();
  const std::string db_bytes = read_bytes(options().db_path);
  fs::remove_all(options().files_folder());
  auto opened = Store::open(options(), engine::testing::shipped_catalog());
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error().message, HasSubstr("the attachments folder " + options().files_folder() + " is missing"));
  EXPECT_FALSE(fs::exists(options().files_folder()));
  EXPECT_EQ(read_bytes(options().db_path), db_bytes);
}

}  // namespace
}  // namespace laurel::storage::testing
