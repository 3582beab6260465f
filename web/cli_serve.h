// `laurel serve`: opens the database (taking a backup and migrating an older one first) and serves the
// API and pages. Every setting (web/settings.h) is a --flag and a line of the configuration file
// (--config FILE); the command line overrides the file. --listen accepts port 0 and the bound address
// is the first line printed; under systemd (Type=notify) readiness is reported once listening.
// `laurel config check FILE` validates a configuration file without starting anything.
#pragma once

#include <CLI/CLI.hpp>

#include "web/cli_database.h"

namespace laurel::web {

void add_serve_command(CLI::App& app, CommonOptions& common, int& rc);
void add_config_command(CLI::App& app, const std::string& built_in_workflows, int& rc);

}  // namespace laurel::web
