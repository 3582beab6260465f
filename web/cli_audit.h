// The audit subcommands of `laurel` (storage/AUDIT_FORMAT.md says what they check):
//   laurel audit verify --db PATH [--trusted-checkpoint FILE]
//   laurel audit export --db PATH --out FILE            (FILE "-": standard output)
//   laurel audit verify-export FILE --key VKEY [--key VKEY ...] [--trusted-checkpoint FILE]
//   laurel audit checkpoint --db PATH
//   laurel audit rotate-key --db PATH [--key OLD] --new-key PATH
// A VKEY is a verifier key string or @FILE holding one. Each prints one line of result (or the
// note), and exits 1 when it finds a problem or cannot do its job, naming the record or file.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "engine/time.h"

namespace laurel::web {

void add_audit_commands(CLI::App& app, int& rc);

// The commands themselves, for tests; each returns the exit code.
int audit_verify(const std::string& db, const std::optional<std::string>& trusted_checkpoint_file, std::ostream& out, std::ostream& err);
int audit_export(const std::string& db, const std::string& out_file, std::ostream& out, std::ostream& err);
int audit_verify_export(const std::string& file, const std::vector<std::string>& keys,
                        const std::optional<std::string>& trusted_checkpoint_file, std::ostream& out, std::ostream& err);
int audit_checkpoint(const std::string& db, std::ostream& out, std::ostream& err);
int audit_rotate_key(const std::string& db, const std::string& old_key, const std::string& new_key, engine::Time now, std::ostream& out,
                     std::ostream& err);

}  // namespace laurel::web
