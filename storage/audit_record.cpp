#include "storage/audit_record.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cereal/archives/json.hpp>

#include <sstream>

#include "engine/serialization.h"
#include "storage/canonical_json.h"
#include "storage/canonical_json_archive.h"
#include "storage/json_value_archive.h"

namespace laurel::storage {
namespace bj = boost::json;

bj::value event_to_json(const engine::Event& e) {
  JsonValueOutputArchive ar;
  ar(cereal::make_nvp("event", e));
  return std::move(ar.value().as_object()["event"]);
}

std::optional<engine::Event> event_from_json(const bj::value& v, std::string* error) {
  try {
    bj::object wrapper;
    wrapper["event"] = v;
    std::istringstream s(bj::serialize(wrapper));
    cereal::JSONInputArchive ar(s);
    engine::Event e;
    ar(cereal::make_nvp("event", e));
    return e;
  } catch (const std::exception& ex) {
    if (error) *error = ex.what();
    return std::nullopt;
  }
}

bj::value AuditRecord::to_json() const {
  bj::object o;
  o["v"] = 1;
  o["at"] = engine::format_rfc3339(at);
  bj::object w;
  w["user"] = who.user;
  w["role"] = who.role;
  w["jurisdiction"] = who.jurisdiction;
  w["auth"] = who.auth;
  w["address"] = who.address;
  o["who"] = std::move(w);
  o["kind"] = kind;
  o["action"] = action;
  o["object"] = bj::object{{"type", object_type}, {"id", object_id}};
  o["outcome"] = outcome;
  if (reason) {
    bj::object r;
    r["code"] = engine::to_string(reason->code);
    r["detail"] = reason->detail;
    if (!reason->errors.empty()) {
      bj::array errs;
      for (const auto& e : reason->errors) errs.push_back(bj::object{{"field", e.field}, {"message", e.message}});
      r["errors"] = std::move(errs);
    }
    o["reason"] = std::move(r);
  }
  if (!comment.empty()) o["comment"] = comment;
  if (!old_value.is_null()) o["old"] = old_value;
  if (!new_value.is_null()) o["new"] = new_value;
  if (!events.empty()) {
    bj::array evs;
    for (const auto& e : events) evs.push_back(event_to_json(e));
    o["events"] = std::move(evs);
  }
  if (!batch.empty()) o["batch"] = batch;
  return o;
}

// The canonical bytes of to_json(), written directly: the members in key order by hand, the events
// through the canonical archive (a command's record cost a seventh of the writer as a value first).
// tests/storage/json_value_archive_test.cpp holds them equal to canonical_json(to_json()).
std::string AuditRecord::bytes() const {
  std::string out;
  out.reserve(1024);  // a command's record is ~850 bytes
  auto fail = [](const std::string& why) { throw std::logic_error("audit record cannot be made canonical: " + why); };
  auto key = [&](std::string_view k) {  // the names below are plain ASCII and in order
    out += ",\"";
    out += k;
    out += "\":";
  };
  auto str = [&](std::string_view v) {
    if (!append_canonical_string(v, out)) fail("a string is not valid UTF-8");
  };
  auto value = [&](const bj::value& v) {
    std::string error;
    if (!append_canonical_json(v, out, error)) fail(error);
  };
  out += "{\"action\":";
  str(action);
  key("at");
  str(engine::format_rfc3339(at));
  if (!batch.empty()) key("batch"), str(batch);
  if (!comment.empty()) key("comment"), str(comment);
  if (!events.empty()) {
    key("events");
    out += '[';
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (i) out += ',';
      // {"event":X} appended, then X kept
      const std::size_t at = out.size();
      CanonicalJsonOutputArchive ar(out);
      ar(cereal::make_nvp("event", events[i]));
      ar.finish();
      constexpr std::string_view prefix = "{\"event\":";
      out.erase(at, prefix.size());
      out.pop_back();
    }
    out += ']';
  }
  key("kind");
  str(kind);
  if (!new_value.is_null()) key("new"), value(new_value);
  key("object");
  out += "{\"id\":";
  str(object_id);
  out += ",\"type\":";
  str(object_type);
  out += '}';
  if (!old_value.is_null()) key("old"), value(old_value);
  key("outcome");
  str(outcome);
  if (reason) {
    key("reason");
    out += "{\"code\":";
    str(engine::to_string(reason->code));
    out += ",\"detail\":";
    str(reason->detail);
    if (!reason->errors.empty()) {
      out += ",\"errors\":[";
      for (std::size_t i = 0; i < reason->errors.size(); ++i) {
        if (i) out += ',';
        out += "{\"field\":";
        str(reason->errors[i].field);
        out += ",\"message\":";
        str(reason->errors[i].message);
        out += '}';
      }
      out += ']';
    }
    out += '}';
  }
  key("v");
  out += '1';
  key("who");
  out += "{\"address\":";
  str(who.address);
  out += ",\"auth\":";
  str(who.auth);
  out += ",\"jurisdiction\":";
  str(who.jurisdiction);
  out += ",\"role\":";
  str(who.role);
  out += ",\"user\":";
  str(who.user);
  out += "}}";
  return out;
}

std::optional<AuditRecord> AuditRecord::from_json(const bj::value& v, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<AuditRecord> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (!v.is_object()) return fail("not an object");
  const auto& o = v.get_object();
  auto str = [&](const bj::object& obj, std::string_view key) -> std::string {
    auto p = obj.if_contains(key);
    return p && p->is_string() ? std::string(p->get_string()) : std::string();
  };
  AuditRecord r;
  auto version = o.if_contains("v");
  if (!version || !version->is_int64() || version->get_int64() != 1) return fail("unknown record version");
  auto at = engine::parse_rfc3339(str(o, "at"));
  if (!at) return fail("bad time");
  r.at = *at;
  if (auto w = o.if_contains("who"); w && w->is_object()) {
    const auto& wo = w->get_object();
    r.who = Who{str(wo, "user"), str(wo, "role"), str(wo, "jurisdiction"), str(wo, "auth"), str(wo, "address")};
  }
  r.kind = str(o, "kind");
  r.action = str(o, "action");
  if (auto ob = o.if_contains("object"); ob && ob->is_object()) {
    r.object_type = str(ob->get_object(), "type");
    r.object_id = str(ob->get_object(), "id");
  }
  r.outcome = str(o, "outcome");
  if (auto re = o.if_contains("reason"); re && re->is_object()) {
    engine::Rejection rej{engine::Problem::forbidden, str(re->get_object(), "detail"), {}, {}};
    std::string code = str(re->get_object(), "code");
    for (auto p : {engine::Problem::forbidden, engine::Problem::invalid_transition, engine::Problem::quota_exceeded,
                   engine::Problem::missing_materials, engine::Problem::objections_open, engine::Problem::validation_failed,
                   engine::Problem::version_conflict}) {
      if (engine::to_string(p) == code) rej.code = p;
    }
    r.reason = rej;
  }
  r.comment = str(o, "comment");
  if (auto p = o.if_contains("old")) r.old_value = *p;
  if (auto p = o.if_contains("new")) r.new_value = *p;
  if (auto evs = o.if_contains("events"); evs && evs->is_array()) {
    for (const auto& ev : evs->get_array()) {
      std::string why;
      auto e = event_from_json(ev, &why);
      if (!e) return fail("bad event: " + why);
      r.events.push_back(std::move(*e));
    }
  }
  r.batch = str(o, "batch");
  return r;
}

}  // namespace laurel::storage
