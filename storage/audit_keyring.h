// The keys a log's checkpoints may be signed by: reading the signing_keys table, and checking a
// checkpoint note against a set of verifier keys (the current one and every retired one, since old
// checkpoints stay verifiable after a key rotation). Internal to storage/.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/checkpoint.h"
#include "storage/sqlite.h"

namespace laurel::storage::audit {

struct SigningKey {
  std::string key_id;
  std::string name;
  std::string verifier_key;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retired_at;
};

// Every row of signing_keys, oldest first. Throws sql::SqliteError.
std::vector<SigningKey> read_signing_keys(sql::Db& db);
// The log's origin (meta 'origin'), or nullopt. Throws sql::SqliteError.
std::optional<std::string> read_origin(sql::Db& db);

class KeyRing {
 public:
  // Refuses a malformed verifier key, naming it.
  static std::expected<KeyRing, std::string> make(const std::vector<std::string>& verifier_keys);

  bool empty() const { return keys_.empty(); }
  const std::vector<checkpoint::Verifier>& keys() const { return keys_; }

  // The checkpoint, when a signature by one of the keys verifies; `which` receives that key's
  // position. Errors: a signature by a known key that does not verify, a malformed note or body, or
  // no signature by any of the keys.
  std::expected<checkpoint::Checkpoint, std::string> verify(std::string_view note, std::size_t* which = nullptr) const;

 private:
  std::vector<checkpoint::Verifier> keys_;
};

}  // namespace laurel::storage::audit
