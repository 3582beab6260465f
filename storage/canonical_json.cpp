#include "storage/canonical_json.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <vector>

#include "engine/category.h"

namespace laurel::storage {
namespace bj = boost::json;

namespace {

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

bool write_string(std::string_view s, std::string& out) {
  if (!engine::is_valid_utf8(s)) return false;
  out.push_back('"');
  std::size_t run = 0;  // start of the characters copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static const char* hex = "0123456789abcdef";
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return true;
}

bool write(const bj::value& v, std::string& out, std::string& error) {
  switch (v.kind()) {
    case bj::kind::null: out += "null"; return true;
    case bj::kind::bool_: out += v.get_bool() ? "true" : "false"; return true;
    case bj::kind::int64: out += std::to_string(v.get_int64()); return true;
    case bj::kind::uint64: out += std::to_string(v.get_uint64()); return true;
    case bj::kind::double_: error = "floating-point numbers are not allowed"; return false;
    case bj::kind::string:
      if (!write_string(v.get_string(), out)) { error = "a string is not valid UTF-8"; return false; }
      return true;
    case bj::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        if (!write(e, out, error)) return false;
      }
      out.push_back(']');
      return true;
    }
    case bj::kind::object: {
      const auto& obj = v.get_object();
      std::vector<const bj::key_value_pair*> items;
      items.reserve(obj.size());
      for (const auto& kv : obj) items.push_back(&kv);
      std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out.push_back('{');
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out.push_back(',');
        if (i && items[i]->key() == items[i - 1]->key()) { error = "duplicate key"; return false; }
        if (!write_string(items[i]->key(), out)) { error = "a key is not valid UTF-8"; return false; }
        out.push_back(':');
        if (!write(items[i]->value(), out, error)) return false;
      }
      out.push_back('}');
      return true;
    }
  }
  return false;
}

}  // namespace

bool append_canonical_string(std::string_view s, std::string& out) { return write_string(s, out); }
bool append_canonical_json(const bj::value& v, std::string& out, std::string& error) { return write(v, out, error); }

std::expected<std::string, std::string> canonical_json(const bj::value& v) {
  std::string out, error;
  out.reserve(1024);  // a command's record is ~850 bytes
  if (!write(v, out, error)) return std::unexpected(error);
  return out;
}

std::expected<bj::value, std::string> parse_canonical_json(std::string_view bytes) {
  boost::system::error_code ec;
  bj::parse_options opts;
  opts.allow_invalid_utf8 = false;
  bj::value v = bj::parse(bytes, ec, {}, opts);
  if (ec) return std::unexpected("not JSON: " + ec.message());
  auto again = canonical_json(v);
  if (!again) return std::unexpected(again.error());
  if (*again != bytes) return std::unexpected("not in canonical form");
  return v;
}

}  // namespace laurel::storage
