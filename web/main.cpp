// The `laurel` executable: one binary, subcommands for each job.
#include <CLI/CLI.hpp>

#include <iostream>

#include "web/cli_audit.h"
#include "web/cli_database.h"
#include "web/cli_documents.h"
#include "web/cli_serve.h"
#include "web/cli_workflows.h"
#include "web/settings.h"

#ifndef LAUREL_WORKFLOWS_DIR
#define LAUREL_WORKFLOWS_DIR "workflows"
#endif
#ifndef LAUREL_VERSION
#define LAUREL_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Laurel: a workflow and approval engine for honour nominations"};
  app.set_version_flag("--version", std::string("laurel ") + LAUREL_VERSION);
  app.require_subcommand(1);

  int rc = 0;
  // The installed data (PREFIX/share/laurel/workflows) when this binary is installed, else the source tree.
  const std::string built_in_workflows = laurel::web::data_folder("workflows", LAUREL_WORKFLOWS_DIR);
  std::string workflows_dir = built_in_workflows;
  auto* workflows = app.add_subcommand("workflows", "Work with workflow definitions and their data");
  workflows->require_subcommand(1);
  auto* check = workflows->add_subcommand("check", "Validate workflow definitions, categories, jurisdictions and holidays");
  std::vector<std::string> files;
  check->add_option("--dir", workflows_dir, "The workflows folder (jurisdictions.json, categories.json, holidays.json, definitions/)")
      ->capture_default_str();
  check->add_option("files", files, "Files to check (default: everything in --dir)");
  check->callback([&] { rc = laurel::web::check_workflows(workflows_dir, files, std::cout, std::cerr); });

  laurel::web::CommonOptions common;
  common.workflows = built_in_workflows;
  laurel::web::add_database_commands(app, common, rc);
  laurel::web::add_serve_command(app, common, rc);
  laurel::web::add_audit_commands(app, rc);
  laurel::web::add_config_command(app, built_in_workflows, rc);
  laurel::web::add_document_commands(app, common, rc);

  CLI11_PARSE(app, argc, argv);
  return rc;
}
