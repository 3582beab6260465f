#include "engine/catalog.h"

namespace laurel::engine {

Catalog::Catalog(JurisdictionTree tree, std::vector<Category> categories, Calendar calendar)
    : tree_(std::move(tree)), categories_(std::move(categories)), calendar_(std::move(calendar)) {}

std::optional<LoadError> Catalog::add(Definition def, const std::string& file) {
  if (definition(def.id, def.version)) {
    return LoadError{file, "id", "definition \"" + def.id + "\" version " + std::to_string(def.version) + " is already installed"};
  }
  if (!tree_.has_level(def.target_level)) {
    return LoadError{file, "target_level", "level \"" + def.target_level + "\" is not in the jurisdiction tree"};
  }
  for (const auto& s : def.states) {
    if (s.office && !tree_.has_level(*s.office)) {
      return LoadError{file, "state \"" + s.id + "\"", "office level \"" + *s.office + "\" is not in the jurisdiction tree"};
    }
  }
  definitions_.push_back(std::make_unique<Definition>(std::move(def)));
  return std::nullopt;
}

const Category* Catalog::category(std::string_view id) const {
  for (const auto& c : categories_) if (c.id == id) return &c;
  return nullptr;
}

const Definition* Catalog::definition(std::string_view id, int version) const {
  for (const auto& d : definitions_) if (d->id == id && d->version == version) return d.get();
  return nullptr;
}

const Definition* Catalog::definition_for_level(std::string_view level) const {
  const Definition* best = nullptr;
  for (const auto& d : definitions_) {
    if (d->target_level == level && (!best || d->version > best->version)) best = d.get();
  }
  return best;
}

std::vector<const Definition*> Catalog::definitions() const {
  std::vector<const Definition*> out;
  for (const auto& d : definitions_) out.push_back(d.get());
  return out;
}

}  // namespace laurel::engine
