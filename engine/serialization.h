// cereal serialisation of the engine's domain types: one serialize() per type, used by every archive
// that needs it (binary snapshots in storage, JSON for inspection and tests). Field names are stable:
// changing one changes stored data.
#pragma once

#include <cereal/cereal.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include "engine/nomination.h"

namespace laurel::engine {

template <class Ar>
void serialize(Ar& ar, Attachment& a) {
  ar(cereal::make_nvp("material", a.material), cereal::make_nvp("sha256", a.sha256),
     cereal::make_nvp("filename", a.filename), cereal::make_nvp("content_type", a.content_type),
     cereal::make_nvp("size", a.size), cereal::make_nvp("at", a.at));
}

template <class Ar>
void serialize(Ar& ar, ScoreSheet& s) {
  ar(cereal::make_nvp("panelist", s.panelist), cereal::make_nvp("points", s.points), cereal::make_nvp("total", s.total),
     cereal::make_nvp("veto", s.veto), cereal::make_nvp("veto_reason", s.veto_reason), cereal::make_nvp("at", s.at));
}

template <class Ar>
void serialize(Ar& ar, Conflict& c) {
  ar(cereal::make_nvp("panelist", c.panelist), cereal::make_nvp("reason", c.reason), cereal::make_nvp("at", c.at));
}

template <class Ar>
void serialize(Ar& ar, Objection& o) {
  ar(cereal::make_nvp("id", o.id), cereal::make_nvp("text", o.text), cereal::make_nvp("state", o.state),
     cereal::make_nvp("finding", o.finding), cereal::make_nvp("has_contact", o.has_contact),
     cereal::make_nvp("received_at", o.received_at), cereal::make_nvp("resolved_at", o.resolved_at),
     cereal::make_nvp("resolved_by", o.resolved_by));
}

template <class Ar>
void serialize(Ar& ar, Nomination& n) {
  ar(cereal::make_nvp("id", n.id), cereal::make_nvp("workflow_id", n.workflow_id),
     cereal::make_nvp("workflow_version", n.workflow_version), cereal::make_nvp("category", n.category),
     cereal::make_nvp("level", n.level), cereal::make_nvp("jurisdiction", n.jurisdiction),
     cereal::make_nvp("office", n.office), cereal::make_nvp("office_level", n.office_level),
     cereal::make_nvp("year", n.year), cereal::make_nvp("owner", n.owner), cereal::make_nvp("state", n.state),
     cereal::make_nvp("version", n.version), cereal::make_nvp("nominee", n.nominee),
     cereal::make_nvp("summary", n.summary), cereal::make_nvp("attachments", n.attachments),
     cereal::make_nvp("score_sheets", n.score_sheets), cereal::make_nvp("conflicts", n.conflicts),
     cereal::make_nvp("objections", n.objections), cereal::make_nvp("evaluation_mean_x100", n.evaluation_mean_x100),
     cereal::make_nvp("evaluation_passed", n.evaluation_passed), cereal::make_nvp("notice_id", n.notice_id),
     cereal::make_nvp("notice_title", n.notice_title), cereal::make_nvp("publicity_starts", n.publicity_starts),
     cereal::make_nvp("publicity_ends", n.publicity_ends), cereal::make_nvp("document_no", n.document_no),
     cereal::make_nvp("decision_title", n.decision_title), cereal::make_nvp("named_at", n.named_at),
     cereal::make_nvp("valid_until", n.valid_until), cereal::make_nvp("parent_id", n.parent_id),
     cereal::make_nvp("children", n.children), cereal::make_nvp("created_at", n.created_at),
     cereal::make_nvp("updated_at", n.updated_at));
}

template <class Ar>
void serialize(Ar& ar, RoleGrant& g) {
  ar(cereal::make_nvp("role", g.role), cereal::make_nvp("jurisdiction", g.jurisdiction));
}

namespace change {
template <class Ar> void serialize(Ar& ar, Created& c) { ar(cereal::make_nvp("nomination", c.nomination)); }
template <class Ar> void serialize(Ar& ar, Edited& c) { ar(cereal::make_nvp("nominee", c.nominee), cereal::make_nvp("summary", c.summary)); }
template <class Ar> void serialize(Ar& ar, MaterialAttached& c) { ar(cereal::make_nvp("attachment", c.attachment)); }
template <class Ar> void serialize(Ar& ar, MaterialRemoved& c) { ar(cereal::make_nvp("sha256", c.sha256)); }
template <class Ar> void serialize(Ar& ar, Scored& c) { ar(cereal::make_nvp("sheet", c.sheet)); }
template <class Ar> void serialize(Ar& ar, ConflictDeclared& c) { ar(cereal::make_nvp("conflict", c.conflict)); }
template <class Ar> void serialize(Ar& ar, ObjectionLodged& c) { ar(cereal::make_nvp("objection", c.objection)); }
template <class Ar> void serialize(Ar& ar, ObjectionResolved& c) {
  ar(cereal::make_nvp("objection_id", c.objection_id), cereal::make_nvp("outcome", c.outcome), cereal::make_nvp("finding", c.finding));
}
template <class Ar> void serialize(Ar& ar, EvaluationClosed& c) {
  ar(cereal::make_nvp("mean_x100", c.mean_x100), cereal::make_nvp("passed", c.passed), cereal::make_nvp("vetoed", c.vetoed));
}
template <class Ar> void serialize(Ar& ar, PublicityOpened& c) {
  ar(cereal::make_nvp("notice_id", c.notice_id), cereal::make_nvp("title", c.title), cereal::make_nvp("starts", c.starts),
     cereal::make_nvp("ends", c.ends), cereal::make_nvp("working_days", c.working_days),
     cereal::make_nvp("calendar_complete", c.calendar_complete));
}
template <class Ar> void serialize(Ar& ar, Named& c) {
  ar(cereal::make_nvp("document_no", c.document_no), cereal::make_nvp("title", c.title), cereal::make_nvp("valid_until", c.valid_until));
}
template <class Ar> void serialize(Ar& ar, ChildOpened& c) { ar(cereal::make_nvp("child_id", c.child_id)); }
}  // namespace change

template <class Ar>
void serialize(Ar& ar, Event& e) {
  ar(cereal::make_nvp("nomination_id", e.nomination_id), cereal::make_nvp("action", e.action),
     cereal::make_nvp("from", e.from), cereal::make_nvp("to", e.to), cereal::make_nvp("office", e.office),
     cereal::make_nvp("office_level", e.office_level), cereal::make_nvp("version", e.version),
     cereal::make_nvp("at", e.at), cereal::make_nvp("actor", e.actor), cereal::make_nvp("role", e.role),
     cereal::make_nvp("comment", e.comment), cereal::make_nvp("changes", e.changes));
}

}  // namespace laurel::engine
