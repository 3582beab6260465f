// decide + apply on a realistic command mix: whole journeys of county- and city-level nominations
// (materials, submit, return and resubmit, review, recommendation upward, three score sheets, close,
// approve, publicity close by the timer, naming), with one refused command in ten (wrong office,
// stale version). Each iteration takes one command, decides it and folds its events into the live
// nomination, as storage's writer does. Reproduce: deploy/bench.sh (or build/release/tests/engine_bench).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "engine/decide.h"
#include "web/catalog_files.h"

namespace {
using namespace laurel::engine;

const Catalog& catalog() {
  static const Catalog c = [] {
    auto loaded = laurel::web::load_catalog(LAUREL_WORKFLOWS_DIR);
    if (!loaded) {
      for (const auto& e : loaded.error()) std::cerr << e.to_string() << "\n";
      std::exit(1);
    }
    return std::move(*loaded);
  }();
  return c;
}

Actor person(std::string user, std::string role, std::string j) { return Actor{Actor::Kind::person, std::move(user), {{std::move(role), std::move(j)}}}; }

struct Step {
  Command cmd;
  const Actor* actor;
  Time at;
};

struct Script {
  Nomination initial;
  std::vector<Step> steps;
};

// Builds one journey by running it once (so that every step's expected_version is right).
Script journey(const std::string& level, int seed) {
  static const Actor unit = person("unit", "nominator", "620922213");
  static const Actor county_reviewer = person("cr", "reviewer", "620922");
  static const Actor county_approver = person("ca", "approver", "620922");
  static const Actor city_reviewer = person("ctr", "reviewer", "620900");
  static const Actor city_approver = person("cta", "approver", "620900");
  static const Actor dunhuang = person("dr", "reviewer", "620982");
  static const Actor system = Actor::system_actor();
  static const std::vector<Actor> county_panel{person("p1", "panelist", "620922"), person("p2", "panelist", "620922"), person("p3", "panelist", "620922")};
  static const std::vector<Actor> city_panel{person("q1", "panelist", "620900"), person("q2", "panelist", "620900"), person("q3", "panelist", "620900")};
  const Catalog& cat = catalog();
  Time now = 1547427600;

  Command create;
  create.action = "create";
  create.category = seed % 2 ? "family" : "village";
  create.level = level;
  create.year = 2018;
  create.jurisdiction = "620922213";
  create.nominee = std::map<std::string, std::string>{{"name", "马玉兰"}};
  for (const auto& f : cat.category(create.category)->nominee_fields) {
    if (f.required && f.id != "name") (*create.nominee)[f.id] = "1";
  }
  create.summary = "各民族邻里互帮互助，带头学习宣传党的民族政策，家庭和睦，热心公益。";
  create.new_id = "N" + std::to_string(seed);
  Script s;
  auto created = decide_create(create, Context{unit, now, cat, std::nullopt});
  if (!created) {
    std::cerr << "bench script: create refused: " << created.error().detail << "\n";
    std::exit(1);
  }
  s.initial = apply(Nomination{}, created->front());
  Nomination n = s.initial;

  auto run = [&](const Actor& a, Command c, bool expect_ok = true) {
    c.expected_version = c.expected_version.value_or(n.version);
    auto d = decide(c, n, Context{a, now, cat, std::nullopt});
    if (d.has_value() != expect_ok) {
      std::cerr << "bench script: " << c.action << " by " << a.user << " in " << n.state << ": "
                << (d ? "accepted" : d.error().detail) << "\n";
      std::exit(1);
    }
    s.steps.push_back({c, &a, now});
    if (d) for (const auto& e : *d) if (e.nomination_id == n.id) n = apply(std::move(n), e);
    now += 3600;
  };
  auto action = [](std::string a) { Command c; c.action = std::move(a); return c; };

  int file = 0;
  for (const auto& m : cat.category(n.category)->materials) {
    for (int i = 0; i < m.min; ++i) {
      Command c = action("attach");
      char hex[65];
      std::snprintf(hex, sizeof hex, "%064x", ++file);
      c.attachment = Attachment{m.id, hex, m.id + ".pdf", m.types.front(), 2048, 0};
      run(unit, c);
    }
  }
  run(unit, action("submit"));
  Command stale = action("accept");
  stale.expected_version = n.version - 1;
  run(county_reviewer, stale, false);
  Command ret = action("return");
  ret.comment = "请补充照片说明";
  run(county_reviewer, ret);
  run(unit, action("resubmit"));
  run(dunhuang, action("accept"), false);
  const Actor* reviewer = &county_reviewer;
  const Actor* approver = &county_approver;
  const std::vector<Actor>* panel = &county_panel;
  if (level == "city") {
    run(county_reviewer, action("recommend"));
    reviewer = &city_reviewer;
    approver = &city_approver;
    panel = &city_panel;
  }
  run(*reviewer, action("accept"));
  for (std::size_t i = 0; i < panel->size(); ++i) {
    Command c = action("score");
    for (const auto& ind : cat.category(n.category)->indicators) if (!ind.veto) c.points[ind.id] = ind.max - static_cast<int>(i % 2);
    run((*panel)[i], c);
  }
  run(*reviewer, action("close_evaluation"));
  Command approve = action("approve");
  approve.notice_id = "G2019-1";
  approve.notice_title = "2018年度民族团结进步示范拟命名公示";
  run(*approver, approve);
  now = n.publicity_ends;
  run(system, action("close_publicity"));
  Command name = action("name");
  name.document_no = "瓜民团发〔2019〕3号";
  run(*approver, name);
  return s;
}

void BM_DecideApply(benchmark::State& state) {
  std::vector<Script> scripts;
  for (int i = 0; i < 8; ++i) scripts.push_back(journey(i % 4 == 3 ? "city" : "county", i));
  std::size_t si = 0, step = 0;
  Nomination n = scripts[0].initial;
  std::int64_t accepted = 0, refused = 0;
  for (auto _ : state) {
    const Script& s = scripts[si];
    const Step& st = s.steps[step];
    auto d = decide(st.cmd, n, Context{*st.actor, st.at, catalog(), std::nullopt});
    if (d) {
      for (auto& e : *d) if (e.nomination_id == n.id) n = apply(std::move(n), e);
      ++accepted;
    } else {
      ++refused;
    }
    benchmark::DoNotOptimize(n.version);
    if (++step == s.steps.size()) {
      step = 0;
      si = (si + 1) % scripts.size();
      n = scripts[si].initial;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["accepted"] = static_cast<double>(accepted);
  state.counters["refused"] = static_cast<double>(refused);
}
BENCHMARK(BM_DecideApply);

// decide() alone on a nomination under review: the read-only part of a command.
void BM_DecideOnly(benchmark::State& state) {
  Script s = journey("county", 1);
  Nomination n = s.initial;
  const Actor unit = person("unit", "nominator", "620922213");
  Command c;
  c.action = "withdraw";
  c.expected_version = 1;
  for (auto _ : state) {
    auto d = decide(c, n, Context{unit, 1547427600, catalog(), std::nullopt});
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideOnly);

}  // namespace

BENCHMARK_MAIN();
