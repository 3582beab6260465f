#include "storage/audit_keyring.h"

namespace laurel::storage::audit {

std::vector<SigningKey> read_signing_keys(sql::Db& db) {
  std::vector<SigningKey> keys;
  sql::Stmt s(db, "SELECT key_id, name, verifier_key, created_at, retired_at FROM signing_keys ORDER BY created_at, key_id");
  while (s.step()) {
    SigningKey k{s.text(0), s.text(1), s.text(2), s.i64(3), std::nullopt};
    if (!s.is_null(4)) k.retired_at = s.i64(4);
    keys.push_back(std::move(k));
  }
  return keys;
}

std::optional<std::string> read_origin(sql::Db& db) {
  sql::Stmt s(db, "SELECT value FROM meta WHERE key = 'origin'");
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::expected<KeyRing, std::string> KeyRing::make(const std::vector<std::string>& verifier_keys) {
  KeyRing ring;
  for (const auto& text : verifier_keys) {
    auto v = checkpoint::Verifier::parse(text);
    if (!v) return std::unexpected("\"" + text.substr(0, 120) + "\": " + v.error());
    ring.keys_.push_back(std::move(*v));
  }
  return ring;
}

std::expected<checkpoint::Checkpoint, std::string> KeyRing::verify(std::string_view note, std::size_t* which) const {
  std::optional<std::string> failure;  // a problem other than "not signed by this key"
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    auto checked = keys_[i].verify(note);
    if (checked) {
      if (which) *which = i;
      return checked;
    }
    if (!checked.error().starts_with("no signature by ")) {
      if (!failure) failure = checked.error() + " (key " + keys_[i].name() + "+" + keys_[i].key_id_hex() + ")";
    }
  }
  if (failure) return std::unexpected(*failure);
  std::string known;
  for (const auto& k : keys_) known += (known.empty() ? "" : ", ") + k.key_id_hex();
  return std::unexpected("not signed by any known key (known key ids: " + (known.empty() ? std::string("none") : known) + ")");
}

}  // namespace laurel::storage::audit
