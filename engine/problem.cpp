#include "engine/problem.h"

namespace laurel::engine {

std::string_view to_string(Problem p) {
  switch (p) {
    case Problem::forbidden: return "forbidden";
    case Problem::invalid_transition: return "invalid_transition";
    case Problem::quota_exceeded: return "quota_exceeded";
    case Problem::missing_materials: return "missing_materials";
    case Problem::objections_open: return "objections_open";
    case Problem::validation_failed: return "validation_failed";
    case Problem::version_conflict: return "version_conflict";
  }
  return "unknown";
}

int http_status(Problem p) {
  switch (p) {
    case Problem::forbidden: return 403;
    case Problem::version_conflict: return 409;
    default: return 422;
  }
}

}  // namespace laurel::engine
