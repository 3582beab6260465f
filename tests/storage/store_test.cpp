// The store: commands through the writer, records for accepted and denied commands, projections,
// durability across reopen, rebuild equal to the live tables, batches all or nothing, idempotency,
// timers, quotas, personal data kept out of records, refusal of foreign and newer databases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "storage/audit_proofs.h"
#include "storage/audit_verify.h"
#include "storage/canonical_json.h"
#include "storage/sqlite.h"
#include "tests/storage/store_fixture.h"
#include "tests/storage/workload.h"

namespace laurel::storage::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

boost::json::object record_json(const RecordRow& row) {
  auto v = parse_canonical_json(row.bytes);
  EXPECT_TRUE(v) << row.bytes;
  return v ? v->as_object() : boost::json::object{};
}

TEST_F(StoreTest, InitCreatesTheAdminAndRefusesASecondInit) {
  auto admin = store->user("admin");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->roles.front().role, "admin");
  auto again = Store::init(options(), store->catalog(), {}, "", now);
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message, HasSubstr("already"));
  auto first = store->records(RecordQuery{});
  ASSERT_GE(first.size(), 2u);
  EXPECT_EQ(std::string(record_json(first[0]).at("action").as_string()), "init");
  EXPECT_EQ(std::string(record_json(first[1]).at("action").as_string()), "create_user");
}

TEST_F(StoreTest, AcceptedAndDeniedCommandsAreEachOneRecord) {
  std::string id = create_nomination();
  auto before = store->log_size();
  auto denied = run("other_unit", id, "submit");
  EXPECT_EQ(denied.status, CommandResult::Status::rejected);
  EXPECT_EQ(denied.rejection->code, engine::Problem::forbidden);
  EXPECT_EQ(store->log_size(), before + 1);
  auto rec = record_json(store->history(id).back());
  EXPECT_EQ(std::string(rec.at("outcome").as_string()), "denied");
  EXPECT_EQ(std::string(rec.at("reason").at("code").as_string()), "forbidden");
  EXPECT_EQ(std::string(rec.at("who").at("user").as_string()), "other_unit");

  auto missing = run("unit", id, "submit");
  EXPECT_EQ(missing.rejection->code, engine::Problem::missing_materials);
  attach_all(id);
  auto ok = run("unit", id, "submit");
  ASSERT_EQ(ok.status, CommandResult::Status::accepted);
  EXPECT_EQ(ok.nomination->state, "county_review");
  rec = record_json(store->history(id).back());
  EXPECT_EQ(std::string(rec.at("outcome").as_string()), "accepted");
  EXPECT_EQ(std::string(rec.at("old").at("state").as_string()), "draft");
  EXPECT_EQ(std::string(rec.at("new").at("state").as_string()), "county_review");
  EXPECT_EQ(std::string(rec.at("who").at("role").as_string()), "nominator");
  EXPECT_EQ(std::string(rec.at("who").at("jurisdiction").as_string()), kShuangta);

  auto stale = run("county_reviewer", id, [] { engine::Command c; c.action = "accept"; c.expected_version = 1; return c; }());
  EXPECT_EQ(stale.rejection->code, engine::Problem::version_conflict);
  EXPECT_EQ(std::string(record_json(store->history(id).back()).at("reason").at("code").as_string()), "version_conflict");
}

TEST_F(StoreTest, PersonalDataStaysOutOfTheRecords) {
  std::string id = create_nomination();
  auto n = store->nomination(id);
  EXPECT_EQ(n->nominee.at("contact_phone"), "13993700001");
  for (const auto& row : store->history(id)) {
    EXPECT_THAT(row.bytes, Not(HasSubstr("13993700001")));
    EXPECT_THAT(row.bytes, Not(HasSubstr("月牙墩村")));
  }
  EXPECT_THAT(store->history(id).front().bytes, HasSubstr("马玉兰家庭"));  // the name is public
  for (const auto& row : store->records([] { RecordQuery q; q.limit = 1000; return q; }())) EXPECT_THAT(row.bytes, Not(HasSubstr("a long enough password")));
}

TEST_F(StoreTest, CommittedCommandsSurviveAReopen) {
  std::string id = create_nomination();
  attach_all(id);
  run("unit", id, "submit");
  auto size = store->log_size();
  reopen();
  EXPECT_EQ(store->log_size(), size);
  EXPECT_EQ(store->nomination(id)->state, "county_review");
  EXPECT_EQ(run("county_reviewer", id, "accept").status, CommandResult::Status::accepted);
}

TEST_F(StoreTest, ListShowsOnlyWhatTheViewerMaySee) {
  std::string a = create_nomination();
  std::string b = create_nomination();
  attach_all(b);
  run("unit", b, "submit");
  ListQuery q;
  EXPECT_EQ(store->list(q, actor("unit")).total, 2);
  EXPECT_EQ(store->list(q, actor("other_unit")).total, 0);
  EXPECT_EQ(store->list(q, actor("county_reviewer")).total, 1);  // drafts stay with the unit
  EXPECT_EQ(store->list(q, actor("auditor")).total, 2);
  q.state = "draft";
  EXPECT_EQ(store->list(q, actor("unit")).items.front().id, a);
  ListQuery search;
  search.q = "马玉兰";
  EXPECT_EQ(store->list(search, actor("unit")).total, 2);
  search.q = "邻里互帮互助";
  EXPECT_EQ(store->list(search, actor("unit")).total, 2);
  search.q = "不存在的名字";
  EXPECT_EQ(store->list(search, actor("unit")).total, 0);
}

TEST_F(StoreTest, BatchApproveIsAllOrNothing) {
  std::string a = shortlisted(), b = shortlisted(), c = shortlisted();
  auto na = store->nomination(a), nb = store->nomination(b), nc = store->nomination(c);
  BatchRequest req;
  req.caller = as("county_approver");
  req.command.action = "approve";
  req.command.notice_title = "2018年度瓜州县民族团结进步示范家庭拟命名公示";
  req.items = {{a, na->version}, {b, nb->version - 1}, {c, nc->version}};
  req.now = now;
  auto size = store->log_size();
  auto refused = store->execute_batch(req);
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.items[1].status, CommandResult::Status::rejected);
  EXPECT_EQ(refused.items[1].rejection->code, engine::Problem::version_conflict);
  EXPECT_EQ(store->nomination(a)->state, "shortlisted");
  EXPECT_EQ(store->log_size(), size + 1);  // only the refusal is recorded

  req.items[1].second = nb->version;
  auto done = store->execute_batch(req);
  ASSERT_TRUE(done.accepted);
  for (const auto& id : {a, b, c}) {
    auto n = store->nomination(id);
    EXPECT_EQ(n->state, "publicity");
    EXPECT_EQ(n->notice_id, done.notice_id);
  }
  auto notice = store->notice(done.notice_id);
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->nominations.size(), 3u);
  EXPECT_EQ(notice->title, "2018年度瓜州县民族团结进步示范家庭拟命名公示");
}

TEST_F(StoreTest, QuotaIsEnforcedThroughTheStore) {
  auto q = store->set_quota(admin_caller(), Quota{kGuazhou, "county", "family", 2018, 1, 0}, now);
  ASSERT_TRUE(q.ok()) << (q.rejection ? q.rejection->detail : q.error);
  std::string a = shortlisted(), b = shortlisted();
  EXPECT_EQ(run("county_approver", a, "approve").status, CommandResult::Status::accepted);
  auto r = run("county_approver", b, "approve");
  ASSERT_EQ(r.status, CommandResult::Status::rejected);
  EXPECT_EQ(r.rejection->code, engine::Problem::quota_exceeded);
  auto quotas = store->quotas(2018, std::nullopt);
  ASSERT_EQ(quotas.size(), 1u);
  EXPECT_EQ(quotas[0].used, 1);
  // A county admin may not set the city's quota.
  add_user("county_admin", {{"admin", kGuazhou}});
  auto refused = store->set_quota(as("county_admin"), Quota{kJiuquan, "city", "family", 2018, 145, 0}, now);
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.rejection->code, engine::Problem::forbidden);
}

TEST_F(StoreTest, TimersFireAndTheWindowCloses) {
  std::string id = shortlisted();
  ASSERT_EQ(run("county_approver", id, "approve").status, CommandResult::Status::accepted);
  auto n = store->nomination(id);
  ASSERT_TRUE(store->next_due());
  EXPECT_EQ(*store->next_due(), n->publicity_ends);
  EXPECT_EQ(store->fire_due_timers(n->publicity_ends - 1), 0u);
  reopen();  // the timer is stored, not held in memory
  EXPECT_EQ(*store->next_due(), n->publicity_ends);
  EXPECT_EQ(store->fire_due_timers(n->publicity_ends), 1u);
  EXPECT_EQ(store->nomination(id)->state, "publicity_closed");
  EXPECT_FALSE(store->next_due());
  auto rec = record_json(store->history(id).back());
  EXPECT_EQ(std::string(rec.at("who").at("user").as_string()), "system");
  EXPECT_EQ(std::string(rec.at("action").as_string()), "close_publicity");
}

TEST_F(StoreTest, ObjectionContactIsStoredApartAndShownOnRequest) {
  std::string id = shortlisted();
  run("county_approver", id, "approve");
  auto n = store->nomination(id);
  now = n->publicity_starts + 60;
  CommandRequest req;
  req.caller = as("");
  req.nomination_id = id;
  req.command.action = "object";
  req.command.text = "该户反映情况不实";
  req.contact = "张三 13800001111";
  req.now = now;
  auto r = store->execute(req);
  ASSERT_EQ(r.status, CommandResult::Status::accepted) << (r.rejection ? r.rejection->detail : r.error);
  std::string receipt = r.nomination->objections.front().id;
  EXPECT_EQ(store->objection_contact(receipt), "张三 13800001111");
  EXPECT_THAT(store->history(id).back().bytes, Not(HasSubstr("13800001111")));
}

TEST_F(StoreTest, IdempotencyKeyReplaysTheFirstResponse) {
  std::string id = create_nomination();
  attach_all(id);
  auto make = [&](std::string fingerprint) {
    CommandRequest req;
    req.caller = as("unit");
    req.nomination_id = id;
    req.command.action = "submit";
    req.command.expected_version = store->nomination(id)->version;
    req.now = now;
    req.idempotency_key = "key-1";
    req.fingerprint = std::move(fingerprint);
    req.render = [](const CommandResult& r) { return StoredResponse{200, r.nomination ? r.nomination->state : "?"}; };
    return req;
  };
  auto first = store->execute(make("f1"));
  ASSERT_EQ(first.status, CommandResult::Status::accepted);
  auto size = store->log_size();
  auto again = store->execute(make("f1"));
  EXPECT_EQ(again.status, CommandResult::Status::replayed);
  EXPECT_EQ(again.replay->body, "county_review");
  EXPECT_EQ(store->log_size(), size);
  EXPECT_EQ(store->execute(make("f2")).status, CommandResult::Status::idempotency_mismatch);
}

TEST_F(StoreTest, RebuildEqualsTheLiveTablesAfterALongRandomRun) {
  std::mt19937 rng(7);
  std::vector<std::string> ids;
  auto set = store->set_quota(admin_caller(), Quota{kGuazhou, "county", "family", 2018, 6, 0}, now);
  ASSERT_TRUE(set.ok());
  for (int i = 0; i < 12; ++i) ids.push_back(shortlisted());
  std::vector<std::string> users{"unit", "other_unit", "county_reviewer", "county_approver", "city_reviewer", "p1", "system", ""};
  std::vector<std::string> actions{"approve", "withdraw", "object", "dismiss_objection", "uphold_objection", "name",
                                   "revoke", "recommend", "accept", "return", "resubmit", "edit", "close_publicity"};
  for (int step = 0; step < 400; ++step) {
    now += 3600 * static_cast<int>(rng() % 30);
    store->fire_due_timers(now);
    const std::string& id = ids[rng() % ids.size()];
    engine::Command c;
    c.action = actions[rng() % actions.size()];
    c.comment = "意见";
    c.text = "反映问题";
    c.finding = "经核实";
    c.reason = "违纪";
    c.document_no = "瓜民团发〔2019〕" + std::to_string(rng() % 5) + "号";
    c.summary = "修改后的事迹" + std::to_string(step);
    auto n = store->nomination(id);
    if (!n->objections.empty()) c.objection_id = n->objections[rng() % n->objections.size()].id;
    CommandRequest req;
    req.caller = as(users[rng() % users.size()]);
    req.nomination_id = id;
    req.command = c;
    if (rng() % 10) req.command.expected_version = n->version;
    if (c.action == "object" && rng() % 2) req.contact = "13800000000";
    req.now = now;
    auto r = store->execute(std::move(req));
    ASSERT_NE(r.status, CommandResult::Status::failed) << r.error;
    for (const auto& child : r.opened) ids.push_back(child.id);
  }
  std::string live = dump_projections(options().db_path);
  store.reset();
  auto rebuilt = Store::rebuild(options(), engine::testing::shipped_catalog());
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_GT(*rebuilt, 400);
  std::string after = dump_projections(options().db_path);
  EXPECT_EQ(live, after);
  EXPECT_THAT(live, HasSubstr("publicity"));
}

// Under a continuous stream of commits a checkpoint running beside the writer can never copy the
// transaction in progress, and SQLite starts the WAL over only when a transaction begins with every
// frame copied; the store must see to that, or the WAL grows for as long as the writes go on (to
// hundreds of MiB within seconds, then a long stall when the writer finally checkpoints it all).
// With `auditors`, a thread asks for proofs all the while: the audit reader shares one read
// transaction for up to AuditReader::kSnapshotHeld, and no checkpoint copies past a reader's snapshot.
void expect_the_wal_stays_short(Store& store, const std::string& db_path, engine::Time now, bool auditors) {
  // The fixture's users are the workload's (unit, county_reviewer, p1..p3).
  const std::string wal = db_path + "-wal";
  std::atomic<bool> done{false};
  std::atomic<int> proofs{0};
  std::thread audit([&] {
    while (auditors && !done) {
      auto latest = store.audit().latest_checkpoint();
      if (latest && latest->size > 1 && store.audit().inclusion_proof(latest->size / 2, latest->size)) ++proofs;
    }
  });
  std::atomic<std::uintmax_t> longest{0};
  std::thread watch([&] {
    while (!done) {
      std::error_code ec;
      auto size = fs::file_size(wal, ec);
      if (!ec && size > longest) longest = size;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  constexpr int kThreads = 16, kPerThread = 800;  // about 3 WAL frames a command: ~38,000 frames in all
  const int length = journey_length(store.catalog());
  std::atomic<int> failed{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      std::string id;
      std::int64_t version = 0;
      for (int i = 0; i < kPerThread; ++i) {
        const int step = i % length;
        auto r = store.execute(*journey_step(store.catalog(), step, id, version, now, (static_cast<std::uint64_t>(t) << 32) + static_cast<std::uint64_t>(i / length)));
        if (r.status != CommandResult::Status::accepted) {
          ++failed;
          return;
        }
        id = r.nomination->id;
        version = r.nomination->version;
      }
    });
  }
  for (auto& s : submitters) s.join();
  done = true;
  watch.join();
  audit.join();
  if (auditors) {
    EXPECT_GT(proofs, 100);
  }
  EXPECT_EQ(failed, 0);
  // Options::wal_checkpoint_pages + kWalTailFrames + a batch of pages, at 4 KiB a page: well under 32 MiB.
  EXPECT_LT(longest.load(), 32u << 20) << "the WAL grew to " << (longest.load() >> 20) << " MiB";
  EXPECT_GT(store.log_size(), kThreads * kPerThread);
  const auto c = store.counters();
  EXPECT_GT(c.wal_restarts, 3u) << c.wal_pages << " pages written";
  EXPECT_GT(c.wal_pages, 20000u);
}

TEST_F(StoreTest, TheWalStaysShortUnderAContinuousStreamOfCommands) {
  expect_the_wal_stays_short(*store, options().db_path, now, false);
}

TEST_F(StoreTest, TheWalStaysShortWhileAuditorsFetchProofsAllTheTime) {
  expect_the_wal_stays_short(*store, options().db_path, now, true);
}

// An edit of `id`'s summary by `caller`, at `version`.
CommandRequest summary_edit(const Caller& caller, const std::string& id, const std::string& summary, std::int64_t version,
                            engine::Time now) {
  CommandRequest req;
  req.caller = caller;
  req.nomination_id = id;
  req.command.action = "edit";
  req.command.summary = summary;
  req.command.expected_version = version;
  req.now = now;
  return req;
}

// The writer remembers the nominations it committed, to spare a read; a refused batch action undoes
// its group, and with it whatever an earlier command of the same group commit had written to the
// same nomination in the writer's memory. Each round queues an edit of X behind other work so that
// it and a refused batch edit of X and Y (Y's version wrong) share one group commit; X must
// then read as the edit left it: each next edit, sent with the version just read, is accepted.
TEST_F(StoreTest, ARefusedBatchInTheSameGroupCommitLeavesTheWritersMemoryTrue) {
  const std::string x = create_nomination(), y = create_nomination();
  std::int64_t version = store->nomination(x)->version;
  for (int round = 0; round < 30; ++round) {
    std::vector<std::future<CommandResult>> ahead;
    for (int i = 0; i < 8; ++i) {
      ahead.push_back(store->submit(*journey_step(store->catalog(), 0, "", 0, now, static_cast<std::uint64_t>(round * 8 + i))));
    }
    auto first = store->submit(summary_edit(as("unit"), x, "第" + std::to_string(round) + "次修改的事迹", version, now));
    BatchRequest batch;
    batch.caller = as("unit");
    batch.command.action = "edit";
    batch.command.summary = "批量修改";
    batch.items = {{x, version + 1}, {y, 999}};  // y has no such version: the whole batch is refused
    batch.now = now;
    auto refused = store->execute_batch(batch);
    EXPECT_FALSE(refused.accepted);
    auto r = first.get();
    ASSERT_EQ(r.status, CommandResult::Status::accepted) << "round " << round << ": " << (r.rejection ? r.rejection->detail : r.error);
    for (auto& f : ahead) {
      auto a = f.get();
      EXPECT_EQ(a.status, CommandResult::Status::accepted) << (a.rejection ? a.rejection->detail : a.error);
    }
    version = r.nomination->version;
    auto read = store->nomination(x);
    EXPECT_EQ(read->version, version);
    EXPECT_EQ(read->summary, "第" + std::to_string(round) + "次修改的事迹");
  }
  std::string live = dump_projections(options().db_path);
  store.reset();
  ASSERT_TRUE(Store::rebuild(options(), engine::testing::shipped_catalog()));
  EXPECT_EQ(live, dump_projections(options().db_path));
}

// Another process may write the same database (a `laurel` command beside the server, such as an
// import, or an export that records its auditor): the writer then reads the log's tree and its
// nominations again instead of claiming an index that is taken or acting on an old version.
TEST_F(StoreTest, AnotherProcessWritingTheDatabaseDoesNotBreakTheWriter) {
  const std::string x = create_nomination();
  auto edit = [&](Store& s, const std::string& summary, std::int64_t version) {
    return s.execute(summary_edit(as("unit"), x, summary, version, now));
  };
  auto first = edit(*store, "第一次修改", store->nomination(x)->version);  // now in this writer's memory
  ASSERT_EQ(first.status, CommandResult::Status::accepted);
  std::int64_t version = first.nomination->version;
  for (int round = 0; round < 3; ++round) {
    {
      auto other = Store::open(options(), engine::testing::shipped_catalog());
      ASSERT_TRUE(other) << other.error().message;
      auto theirs = edit(**other, "另一个进程的修改" + std::to_string(round), version);
      ASSERT_EQ(theirs.status, CommandResult::Status::accepted) << theirs.error;
      version = theirs.nomination->version;
    }
    auto ours = edit(*store, "本进程的修改" + std::to_string(round), version);
    ASSERT_EQ(ours.status, CommandResult::Status::accepted) << (ours.rejection ? ours.rejection->detail : ours.error);
    EXPECT_EQ(ours.nomination->version, version + 1);
    version = ours.nomination->version;
  }
  EXPECT_EQ(store->nomination(x)->summary, "本进程的修改2");
  std::string live = dump_projections(options().db_path);
  store.reset();
  auto report = audit::verify_database(options().db_path);
  EXPECT_TRUE(report.ok) << report.summary();
  ASSERT_TRUE(Store::rebuild(options(), engine::testing::shipped_catalog()));
  EXPECT_EQ(live, dump_projections(options().db_path));
}

TEST_F(StoreTest, TheAuditLogRefusesUpdatesAndDeletes) {
  store.reset();
  sql::Db db(options().db_path, sql::Db::Mode::read_write);
  EXPECT_THROW(db.exec("UPDATE audit_log SET record = x'00' WHERE idx = 0"), sql::SqliteError);
  EXPECT_THROW(db.exec("DELETE FROM audit_log WHERE idx = 0"), sql::SqliteError);
}

TEST_F(StoreTest, BackupWhileRunningIsAWorkingDatabase) {
  std::string id = create_nomination();
  std::string copy = (dir.path() / "backup.db").string();
  auto b = Store::backup(options().db_path, copy);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_FALSE(Store::backup(options().db_path, copy));  // refuses to overwrite
  Options o = options();
  o.db_path = copy;
  o.key_path = options().key_file();
  o.files_dir = options().files_folder();
  auto restored = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ((*restored)->nomination(id)->state, "draft");
  EXPECT_EQ((*restored)->log_size(), store->log_size());
}

TEST_F(StoreTest, LoginsAreRecordedWithoutSecrets) {
  EXPECT_TRUE(store->login("unit", "a long enough password 1", "10.0.0.1", now));
  EXPECT_FALSE(store->login("unit", "wrong password here", "10.0.0.1", now));
  EXPECT_FALSE(store->login("nobody", "whatever password", "10.0.0.1", now));
  RecordQuery q;
  q.action = "login";
  auto rows = store->records(q);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::string(record_json(rows[0]).at("outcome").as_string()), "accepted");
  EXPECT_EQ(std::string(record_json(rows[1]).at("reason").at("detail").as_string()), "wrong password");
  for (const auto& r : rows) EXPECT_THAT(r.bytes, Not(HasSubstr("password here")));
}

TEST_F(StoreTest, AdministratorsGrantOnlyInsideTheirSubtree) {
  add_user("county_admin", {{"admin", kGuazhou}});
  auto r = store->create_user(as("county_admin"), User{"dh_reviewer", "敦煌审核员", false, {{"reviewer", "620982"}}},
                              "a long enough password 1", now);
  ASSERT_TRUE(r.rejection);
  EXPECT_EQ(r.rejection->code, engine::Problem::forbidden);
  r = store->create_user(as("county_admin"), User{"gz_reviewer2", "瓜州审核员", false, {{"reviewer", kGuazhou}}}, "123456789012", now);
  ASSERT_TRUE(r.rejection);
  EXPECT_EQ(r.rejection->errors.front().field, "password");
  r = store->create_user(as("county_admin"), User{"gz_reviewer2", "瓜州审核员", false, {{"reviewer", kGuazhou}}}, "a long enough password 1", now);
  EXPECT_TRUE(r.ok());
}

class OpenErrors : public ::testing::Test {
 protected:
  TempDir dir;
};

TEST_F(OpenErrors, MissingForeignAndNewerDatabasesAreRefusedUntouched) {
  Options o;
  o.db_path = (dir.path() / "none.db").string();
  auto r = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("no database at"));

  o.db_path = (dir.path() / "notes.txt").string();
  { std::ofstream(o.db_path) << "these are my notes, not a database\n"; }
  r = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("not a Laurel database"));
  std::ifstream in(o.db_path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "these are my notes, not a database\n");

  o.db_path = (dir.path() / "other.db").string();
  { sql::Db other(o.db_path, sql::Db::Mode::read_write_create); other.exec("CREATE TABLE accounts (x)"); }
  fs::create_directories(o.files_folder());
  r = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("not a Laurel one"));

  o.db_path = (dir.path() / "newer.db").string();
  o.pwhash_opslimit = 1;
  o.pwhash_memlimit = 8192;
  ASSERT_TRUE(Store::init(o, engine::testing::shipped_catalog(), {}, "", 0));
  { sql::Db db(o.db_path, sql::Db::Mode::read_write); db.exec("PRAGMA user_version = 99"); }
  r = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("newer Laurel"));
}

}  // namespace
}  // namespace laurel::storage::testing

namespace laurel::storage::testing {
namespace {

int search_total(Store& store, const std::string& text, const engine::Actor& viewer) {
  ListQuery q;
  q.q = text;
  return static_cast<int>(store.list(q, viewer).total);
}

TEST_F(StoreTest, SearchFollowsEditsAndSurvivesTheMigrationFromSchema1) {
  std::string a = create_nomination();
  std::string b = create_nomination();
  engine::Command edit;
  edit.action = "edit";
  edit.nominee = std::map<std::string, std::string>{{"name", "沙娜瓦尔家庭"}, {"ethnic_groups", "维吾尔族、汉族"}, {"members", "4"},
                                                    {"address", "双塔乡月牙墩村5组"}, {"contact_phone", "13993700002"}};
  edit.summary = "守望相助二十年。";
  ASSERT_EQ(run("unit", b, edit).status, CommandResult::Status::accepted);
  const auto viewer = actor("unit");
  EXPECT_EQ(search_total(*store, "马玉兰", viewer), 1);
  EXPECT_EQ(search_total(*store, "沙娜瓦尔", viewer), 1);
  EXPECT_EQ(search_total(*store, "守望相助", viewer), 1);
  {
    // The edit's record holds the old values of what changed (personal ones as commitments).
    auto rows = store->history(b);
    auto record = boost::json::parse(rows.back().bytes).as_object();
    const auto& old = record.at("old").as_object();
    EXPECT_EQ(old.at("summary").as_string(), "各民族邻里互帮互助，带头学习宣传党的民族政策。");
    EXPECT_EQ(old.at("nominee").at("name").as_string(), "马玉兰家庭");
    EXPECT_EQ(old.at("nominee").at("members").as_string(), "5");
    std::string phone(old.at("nominee").at("contact_phone").as_string());
    EXPECT_TRUE(phone.starts_with("pd:")) << phone;
    EXPECT_EQ(rows.back().bytes.find("13993700001"), std::string::npos);
  }
  EXPECT_EQ(search_total(*store, "邻里互帮", viewer), 1);

  // Put the database back into schema 1's shape (full-text rows keyed by the unindexed id, no
  // fts_key, no retired_size, no verification codes, snapshots in the nominations rows, an attachments table), as a
  // database written by the previous release is; opening it migrates it.
  store.reset();
  {
    sql::Db db(options().db_path, sql::Db::Mode::read_write);
    db.exec("ALTER TABLE nominations ADD COLUMN snapshot BLOB;"
            "UPDATE nominations SET snapshot = (SELECT snapshot FROM nomination_snapshots WHERE k = nominations.fts_key);"
            "DROP TABLE nomination_snapshots;"
            "CREATE TABLE attachments (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content_type TEXT NOT NULL,"
            " created_at INTEGER NOT NULL) WITHOUT ROWID;"
            "ALTER TABLE nominations DROP COLUMN fts_key; DROP TABLE nominations_fts;"
            "ALTER TABLE signing_keys DROP COLUMN retired_size; DROP TABLE verification_codes;"
            "CREATE VIRTUAL TABLE nominations_fts USING fts5(id UNINDEXED, name, summary, tokenize = 'trigram');"
            "INSERT INTO nominations_fts (id, name, summary) SELECT id, name, summary FROM nominations;"
            "PRAGMA user_version = 1;");
  }
  reopen();
  EXPECT_EQ(search_total(*store, "马玉兰", viewer), 1);
  EXPECT_EQ(search_total(*store, "沙娜瓦尔", viewer), 1);
  // Editing after the migration updates the migrated row in place.
  edit.nominee->at("name") = "古丽家庭";
  ASSERT_EQ(run("unit", b, edit).status, CommandResult::Status::accepted);
  EXPECT_EQ(search_total(*store, "沙娜瓦尔", viewer), 0);
  EXPECT_EQ(search_total(*store, "古丽", viewer), 1);
  std::string c = create_nomination();
  EXPECT_EQ(search_total(*store, "马玉兰", viewer), 2);
  (void)a;
  (void)c;
  store.reset();
  ASSERT_TRUE(Store::rebuild(options(), engine::testing::shipped_catalog()));
  reopen();
  EXPECT_EQ(search_total(*store, "古丽", viewer), 1);
  EXPECT_EQ(search_total(*store, "马玉兰", viewer), 2);
}

}  // namespace
}  // namespace laurel::storage
