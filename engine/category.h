// Honour categories (乡镇, 村, 社区, 机关, …, 家庭, 个人) as data: the nominee's fields, the required
// materials, the scoring indicators with their maxima and veto items (一票否决), and the pass mark.
// Loaded from workflows/categories.json and checked: non-veto maxima sum to 100, ids are unique.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/load_error.h"

namespace laurel::engine {

struct NomineeField {
  std::string id;
  std::string name;
  std::string name_en;
  bool required = false;
  int max_length = 200;   // in Unicode code points
  bool personal = false;  // personal data: kept out of audit records in clear and off public pages
};

struct Material {
  std::string id;
  std::string name;
  std::string name_en;
  bool required = false;
  int min = 0;
  int max = 1;
  std::vector<std::string> types;  // accepted media types, e.g. application/pdf
};

struct Indicator {
  std::string id;
  std::string name;
  std::string name_en;
  int max = 0;
  bool veto = false;  // a veto item (一票否决): carries no points; a panelist's veto fails the nomination
};

struct Category {
  std::string id;
  std::string kind;  // unit | family | individual
  std::string name;
  std::string name_en;
  std::vector<std::string> levels;
  int summary_max_length = 3000;
  std::vector<NomineeField> nominee_fields;
  std::vector<Material> materials;
  std::vector<Indicator> indicators;
  int pass_mark = 90;

  const Material* material(std::string_view id) const;
  const Indicator* indicator(std::string_view id) const;
  const NomineeField* field(std::string_view id) const;
  bool allows_level(std::string_view level) const;
};

// Loads the categories file. `levels` are the known levels (from the jurisdiction tree).
Loaded<std::vector<Category>> load_categories(std::string_view json_text, const std::string& file,
                                              const std::vector<std::string>& levels);

// Number of Unicode code points in UTF-8 text (invalid bytes count one each).
std::size_t utf8_length(std::string_view s);
bool is_valid_utf8(std::string_view s);

}  // namespace laurel::engine
