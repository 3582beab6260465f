#include "storage/personal_data.h"

#include <sodium.h>

#include "engine/catalog.h"

namespace laurel::storage {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) { out.push_back(digits[p[i] >> 4]); out.push_back(digits[p[i] & 15]); }
  return out;
}

void mask_nominee(sql::Db& db, std::map<std::string, std::string>& nominee, const engine::Category* cat) {
  if (!cat) return;
  for (auto& [key, value] : nominee) {
    const engine::NomineeField* f = cat->field(key);
    if (f && f->personal && !value.empty() && !is_commitment(value)) value = commit_personal(db, value);
  }
}

void unmask_nominee(sql::Db& db, std::map<std::string, std::string>& nominee) {
  for (auto& [key, value] : nominee) {
    if (is_commitment(value)) {
      if (auto v = reveal_personal(db, value)) value = *v;
    }
  }
}

}  // namespace

bool is_commitment(const std::string& s) { return s.size() == 67 && s.compare(0, 3, "pd:") == 0; }

std::string commit_personal(sql::Db& db, const std::string& value) {
  if (value.empty()) return value;
  unsigned char salt[16];
  randombytes_buf(salt, sizeof salt);
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, salt, sizeof salt);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  std::string commitment = "pd:" + hex(digest, sizeof digest);
  sql::Stmt ins(db, "INSERT INTO personal_data (commitment, salt, value) VALUES (?, ?, ?)");
  ins.bind(1, commitment).bind_blob(2, std::span<const std::uint8_t>(salt, sizeof salt)).bind(3, value).run();
  return commitment;
}

std::optional<std::string> reveal_personal(sql::Db& db, const std::string& commitment) {
  sql::Stmt s(db, "SELECT value FROM personal_data WHERE commitment = ? AND erased_at IS NULL");
  s.bind(1, commitment);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return s.text(0);
}

engine::Event mask_event(sql::Db& db, engine::Event e, const engine::Catalog& catalog, const std::string& category) {
  for (auto& c : e.changes) {
    if (auto* created = std::get_if<engine::change::Created>(&c)) {
      mask_nominee(db, created->nomination.nominee, catalog.category(created->nomination.category));
    } else if (auto* edited = std::get_if<engine::change::Edited>(&c)) {
      mask_nominee(db, edited->nominee, catalog.category(category));
    }
  }
  return e;
}

engine::Event unmask_event(sql::Db& db, engine::Event e) {
  for (auto& c : e.changes) {
    if (auto* created = std::get_if<engine::change::Created>(&c)) unmask_nominee(db, created->nomination.nominee);
    else if (auto* edited = std::get_if<engine::change::Edited>(&c)) unmask_nominee(db, edited->nominee);
  }
  return e;
}

}  // namespace laurel::storage
