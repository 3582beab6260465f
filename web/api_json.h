// JSON for the API: the nomination and the other resources as API.md describes them (with what the
// viewer may see), RFC 9457 problem details, and a strict reader for request bodies that reports
// malformed JSON, unknown fields and wrong types as validation errors naming the field.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

#include "engine/decide.h"
#include "storage/store.h"
#include "web/http.h"

namespace laurel::web {

// What the viewer may see of a nomination beyond its public face.
struct Visibility {
  bool personal = false;        // nominee contact fields
  bool all_score_sheets = false;
  bool own_score_sheet = false;
  bool objection_contacts = false;
  bool internal = true;         // comments, findings, history
};

Visibility visibility_for(const engine::Nomination& n, const engine::Actor& viewer, const engine::Catalog& catalog);
boost::json::value nomination_json(const engine::Nomination& n, const engine::Actor& viewer, const engine::Catalog& catalog,
                                   storage::Store* store = nullptr);

Response json_response(int status, const boost::json::value& v);
Response problem(int status, std::string_view code, std::string_view title, std::string_view detail,
                 boost::json::object extra = {});
Response rejection_problem(const engine::Rejection& r);
Response validation_problem(std::vector<engine::FieldError> errors, std::string_view detail = "the request is not valid");

// An integer query parameter, digits only, within [lo, hi]: nullopt when absent or empty, and a
// field error in `errors` when it is not such a number.
std::optional<int> int_param(const Request& r, const char* name, int lo, int hi, std::vector<engine::FieldError>& errors);
// The nomination list's filters as GET /api/v1/nominations reads them from the query: state,
// level, category, office, q (as given, an empty value included) and year.
storage::ListQuery list_filters(const Request& r, std::vector<engine::FieldError>& errors);

// Strict reading of a JSON request body.
class BodyReader {
 public:
  // Parses the body; records an error when it is not a JSON object.
  explicit BodyReader(const std::string& body);
  bool ok() const { return errors_.empty(); }
  const std::vector<engine::FieldError>& errors() const { return errors_; }
  const boost::json::object& object() const { return obj_; }

  std::optional<std::string> str(std::string_view key, bool required = false, std::size_t max_length = 10000);
  std::optional<std::int64_t> integer(std::string_view key, bool required = false);
  std::optional<bool> boolean(std::string_view key);
  const boost::json::object* obj(std::string_view key, bool required = false);
  const boost::json::array* arr(std::string_view key, bool required = false);
  // Records every key not in `known` as an unknown field.
  void only(std::initializer_list<std::string_view> known, std::string_view prefix = "");
  void error(std::string field, std::string message) { errors_.push_back({std::move(field), std::move(message)}); }

 private:
  boost::json::object obj_;
  std::vector<engine::FieldError> errors_;
};

}  // namespace laurel::web
