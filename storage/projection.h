// The projections: tables kept current from the events, in the same transaction as the records that
// carry them. The live write path and `laurel rebuild` use this same code, so a rebuild equals the
// live tables by construction and by test.
#pragma once

#include <boost/json/value.hpp>

#include "engine/catalog.h"
#include "engine/nomination.h"
#include "storage/sqlite.h"

namespace laurel::storage {

// "620000/620900/620922/" for 瓜州县: a prefix test is a subtree test.
std::string jurisdiction_path(const engine::JurisdictionTree& tree, const std::string& code);

std::vector<std::uint8_t> snapshot_bytes(const engine::Nomination& n);
engine::Nomination from_snapshot(std::span<const std::uint8_t> bytes);

class Projector {
 public:
  Projector(sql::Db& db, const engine::Catalog& catalog) : db_(db), catalog_(catalog) {}

  // Folds one event into the projections. `before` is the nomination before it (empty for a creation).
  void apply(const engine::Event& e, const engine::Nomination& after, const std::string& objection_contact);
  // User and quota records.
  void apply_user(const boost::json::value& new_value, engine::Time at);
  void apply_quota(const boost::json::value& new_value);

  // Clears every projection (for a rebuild).
  static void clear(sql::Db& db);

 private:
  void write_nomination(const engine::Nomination& n);
  void write_timer(const engine::Nomination& n);

  sql::Db& db_;
  const engine::Catalog& catalog_;
};

}  // namespace laurel::storage
