#include "engine/json_input.h"

#include <boost/json/parse.hpp>
#include <boost/json/stream_parser.hpp>

#include <algorithm>

namespace laurel::engine {

std::string LoadError::to_string() const {
  std::string out = file;
  if (!element.empty()) out += ": " + element;
  out += ": " + message;
  return out;
}

namespace json_input {
namespace bj = boost::json;

std::optional<bj::value> parse(std::string_view text, const std::string& file, LoadErrors& errors) {
  bj::stream_parser p;
  boost::system::error_code ec;
  std::size_t consumed = p.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) {
    // Anything after the value other than whitespace is an error (write_some stops after one value).
    auto rest = text.substr(consumed);
    if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) ec = bj::error::extra_data;
  }
  // finish() only when the value may still be open (e.g. a number at the very end): on a parser that
  // is already done it reports "incomplete JSON".
  if (!ec && !p.done()) p.finish(ec);
  if (ec) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) { ++col; }
    }
    errors.push_back({file, "line " + std::to_string(line) + ", column " + std::to_string(col),
                      "invalid JSON: " + ec.message()});
    return std::nullopt;
  }
  return p.release();
}

std::string index_path(const std::string& path, std::string_view key, std::size_t i) {
  std::string out = path.empty() ? std::string(key) : path + "." + std::string(key);
  return out + "[" + std::to_string(i) + "]";
}

Object::Object(const bj::value& v, std::string path, const std::string& file, LoadErrors& errors)
    : path_(std::move(path)), file_(file), errors_(errors) {
  if (v.is_object()) {
    obj_ = &v.get_object();
  } else {
    errors_.push_back({file_, path_.empty() ? "(top level)" : path_, "expected an object"});
  }
}

std::string Object::sub(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Object::error(std::string_view key, std::string message) {
  errors_.push_back({file_, key.empty() ? path_ : sub(key), std::move(message)});
}

bool Object::has(std::string_view key) const { return obj_ && obj_->contains(key); }

const bj::value* Object::get(std::string_view key, bool required) {
  seen_.emplace(key);
  if (!obj_) return nullptr;
  auto it = obj_->find(key);
  if (it == obj_->end()) {
    if (required) errors_.push_back({file_, path_.empty() ? "(top level)" : path_, "missing required key \"" + std::string(key) + "\""});
    return nullptr;
  }
  return &it->value();
}

const bj::value* Object::raw(std::string_view key) { return get(key, false); }

std::string Object::str(std::string_view key) {
  auto v = get(key, true);
  if (!v) return {};
  if (!v->is_string()) { error(key, "expected a string"); return {}; }
  return std::string(v->get_string());
}

std::optional<std::string> Object::opt_str(std::string_view key) {
  auto v = get(key, false);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) { error(key, "expected a string"); return std::nullopt; }
  return std::string(v->get_string());
}

std::int64_t Object::integer(std::string_view key) {
  auto v = get(key, true);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v->get_uint64());
  error(key, "expected an integer");
  return 0;
}

std::optional<std::int64_t> Object::opt_integer(std::string_view key) {
  if (!has(key)) { seen_.emplace(key); return std::nullopt; }
  return integer(key);
}

bool Object::boolean(std::string_view key, bool fallback) {
  auto v = get(key, false);
  if (!v) return fallback;
  if (!v->is_bool()) { error(key, "expected true or false"); return fallback; }
  return v->get_bool();
}

std::vector<std::string> Object::strs(std::string_view key, bool required) {
  std::vector<std::string> out;
  auto v = get(key, required);
  if (!v) return out;
  if (!v->is_array()) { error(key, "expected an array of strings"); return out; }
  for (const auto& e : v->get_array()) {
    if (!e.is_string()) { error(key, "expected an array of strings"); return {}; }
    out.emplace_back(e.get_string());
  }
  return out;
}

std::vector<std::string> Object::str_or_strs(std::string_view key) {
  auto v = obj_ ? obj_->if_contains(key) : nullptr;
  if (v && v->is_string()) { seen_.emplace(key); return {std::string(v->get_string())}; }
  return strs(key, true);
}

const bj::array& Object::array(std::string_view key, bool required) {
  static const bj::array empty;
  auto v = get(key, required);
  if (!v) return empty;
  if (!v->is_array()) { error(key, "expected an array"); return empty; }
  return v->get_array();
}

void Object::finish() {
  if (!obj_) return;
  for (const auto& kv : *obj_) {
    if (!seen_.contains(std::string_view(kv.key()))) {
      errors_.push_back({file_, path_.empty() ? "(top level)" : path_, "unknown key \"" + std::string(kv.key()) + "\""});
    }
  }
}

}  // namespace json_input
}  // namespace laurel::engine
