// The audit trail for auditors: every record (accepted commands, denied attempts, sign-ins,
// administrative changes) with filters, and the latest signed checkpoint checked against the
// verifier key, said in plain words. Like the API's audit endpoints, each use is itself recorded, and
// so is a refused one (only auditors may look; administrators are not auditors).
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

#include "storage/audit_proofs.h"
#include "storage/canonical_json.h"
#include "storage/checkpoint.h"
#include "web/site.h"

namespace laurel::web {
namespace bj = boost::json;
using engine::Time;

namespace {

constexpr int kPageSize = 50;

std::string str(const bj::object& o, std::string_view k) {
  auto p = o.if_contains(k);
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}

// A local date (YYYY-MM-DD) to the instant of its local midnight; `end` gives the next midnight.
std::optional<Time> date_bound(const Site& site, const std::string& s, bool end) {
  auto d = engine::parse_date(s);
  if (!d) return std::nullopt;
  if (end) *d += std::chrono::days(1);
  return site.catalog.calendar().local_midnight(*d);
}

}  // namespace

Response audit_page(Site& site, Page& page) {
  const Lang lang = page.lang;
  storage::AuditRecord use;
  use.at = page.now;
  use.who = storage::Who{page.who.actor.user, "auditor", "", page.who.method, page.request.client_address};
  use.kind = "audit_access";
  use.action = "audit_page";
  use.object_type = "audit";
  use.object_id = page.request.target.substr(0, 200);
  if (!page.has_role("auditor")) {
    use.outcome = "denied";
    use.reason = engine::Rejection{engine::Problem::forbidden, "the audit trail needs the auditor role", {}, {}};
    (void)site.store.append_record(use);
    return site.error_page(page, 403, "error_need_auditor");
  }
  use.outcome = "accepted";

  View v = site.view(page, "audit.tpl", std::string(page.t("audit_title")), "audit");
  Dict* b = v.body;
  auto opt = [&](const char* k) -> std::optional<std::string> {
    std::string s = page.query.get(k);
    if (s.empty()) return std::nullopt;
    return s;
  };
  storage::RecordQuery q;
  q.limit = kPageSize;
  q.nomination = opt("nomination");
  q.actor = opt("actor");
  q.action = opt("action");
  q.outcome = opt("outcome");
  if (q.outcome && *q.outcome != "accepted" && *q.outcome != "denied") q.outcome.reset();
  if (auto s = opt("since")) q.since = date_bound(site, *s, false);
  if (auto s = opt("until")) q.until = date_bound(site, *s, true);
  bool filtered = q.nomination || q.actor || q.action || q.outcome || q.since || q.until;
  std::int64_t size = site.store.log_size();
  if (auto f = opt("from")) {
    std::int64_t from = 0;
    auto [p, ec] = std::from_chars(f->data(), f->data() + f->size(), from);
    if (ec == std::errc() && p == f->data() + f->size() && from >= 0) q.from = from;
  } else if (!filtered) {
    q.from = std::max<std::int64_t>(0, size - kPageSize);  // the latest records
  }
  b->SetValue("NOMINATION", page.query.get("nomination"));
  b->SetValue("ACTOR", page.query.get("actor"));
  b->SetValue("ACTION", page.query.get("action"));
  b->SetValue("SINCE", page.query.get("since"));
  b->SetValue("UNTIL", page.query.get("until"));
  for (const char* o : {"accepted", "denied"}) {
    Dict* d = b->AddSectionDictionary("OUTCOME_OPTION");
    d->SetValue("VALUE", o);
    d->SetValue("LABEL", std::string(page.t(std::string("outcome_") + o)));
    if (q.outcome && *q.outcome == o) d->SetValue("SELECTED", "selected");
  }

  auto rows = site.store.records(q);
  for (const auto& row : rows) {
    auto parsed = storage::parse_canonical_json(row.bytes);
    if (!parsed || !parsed->is_object()) continue;
    const auto& r = parsed->as_object();
    Dict* d = b->AddSectionDictionary("RECORD");
    d->SetIntValue("INDEX", static_cast<long>(row.index));
    auto at = engine::parse_rfc3339(str(r, "at"));
    d->SetValue("AT", at ? site.date_time(lang, *at) : str(r, "at"));
    if (auto w = r.if_contains("who"); w && w->is_object()) {
      const auto& who = w->as_object();
      std::string user = str(who, "user");
      d->SetValue("USER", user.empty() ? std::string(page.t("who_public")) : user);
      std::string role = str(who, "role");
      std::string place = str(who, "jurisdiction");
      std::string detail;
      if (!role.empty()) detail = site.role_name(lang, role);
      if (!place.empty()) detail += (detail.empty() ? "" : " · ") + site.jurisdiction_name(lang, place);
      std::string how = str(who, "auth") + (str(who, "address").empty() ? "" : " " + str(who, "address"));
      d->SetValue("WHO_DETAIL", detail);
      d->SetValue("AUTH", how);
    }
    std::string action = str(r, "action");
    std::string kind = str(r, "kind");
    d->SetValue("ACTION", action);
    std::string label = kind == "command" ? site.action_name(lang, nullptr, action) : std::string(tr(lang, "audit_action_" + action));
    if (label == "audit_action_" + action) label = action;
    d->SetValue("ACTION_NAME", label);
    if (auto o = r.if_contains("object"); o && o->is_object()) {
      std::string type = str(o->as_object(), "type"), id = str(o->as_object(), "id");
      d->SetValue("OBJECT_TYPE", type);
      d->SetValue("OBJECT_ID", id);
      if (type == "nomination" && !id.empty()) {
        d->SetValueAndShowSection("OBJECT_URL", "/nominations/" + url_encode(id), "OBJECT_LINK");
        d->SetValue("TRAIL_URL", "/audit?nomination=" + url_encode(id));
      } else {
        d->ShowSection("OBJECT_TEXT");
      }
    }
    std::string outcome = str(r, "outcome");
    d->SetValue("OUTCOME", outcome);
    d->SetValue("OUTCOME_NAME", std::string(page.t("outcome_" + outcome)));
    if (auto reason = r.if_contains("reason"); reason && reason->is_object()) {
      std::string code = str(reason->as_object(), "code");
      d->SetValueAndShowSection("REASON", std::string(page.t("problem_" + code)) + " — " + str(reason->as_object(), "detail"), "HAS_REASON");
    }
    if (std::string c = str(r, "comment"); !c.empty()) d->SetValueAndShowSection("COMMENT", c, "HAS_COMMENT");
    auto value_text = [](const bj::value* v) -> std::string {
      if (!v || v->is_null()) return {};
      return bj::serialize(*v);
    };
    std::string oldv = value_text(r.if_contains("old")), newv = value_text(r.if_contains("new"));
    auto state_of = [&](const char* k) -> std::string {
      auto v = r.if_contains(k);
      return v && v->is_object() ? str(v->as_object(), "state") : std::string();
    };
    if (std::string to = state_of("new"); !to.empty()) {
      std::string from = state_of("old");
      Dict* c = d->AddSectionDictionary("STATE_CHANGE");
      c->SetValue("FROM", from.empty() ? std::string("—") : site.state_name(lang, from));
      c->SetValue("TO", site.state_name(lang, to));
    }
    if (!oldv.empty() || !newv.empty()) {
      Dict* c = d->AddSectionDictionary("VALUES");
      c->SetValue("OLD", oldv.empty() ? "—" : oldv);
      c->SetValue("NEW", newv.empty() ? "—" : newv);
    }
  }
  if (rows.empty()) b->ShowSection("EMPTY");
  else b->ShowSection("TABLE");

  // Paging by record index.
  std::string base;
  for (const auto& [k, val] : page.query.items()) {
    if (k == "from" || k == "lang" || val.empty()) continue;
    base += url_encode(k) + "=" + url_encode(val) + "&";
  }
  if (!rows.empty() && static_cast<int>(rows.size()) == kPageSize) {
    b->SetValueAndShowSection("NEXT_URL", "/audit?" + base + "from=" + std::to_string(rows.back().index + 1), "NEXT");
  }
  if (!filtered && q.from > 0) {
    b->SetValueAndShowSection("PREV_URL", "/audit?" + base + "from=" + std::to_string(std::max<std::int64_t>(0, q.from - kPageSize)), "PREV");
  }
  b->SetIntValue("LOG_SIZE", static_cast<long>(size));

  // The latest checkpoint, checked with the verifier key.
  auto cp = site.store.audit().latest_checkpoint();
  std::string key = site.store.verifier_key();
  b->SetValue("VERIFIER_KEY", key);
  if (!cp) {
    b->ShowSection("NO_CHECKPOINT");
  } else {
    Dict* c = b->AddSectionDictionary("CHECKPOINT");
    c->SetValue("NOTE", cp->note);
    auto verifier = storage::checkpoint::Verifier::parse(key);
    std::expected<storage::checkpoint::Checkpoint, std::string> checked =
        verifier ? verifier->verify(cp->note) : std::unexpected(verifier.error());
    if (checked) {
      auto covered = static_cast<std::int64_t>(checked->size);
      c->SetValue("STATUS", "verified");
      c->SetValue("STATUS_TEXT", covered >= size ? trf(lang, "checkpoint_verified_all", {std::to_string(covered)})
                                                 : trf(lang, "checkpoint_verified_part", {std::to_string(covered), std::to_string(size - covered)}));
    } else {
      c->SetValue("STATUS", "failed");
      c->SetValue("STATUS_TEXT", trf(lang, "checkpoint_failed", {checked.error()}));
    }
  }
  (void)site.store.append_record(use);
  return site.render(page, v);
}

}  // namespace laurel::web
