// Every row of DESIGN.md's workflow table, accepted and refused with the exact problem code, and the
// three-level chain. Runs the shipped definitions from workflows/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/fixture.h"

namespace laurel::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(Journey, CreateStartsAsDraftAtTheCountyOffice) {
  Nomination n = create();
  EXPECT_EQ(n.state, "draft");
  EXPECT_EQ(n.office, kGuazhou);
  EXPECT_EQ(n.office_level, "county");
  EXPECT_EQ(n.version, 1);
  EXPECT_EQ(n.workflow_id, "honours.county");
  EXPECT_EQ(n.owner, "unit");
}

TEST_F(Journey, CreateRefusals) {
  Command c;
  c.action = "create";
  c.category = "family";
  c.level = "county";
  c.year = 2018;
  c.jurisdiction = kDunhuang;  // outside the unit's subtree
  c.nominee = std::map<std::string, std::string>{{"name", "x"}};
  c.new_id = "N1";
  auto d = decide_create(c, Context{unit, now, catalog, std::nullopt});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Problem::forbidden);

  c.jurisdiction = kShuangta;
  c.category = "castle";
  d = decide_create(c, Context{unit, now, catalog, std::nullopt});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Problem::validation_failed);
  EXPECT_EQ(d.error().errors.front().field, "category");

  c.category = "family";
  c.nominee = std::map<std::string, std::string>{{"name", ""}, {"shoe_size", "42"}};
  c.summary = std::string(1501 * 3, '\0');
  for (std::size_t i = 0; i < c.summary->size(); i += 3) c.summary->replace(i, 3, "团");
  d = decide_create(c, Context{unit, now, catalog, std::nullopt});
  ASSERT_FALSE(d);
  std::vector<std::string> fields;
  for (const auto& e : d.error().errors) fields.push_back(e.field);
  EXPECT_THAT(fields, ::testing::IsSupersetOf({"nominee.name", "nominee.shoe_size", "summary"}));

  c.nominee = std::map<std::string, std::string>{{"name", "x"}};
  c.summary = "ok";
  c.jurisdiction = kJiuquan;  // above the county, where nominations start
  Actor city_unit = person("city_unit", {{"nominator", kJiuquan}});
  d = decide_create(c, Context{city_unit, now, catalog, std::nullopt});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().errors.front().field, "jurisdiction");

  Actor reviewer = county_reviewer;
  c.jurisdiction = kShuangta;
  d = decide_create(c, Context{reviewer, now, catalog, std::nullopt});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Problem::forbidden);
}

// draft → submit → county_review (nominator; required materials present)
TEST_F(Journey, Submit) {
  Nomination n = create();
  Rejection r = refused(Problem::missing_materials, unit, command("submit", n), n);
  EXPECT_EQ(r.errors.front().field, "materials.application_form");
  refused(Problem::forbidden, other_unit, command("submit", n), n);
  refused(Problem::forbidden, county_reviewer, command("submit", n), n);
  n = with_materials(n);
  n = ok(unit, "submit", n);
  EXPECT_EQ(n.state, "county_review");
  EXPECT_EQ(n.office, kGuazhou);
}

TEST_F(Journey, AttachChecksMaterialTypeAndCount) {
  Nomination n = create();
  Command c = command("attach", n);
  c.attachment = Attachment{"photos", std::string(64, 'a'), "a.exe", "application/x-msdownload", 10, 0};
  Rejection r = refused(Problem::validation_failed, unit, c, n);
  EXPECT_EQ(r.errors.front().field, "content_type");
  c.attachment.material = "passport";
  r = refused(Problem::validation_failed, unit, c, n);
  EXPECT_EQ(r.errors.front().field, "material");
  c.attachment = Attachment{"application_form", std::string(64, 'a'), "form.pdf", "application/pdf", 10, 0};
  n = ok(unit, c, n);
  EXPECT_EQ(n.attachments.size(), 1u);
  c = command("attach", n);
  c.attachment = Attachment{"application_form", std::string(64, 'b'), "form2.pdf", "application/pdf", 10, 0};
  r = refused(Problem::validation_failed, unit, c, n);  // max 1
  EXPECT_EQ(r.errors.front().field, "material");
  c = command("detach", n);
  c.attachment.sha256 = std::string(64, 'a');
  n = ok(unit, c, n);
  EXPECT_THAT(n.attachments, IsEmpty());
  refused(Problem::validation_failed, unit, command("detach", n), n);
}

TEST_F(Journey, EditInDraftAndReturnedOnly) {
  Nomination n = create();
  Command c = command("edit", n);
  c.summary = "新的事迹";
  n = ok(unit, c, n);
  EXPECT_EQ(n.summary, "新的事迹");
  c = command("edit", n);
  c.nominee = std::map<std::string, std::string>{{"name", ""}};
  Rejection r = refused(Problem::validation_failed, unit, c, n);
  EXPECT_EQ(r.errors.front().field, "nominee.name");
  n = submitted(n);
  c = command("edit", n);
  c.summary = "too late";
  refused(Problem::invalid_transition, unit, c, n);
}

// county_review → return → returned (reviewer; comment required); returned → resubmit → county_review
TEST_F(Journey, ReturnAndResubmit) {
  Nomination n = submitted(create());
  Rejection r = refused(Problem::validation_failed, county_reviewer, command("return", n), n);
  EXPECT_EQ(r.errors.front().field, "comment");
  refused(Problem::forbidden, dunhuang_reviewer, command("return", n), n);
  refused(Problem::forbidden, unit, command("return", n), n);
  Command c = command("return", n);
  c.comment = "请补充村（社区）意见";
  n = ok(county_reviewer, c, n);
  EXPECT_EQ(n.state, "returned");
  refused(Problem::forbidden, other_unit, command("resubmit", n), n);
  n = ok(unit, "resubmit", n);
  EXPECT_EQ(n.state, "county_review");
}

// county_review → reject → rejected (end; comment required)
TEST_F(Journey, Reject) {
  Nomination n = submitted(create());
  refused(Problem::validation_failed, county_reviewer, command("reject", n), n);
  Command c = command("reject", n);
  c.comment = "不符合申报条件";
  n = ok(county_reviewer, c, n);
  EXPECT_EQ(n.state, "rejected");
  EXPECT_THAT(available_actions(n, unit, catalog), IsEmpty());
  Rejection r = refused(Problem::invalid_transition, unit, command("withdraw", n), n);
  EXPECT_THAT(r.allowed_actions, IsEmpty());
}

// county_review → accept → evaluation
TEST_F(Journey, Accept) {
  Nomination n = submitted(create());
  refused(Problem::forbidden, dunhuang_reviewer, command("accept", n), n);
  refused(Problem::forbidden, county_approver, command("accept", n), n);
  n = ok(county_reviewer, "accept", n);
  EXPECT_EQ(n.state, "evaluation");
}

// evaluation → score (panelist; one sheet per panelist; points within each maximum)
TEST_F(Journey, Score) {
  Nomination n = ok(county_reviewer, "accept", submitted(create()));
  Command c = score_command(n, 95);
  c.points.begin()->second = 1000;
  Rejection r = refused(Problem::validation_failed, panelists[0], c, n);
  EXPECT_EQ(r.errors.front().field, "data.points." + c.points.begin()->first);
  c = score_command(n, 95);
  c.points.erase(c.points.begin());
  r = refused(Problem::validation_failed, panelists[0], c, n);
  EXPECT_THAT(r.errors.front().message, "required");
  c = score_command(n, 95);
  c.points["made_up"] = 1;
  refused(Problem::validation_failed, panelists[0], c, n);
  c = score_command(n, 50, true);
  c.veto_reason.clear();
  r = refused(Problem::validation_failed, panelists[0], c, n);
  EXPECT_EQ(r.errors.front().field, "data.veto_reason");
  refused(Problem::forbidden, county_reviewer, score_command(n, 95), n);
  refused(Problem::forbidden, person("city_p", {{"panelist", kJiuquan}}), score_command(n, 95), n);

  n = ok(panelists[0], score_command(n, 95), n);
  ASSERT_EQ(n.score_sheets.size(), 1u);
  EXPECT_EQ(n.score_sheets[0].total, 95);
  EXPECT_EQ(n.score_sheets[0].panelist, "p1");
  EXPECT_EQ(n.state, "evaluation");
  r = refused(Problem::validation_failed, panelists[0], score_command(n, 90), n);
  EXPECT_EQ(r.errors.front().field, "panelist");
}

TEST_F(Journey, PanelistWithADeclaredConflictCannotScore) {
  Nomination n = ok(county_reviewer, "accept", submitted(create()));
  refused(Problem::validation_failed, panelists[0], command("declare_conflict", n), n);  // reason required
  Command c = command("declare_conflict", n);
  c.reason = "申报人系本人亲属";
  n = ok(panelists[0], c, n);
  ASSERT_EQ(n.conflicts.size(), 1u);
  refused(Problem::forbidden, panelists[0], score_command(n, 95), n);
}

// evaluation → close_evaluation → shortlisted | not_selected (mean ≥ pass mark and no veto)
TEST_F(Journey, CloseEvaluation) {
  Nomination base = ok(county_reviewer, "accept", submitted(create()));
  Nomination two = scored(base, {95, 95});
  Rejection r = refused(Problem::validation_failed, county_reviewer, command("close_evaluation", two), two);
  EXPECT_EQ(r.errors.front().field, "score_sheets");
  refused(Problem::forbidden, panelists[0], command("close_evaluation", two), two);

  Nomination pass = ok(county_reviewer, "close_evaluation", scored(base, {95, 90, 85}));  // mean exactly 90
  EXPECT_EQ(pass.state, "shortlisted");
  EXPECT_EQ(pass.evaluation_mean_x100, 9000);
  EXPECT_TRUE(pass.evaluation_passed);

  Nomination fail = ok(county_reviewer, "close_evaluation", scored(base, {95, 90, 84}));  // mean 89.67
  EXPECT_EQ(fail.state, "not_selected");
  EXPECT_EQ(fail.evaluation_mean_x100, 8966);

  Nomination veto = ok(county_reviewer, "close_evaluation", scored(base, {100, 100, 100}, true));
  EXPECT_EQ(veto.state, "not_selected");
}

// shortlisted → approve → publicity (approver; quota; opens the window)
TEST_F(Journey, ApproveOpensAPublicityWindowInWorkingDays) {
  Nomination n = ok(county_reviewer, "close_evaluation", scored(ok(county_reviewer, "accept", submitted(create())), {95, 95, 95}));
  refused(Problem::forbidden, county_reviewer, command("approve", n), n);
  refused(Problem::forbidden, city_approver, command("approve", n), n);
  refused(Problem::quota_exceeded, county_approver, command("approve", n), n, Quota{198, 198});
  Command c = command("approve", n);
  c.days = 31;
  Rejection r = refused(Problem::validation_failed, county_approver, c, n);
  EXPECT_EQ(r.errors.front().field, "data.days");

  now = 1547776800;  // Friday 2019-01-18 10:00 +08:00
  c = command("approve", n);
  c.notice_id = "G1";
  n = ok(county_approver, c, n, Quota{198, 197});
  EXPECT_EQ(n.state, "publicity");
  EXPECT_EQ(format_rfc3339(n.publicity_starts), "2019-01-20T16:00:00Z");  // Monday 21 January, 00:00 in China
  EXPECT_EQ(format_rfc3339(n.publicity_ends), "2019-01-25T16:00:00Z");    // end of Friday 25 January
  EXPECT_EQ(n.notice_id, "G1");
}

// publicity → (public objection) → publicity, only while the window is open
TEST_F(Journey, PublicObjection) {
  Nomination n = in_publicity();
  Command c;
  c.action = "object";
  c.text = "该户存在违规问题";
  c.new_id = "O1";
  now = n.publicity_starts - 1;
  refused(Problem::invalid_transition, anonymous, c, n);
  now = n.publicity_starts + 3600;
  Command empty = c;
  empty.text = "  ";
  Rejection r = refused(Problem::validation_failed, anonymous, empty, n);
  EXPECT_EQ(r.errors.front().field, "text");
  n = ok(anonymous, c, n);
  ASSERT_EQ(n.objections.size(), 1u);
  EXPECT_EQ(n.objections[0].state, "open");
  EXPECT_EQ(n.objections[0].id, "O1");
  EXPECT_EQ(n.state, "publicity");
  now = n.publicity_ends;
  refused(Problem::invalid_transition, anonymous, c, n);
}

// publicity → uphold_objection → removed (reviewer; finding required)
TEST_F(Journey, UpholdObjection) {
  Nomination n = in_publicity();
  now = n.publicity_starts + 60;
  Command o;
  o.action = "object";
  o.text = "不属实";
  o.new_id = "O1";
  n = ok(anonymous, o, n);
  Command c = command("uphold_objection", n);
  c.objection_id = "O1";
  Rejection r = refused(Problem::validation_failed, county_reviewer, c, n);
  EXPECT_EQ(r.errors.front().field, "data.finding");
  c.finding = "经核实，反映情况属实";
  refused(Problem::forbidden, county_approver, c, n);
  c.objection_id = "O9";
  r = refused(Problem::validation_failed, county_reviewer, c, n);
  EXPECT_EQ(r.errors.front().field, "data.objection_id");
  c.objection_id = "O1";
  n = ok(county_reviewer, c, n);
  EXPECT_EQ(n.state, "removed");
  EXPECT_EQ(n.objections[0].state, "upheld");
  EXPECT_EQ(n.objections[0].resolved_by, "county_reviewer");
}

// publicity → dismiss_objection → publicity; (timer) → publicity_closed when no objection is open
TEST_F(Journey, DismissObjectionAndTheTimerCloses) {
  Nomination n = in_publicity();
  now = n.publicity_starts + 60;
  Command o;
  o.action = "object";
  o.text = "不属实";
  o.new_id = "O1";
  n = ok(anonymous, o, n);

  // The window ends while the objection is open: the timer is not due, the close is refused.
  EXPECT_FALSE(next_due(n, catalog).has_value());
  now = n.publicity_ends + 10;
  EXPECT_THAT(due_actions(n, now, catalog), IsEmpty());
  Command close;
  close.action = "close_publicity";
  refused(Problem::objections_open, system, close, n);
  refused(Problem::forbidden, county_reviewer, command("close_publicity", n), n);

  Command c = command("dismiss_objection", n);
  c.objection_id = "O1";
  c.finding = "经核实，反映情况不属实";
  n = ok(county_reviewer, c, n);
  EXPECT_EQ(n.state, "publicity");
  EXPECT_EQ(n.objections[0].state, "dismissed");

  // Now due at once (the window already ended).
  auto due = next_due(n, catalog);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->action, "close_publicity");
  EXPECT_EQ(due->at, n.publicity_ends);
  EXPECT_THAT(due_actions(n, now, catalog), ElementsAre("close_publicity"));
  n = ok(system, close, n);
  EXPECT_EQ(n.state, "publicity_closed");
}

TEST_F(Journey, PublicityTimerIsNotDueBeforeTheWindowEnds) {
  Nomination n = in_publicity();
  auto due = next_due(n, catalog);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->at, n.publicity_ends);
  now = n.publicity_ends - 1;
  EXPECT_THAT(due_actions(n, now, catalog), IsEmpty());
  Command close;
  close.action = "close_publicity";
  refused(Problem::invalid_transition, system, close, n);
  now = n.publicity_ends;
  EXPECT_THAT(due_actions(n, now, catalog), ElementsAre("close_publicity"));
}

// publicity_closed → name → named (approver; 文号 required; validity starts)
// named → revoke → revoked (reason required); named → (timer) → expired
TEST_F(Journey, NameRevokeAndExpire) {
  Nomination n = in_publicity();
  now = n.publicity_ends;
  Command close;
  close.action = "close_publicity";
  n = ok(system, close, n);
  Rejection r = refused(Problem::validation_failed, county_approver, command("name", n), n);
  EXPECT_EQ(r.errors.front().field, "data.document_no");
  Command c = command("name", n);
  c.document_no = "瓜民团发〔2019〕3号";
  refused(Problem::forbidden, county_reviewer, c, n);
  n = ok(county_approver, c, n);
  EXPECT_EQ(n.state, "named");
  EXPECT_EQ(n.document_no, "瓜民团发〔2019〕3号");
  EXPECT_EQ(n.named_at, now);
  EXPECT_EQ(n.valid_until, catalog.calendar().add_years(now, 5));

  refused(Problem::validation_failed, county_approver, command("revoke", n), n);
  Command rv = command("revoke", n);
  rv.reason = "违法违纪被查处";
  Nomination revoked = ok(county_approver, rv, n);
  EXPECT_EQ(revoked.state, "revoked");

  Command expire;
  expire.action = "expire";
  refused(Problem::invalid_transition, system, expire, n);
  ASSERT_TRUE(next_due(n, catalog));
  EXPECT_EQ(next_due(n, catalog)->action, "expire");
  now = n.valid_until;
  Nomination expired = ok(system, expire, n);
  EXPECT_EQ(expired.state, "expired");
}

// named → recommend → named, opening a linked nomination at the next level in that level's review
TEST_F(Journey, RecommendANamedNominationOpensALinkedOneAtTheCity) {
  Nomination n = in_publicity();
  now = n.publicity_ends;
  Command close;
  close.action = "close_publicity";
  n = ok(system, close, n);
  Command name = command("name", n);
  name.document_no = "瓜民团发〔2019〕3号";
  n = ok(county_approver, name, n);

  Command c = command("recommend", n);
  c.new_id = "N-city";
  refused(Problem::forbidden, city_reviewer, c, n);
  n = ok(county_reviewer, c, n);
  EXPECT_EQ(n.state, "named");
  EXPECT_THAT(n.children, ElementsAre("N-city"));
  ASSERT_EQ(last_events.size(), 2u);
  Nomination child = apply(Nomination{}, last_events[1]);
  EXPECT_EQ(child.id, "N-city");
  EXPECT_EQ(child.parent_id, n.id);
  EXPECT_EQ(child.state, "city_review");
  EXPECT_EQ(child.level, "city");
  EXPECT_EQ(child.office, kJiuquan);
  EXPECT_EQ(child.workflow_id, "honours.city");
  EXPECT_EQ(child.attachments, n.attachments);
  EXPECT_EQ(child.owner, "unit");

  c = command("recommend", n);
  c.new_id = "N-city2";
  refused(Problem::invalid_transition, county_reviewer, c, n);

  // The city takes it from there.
  refused(Problem::forbidden, county_reviewer, command("accept", child), child);
  child = ok(city_reviewer, "accept", child);
  EXPECT_EQ(child.state, "evaluation");
}

// any state before named → withdraw → withdrawn (nominator)
TEST_F(Journey, WithdrawFromEveryStateBeforeNamed) {
  std::vector<Nomination> states;
  Nomination n = create();
  states.push_back(n);
  n = submitted(n);
  states.push_back(n);
  Command ret = command("return", n);
  ret.comment = "补充";
  states.push_back(ok(county_reviewer, ret, n));
  n = ok(county_reviewer, "accept", n);
  states.push_back(n);
  n = ok(county_reviewer, "close_evaluation", scored(n, {95, 95, 95}));
  states.push_back(n);
  n = ok(county_approver, "approve", n);
  states.push_back(n);
  now = n.publicity_ends;
  Command close;
  close.action = "close_publicity";
  n = ok(system, close, n);
  states.push_back(n);
  std::vector<std::string> seen;
  for (const auto& s : states) {
    seen.push_back(s.state);
    refused(Problem::forbidden, other_unit, command("withdraw", s), s);
    refused(Problem::forbidden, county_reviewer, command("withdraw", s), s);
    EXPECT_EQ(ok(unit, "withdraw", s).state, "withdrawn") << s.state;
  }
  EXPECT_THAT(seen, ElementsAre("draft", "county_review", "returned", "evaluation", "shortlisted", "publicity", "publicity_closed"));
  Command name = command("name", n);
  name.document_no = "瓜民团发〔2019〕3号";
  n = ok(county_approver, name, n);
  refused(Problem::invalid_transition, unit, command("withdraw", n), n);
}

TEST_F(Journey, VersionConflict) {
  Nomination n = with_materials(create());
  Command c = command("submit", n);
  c.expected_version = n.version - 1;
  Rejection r = refused(Problem::version_conflict, unit, c, n);
  EXPECT_EQ(r.detail, "the nomination is at version " + std::to_string(n.version) + ", not " + std::to_string(n.version - 1));
  c.expected_version.reset();
  r = refused(Problem::validation_failed, unit, c, n);
  EXPECT_EQ(r.errors.front().field, "expected_version");
  // Authorisation comes first: a forbidden actor learns nothing about versions.
  c.expected_version = 999;
  refused(Problem::forbidden, other_unit, c, n);
}

TEST_F(Journey, InvalidTransitionListsTheActorsAllowedActions) {
  Nomination n = submitted(create());
  Rejection r = refused(Problem::invalid_transition, county_reviewer, command("close_evaluation", n), n);
  EXPECT_THAT(r.allowed_actions, ElementsAre("return", "reject", "accept"));
  EXPECT_THAT(available_actions(n, unit, catalog), ElementsAre("withdraw"));
  EXPECT_THAT(available_actions(n, dunhuang_reviewer, catalog), IsEmpty());
  // An action the actor could never take is forbidden, not an invalid transition.
  refused(Problem::forbidden, county_reviewer, command("approve", n), n);
  refused(Problem::forbidden, dunhuang_reviewer, command("close_evaluation", n), n);
}

TEST_F(Journey, Visibility) {
  Nomination n = create();
  EXPECT_TRUE(may_see(n, unit, catalog.tree()));
  EXPECT_FALSE(may_see(n, other_unit, catalog.tree()));
  EXPECT_FALSE(may_see(n, county_reviewer, catalog.tree()));  // drafts stay with the unit
  EXPECT_TRUE(may_see(n, auditor, catalog.tree()));
  n = submitted(n);
  EXPECT_TRUE(may_see(n, county_reviewer, catalog.tree()));
  EXPECT_TRUE(may_see(n, city_reviewer, catalog.tree()));
  EXPECT_FALSE(may_see(n, dunhuang_reviewer, catalog.tree()));
  EXPECT_FALSE(may_see(n, anonymous, catalog.tree()));
}

// A province-level nomination passes county and city review before province review; a return at the
// city goes back to the nominator and the resubmission comes back to the county.
TEST_F(Journey, ThreeLevelChain) {
  Nomination n = submitted(create("province"));
  EXPECT_EQ(n.workflow_id, "honours.province");
  EXPECT_EQ(n.state, "county_review");
  refused(Problem::forbidden, city_reviewer, command("recommend", n), n);  // still at the county
  refused(Problem::forbidden, province_reviewer, command("accept", n), n);
  Rejection r = refused(Problem::invalid_transition, county_reviewer, command("accept", n), n);
  EXPECT_THAT(r.allowed_actions, ElementsAre("return", "reject", "recommend"));

  n = ok(county_reviewer, "recommend", n);
  EXPECT_EQ(n.state, "city_review");
  EXPECT_EQ(n.office, kJiuquan);
  EXPECT_EQ(n.office_level, "city");
  refused(Problem::forbidden, county_reviewer, command("return", n), n);

  Command ret = command("return", n);
  ret.comment = "请补充事迹材料";
  n = ok(city_reviewer, ret, n);
  EXPECT_EQ(n.state, "returned");
  EXPECT_EQ(n.office, kGuazhou);
  n = ok(unit, "resubmit", n);
  EXPECT_EQ(n.state, "county_review");
  EXPECT_EQ(n.office, kGuazhou);

  n = ok(county_reviewer, "recommend", n);
  n = ok(city_reviewer, "recommend", n);
  EXPECT_EQ(n.state, "province_review");
  EXPECT_EQ(n.office, kGansu);
  refused(Problem::forbidden, city_reviewer, command("accept", n), n);
  n = ok(province_reviewer, "accept", n);
  EXPECT_EQ(n.state, "evaluation");
  EXPECT_EQ(n.office, kGansu);
  // County panelists cannot score at the province.
  refused(Problem::forbidden, panelists[0], score_command(n, 95), n);
}

TEST_F(Journey, ProvinceNamingCannotBeRecommendedFurther) {
  Nomination n = submitted(create("province"));
  n = ok(county_reviewer, "recommend", n);
  n = ok(city_reviewer, "recommend", n);
  n = ok(province_reviewer, "accept", n);
  std::vector<Actor> ps{person("q1", {{"panelist", kGansu}}), person("q2", {{"panelist", kGansu}}), person("q3", {{"panelist", kGansu}})};
  for (auto& p : ps) n = ok(p, score_command(n, 96), n);
  n = ok(province_reviewer, "close_evaluation", n);
  n = ok(person("pa", {{"approver", kGansu}}), "approve", n);
  now = n.publicity_ends;
  Command close;
  close.action = "close_publicity";
  n = ok(system, close, n);
  Command name = command("name", n);
  name.document_no = "甘民宗发〔2019〕1号";
  n = ok(person("pa", {{"approver", kGansu}}), name, n);
  Command c = command("recommend", n);
  c.new_id = "N-national";
  Rejection r = refused(Problem::invalid_transition, province_reviewer, c, n);
  EXPECT_EQ(r.detail, "there is no level above province to recommend to");
}

}  // namespace
}  // namespace laurel::engine::testing
