// Signed checkpoints of the audit log: a C2SP tlog-checkpoint (origin, tree size, root hash) inside a
// C2SP signed note, signed with Ed25519 (libsodium), in the key formats of Go's sumdb/note so that
// standard tools can check them. Anyone holding the verifier key string can check a checkpoint that
// has left the system; with the Merkle proofs (storage/merkle.h) that makes edits, deletions,
// reordering and truncation of the log visible. Malformed or forged input is an error value with a
// message for a person. The signer key lives in its own file, outside the database, which only its
// owner may read; the two key-file functions are the only file I/O here.
//
//   body:       <origin>\n<size in decimal>\n<base64 root hash>\n        (no extension lines)
//   note:       <body>\n— <name> <base64(key id (4 bytes, big-endian) || Ed25519 signature of body)>\n
//   key id:     the first 4 bytes of SHA-256(name || 0x0A || 0x01 || 32-byte public key)
//   verifier:   <name>+<key id, 8 lowercase hex digits>+<base64(0x01 || public key)>
//   signer:     PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte Ed25519 seed)>
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "storage/merkle.h"

namespace laurel::storage::checkpoint {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  merkle::Hash root{};

  bool operator==(const Checkpoint&) const = default;
};

// True for a usable origin line: non-empty, valid UTF-8, no control characters (so no newline).
bool is_valid_origin(std::string_view origin);
// True for a usable key name: non-empty, valid UTF-8, no control characters, no Unicode space, no '+'.
bool is_valid_key_name(std::string_view name);

// The checkpoint's note text. The origin must be valid (is_valid_origin): an invalid one is a bug of
// the caller and throws std::invalid_argument.
std::string checkpoint_body(const Checkpoint& checkpoint);
// Reads a note text back; the errors start with "malformed checkpoint body: ". Refuses a size that is
// not canonical decimal (no sign, no leading zero, fits 64 bits), a root that is not the base64 of 32
// bytes, an empty origin, and extension lines (Laurel writes none).
std::expected<Checkpoint, std::string> parse_checkpoint_body(std::string_view text);

// An Ed25519 signing key with its name. The secret is wiped when the object goes.
class Signer {
 public:
  // A fresh key from libsodium's random generator.
  static std::expected<Signer, std::string> generate(std::string_view name);
  // The key of a given 32-byte seed (deterministic: for tests and key import).
  static std::expected<Signer, std::string> from_seed(std::string_view name, std::span<const std::uint8_t, 32> seed);
  // Reads a signer key string (PRIVATE+KEY+...), checking that its key id matches the key.
  static std::expected<Signer, std::string> parse(std::string_view signer_key);

  Signer(const Signer&) = default;
  Signer(Signer&&) = default;
  Signer& operator=(const Signer&) = default;
  Signer& operator=(Signer&&) = default;
  ~Signer();

  const std::string& name() const { return name_; }
  std::uint32_t key_id() const { return key_id_; }
  std::string key_id_hex() const;    // 8 lowercase hexadecimal digits
  std::string signer_key() const;    // PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>
  std::string verifier_key() const;  // <name>+<hex key id>+<base64(0x01 || public key)>

  // The full signed note of the checkpoint (the origin must be valid, as for checkpoint_body).
  std::string sign(const Checkpoint& checkpoint) const;
  // Signs any note text; it must be non-empty and end in a newline, else std::invalid_argument.
  std::string sign_note(std::string_view text) const;

 private:
  Signer() = default;

  std::string name_;
  std::uint32_t key_id_ = 0;
  std::array<std::uint8_t, 64> secret_key_{};  // libsodium's layout: seed || public key
};

// An Ed25519 verifier key with its name.
class Verifier {
 public:
  // Reads a verifier key string, checking that its key id matches the key.
  static std::expected<Verifier, std::string> parse(std::string_view verifier_key);

  const std::string& name() const { return name_; }
  std::uint32_t key_id() const { return key_id_; }
  std::string key_id_hex() const;  // 8 lowercase hexadecimal digits
  std::string verifier_key() const;

  // Checks a signed note and returns its text. Signature lines by other keys are ignored (key
  // rotation, cosigners); the one whose name and key id match this key must verify. Errors:
  // "malformed note: …", "no signature by <name> (key id <hex>)", "signature does not verify".
  std::expected<std::string, std::string> verify_note(std::string_view note) const;
  // verify_note, then parse_checkpoint_body.
  std::expected<Checkpoint, std::string> verify(std::string_view note) const;

 private:
  Verifier() = default;

  std::string name_;
  std::uint32_t key_id_ = 0;
  std::array<std::uint8_t, 32> public_key_{};
};

// Creates `path` with mode 0600 holding the signer key string and a newline, and makes it durable
// (fsync of the file and of its folder). Refuses to overwrite an existing file (or a symlink).
std::expected<void, std::string> write_signer_key_file(const std::filesystem::path& path, const Signer& signer);
// Reads a key file written by write_signer_key_file. Refuses a file that is not a regular file or
// whose mode gives group or others any access.
std::expected<Signer, std::string> read_signer_key_file(const std::filesystem::path& path);

}  // namespace laurel::storage::checkpoint
