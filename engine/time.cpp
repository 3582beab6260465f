#include "engine/time.h"

#include <chrono>
#include <cstdio>

#include "engine/calendar.h"

namespace laurel::engine {
namespace chr = std::chrono;

std::string format_rfc3339(Time t) {
  auto secs = chr::sys_seconds{chr::seconds{t}};
  auto day = chr::floor<chr::days>(secs);
  chr::hh_mm_ss hms{secs - day};
  chr::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", format_date(day).c_str(), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
  }
  // The common case by hand: a response carries a dozen of these, and two snprintf calls each
  // were a few per cent of a GET's time.
  std::string out(20, '\0');
  auto two = [&](std::size_t at, unsigned v) {
    out[at] = static_cast<char>('0' + v / 10);
    out[at + 1] = static_cast<char>('0' + v % 10);
  };
  two(0, static_cast<unsigned>(year / 100));
  two(2, static_cast<unsigned>(year % 100));
  out[4] = '-';
  two(5, static_cast<unsigned>(ymd.month()));
  out[7] = '-';
  two(8, static_cast<unsigned>(ymd.day()));
  out[10] = 'T';
  two(11, static_cast<unsigned>(hms.hours().count()));
  out[13] = ':';
  two(14, static_cast<unsigned>(hms.minutes().count()));
  out[16] = ':';
  two(17, static_cast<unsigned>(hms.seconds().count()));
  out[19] = 'Z';
  return out;
}

std::optional<Time> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  auto day = parse_date(s.substr(0, 10));
  if (!day) return std::nullopt;
  auto num = [&](std::size_t at) -> int {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int hh = num(11), mm = num(14), ss = num(17);
  if (s[13] != ':' || s[16] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    offset = 0;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = num(i + 1), om = num(i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  Time base = chr::duration_cast<chr::seconds>(day->time_since_epoch()).count();
  return base + hh * 3600 + mm * 60 + ss - offset;
}

}  // namespace laurel::engine
