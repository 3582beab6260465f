#include "tests/storage/store_fixture.h"

#include <sqlite3.h>
#include <sodium.h>

#include <cstdio>
#include <sstream>

namespace laurel::storage::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "laurel-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (!made) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Options StoreTest::options() const {
  Options o;
  o.db_path = (dir.path() / "laurel.db").string();
  o.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  o.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
  return o;
}

void StoreTest::SetUp() {
  auto made = Store::init(options(), engine::testing::shipped_catalog(), {}, "correct horse battery staple", now);
  ASSERT_TRUE(made) << made.error().message;
  reopen();
  add_user("unit", {{"nominator", kShuangta}});
  add_user("other_unit", {{"nominator", kGuazhou}});
  add_user("county_reviewer", {{"reviewer", kGuazhou}});
  add_user("county_approver", {{"approver", kGuazhou}});
  add_user("city_reviewer", {{"reviewer", kJiuquan}});
  add_user("p1", {{"panelist", kGuazhou}});
  add_user("p2", {{"panelist", kGuazhou}});
  add_user("p3", {{"panelist", kGuazhou}});
  add_user("auditor", {{"auditor", "620000"}});
}

void StoreTest::reopen() {
  store.reset();
  auto s = Store::open(options(), engine::testing::shipped_catalog());
  ASSERT_TRUE(s) << s.error().message;
  store = std::move(*s);
}

Caller StoreTest::admin_caller() const { return Caller{engine::Actor{engine::Actor::Kind::person, "admin", {{"admin", "620000"}}}, "session", "127.0.0.1"}; }

engine::Actor StoreTest::actor(const std::string& user) const {
  if (user.empty()) return engine::Actor::anonymous_actor();
  if (user == "system") return engine::Actor::system_actor();
  auto u = store->user(user);
  EXPECT_TRUE(u) << user;
  return engine::Actor{engine::Actor::Kind::person, user, u ? u->roles : std::vector<engine::RoleGrant>{}};
}

Caller StoreTest::as(const std::string& user) const { return Caller{actor(user), user.empty() ? "anonymous" : "session", "127.0.0.2"}; }

void StoreTest::add_user(const std::string& name, std::vector<engine::RoleGrant> roles) {
  auto r = store->create_user(admin_caller(), User{name, name + " 同志", false, std::move(roles)}, "a long enough password 1", now);
  ASSERT_TRUE(r.ok()) << (r.rejection ? r.rejection->detail : r.error);
}

CommandResult StoreTest::run(const std::string& user, const std::string& id, engine::Command cmd) {
  CommandRequest req;
  req.caller = as(user);
  req.nomination_id = id;
  if (!id.empty() && !cmd.expected_version && user != "system" && !user.empty()) {
    auto n = store->nomination(id);
    if (n) cmd.expected_version = n->version;
  }
  req.command = std::move(cmd);
  req.now = now;
  return store->execute(std::move(req));
}

CommandResult StoreTest::run(const std::string& user, const std::string& id, const std::string& action) {
  engine::Command c;
  c.action = action;
  return run(user, id, c);
}

std::string StoreTest::create_nomination(const std::string& level, const std::string& category) {
  engine::Command c;
  c.action = "create";
  c.category = category;
  c.level = level;
  c.year = 2018;
  c.jurisdiction = kShuangta;
  c.nominee = std::map<std::string, std::string>{{"name", "马玉兰家庭"}, {"ethnic_groups", "回族、汉族"}, {"members", "5"},
                                                  {"address", "双塔乡月牙墩村3组"}, {"contact_phone", "13993700001"}};
  c.summary = "各民族邻里互帮互助，带头学习宣传党的民族政策。";
  auto r = run("unit", "", c);
  EXPECT_EQ(r.status, CommandResult::Status::accepted) << (r.rejection ? r.rejection->detail : r.error);
  return r.nomination ? r.nomination->id : "";
}

void StoreTest::attach_all(const std::string& id) {
  auto n = store->nomination(id);
  for (const auto& m : store->catalog().category(n->category)->materials) {
    for (int i = 0; i < m.min; ++i) {
      engine::Command c;
      c.action = "attach";
      char hex[65];
      std::snprintf(hex, sizeof hex, "%064x", ++files);
      c.attachment = engine::Attachment{m.id, hex, m.id + ".pdf", m.types.front(), 1024, 0};
      auto r = run("unit", id, c);
      EXPECT_EQ(r.status, CommandResult::Status::accepted) << (r.rejection ? r.rejection->detail : r.error);
    }
  }
}

std::string StoreTest::shortlisted(const std::string& level) {
  std::string id = create_nomination(level);
  attach_all(id);
  EXPECT_EQ(run("unit", id, "submit").status, CommandResult::Status::accepted);
  EXPECT_EQ(run("county_reviewer", id, "accept").status, CommandResult::Status::accepted);
  for (const char* p : {"p1", "p2", "p3"}) {
    engine::Command c;
    c.action = "score";
    for (const auto& ind : store->catalog().category("family")->indicators) if (!ind.veto) c.points[ind.id] = ind.max;
    EXPECT_EQ(run(p, id, c).status, CommandResult::Status::accepted);
  }
  auto r = run("county_reviewer", id, "close_evaluation");
  EXPECT_EQ(r.nomination->state, "shortlisted");
  return id;
}

std::string dump_projections(const std::string& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::ostringstream out;
  for (const char* q : {"SELECT nominations.*, s.snapshot FROM nominations LEFT JOIN nomination_snapshots s ON s.k = nominations.fts_key ORDER BY id", "SELECT id, name, summary FROM nominations_fts ORDER BY id",
                        "SELECT * FROM notices ORDER BY id", "SELECT * FROM decisions ORDER BY document_no",
                        "SELECT * FROM objections ORDER BY id", "SELECT * FROM timers ORDER BY nomination_id",
                        "SELECT * FROM users ORDER BY username", "SELECT * FROM user_roles ORDER BY 1, 2, 3",
                        "SELECT * FROM quotas ORDER BY 1, 2, 3, 4"}) {
    out << "-- " << q << "\n";
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, q, -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        if (sqlite3_column_type(s, i) == SQLITE_BLOB) {
          out << "blob:" << sqlite3_column_bytes(s, i) << ":";
          auto p = static_cast<const unsigned char*>(sqlite3_column_blob(s, i));
          unsigned h = 0;
          for (int k = 0; k < sqlite3_column_bytes(s, i); ++k) h = h * 31 + p[k];
          out << h;
        } else if (sqlite3_column_type(s, i) == SQLITE_NULL) {
          out << "NULL";
        } else {
          out << sqlite3_column_text(s, i);
        }
        out << "|";
      }
      out << "\n";
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out.str();
}

}  // namespace laurel::storage::testing
