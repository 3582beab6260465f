#include "web/cli_workflows.h"

#include <ostream>

#include "web/catalog_files.h"

namespace laurel::web {
namespace fs = std::filesystem;

namespace {

void print_definition(const engine::Definition& d, const std::string& file, std::ostream& out) {
  out << d.id << " v" << d.version << ": " << d.states.size() << " states, " << d.actions.size() << " actions, "
      << d.timers.size() << " timers, target level " << d.target_level;
  if (!file.empty()) out << " (" << file << ")";
  out << "\n";
}

void print_errors(const engine::LoadErrors& errors, std::ostream& err) {
  for (const auto& e : errors) err << "error: " << e.to_string() << "\n";
}

}  // namespace

int check_workflows(const fs::path& dir, const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  if (files.empty()) {
    auto catalog = load_catalog(dir);
    if (!catalog) {
      print_errors(catalog.error(), err);
      err << catalog.error().size() << " error(s)\n";
      return 1;
    }
    for (const auto* d : catalog->definitions()) print_definition(*d, "", out);
    out << "jurisdictions: " << catalog->tree().all().size() << " (levels";
    for (const auto& l : catalog->tree().levels()) out << " " << l;
    out << "); categories: " << catalog->categories().size() << "; holiday data for years";
    for (int y : catalog->calendar().years()) out << " " << y;
    out << "\nok\n";
    return 0;
  }

  // Named files: definitions are checked against the levels of DIR's jurisdiction tree; the three
  // data files are recognised by name.
  engine::LoadErrors errors;
  std::vector<std::string> levels;
  if (auto text = read_text_file(dir / "jurisdictions.json", errors)) {
    if (auto tree = engine::JurisdictionTree::load(*text, (dir / "jurisdictions.json").string())) levels = tree->levels();
    else errors.insert(errors.end(), tree.error().begin(), tree.error().end());
  }
  int failed = 0;
  for (const auto& name : files) {
    engine::LoadErrors file_errors;
    auto text = read_text_file(name, file_errors);
    std::string base = fs::path(name).filename().string();
    if (text) {
      if (base == "jurisdictions.json") {
        auto t = engine::JurisdictionTree::load(*text, name);
        if (t) out << name << ": " << t->all().size() << " jurisdictions\n"; else file_errors = t.error();
      } else if (base == "categories.json") {
        auto c = engine::load_categories(*text, name, levels);
        if (c) out << name << ": " << c->size() << " categories\n"; else file_errors = c.error();
      } else if (base == "holidays.json") {
        auto c = engine::Calendar::load(*text, name);
        if (c) out << name << ": holiday data for " << c->years().size() << " years\n"; else file_errors = c.error();
      } else {
        auto d = engine::load_definition(*text, name, levels);
        if (d) print_definition(*d, name, out); else file_errors = d.error();
      }
    }
    if (!file_errors.empty()) { ++failed; print_errors(file_errors, err); }
  }
  if (!errors.empty()) { print_errors(errors, err); ++failed; }
  if (failed) {
    err << failed << " file(s) with errors\n";
    return 1;
  }
  out << "ok\n";
  return 0;
}

}  // namespace laurel::web
