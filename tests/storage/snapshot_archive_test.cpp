// The snapshot archives (storage/snapshot_archive.h) write exactly cereal's binary format, read
// what cereal wrote, and refuse damaged bytes with an error.
#include <gtest/gtest.h>

#include <cereal/archives/binary.hpp>
#include <cstring>
#include <sstream>

#include "engine/serialization.h"
#include "storage/projection.h"
#include "tests/engine/fixture.h"

namespace laurel::engine::testing {
namespace {

std::vector<std::uint8_t> cereal_bytes(const Nomination& n) {
  std::ostringstream s;
  {
    cereal::BinaryOutputArchive ar(s);
    ar(n);
  }
  const std::string b = s.str();
  return {b.begin(), b.end()};
}

class SnapshotArchive : public Journey {
 protected:
  // A nomination with every kind of part: nominee fields, attachments, score sheets, an objection.
  Nomination rich() {
    Nomination n = objected();
    EXPECT_FALSE(n.score_sheets.empty());
    EXPECT_FALSE(n.attachments.empty());
    EXPECT_FALSE(n.objections.empty());
    return n;
  }
};

TEST_F(SnapshotArchive, WritesCerealsBinaryFormatAndReadsIt) {
  const Nomination n = rich();
  const auto ours = storage::snapshot_bytes(n);
  EXPECT_EQ(ours, cereal_bytes(n));
  EXPECT_EQ(storage::from_snapshot(cereal_bytes(n)), n);
  EXPECT_EQ(storage::from_snapshot(ours), n);
  EXPECT_EQ(storage::snapshot_bytes(Nomination{}), cereal_bytes(Nomination{}));
  EXPECT_EQ(storage::from_snapshot(storage::snapshot_bytes(Nomination{})), Nomination{});
}

// The error a damaged snapshot is refused with ("" when it is read).
std::string refusal(const std::vector<std::uint8_t>& bytes) {
  try {
    storage::from_snapshot(bytes);
    return "";
  } catch (const cereal::Exception& e) {
    return e.what();
  }
}

TEST_F(SnapshotArchive, RefusesDamagedBytes) {
  const auto good = storage::snapshot_bytes(rich());
  // Cut short anywhere: an error, never a half-read nomination. Where the cut falls decides which
  // of the two: inside a value, or after a count that the rest can no longer hold.
  EXPECT_EQ(refusal({}), "a snapshot ends early (8 bytes wanted)");
  for (std::size_t cut : {std::size_t{3}, good.size() / 2, good.size() - 1}) {
    std::vector<std::uint8_t> shorter(good.begin(), good.begin() + static_cast<long>(cut));
    const std::string why = refusal(shorter);
    EXPECT_TRUE(why.starts_with("a snapshot ends early") || why == "a snapshot holds a count beyond its end") << "cut at " << cut << ": " << why;
  }
  auto longer = good;
  longer.push_back(0);
  EXPECT_EQ(refusal(longer), "a snapshot has bytes after its nomination");
  // The first field is the id: its 64-bit length comes first. A huge count is refused before any
  // allocation.
  auto huge = good;
  const std::uint64_t count = 1ull << 60;
  std::memcpy(huge.data(), &count, sizeof count);
  EXPECT_EQ(refusal(huge), "a snapshot holds a count beyond its end");
  EXPECT_EQ(refusal(good), "");
}

}  // namespace
}  // namespace laurel::engine::testing
