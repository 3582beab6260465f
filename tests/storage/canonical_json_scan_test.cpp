// is_canonical_json must accept exactly what parse_canonical_json accepts: checked on the edge cases
// of each rule, on real audit records, on canonical serialisations of random values, and on many
// thousands of random mutations of those (byte flips, insertions, deletions, swaps).
#include "storage/canonical_json_scan.h"

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "storage/canonical_json.h"
#include "tests/storage/audit_fixture.h"

namespace laurel::storage::testing {
namespace {

namespace bj = boost::json;

bool reference(std::string_view s) { return parse_canonical_json(s).has_value(); }

void expect_agree(std::string_view s) { EXPECT_EQ(is_canonical_json(s), reference(s)) << "input (" << s.size() << " bytes): " << s; }

// The writer's escapes, byte for byte (AUDIT_FORMAT.md): the short forms, \u00XX for the other
// control characters, everything else (multi-byte UTF-8 included) as it is, runs copied whole.
TEST(CanonicalJson, StringsAreEscapedExactlyAsTheFormatSays) {
  EXPECT_EQ(*canonical_json(bj::value("plain 民族团结 text")), "\"plain 民族团结 text\"");
  EXPECT_EQ(*canonical_json(bj::value("\"a\\b\b\f\n\r\t\x01\x1f/\x7f")), "\"\\\"a\\\\b\\b\\f\\n\\r\\t\\u0001\\u001f/\x7f\"");
  EXPECT_EQ(*canonical_json(bj::value("\n")), "\"\\n\"");
  EXPECT_EQ(*canonical_json(bj::value("end\"")), "\"end\\\"\"");
  EXPECT_FALSE(canonical_json(bj::value("\xff")).has_value());
}

TEST(CanonicalJsonScan, EdgeCasesOfEachRule) {
  const std::vector<std::string> cases = {"",
                                          " ",
                                          "0",
                                          "-0",
                                          "00",
                                          "01",
                                          "-",
                                          "-a",
                                          "1.0",
                                          "1e5",
                                          "1E5",
                                          "10",
                                          "-10",
                                          "+1",
                                          "9223372036854775807",
                                          "9223372036854775808",
                                          "18446744073709551615",
                                          "18446744073709551616",
                                          "99999999999999999999",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "true",
                                          "false",
                                          "null",
                                          "nul",
                                          "truex",
                                          "True",
                                          "\"\"",
                                          "\"a\"",
                                          "\"a",
                                          "\"\\\"\"",
                                          "\"\\\\\"",
                                          "\"\\/\"",
                                          "/",
                                          "\"\\b\\f\\n\\r\\t\"",
                                          "\"\\u0008\"",
                                          "\"\\u0009\"",
                                          "\"\\u000a\"",
                                          "\"\\u000c\"",
                                          "\"\\u000d\"",
                                          "\"\\u0000\"",
                                          "\"\\u001f\"",
                                          "\"\\u001F\"",
                                          "\"\\u0020\"",
                                          "\"\\u0041\"",
                                          "\"\\u00e9\"",
                                          "\"\\ud83d\\ude00\"",
                                          "\"\\x\"",
                                          std::string("\"\x01\""),
                                          std::string("\"\x7f\""),
                                          "\"\t\"",
                                          "\"\xc3\xa9\"",
                                          "\"\xe2\x80\x94\"",
                                          "\"\xf0\x9f\x98\x80\"",
                                          "\"\xed\xa0\x80\"",
                                          "\"\xc0\x80\"",
                                          "\"\xc1\xbf\"",
                                          "\"\xe0\x80\x80\"",
                                          "\"\xf0\x80\x80\x80\"",
                                          "\"\xf4\x90\x80\x80\"",
                                          "\"\xf5\x80\x80\x80\"",
                                          "\"\xef\xbf\xbf\"",
                                          "\"\xf4\x8f\xbf\xbf\"",
                                          "\"\x80\"",
                                          "\"\xc3\"",
                                          "\"\xe2\x80\"",
                                          "[]",
                                          "{}",
                                          "[ ]",
                                          "{ }",
                                          "[1,2]",
                                          "[1, 2]",
                                          "[1,]",
                                          "[,1]",
                                          "[1",
                                          "{\"a\":1}",
                                          "{\"a\" :1}",
                                          "{\"a\": 1}",
                                          "{\"a\":1,}",
                                          "{\"a\":1,\"b\":2}",
                                          "{\"b\":2,\"a\":1}",
                                          "{\"a\":1,\"a\":1}",
                                          "{\"a\":1,\"a\":2}",
                                          "{\"a\":{\"b\":[true,null]}}",
                                          "{\"\":0}",
                                          "{\"\":0,\"a\":1}",
                                          "{\"a\":0,\"\":1}",
                                          "{\"ab\":0,\"b\":1}",
                                          "{\"b\":0,\"ab\":1}",
                                          "{\"a\":0,\"ab\":1}",
                                          "{\"ab\":0,\"a\":1}",
                                          "{\"Z\":0,\"a\":1}",
                                          "{\"a\":0,\"Z\":1}",
                                          "{\"\xc3\xa9\":0,\"z\":1}",
                                          "{\"z\":0,\"\xc3\xa9\":1}",
                                          "{\"\\n\":0,\"a\":1}",
                                          "{\"a\":0,\"\\n\":1}",
                                          "{\"\\u0001\":0,\"\\n\":1}",
                                          "{\"\\n\":0,\"\\u0001\":1}",
                                          "{a:1}",
                                          "{\"a\"}",
                                          "{\"a\":}",
                                          "{1:1}",
                                          "1 ",
                                          " 1",
                                          "1\n",
                                          "[1]x",
                                          "\xef\xbb\xbf"
                                          "1",
                                          "[\"a\",{\"b\":-1}]"};
  for (const auto& c : cases) expect_agree(c);
  // Nesting: 32 levels of arrays or objects are allowed, 33 are not.
  for (int depth : {31, 32, 33, 34}) {
    expect_agree(std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'));
    std::string o;
    for (int i = 0; i < depth; ++i) o += "{\"a\":";
    o += "1" + std::string(static_cast<std::size_t>(depth), '}');
    expect_agree(o);
  }
  EXPECT_TRUE(is_canonical_json("{\"a\":[1,-2,\"\\u001f\xe4\xb8\xad\"],\"b\":null}"));
  EXPECT_FALSE(is_canonical_json("{\"b\":null,\"a\":1}"));
}

bj::value random_value(std::mt19937& random, int depth) {
  const auto pick = random() % (depth > 4 ? 5 : 7);
  static const std::vector<std::string> strings = {
      "", "a", "county", "马玉兰家庭", "\n\t\"\\", std::string("\x01\x1f", 2), "—", "\xf0\x9f\x98\x80", "Zz", "ab", "a\x7f"};
  switch (pick) {
    case 0:
      return nullptr;
    case 1:
      return random() % 2 == 0;
    case 2: {
      switch (random() % 4) {
        case 0:
          return static_cast<std::int64_t>(random() % 1000) - 500;
        case 1:
          return std::numeric_limits<std::int64_t>::min();
        case 2:
          return std::numeric_limits<std::uint64_t>::max();
        default:
          return static_cast<std::int64_t>(random());
      }
    }
    case 3:
    case 4:
      return bj::string(strings[random() % strings.size()]);
    case 5: {
      bj::array a;
      for (unsigned i = 0, n = random() % 4; i < n; ++i) a.push_back(random_value(random, depth + 1));
      return a;
    }
    default: {
      bj::object o;
      for (unsigned i = 0, n = random() % 5; i < n; ++i)
        o[strings[random() % strings.size()] + std::to_string(random() % 3)] = random_value(random, depth + 1);
      return o;
    }
  }
}

void mutate_and_compare(const std::string& base, std::mt19937& random, int mutations) {
  static const std::string alphabet = std::string("{}[]\",:\\ 0123456789-+.eEtrufalsn") + "\x01\x7f\x80\xc3\xa9\xe2\x80\x94\xed\xf4";
  for (int m = 0; m < mutations; ++m) {
    std::string s = base;
    for (int edits = 1 + static_cast<int>(random() % 2); edits > 0 && !s.empty(); --edits) {
      const std::size_t at = random() % s.size();
      switch (random() % 4) {
        case 0:
          s[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          s.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        case 2:
          s.erase(at, 1);
          break;
        default:
          std::swap(s[at], s[random() % s.size()]);
          break;
      }
    }
    const bool fast = is_canonical_json(s);
    if (fast != reference(s)) {
      ADD_FAILURE() << "disagree (fast says " << fast << ") on: " << s;
      return;
    }
  }
}

TEST(CanonicalJsonScan, AgreesOnRandomValuesAndTheirMutations) {
  std::mt19937 random(2024);
  for (int i = 0; i < 3000; ++i) {
    auto text = canonical_json(random_value(random, 0));
    ASSERT_TRUE(text);
    ASSERT_TRUE(is_canonical_json(*text)) << *text;
    mutate_and_compare(*text, random, 20);
  }
}

// Whether a string ends with a suffix (how the verifier finds rotation records): keys and values,
// at any depth, as the bytes stand; the answer of the canonical check unchanged.
TEST(CanonicalJsonScan, ReportsAStringEndingWithASuffix) {
  auto ends = [](std::string_view json, bool canonical) {
    bool seen = false;
    EXPECT_EQ(is_canonical_json(json, "rotate_key", seen), canonical) << json;
    EXPECT_EQ(is_canonical_json(json), canonical) << json;
    return seen;
  };
  EXPECT_TRUE(ends(R"({"action":"rotate_key","kind":"system"})", true));
  EXPECT_TRUE(ends(R"({"a":[1,{"b":"x_rotate_key"}]})", true));
  EXPECT_TRUE(ends(R"({"rotate_key":1})", true));
  EXPECT_TRUE(ends(R"("rotate_key")", true));
  EXPECT_FALSE(ends(R"({"action":"rotate_keys"})", true));
  EXPECT_FALSE(ends(R"({"action":"rotate_ke"})", true));
  EXPECT_FALSE(ends(R"({"action":"otate_key"})", true));
  EXPECT_FALSE(ends(R"({"action":"rotate_ke\u0001"})", true));
  EXPECT_FALSE(ends(R"({"action":"submit","kind":"command"})", true));
  EXPECT_FALSE(ends(R"([])", true));
  // Up to where a non-canonical document's scan stopped.
  EXPECT_TRUE(ends(R"({"b":"rotate_key","a":1})", false));
  EXPECT_FALSE(ends(R"({"b":1,"a":"rotate_key"})", false));
}

class CanonicalJsonScanRecords : public AuditTest {};

TEST_F(CanonicalJsonScanRecords, AgreesOnRealRecordsAndTheirMutations) {
  grow_to(60);
  RecordQuery q;
  q.limit = 1000;
  auto rows = store->records(q);
  ASSERT_GE(rows.size(), 60u);
  std::mt19937 random(99);
  for (const auto& row : rows) {
    EXPECT_TRUE(is_canonical_json(row.bytes)) << row.index;
    mutate_and_compare(row.bytes, random, 300);
  }
}

}  // namespace
}  // namespace laurel::storage::testing
