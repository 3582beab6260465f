// The database subcommands of `laurel`: init, demo, rebuild, backup. Each opens what it needs, prints
// what it did, and exits non-zero with a message naming the file on any error.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace laurel::web {

struct CommonOptions {
  std::string db;
  std::string key;
  std::string files;
  std::string workflows;
};

// Adds --db, --key, --files and --workflows to a subcommand.
void add_common_options(CLI::App& cmd, CommonOptions& o, bool db_required = true);
void add_database_commands(CLI::App& app, CommonOptions& o, int& rc);

}  // namespace laurel::web
