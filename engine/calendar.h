// The working-day calendar used for publicity windows: weekends and public holidays are skipped, and
// China's make-up working days (调休: a Saturday or Sunday that is a working day) count. Holiday data
// comes per year from the State Council's published schedule (workflows/holidays.json); a year with no
// data falls back to plain weekends, and covers() tells the caller so that it can say so in its log.
// Dates are local dates at a fixed UTC offset (China: +08:00, no daylight saving).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/load_error.h"
#include "engine/time.h"

namespace laurel::engine {

class Calendar {
 public:
  // A calendar with no holiday data: only weekends are days off.
  explicit Calendar(int utc_offset_minutes = 480) : offset_minutes_(utc_offset_minutes) {}
  static Loaded<Calendar> load(std::string_view json_text, const std::string& file);

  int utc_offset_minutes() const { return offset_minutes_; }
  // True when the file has this year's schedule.
  bool covers(int year) const { return years_.contains(year); }
  const std::set<int>& years() const { return years_; }
  bool is_working_day(std::chrono::sys_days local_date) const;

  std::chrono::sys_days local_date(Time t) const;
  Time local_midnight(std::chrono::sys_days local_date) const;  // the UTC instant of local 00:00

  // A publicity window of `working_days` days for a notice issued at `issued_at`: it opens at local
  // 00:00 of the first working day after the issue date and closes at local 24:00 of the last of
  // its working days. `complete_data` is false when a year it touches has no holiday data.
  struct Window {
    Time starts = 0;
    Time ends = 0;
    bool complete_data = true;
  };
  Window publicity_window(Time issued_at, int working_days) const;

  // The same local date and time `years` later (29 February becomes 28 February).
  Time add_years(Time t, int years) const;

 private:
  int offset_minutes_;
  std::set<int> years_;
  std::set<std::chrono::sys_days> holidays_;
  std::set<std::chrono::sys_days> workdays_;
};

// Parses "YYYY-MM-DD" into a date; nullopt when malformed or not a real date.
std::optional<std::chrono::sys_days> parse_date(std::string_view s);
std::string format_date(std::chrono::sys_days d);

}  // namespace laurel::engine
