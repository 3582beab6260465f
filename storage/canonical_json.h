// Canonical JSON, the byte format of audit records (documented in storage/AUDIT_FORMAT.md): UTF-8,
// object keys sorted by their UTF-8 bytes, no insignificant whitespace, integers only (no fractions or
// exponents), strings escaped minimally (\" \\ \b \f \n \r \t, other control characters as \u00xx,
// everything else as is). The same value always gives the same bytes, so a record's hash is stable
// and a program in any language can recompute it.
#pragma once

#include <boost/json/value.hpp>

#include <expected>
#include <string>
#include <string_view>

namespace laurel::storage {

// Serialises `v` canonically. Fails on a floating-point number or invalid UTF-8 in a string or key.
std::expected<std::string, std::string> canonical_json(const boost::json::value& v);

// Appends `s` as a canonical JSON string; false (and nothing sensible appended) if not valid UTF-8.
bool append_canonical_string(std::string_view s, std::string& out);
// Appends `v` canonically; false with `error` set as canonical_json would fail.
bool append_canonical_json(const boost::json::value& v, std::string& out, std::string& error);

// Parses `bytes` and checks that they are canonical (re-serialising gives the same bytes).
std::expected<boost::json::value, std::string> parse_canonical_json(std::string_view bytes);

}  // namespace laurel::storage
