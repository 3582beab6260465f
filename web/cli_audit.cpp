#include "web/cli_audit.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "storage/audit_export.h"
#include "storage/audit_keys.h"
#include "storage/audit_proofs.h"
#include "storage/audit_verify.h"

namespace laurel::web {
namespace audit = storage::audit;

namespace {

engine::Time wall_clock() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::string> read_file(const std::string& path, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "error: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A verifier key given on the command line, or @FILE holding one (surrounding whitespace ignored).
std::optional<std::string> key_argument(const std::string& arg, std::ostream& err) {
  std::string text = arg;
  if (arg.starts_with("@")) {
    auto file = read_file(arg.substr(1), err);
    if (!file) return std::nullopt;
    text = *file;
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    err << "error: empty verifier key" << (arg.starts_with("@") ? " in " + arg.substr(1) : std::string()) << "\n";
    return std::nullopt;
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

int print_report(const audit::Report& report, std::ostream& out, std::ostream& err) {
  if (report.ok) {
    out << report.summary() << "\n";
    return 0;
  }
  err << report.summary() << "\n";
  return 1;
}

struct AuditOptions {
  std::string db;
  std::string out;
  std::string file;
  std::vector<std::string> keys;
  std::string old_key;
  std::string new_key;
  std::string trusted;
};

}  // namespace

int audit_verify(const std::string& db, const std::optional<std::string>& trusted_checkpoint_file, std::ostream& out, std::ostream& err) {
  audit::VerifyOptions options;
  if (trusted_checkpoint_file) {
    options.trusted_checkpoint = read_file(*trusted_checkpoint_file, err);
    if (!options.trusted_checkpoint) return 1;
  }
  return print_report(audit::verify_database(db, options), out, err);
}

int audit_export(const std::string& db, const std::string& out_file, std::ostream& out, std::ostream& err) {
  auto summary = out_file == "-" ? audit::export_log(db, out) : audit::export_log_to_file(db, out_file);
  if (!summary) {
    err << "error: " << summary.error() << "\n";
    return 1;
  }
  // With the export on standard output, the summary goes to the error stream.
  std::ostream& say = out_file == "-" ? err : out;
  say << "exported " << summary->records << " records with their checkpoint" << (out_file == "-" ? "" : " to " + out_file)
      << "\nverify it with: laurel audit verify-export " << (out_file == "-" ? "FILE" : out_file) << " --key '" << summary->verifier_key
      << "'\n";
  return 0;
}

int audit_verify_export(const std::string& file, const std::vector<std::string>& keys,
                        const std::optional<std::string>& trusted_checkpoint_file, std::ostream& out, std::ostream& err) {
  audit::ExportVerifyOptions options;
  for (const auto& k : keys) {
    auto key = key_argument(k, err);
    if (!key) return 1;
    options.keys.push_back(std::move(*key));
  }
  if (trusted_checkpoint_file) {
    options.trusted_checkpoint = read_file(*trusted_checkpoint_file, err);
    if (!options.trusted_checkpoint) return 1;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "error: cannot read " << file << "\n";
    return 1;
  }
  return print_report(audit::verify_export(in, options), out, err);
}

int audit_checkpoint(const std::string& db, std::ostream& out, std::ostream& err) {
  auto reader = audit::AuditReader::open(db);
  if (!reader) {
    err << "error: " << reader.error() << "\n";
    return 1;
  }
  auto cp = (*reader)->latest_checkpoint();
  if (!cp) {
    err << "error: " << cp.error().message << "\n";
    return 1;
  }
  out << cp->note;
  return 0;
}

int audit_rotate_key(const std::string& db, const std::string& old_key, const std::string& new_key, engine::Time now, std::ostream& out,
                     std::ostream& err) {
  const std::string old_path = old_key.empty() ? db + ".key" : old_key;
  auto rotation = audit::rotate_signing_key(db, old_path, new_key, now);
  if (!rotation) {
    err << "error: " << rotation.error() << "\n";
    return 1;
  }
  out << "rotated the audit signing key (record " << rotation->record_index << ", the last checkpoint signed with the old key has size "
      << rotation->checkpoint_size << ")\n"
      << "retired: " << rotation->old_verifier_key << "\n"
      << "new:     " << rotation->new_verifier_key << "\n"
      << "new key file: " << new_key << " (mode 0600). Start the server with --key " << new_key << " (or move it to " << db
      << ".key); keep " << old_path << " offline or destroy it.\n";
  return 0;
}

void add_audit_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<AuditOptions>();
  auto* audit_cmd = app.add_subcommand("audit", "Verify, export and check the audit log; rotate its signing key");
  audit_cmd->require_subcommand(1);

  auto* verify = audit_cmd->add_subcommand(
      "verify", "Check every record, tree node and checkpoint of a database (works while the server runs); names the first problem");
  verify->add_option("--db", o->db, "The database file")->required();
  verify->add_option("--trusted-checkpoint", o->trusted, "A checkpoint saved earlier: also check that the log still extends it");
  verify->callback(
      [o, &rc] { rc = audit_verify(o->db, o->trusted.empty() ? std::nullopt : std::optional(o->trusted), std::cout, std::cerr); });

  auto* exp = audit_cmd->add_subcommand("export", "Write the log and its latest checkpoint for offline verification (NDJSON)");
  exp->add_option("--db", o->db, "The database file")->required();
  exp->add_option("--out", o->out, "The file to write (a new one), or - for standard output")->required();
  exp->callback([o, &rc] { rc = audit_export(o->db, o->out, std::cout, std::cerr); });

  auto* verify_export = audit_cmd->add_subcommand("verify-export", "Check an export offline with nothing but the public key");
  verify_export->add_option("file", o->file, "The export file")->required();
  verify_export->add_option("--key", o->keys, "A trusted verifier key, or @FILE holding one (repeat for keys from before a rotation)")
      ->required()
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  verify_export->add_option("--trusted-checkpoint", o->trusted,
                            "A checkpoint saved earlier: prove the log only grew since (catches rollback and truncation)");
  verify_export->callback([o, &rc] {
    rc = audit_verify_export(o->file, o->keys, o->trusted.empty() ? std::nullopt : std::optional(o->trusted), std::cout, std::cerr);
  });

  auto* checkpoint = audit_cmd->add_subcommand("checkpoint", "Print the latest signed checkpoint (save it to check later exports against)");
  checkpoint->add_option("--db", o->db, "The database file")->required();
  checkpoint->callback([o, &rc] { rc = audit_checkpoint(o->db, std::cout, std::cerr); });

  auto* rotate = audit_cmd->add_subcommand("rotate-key", "Retire the signing key and start signing with a new one (stop the server first)");
  rotate->add_option("--db", o->db, "The database file")->required();
  rotate->add_option("--key", o->old_key, "The current signing key file (default: DB.key)");
  rotate->add_option("--new-key", o->new_key, "Where to write the new signing key (a new file)")->required();
  rotate->callback([o, &rc] { rc = audit_rotate_key(o->db, o->old_key, o->new_key, wall_clock(), std::cout, std::cerr); });
}

}  // namespace laurel::web
