// Shared set-up for the engine tests: the shipped catalog, the demo actors, and helpers that run a
// command through decide() and fold the events with apply().
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engine/decide.h"
#include "web/catalog_files.h"

namespace laurel::engine::testing {

// Codes from the demo tree (workflows/jurisdictions.json).
inline constexpr const char* kGansu = "620000";
inline constexpr const char* kJiuquan = "620900";
inline constexpr const char* kGuazhou = "620922";
inline constexpr const char* kDunhuang = "620982";
inline constexpr const char* kShuangta = "620922213";  // 双塔乡, a township of 瓜州县

const Catalog& shipped_catalog();

inline Actor person(std::string user, std::vector<RoleGrant> roles) {
  return Actor{Actor::Kind::person, std::move(user), std::move(roles)};
}

// 2019-01-14T09:00:00+08:00, a Monday.
inline constexpr Time kStart = 1547427600;
inline constexpr Time kDay = 86400;

class Journey : public ::testing::Test {
 protected:
  const Catalog& catalog = shipped_catalog();
  Actor unit = person("unit", {{"nominator", kShuangta}});
  Actor other_unit = person("other_unit", {{"nominator", kGuazhou}});
  Actor county_reviewer = person("county_reviewer", {{"reviewer", kGuazhou}});
  Actor county_approver = person("county_approver", {{"approver", kGuazhou}});
  Actor dunhuang_reviewer = person("dunhuang_reviewer", {{"reviewer", kDunhuang}});
  Actor city_reviewer = person("city_reviewer", {{"reviewer", kJiuquan}});
  Actor city_approver = person("city_approver", {{"approver", kJiuquan}});
  Actor province_reviewer = person("province_reviewer", {{"reviewer", kGansu}});
  Actor auditor = person("auditor", {{"auditor", kGuazhou}});
  std::vector<Actor> panelists{person("p1", {{"panelist", kGuazhou}}), person("p2", {{"panelist", kGuazhou}}),
                               person("p3", {{"panelist", kGuazhou}})};
  Actor system = Actor::system_actor();
  Actor anonymous = Actor::anonymous_actor();
  Time now = kStart;
  int ids = 0;

  std::string next_id(const char* prefix = "N") { return std::string(prefix) + std::to_string(++ids); }

  // Creates a nomination as `unit`, for 瓜州县/双塔乡.
  Nomination create(const std::string& level = "county", const std::string& category = "family");

  Command command(const std::string& action, const Nomination& n) {
    Command c;
    c.action = action;
    c.expected_version = n.version;
    return c;
  }

  Decision decide_as(const Actor& actor, const Command& cmd, const Nomination& n,
                     std::optional<Quota> quota = std::nullopt) {
    return decide(cmd, n, Context{actor, now, catalog, quota});
  }

  // Runs the command, expects acceptance, and returns the nomination after it (events folded).
  Nomination ok(const Actor& actor, const Command& cmd, const Nomination& n, std::optional<Quota> quota = std::nullopt);
  Nomination ok(const Actor& actor, const std::string& action, const Nomination& n) { return ok(actor, command(action, n), n); }
  // Runs the command and expects a rejection with `code`.
  Rejection refused(Problem code, const Actor& actor, const Command& cmd, const Nomination& n,
                    std::optional<Quota> quota = std::nullopt);

  Nomination with_materials(Nomination n);
  Nomination submitted(Nomination n) { return ok(unit, "submit", with_materials(std::move(n))); }
  Nomination scored(Nomination n, const std::vector<int>& totals, bool veto_last = false);
  Nomination in_publicity();
  // In publicity with an objection lodged (contact given): a nomination with every kind of part.
  Nomination objected();

  Command score_command(const Nomination& n, int total, bool veto = false);

  // The events of the last accepted command.
  std::vector<Event> last_events;
};

}  // namespace laurel::engine::testing
