// Workflow definitions as data: states (with the level of the office that holds a nomination in that
// state), actions (from which states, to which, by which role, under which guards, with which
// effects), and timers (system actions that fall due at a time the nomination records). Loaded from
// JSON text and validated: every problem found is reported with the file, the element and what is
// wrong (unknown state, role, level, guard or effect; unreachable state; non-terminal state without an
// exit; duplicate action from one state; guard with unknown parameters; timer without a target; …).
// The engine interprets a definition; the honours workflows themselves live in workflows/definitions/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/load_error.h"

namespace laurel::engine {

// The roles an action may name. Auditors and administrators never act in a workflow.
enum class Role { nominator, reviewer, panelist, approver, public_, system };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

// Guards: conditions an action checks before it is accepted. Each has a fixed set of parameters.
enum class GuardKind {
  materials_complete,    // every required material attached, within its min and max
  comment_required,      // a comment of at least `min_length` characters (default 1)
  reason_required,       // data.reason (or the comment) is given
  finding_required,      // data.objection_id names an open objection and data.finding is given
  document_no_required,  // data.document_no (文号) is given, at most `max_length` characters (default 64)
  score_sheet_valid,     // one sheet per panelist; every indicator scored within its maximum
  no_conflict,           // the panelist has not declared a conflict of interest on this nomination
  evaluation_complete,   // at least `min_sheets` score sheets (default 3)
  quota_available,       // approving one more stays within the office's quota
  no_open_objections,    // every objection is resolved
  publicity_open,        // now lies inside the publicity window
  publicity_ended,       // the publicity window has ended
  validity_ended,        // the naming's validity has ended
  objection_valid,       // text given, at most `max_length` (default 2000); contact needed unless `anonymous_allowed`
  nominee_valid,         // nominee fields and summary valid for the category
  material_valid,        // an attachment of a known material, an accepted type, within the material's max
  attachment_exists,     // the attachment named by its sha256 is attached (detach)
  has_next_level,        // a level above the nomination's exists in the jurisdiction tree
  not_yet_recommended,   // the nomination has not already been recommended upward
};

enum class EffectKind {
  record_edit,             // replace nominee fields and summary
  record_material,         // add an attachment
  remove_material,         // remove an attachment
  record_score,            // add the panelist's score sheet
  record_conflict,         // the panelist declares a conflict of interest
  record_objection,        // a member of the public objects
  resolve_objection,       // `outcome`: "upheld" or "dismissed"
  record_evaluation,       // store the evaluation's mean and result
  open_publicity,          // open a window of `days` working days (default 5, at most `max_days`, default 30)
  record_naming,           // 文号, title, validity of `validity_years` (default 5)
  open_linked_nomination,  // open a nomination at the next level, in that level's entry review state
};

enum class Predicate { evaluation_passed };

// The nomination time field a timer waits for.
enum class TimerField { publicity_ends, valid_until };

struct Params {
  std::int64_t min_length = 1;
  std::int64_t max_length = 0;
  std::int64_t min_sheets = 3;
  std::int64_t days = 5;
  std::int64_t max_days = 30;
  std::int64_t validity_years = 5;
  bool anonymous_allowed = true;
  std::string outcome;
};

struct Guard {
  GuardKind kind;
  Params params;
};

struct Effect {
  EffectKind kind;
  Params params;
};

struct Branch {
  std::optional<Predicate> when;  // nullopt: the fallback branch
  int to = -1;                    // state index
};

struct StateDef {
  std::string id;
  std::string name;
  std::string name_en;
  std::optional<std::string> office;  // level of the office holding it; nullopt keeps the previous office
  bool terminal = false;
};

struct ActionDef {
  std::string id;
  std::string name;
  std::string name_en;
  std::vector<int> from;  // state indexes
  int to = -1;            // state index; -1 when `stay` or `branches`
  bool stay = false;
  std::vector<Branch> branches;
  Role role = Role::nominator;
  std::vector<Guard> guards;
  std::vector<Effect> effects;
};

struct TimerDef {
  std::string id;
  int state = -1;
  TimerField at = TimerField::publicity_ends;
  int action = -1;
};

struct Definition {
  std::string id;
  int version = 0;
  std::string name;
  std::string name_en;
  std::string target_level;
  int initial = -1;
  int linked_entry = -1;  // where a nomination recommended from the level below starts, or -1
  std::vector<StateDef> states;
  std::vector<ActionDef> actions;
  std::vector<TimerDef> timers;

  int state_index(std::string_view id) const;
  const StateDef& state(int i) const { return states[static_cast<std::size_t>(i)]; }
  const ActionDef& action(int i) const { return actions[static_cast<std::size_t>(i)]; }
  // The action `id` available from state `state`, or -1.
  int action_from(int state, std::string_view id) const;
  // Every action leaving `state`, in definition order.
  const std::vector<int>& actions_from(int state) const { return by_state_[static_cast<std::size_t>(state)]; }
  bool has_action(std::string_view id) const;

  // Indexes built by the loader.
  std::vector<std::vector<int>> by_state_;
};

// Loads and validates one definition. `levels` are the known levels, top first.
Loaded<Definition> load_definition(std::string_view json_text, const std::string& file,
                                   const std::vector<std::string>& levels);

}  // namespace laurel::engine
