// A fast yes/no test of canonical JSON (storage/canonical_json.h), for `laurel audit verify`, which
// checks every record of the log: it accepts exactly the byte strings that parse_canonical_json
// accepts, but scans them once without building a value (about 20 times faster on audit records).
// The rules it enforces: one JSON value, no whitespace outside strings, object keys strictly
// increasing by their UTF-8 bytes (so no duplicates), integers only (no sign on zero, no leading
// zero, within int64 when negative and uint64 when not), strings valid UTF-8 with exactly the
// escapes canonical_json writes (\" \\ \b \f \n \r \t, other controls as \u00xx in lowercase hex,
// nothing else escaped), and at most 32 nested arrays and objects (Boost.JSON's parse limit).
// tests/storage/canonical_json_scan_test.cpp checks it against parse_canonical_json.
#pragma once

#include <string_view>

namespace laurel::storage {

bool is_canonical_json(std::string_view bytes);
// The same, and in `ends_with`, whether a string of the document (a key or a value, as its bytes
// stand, escapes undecoded) ends with `suffix` (not empty), up to where the scan stopped: the
// verifier asks for "rotate_key" this way instead of searching every record a second time.
bool is_canonical_json(std::string_view bytes, std::string_view suffix, bool& ends_with);

}  // namespace laurel::storage
