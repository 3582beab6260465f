// Errors found while loading data files (workflow definitions, categories, jurisdictions, holidays).
// Each names the file, the element (a JSON path or a named element such as `action "submit"`) and the
// problem, so that the person who wrote the file can fix it without reading code.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace laurel::engine {

struct LoadError {
  std::string file;
  std::string element;
  std::string message;

  // "FILE: ELEMENT: MESSAGE" (the element is left out when empty).
  std::string to_string() const;
  bool operator==(const LoadError&) const = default;
};

using LoadErrors = std::vector<LoadError>;

template <typename T>
using Loaded = std::expected<T, LoadErrors>;

}  // namespace laurel::engine
