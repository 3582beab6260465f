#include "storage/audit_keyring.h"

#include <cstring>

#include <algorithm>

#include "storage/canonical_json.h"
#include "storage/schema.h"

namespace laurel::storage::audit {

std::vector<SigningKey> read_signing_keys(sql::Db& db) {
  std::vector<SigningKey> keys;
  // A read-only reader (`laurel audit verify`) does not migrate: before schema 3 there is no
  // rotation point column.
  const bool has_rotation_points = schema_version(db) >= 2;
  sql::Stmt s(db, has_rotation_points
                      ? "SELECT key_id, name, verifier_key, created_at, retired_at, retired_size FROM signing_keys ORDER BY created_at, key_id"
                      : "SELECT key_id, name, verifier_key, created_at, retired_at, NULL FROM signing_keys ORDER BY created_at, key_id");
  while (s.step()) {
    SigningKey k{s.text(0), s.text(1), s.text(2), s.i64(3), std::nullopt, std::nullopt};
    if (!s.is_null(4)) k.retired_at = s.i64(4);
    if (!s.is_null(5)) k.retired_size = s.i64(5);
    keys.push_back(std::move(k));
  }
  return keys;
}

std::optional<std::string> read_origin(sql::Db& db) {
  sql::Stmt s(db, "SELECT value FROM meta WHERE key = 'origin'");
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::optional<std::string> retired_by_record(std::string_view record) {
  // memmem, not string_view::find: find looks for the first byte ('"', in every key and string) with
  // memchr and compares at each, which was a seventh of `laurel audit verify`.
  static constexpr std::string_view kNeedle = "rotate_key\"";
  if (!memmem(record.data(), record.size(), kNeedle.data(), kNeedle.size())) return std::nullopt;
  auto value = parse_canonical_json(record);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& o = value->get_object();
  const auto* kind = o.if_contains("kind");
  const auto* action = o.if_contains("action");
  const auto* old = o.if_contains("old");
  if (!kind || !action || !old || !kind->is_string() || !action->is_string() || kind->get_string() != "system" ||
      action->get_string() != "rotate_key" || !old->is_object()) {
    return std::nullopt;
  }
  const auto* key = old->get_object().if_contains("verifier_key");
  if (!key || !key->is_string()) return std::nullopt;
  return std::string(key->get_string());
}

std::expected<KeyRing, std::string> KeyRing::make(const std::vector<std::string>& verifier_keys) {
  KeyRing ring;
  for (const auto& text : verifier_keys) {
    auto v = checkpoint::Verifier::parse(text);
    if (!v) return std::unexpected("\"" + text.substr(0, 120) + "\": " + v.error());
    ring.keys_.push_back(std::move(*v));
    ring.rotation_points_.emplace_back();
  }
  return ring;
}

std::expected<KeyRing, std::string> KeyRing::make(const std::vector<SigningKey>& keys) {
  std::vector<std::string> texts;
  for (const auto& k : keys) texts.push_back(k.verifier_key);
  auto ring = make(texts);
  if (!ring) return ring;
  for (const auto& k : keys) {
    if (k.retired_size) ring->retire(k.verifier_key, static_cast<std::uint64_t>(std::max<std::int64_t>(0, *k.retired_size)));
  }
  return ring;
}

std::optional<std::size_t> KeyRing::find(std::string_view verifier_key) const {
  auto v = checkpoint::Verifier::parse(verifier_key);
  if (!v) return std::nullopt;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].verifier_key() == v->verifier_key()) return i;
  }
  return std::nullopt;
}

void KeyRing::retire(std::string_view verifier_key, std::uint64_t last_size) {
  if (auto i = find(verifier_key)) {
    auto& point = rotation_points_[*i];
    point = point ? std::min(*point, last_size) : last_size;
  }
}

std::optional<std::uint64_t> KeyRing::rotation_point(std::string_view verifier_key) const {
  auto i = find(verifier_key);
  return i ? rotation_points_[*i] : std::nullopt;
}

bool KeyRing::contains(std::string_view verifier_key) const { return find(verifier_key).has_value(); }

std::expected<checkpoint::Checkpoint, std::string> KeyRing::verify(std::string_view note, std::size_t* which) const {
  std::optional<std::string> failure;  // a problem other than "not signed by this key"
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    auto checked = keys_[i].verify(note);
    if (checked && rotation_points_[i] && checked->size > *rotation_points_[i]) {
      if (!failure) {
        failure = "signed by key " + keys_[i].name() + "+" + keys_[i].key_id_hex() + " for " + std::to_string(checked->size) +
                  " records, but that key was retired at size " + std::to_string(*rotation_points_[i]) +
                  " (its rotation): a retired key signs nothing after its rotation";
      }
      continue;
    }
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
