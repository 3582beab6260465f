// The HTTP endpoints for documents and data exchange (README changelog, API extensions):
//   GET  /api/v1/exports/nominations?format=csv|xlsx&state=&level=&category=&year=&office=&q=
//   GET  /api/v1/exports/stats?format=&year=&office=
//   GET  /api/v1/exports/notices/{id}?format=            (public)
//   GET  /api/v1/exports/decisions/{document_no}?format= (public)
//   GET  /api/v1/exports/audit-records?format=&from=&limit=&nomination=&actor=&action=&outcome=  (auditors)
//   GET  /api/v1/imports/nominations/template?format=
//   POST /api/v1/imports/nominations?mode=all|valid&filename=   (the file as the body)
//   GET  /api/v1/documents/decisions/{document_no}/decision.pdf  (public)
//   GET  /api/v1/documents/notices/{id}/notice.pdf               (public)
//   GET  /api/v1/documents/decisions/{document_no}/certificates.pdf?ids=N1,N2  (office staff)
//   GET  /api/v1/verify/{code}                                   (public)
// Called by Api::handle after authentication and the CSRF check; thin: it parses, authorises, calls
// documents_*.h and the store, and renders.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "web/api.h"
#include "web/http.h"

namespace laurel::web {

class DocumentsApi {
 public:
  explicit DocumentsApi(storage::Store& store);
  ~DocumentsApi();
  // The response for p = path segments after /api/v1/, or nullopt when the path is not one of these.
  std::optional<Response> handle(const Request& r, const Identity& who, engine::Time now, const std::vector<std::string>& p);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace laurel::web
