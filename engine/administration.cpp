#include "engine/administration.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "engine/category.h"

namespace laurel::engine {
namespace {

Rejection invalid(std::string field, std::string message) {
  return Rejection{Problem::validation_failed, field + ": " + message, {}, {{std::move(field), std::move(message)}}};
}

// Passwords seen most often in breach corpora and in Chinese offices' own habits; any password on
// the list, whatever its case, is refused.
constexpr std::array<std::string_view, 60> kCommonPasswords{
    "123456789012", "1234567890123", "12345678901234", "111111111111", "000000000000", "123123123123",
    "qwertyuiop12", "qwertyuiop123", "1q2w3e4r5t6y", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "qazwsxedcrfv",
    "password1234", "password12345", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234", "iloveyou1234",
    "admin1234567", "admin123456789", "administrator", "administrator1", "welcome12345", "letmein12345",
    "abc123456789", "abcd12345678", "abcdefghijkl", "aaaaaaaaaaaa", "woaini123456", "woaini1314520",
    "5201314520131", "1314520131452", "zhangwei1234", "wangwei12345", "88888888888888", "666666666666",
    "888888888888", "147258369123", "123qweasdzxc", "qweasdzxc123", "zxcvbnm12345", "asdfghjkl123",
    "changeme1234", "changeme12345", "laurel123456", "laurel1234567", "minzutuanjie", "minzutuanjie1",
    "gansu1234567", "jiuquan123456", "guazhou123456", "default12345", "secret123456", "monkey123456",
    "dragon123456", "football1234", "baseball1234", "sunshine1234", "princess1234", "superman1234",
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> roles{"nominator", "reviewer", "panelist", "approver", "auditor", "admin"};
  return roles;
}

bool holds_over(const Actor& actor, std::string_view role, std::string_view code, const JurisdictionTree& tree) {
  if (actor.kind != Actor::Kind::person) return actor.kind == Actor::Kind::system;
  for (const auto& g : actor.roles) {
    if (g.role == role && tree.contains(g.jurisdiction, code)) return true;
  }
  return false;
}

std::optional<Rejection> check_username(std::string_view u) {
  if (u.size() < 2 || u.size() > 32 ||
      !std::all_of(u.begin(), u.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'; })) {
    return invalid("username", "2 to 32 characters: lower-case letters, digits, '_', '.', '-'");
  }
  return std::nullopt;
}

std::optional<Rejection> check_display_name(std::string_view n) {
  if (n.empty() || !is_valid_utf8(n) || utf8_length(n) > 100) return invalid("display_name", "1 to 100 characters required");
  return std::nullopt;
}

std::optional<Rejection> check_password(std::string_view p, std::string_view username) {
  if (!is_valid_utf8(p) || utf8_length(p) < 12) return invalid("password", "at least 12 characters");
  if (p.size() > 1024) return invalid("password", "at most 1024 bytes");
  std::string l = lower(p);
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), l) != kCommonPasswords.end()) {
    return invalid("password", "this password is on the list of common passwords");
  }
  if (!username.empty() && l.find(lower(username)) != std::string::npos) return invalid("password", "must not contain the username");
  if (std::all_of(p.begin(), p.end(), [&](char c) { return c == p.front(); })) return invalid("password", "must not repeat one character");
  return std::nullopt;
}

std::optional<Rejection> check_grants(const Actor& admin, const std::vector<RoleGrant>& grants,
                                      const std::vector<RoleGrant>& previous, const JurisdictionTree& tree) {
  const auto& roles = known_roles();
  for (const auto& g : grants) {
    if (std::find(roles.begin(), roles.end(), g.role) == roles.end()) {
      return invalid("roles", "unknown role \"" + g.role + "\"");
    }
    if (!tree.find(g.jurisdiction)) return invalid("roles", "unknown jurisdiction \"" + g.jurisdiction + "\"");
  }
  for (const auto* list : {&grants, &previous}) {
    for (const auto& g : *list) {
      if (!holds_over(admin, "admin", g.jurisdiction, tree)) {
        return Rejection{Problem::forbidden, "an administrator may only grant or remove roles inside its own jurisdiction (" + g.role + " at " + g.jurisdiction + ")", {}, {}};
      }
    }
  }
  return std::nullopt;
}

bool may_manage(const Actor& admin, const std::vector<RoleGrant>& grants, const JurisdictionTree& tree) {
  if (grants.empty()) return holds_over(admin, "admin", tree.root().code, tree);
  return std::all_of(grants.begin(), grants.end(), [&](const RoleGrant& g) { return holds_over(admin, "admin", g.jurisdiction, tree); });
}

std::optional<Rejection> check_quota(const Actor& admin, std::string_view office, std::string_view level,
                                     std::string_view category, int year, std::int64_t limit, const Catalog& catalog) {
  const auto& tree = catalog.tree();
  const Jurisdiction* j = tree.find(office);
  if (!j) return invalid("office", "unknown jurisdiction");
  if (!holds_over(admin, "admin", office, tree)) return Rejection{Problem::forbidden, "quotas may only be set inside the administrator's jurisdiction", {}, {}};
  if (!tree.has_level(level)) return invalid("level", "unknown level");
  if (j->level != level) return invalid("level", "the office " + std::string(office) + " is at level " + j->level);
  if (!catalog.category(category)) return invalid("category", "unknown category");
  if (year < 2000 || year > 2100) return invalid("year", "must lie between 2000 and 2100");
  if (limit < 0 || limit > 1000000) return invalid("limit", "must lie between 0 and 1000000");
  return std::nullopt;
}

}  // namespace laurel::engine
