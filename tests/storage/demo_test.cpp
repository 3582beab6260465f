// The demo produces the seed report's 2018 figures through the real workflow: county 281 named
// (6 townships, 32 villages, 2 communities, 20 organs, 6 enterprises, 10 schools, 5 hospitals,
// 2 military camps, 198 families), city 48 units and 145 families, province 1 unit and 3 families.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "tests/storage/store_fixture.h"
#include "web/demo.h"

namespace laurel::storage::testing {
namespace {

TEST_F(StoreTest, DemoReproducesTheSeedFigures) {
  std::ostringstream log;
  auto r = web::run_demo(*store, "demo password 2018", log);
  ASSERT_TRUE(r) << r.error();
  std::map<std::string, std::map<std::string, std::int64_t>> named;
  for (const auto& row : store->stats_named(2018, std::nullopt)) named[row.level][row.category] = row.count;
  EXPECT_EQ(named["county"], (std::map<std::string, std::int64_t>{{"community", 2}, {"enterprise", 6}, {"family", 198},
                                                                  {"hospital", 5}, {"military", 2}, {"organ", 20},
                                                                  {"school", 10}, {"township", 6}, {"village", 32}}));
  std::int64_t city_units = 0;
  for (const auto& [category, count] : named["city"]) if (category != "family") city_units += count;
  EXPECT_EQ(city_units, 48);
  EXPECT_EQ(named["city"]["family"], 145);
  std::int64_t province_units = 0;
  for (const auto& [category, count] : named["province"]) if (category != "family") province_units += count;
  EXPECT_EQ(province_units, 1);
  EXPECT_EQ(named["province"]["family"], 3);
  // A decision lists every nominee; the demo refuses a second run.
  auto decision = store->decision("瓜民团发〔2019〕3号");
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->nominations.size(), 281u);
  EXPECT_FALSE(web::run_demo(*store, "demo password 2018", log));
  // Work in progress is left for the inboxes.
  ListQuery q;
  q.year = 2019;
  EXPECT_EQ(store->list(q, actor("auditor")).total, 4);
}

}  // namespace
}  // namespace laurel::storage::testing
