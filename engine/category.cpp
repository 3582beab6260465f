#include "engine/category.h"

#include <algorithm>
#include <set>

#include "engine/json_input.h"

namespace laurel::engine {

const Material* Category::material(std::string_view id) const {
  for (const auto& m : materials) if (m.id == id) return &m;
  return nullptr;
}
const Indicator* Category::indicator(std::string_view id) const {
  for (const auto& i : indicators) if (i.id == id) return &i;
  return nullptr;
}
const NomineeField* Category::field(std::string_view id) const {
  for (const auto& f : nominee_fields) if (f.id == id) return &f;
  return nullptr;
}
bool Category::allows_level(std::string_view level) const {
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

namespace {

bool is_identifier(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

Loaded<std::vector<Category>> load_categories(std::string_view json_text, const std::string& file,
                                              const std::vector<std::string>& levels) {
  LoadErrors errors;
  auto doc = json_input::parse(json_text, file, errors);
  if (!doc) return std::unexpected(errors);
  json_input::Object top(*doc, "", file, errors);
  const auto& arr = top.array("categories");
  top.finish();
  std::vector<Category> out;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    json_input::Object o(arr[i], json_input::index_path("", "categories", i), file, errors);
    if (!o.valid()) continue;
    Category c;
    c.id = o.str("id");
    c.kind = o.str("kind");
    c.name = o.str("name");
    c.name_en = o.opt_str("name_en").value_or("");
    c.levels = o.strs("levels");
    c.summary_max_length = static_cast<int>(o.opt_integer("summary_max_length").value_or(3000));
    c.pass_mark = static_cast<int>(o.opt_integer("pass_mark").value_or(90));
    const auto& fields = o.array("nominee_fields");
    const auto& materials = o.array("materials");
    const auto& indicators = o.array("indicators");
    o.finish();
    const std::string element = "category \"" + c.id + "\"";
    auto fail = [&](std::string msg) { errors.push_back({file, element, std::move(msg)}); };
    if (!is_identifier(c.id)) fail("id must be lower-case letters, digits and underscores");
    if (!ids.insert(c.id).second) fail("duplicate category id");
    if (c.kind != "unit" && c.kind != "family" && c.kind != "individual") fail("kind must be unit, family or individual, not \"" + c.kind + "\"");
    for (const auto& l : c.levels) {
      if (std::find(levels.begin(), levels.end(), l) == levels.end()) fail("unknown level \"" + l + "\"");
    }
    if (c.summary_max_length < 1 || c.summary_max_length > 100000) fail("summary_max_length must lie between 1 and 100000");
    if (c.pass_mark < 0 || c.pass_mark > 100) fail("pass_mark must lie between 0 and 100");

    std::set<std::string> seen;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      json_input::Object f(fields[k], json_input::index_path(o.path(), "nominee_fields", k), file, errors);
      if (!f.valid()) continue;
      NomineeField nf;
      nf.id = f.str("id");
      nf.name = f.str("name");
      nf.name_en = f.opt_str("name_en").value_or("");
      nf.required = f.boolean("required", false);
      nf.max_length = static_cast<int>(f.opt_integer("max_length").value_or(200));
      nf.personal = f.boolean("personal", false);
      f.finish();
      if (!is_identifier(nf.id)) fail("nominee field \"" + nf.id + "\": id must be lower-case letters, digits and underscores");
      if (!seen.insert(nf.id).second) fail("nominee field \"" + nf.id + "\" listed twice");
      if (nf.max_length < 1 || nf.max_length > 10000) fail("nominee field \"" + nf.id + "\": max_length must lie between 1 and 10000");
      c.nominee_fields.push_back(std::move(nf));
    }
    if (c.nominee_fields.empty() || c.nominee_fields.front().id != "name" || !c.nominee_fields.front().required) {
      fail("the first nominee field must be \"name\", required");
    }

    seen.clear();
    for (std::size_t k = 0; k < materials.size(); ++k) {
      json_input::Object m(materials[k], json_input::index_path(o.path(), "materials", k), file, errors);
      if (!m.valid()) continue;
      Material mat;
      mat.id = m.str("id");
      mat.name = m.str("name");
      mat.name_en = m.opt_str("name_en").value_or("");
      mat.required = m.boolean("required", false);
      mat.min = static_cast<int>(m.opt_integer("min").value_or(mat.required ? 1 : 0));
      mat.max = static_cast<int>(m.opt_integer("max").value_or(1));
      mat.types = m.strs("types");
      m.finish();
      std::string me = "material \"" + mat.id + "\": ";
      if (!is_identifier(mat.id)) fail(me + "id must be lower-case letters, digits and underscores");
      if (!seen.insert(mat.id).second) fail(me + "listed twice");
      if (mat.min < 0 || mat.max < 1 || mat.min > mat.max || mat.max > 50) fail(me + "needs 0 <= min <= max, 1 <= max <= 50");
      if (mat.required && mat.min < 1) fail(me + "a required material needs min >= 1");
      if (mat.types.empty()) fail(me + "types must list at least one media type");
      c.materials.push_back(std::move(mat));
    }

    seen.clear();
    int points = 0;
    for (std::size_t k = 0; k < indicators.size(); ++k) {
      json_input::Object in(indicators[k], json_input::index_path(o.path(), "indicators", k), file, errors);
      if (!in.valid()) continue;
      Indicator ind;
      ind.id = in.str("id");
      ind.name = in.str("name");
      ind.name_en = in.opt_str("name_en").value_or("");
      ind.max = static_cast<int>(in.integer("max"));
      ind.veto = in.boolean("veto", false);
      in.finish();
      std::string ie = "indicator \"" + ind.id + "\": ";
      if (!is_identifier(ind.id)) fail(ie + "id must be lower-case letters, digits and underscores");
      if (!seen.insert(ind.id).second) fail(ie + "listed twice");
      if (ind.veto && ind.max != 0) fail(ie + "a veto item carries no points (max must be 0)");
      if (!ind.veto && (ind.max < 1 || ind.max > 100)) fail(ie + "max must lie between 1 and 100");
      if (!ind.veto) points += ind.max;
      c.indicators.push_back(std::move(ind));
    }
    if (points != 100) fail("indicator maxima sum to " + std::to_string(points) + ", not 100");
    out.push_back(std::move(c));
  }
  if (!errors.empty()) return std::unexpected(errors);
  return out;
}

}  // namespace laurel::engine
