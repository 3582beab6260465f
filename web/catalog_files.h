// Loads the catalog (jurisdiction tree, categories, holiday calendar, workflow definitions) from a
// workflows folder on disk: jurisdictions.json, categories.json, holidays.json and definitions/*.json.
// File reading lives here, at the edge; the engine only ever sees text.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/catalog.h"

namespace laurel::web {

// Reads a whole file; on failure records an error naming the file.
std::optional<std::string> read_text_file(const std::filesystem::path& path, engine::LoadErrors& errors);

// The definition files of a workflows folder, sorted by name.
std::vector<std::filesystem::path> definition_files(const std::filesystem::path& dir);

// Loads everything in `dir`. Every error of every file is reported, not just the first.
engine::Loaded<engine::Catalog> load_catalog(const std::filesystem::path& dir);

}  // namespace laurel::web
