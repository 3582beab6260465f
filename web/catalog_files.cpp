#include "web/catalog_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace laurel::web {
namespace fs = std::filesystem;

std::optional<std::string> read_text_file(const fs::path& path, engine::LoadErrors& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back({path.string(), "", "cannot be read"});
    return std::nullopt;
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) {
    errors.push_back({path.string(), "", "read error"});
    return std::nullopt;
  }
  return s.str();
}

std::vector<fs::path> definition_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir / "definitions", ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

engine::Loaded<engine::Catalog> load_catalog(const fs::path& dir) {
  engine::LoadErrors errors;
  auto append = [&](const engine::LoadErrors& more) { errors.insert(errors.end(), more.begin(), more.end()); };

  std::optional<engine::JurisdictionTree> tree;
  if (auto text = read_text_file(dir / "jurisdictions.json", errors)) {
    auto t = engine::JurisdictionTree::load(*text, (dir / "jurisdictions.json").string());
    if (t) tree = std::move(*t); else append(t.error());
  }
  if (!tree) return std::unexpected(errors);  // nothing else can be checked without the levels

  std::vector<engine::Category> categories;
  if (auto text = read_text_file(dir / "categories.json", errors)) {
    auto c = engine::load_categories(*text, (dir / "categories.json").string(), tree->levels());
    if (c) categories = std::move(*c); else append(c.error());
  }
  engine::Calendar calendar;
  if (auto text = read_text_file(dir / "holidays.json", errors)) {
    auto c = engine::Calendar::load(*text, (dir / "holidays.json").string());
    if (c) calendar = std::move(*c); else append(c.error());
  }

  engine::Catalog catalog(std::move(*tree), std::move(categories), std::move(calendar));
  auto files = definition_files(dir);
  if (files.empty()) errors.push_back({(dir / "definitions").string(), "", "holds no workflow definition (*.json)"});
  for (const auto& f : files) {
    auto text = read_text_file(f, errors);
    if (!text) continue;
    auto def = engine::load_definition(*text, f.string(), catalog.tree().levels());
    if (!def) { append(def.error()); continue; }
    if (auto err = catalog.add(std::move(*def), f.string())) errors.push_back(*err);
  }
  if (!errors.empty()) return std::unexpected(errors);
  return catalog;
}

}  // namespace laurel::web
