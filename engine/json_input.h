// Strict reading of hand-written JSON data files. Every object's keys are checked against those the
// reader asked for (a misspelt key is an error, not silently ignored), every value's type is checked,
// and each problem is recorded with the file and the JSON path of the element. Syntax errors give
// the line and column. Internal to the engine's loaders.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/load_error.h"

namespace laurel::engine::json_input {

// Parses `text`; on a syntax error records "line L, column C: ..." and returns nullopt.
std::optional<boost::json::value> parse(std::string_view text, const std::string& file, LoadErrors& errors);

// Reads one JSON object. Accessors record an error and return a default when a key is missing or has
// the wrong type; finish() records every key that no accessor asked for.
class Object {
 public:
  Object(const boost::json::value& v, std::string path, const std::string& file, LoadErrors& errors);

  bool valid() const { return obj_ != nullptr; }
  const std::string& path() const { return path_; }
  bool has(std::string_view key) const;

  std::string str(std::string_view key);
  std::optional<std::string> opt_str(std::string_view key);
  std::int64_t integer(std::string_view key);
  std::optional<std::int64_t> opt_integer(std::string_view key);
  bool boolean(std::string_view key, bool fallback);
  // A string or an array of strings (e.g. an action's "from").
  std::vector<std::string> str_or_strs(std::string_view key);
  std::vector<std::string> strs(std::string_view key, bool required = true);
  // The array at `key` (empty when missing and not required).
  const boost::json::array& array(std::string_view key, bool required = true);
  const boost::json::value* raw(std::string_view key);  // nullptr when missing

  void error(std::string_view key, std::string message);
  void finish();

 private:
  const boost::json::value* get(std::string_view key, bool required);
  std::string sub(std::string_view key) const;

  const boost::json::object* obj_ = nullptr;
  std::string path_;
  const std::string& file_;
  LoadErrors& errors_;
  std::set<std::string, std::less<>> seen_;
};

std::string index_path(const std::string& path, std::string_view key, std::size_t i);

}  // namespace laurel::engine::json_input
