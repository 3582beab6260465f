// Problem codes and typed rejections: the values the engine returns when it refuses a command.
// The codes are the API's (shared/API.md, "Conventions"); http_status() maps each to its status so
// that every layer answers the same refusal the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace laurel::engine {

enum class Problem {
  forbidden,           // 403: wrong role, wrong jurisdiction, not yet at the actor's office
  invalid_transition,  // 422: the action is not available in the current state
  quota_exceeded,      // 422: approving would exceed the office's quota
  missing_materials,   // 422: required materials are not attached
  objections_open,     // 422: an objection is still open
  validation_failed,   // 422: a field is missing or out of range
  version_conflict,    // 409: expected_version is stale
};

std::string_view to_string(Problem p);
int http_status(Problem p);

struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// Why a command was refused. `allowed_actions` is filled for invalid_transition (the actions the
// actor may take in the current state); `errors` for validation_failed and missing_materials.
struct Rejection {
  Problem code;
  std::string detail;
  std::vector<std::string> allowed_actions;
  std::vector<FieldError> errors;
};

}  // namespace laurel::engine
