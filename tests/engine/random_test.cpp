// Randomised runs: thousands of random command sequences with random actors and random data. No run
// may reach a state its definition lacks, let an actor act outside its role and office, or produce
// events whose fold differs from the state decide() saw.
#include <gtest/gtest.h>

#include <random>

#include "tests/engine/fixture.h"


namespace laurel::engine::testing {
namespace {

class RandomRuns : public Journey {
 protected:
  std::mt19937_64 rng{20190120};

  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)]; }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

  // The authorisation rule, written independently of the engine: who may take an action of `role` on n.
  static bool authorised(Role role, const Nomination& n, const Actor& a, const JurisdictionTree& tree) {
    switch (role) {
      case Role::system: return a.kind == Actor::Kind::system;
      case Role::public_: return true;
      case Role::nominator: {
        if (a.kind != Actor::Kind::person || a.user != n.owner) return false;
        for (const auto& g : a.roles) if (g.role == "nominator" && tree.contains(g.jurisdiction, n.jurisdiction)) return true;
        return false;
      }
      default:
        for (const auto& g : a.roles) if (a.kind == Actor::Kind::person && g.role == to_string(role) && g.jurisdiction == n.office) return true;
        return false;
    }
  }

  Command random_command(const Nomination& n, const std::vector<std::string>& actions) {
    Command c;
    c.action = pick(actions);
    if (chance(0.9)) c.expected_version = chance(0.95) ? n.version : n.version - between(1, 3);
    if (chance(0.7)) c.comment = pick(std::vector<std::string>{"", " ", "请补充材料", "同意"});
    const Category& cat = *catalog.category(n.category);
    for (const auto& ind : cat.indicators) {
      if (!ind.veto && chance(0.97)) c.points[ind.id] = chance(0.95) ? between(ind.max * 17 / 20, ind.max) : between(-2, ind.max + 3);
    }
    c.veto = chance(0.05);
    if (c.veto && chance(0.8)) c.veto_reason = "一票否决";
    if (chance(0.2)) c.days = between(0, 35);
    if (chance(0.8)) c.document_no = "瓜民团发〔2019〕" + std::to_string(between(1, 99)) + "号";
    if (chance(0.8)) c.reason = "违纪";
    if (chance(0.85)) c.text = "反映问题";
    c.has_contact = chance(0.5);
    if (!n.objections.empty() && chance(0.8)) c.objection_id = pick(n.objections).id;
    if (chance(0.8)) c.finding = "经核实";
    if (chance(0.9)) {
      const Material& m = pick(cat.materials);
      c.attachment.material = chance(0.95) ? m.id : "unknown";
      c.attachment.content_type = chance(0.9) ? pick(m.types) : "text/html";
      c.attachment.filename = "f.pdf";
      c.attachment.size = between(0, 5000);
      char hex[65];
      std::snprintf(hex, sizeof hex, "%064x", between(1, 40));
      c.attachment.sha256 = hex;
    }
    if (!n.attachments.empty() && c.action == "detach" && chance(0.8)) c.attachment.sha256 = pick(n.attachments).sha256;
    if (chance(0.3)) c.summary = "修改后的事迹";
    c.new_id = next_id("X");
    return c;
  }
};

TEST_F(RandomRuns, NeverLeaveTheDefinitionNorLetAForbiddenActorAct) {
  std::vector<Actor> actors{unit, other_unit, county_reviewer, county_approver, dunhuang_reviewer, city_reviewer,
                            city_approver, province_reviewer, person("province_approver", {{"approver", kGansu}}),
                            auditor, system, anonymous};
  for (const char* j : {kGuazhou, kJiuquan, kGansu}) {
    for (int i = 0; i < 4; ++i) actors.push_back(person(std::string("panel") + j + "_" + std::to_string(i), {{"panelist", j}}));
  }
  std::vector<std::string> actions{"bogus"};
  for (const auto* d : catalog.definitions()) {
    for (const auto& a : d->actions) if (std::find(actions.begin(), actions.end(), a.id) == actions.end()) actions.push_back(a.id);
  }
  // Bias towards the actions that move a nomination forward, so that runs reach the late states.
  for (const char* a : {"attach", "attach", "attach", "attach", "submit", "accept", "recommend", "score", "score", "score",
                        "close_evaluation", "approve", "close_publicity", "name", "object"}) {
    actions.push_back(a);
  }
  std::vector<std::string> levels{"county", "city", "province"};
  std::vector<std::string> categories;
  for (const auto& c : catalog.categories()) categories.push_back(c.id);

  std::map<std::string, std::size_t> states_reached;
  std::map<std::string, std::size_t> codes;
  std::size_t accepted = 0, sequences = 3000;
  for (std::size_t run = 0; run < sequences; ++run) {
    std::map<std::string, Nomination> live;
    std::map<std::string, std::vector<Event>> log;
    Nomination first = create(pick(levels), pick(categories));
    log[first.id] = {};
    {
      // Record the creation event for the fold check.
      Event e;
      e.nomination_id = first.id;
      e.action = "create";
      e.to = first.state;
      e.version = 1;
      e.changes.emplace_back(change::Created{first});
      log[first.id].push_back(e);
    }
    live[first.id] = first;
    int steps = between(5, 150);
    for (int step = 0; step < steps; ++step) {
      now += between(0, 3) * kDay + between(0, 86399);
      std::vector<std::string> ids;
      for (const auto& [id, n] : live) ids.push_back(id);
      Nomination& n = live[pick(ids)];
      // Timers fire as storage would fire them.
      for (const auto& a : due_actions(n, now, catalog)) {
        Command c;
        c.action = a;
        auto d = decide(c, n, Context{system, now, catalog, std::nullopt});
        ASSERT_TRUE(d) << a;
        for (const auto& e : *d) { log[e.nomination_id].push_back(e); n = apply(std::move(n), e); }
        ++states_reached[n.state];
      }
      const Definition& d0 = *catalog.definition(n.workflow_id, n.workflow_version);
      Command cmd = random_command(n, actions);
      const Actor* chosen = &pick(actors);
      if (chance(0.7)) {
        // Guided: an action defined from this state, taken by an actor who holds its role here, with
        // data that is mostly valid. The rest of the time, anything goes.
        std::vector<int> defined = d0.actions_from(d0.state_index(n.state));
        if (!defined.empty()) {
          const ActionDef& a = d0.action(pick(defined));
          if (a.id != "withdraw" || chance(0.05)) cmd.action = a.id;
          std::vector<const Actor*> able;
          for (const auto& x : actors) if (authorised(a.role, n, x, catalog.tree())) able.push_back(&x);
          if (!able.empty()) chosen = pick(able);
          cmd.expected_version = n.version;
          cmd.comment = "意见";
          if (cmd.action == "attach") {
            const Category& cat = *catalog.category(n.category);
            for (const auto& m : cat.materials) {
              auto have = std::count_if(n.attachments.begin(), n.attachments.end(), [&](const Attachment& x) { return x.material == m.id; });
              if (have < m.min) { cmd.attachment.material = m.id; cmd.attachment.content_type = m.types.front(); cmd.attachment.size = 10; break; }
            }
          }
        }
      }
      const Actor& actor = *chosen;
      std::optional<Quota> quota;
      if (chance(0.3)) quota = Quota{between(0, 3), between(0, 3)};
      const Definition& def = *catalog.definition(n.workflow_id, n.workflow_version);
      int from = def.state_index(n.state);
      ASSERT_GE(from, 0);
      int ai = def.action_from(from, cmd.action);
      auto d = decide(cmd, n, Context{actor, now, catalog, quota});
      if (!d) {
        ++codes[std::string(to_string(d.error().code))];
        if (ai >= 0 && !authorised(def.action(ai).role, n, actor, catalog.tree())) {
          EXPECT_EQ(d.error().code, Problem::forbidden) << actor.user << " " << cmd.action << " in " << n.state;
        }
        continue;
      }
      ++accepted;
      ASSERT_GE(ai, 0) << "accepted an action not defined from " << n.state;
      ASSERT_TRUE(authorised(def.action(ai).role, n, actor, catalog.tree()))
          << actor.user << " took " << cmd.action << " on " << n.id << " in " << n.state << " at office " << n.office;
      ASSERT_FALSE(d->empty());
      const Event& e = d->front();
      EXPECT_EQ(e.from, n.state);
      EXPECT_EQ(e.version, n.version + 1);
      EXPECT_GE(def.state_index(e.to), 0) << e.to;
      for (const auto& ev : *d) {
        log[ev.nomination_id].push_back(ev);
        if (ev.nomination_id == n.id) {
          n = apply(std::move(n), ev);
        } else {
          Nomination child = apply(Nomination{}, ev);
          ASSERT_NE(catalog.definition(child.workflow_id, child.workflow_version), nullptr);
          live[child.id] = child;
        }
      }
      ASSERT_GE(def.state_index(n.state), 0);
      ++states_reached[n.state];
      // A timer the engine announces must fire at its time.
      if (auto due = next_due(n, catalog)) {
        auto at = std::max(due->at, now);
        auto actions_due = due_actions(n, at, catalog);
        EXPECT_NE(std::find(actions_due.begin(), actions_due.end(), due->action), actions_due.end());
      }
    }
    // The fold of each nomination's events reproduces the state decide() worked on.
    for (const auto& [id, n] : live) {
      Nomination folded;
      for (const auto& e : log[id]) folded = apply(std::move(folded), e);
      ASSERT_EQ(folded, n) << id;
    }
  }
  std::string summary;
  for (const auto& [s, count] : states_reached) summary += s + "=" + std::to_string(count) + " ";
  RecordProperty("states", summary);
  std::cout << "[ random   ] " << sequences << " sequences, " << accepted << " accepted commands; states: " << summary << "\n";
  // The runs must actually reach deep into the workflow, or this test proves little.
  for (const char* s : {"county_review", "city_review", "province_review", "evaluation", "shortlisted", "publicity",
                        "publicity_closed", "named", "rejected", "withdrawn", "returned", "not_selected", "removed"}) {
    EXPECT_GT(states_reached[s], 0u) << "no run reached " << s;
  }
  for (const char* c : {"forbidden", "invalid_transition", "validation_failed", "version_conflict", "missing_materials",
                        "quota_exceeded"}) {
    EXPECT_GT(codes[c], 0u) << "no run produced " << c;
  }
}

}  // namespace
}  // namespace laurel::engine::testing
