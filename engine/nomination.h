// The nomination aggregate: its state (what a fold of its events yields), the commands that actors
// send, and the events the engine decides. These are the domain types that storage persists; their
// cereal serialisation is in engine/serialization.h (kept apart so that this header stays light).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/time.h"

namespace laurel::engine {

struct Attachment {
  std::string material;
  std::string sha256;  // hex, lower case
  std::string filename;
  std::string content_type;
  std::int64_t size = 0;
  Time at = 0;
  bool operator==(const Attachment&) const = default;
};

struct ScoreSheet {
  std::string panelist;
  std::map<std::string, int> points;  // indicator id -> points
  int total = 0;
  bool veto = false;
  std::string veto_reason;
  Time at = 0;
  bool operator==(const ScoreSheet&) const = default;
};

struct Conflict {
  std::string panelist;
  std::string reason;
  Time at = 0;
  bool operator==(const Conflict&) const = default;
};

struct Objection {
  std::string id;
  std::string text;
  std::string state = "open";  // open | upheld | dismissed
  std::string finding;
  bool has_contact = false;  // the contact itself is personal data and lives outside the engine
  Time received_at = 0;
  Time resolved_at = 0;
  std::string resolved_by;
  bool operator==(const Objection&) const = default;
};

struct Nomination {
  std::string id;
  std::string workflow_id;
  int workflow_version = 0;
  std::string category;
  std::string level;         // the target level
  std::string jurisdiction;  // the nominee's
  std::string office;        // the office holding it now (a jurisdiction code)
  std::string office_level;
  int year = 0;
  std::string owner;  // the nominating user
  std::string state;
  std::int64_t version = 0;  // 1 after creation, +1 per accepted command

  std::map<std::string, std::string> nominee;
  std::string summary;
  std::vector<Attachment> attachments;
  std::vector<ScoreSheet> score_sheets;
  std::vector<Conflict> conflicts;
  std::vector<Objection> objections;

  // Evaluation result (close_evaluation), the mean total in hundredths of a point.
  std::int64_t evaluation_mean_x100 = 0;
  bool evaluation_passed = false;

  std::string notice_id;
  std::string notice_title;
  Time publicity_starts = 0;
  Time publicity_ends = 0;

  std::string document_no;
  std::string decision_title;
  Time named_at = 0;
  Time valid_until = 0;

  std::string parent_id;
  std::vector<std::string> children;
  Time created_at = 0;
  Time updated_at = 0;

  bool operator==(const Nomination&) const = default;
};

// Who acts. Role names are those of the API (nominator, reviewer, panelist, approver, auditor, admin).
struct RoleGrant {
  std::string role;
  std::string jurisdiction;
  bool operator==(const RoleGrant&) const = default;
};

struct Actor {
  enum class Kind { person, anonymous, system };
  Kind kind = Kind::person;
  std::string user;
  std::vector<RoleGrant> roles;

  static Actor system_actor() { return Actor{Kind::system, "system", {}}; }
  static Actor anonymous_actor() { return Actor{Kind::anonymous, "", {}}; }
};

// A command: an action and the data it needs. Only the fields of the action are read.
struct Command {
  std::string action;
  std::optional<std::int64_t> expected_version;
  std::string comment;

  // create, edit
  std::string category, level, jurisdiction;
  int year = 0;
  std::optional<std::map<std::string, std::string>> nominee;
  std::optional<std::string> summary;
  // attach, detach
  Attachment attachment;
  // score
  std::map<std::string, int> points;
  bool veto = false;
  std::string veto_reason;
  // declare_conflict, revoke
  std::string reason;
  // object
  std::string text;
  bool has_contact = false;
  // uphold_objection, dismiss_objection
  std::string objection_id;
  std::string finding;
  // approve
  std::string notice_id;
  std::string notice_title;
  std::optional<int> days;
  // name
  std::string document_no;
  std::string decision_title;
  // The id for what this command creates (a nomination, an objection, a linked nomination), given
  // by the caller because the engine makes no ids of its own.
  std::string new_id;
};

// What an accepted command changed, beyond the state transition itself.
namespace change {
struct Created { Nomination nomination; bool operator==(const Created&) const = default; };
struct Edited {
  std::map<std::string, std::string> nominee;
  std::string summary;
  bool operator==(const Edited&) const = default;
};
struct MaterialAttached { Attachment attachment; bool operator==(const MaterialAttached&) const = default; };
struct MaterialRemoved { std::string sha256; bool operator==(const MaterialRemoved&) const = default; };
struct Scored { ScoreSheet sheet; bool operator==(const Scored&) const = default; };
struct ConflictDeclared { Conflict conflict; bool operator==(const ConflictDeclared&) const = default; };
struct ObjectionLodged { Objection objection; bool operator==(const ObjectionLodged&) const = default; };
struct ObjectionResolved {
  std::string objection_id;
  std::string outcome;  // upheld | dismissed
  std::string finding;
  bool operator==(const ObjectionResolved&) const = default;
};
struct EvaluationClosed {
  std::int64_t mean_x100 = 0;
  bool passed = false;
  bool vetoed = false;
  bool operator==(const EvaluationClosed&) const = default;
};
struct PublicityOpened {
  std::string notice_id;
  std::string title;
  Time starts = 0;
  Time ends = 0;
  int working_days = 0;
  bool calendar_complete = true;  // false when a year in the window has no holiday data
  bool operator==(const PublicityOpened&) const = default;
};
struct Named {
  std::string document_no;
  std::string title;
  Time valid_until = 0;
  bool operator==(const Named&) const = default;
};
struct ChildOpened { std::string child_id; bool operator==(const ChildOpened&) const = default; };
}  // namespace change

using Change = std::variant<change::Created, change::Edited, change::MaterialAttached, change::MaterialRemoved,
                            change::Scored, change::ConflictDeclared, change::ObjectionLodged,
                            change::ObjectionResolved, change::EvaluationClosed, change::PublicityOpened,
                            change::Named, change::ChildOpened>;

// One accepted command's effect on one nomination. apply() folds events into state.
struct Event {
  std::string nomination_id;
  std::string action;
  std::string from;  // state before ("" for a creation)
  std::string to;    // state after
  std::string office;  // office after
  std::string office_level;
  std::int64_t version = 0;  // the nomination's version after this event
  Time at = 0;
  std::string actor;
  std::string role;  // the role the actor acted in ("system", "public" for those)
  std::string comment;
  std::vector<Change> changes;
  bool operator==(const Event&) const = default;
};

}  // namespace laurel::engine
