// The domain types survive cereal's binary and JSON archives unchanged (storage keeps snapshots in
// one and shows them in the other).
#include <gtest/gtest.h>

#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>
#include <sstream>

#include "engine/serialization.h"
#include "tests/engine/fixture.h"

namespace laurel::engine::testing {
namespace {

template <typename OutArchive, typename InArchive, typename T>
T round_trip(const T& value) {
  std::stringstream s;
  {
    OutArchive out(s);
    out(cereal::make_nvp("value", value));
  }
  T back{};
  {
    InArchive in(s);
    in(cereal::make_nvp("value", back));
  }
  return back;
}

class Serialization : public Journey {};

TEST_F(Serialization, NominationAndEventsRoundTrip) {
  Nomination n = objected();
  ASSERT_FALSE(n.score_sheets.empty());
  ASSERT_FALSE(n.attachments.empty());

  EXPECT_EQ((round_trip<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(n)), n);
  EXPECT_EQ((round_trip<cereal::JSONOutputArchive, cereal::JSONInputArchive>(n)), n);
  ASSERT_FALSE(last_events.empty());
  std::vector<Event> events = last_events;
  EXPECT_EQ((round_trip<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(events)), events);
  EXPECT_EQ((round_trip<cereal::JSONOutputArchive, cereal::JSONInputArchive>(events)), events);
}

TEST_F(Serialization, EveryKindOfChangeRoundTrips) {
  Nomination n = create();
  std::vector<Change> all{change::Created{n},
                          change::Edited{{{"name", "名"}}, "事迹"},
                          change::MaterialAttached{Attachment{"photos", std::string(64, 'a'), "a.jpg", "image/jpeg", 5, 7}},
                          change::MaterialRemoved{std::string(64, 'a')},
                          change::Scored{ScoreSheet{"p1", {{"a", 1}}, 1, true, "否决", 9}},
                          change::ConflictDeclared{Conflict{"p1", "亲属", 3}},
                          change::ObjectionLodged{Objection{"O1", "t", "open", "", true, 4, 0, ""}},
                          change::ObjectionResolved{"O1", "dismissed", "不属实"},
                          change::EvaluationClosed{9123, true, false},
                          change::PublicityOpened{"G1", "公示", 10, 20, 5, false},
                          change::Named{"瓜民团发〔2019〕3号", "命名决定", 99},
                          change::ChildOpened{"N2"}};
  Event e;
  e.nomination_id = "N1";
  e.changes = all;
  EXPECT_EQ((round_trip<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(e)), e);
  EXPECT_EQ((round_trip<cereal::JSONOutputArchive, cereal::JSONInputArchive>(e)), e);
}

}  // namespace
}  // namespace laurel::engine::testing
