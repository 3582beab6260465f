// Everything the engine needs to know that is data: the jurisdiction tree, the categories, the
// working-day calendar and the installed workflow definitions (every version, since a nomination
// stays on the version it started with). Built once at start-up from workflows/ and then read-only,
// so it can be shared between threads without locks.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar.h"
#include "engine/category.h"
#include "engine/definition.h"
#include "engine/jurisdiction.h"

namespace laurel::engine {

class Catalog {
 public:
  Catalog(JurisdictionTree tree, std::vector<Category> categories, Calendar calendar);

  // Installs a definition. Refuses (with an error naming `file`) a second definition with the same id
  // and version, or a definition whose target level is not in the tree.
  std::optional<LoadError> add(Definition def, const std::string& file);

  const JurisdictionTree& tree() const { return tree_; }
  const Calendar& calendar() const { return calendar_; }
  const std::vector<Category>& categories() const { return categories_; }
  const Category* category(std::string_view id) const;

  const Definition* definition(std::string_view id, int version) const;
  // The newest version of the definition whose target level is `level`.
  const Definition* definition_for_level(std::string_view level) const;
  std::vector<const Definition*> definitions() const;

 private:
  JurisdictionTree tree_;
  std::vector<Category> categories_;
  Calendar calendar_;
  std::vector<std::unique_ptr<Definition>> definitions_;
};

}  // namespace laurel::engine
