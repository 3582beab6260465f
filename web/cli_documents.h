// `laurel export`, `laurel import` and `laurel documents`: the spreadsheets and PDFs of
// web/documents_*.h from the command line, acting as a named user (--as) whose roles decide what it
// may see and do, exactly as through the API. Commands that write (import, and the first print of a
// document, which stores its verification code) must not run while a server serves the same
// database: use the API then.
#pragma once

#include <CLI/CLI.hpp>

#include "web/cli_database.h"

namespace laurel::web {

void add_document_commands(CLI::App& app, CommonOptions& common, int& rc);

}  // namespace laurel::web
