#include "tests/engine/fixture.h"

namespace laurel::engine::testing {

const Catalog& shipped_catalog() {
  static const Catalog catalog = [] {
    auto c = web::load_catalog(LAUREL_WORKFLOWS_DIR);
    if (!c) {
      for (const auto& e : c.error()) ADD_FAILURE() << e.to_string();
      std::abort();
    }
    return std::move(*c);
  }();
  return catalog;
}

Nomination Journey::create(const std::string& level, const std::string& category) {
  Command c;
  c.action = "create";
  c.category = category;
  c.level = level;
  c.year = 2018;
  c.jurisdiction = kShuangta;
  c.nominee = std::map<std::string, std::string>{{"name", "马玉兰"}};
  const Category* cat = catalog.category(category);
  for (const auto& f : cat->nominee_fields) {
    if (f.required && f.id != "name") (*c.nominee)[f.id] = f.id == "contact_phone" ? "13800000000" : "x";
  }
  c.summary = "各民族邻里互帮互助，带头学习宣传党的民族政策。";
  c.new_id = next_id();
  auto d = decide_create(c, Context{unit, now, catalog, std::nullopt});
  EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().detail);
  Nomination n;
  for (const auto& e : *d) n = apply(std::move(n), e);
  return n;
}

Nomination Journey::ok(const Actor& actor, const Command& cmd, const Nomination& n, std::optional<Quota> quota) {
  auto d = decide_as(actor, cmd, n, quota);
  if (!d) {
    ADD_FAILURE() << actor.user << " " << cmd.action << " on " << n.state << " refused: " << to_string(d.error().code) << ": "
                  << d.error().detail << (d.error().errors.empty() ? "" : " (" + d.error().errors.front().field + ": " + d.error().errors.front().message + ")");
    return n;
  }
  last_events = *d;
  Nomination out = n;
  for (const auto& e : *d) {
    if (e.nomination_id == n.id) out = apply(std::move(out), e);
  }
  return out;
}

Rejection Journey::refused(Problem code, const Actor& actor, const Command& cmd, const Nomination& n, std::optional<Quota> quota) {
  auto d = decide_as(actor, cmd, n, quota);
  if (d) {
    ADD_FAILURE() << actor.user << " " << cmd.action << " on " << n.state << " was accepted; expected " << to_string(code);
    return Rejection{code, "", {}, {}};
  }
  EXPECT_EQ(to_string(d.error().code), to_string(code)) << d.error().detail;
  return d.error();
}

Nomination Journey::with_materials(Nomination n) {
  const Category* cat = catalog.category(n.category);
  int file = 0;
  for (const auto& m : cat->materials) {
    for (int i = 0; i < m.min; ++i) {
      Command c = command("attach", n);
      c.attachment.material = m.id;
      c.attachment.content_type = m.types.front();
      c.attachment.filename = m.id + std::to_string(i) + ".bin";
      c.attachment.size = 1000 + file;
      char hex[65];
      std::snprintf(hex, sizeof hex, "%064x", ++file + ids * 1000);
      c.attachment.sha256 = hex;
      n = ok(unit, c, n);
    }
  }
  return n;
}

Command Journey::score_command(const Nomination& n, int total, bool veto) {
  Command c = command("score", n);
  const Category* cat = catalog.category(n.category);
  int left = total;
  for (const auto& ind : cat->indicators) {
    if (ind.veto) continue;
    int p = std::min(ind.max, left);
    c.points[ind.id] = p;
    left -= p;
  }
  c.veto = veto;
  if (veto) c.veto_reason = "家庭成员有违法行为";
  return c;
}

Nomination Journey::scored(Nomination n, const std::vector<int>& totals, bool veto_last) {
  for (std::size_t i = 0; i < totals.size(); ++i) {
    n = ok(panelists[i], score_command(n, totals[i], veto_last && i + 1 == totals.size()), n);
  }
  return n;
}

Nomination Journey::in_publicity() {
  Nomination n = submitted(create());
  n = ok(county_reviewer, "accept", n);
  n = scored(n, {95, 92, 90});
  n = ok(county_reviewer, "close_evaluation", n);
  Command c = command("approve", n);
  c.notice_id = "G1";
  c.notice_title = "2018年度瓜州县民族团结进步示范家庭拟命名公示";
  return ok(county_approver, c, n);
}

Nomination Journey::objected() {
  Nomination n = in_publicity();
  now = n.publicity_starts + 10;
  Command o;
  o.action = "object";
  o.text = "反映“问题”\n第二行";
  o.new_id = "O1";
  o.has_contact = true;
  return ok(anonymous, o, n);
}

}  // namespace laurel::engine::testing
