// The rules for administrative changes, pure like the rest of the engine: who may grant which role
// where (an administrator only inside its own jurisdiction subtree), what a valid username and
// password are (at least 12 characters, not on the list of common passwords), and who may set quotas.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog.h"
#include "engine/nomination.h"
#include "engine/problem.h"

namespace laurel::engine {

// The roles a user can hold.
const std::vector<std::string>& known_roles();

std::optional<Rejection> check_username(std::string_view username);
std::optional<Rejection> check_display_name(std::string_view name);
std::optional<Rejection> check_password(std::string_view password, std::string_view username);
// `admin` may grant `grants` (and, for an existing user, take away `previous`).
std::optional<Rejection> check_grants(const Actor& admin, const std::vector<RoleGrant>& grants,
                                      const std::vector<RoleGrant>& previous, const JurisdictionTree& tree);
// `admin` may manage the user whose current grants are `grants` (all inside its subtree).
bool may_manage(const Actor& admin, const std::vector<RoleGrant>& grants, const JurisdictionTree& tree);
std::optional<Rejection> check_quota(const Actor& admin, std::string_view office, std::string_view level,
                                     std::string_view category, int year, std::int64_t limit, const Catalog& catalog);
// True when the actor holds `role` over `code` (the code itself or inside the role's subtree).
bool holds_over(const Actor& actor, std::string_view role, std::string_view code, const JurisdictionTree& tree);

}  // namespace laurel::engine
