// The keys a log's checkpoints may be signed by: reading the signing_keys table, and checking a
// checkpoint note against a set of verifier keys (the current one and every retired one, since old
// checkpoints stay verifiable after a key rotation). A retired key carries its rotation point: the
// size of the last checkpoint it signed, the one covering its rotate_key record (record r, size
// r + 1). It verifies nothing larger, so that a stolen old key cannot sign a longer history.
// Internal to storage/.
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
  std::optional<std::int64_t> retired_size;  // the rotation point (schema 2)
};

// Every row of signing_keys, oldest first. Throws sql::SqliteError.
std::vector<SigningKey> read_signing_keys(sql::Db& db);
// The log's origin (meta 'origin'), or nullopt. Throws sql::SqliteError.
std::optional<std::string> read_origin(sql::Db& db);

// When `record` is a key rotation record (kind "system", action "rotate_key"), the verifier key it
// retires (its old.verifier_key); nullopt for every other record. Cheap for them: one substring
// search, the record is parsed only when it names "rotate_key".
std::optional<std::string> retired_by_record(std::string_view record);

class KeyRing {
 public:
  // Refuses a malformed verifier key, naming it.
  static std::expected<KeyRing, std::string> make(const std::vector<std::string>& verifier_keys);
  // The ring of a database: every key of signing_keys, retired ones with their rotation points.
  static std::expected<KeyRing, std::string> make(const std::vector<SigningKey>& keys);

  // Limits the key (when in the ring; compared by key, not spelling) to checkpoints of at most
  // `last_size` records; a second rotation point keeps the smaller.
  void retire(std::string_view verifier_key, std::uint64_t last_size);
  // The rotation point of the key with this verifier key string, if it is in the ring and retired.
  std::optional<std::uint64_t> rotation_point(std::string_view verifier_key) const;
  // Whether the key is in the ring at all.
  bool contains(std::string_view verifier_key) const;

  bool empty() const { return keys_.empty(); }
  const std::vector<checkpoint::Verifier>& keys() const { return keys_; }

  // The checkpoint, when a signature by one of the keys verifies (and that key was not retired
  // before the checkpoint's size); `which` receives that key's position. Errors: a signature by a
  // known key that does not verify, a checkpoint larger than its key's rotation point, a malformed
  // note or body, or no signature by any of the keys.
  std::expected<checkpoint::Checkpoint, std::string> verify(std::string_view note, std::size_t* which = nullptr) const;

 private:
  std::optional<std::size_t> find(std::string_view verifier_key) const;

  std::vector<checkpoint::Verifier> keys_;
  std::vector<std::optional<std::uint64_t>> rotation_points_;  // one per key
};

}  // namespace laurel::storage::audit
