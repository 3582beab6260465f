// The page-cache wrapper (storage/page_cache.cpp) under the traffic it exists for: B-tree
// rebalances that park pages under the temporary number, in a cache small enough to evict, with
// commits, rollbacks and savepoint rollbacks between them. The data must be exactly what a plain
// map says it is, before and after reopening, and SQLite's integrity check must pass.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "storage/page_cache.h"
#include "storage/sqlite.h"

namespace laurel::storage {
namespace {

namespace fs = std::filesystem;

class PageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("laurel-page-cache-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::map<std::string, std::string> contents(sql::Db& db) {
    std::map<std::string, std::string> out;
    sql::Stmt s(db, "SELECT k, v FROM t");
    while (s.step()) out.emplace(s.text(0), s.text(1));
    return out;
  }
  static std::string integrity(sql::Db& db) {
    sql::Stmt s(db, "PRAGMA integrity_check");
    return s.step() ? s.text(0) : "no answer";
  }

  fs::path dir_;
};

TEST_F(PageCacheTest, IsInstalledBeforeTheFirstConnection) {
  sql::Db db(":memory:", sql::Db::Mode::read_write_create);
  EXPECT_TRUE(install_page_cache());
  EXPECT_TRUE(page_cache_installed());
}

TEST_F(PageCacheTest, RebalancesCommitsAndRollbacksKeepTheData) {
  const std::string path = (dir_ / "t.db").string();
  std::map<std::string, std::string> model;
  const unsigned long long parked_before = page_cache_parked();
  std::mt19937_64 random(20261207);
  {
    sql::Db db(path, sql::Db::Mode::read_write_create);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA cache_size = 50;"
            "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID; CREATE INDEX t_v ON t(v)");
    auto word = [&](std::size_t n) {
      std::string s;
      for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + random() % 26));
      return s;
    };
    for (int round = 0; round < 400; ++round) {
      const int kind = static_cast<int>(random() % 10);  // 0: rolled back; 1: a savepoint rolled back; else kept
      std::map<std::string, std::string> pending = model;
      sql::Transaction t(db);
      auto write = [&](std::map<std::string, std::string>& into, int n) {
        for (int i = 0; i < n; ++i) {
          const std::string k = word(12), v = word(20 + random() % 200);
          sql::Stmt s(db, "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v");
          s.bind(1, k).bind(2, v).run();
          into[k] = v;
          if (!into.empty() && random() % 4 == 0) {
            auto victim = into.begin();
            std::advance(victim, static_cast<long>(random() % into.size()));
            sql::Stmt d(db, "DELETE FROM t WHERE k = ?");
            d.bind(1, victim->first).run();
            into.erase(victim);
          }
        }
      };
      write(pending, 30);
      if (kind == 1) {
        db.run("SAVEPOINT part");
        std::map<std::string, std::string> discarded = pending;
        write(discarded, 30);
        db.run("ROLLBACK TO part");
        db.run("RELEASE part");
      }
      if (kind == 0) continue;  // the transaction rolls back in its destructor
      t.commit();
      model = std::move(pending);
      if (round % 50 == 0) {
        ASSERT_EQ(contents(db), model) << "round " << round;
      }
    }
    EXPECT_EQ(contents(db), model);
    EXPECT_EQ(integrity(db), "ok");
  }
  // The case the wrapper is for arose: pages were parked under the temporary number.
  EXPECT_GT(page_cache_parked(), parked_before);
  sql::Db again(path, sql::Db::Mode::read_write);
  EXPECT_EQ(contents(again), model);
  EXPECT_EQ(integrity(again), "ok");
}

}  // namespace
}  // namespace laurel::storage
