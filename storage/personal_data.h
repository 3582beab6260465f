// Personal contact data (phone numbers, addresses, identity numbers, an objector's contact) is never
// written into an audit record in clear: the record holds a salted SHA-256 commitment
// ("pd:" + hex), and the value lives in the erasable personal_data table. The trail stays verifiable
// after a lawful erasure (个人信息保护法). Nominee fields are personal when their category says so.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/catalog.h"
#include "engine/nomination.h"
#include "storage/sqlite.h"

namespace laurel::storage {

bool is_commitment(const std::string& s);

// Stores `value` and returns its commitment. Empty values are not personal data and stay as they are.
std::string commit_personal(sql::Db& db, const std::string& value);
// The value behind a commitment, or nullopt when unknown or erased.
std::optional<std::string> reveal_personal(sql::Db& db, const std::string& commitment);

// Replaces the personal nominee fields in the event's changes by commitments (for the record).
// `category` is the nomination's category (whose fields say which are personal).
engine::Event mask_event(sql::Db& db, engine::Event e, const engine::Catalog& catalog, const std::string& category);
// The inverse, for a rebuild: commitments are replaced by their values where still present.
engine::Event unmask_event(sql::Db& db, engine::Event e);

}  // namespace laurel::storage
