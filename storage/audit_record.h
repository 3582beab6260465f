// Audit records: what storage appends to the log for every accepted command, every denied attempt,
// every login, every change to users, roles and quotas. A record is a JSON object serialised as
// canonical JSON (storage/canonical_json.h); its bytes are the Merkle tree's leaf. The fields are
// documented in storage/AUDIT_FORMAT.md. Records never hold passwords, tokens or session ids;
// personal contact data appears only as a salted commitment (see personal_data.h).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/nomination.h"
#include "engine/problem.h"

namespace laurel::storage {

// Who did it, how they were authenticated and from where.
struct Who {
  std::string user;          // "" for the anonymous public, "system" for timers
  std::string role;          // the role acted in, when known
  std::string jurisdiction;  // of that role
  std::string auth;          // session | token | password | cli | system | anonymous
  std::string address;       // client address as the server saw it (or as the trusted proxy said)
};

struct AuditRecord {
  engine::Time at = 0;
  Who who;
  std::string kind;     // command | login | logout | user | quota | token | timer | import | audit_access
  std::string action;   // the workflow action, or login, create_user, set_quota, …
  std::string object_type;  // nomination | user | quota | session | audit | notice | decision
  std::string object_id;
  std::string outcome;  // accepted | denied
  std::optional<engine::Rejection> reason;  // for denied
  std::string comment;
  boost::json::value old_value;  // null when nothing
  boost::json::value new_value;
  std::vector<engine::Event> events;  // the engine's events (personal data already masked)
  std::string batch;  // batch id for batch actions, or ""

  // The record as a JSON value (stable field names, see AUDIT_FORMAT.md).
  boost::json::value to_json() const;
  // The canonical bytes.
  std::string bytes() const;
  static std::optional<AuditRecord> from_json(const boost::json::value& v, std::string* error = nullptr);
};

// An engine event as JSON through its cereal serialisation, and back.
boost::json::value event_to_json(const engine::Event& e);
std::optional<engine::Event> event_from_json(const boost::json::value& v, std::string* error = nullptr);

}  // namespace laurel::storage
