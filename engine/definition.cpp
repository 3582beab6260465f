#include "engine/definition.h"

#include <algorithm>
#include <array>
#include <deque>
#include <set>

#include "engine/json_input.h"

namespace laurel::engine {
namespace {

constexpr std::array<std::pair<std::string_view, Role>, 6> kRoles{{
    {"nominator", Role::nominator},
    {"reviewer", Role::reviewer},
    {"panelist", Role::panelist},
    {"approver", Role::approver},
    {"public", Role::public_},
    {"system", Role::system},
}};

enum class ParamType { integer, boolean, string };
struct ParamSpec {
  std::string_view name;
  ParamType type;
};

template <typename Kind>
struct Spec {
  std::string_view name;
  Kind kind;
  std::vector<ParamSpec> params;
};

const std::vector<Spec<GuardKind>>& guard_specs() {
  static const std::vector<Spec<GuardKind>> specs{
      {"materials_complete", GuardKind::materials_complete, {}},
      {"comment_required", GuardKind::comment_required, {{"min_length", ParamType::integer}}},
      {"reason_required", GuardKind::reason_required, {}},
      {"finding_required", GuardKind::finding_required, {}},
      {"document_no_required", GuardKind::document_no_required, {{"max_length", ParamType::integer}}},
      {"score_sheet_valid", GuardKind::score_sheet_valid, {}},
      {"no_conflict", GuardKind::no_conflict, {}},
      {"evaluation_complete", GuardKind::evaluation_complete, {{"min_sheets", ParamType::integer}}},
      {"quota_available", GuardKind::quota_available, {}},
      {"no_open_objections", GuardKind::no_open_objections, {}},
      {"publicity_open", GuardKind::publicity_open, {}},
      {"publicity_ended", GuardKind::publicity_ended, {}},
      {"validity_ended", GuardKind::validity_ended, {}},
      {"objection_valid", GuardKind::objection_valid,
       {{"max_length", ParamType::integer}, {"anonymous_allowed", ParamType::boolean}}},
      {"nominee_valid", GuardKind::nominee_valid, {}},
      {"material_valid", GuardKind::material_valid, {}},
      {"attachment_exists", GuardKind::attachment_exists, {}},
      {"has_next_level", GuardKind::has_next_level, {}},
      {"not_yet_recommended", GuardKind::not_yet_recommended, {}},
  };
  return specs;
}

const std::vector<Spec<EffectKind>>& effect_specs() {
  static const std::vector<Spec<EffectKind>> specs{
      {"record_edit", EffectKind::record_edit, {}},
      {"record_material", EffectKind::record_material, {}},
      {"remove_material", EffectKind::remove_material, {}},
      {"record_score", EffectKind::record_score, {}},
      {"record_conflict", EffectKind::record_conflict, {}},
      {"record_objection", EffectKind::record_objection, {}},
      {"resolve_objection", EffectKind::resolve_objection, {{"outcome", ParamType::string}}},
      {"record_evaluation", EffectKind::record_evaluation, {}},
      {"open_publicity", EffectKind::open_publicity, {{"days", ParamType::integer}, {"max_days", ParamType::integer}}},
      {"record_naming", EffectKind::record_naming, {{"validity_years", ParamType::integer}}},
      {"open_linked_nomination", EffectKind::open_linked_nomination, {}},
  };
  return specs;
}

template <typename Kind>
std::string known_names(const std::vector<Spec<Kind>>& specs) {
  std::string out;
  for (const auto& s : specs) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

// Reads one guard or effect object: {"type": NAME, PARAM: VALUE, ...}.
template <typename Kind>
std::optional<std::pair<Kind, Params>> read_step(const boost::json::value& v, const std::vector<Spec<Kind>>& specs,
                                                 std::string_view what, const std::string& element,
                                                 const std::string& file, LoadErrors& errors) {
  auto fail = [&](std::string msg) {
    errors.push_back({file, element, std::string(what) + " " + msg});
    return std::nullopt;
  };
  if (!v.is_object()) return fail("must be an object with a \"type\"");
  const auto& obj = v.get_object();
  auto t = obj.if_contains("type");
  if (!t || !t->is_string()) return fail("has no \"type\"");
  std::string type(t->get_string());
  auto spec = std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.name == type; });
  if (spec == specs.end()) return fail("\"" + type + "\" is unknown (known: " + known_names(specs) + ")");
  Params p;
  bool ok = true;
  for (const auto& kv : obj) {
    if (kv.key() == "type") continue;
    auto ps = std::find_if(spec->params.begin(), spec->params.end(), [&](const ParamSpec& s) { return s.name == kv.key(); });
    std::string pfx = std::string(what) + " \"" + type + "\": ";
    if (ps == spec->params.end()) {
      std::string allowed;
      for (const auto& s : spec->params) allowed += (allowed.empty() ? "" : ", ") + std::string(s.name);
      errors.push_back({file, element, pfx + "unknown parameter \"" + std::string(kv.key()) + "\" (" +
                                           (allowed.empty() ? "it takes none" : "it takes: " + allowed) + ")"});
      ok = false;
      continue;
    }
    const auto& val = kv.value();
    if (ps->type == ParamType::integer) {
      if (!val.is_int64() || val.get_int64() < 0 || val.get_int64() > 100000) {
        errors.push_back({file, element, pfx + "parameter \"" + std::string(ps->name) + "\" must be a non-negative integer"});
        ok = false;
        continue;
      }
      auto n = val.get_int64();
      if (ps->name == "min_length") p.min_length = n;
      else if (ps->name == "max_length") p.max_length = n;
      else if (ps->name == "min_sheets") p.min_sheets = n;
      else if (ps->name == "days") p.days = n;
      else if (ps->name == "max_days") p.max_days = n;
      else if (ps->name == "validity_years") p.validity_years = n;
    } else if (ps->type == ParamType::boolean) {
      if (!val.is_bool()) {
        errors.push_back({file, element, pfx + "parameter \"" + std::string(ps->name) + "\" must be true or false"});
        ok = false;
        continue;
      }
      p.anonymous_allowed = val.get_bool();
    } else {
      if (!val.is_string()) {
        errors.push_back({file, element, pfx + "parameter \"" + std::string(ps->name) + "\" must be a string"});
        ok = false;
        continue;
      }
      p.outcome = std::string(val.get_string());
    }
  }
  if constexpr (std::is_same_v<Kind, EffectKind>) {
    if (spec->kind == EffectKind::resolve_objection && p.outcome != "upheld" && p.outcome != "dismissed") {
      errors.push_back({file, element, std::string(what) + " \"resolve_objection\": parameter \"outcome\" must be \"upheld\" or \"dismissed\""});
      ok = false;
    }
    if (spec->kind == EffectKind::open_publicity && (p.days < 1 || p.days > p.max_days)) {
      errors.push_back({file, element, std::string(what) + " \"open_publicity\": needs 1 <= days <= max_days"});
      ok = false;
    }
    if (spec->kind == EffectKind::record_naming && p.validity_years < 1) {
      errors.push_back({file, element, std::string(what) + " \"record_naming\": validity_years must be at least 1"});
      ok = false;
    }
  }
  if constexpr (std::is_same_v<Kind, GuardKind>) {
    if (spec->kind == GuardKind::evaluation_complete && p.min_sheets < 1) {
      errors.push_back({file, element, std::string(what) + " \"evaluation_complete\": min_sheets must be at least 1"});
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return std::make_pair(spec->kind, p);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string_view to_string(Role r) {
  for (const auto& [name, role] : kRoles) if (role == r) return name;
  return "unknown";
}

std::optional<Role> parse_role(std::string_view s) {
  for (const auto& [name, role] : kRoles) if (name == s) return role;
  return std::nullopt;
}

int Definition::state_index(std::string_view id) const {
  for (std::size_t i = 0; i < states.size(); ++i) if (states[i].id == id) return static_cast<int>(i);
  return -1;
}

int Definition::action_from(int state, std::string_view id) const {
  if (state < 0 || static_cast<std::size_t>(state) >= by_state_.size()) return -1;
  for (int a : by_state_[static_cast<std::size_t>(state)]) if (actions[static_cast<std::size_t>(a)].id == id) return a;
  return -1;
}

bool Definition::has_action(std::string_view id) const {
  return std::any_of(actions.begin(), actions.end(), [&](const ActionDef& a) { return a.id == id; });
}

Loaded<Definition> load_definition(std::string_view json_text, const std::string& file,
                                   const std::vector<std::string>& levels) {
  LoadErrors errors;
  auto doc = json_input::parse(json_text, file, errors);
  if (!doc) return std::unexpected(errors);

  Definition def;
  json_input::Object top(*doc, "", file, errors);
  if (!top.valid()) return std::unexpected(errors);
  def.id = top.str("id");
  const std::size_t errors_before_version = errors.size();
  std::int64_t version = top.integer("version");
  const bool version_read = errors.size() == errors_before_version;
  def.version = version > 0 && version <= 1000000 ? static_cast<int>(version) : 0;
  def.name = top.str("name");
  def.name_en = top.opt_str("name_en").value_or("");
  def.target_level = top.str("target_level");
  std::string initial = top.str("initial");
  std::optional<std::string> linked_entry = top.opt_str("linked_entry");
  const auto& states = top.array("states");
  const auto& actions = top.array("actions");
  const auto& timers = top.array("timers", false);
  top.finish();

  auto known_level = [&](std::string_view l) { return std::find(levels.begin(), levels.end(), l) != levels.end(); };
  const std::string levels_list = " (known: " + join(levels) + ")";

  if (def.id.empty() && top.has("id")) errors.push_back({file, "id", "must not be empty"});
  if (version_read && def.version < 1) errors.push_back({file, "version", "must be an integer from 1 to 1000000"});
  if (!def.target_level.empty() && !known_level(def.target_level)) {
    errors.push_back({file, "target_level", "unknown level " + quoted(def.target_level) + levels_list});
  }

  // States.
  for (std::size_t i = 0; i < states.size(); ++i) {
    json_input::Object o(states[i], json_input::index_path("", "states", i), file, errors);
    if (!o.valid()) continue;
    StateDef s;
    s.id = o.str("id");
    s.name = o.str("name");
    s.name_en = o.opt_str("name_en").value_or("");
    s.office = o.opt_str("office");
    s.terminal = o.boolean("terminal", false);
    o.finish();
    std::string element = "state " + quoted(s.id);
    if (s.id.empty()) errors.push_back({file, o.path(), "state id must not be empty"});
    if (def.state_index(s.id) >= 0) errors.push_back({file, element, "defined twice"});
    if (s.office && !known_level(*s.office)) errors.push_back({file, element, "unknown office level " + quoted(*s.office) + levels_list});
    def.states.push_back(std::move(s));
  }
  if (def.states.empty()) errors.push_back({file, "states", "at least one state is needed"});
  def.by_state_.assign(def.states.size(), {});

  def.initial = def.state_index(initial);
  if (!initial.empty() && def.initial < 0) errors.push_back({file, "initial", "unknown state " + quoted(initial)});
  if (def.initial >= 0) {
    if (def.state(def.initial).terminal) errors.push_back({file, "initial", "the initial state must not be terminal"});
    if (!def.state(def.initial).office) errors.push_back({file, "initial", "the initial state needs an office level"});
  }
  if (linked_entry) {
    def.linked_entry = def.state_index(*linked_entry);
    if (def.linked_entry < 0) errors.push_back({file, "linked_entry", "unknown state " + quoted(*linked_entry)});
    else if (!def.state(def.linked_entry).office) errors.push_back({file, "linked_entry", "the entry state needs an office level"});
  }
  if (!def.target_level.empty() &&
      std::none_of(def.states.begin(), def.states.end(), [&](const StateDef& s) { return s.office == def.target_level; })) {
    errors.push_back({file, "target_level", "no state is held by an office at the target level " + quoted(def.target_level)});
  }

  // Actions.
  const std::string roles_list = [] {
    std::string out;
    for (const auto& [name, role] : kRoles) out += (out.empty() ? "" : ", ") + std::string(name);
    return " (known: " + out + ")";
  }();
  for (std::size_t i = 0; i < actions.size(); ++i) {
    json_input::Object o(actions[i], json_input::index_path("", "actions", i), file, errors);
    if (!o.valid()) continue;
    ActionDef a;
    a.id = o.str("id");
    a.name = o.str("name");
    a.name_en = o.opt_str("name_en").value_or("");
    auto from = o.str_or_strs("from");
    auto to = o.opt_str("to");
    a.stay = o.boolean("stay", false);
    const auto& branches = o.array("branches", false);
    bool has_branches = o.has("branches");
    std::string role = o.str("role");
    const auto& guards = o.array("guards", false);
    const auto& effects = o.array("effects", false);
    o.finish();
    std::string element = "action " + quoted(a.id);
    if (a.id.empty()) errors.push_back({file, o.path(), "action id must not be empty"});

    for (const auto& f : from) {
      int s = def.state_index(f);
      if (s < 0) { errors.push_back({file, element, "unknown source state " + quoted(f)}); continue; }
      if (std::find(a.from.begin(), a.from.end(), s) != a.from.end()) {
        errors.push_back({file, element, "source state " + quoted(f) + " listed twice"});
        continue;
      }
      a.from.push_back(s);
    }
    if (from.empty() && o.has("from")) errors.push_back({file, element, "\"from\" lists no state"});

    int targets = (to ? 1 : 0) + (a.stay ? 1 : 0) + (has_branches ? 1 : 0);
    if (targets != 1) errors.push_back({file, element, "needs exactly one of \"to\", \"stay\": true or \"branches\""});
    if (to) {
      a.to = def.state_index(*to);
      if (a.to < 0) errors.push_back({file, element, "unknown target state " + quoted(*to)});
    }
    std::vector<bool> conditional;  // whether each branch has an "if", even an unknown one
    for (std::size_t b = 0; b < branches.size(); ++b) {
      json_input::Object bo(branches[b], json_input::index_path(o.path(), "branches", b), file, errors);
      if (!bo.valid()) continue;
      Branch br;
      auto when = bo.opt_str("if");
      conditional.push_back(when.has_value());
      std::string bto = bo.str("to");
      bo.finish();
      if (when) {
        if (*when == "evaluation_passed") br.when = Predicate::evaluation_passed;
        else errors.push_back({file, element, "branch condition " + quoted(*when) + " is unknown (known: evaluation_passed)"});
      }
      br.to = def.state_index(bto);
      if (br.to < 0) errors.push_back({file, element, "unknown target state " + quoted(bto)});
      a.branches.push_back(br);
    }
    if (has_branches) {
      if (conditional.empty() || conditional.back()) {
        errors.push_back({file, element, "the last branch must be the fallback (without \"if\")"});
      }
      for (std::size_t b = 0; b + 1 < conditional.size(); ++b) {
        if (!conditional[b]) errors.push_back({file, element, "only the last branch may lack \"if\""});
      }
    }

    if (auto r = parse_role(role)) a.role = *r;
    else if (!role.empty() || o.has("role")) errors.push_back({file, element, "unknown role " + quoted(role) + roles_list});

    for (std::size_t g = 0; g < guards.size(); ++g) {
      if (auto step = read_step(guards[g], guard_specs(), "guard", element, file, errors)) {
        a.guards.push_back({step->first, step->second});
      }
    }
    for (std::size_t e = 0; e < effects.size(); ++e) {
      if (auto step = read_step(effects[e], effect_specs(), "effect", element, file, errors)) {
        a.effects.push_back({step->first, step->second});
      }
    }

    int index = static_cast<int>(def.actions.size());
    for (int s : a.from) {
      if (def.action_from(s, a.id) >= 0) {
        errors.push_back({file, element, "defined twice from state " + quoted(def.state(s).id)});
        continue;
      }
      if (def.state(s).terminal) errors.push_back({file, element, "leaves terminal state " + quoted(def.state(s).id)});
      def.by_state_[static_cast<std::size_t>(s)].push_back(index);
    }
    def.actions.push_back(std::move(a));
  }

  // Timers.
  for (std::size_t i = 0; i < timers.size(); ++i) {
    json_input::Object o(timers[i], json_input::index_path("", "timers", i), file, errors);
    if (!o.valid()) continue;
    TimerDef t;
    t.id = o.str("id");
    std::string state = o.str("state");
    std::string at = o.str("at");
    auto action = o.opt_str("action");
    o.finish();
    std::string element = "timer " + quoted(t.id);
    if (std::any_of(def.timers.begin(), def.timers.end(), [&](const TimerDef& x) { return x.id == t.id; })) {
      errors.push_back({file, element, "defined twice"});
    }
    t.state = def.state_index(state);
    if (t.state < 0 && !state.empty()) errors.push_back({file, element, "unknown state " + quoted(state)});
    if (at == "publicity_ends") t.at = TimerField::publicity_ends;
    else if (at == "valid_until") t.at = TimerField::valid_until;
    else if (!at.empty()) errors.push_back({file, element, "unknown time " + quoted(at) + " (known: publicity_ends, valid_until)"});
    if (!action || action->empty()) {
      errors.push_back({file, element, "has no target action"});
    } else if (!def.has_action(*action)) {
      errors.push_back({file, element, "target action " + quoted(*action) + " does not exist"});
    } else if (t.state >= 0) {
      t.action = def.action_from(t.state, *action);
      if (t.action < 0) {
        errors.push_back({file, element, "target action " + quoted(*action) + " does not leave state " + quoted(state)});
      } else if (def.action(t.action).role != Role::system) {
        errors.push_back({file, element, "target action " + quoted(*action) + " must have role \"system\""});
      }
    }
    def.timers.push_back(std::move(t));
  }

  // Graph checks, only on a structurally sound definition.
  if (errors.empty()) {
    auto targets_of = [&](const ActionDef& a, int from) {
      std::vector<int> out;
      if (a.to >= 0) out.push_back(a.to);
      if (a.stay) out.push_back(from);
      for (const auto& b : a.branches) out.push_back(b.to);
      return out;
    };
    std::vector<bool> reached(def.states.size(), false);
    std::deque<int> queue{def.initial};
    reached[static_cast<std::size_t>(def.initial)] = true;
    if (def.linked_entry >= 0 && !reached[static_cast<std::size_t>(def.linked_entry)]) {
      reached[static_cast<std::size_t>(def.linked_entry)] = true;
      queue.push_back(def.linked_entry);
    }
    while (!queue.empty()) {
      int s = queue.front();
      queue.pop_front();
      for (int ai : def.actions_from(s)) {
        for (int t : targets_of(def.action(ai), s)) {
          if (!reached[static_cast<std::size_t>(t)]) { reached[static_cast<std::size_t>(t)] = true; queue.push_back(t); }
        }
      }
    }
    for (std::size_t s = 0; s < def.states.size(); ++s) {
      const auto& st = def.states[s];
      std::string element = "state " + quoted(st.id);
      if (!reached[s]) errors.push_back({file, element, "unreachable from the initial state " + quoted(def.state(def.initial).id)});
      if (!st.terminal) {
        bool exits = false;
        for (int ai : def.actions_from(static_cast<int>(s))) {
          for (int t : targets_of(def.action(ai), static_cast<int>(s))) exits = exits || t != static_cast<int>(s);
        }
        if (!exits) errors.push_back({file, element, "is not terminal but no action leads out of it"});
      }
    }
  }

  if (!errors.empty()) return std::unexpected(errors);
  return def;
}

}  // namespace laurel::engine
