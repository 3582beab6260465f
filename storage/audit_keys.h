// Rotating the key that signs the audit log's checkpoints (`laurel audit rotate-key`). A new Ed25519
// key with the same name (the log's origin) is written to its own file (mode 0600, never over an
// existing file), and one transaction appends a record of the rotation (kind "system", action
// "rotate_key", old {verifier_key}, new {verifier_key}), signs a last checkpoint covering it with the
// OLD key (so the old key vouches for its successor), marks the old key retired in signing_keys with
// its rotation point (that checkpoint's size: the old key verifies nothing larger) and adds the new
// one. From then on the store opens only with the new key, and every later checkpoint
// is signed by it; the retired key stays in signing_keys so that old checkpoints still verify.
//
// Run it while no server has the database open: a running server keeps the old key and its own idea
// of the log's size, so its next commit would fail (the index the rotation record took is taken)
// until it is restarted with the new key. Nothing is corrupted either way, but the server's
// commands fail in between. Afterwards keep the old key file offline, or destroy it.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

#include "engine/time.h"

namespace laurel::storage::audit {

struct Rotation {
  std::string old_verifier_key;
  std::string new_verifier_key;
  std::int64_t record_index = -1;     // the rotation record
  std::uint64_t checkpoint_size = 0;  // the last checkpoint signed with the old key
};

std::expected<Rotation, std::string> rotate_signing_key(const std::string& db_path, const std::filesystem::path& old_key_path,
                                                        const std::filesystem::path& new_key_path, engine::Time now);

}  // namespace laurel::storage::audit
