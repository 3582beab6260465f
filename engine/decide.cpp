#include "engine/decide.h"

#include <algorithm>
#include <stdexcept>

namespace laurel::engine {
namespace {

std::string_view role_name(Role r) { return to_string(r); }

bool has_grant(const Actor& actor, std::string_view role, std::string_view jurisdiction) {
  for (const auto& g : actor.roles) {
    if (g.role == role && g.jurisdiction == jurisdiction) return true;
  }
  return false;
}

bool has_grant_over(const Actor& actor, std::string_view role, std::string_view code, const JurisdictionTree& tree) {
  for (const auto& g : actor.roles) {
    if (g.role == role && tree.contains(g.jurisdiction, code)) return true;
  }
  return false;
}

// The actor may take an action of role `role` on `n` now.
bool may_act(Role role, const Nomination& n, const Actor& actor, const JurisdictionTree& tree) {
  switch (role) {
    case Role::system: return actor.kind == Actor::Kind::system;
    case Role::public_: return true;
    case Role::nominator:
      return actor.kind == Actor::Kind::person && actor.user == n.owner &&
             has_grant_over(actor, "nominator", n.jurisdiction, tree);
    default:
      return actor.kind == Actor::Kind::person && has_grant(actor, role_name(role), n.office);
  }
}

Rejection reject(Problem code, std::string detail, std::vector<FieldError> errors = {}) {
  return Rejection{code, std::move(detail), {}, std::move(errors)};
}

std::string trimmed(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Validates nominee fields and the summary against the category.
std::vector<FieldError> check_nominee(const Category& cat, const std::map<std::string, std::string>& nominee,
                                      const std::string& summary) {
  std::vector<FieldError> errs;
  for (const auto& [key, value] : nominee) {
    const NomineeField* f = cat.field(key);
    if (!f) { errs.push_back({"nominee." + key, "unknown field for category " + cat.id}); continue; }
    if (!is_valid_utf8(value)) { errs.push_back({"nominee." + key, "not valid UTF-8"}); continue; }
    if (utf8_length(value) > static_cast<std::size_t>(f->max_length)) {
      errs.push_back({"nominee." + key, "longer than " + std::to_string(f->max_length) + " characters"});
    }
  }
  for (const auto& f : cat.nominee_fields) {
    auto it = nominee.find(f.id);
    if (f.required && (it == nominee.end() || trimmed(it->second).empty())) errs.push_back({"nominee." + f.id, "required"});
  }
  if (!is_valid_utf8(summary)) {
    errs.push_back({"summary", "not valid UTF-8"});
  } else if (utf8_length(summary) > static_cast<std::size_t>(cat.summary_max_length)) {
    errs.push_back({"summary", "longer than " + std::to_string(cat.summary_max_length) + " characters"});
  }
  return errs;
}

const Definition& definition_of(const Nomination& n, const Catalog& catalog) {
  const Definition* def = catalog.definition(n.workflow_id, n.workflow_version);
  if (!def) throw std::logic_error("nomination " + n.id + " uses uninstalled workflow " + n.workflow_id + " v" + std::to_string(n.workflow_version));
  return *def;
}

const Category& category_of(const Nomination& n, const Catalog& catalog) {
  const Category* cat = catalog.category(n.category);
  if (!cat) throw std::logic_error("nomination " + n.id + " has unknown category " + n.category);
  return *cat;
}

bool evaluation_passed(const Nomination& n, const Category& cat, std::int64_t* mean_x100, bool* vetoed) {
  std::int64_t sum = 0;
  bool veto = false;
  for (const auto& s : n.score_sheets) { sum += s.total; veto = veto || s.veto; }
  std::int64_t count = static_cast<std::int64_t>(n.score_sheets.size());
  if (mean_x100) *mean_x100 = count ? (sum * 100) / count : 0;
  if (vetoed) *vetoed = veto;
  return count > 0 && !veto && sum >= static_cast<std::int64_t>(cat.pass_mark) * count;
}

// The next level up that has a definition accepting nominations from below, or nullptr.
const Definition* next_level_definition(const Nomination& n, const Catalog& catalog) {
  auto above = catalog.tree().level_above(n.level);
  if (!above) return nullptr;
  const Definition* def = catalog.definition_for_level(*above);
  return def && def->linked_entry >= 0 ? def : nullptr;
}

std::optional<Rejection> check_guard(const Guard& g, const Command& cmd, const Nomination& n, const Context& ctx,
                                     const Category& cat) {
  const auto& p = g.params;
  switch (g.kind) {
    case GuardKind::materials_complete: {
      std::vector<FieldError> errs;
      for (const auto& m : cat.materials) {
        auto count = std::count_if(n.attachments.begin(), n.attachments.end(), [&](const Attachment& a) { return a.material == m.id; });
        if (count < m.min) errs.push_back({"materials." + m.id, "at least " + std::to_string(m.min) + " needed, " + std::to_string(count) + " attached"});
        if (count > m.max) errs.push_back({"materials." + m.id, "at most " + std::to_string(m.max) + " allowed, " + std::to_string(count) + " attached"});
      }
      if (!errs.empty()) return reject(Problem::missing_materials, "required materials are missing", std::move(errs));
      return std::nullopt;
    }
    case GuardKind::comment_required:
      if (utf8_length(trimmed(cmd.comment)) < static_cast<std::size_t>(std::max<std::int64_t>(p.min_length, 1))) {
        return reject(Problem::validation_failed, "a comment is required", {{"comment", "required"}});
      }
      return std::nullopt;
    case GuardKind::reason_required:
      if (trimmed(cmd.reason).empty() && trimmed(cmd.comment).empty()) {
        return reject(Problem::validation_failed, "a reason is required", {{"data.reason", "required"}});
      }
      return std::nullopt;
    case GuardKind::finding_required: {
      std::vector<FieldError> errs;
      auto it = std::find_if(n.objections.begin(), n.objections.end(), [&](const Objection& o) { return o.id == cmd.objection_id; });
      if (cmd.objection_id.empty()) errs.push_back({"data.objection_id", "required"});
      else if (it == n.objections.end()) errs.push_back({"data.objection_id", "no such objection on this nomination"});
      else if (it->state != "open") errs.push_back({"data.objection_id", "the objection is already " + it->state});
      if (trimmed(cmd.finding).empty()) errs.push_back({"data.finding", "required"});
      if (!errs.empty()) return reject(Problem::validation_failed, "an open objection and a finding are required", std::move(errs));
      return std::nullopt;
    }
    case GuardKind::document_no_required: {
      std::size_t max = p.max_length > 0 ? static_cast<std::size_t>(p.max_length) : 64;
      std::string doc = trimmed(cmd.document_no);
      if (doc.empty()) return reject(Problem::validation_failed, "a document number (文号) is required", {{"data.document_no", "required"}});
      if (!is_valid_utf8(doc) || utf8_length(doc) > max) {
        return reject(Problem::validation_failed, "the document number is too long", {{"data.document_no", "at most " + std::to_string(max) + " characters"}});
      }
      return std::nullopt;
    }
    case GuardKind::score_sheet_valid: {
      std::vector<FieldError> errs;
      if (std::any_of(n.score_sheets.begin(), n.score_sheets.end(), [&](const ScoreSheet& s) { return s.panelist == ctx.actor.user; })) {
        return reject(Problem::validation_failed, "this panelist has already scored this nomination", {{"panelist", "already scored"}});
      }
      for (const auto& [id, pts] : cmd.points) {
        const Indicator* ind = cat.indicator(id);
        if (!ind || ind->veto) errs.push_back({"data.points." + id, "unknown indicator"});
        else if (pts < 0 || pts > ind->max) errs.push_back({"data.points." + id, "must lie between 0 and " + std::to_string(ind->max)});
      }
      for (const auto& ind : cat.indicators) {
        if (!ind.veto && !cmd.points.contains(ind.id)) errs.push_back({"data.points." + ind.id, "required"});
      }
      if (cmd.veto && trimmed(cmd.veto_reason).empty()) errs.push_back({"data.veto_reason", "required with a veto"});
      if (!errs.empty()) return reject(Problem::validation_failed, "the score sheet is not valid", std::move(errs));
      return std::nullopt;
    }
    case GuardKind::no_conflict:
      if (std::any_of(n.conflicts.begin(), n.conflicts.end(), [&](const Conflict& c) { return c.panelist == ctx.actor.user; })) {
        return reject(Problem::forbidden, "the panelist has declared a conflict of interest with this nomination");
      }
      return std::nullopt;
    case GuardKind::evaluation_complete:
      if (static_cast<std::int64_t>(n.score_sheets.size()) < p.min_sheets) {
        return reject(Problem::validation_failed, "the evaluation needs more score sheets",
                      {{"score_sheets", std::to_string(p.min_sheets) + " needed, " + std::to_string(n.score_sheets.size()) + " given"}});
      }
      return std::nullopt;
    case GuardKind::quota_available:
      if (ctx.quota && ctx.quota->used + 1 > ctx.quota->limit) {
        return reject(Problem::quota_exceeded, "the quota of " + std::to_string(ctx.quota->limit) + " for " + n.category + " " +
                                                   std::to_string(n.year) + " at this office is used up (" + std::to_string(ctx.quota->used) + ")");
      }
      return std::nullopt;
    case GuardKind::no_open_objections:
      if (std::any_of(n.objections.begin(), n.objections.end(), [](const Objection& o) { return o.state == "open"; })) {
        return reject(Problem::objections_open, "an objection is still open");
      }
      return std::nullopt;
    case GuardKind::publicity_open:
      if (ctx.now < n.publicity_starts || ctx.now >= n.publicity_ends) {
        return reject(Problem::invalid_transition, "the publicity window is not open (" + format_rfc3339(n.publicity_starts) + " to " +
                                                       format_rfc3339(n.publicity_ends) + ")");
      }
      return std::nullopt;
    case GuardKind::publicity_ended:
      if (ctx.now < n.publicity_ends) return reject(Problem::invalid_transition, "the publicity window ends at " + format_rfc3339(n.publicity_ends));
      return std::nullopt;
    case GuardKind::validity_ended:
      if (n.valid_until == 0 || ctx.now < n.valid_until) return reject(Problem::invalid_transition, "the naming is valid until " + format_rfc3339(n.valid_until));
      return std::nullopt;
    case GuardKind::objection_valid: {
      std::size_t max = p.max_length > 0 ? static_cast<std::size_t>(p.max_length) : 2000;
      std::vector<FieldError> errs;
      std::string text = trimmed(cmd.text);
      if (text.empty()) errs.push_back({"text", "required"});
      else if (!is_valid_utf8(text)) errs.push_back({"text", "not valid UTF-8"});
      else if (utf8_length(text) > max) errs.push_back({"text", "longer than " + std::to_string(max) + " characters"});
      if (!p.anonymous_allowed && !cmd.has_contact) errs.push_back({"contact", "required: objections must give a real name and contact (实名反映)"});
      if (!errs.empty()) return reject(Problem::validation_failed, "the objection is not valid", std::move(errs));
      return std::nullopt;
    }
    case GuardKind::nominee_valid: {
      const auto& nominee = cmd.nominee ? *cmd.nominee : n.nominee;
      const auto& summary = cmd.summary ? *cmd.summary : n.summary;
      auto errs = check_nominee(cat, nominee, summary);
      if (!errs.empty()) return reject(Problem::validation_failed, "the nominee is not valid", std::move(errs));
      return std::nullopt;
    }
    case GuardKind::material_valid: {
      const auto& a = cmd.attachment;
      const Material* m = cat.material(a.material);
      if (!m) return reject(Problem::validation_failed, "unknown material", {{"material", "unknown material \"" + a.material + "\" for category " + cat.id}});
      std::vector<FieldError> errs;
      if (std::find(m->types.begin(), m->types.end(), a.content_type) == m->types.end()) {
        std::string allowed;
        for (const auto& t : m->types) allowed += (allowed.empty() ? "" : ", ") + t;
        errs.push_back({"content_type", "\"" + a.content_type + "\" is not accepted for " + m->id + " (accepted: " + allowed + ")"});
      }
      if (!is_hex64(a.sha256)) errs.push_back({"sha256", "must be 64 lower-case hex digits"});
      if (a.size <= 0) errs.push_back({"size", "the file is empty"});
      if (trimmed(a.filename).empty() || a.filename.size() > 255 || a.filename.find('/') != std::string::npos ||
          !is_valid_utf8(a.filename)) {
        errs.push_back({"filename", "a file name of 1 to 255 bytes without '/' is required"});
      }
      auto count = std::count_if(n.attachments.begin(), n.attachments.end(), [&](const Attachment& x) { return x.material == m->id; });
      if (count >= m->max) errs.push_back({"material", "at most " + std::to_string(m->max) + " files for " + m->id});
      if (std::any_of(n.attachments.begin(), n.attachments.end(), [&](const Attachment& x) { return x.sha256 == a.sha256 && x.material == a.material; })) {
        errs.push_back({"sha256", "this file is already attached as " + m->id});
      }
      if (!errs.empty()) return reject(Problem::validation_failed, "the attachment is not valid", std::move(errs));
      return std::nullopt;
    }
    case GuardKind::attachment_exists:
      if (std::none_of(n.attachments.begin(), n.attachments.end(), [&](const Attachment& x) { return x.sha256 == cmd.attachment.sha256; })) {
        return reject(Problem::validation_failed, "no such attachment", {{"sha256", "not attached to this nomination"}});
      }
      return std::nullopt;
    case GuardKind::has_next_level:
      if (!next_level_definition(n, ctx.catalog)) return reject(Problem::invalid_transition, "there is no level above " + n.level + " to recommend to");
      return std::nullopt;
    case GuardKind::not_yet_recommended:
      if (!n.children.empty()) return reject(Problem::invalid_transition, "already recommended to the next level as " + n.children.front());
      return std::nullopt;
  }
  return std::nullopt;
}

// The state reached by taking `a` from `from`.
int target_of(const ActionDef& a, int from, const Nomination& n, const Category& cat) {
  if (a.stay) return from;
  if (a.to >= 0) return a.to;
  for (const auto& b : a.branches) {
    if (!b.when) return b.to;
    if (*b.when == Predicate::evaluation_passed && evaluation_passed(n, cat, nullptr, nullptr)) return b.to;
  }
  throw std::logic_error("action " + a.id + " has no fallback branch");
}

}  // namespace

Decision decide_create(const Command& cmd, const Context& ctx) {
  const Catalog& catalog = ctx.catalog;
  const JurisdictionTree& tree = catalog.tree();
  std::vector<FieldError> errs;
  const Category* cat = catalog.category(cmd.category);
  if (!cat) errs.push_back({"category", "unknown category \"" + cmd.category + "\""});
  const Definition* def = catalog.definition_for_level(cmd.level);
  if (!tree.has_level(cmd.level)) errs.push_back({"level", "unknown level \"" + cmd.level + "\""});
  else if (cat && !cat->allows_level(cmd.level)) errs.push_back({"level", "category " + cat->id + " is not named at level " + cmd.level});
  else if (!def) errs.push_back({"level", "no workflow is installed for level " + cmd.level});
  const Jurisdiction* j = tree.find(cmd.jurisdiction);
  const Jurisdiction* office = nullptr;
  if (!j) {
    errs.push_back({"jurisdiction", "unknown jurisdiction \"" + cmd.jurisdiction + "\""});
  } else if (def) {
    const auto& initial = def->state(def->initial);
    office = tree.ancestor_at(j->code, *initial.office);
    if (!office) errs.push_back({"jurisdiction", "lies above the " + *initial.office + " level where nominations start"});
  }
  if (cmd.year < 2000 || cmd.year > 2100) errs.push_back({"year", "must lie between 2000 and 2100"});

  // Authorisation before field-level detail: only a nominator over the nominee's jurisdiction creates.
  if (j && !(ctx.actor.kind == Actor::Kind::person && has_grant_over(ctx.actor, "nominator", j->code, tree))) {
    return std::unexpected(reject(Problem::forbidden, "creating a nomination needs the nominator role over jurisdiction " + j->code));
  }
  if (cat) {
    auto more = check_nominee(*cat, cmd.nominee.value_or(std::map<std::string, std::string>{}), cmd.summary.value_or(""));
    errs.insert(errs.end(), more.begin(), more.end());
  }
  if (!errs.empty()) return std::unexpected(reject(Problem::validation_failed, "the nomination is not valid", std::move(errs)));
  if (cmd.new_id.empty()) throw std::logic_error("decide_create needs a new_id");

  Nomination n;
  n.id = cmd.new_id;
  n.workflow_id = def->id;
  n.workflow_version = def->version;
  n.category = cat->id;
  n.level = cmd.level;
  n.jurisdiction = j->code;
  n.office = office->code;
  n.office_level = office->level;
  n.year = cmd.year;
  n.owner = ctx.actor.user;
  n.state = def->state(def->initial).id;
  n.version = 1;
  n.nominee = cmd.nominee.value_or(std::map<std::string, std::string>{});
  n.summary = cmd.summary.value_or("");
  n.created_at = n.updated_at = ctx.now;

  Event e;
  e.nomination_id = n.id;
  e.action = "create";
  e.to = n.state;
  e.office = n.office;
  e.office_level = n.office_level;
  e.version = 1;
  e.at = ctx.now;
  e.actor = ctx.actor.user;
  e.role = "nominator";
  e.comment = cmd.comment;
  e.changes.emplace_back(change::Created{std::move(n)});
  std::vector<Event> out;
  out.push_back(std::move(e));
  return out;
}

Decision decide(const Command& cmd, const Nomination& n, const Context& ctx) {
  const Catalog& catalog = ctx.catalog;
  const JurisdictionTree& tree = catalog.tree();
  const Definition& def = definition_of(n, catalog);
  const Category& cat = category_of(n, catalog);
  int from = def.state_index(n.state);
  if (from < 0) throw std::logic_error("nomination " + n.id + " is in state " + n.state + " unknown to " + def.id);

  int ai = def.action_from(from, cmd.action);
  if (ai < 0) {
    bool could = false;
    for (const auto& a : def.actions) could = could || (a.id == cmd.action && may_act(a.role, n, ctx.actor, tree));
    if (!could) {
      return std::unexpected(reject(Problem::forbidden, "you may not take the action \"" + cmd.action + "\" on this nomination"));
    }
    Rejection r = reject(Problem::invalid_transition, "the action \"" + cmd.action + "\" is not available in state " + n.state);
    r.allowed_actions = available_actions(n, ctx.actor, catalog);
    return std::unexpected(std::move(r));
  }
  const ActionDef& a = def.action(ai);
  if (!may_act(a.role, n, ctx.actor, tree)) {
    std::string why = a.role == Role::nominator
                          ? "only the nominating unit may " + a.id + " this nomination"
                          : "the action \"" + a.id + "\" needs the " + std::string(role_name(a.role)) + " role at office " + n.office;
    return std::unexpected(reject(Problem::forbidden, why));
  }
  bool needs_version = ctx.actor.kind == Actor::Kind::person && a.role != Role::public_;
  if (cmd.expected_version ? *cmd.expected_version != n.version : needs_version) {
    if (!cmd.expected_version) {
      return std::unexpected(reject(Problem::validation_failed, "expected_version is required", {{"expected_version", "required"}}));
    }
    return std::unexpected(reject(Problem::version_conflict, "the nomination is at version " + std::to_string(n.version) +
                                                                  ", not " + std::to_string(*cmd.expected_version)));
  }
  for (const auto& g : a.guards) {
    if (auto r = check_guard(g, cmd, n, ctx, cat)) return std::unexpected(std::move(*r));
  }

  int to = target_of(a, from, n, cat);
  const StateDef& target = def.state(to);
  Event e;
  e.nomination_id = n.id;
  e.action = a.id;
  e.from = n.state;
  e.to = target.id;
  e.office = n.office;
  e.office_level = n.office_level;
  if (target.office && *target.office != n.office_level) {
    if (const Jurisdiction* o = tree.ancestor_at(n.jurisdiction, *target.office)) {
      e.office = o->code;
      e.office_level = o->level;
    }
  }
  e.version = n.version + 1;
  e.at = ctx.now;
  e.actor = ctx.actor.kind == Actor::Kind::person ? ctx.actor.user : (ctx.actor.kind == Actor::Kind::system ? "system" : "");
  e.role = a.role == Role::public_ ? "public" : std::string(role_name(a.role));
  e.comment = !cmd.reason.empty() && cmd.action != "declare_conflict" ? cmd.reason : cmd.comment;

  std::vector<Event> out;
  for (const auto& eff : a.effects) {
    const auto& p = eff.params;
    switch (eff.kind) {
      case EffectKind::record_edit:
        e.changes.emplace_back(change::Edited{cmd.nominee ? *cmd.nominee : n.nominee, cmd.summary ? *cmd.summary : n.summary});
        break;
      case EffectKind::record_material: {
        Attachment att = cmd.attachment;
        att.at = ctx.now;
        e.changes.emplace_back(change::MaterialAttached{std::move(att)});
        break;
      }
      case EffectKind::remove_material:
        e.changes.emplace_back(change::MaterialRemoved{cmd.attachment.sha256});
        break;
      case EffectKind::record_score: {
        ScoreSheet s;
        s.panelist = ctx.actor.user;
        s.points = cmd.points;
        for (const auto& [id, pts] : cmd.points) s.total += pts;
        s.veto = cmd.veto;
        s.veto_reason = cmd.veto ? trimmed(cmd.veto_reason) : std::string();
        s.at = ctx.now;
        e.changes.emplace_back(change::Scored{std::move(s)});
        break;
      }
      case EffectKind::record_conflict:
        e.changes.emplace_back(change::ConflictDeclared{Conflict{ctx.actor.user, trimmed(cmd.reason.empty() ? cmd.comment : cmd.reason), ctx.now}});
        break;
      case EffectKind::record_objection: {
        if (cmd.new_id.empty()) throw std::logic_error("an objection needs a new_id");
        Objection o;
        o.id = cmd.new_id;
        o.text = trimmed(cmd.text);
        o.has_contact = cmd.has_contact;
        o.received_at = ctx.now;
        e.changes.emplace_back(change::ObjectionLodged{std::move(o)});
        break;
      }
      case EffectKind::resolve_objection:
        e.changes.emplace_back(change::ObjectionResolved{cmd.objection_id, p.outcome, trimmed(cmd.finding)});
        break;
      case EffectKind::record_evaluation: {
        change::EvaluationClosed c;
        c.passed = evaluation_passed(n, cat, &c.mean_x100, &c.vetoed);
        e.changes.emplace_back(c);
        break;
      }
      case EffectKind::open_publicity: {
        int days = cmd.days.value_or(static_cast<int>(p.days));
        if (days < 1 || days > p.max_days) {
          return std::unexpected(reject(Problem::validation_failed, "the publicity window is out of range",
                                        {{"data.days", "must lie between 1 and " + std::to_string(p.max_days) + " working days"}}));
        }
        auto w = catalog.calendar().publicity_window(ctx.now, days);
        change::PublicityOpened c{cmd.notice_id, trimmed(cmd.notice_title), w.starts, w.ends, days, w.complete_data};
        e.changes.emplace_back(std::move(c));
        break;
      }
      case EffectKind::record_naming:
        e.changes.emplace_back(change::Named{trimmed(cmd.document_no), trimmed(cmd.decision_title),
                                             catalog.calendar().add_years(ctx.now, static_cast<int>(p.validity_years))});
        break;
      case EffectKind::open_linked_nomination: {
        const Definition* next = next_level_definition(n, catalog);
        if (!next) throw std::logic_error("open_linked_nomination without a next level (guard has_next_level missing)");
        if (cmd.new_id.empty()) throw std::logic_error("a linked nomination needs a new_id");
        const StateDef& entry = next->state(next->linked_entry);
        const Jurisdiction* office = tree.ancestor_at(n.jurisdiction, *entry.office);
        if (!office) return std::unexpected(reject(Problem::invalid_transition, "the nominee has no office at level " + *entry.office));
        Nomination child;
        child.id = cmd.new_id;
        child.workflow_id = next->id;
        child.workflow_version = next->version;
        child.category = n.category;
        child.level = next->target_level;
        child.jurisdiction = n.jurisdiction;
        child.office = office->code;
        child.office_level = office->level;
        child.year = n.year;
        child.owner = n.owner;
        child.state = entry.id;
        child.version = 1;
        child.nominee = n.nominee;
        child.summary = n.summary;
        child.attachments = n.attachments;
        child.parent_id = n.id;
        child.created_at = child.updated_at = ctx.now;
        Event ce;
        ce.nomination_id = child.id;
        ce.action = a.id;
        ce.to = child.state;
        ce.office = child.office;
        ce.office_level = child.office_level;
        ce.version = 1;
        ce.at = ctx.now;
        ce.actor = e.actor;
        ce.role = e.role;
        ce.comment = e.comment;
        ce.changes.emplace_back(change::Created{std::move(child)});
        e.changes.emplace_back(change::ChildOpened{cmd.new_id});
        out.push_back(std::move(ce));
        break;
      }
    }
  }
  out.insert(out.begin(), std::move(e));
  return out;
}

Nomination apply(Nomination n, const Event& e) {
  for (const auto& c : e.changes) {
    if (const auto* created = std::get_if<change::Created>(&c)) {
      n = created->nomination;
      return n;
    }
  }
  n.state = e.to;
  n.office = e.office;
  n.office_level = e.office_level;
  n.version = e.version;
  n.updated_at = e.at;
  for (const auto& c : e.changes) {
    std::visit(
        [&](const auto& ch) {
          using T = std::decay_t<decltype(ch)>;
          if constexpr (std::is_same_v<T, change::Edited>) {
            n.nominee = ch.nominee;
            n.summary = ch.summary;
          } else if constexpr (std::is_same_v<T, change::MaterialAttached>) {
            n.attachments.push_back(ch.attachment);
          } else if constexpr (std::is_same_v<T, change::MaterialRemoved>) {
            auto it = std::find_if(n.attachments.begin(), n.attachments.end(), [&](const Attachment& a) { return a.sha256 == ch.sha256; });
            if (it != n.attachments.end()) n.attachments.erase(it);
          } else if constexpr (std::is_same_v<T, change::Scored>) {
            n.score_sheets.push_back(ch.sheet);
          } else if constexpr (std::is_same_v<T, change::ConflictDeclared>) {
            n.conflicts.push_back(ch.conflict);
          } else if constexpr (std::is_same_v<T, change::ObjectionLodged>) {
            n.objections.push_back(ch.objection);
          } else if constexpr (std::is_same_v<T, change::ObjectionResolved>) {
            for (auto& o : n.objections) {
              if (o.id == ch.objection_id) {
                o.state = ch.outcome;
                o.finding = ch.finding;
                o.resolved_at = e.at;
                o.resolved_by = e.actor;
              }
            }
          } else if constexpr (std::is_same_v<T, change::EvaluationClosed>) {
            n.evaluation_mean_x100 = ch.mean_x100;
            n.evaluation_passed = ch.passed;
          } else if constexpr (std::is_same_v<T, change::PublicityOpened>) {
            n.notice_id = ch.notice_id;
            n.notice_title = ch.title;
            n.publicity_starts = ch.starts;
            n.publicity_ends = ch.ends;
          } else if constexpr (std::is_same_v<T, change::Named>) {
            n.document_no = ch.document_no;
            n.decision_title = ch.title;
            n.named_at = e.at;
            n.valid_until = ch.valid_until;
          } else if constexpr (std::is_same_v<T, change::ChildOpened>) {
            n.children.push_back(ch.child_id);
          }
        },
        c);
  }
  return n;
}

std::vector<std::string> available_actions(const Nomination& n, const Actor& actor, const Catalog& catalog) {
  std::vector<std::string> out;
  const Definition& def = definition_of(n, catalog);
  int s = def.state_index(n.state);
  if (s < 0) return out;
  for (int ai : def.actions_from(s)) {
    const auto& a = def.action(ai);
    if (a.role == Role::system || a.role == Role::public_) continue;
    if (may_act(a.role, n, actor, catalog.tree())) out.push_back(a.id);
  }
  return out;
}

bool may_see(const Nomination& n, const Actor& actor, const JurisdictionTree& tree) {
  if (actor.kind == Actor::Kind::system) return true;
  if (actor.kind != Actor::Kind::person) return false;
  for (const auto& g : actor.roles) {
    if (g.role == "nominator") {
      if (n.owner == actor.user) return true;
    } else if (g.role == "auditor" || g.role == "admin") {
      if (tree.contains(g.jurisdiction, n.jurisdiction)) return true;
    } else if (n.state != "draft" && tree.contains(g.jurisdiction, n.jurisdiction)) {
      return true;
    }
  }
  return false;
}

namespace {
Time timer_time(const Nomination& n, TimerField f) {
  return f == TimerField::publicity_ends ? n.publicity_ends : n.valid_until;
}
}  // namespace

std::optional<Due> next_due(const Nomination& n, const Catalog& catalog) {
  const Definition& def = definition_of(n, catalog);
  int s = def.state_index(n.state);
  std::optional<Due> best;
  Actor system = Actor::system_actor();
  for (const auto& t : def.timers) {
    if (t.state != s) continue;
    Time at = timer_time(n, t.at);
    if (at == 0) continue;
    Command cmd;
    cmd.action = def.action(t.action).id;
    Context ctx{system, at, catalog, std::nullopt};
    if (decide(cmd, n, ctx) && (!best || at < best->at)) best = Due{cmd.action, at};
  }
  return best;
}

std::vector<std::string> due_actions(const Nomination& n, Time now, const Catalog& catalog) {
  const Definition& def = definition_of(n, catalog);
  int s = def.state_index(n.state);
  std::vector<std::string> out;
  Actor system = Actor::system_actor();
  for (const auto& t : def.timers) {
    if (t.state != s || timer_time(n, t.at) == 0 || timer_time(n, t.at) > now) continue;
    Command cmd;
    cmd.action = def.action(t.action).id;
    Context ctx{system, now, catalog, std::nullopt};
    if (decide(cmd, n, ctx)) out.push_back(cmd.action);
  }
  return out;
}

}  // namespace laurel::engine
