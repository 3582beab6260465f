#include "engine/jurisdiction.h"

#include <algorithm>

#include "engine/json_input.h"

namespace laurel::engine {
namespace {

void load_node(const boost::json::value& v, std::string path, int parent, int depth, const std::string& file,
               JurisdictionTree& tree, std::vector<Jurisdiction>& nodes,
               StringMap<int>& by_code, LoadErrors& errors) {
  json_input::Object o(v, path, file, errors);
  if (!o.valid()) return;
  Jurisdiction j;
  j.code = o.str("code");
  j.name = o.str("name");
  j.name_en = o.opt_str("name_en").value_or("");
  j.level = o.str("level");
  j.parent = parent;
  j.depth = depth;
  const auto& kids = o.array("children", false);
  o.finish();
  std::string element = "jurisdiction \"" + j.code + "\"";
  if (j.code.empty() || j.code.size() > 12 ||
      !std::all_of(j.code.begin(), j.code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    errors.push_back({file, element, "code must be 1 to 12 digits"});
  }
  if (!j.level.empty() && !tree.has_level(j.level)) {
    errors.push_back({file, element, "unknown level \"" + j.level + "\""});
  } else if (!j.level.empty() && parent >= 0 && tree.level_rank(j.level) <= tree.level_rank(nodes[parent].level)) {
    errors.push_back({file, element, "level \"" + j.level + "\" is not below its parent's level \"" + nodes[parent].level + "\""});
  }
  if (!by_code.emplace(j.code, static_cast<int>(nodes.size())).second) {
    errors.push_back({file, element, "duplicate code"});
  }
  int self = static_cast<int>(nodes.size());
  if (parent >= 0) nodes[parent].children.push_back(self);
  nodes.push_back(std::move(j));
  for (std::size_t i = 0; i < kids.size(); ++i) {
    load_node(kids[i], json_input::index_path(path, "children", i), self, depth + 1, file, tree, nodes, by_code, errors);
  }
}

}  // namespace

Loaded<JurisdictionTree> JurisdictionTree::load(std::string_view json_text, const std::string& file) {
  LoadErrors errors;
  auto doc = json_input::parse(json_text, file, errors);
  if (!doc) return std::unexpected(errors);
  JurisdictionTree tree;
  json_input::Object top(*doc, "", file, errors);
  tree.levels_ = top.strs("levels");
  const boost::json::value* root = top.raw("root");
  top.finish();
  for (std::size_t i = 0; i < tree.levels_.size(); ++i) {
    if (std::count(tree.levels_.begin(), tree.levels_.end(), tree.levels_[i]) > 1) {
      errors.push_back({file, "levels", "level \"" + tree.levels_[i] + "\" listed twice"});
      break;
    }
  }
  if (tree.levels_.empty()) errors.push_back({file, "levels", "at least one level is needed"});
  if (!root) {
    if (top.valid()) errors.push_back({file, "(top level)", "missing required key \"root\""});
    return std::unexpected(errors);
  }
  load_node(*root, "root", -1, 0, file, tree, tree.nodes_, tree.by_code_, errors);
  if (!errors.empty()) return std::unexpected(errors);
  return tree;
}

int JurisdictionTree::level_rank(std::string_view level) const {
  for (std::size_t i = 0; i < levels_.size(); ++i) {
    if (levels_[i] == level) return static_cast<int>(i);
  }
  return -1;
}

std::optional<std::string> JurisdictionTree::level_above(std::string_view level) const {
  int r = level_rank(level);
  if (r <= 0) return std::nullopt;
  return levels_[static_cast<std::size_t>(r - 1)];
}

const Jurisdiction* JurisdictionTree::find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &nodes_[static_cast<std::size_t>(it->second)];
}

const Jurisdiction* JurisdictionTree::ancestor_at(std::string_view code, std::string_view level) const {
  const Jurisdiction* j = find(code);
  while (j) {
    if (j->level == level) return j;
    j = j->parent >= 0 ? &nodes_[static_cast<std::size_t>(j->parent)] : nullptr;
  }
  return nullptr;
}

bool JurisdictionTree::contains(std::string_view ancestor, std::string_view descendant) const {
  const Jurisdiction* a = find(ancestor);
  const Jurisdiction* d = find(descendant);
  if (!a || !d) return false;
  while (d && d->depth > a->depth) d = d->parent >= 0 ? &nodes_[static_cast<std::size_t>(d->parent)] : nullptr;
  return d == a;
}

}  // namespace laurel::engine
