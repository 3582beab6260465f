// The audit export (API.md "Audit", storage/AUDIT_FORMAT.md): the whole log with its latest signed
// checkpoint, as newline-delimited JSON that an auditor checks offline with nothing but the public
// key, here (`laurel audit verify-export`) or with any other implementation of the format
// (tests/audit/verify_export.py is one, written from the documents):
//
//   {"format":"laurel-audit/1","key":"<verifier key>","keys":["<verifier key>",...],"origin":"<origin>"}
//   {"index":0,"leaf":"<base64 of the exact record bytes>"}
//   ...
//   {"checkpoint":"<signed note text>"}
//
// "key" is the key that signed the checkpoint; "keys" (an extension) lists every key the log has
// had, oldest first, so that checkpoints saved before a key rotation can be checked too. The
// export holds exactly the records 0..size-1 that its checkpoint covers, read in one snapshot.
// Nothing in the header is trusted by the verifier: the keys come from the auditor.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "storage/audit_verify.h"

namespace laurel::storage::audit {

inline constexpr const char* kExportFormat = "laurel-audit/1";

struct ExportSummary {
  std::int64_t records = 0;
  std::string checkpoint;    // the note the export ends with
  std::string verifier_key;  // the key that signed it
};

// Writes the export of the database at `db_path` (which may be in use by a server).
std::expected<ExportSummary, std::string> export_log(const std::string& db_path, std::ostream& out);
// The same into a new file: refuses to overwrite one, and leaves nothing behind on failure.
std::expected<ExportSummary, std::string> export_log_to_file(const std::string& db_path, const std::filesystem::path& path);

struct ExportVerifyOptions {
  // The keys the auditor trusts (verifier key strings); the checkpoint must be signed by one.
  std::vector<std::string> keys;
  // A checkpoint note saved earlier; it must be signed by one of `keys`, and the export must extend it.
  std::optional<std::string> trusted_checkpoint;
};

// Checks an export offline: every record line in order and canonical, the tree recomputed from the
// leaves, the checkpoint's signature and root, and with a trusted checkpoint that the log only grew
// since (a trusted checkpoint larger than the export is a rollback or truncation).
Report verify_export(std::istream& in, const ExportVerifyOptions& options);
Report verify_export(std::istream& in, const std::string& verifier_key,
                     const std::optional<std::string>& trusted_checkpoint = std::nullopt);

}  // namespace laurel::storage::audit
