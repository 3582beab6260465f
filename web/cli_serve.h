// `laurel serve`: opens the database and serves the API and pages. Flags, or a config file
// (--config FILE, INI/TOML as CLI11 reads them), for every setting; --listen accepts port 0 and the
// bound address is the first line printed.
#pragma once

#include <CLI/CLI.hpp>

#include "web/cli_database.h"

namespace laurel::web {

void add_serve_command(CLI::App& app, CommonOptions& common, int& rc);

}  // namespace laurel::web
