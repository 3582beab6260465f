// The engine's decisions: decide(command, nomination, context) → events or a typed rejection, and
// apply(nomination, event) → nomination. Pure functions: the context brings the actor, the time, the
// catalog (definitions, categories, jurisdictions, calendar) and the counts the engine cannot know
// (quota usage). Also: which actions an actor may take now, who may see a nomination, and which
// system actions (timers) fall due when, so that storage can schedule them without a clock here.
//
// Checks run in this order, and the first failure is the answer:
//   1. the action exists from the current state; else invalid_transition (with the actor's allowed
//      actions) when the actor holds the action's role where the nomination is now, forbidden otherwise
//      (so that an actor at another office learns nothing about the nomination's state);
//   2. the actor holds the action's role where it applies (the current office; for nominators, its
//      own nomination inside its subtree) → forbidden;
//   3. expected_version matches (required of people acting in a named role) → version_conflict;
//   4. the action's guards, in the order the definition lists them.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/nomination.h"
#include "engine/problem.h"

namespace laurel::engine {

// How many nominations of the same office, level, category and year are approved or beyond, and the
// limit. No quota row means no limit (pass nullopt).
struct Quota {
  std::int64_t limit = 0;
  std::int64_t used = 0;
};

struct Context {
  const Actor& actor;
  Time now = 0;
  const Catalog& catalog;
  std::optional<Quota> quota;
};

using Decision = std::expected<std::vector<Event>, Rejection>;

// Creating a nomination (action "create"): one event, the nomination in its initial state.
Decision decide_create(const Command& cmd, const Context& ctx);
// Any other action on an existing nomination. The first event is always the nomination's own; a
// recommendation of a named nomination adds the creation of the linked one at the next level.
Decision decide(const Command& cmd, const Nomination& n, const Context& ctx);

Nomination apply(Nomination n, const Event& e);

// The actions `actor` may take on `n` now (role and jurisdiction; guards are not checked), in
// definition order; system and public actions are left out.
std::vector<std::string> available_actions(const Nomination& n, const Actor& actor, const Catalog& catalog);

// Visibility: nominators see their own; reviewers, panelists and approvers what lies in their subtree
// once submitted; auditors and administrators all of their subtree.
bool may_see(const Nomination& n, const Actor& actor, const JurisdictionTree& tree);

struct Due {
  std::string action;
  Time at = 0;
};
// The earliest system action that will fall due for `n` if nothing else happens, or nullopt.
std::optional<Due> next_due(const Nomination& n, const Catalog& catalog);
// The system actions due at `now` (each accepted by decide() with the system actor).
std::vector<std::string> due_actions(const Nomination& n, Time now, const Catalog& catalog);

}  // namespace laurel::engine
