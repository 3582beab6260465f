// Time in the engine: seconds since the Unix epoch, UTC. The engine never reads a clock; the caller
// passes the time in, so that tests move a clock instead of sleeping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace laurel::engine {

using Time = std::int64_t;

// RFC 3339 in UTC with a "Z" suffix, whole seconds: 2019-01-20T08:00:00Z.
std::string format_rfc3339(Time t);
// Accepts RFC 3339 with "Z" or a numeric offset and optional fractional seconds (dropped).
std::optional<Time> parse_rfc3339(std::string_view s);

}  // namespace laurel::engine
