#include "tests/storage/workload.h"

#include <cstdio>
#include <stdexcept>

namespace laurel::storage::testing {
namespace {

constexpr const char* kGuazhou = "620922";
constexpr const char* kShuangta = "620922213";

struct Attach {
  std::string material;
  std::string type;
};

// The files the family category requires, counted once per material's minimum.
int required_file_count(const engine::Catalog& catalog) {
  int n = 0;
  for (const auto& m : catalog.category("family")->materials) n += m.min;
  return n;
}

// The `n`th of those files, without building a list (the benchmark's submitters ask for one per
// command).
Attach required_file(const engine::Catalog& catalog, int n) {
  for (const auto& m : catalog.category("family")->materials) {
    if (n < m.min) return {m.id, m.types.front()};
    n -= m.min;
  }
  throw std::out_of_range("no such required file");
}

}  // namespace

std::vector<User> workload_users() {
  return {
      User{"unit", "双塔乡填报员", false, {{"nominator", kShuangta}}},
      User{"county_reviewer", "瓜州县审核员", false, {{"reviewer", kGuazhou}}},
      User{"county_approver", "瓜州县审批人", false, {{"approver", kGuazhou}}},
      User{"p1", "评审专家一", false, {{"panelist", kGuazhou}}},
      User{"p2", "评审专家二", false, {{"panelist", kGuazhou}}},
      User{"p3", "评审专家三", false, {{"panelist", kGuazhou}}},
  };
}

std::expected<void, std::string> add_workload_users(Store& store, engine::Time now, const std::string& password) {
  Caller admin{engine::Actor{engine::Actor::Kind::person, "admin", {{"admin", store.catalog().tree().root().code}}}, "cli", ""};
  for (const auto& u : workload_users()) {
    auto r = store.create_user(admin, u, password, now);
    if (!r.ok()) return std::unexpected(u.username + ": " + (r.rejection ? r.rejection->detail : r.error));
  }
  return {};
}

Caller workload_caller(const std::string& username) {
  static const std::vector<User> users = workload_users();  // built once: the benchmark's submitters call this per command
  for (const auto& u : users) {
    if (u.username == username) return Caller{engine::Actor{engine::Actor::Kind::person, username, u.roles}, "session", "127.0.0.1"};
  }
  return Caller{engine::Actor::anonymous_actor(), "anonymous", "127.0.0.1"};
}

int journey_length(const engine::Catalog& catalog) { return required_file_count(catalog) + 7; }

std::optional<CommandRequest> journey_step(const engine::Catalog& catalog, int step, const std::string& id,
                                           std::int64_t version, engine::Time now, std::uint64_t salt) {
  const int attaches = required_file_count(catalog);
  CommandRequest req;
  req.now = now;
  req.nomination_id = id;
  req.command.expected_version = version;
  std::string user;
  if (step == 0) {
    user = "unit";
    req.nomination_id.clear();
    req.command.expected_version.reset();
    req.command.action = "create";
    req.command.category = "family";
    req.command.level = "county";
    req.command.year = 2018;
    req.command.jurisdiction = kShuangta;
    req.command.nominee = std::map<std::string, std::string>{{"name", "马玉兰家庭"}, {"ethnic_groups", "回族、汉族"}, {"members", "5"},
                                                             {"address", "双塔乡月牙墩村3组"}, {"contact_phone", "13993700001"}};
    req.command.summary = "各民族邻里互帮互助，带头学习宣传党的民族政策，在村里带头开展民族团结进步创建活动。";
  } else if (step <= attaches) {
    user = "unit";
    const Attach a = required_file(catalog, step - 1);
    char hex[65];
    std::snprintf(hex, sizeof hex, "%032llx%032x", static_cast<unsigned long long>(salt), static_cast<unsigned>(step));
    req.command.action = "attach";
    req.command.attachment = engine::Attachment{a.material, hex, a.material + ".bin", a.type, 180 * 1024, 0};
  } else if (step == attaches + 1) {
    user = "unit";
    req.command.action = "submit";
  } else if (step == attaches + 2) {
    user = "county_reviewer";
    req.command.action = "accept";
    req.command.comment = "材料齐全，同意受理。";
  } else if (step <= attaches + 5) {
    user = "p" + std::to_string(step - attaches - 2);
    req.command.action = "score";
    for (const auto& ind : catalog.category("family")->indicators) {
      if (!ind.veto) req.command.points[ind.id] = ind.max - static_cast<int>(salt % 2);
    }
  } else if (step == attaches + 6) {
    user = "county_reviewer";
    req.command.action = "close_evaluation";
  } else {
    return std::nullopt;
  }
  req.caller = workload_caller(user);
  return req;
}

}  // namespace laurel::storage::testing
