// The jurisdiction tree (province → city → county → township, GB/T 2260 codes) and its levels.
// Levels are data: their order comes from the tree file, top first, so a national level is one more
// entry in the file, not a change in code. Lookups by code are O(1); ancestor queries walk at most the
// tree's depth.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/load_error.h"

namespace laurel::engine {

// Transparent hash so that maps keyed by std::string can be searched with a string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct Jurisdiction {
  std::string code;
  std::string name;
  std::string name_en;
  std::string level;
  int parent = -1;  // index into JurisdictionTree::all(), -1 for the root
  int depth = 0;
  std::vector<int> children;
};

class JurisdictionTree {
 public:
  // Loads the tree file (see workflows/jurisdictions.json); errors name `file` and the element.
  static Loaded<JurisdictionTree> load(std::string_view json_text, const std::string& file);

  const std::vector<std::string>& levels() const { return levels_; }  // top first
  bool has_level(std::string_view level) const { return level_rank(level) >= 0; }
  // 0 for the top level, larger further down; -1 for an unknown level.
  int level_rank(std::string_view level) const;
  // The level above `level` (towards the root), or nullopt at the top.
  std::optional<std::string> level_above(std::string_view level) const;

  const Jurisdiction* find(std::string_view code) const;
  const Jurisdiction& root() const { return nodes_.front(); }
  const std::vector<Jurisdiction>& all() const { return nodes_; }

  // The ancestor of `code` (itself included) at `level`, or nullptr when there is none.
  const Jurisdiction* ancestor_at(std::string_view code, std::string_view level) const;
  // True when `descendant` is `ancestor` or lies inside its subtree.
  bool contains(std::string_view ancestor, std::string_view descendant) const;

 private:
  std::vector<std::string> levels_;
  std::vector<Jurisdiction> nodes_;
  StringMap<int> by_code_;
};

}  // namespace laurel::engine
