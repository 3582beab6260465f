// Tests of the data loaders: workflow definitions (load_definition and its validator), categories,
// the jurisdiction tree, the shipped workflows folder (load_catalog) and `laurel workflows check`.
// Each malformed example starts from a small valid text and breaks one thing; the test asserts the
// exact error a person editing the file would read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/category.h"
#include "engine/definition.h"
#include "engine/jurisdiction.h"
#include "web/catalog_files.h"
#include "web/cli_workflows.h"

using namespace laurel::engine;
namespace fs = std::filesystem;

namespace {

const fs::path kWorkflows{LAUREL_WORKFLOWS_DIR};

const std::vector<std::string> kLevels{"province", "city", "county", "township"};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// Replaces the one occurrence of `from` in `text`; fails the test when there is not exactly one, so
// that a typo in a test cannot silently leave the text valid.
std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "not found: " << from;
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "found twice: " << from;
  return text.replace(at, from.size(), to);
}

std::vector<std::string> strings(const LoadErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.to_string());
  return out;
}

// --- Workflow definitions ----------------------------------------------------------------------

// A small definition that is valid: every kind of target (to, stay, branches), a guard and an effect
// with parameters, a timer, a state without an office (keeps the previous one).
std::string valid_definition() {
  return R"json({
  "id": "test.county",
  "version": 1,
  "name": "测试流程",
  "target_level": "county",
  "initial": "draft",
  "states": [
    {"id": "draft", "name": "草稿", "office": "county"},
    {"id": "county_review", "name": "县级审核", "office": "county"},
    {"id": "publicity", "name": "公示中"},
    {"id": "named", "name": "已命名", "terminal": true},
    {"id": "rejected", "name": "不予通过", "terminal": true}
  ],
  "actions": [
    {"id": "submit", "name": "提交", "from": "draft", "to": "county_review", "role": "nominator",
     "guards": [{"type": "materials_complete"}]},
    {"id": "reject", "name": "不予通过", "from": ["county_review"], "to": "rejected", "role": "reviewer",
     "guards": [{"type": "comment_required", "min_length": 2}]},
    {"id": "note", "name": "备注", "from": "county_review", "stay": true, "role": "reviewer"},
    {"id": "approve", "name": "审定公示", "from": "county_review",
     "branches": [{"if": "evaluation_passed", "to": "publicity"}, {"to": "rejected"}], "role": "approver",
     "effects": [{"type": "open_publicity", "days": 5, "max_days": 30}]},
    {"id": "close_publicity", "name": "公示期满", "from": "publicity", "to": "named", "role": "system"}
  ],
  "timers": [
    {"id": "publicity_ends", "state": "publicity", "at": "publicity_ends", "action": "close_publicity"}
  ]
})json";
}

// Loads `text` as bad.json, expects it to fail, and returns every error as "FILE: ELEMENT: MESSAGE".
std::vector<std::string> definition_errors(const std::string& text) {
  auto d = load_definition(text, "bad.json", kLevels);
  EXPECT_FALSE(d.has_value()) << "loaded although it should not";
  if (d) return {};
  return strings(d.error());
}

std::string first_definition_error(const std::string& text) {
  auto errors = definition_errors(text);
  return errors.empty() ? std::string("(no error)") : errors.front();
}

TEST(Definition, ValidMinimalDefinitionLoads) {
  auto d = load_definition(valid_definition(), "good.json", kLevels);
  ASSERT_TRUE(d.has_value()) << strings(d.error()).front();
  EXPECT_EQ(d->id, "test.county");
  EXPECT_EQ(d->version, 1);
  EXPECT_EQ(d->target_level, "county");
  ASSERT_EQ(d->states.size(), 5u);
  EXPECT_EQ(d->state(d->initial).id, "draft");
  EXPECT_EQ(d->linked_entry, -1);
  EXPECT_FALSE(d->state(d->state_index("publicity")).office.has_value());
  EXPECT_TRUE(d->state(d->state_index("named")).terminal);

  int review = d->state_index("county_review");
  ASSERT_GE(review, 0);
  std::vector<std::string> from_review;
  for (int a : d->actions_from(review)) from_review.push_back(d->action(a).id);
  EXPECT_EQ(from_review, (std::vector<std::string>{"reject", "note", "approve"}));

  const auto& reject = d->action(d->action_from(review, "reject"));
  EXPECT_EQ(reject.role, Role::reviewer);
  EXPECT_EQ(reject.to, d->state_index("rejected"));
  ASSERT_EQ(reject.guards.size(), 1u);
  EXPECT_EQ(reject.guards[0].kind, GuardKind::comment_required);
  EXPECT_EQ(reject.guards[0].params.min_length, 2);

  const auto& approve = d->action(d->action_from(review, "approve"));
  EXPECT_EQ(approve.to, -1);
  ASSERT_EQ(approve.branches.size(), 2u);
  EXPECT_EQ(approve.branches[0].when, Predicate::evaluation_passed);
  EXPECT_EQ(approve.branches[0].to, d->state_index("publicity"));
  EXPECT_FALSE(approve.branches[1].when.has_value());
  ASSERT_EQ(approve.effects.size(), 1u);
  EXPECT_EQ(approve.effects[0].kind, EffectKind::open_publicity);
  EXPECT_EQ(approve.effects[0].params.days, 5);

  EXPECT_TRUE(d->action(d->action_from(review, "note")).stay);
  EXPECT_EQ(d->action_from(review, "submit"), -1);
  EXPECT_TRUE(d->has_action("close_publicity"));
  EXPECT_FALSE(d->has_action("name"));

  ASSERT_EQ(d->timers.size(), 1u);
  EXPECT_EQ(d->timers[0].state, d->state_index("publicity"));
  EXPECT_EQ(d->timers[0].at, TimerField::publicity_ends);
  EXPECT_EQ(d->action(d->timers[0].action).id, "close_publicity");
}

TEST(Definition, RolesRoundTrip) {
  for (auto r : {Role::nominator, Role::reviewer, Role::panelist, Role::approver, Role::public_, Role::system}) {
    EXPECT_EQ(parse_role(to_string(r)), r);
  }
  EXPECT_EQ(to_string(Role::public_), "public");
  EXPECT_FALSE(parse_role("auditor").has_value());
  EXPECT_FALSE(parse_role("Reviewer").has_value());
}

TEST(DefinitionErrors, UnknownTargetState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("to": "county_review")", R"("to": "county_reveiw")")),
            (std::vector<std::string>{R"(bad.json: action "submit": unknown target state "county_reveiw")"}));
}

TEST(DefinitionErrors, UnknownSourceState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("from": ["county_review"])", R"("from": ["county_reviw"])")),
            (std::vector<std::string>{R"(bad.json: action "reject": unknown source state "county_reviw")"}));
}

TEST(DefinitionErrors, SourceStateListedTwice) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("from": ["county_review"])",
                                           R"("from": ["county_review", "county_review"])")),
            (std::vector<std::string>{R"(bad.json: action "reject": source state "county_review" listed twice)"}));
}

TEST(DefinitionErrors, EmptyFromList) {
  EXPECT_EQ(first_definition_error(replace_once(valid_definition(), R"("from": ["county_review"])", R"("from": [])")),
            R"(bad.json: action "reject": "from" lists no state)");
}

TEST(DefinitionErrors, UnknownStateInBranch) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"to": "rejected"})", R"({"to": "rejectd"})")),
            (std::vector<std::string>{R"(bad.json: action "approve": unknown target state "rejectd")"}));
}

TEST(DefinitionErrors, UnknownBranchCondition) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("if": "evaluation_passed")", R"("if": "passed")")),
            (std::vector<std::string>{
                R"(bad.json: action "approve": branch condition "passed" is unknown (known: evaluation_passed))"}));
}

TEST(DefinitionErrors, UnknownInitialState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("initial": "draft")", R"("initial": "drafts")")),
            (std::vector<std::string>{R"(bad.json: initial: unknown state "drafts")"}));
}

TEST(DefinitionErrors, TerminalInitialState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("initial": "draft")", R"("initial": "named")")),
            (std::vector<std::string>{"bad.json: initial: the initial state must not be terminal",
                                      "bad.json: initial: the initial state needs an office level"}));
}

TEST(DefinitionErrors, UnknownLinkedEntry) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("initial": "draft",)",
                                           R"("initial": "draft", "linked_entry": "city_review",)")),
            (std::vector<std::string>{R"(bad.json: linked_entry: unknown state "city_review")"}));
}

TEST(DefinitionErrors, UnknownStateInTimer) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("state": "publicity")", R"("state": "publicty")")),
            (std::vector<std::string>{R"(bad.json: timer "publicity_ends": unknown state "publicty")"}));
}

TEST(DefinitionErrors, UnknownTimerField) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("at": "publicity_ends")", R"("at": "publicity_end")")),
            (std::vector<std::string>{
                R"(bad.json: timer "publicity_ends": unknown time "publicity_end" (known: publicity_ends, valid_until))"}));
}

TEST(DefinitionErrors, UnknownRole) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("role": "reviewer",)", R"("role": "reviewr",)")),
            (std::vector<std::string>{R"(bad.json: action "reject": unknown role "reviewr" )"
                                      "(known: nominator, reviewer, panelist, approver, public, system)"}));
}

TEST(DefinitionErrors, UnknownOfficeLevel) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("name": "草稿", "office": "county")",
                                           R"("name": "草稿", "office": "countie")")),
            (std::vector<std::string>{
                R"(bad.json: state "draft": unknown office level "countie" (known: province, city, county, township))"}));
}

TEST(DefinitionErrors, UnknownTargetLevel) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("target_level": "county")", R"("target_level": "nation")")),
            (std::vector<std::string>{
                R"(bad.json: target_level: unknown level "nation" (known: province, city, county, township))",
                R"(bad.json: target_level: no state is held by an office at the target level "nation")"}));
}

TEST(DefinitionErrors, TargetLevelWithoutAnOffice) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("target_level": "county")", R"("target_level": "city")")),
            (std::vector<std::string>{R"(bad.json: target_level: no state is held by an office at the target level "city")"}));
}

TEST(DefinitionErrors, UnknownGuardType) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"type": "materials_complete"})",
                                           R"({"type": "materials_completed"})")),
            (std::vector<std::string>{
                R"(bad.json: action "submit": guard "materials_completed" is unknown (known: materials_complete, )"
                "comment_required, reason_required, finding_required, document_no_required, score_sheet_valid, "
                "no_conflict, evaluation_complete, quota_available, no_open_objections, publicity_open, "
                "publicity_ended, validity_ended, objection_valid, nominee_valid, material_valid, attachment_exists, "
                "has_next_level, not_yet_recommended)"}));
}

TEST(DefinitionErrors, GuardWithoutType) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"type": "materials_complete"})",
                                           R"({"kind": "materials_complete"})")),
            (std::vector<std::string>{R"(bad.json: action "submit": guard has no "type")"}));
}

TEST(DefinitionErrors, GuardWithUnknownParameter) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("min_length": 2)", R"("min_len": 2)")),
            (std::vector<std::string>{
                R"(bad.json: action "reject": guard "comment_required": unknown parameter "min_len" (it takes: min_length))"}));
}

TEST(DefinitionErrors, GuardThatTakesNoParameters) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"type": "materials_complete"})",
                                           R"({"type": "materials_complete", "min": 1})")),
            (std::vector<std::string>{
                R"(bad.json: action "submit": guard "materials_complete": unknown parameter "min" (it takes none))"}));
}

TEST(DefinitionErrors, GuardParameterOfWrongType) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("min_length": 2)", R"("min_length": "2")")),
            (std::vector<std::string>{
                R"(bad.json: action "reject": guard "comment_required": parameter "min_length" must be a non-negative integer)"}));
  EXPECT_EQ(first_definition_error(replace_once(valid_definition(), R"("min_length": 2)", R"("min_length": -1)")),
            R"(bad.json: action "reject": guard "comment_required": parameter "min_length" must be a non-negative integer)");
}

TEST(DefinitionErrors, UnknownEffect) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("type": "open_publicity")", R"("type": "open_publicty")")),
            (std::vector<std::string>{
                R"(bad.json: action "approve": effect "open_publicty" is unknown (known: record_edit, record_material, )"
                "remove_material, record_score, record_conflict, record_objection, resolve_objection, "
                "record_evaluation, open_publicity, record_naming, open_linked_nomination)"}));
}

TEST(DefinitionErrors, EffectParameterOutOfRange) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("days": 5)", R"("days": 31)")),
            (std::vector<std::string>{R"(bad.json: action "approve": effect "open_publicity": needs 1 <= days <= max_days)"}));
}

TEST(DefinitionErrors, UnreachableState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"id": "rejected", "name": "不予通过", "terminal": true})",
                                           R"({"id": "rejected", "name": "不予通过", "terminal": true},
    {"id": "archived", "name": "归档", "terminal": true})")),
            (std::vector<std::string>{R"(bad.json: state "archived": unreachable from the initial state "draft")"}));
}

TEST(DefinitionErrors, NonTerminalStateWithoutExit) {
  // "named" loses its terminal flag and gains only an action that stays: that is no way out.
  auto text = replace_once(valid_definition(), R"({"id": "named", "name": "已命名", "terminal": true})",
                           R"({"id": "named", "name": "已命名"})");
  text = replace_once(text, R"({"id": "note", "name": "备注", "from": "county_review",)",
                      R"({"id": "note", "name": "备注", "from": ["county_review", "named"],)");
  EXPECT_EQ(definition_errors(text),
            (std::vector<std::string>{R"(bad.json: state "named": is not terminal but no action leads out of it)"}));
}

TEST(DefinitionErrors, DuplicateActionFromOneState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"id": "note", "name": "备注",)",
                                           R"({"id": "reject", "name": "备注",)")),
            (std::vector<std::string>{R"(bad.json: action "reject": defined twice from state "county_review")"}));
}

TEST(DefinitionErrors, SameActionFromDifferentStatesIsAllowed) {
  // The shipped city and province definitions have several "recommend" actions, one per state.
  auto text = replace_once(valid_definition(), R"({"id": "note", "name": "备注", "from": "county_review",)",
                           R"({"id": "submit", "name": "备注", "from": "county_review",)");
  auto d = load_definition(text, "good.json", kLevels);
  ASSERT_TRUE(d.has_value()) << strings(d.error()).front();
  EXPECT_GE(d->action_from(d->state_index("draft"), "submit"), 0);
  EXPECT_GE(d->action_from(d->state_index("county_review"), "submit"), 0);
}

TEST(DefinitionErrors, ActionLeavingTerminalState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("from": ["county_review"])",
                                           R"("from": ["county_review", "named"])")),
            (std::vector<std::string>{R"(bad.json: action "reject": leaves terminal state "named")"}));
}

TEST(DefinitionErrors, TimerWithoutTargetAction) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"(, "action": "close_publicity")", "")),
            (std::vector<std::string>{R"(bad.json: timer "publicity_ends": has no target action)"}));
}

TEST(DefinitionErrors, TimerWithUnknownAction) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("action": "close_publicity")", R"("action": "close")")),
            (std::vector<std::string>{R"(bad.json: timer "publicity_ends": target action "close" does not exist)"}));
}

TEST(DefinitionErrors, TimerActionDoesNotLeaveItsState) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("action": "close_publicity")", R"("action": "reject")")),
            (std::vector<std::string>{
                R"(bad.json: timer "publicity_ends": target action "reject" does not leave state "publicity")"}));
}

TEST(DefinitionErrors, TimerActionNotOfRoleSystem) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("to": "named", "role": "system")",
                                           R"("to": "named", "role": "approver")")),
            (std::vector<std::string>{
                R"(bad.json: timer "publicity_ends": target action "close_publicity" must have role "system")"}));
}

TEST(DefinitionErrors, MisspeltKey) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("name": "已命名", "terminal": true)",
                                           R"("name": "已命名", "terminall": true)")),
            (std::vector<std::string>{R"(bad.json: states[3]: unknown key "terminall")"}));
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("timers": [)", R"("timer": [)")),
            (std::vector<std::string>{R"(bad.json: (top level): unknown key "timer")"}));
}

TEST(DefinitionErrors, MissingRequiredKey) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("to": "rejected", "role": "reviewer",)", R"("to": "rejected",)")),
            (std::vector<std::string>{R"(bad.json: actions[1]: missing required key "role")"}));
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), "\"version\": 1,", "")),
            (std::vector<std::string>{R"(bad.json: (top level): missing required key "version")"}));
}

TEST(DefinitionErrors, ValueOfWrongType) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("version": 1)", R"("version": "1")")),
            (std::vector<std::string>{"bad.json: version: expected an integer"}));
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("stay": true)", R"("stay": "yes")")),
            (std::vector<std::string>{"bad.json: actions[2].stay: expected true or false",
                                      R"(bad.json: action "note": needs exactly one of "to", "stay": true or "branches")"}));
}

TEST(DefinitionErrors, ActionWithBothToAndStay) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("to": "county_review", "role": "nominator")",
                                           R"("to": "county_review", "stay": true, "role": "nominator")")),
            (std::vector<std::string>{R"(bad.json: action "submit": needs exactly one of "to", "stay": true or "branches")"}));
}

TEST(DefinitionErrors, ActionWithoutTarget) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("stay": true, )", "")),
            (std::vector<std::string>{R"(bad.json: action "note": needs exactly one of "to", "stay": true or "branches")"}));
}

TEST(DefinitionErrors, BranchesWithoutFallback) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"to": "rejected"})",
                                           R"({"if": "evaluation_passed", "to": "rejected"})")),
            (std::vector<std::string>{R"(bad.json: action "approve": the last branch must be the fallback (without "if"))"}));
}

TEST(DefinitionErrors, EmptyBranches) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(),
                                           R"([{"if": "evaluation_passed", "to": "publicity"}, {"to": "rejected"}])", "[]")),
            (std::vector<std::string>{R"(bad.json: action "approve": the last branch must be the fallback (without "if"))"}));
}

TEST(DefinitionErrors, FallbackBranchNotLast) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(),
                                           R"([{"if": "evaluation_passed", "to": "publicity"}, {"to": "rejected"}])",
                                           R"([{"to": "rejected"}, {"if": "evaluation_passed", "to": "publicity"}])")),
            (std::vector<std::string>{R"(bad.json: action "approve": the last branch must be the fallback (without "if"))",
                                      R"(bad.json: action "approve": only the last branch may lack "if")"}));
}

TEST(DefinitionErrors, InvalidJsonSyntax) {
  // A missing comma at the end of line 3: the parser stops at the next key, line 4, column 3.
  auto text = replace_once(valid_definition(), "\"version\": 1,", "\"version\": 1");
  EXPECT_EQ(definition_errors(text), (std::vector<std::string>{"bad.json: line 4, column 3: invalid JSON: syntax error"}));
  // Columns count characters, not bytes: "测试流程" is 4 columns, 12 bytes.
  text = replace_once(valid_definition(), R"("name": "测试流程",)", R"("name": "测试流程" x,)");
  EXPECT_EQ(first_definition_error(text), "bad.json: line 4, column 18: invalid JSON: syntax error");
}

TEST(DefinitionErrors, TrailingGarbageAndEmptyText) {
  EXPECT_EQ(definition_errors(valid_definition() + "\n}"),
            (std::vector<std::string>{"bad.json: line 29, column 1: invalid JSON: extra data"}));
  EXPECT_EQ(definition_errors(valid_definition() + " {}"),
            (std::vector<std::string>{"bad.json: line 28, column 3: invalid JSON: extra data"}));
  // Trailing whitespace is fine.
  EXPECT_TRUE(load_definition(valid_definition() + "\n\t \r\n", "good.json", kLevels).has_value());
  EXPECT_EQ(first_definition_error(""), "bad.json: line 1, column 1: invalid JSON: incomplete JSON");
  EXPECT_EQ(definition_errors("[]"), (std::vector<std::string>{"bad.json: (top level): expected an object"}));
}

TEST(DefinitionErrors, DuplicateStateId) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"({"id": "rejected", "name": "不予通过", "terminal": true})",
                                           R"({"id": "rejected", "name": "不予通过", "terminal": true},
    {"id": "draft", "name": "草稿二", "office": "county"})")),
            (std::vector<std::string>{R"(bad.json: state "draft": defined twice)"}));
}

TEST(DefinitionErrors, NonPositiveVersion) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("version": 1)", R"("version": 0)")),
            (std::vector<std::string>{"bad.json: version: must be an integer from 1 to 1000000"}));
}

TEST(DefinitionErrors, EveryProblemIsReported) {
  // Structural problems in different elements are all reported, in file order.
  auto text = replace_once(valid_definition(), R"("to": "county_review")", R"("to": "county_reveiw")");
  text = replace_once(text, R"("role": "reviewer",)", R"("role": "reviewr",)");
  text = replace_once(text, R"("action": "close_publicity")", R"("action": "close")");
  EXPECT_EQ(definition_errors(text),
            (std::vector<std::string>{R"(bad.json: action "submit": unknown target state "county_reveiw")",
                                      R"(bad.json: action "reject": unknown role "reviewr" )"
                                      "(known: nominator, reviewer, panelist, approver, public, system)",
                                      R"(bad.json: timer "publicity_ends": target action "close" does not exist)"}));
}

// --- The shipped workflows folder ----------------------------------------------------------------

std::vector<std::string> shipped_levels() {
  auto tree = JurisdictionTree::load(read_file(kWorkflows / "jurisdictions.json"), "jurisdictions.json");
  EXPECT_TRUE(tree.has_value());
  return tree ? tree->levels() : std::vector<std::string>{};
}

TEST(ShippedDefinitions, AllThreeLoad) {
  auto levels = shipped_levels();
  EXPECT_EQ(levels, kLevels);
  struct Expected {
    std::string file, id, level, entry;
    std::size_t states;
  };
  for (const auto& e : {Expected{"county.json", "honours.county", "county", "", 14},
                        Expected{"city.json", "honours.city", "city", "city_review", 15},
                        Expected{"province.json", "honours.province", "province", "province_review", 16}}) {
    SCOPED_TRACE(e.file);
    auto path = kWorkflows / "definitions" / e.file;
    auto d = load_definition(read_file(path), path.string(), levels);
    ASSERT_TRUE(d.has_value()) << strings(d.error()).front();
    EXPECT_EQ(d->id, e.id);
    EXPECT_EQ(d->version, 1);
    EXPECT_EQ(d->target_level, e.level);
    EXPECT_EQ(d->states.size(), e.states);
    EXPECT_EQ(d->state(d->initial).id, "draft");
    if (e.entry.empty()) EXPECT_EQ(d->linked_entry, -1);
    else EXPECT_EQ(d->state(d->linked_entry).id, e.entry);
    ASSERT_EQ(d->timers.size(), 2u);
    // The contract's names: submit goes to the county review, every review can return and reject.
    int draft = d->state_index("draft");
    int submit = d->action_from(draft, "submit");
    ASSERT_GE(submit, 0);
    EXPECT_EQ(d->state(d->action(submit).to).id, "county_review");
    EXPECT_GE(d->action_from(d->state_index(e.level + "_review"), "return"), 0);
    EXPECT_GE(d->action_from(d->state_index(e.level + "_review"), "reject"), 0);
    EXPECT_GE(d->action_from(d->state_index(e.level + "_review"), "accept"), 0);
    EXPECT_GE(d->action_from(d->state_index("named"), "recommend"), 0);
  }
}

TEST(ShippedDefinitions, LoadCatalogSucceeds) {
  auto catalog = laurel::web::load_catalog(LAUREL_WORKFLOWS_DIR);
  ASSERT_TRUE(catalog.has_value()) << strings(catalog.error()).front();
  EXPECT_EQ(catalog->definitions().size(), 3u);
  for (std::string level : {"county", "city", "province"}) {
    const auto* d = catalog->definition_for_level(level);
    ASSERT_NE(d, nullptr) << level;
    EXPECT_EQ(d->id, "honours." + level);
  }
  EXPECT_EQ(catalog->definition_for_level("township"), nullptr);
  EXPECT_EQ(catalog->categories().size(), 12u);
  EXPECT_NE(catalog->category("family"), nullptr);
  EXPECT_TRUE(catalog->calendar().covers(2019));
  EXPECT_NE(catalog->tree().find("620922209"), nullptr);
}

// --- Categories ----------------------------------------------------------------------------------

TEST(Categories, ShippedFile) {
  auto path = kWorkflows / "categories.json";
  auto cats = load_categories(read_file(path), path.string(), shipped_levels());
  ASSERT_TRUE(cats.has_value()) << strings(cats.error()).front();
  ASSERT_EQ(cats->size(), 12u);
  std::vector<std::string> ids;
  for (const auto& c : *cats) {
    SCOPED_TRACE(c.id);
    ids.push_back(c.id);
    int sum = 0;
    for (const auto& i : c.indicators) {
      if (i.veto) EXPECT_EQ(i.max, 0);
      else sum += i.max;
    }
    EXPECT_EQ(sum, 100);
    EXPECT_EQ(c.pass_mark, 90);
    ASSERT_FALSE(c.nominee_fields.empty());
    EXPECT_EQ(c.nominee_fields.front().id, "name");
    EXPECT_TRUE(c.allows_level("county"));
    EXPECT_FALSE(c.allows_level("township"));
    ASSERT_NE(c.material("photos"), nullptr);
    EXPECT_EQ(c.material("photos")->min, 2);
    EXPECT_EQ(c.material("photos")->max, 5);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"township", "village", "community", "organ", "enterprise", "school",
                                           "hospital", "military", "religious_site", "other_unit", "family",
                                           "individual"}));
}

std::string valid_categories() {
  return R"json({
  "categories": [
    {
      "id": "village", "kind": "unit", "name": "村", "levels": ["county", "city"],
      "nominee_fields": [
        {"id": "name", "name": "名称", "required": true, "max_length": 100},
        {"id": "contact_phone", "name": "联系电话", "max_length": 20, "personal": true}
      ],
      "materials": [
        {"id": "application_form", "name": "申报表", "required": true, "types": ["application/pdf"]},
        {"id": "photos", "name": "照片", "required": true, "min": 2, "max": 5, "types": ["image/jpeg"]}
      ],
      "indicators": [
        {"id": "leadership", "name": "组织领导", "max": 40},
        {"id": "education", "name": "宣传教育", "max": 60},
        {"id": "incident", "name": "重大事件", "max": 0, "veto": true}
      ]
    }
  ]
})json";
}

std::vector<std::string> category_errors(const std::string& text) {
  auto c = load_categories(text, "categories.json", kLevels);
  EXPECT_FALSE(c.has_value()) << "loaded although it should not";
  if (c) return {};
  return strings(c.error());
}

TEST(Categories, ValidExampleLoads) {
  auto c = load_categories(valid_categories(), "categories.json", kLevels);
  ASSERT_TRUE(c.has_value()) << strings(c.error()).front();
  ASSERT_EQ(c->size(), 1u);
  const auto& v = c->front();
  EXPECT_EQ(v.pass_mark, 90);
  EXPECT_EQ(v.summary_max_length, 3000);
  EXPECT_EQ(v.material("application_form")->min, 1);  // required: min defaults to 1
  EXPECT_EQ(v.material("application_form")->max, 1);
  EXPECT_TRUE(v.field("contact_phone")->personal);
  EXPECT_TRUE(v.indicator("incident")->veto);
  EXPECT_EQ(v.indicator("nothing"), nullptr);
}

TEST(Categories, IndicatorsSummingTo99) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"("max": 60)", R"("max": 59)")),
            (std::vector<std::string>{R"(categories.json: category "village": indicator maxima sum to 99, not 100)"}));
}

TEST(Categories, VetoItemWithPoints) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"("max": 0, "veto": true)", R"("max": 5, "veto": true)")),
            (std::vector<std::string>{
                R"(categories.json: category "village": indicator "incident": a veto item carries no points (max must be 0))"}));
}

TEST(Categories, UnknownLevel) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"(["county", "city"])", R"(["county", "nation"])")),
            (std::vector<std::string>{R"(categories.json: category "village": unknown level "nation")"}));
}

TEST(Categories, DuplicateMaterialId) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"({"id": "photos",)", R"({"id": "application_form",)")),
            (std::vector<std::string>{R"(categories.json: category "village": material "application_form": listed twice)"}));
}

TEST(Categories, FirstFieldNotName) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"({"id": "name", "name": "名称")", R"({"id": "title", "name": "名称")")),
            (std::vector<std::string>{R"(categories.json: category "village": the first nominee field must be "name", required)"}));
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"("required": true, "max_length": 100)", R"("max_length": 100)")),
            (std::vector<std::string>{R"(categories.json: category "village": the first nominee field must be "name", required)"}));
}

TEST(Categories, MaterialBounds) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"("min": 2, "max": 5)", R"("min": 6, "max": 5)")),
            (std::vector<std::string>{
                R"(categories.json: category "village": material "photos": needs 0 <= min <= max, 1 <= max <= 50)"}));
}

TEST(Categories, MisspeltKey) {
  EXPECT_EQ(category_errors(replace_once(valid_categories(), R"("personal": true)", R"("personnal": true)")),
            (std::vector<std::string>{R"(categories.json: categories[0].nominee_fields[1]: unknown key "personnal")"}));
}

// --- Jurisdiction tree ---------------------------------------------------------------------------

JurisdictionTree shipped_tree() {
  auto tree = JurisdictionTree::load(read_file(kWorkflows / "jurisdictions.json"), "jurisdictions.json");
  EXPECT_TRUE(tree.has_value()) << (tree ? "" : strings(tree.error()).front());
  return tree ? std::move(*tree) : JurisdictionTree{};
}

TEST(Jurisdictions, ShippedTreeAncestors) {
  auto tree = shipped_tree();
  ASSERT_FALSE(tree.all().empty());
  EXPECT_EQ(tree.root().code, "620000");
  const auto* township = tree.find("620922209");  // 腰站子东乡族乡
  ASSERT_NE(township, nullptr);
  EXPECT_EQ(township->level, "township");
  EXPECT_EQ(township->name, "腰站子东乡族乡");

  const auto* county = tree.ancestor_at("620922209", "county");
  ASSERT_NE(county, nullptr);
  EXPECT_EQ(county->code, "620922");
  EXPECT_EQ(county->name, "瓜州县");
  const auto* city = tree.ancestor_at("620922209", "city");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->code, "620900");
  const auto* province = tree.ancestor_at("620922209", "province");
  ASSERT_NE(province, nullptr);
  EXPECT_EQ(province->code, "620000");
  EXPECT_EQ(tree.ancestor_at("620922209", "township"), township);  // itself included
  EXPECT_EQ(tree.ancestor_at("620922", "township"), nullptr);      // nothing below counts
  EXPECT_EQ(tree.ancestor_at("620200", "county"), nullptr);
  EXPECT_EQ(tree.ancestor_at("999999", "county"), nullptr);
  EXPECT_EQ(tree.ancestor_at("620922209", "nation"), nullptr);
}

TEST(Jurisdictions, ShippedTreeContains) {
  auto tree = shipped_tree();
  EXPECT_TRUE(tree.contains("620000", "620922209"));
  EXPECT_TRUE(tree.contains("620900", "620922209"));
  EXPECT_TRUE(tree.contains("620922", "620922209"));
  EXPECT_TRUE(tree.contains("620922", "620922"));
  EXPECT_FALSE(tree.contains("620922209", "620922"));
  EXPECT_FALSE(tree.contains("620921", "620922209"));  // a sibling county
  EXPECT_FALSE(tree.contains("620200", "620922209"));  // another city
  EXPECT_FALSE(tree.contains("620922", "999999"));
  EXPECT_FALSE(tree.contains("999999", "620922"));
}

TEST(Jurisdictions, ShippedTreeLevels) {
  auto tree = shipped_tree();
  EXPECT_EQ(tree.levels(), kLevels);
  EXPECT_EQ(tree.level_above("county"), "city");
  EXPECT_EQ(tree.level_above("city"), "province");
  EXPECT_EQ(tree.level_above("township"), "county");
  EXPECT_EQ(tree.level_above("province"), std::nullopt);
  EXPECT_EQ(tree.level_above("nation"), std::nullopt);
  EXPECT_EQ(tree.level_rank("province"), 0);
  EXPECT_EQ(tree.level_rank("township"), 3);
  EXPECT_EQ(tree.level_rank("nation"), -1);
  EXPECT_TRUE(tree.has_level("county"));
  EXPECT_FALSE(tree.has_level("nation"));
  // The counties of 酒泉市 named in the design.
  const auto* jiuquan = tree.find("620900");
  ASSERT_NE(jiuquan, nullptr);
  std::vector<std::string> counties;
  for (int c : jiuquan->children) counties.push_back(tree.all()[static_cast<std::size_t>(c)].code);
  EXPECT_EQ(counties, (std::vector<std::string>{"620902", "620921", "620922", "620923", "620924", "620981", "620982"}));
}

std::string valid_tree() {
  return R"json({
  "levels": ["province", "city", "county"],
  "root": {"code": "620000", "name": "甘肃省", "level": "province", "children": [
    {"code": "620900", "name": "酒泉市", "level": "city", "children": [
      {"code": "620902", "name": "肃州区", "level": "county"},
      {"code": "620922", "name": "瓜州县", "level": "county"}
    ]}
  ]}
})json";
}

std::vector<std::string> tree_errors(const std::string& text) {
  auto t = JurisdictionTree::load(text, "jurisdictions.json");
  EXPECT_FALSE(t.has_value()) << "loaded although it should not";
  if (t) return {};
  return strings(t.error());
}

TEST(Jurisdictions, ValidExampleLoads) {
  auto t = JurisdictionTree::load(valid_tree(), "jurisdictions.json");
  ASSERT_TRUE(t.has_value()) << strings(t.error()).front();
  EXPECT_EQ(t->all().size(), 4u);
  EXPECT_EQ(t->find("620922")->depth, 2);
  EXPECT_EQ(t->all()[static_cast<std::size_t>(t->find("620922")->parent)].code, "620900");
}

TEST(Jurisdictions, DuplicateCode) {
  EXPECT_EQ(tree_errors(replace_once(valid_tree(), R"("code": "620922")", R"("code": "620902")")),
            (std::vector<std::string>{R"(jurisdictions.json: jurisdiction "620902": duplicate code)"}));
}

TEST(Jurisdictions, UnknownLevel) {
  EXPECT_EQ(tree_errors(replace_once(valid_tree(), R"("肃州区", "level": "county")", R"("肃州区", "level": "district")")),
            (std::vector<std::string>{R"(jurisdictions.json: jurisdiction "620902": unknown level "district")"}));
}

TEST(Jurisdictions, ChildLevelNotBelowParent) {
  EXPECT_EQ(tree_errors(replace_once(valid_tree(), R"("酒泉市", "level": "city")", R"("酒泉市", "level": "province")")),
            (std::vector<std::string>{
                R"(jurisdictions.json: jurisdiction "620900": level "province" is not below its parent's level "province")"}));
}

TEST(Jurisdictions, MissingLevel) {
  // One error, not a second one about an empty level not being below its parent's.
  EXPECT_EQ(tree_errors(replace_once(valid_tree(), R"("name": "肃州区", "level": "county")", R"("name": "肃州区")")),
            (std::vector<std::string>{R"(jurisdictions.json: root.children[0].children[0]: missing required key "level")"}));
}

TEST(Jurisdictions, BadCodeAndLevels) {
  EXPECT_EQ(tree_errors(replace_once(valid_tree(), R"("code": "620922")", R"("code": "62092x")")),
            (std::vector<std::string>{R"(jurisdictions.json: jurisdiction "62092x": code must be 1 to 12 digits)"}));
  EXPECT_EQ(tree_errors(replace_once(valid_tree(), R"(["province", "city", "county"])", R"(["province", "city", "city", "county"])")),
            (std::vector<std::string>{R"(jurisdictions.json: levels: level "city" listed twice)"}));
}

// --- `laurel workflows check` --------------------------------------------------------------------

class CheckWorkflows : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / (std::string("laurel_check_") + info->name());
    fs::remove_all(dir_);
    fs::copy(kWorkflows, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(CheckWorkflows, ShippedDataPasses) {
  std::ostringstream out, err;
  EXPECT_EQ(laurel::web::check_workflows(dir_, {}, out, err), 0);
  EXPECT_EQ(err.str(), "");
  EXPECT_NE(out.str().find("honours.county v1: 14 states, 21 actions, 2 timers, target level county\n"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("honours.city v1: 15 states"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("honours.province v1: 16 states"), std::string::npos) << out.str();
  EXPECT_TRUE(out.str().ends_with("\nok\n")) << out.str();
}

TEST_F(CheckWorkflows, BrokenDefinitionFails) {
  auto city = dir_ / "definitions" / "city.json";
  auto text = read_file(city);
  auto at = text.find("\"role\": \"reviewer\"");
  ASSERT_NE(at, std::string::npos);
  write_file(city, text.replace(at, 18, "\"role\": \"reveiwer\""));

  std::ostringstream out, err;
  EXPECT_EQ(laurel::web::check_workflows(dir_, {}, out, err), 1);
  EXPECT_EQ(err.str(), "error: " + city.string() +
                           R"(: action "return": unknown role "reveiwer" )"
                           "(known: nominator, reviewer, panelist, approver, public, system)\n"
                           "1 error(s)\n");
  EXPECT_EQ(out.str(), "");
}

TEST_F(CheckWorkflows, NamedFiles) {
  auto county = dir_ / "definitions" / "county.json";
  auto categories = dir_ / "categories.json";
  std::ostringstream out, err;
  EXPECT_EQ(laurel::web::check_workflows(dir_, {county.string(), categories.string()}, out, err), 0);
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(out.str(), "honours.county v1: 14 states, 21 actions, 2 timers, target level county (" + county.string() +
                           ")\n" + categories.string() + ": 12 categories\nok\n");

  write_file(county, replace_once(read_file(county), R"("initial": "draft")", R"("initial": "drafts")"));
  std::ostringstream out2, err2;
  EXPECT_EQ(laurel::web::check_workflows(dir_, {county.string()}, out2, err2), 1);
  EXPECT_EQ(err2.str(), "error: " + county.string() + ": initial: unknown state \"drafts\"\n1 file(s) with errors\n");
}

}  // namespace

TEST(DefinitionErrors, HugeVersionAndDuplicateTimer) {
  EXPECT_EQ(definition_errors(replace_once(valid_definition(), R"("version": 1)", R"("version": 4294967297)")),
            (std::vector<std::string>{"bad.json: version: must be an integer from 1 to 1000000"}));
  auto text = valid_definition();
  auto at = text.find(R"("timers": [)") + std::string_view(R"("timers": [)").size();
  auto end = text.find('}', at) + 1;
  std::string timer = text.substr(at, end - at);
  text.insert(end, "," + timer);
  auto errs = definition_errors(text);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("defined twice"), std::string::npos) << errs[0];
}
