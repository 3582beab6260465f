#include "engine/calendar.h"

#include <charconv>
#include <cstdio>

#include "engine/json_input.h"

namespace laurel::engine {
namespace chr = std::chrono;

namespace {

std::optional<int> parse_digits(std::string_view s) {
  int v = 0;
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;  // from_chars takes a '-'
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_weekend(chr::sys_days d) {
  chr::weekday wd{d};
  return wd == chr::Saturday || wd == chr::Sunday;
}

}  // namespace

std::optional<chr::sys_days> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = parse_digits(s.substr(0, 4)), m = parse_digits(s.substr(5, 2)), d = parse_digits(s.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  chr::year_month_day ymd{chr::year{*y}, chr::month{static_cast<unsigned>(*m)}, chr::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return chr::sys_days{ymd};
}

std::string format_date(chr::sys_days d) {
  chr::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

Loaded<Calendar> Calendar::load(std::string_view json_text, const std::string& file) {
  LoadErrors errors;
  auto doc = json_input::parse(json_text, file, errors);
  if (!doc) return std::unexpected(errors);
  json_input::Object top(*doc, "", file, errors);
  Calendar cal(static_cast<int>(top.opt_integer("utc_offset_minutes").value_or(480)));
  if (cal.offset_minutes_ < -720 || cal.offset_minutes_ > 840) top.error("utc_offset_minutes", "must lie between -720 and 840");
  const auto& years = top.array("years");
  top.finish();
  for (std::size_t i = 0; i < years.size(); ++i) {
    json_input::Object y(years[i], json_input::index_path("", "years", i), file, errors);
    if (!y.valid()) continue;
    int year = static_cast<int>(y.integer("year"));
    y.opt_str("source");
    auto holidays = y.strs("holidays");
    auto workdays = y.strs("workdays", false);
    y.finish();
    std::string element = "year " + std::to_string(year);
    if (year < 1949 || year > 2200) { errors.push_back({file, y.path(), "year out of range"}); continue; }
    if (!cal.years_.insert(year).second) errors.push_back({file, element, "listed twice"});
    auto in_year = [&](chr::sys_days d) { return chr::year_month_day{d}.year() == chr::year{year}; };
    for (const auto& h : holidays) {
      auto dots = h.find("..");
      auto from = parse_date(h.substr(0, dots));
      auto to = dots == std::string::npos ? from : parse_date(std::string_view(h).substr(dots + 2));
      if (!from || !to || *to < *from) {
        errors.push_back({file, element, "holiday \"" + h + "\" is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)"});
        continue;
      }
      // A range may run over New Year (元旦 often starts on 30 or 31 December), but must touch its year.
      if (!in_year(*from) && !in_year(*to)) errors.push_back({file, element, "holiday \"" + h + "\" lies outside the year"});
      for (auto d = *from; d <= *to; d += chr::days{1}) cal.holidays_.insert(d);
    }
    for (const auto& w : workdays) {
      auto d = parse_date(w);
      if (!d) { errors.push_back({file, element, "workday \"" + w + "\" is not a date (YYYY-MM-DD)"}); continue; }
      if (!is_weekend(*d)) errors.push_back({file, element, "workday \"" + w + "\" is not a Saturday or Sunday"});
      if (cal.holidays_.contains(*d)) errors.push_back({file, element, "workday \"" + w + "\" is also a holiday"});
      cal.workdays_.insert(*d);
    }
  }
  if (!errors.empty()) return std::unexpected(errors);
  return cal;
}

bool Calendar::is_working_day(chr::sys_days d) const {
  if (holidays_.contains(d)) return false;
  if (workdays_.contains(d)) return true;
  return !is_weekend(d);
}

chr::sys_days Calendar::local_date(Time t) const {
  auto local = chr::sys_seconds{chr::seconds{t + offset_minutes_ * 60}};
  return chr::floor<chr::days>(local);
}

Time Calendar::local_midnight(chr::sys_days d) const {
  return chr::duration_cast<chr::seconds>(d.time_since_epoch()).count() - offset_minutes_ * 60;
}

Calendar::Window Calendar::publicity_window(Time issued_at, int working_days) const {
  Window w;
  auto day = local_date(issued_at) + chr::days{1};
  auto note = [&](chr::sys_days d) {
    if (!covers(static_cast<int>(chr::year_month_day{d}.year()))) w.complete_data = false;
  };
  note(day);
  while (!is_working_day(day)) { day += chr::days{1}; note(day); }
  w.starts = local_midnight(day);
  int counted = 1;
  while (counted < working_days) {
    day += chr::days{1};
    note(day);
    if (is_working_day(day)) ++counted;
  }
  w.ends = local_midnight(day + chr::days{1});
  return w;
}

Time Calendar::add_years(Time t, int years) const {
  Time local = t + offset_minutes_ * 60;
  auto day = chr::floor<chr::days>(chr::sys_seconds{chr::seconds{local}});
  Time within = local - chr::duration_cast<chr::seconds>(day.time_since_epoch()).count();
  chr::year_month_day ymd{day};
  chr::year_month_day later{ymd.year() + chr::years{years}, ymd.month(), ymd.day()};
  if (!later.ok()) later = chr::year_month_day{later.year(), later.month(), chr::day{28}};
  return chr::duration_cast<chr::seconds>(chr::sys_days{later}.time_since_epoch()).count() + within - offset_minutes_ * 60;
}

}  // namespace laurel::engine
