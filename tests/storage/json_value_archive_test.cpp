// The direct archive must give exactly the value that parsing cereal's JSON text gives, for every
// kind of change an event carries (audit records' bytes depend on it).
#include "storage/json_value_archive.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cereal/archives/json.hpp>
#include <gtest/gtest.h>

#include <sstream>

#include "engine/serialization.h"
#include "storage/audit_record.h"
#include "storage/canonical_json.h"
#include "storage/canonical_json_archive.h"

namespace laurel::storage {
namespace {
namespace bj = boost::json;
using namespace engine;

bj::value via_text(const Event& e) {
  std::ostringstream s;
  {
    cereal::JSONOutputArchive ar(s, cereal::JSONOutputArchive::Options::NoIndent());
    ar(cereal::make_nvp("event", e));
  }
  return bj::parse(s.str()).as_object()["event"];
}

Nomination full_nomination() {
  Nomination n;
  n.id = "N000042";
  n.workflow_id = "county";
  n.workflow_version = 3;
  n.category = "family";
  n.level = "county";
  n.jurisdiction = "620922213";
  n.office = "620922";
  n.office_level = "county";
  n.year = 2026;
  n.owner = "unit.shuangta";
  n.state = "publicity";
  n.version = 17;
  n.nominee = {{"name", "马\"家\"\n"}, {"members", "5"}, {"address", ""}};
  n.summary = std::string(3000, 'x') + "民族团结";
  n.attachments.push_back({"application", std::string(64, 'a'), "申报表.pdf", "application/pdf", 123456, 1700000000});
  n.attachments.push_back({"photos", std::string(64, 'b'), "", "image/png", 0, -5});
  ScoreSheet sheet;
  sheet.panelist = "panel.1";
  sheet.points = {{"i1", 30}, {"i2", 0}, {"i3", -1}};
  sheet.total = 29;
  sheet.veto = true;
  sheet.veto_reason = "违纪";
  sheet.at = 1700000100;
  n.score_sheets.push_back(sheet);
  n.score_sheets.push_back(ScoreSheet{});
  n.conflicts.push_back({"panel.2", "亲属", 1700000200});
  Objection o;
  o.id = "YY123";
  o.text = "异议";
  o.state = "open";
  o.has_contact = true;
  o.received_at = 1700000300;
  n.objections.push_back(o);
  n.evaluation_mean_x100 = 8733;
  n.evaluation_passed = true;
  n.notice_id = "G00001";
  n.named_at = 1700000400;
  n.children = {"N000043", "N000044"};
  return n;
}

std::vector<Event> every_change() {
  std::vector<Event> events;
  Event base;
  base.nomination_id = "N000042";
  base.action = "approve";
  base.from = "shortlisted";
  base.to = "publicity";
  base.office = "620922";
  base.office_level = "county";
  base.version = 9;
  base.at = 1700000000;
  base.actor = "approver.guazhou";
  base.role = "approver";
  base.comment = "同意\t\"ok\"\\";
  events.push_back(base);  // no changes: an empty array
  Event all = base;
  all.changes = {change::Created{full_nomination()},
                 change::Created{Nomination{}},
                 change::Edited{{{"name", "新名"}}, "事迹"},
                 change::Edited{},
                 change::MaterialAttached{full_nomination().attachments[0]},
                 change::MaterialRemoved{std::string(64, 'c')},
                 change::Scored{full_nomination().score_sheets[0]},
                 change::ConflictDeclared{full_nomination().conflicts[0]},
                 change::ObjectionLodged{full_nomination().objections[0]},
                 change::ObjectionResolved{"YY123", "dismissed", "不属实"},
                 change::EvaluationClosed{8733, true, false},
                 change::PublicityOpened{"G00001", "公示", 1700000000, 1700600000, 5, true},
                 change::Named{"瓜政发〔2026〕1号", "命名决定", 1800000000},
                 change::ChildOpened{"N000043"}};
  events.push_back(all);
  return events;
}

TEST(JsonValueArchive, EqualsCerealJsonTextForEveryChange) {
  for (const auto& e : every_change()) {
    bj::value expected = via_text(e);
    bj::value got = event_to_json(e);
    EXPECT_EQ(bj::serialize(expected), bj::serialize(got));
  }
}

// The canonical archive writes exactly canonical_json of the value archive's value.
TEST(CanonicalJsonArchive, EqualsTheCanonicalBytesOfTheValueForEveryChange) {
  for (const auto& e : every_change()) {
    std::string direct = "prefix";
    CanonicalJsonOutputArchive ar(direct);
    ar(cereal::make_nvp("event", e), cereal::make_nvp("again", e), cereal::make_nvp("a", 1), 7);
    ar.finish();
    JsonValueOutputArchive vr;
    vr(cereal::make_nvp("event", e), cereal::make_nvp("again", e), cereal::make_nvp("a", 1), 7);
    EXPECT_EQ(direct, "prefix" + *canonical_json(vr.value()));
  }
  std::string empty;
  CanonicalJsonOutputArchive ar(empty);
  ar.finish();
  EXPECT_EQ(empty, "{}");
  std::string bad;
  CanonicalJsonOutputArchive br(bad);
  EXPECT_THROW(br(cereal::make_nvp("x", std::string("\xff"))), std::logic_error);
  EXPECT_THROW(br(cereal::make_nvp("y", 1.5)), std::logic_error);
}

// A record's bytes, written directly, are canonical_json(to_json()) for every shape of record.
TEST(CanonicalJsonArchive, RecordBytesEqualTheCanonicalBytesOfTheRecordsValue) {
  AuditRecord r;
  r.at = 1700000000;
  r.who = Who{"approver.guazhou", "approver", "620922", "session", "10.0.0.1"};
  r.kind = "command";
  r.action = "approve";
  r.object_type = "nomination";
  r.object_id = "N000042";
  r.outcome = "accepted";
  std::vector<AuditRecord> records{r};
  r.events = every_change();
  r.comment = "意见\n\"引号\"";
  r.batch = "B1";
  r.old_value = bj::object{{"state", "shortlisted"}, {"version", 8}, {"nominee", bj::object{{"name", "旧"}, {"b", ""}}}};
  r.new_value = bj::object{{"state", "publicity"}, {"version", 9}, {"contact", "c1"}};
  records.push_back(r);
  r.outcome = "denied";
  r.reason = Rejection{Problem::validation_failed, "不行", {}, {{"summary", "太长"}, {"name", "空"}}};
  records.push_back(r);
  r.reason->errors.clear();
  r.events.clear();
  r.old_value = nullptr;
  records.push_back(r);
  for (const auto& rec : records) EXPECT_EQ(rec.bytes(), *canonical_json(rec.to_json()));
  r.who.user = "\xc3";
  EXPECT_THROW(r.bytes(), std::logic_error);
}

}  // namespace
}  // namespace laurel::storage
