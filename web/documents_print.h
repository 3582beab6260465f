// The printed documents filled from the store: the naming decision, the publicity notice and the
// certificates of a decision (drawn by documents_pdf.h), each with its verification code (created on
// first print, kept in the store), and the check of a code (GET /api/v1/verify/{code}, /verify/{code}).
// Shared by the API, the pages and `laurel documents`. Only public facts are printed or shown: names,
// categories, offices, dates; never personal contact data.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "web/documents_pdf.h"

namespace laurel::web::documents {

struct PrintError {
  enum class Kind { not_found, validation, failed } kind = Kind::failed;
  std::string message;
};

struct PrintOptions {
  // The public address of the server ("https://laurel.example.gov.cn"), printed before /verify/CODE;
  // empty: the environment variable LAUREL_PUBLIC_URL, else only the path is printed.
  std::string public_url;
  PdfFonts fonts;
};

std::expected<std::string, PrintError> decision_pdf(storage::Store& store, const std::string& document_no, engine::Time now,
                                                    const PrintOptions& options = {});
std::expected<std::string, PrintError> notice_pdf(storage::Store& store, const std::string& notice_id, engine::Time now,
                                                  const PrintOptions& options = {});
// The certificates of the nominations of a decision that are named now (all of them, or those in
// `only`), one a page.
std::expected<std::string, PrintError> certificates_pdf(storage::Store& store, const std::string& document_no,
                                                        const std::vector<std::string>& only, engine::Time now,
                                                        const PrintOptions& options = {});

// What a verification code stands for, as anyone may see it.
struct Verification {
  storage::VerificationCode code;
  std::string status;  // valid | expired | revoked | withdrawn… (certificate: the naming's state now); valid for decision, notice
  std::string office, office_name;
  std::string document_no, title;
  engine::Time at = 0;           // named (certificate, decision) or publicity start (notice)
  engine::Time valid_until = 0;  // certificate
  std::string nominee, category, category_name, level;  // certificate
  std::int64_t count = 0;        // decision, notice: nominees
};
std::optional<Verification> verify(storage::Store& store, std::string_view typed_code, engine::Time now);

}  // namespace laurel::web::documents
