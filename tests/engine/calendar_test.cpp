// Tests of dates and times (parse/format, RFC 3339) and of the working-day calendar: the shipped
// holiday data, publicity windows across weekends and the Spring Festival, years without data,
// add_years, and the loader's errors.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/time.h"

using namespace laurel::engine;
namespace chr = std::chrono;

namespace {

chr::sys_days date(const char* s) {
  auto d = parse_date(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(chr::sys_days{});
}

Time at(const char* s) {
  auto t = parse_rfc3339(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(0);
}

const Calendar& shipped() {
  static const Calendar cal = [] {
    std::ifstream in(std::string(LAUREL_WORKFLOWS_DIR) + "/holidays.json", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    auto c = Calendar::load(s.str(), "holidays.json");
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().front().to_string());
    return c ? std::move(*c) : Calendar{};
  }();
  return cal;
}

std::vector<std::string> calendar_errors(const std::string& text) {
  auto c = Calendar::load(text, "holidays.json");
  EXPECT_FALSE(c.has_value()) << "loaded although it should not";
  if (c) return {};
  std::vector<std::string> out;
  for (const auto& e : c.error()) out.push_back(e.to_string());
  return out;
}

// --- Dates and RFC 3339 --------------------------------------------------------------------------

TEST(Dates, ParseAndFormatRoundTrip) {
  for (const char* s : {"2019-01-18", "2020-02-29", "2000-02-29", "1970-01-01", "2026-12-31", "0001-01-01", "9999-12-31"}) {
    auto d = parse_date(s);
    ASSERT_TRUE(d.has_value()) << s;
    EXPECT_EQ(format_date(*d), s);
  }
  EXPECT_EQ(*parse_date("1970-01-02"), chr::sys_days{chr::days{1}});
  EXPECT_EQ(*parse_date("2019-01-18"), chr::sys_days{chr::year{2019} / chr::January / 18});
}

TEST(Dates, Rejections) {
  for (const char* s : {"2019-02-30", "2019-02-29", "1900-02-29", "2019-13-01", "2019-00-10", "2019-01-00", "2019-04-31",
                        "2019-1-18", "2019/01/18", "20190118", "2019-01-18T", "2019-01-1x", " 2019-01-1", "", "-019-01-18",
                        "+019-01-18", "2019--1-18", "2019-01--1"}) {
    EXPECT_FALSE(parse_date(s).has_value()) << s;
  }
}

TEST(Rfc3339, FormatAndParse) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1547971200), "2019-01-20T08:00:00Z");
  EXPECT_EQ(parse_rfc3339("2019-01-20T08:00:00Z"), 1547971200);
  EXPECT_EQ(parse_rfc3339("2019-01-20T16:00:00+08:00"), 1547971200);
  EXPECT_EQ(parse_rfc3339("2019-01-20T03:30:00-04:30"), 1547971200);
  EXPECT_EQ(parse_rfc3339("2019-01-20T08:00:00.999Z"), 1547971200);  // fractions are dropped
  EXPECT_EQ(parse_rfc3339("2019-01-20t08:00:00z"), 1547971200);
  EXPECT_EQ(parse_rfc3339("2019-01-20 08:00:00Z"), 1547971200);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
  // An offset that moves the instant to the previous UTC day.
  EXPECT_EQ(format_rfc3339(at("2019-01-21T00:00:00+08:00")), "2019-01-20T16:00:00Z");
  for (Time t : {Time{0}, Time{1547971200}, Time{951782400} /* 2000-02-29 */, Time{4102444799}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t) << t;
  }
}

TEST(Rfc3339, Rejections) {
  for (const char* s : {"2019-02-30T00:00:00Z", "2019-01-20T08:00:00", "2019-01-20T08:00:00+0800", "2019-01-20T08:00:00+08",
                        "2019-01-20T08:00:00+24:00", "2019-01-20T08:00:00+08:60", "2019-01-20T08:00:00+8:00",
                        "2019-01-20T08:00:00 +08:00", "2019-01-20T08:00:00Z ", "2019-01-20T08:00:00ZZ",
                        "2019-01-20T24:00:00Z", "2019-01-20T08:60:00Z", "2019-01-20T08:00:61Z", "2019-01-20T8:00:00Z",
                        "2019-01-20X08:00:00Z", "2019-01-20T08-00-00Z", "2019-01-20T08:00:00.Z", "2019-01-20", ""}) {
    EXPECT_FALSE(parse_rfc3339(s).has_value()) << s;
  }
}

// --- The shipped holiday data --------------------------------------------------------------------

TEST(ShippedCalendar, KnownDays) {
  const auto& cal = shipped();
  EXPECT_EQ(cal.utc_offset_minutes(), 480);
  EXPECT_TRUE(cal.is_working_day(date("2019-02-02")));   // Saturday, make-up working day (调休)
  EXPECT_TRUE(cal.is_working_day(date("2019-02-03")));   // Sunday, make-up working day
  for (const char* d : {"2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08", "2019-02-09", "2019-02-10"}) {
    EXPECT_FALSE(cal.is_working_day(date(d))) << d;      // Spring Festival
  }
  EXPECT_TRUE(cal.is_working_day(date("2019-02-11")));
  EXPECT_TRUE(cal.is_working_day(date("2018-10-08")));   // Monday after National Day
  EXPECT_FALSE(cal.is_working_day(date("2018-10-07")));  // Sunday inside National Day
  EXPECT_TRUE(cal.is_working_day(date("2018-09-29")));   // Saturday make-up day
  EXPECT_FALSE(cal.is_working_day(date("2020-01-31")));  // Friday, Spring Festival extended in 2020
  EXPECT_FALSE(cal.is_working_day(date("2019-01-19")));  // an ordinary Saturday
  EXPECT_TRUE(cal.is_working_day(date("2019-01-18")));   // an ordinary Friday
  EXPECT_FALSE(cal.is_working_day(date("2018-12-31")));  // New Year, Monday
  EXPECT_TRUE(cal.is_working_day(date("2018-12-29")));   // Saturday make-up day
}

TEST(ShippedCalendar, Covers) {
  const auto& cal = shipped();
  for (int y = 2018; y <= 2026; ++y) EXPECT_TRUE(cal.covers(y)) << y;
  EXPECT_FALSE(cal.covers(2017));
  EXPECT_FALSE(cal.covers(2030));
  EXPECT_EQ(cal.years().size(), 9u);
}

TEST(ShippedCalendar, LocalDateAndMidnight) {
  const auto& cal = shipped();
  EXPECT_EQ(cal.local_date(at("2019-01-18T16:00:00Z")), date("2019-01-19"));  // 00:00 local
  EXPECT_EQ(cal.local_date(at("2019-01-18T15:59:59Z")), date("2019-01-18"));
  EXPECT_EQ(format_rfc3339(cal.local_midnight(date("2019-01-21"))), "2019-01-20T16:00:00Z");
}

// --- Publicity windows ---------------------------------------------------------------------------

TEST(PublicityWindow, FiveWorkingDaysFromAFriday) {
  auto w = shipped().publicity_window(at("2019-01-18T10:00:00+08:00"), 5);
  EXPECT_EQ(w.starts, at("2019-01-21T00:00:00+08:00"));
  EXPECT_EQ(format_rfc3339(w.starts), "2019-01-20T16:00:00Z");
  EXPECT_EQ(w.ends, at("2019-01-26T00:00:00+08:00"));
  EXPECT_EQ(format_rfc3339(w.ends), "2019-01-25T16:00:00Z");
  EXPECT_TRUE(w.complete_data);
}

TEST(PublicityWindow, IssueDateIsTheLocalDate) {
  // 01:00 on Friday in China is still Thursday in UTC: the window must not start on Friday.
  auto w = shipped().publicity_window(at("2019-01-17T17:00:00Z"), 5);
  EXPECT_EQ(format_rfc3339(w.starts), "2019-01-20T16:00:00Z");
  EXPECT_EQ(format_rfc3339(w.ends), "2019-01-25T16:00:00Z");
  // 23:59 on Thursday: the window starts on Friday and runs over the weekend.
  w = shipped().publicity_window(at("2019-01-17T23:59:59+08:00"), 5);
  EXPECT_EQ(w.starts, at("2019-01-18T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2019-01-25T00:00:00+08:00"));
}

TEST(PublicityWindow, SkipsTheSpringFestivalAndCountsMakeUpDays) {
  // Issued Wednesday 2019-01-30: Thu 31, Fri 1, Sat 2 (make-up), Sun 3 (make-up), then 4..10 off,
  // and Monday 11 is the fifth working day.
  auto w = shipped().publicity_window(at("2019-01-30T15:00:00+08:00"), 5);
  EXPECT_EQ(w.starts, at("2019-01-31T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2019-02-12T00:00:00+08:00"));
  EXPECT_TRUE(w.complete_data);
  // Issued on the make-up Saturday itself: Sunday 3 is a working day, then the holiday.
  w = shipped().publicity_window(at("2019-02-02T09:00:00+08:00"), 3);
  EXPECT_EQ(w.starts, at("2019-02-03T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2019-02-13T00:00:00+08:00"));
}

TEST(PublicityWindow, StartsAfterAHoliday) {
  // Issued on the eve of the Spring Festival (Sunday 3, a make-up working day): opens on Monday 11.
  auto w = shipped().publicity_window(at("2019-02-03T18:00:00+08:00"), 5);
  EXPECT_EQ(w.starts, at("2019-02-11T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2019-02-16T00:00:00+08:00"));
}

TEST(PublicityWindow, IssuedOnASaturdayStartsMonday) {
  auto w = shipped().publicity_window(at("2019-01-19T11:00:00+08:00"), 5);
  EXPECT_EQ(w.starts, at("2019-01-21T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2019-01-26T00:00:00+08:00"));
  w = shipped().publicity_window(at("2019-01-20T11:00:00+08:00"), 1);  // Sunday, one day
  EXPECT_EQ(w.starts, at("2019-01-21T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2019-01-22T00:00:00+08:00"));
}

TEST(PublicityWindow, YearWithoutDataSkipsWeekendsOnly) {
  // 2030-01-04 is a Friday. With no holiday data, 1 January would not even be skipped.
  auto w = shipped().publicity_window(at("2030-01-04T10:00:00+08:00"), 5);
  EXPECT_FALSE(w.complete_data);
  EXPECT_EQ(w.starts, at("2030-01-07T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2030-01-12T00:00:00+08:00"));
  w = shipped().publicity_window(at("2029-12-28T10:00:00+08:00"), 5);  // Friday; 2030-01-01 is a Tuesday
  EXPECT_FALSE(w.complete_data);
  EXPECT_EQ(w.starts, at("2029-12-31T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2030-01-05T00:00:00+08:00"));
}

TEST(PublicityWindow, RunningIntoAYearWithoutData) {
  // Issued in a covered year, the window reaches 2027, which has no data.
  auto w = shipped().publicity_window(at("2026-12-28T10:00:00+08:00"), 5);
  EXPECT_FALSE(w.complete_data);
  EXPECT_EQ(w.starts, at("2026-12-29T00:00:00+08:00"));
  EXPECT_EQ(w.ends, at("2027-01-05T00:00:00+08:00"));  // Tue 29, Wed 30, Thu 31, Fri 1, Mon 4
  // Ending on 31 December stays within covered data.
  w = shipped().publicity_window(at("2026-12-24T10:00:00+08:00"), 5);  // Thursday
  EXPECT_TRUE(w.complete_data);
  EXPECT_EQ(w.ends, at("2027-01-01T00:00:00+08:00"));  // Fri 25, Mon 28 .. Thu 31
}

TEST(PublicityWindow, CalendarWithoutDataAtAnotherOffset) {
  Calendar utc(0);
  EXPECT_EQ(utc.utc_offset_minutes(), 0);
  EXPECT_FALSE(utc.covers(2019));
  EXPECT_TRUE(utc.is_working_day(date("2019-02-04")));  // no holidays known
  auto w = utc.publicity_window(at("2019-01-18T23:30:00Z"), 5);
  EXPECT_FALSE(w.complete_data);
  EXPECT_EQ(format_rfc3339(w.starts), "2019-01-21T00:00:00Z");
  EXPECT_EQ(format_rfc3339(w.ends), "2019-01-26T00:00:00Z");
}

// --- add_years -----------------------------------------------------------------------------------

TEST(AddYears, SameLocalDateAndTime) {
  const auto& cal = shipped();
  EXPECT_EQ(cal.add_years(at("2019-03-01T10:00:00+08:00"), 5), at("2024-03-01T10:00:00+08:00"));
  EXPECT_EQ(format_rfc3339(cal.add_years(at("2019-03-01T10:00:00+08:00"), 5)), "2024-03-01T02:00:00Z");
  EXPECT_EQ(cal.add_years(at("2019-01-20T16:00:00Z"), 5), at("2024-01-21T00:00:00+08:00"));
}

TEST(AddYears, LeapDayBecomesTwentyEighthOfFebruary) {
  const auto& cal = shipped();
  EXPECT_EQ(cal.add_years(at("2020-02-29T09:30:15+08:00"), 1), at("2021-02-28T09:30:15+08:00"));
  EXPECT_EQ(cal.add_years(at("2020-02-29T09:30:15+08:00"), 4), at("2024-02-29T09:30:15+08:00"));
  // 01:00 on 29 February in China is 28 February in UTC: the local date is what counts.
  EXPECT_EQ(format_rfc3339(cal.add_years(at("2020-02-29T01:00:00+08:00"), 1)), "2021-02-27T17:00:00Z");
}

// --- Loader errors -------------------------------------------------------------------------------

std::string year_2019(const std::string& holidays, const std::string& workdays) {
  return R"({"years": [{"year": 2019, "holidays": [)" + holidays + R"(], "workdays": [)" + workdays + "]}]}";
}

TEST(CalendarLoad, SmallValidFile) {
  auto c = Calendar::load(year_2019(R"("2019-01-01", "2019-02-04..2019-02-10")", R"("2019-02-02")"), "holidays.json");
  ASSERT_TRUE(c.has_value()) << c.error().front().to_string();
  EXPECT_EQ(c->utc_offset_minutes(), 480);
  EXPECT_TRUE(c->covers(2019));
  EXPECT_FALSE(c->is_working_day(date("2019-01-01")));
  EXPECT_FALSE(c->is_working_day(date("2019-02-07")));
  EXPECT_TRUE(c->is_working_day(date("2019-02-02")));
  EXPECT_FALSE(c->is_working_day(date("2019-02-03")));  // not listed: an ordinary Sunday here
}

TEST(CalendarLoad, WorkdayThatIsAWeekday) {
  EXPECT_EQ(calendar_errors(year_2019(R"("2019-02-04..2019-02-10")", R"("2019-02-01")")),
            (std::vector<std::string>{R"(holidays.json: year 2019: workday "2019-02-01" is not a Saturday or Sunday)"}));
}

TEST(CalendarLoad, WorkdayThatIsAlsoAHoliday) {
  EXPECT_EQ(calendar_errors(year_2019(R"("2019-02-02..2019-02-10")", R"("2019-02-02")")),
            (std::vector<std::string>{R"(holidays.json: year 2019: workday "2019-02-02" is also a holiday)"}));
}

TEST(CalendarLoad, MalformedRange) {
  for (const char* h : {"2019-02-10..2019-02-04", "2019-02-04...2019-02-10", "2019-02-04..", "2019-02-04-2019-02-10",
                        "2019-02-30"}) {
    EXPECT_EQ(calendar_errors(year_2019("\"" + std::string(h) + "\"", "")),
              (std::vector<std::string>{"holidays.json: year 2019: holiday \"" + std::string(h) +
                                        "\" is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)"}));
  }
}

TEST(CalendarLoad, MalformedWorkday) {
  EXPECT_EQ(calendar_errors(year_2019("", R"("2019-2-2")")),
            (std::vector<std::string>{R"(holidays.json: year 2019: workday "2019-2-2" is not a date (YYYY-MM-DD))"}));
}

TEST(CalendarLoad, HolidayOutsideItsYear) {
  EXPECT_EQ(calendar_errors(year_2019(R"("2020-01-01")", "")),
            (std::vector<std::string>{R"(holidays.json: year 2019: holiday "2020-01-01" lies outside the year)"}));
  // A range over New Year that touches its year is fine.
  EXPECT_TRUE(Calendar::load(year_2019(R"("2018-12-30..2019-01-01")", ""), "holidays.json").has_value());
}

TEST(CalendarLoad, YearListedTwice) {
  EXPECT_EQ(calendar_errors(R"({"years": [{"year": 2019, "holidays": []}, {"year": 2019, "holidays": ["2019-01-01"]}]})"),
            (std::vector<std::string>{"holidays.json: year 2019: listed twice"}));
}

TEST(CalendarLoad, StructuralErrors) {
  EXPECT_EQ(calendar_errors(R"({"years": [{"year": 2019, "holiday": []}]})"),
            (std::vector<std::string>{R"(holidays.json: years[0]: missing required key "holidays")",
                                      R"(holidays.json: years[0]: unknown key "holiday")"}));
  EXPECT_EQ(calendar_errors(R"({"years": [{"year": 1800, "holidays": []}]})"),
            (std::vector<std::string>{"holidays.json: years[0]: year out of range"}));
  EXPECT_EQ(calendar_errors(R"({"utc_offset_minutes": 900, "years": []})"),
            (std::vector<std::string>{"holidays.json: utc_offset_minutes: must lie between -720 and 840"}));
  EXPECT_EQ(calendar_errors("{\"years\": [\n  {\"year\": 2019 \"holidays\": []}\n]}"),
            (std::vector<std::string>{"holidays.json: line 2, column 17: invalid JSON: syntax error"}));
}

}  // namespace
