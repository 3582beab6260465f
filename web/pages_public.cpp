// The public pages (no account needed): the publicity notices (公示) and each notice in its official
// form with the objection form, the naming decision (命名决定) laid out as a government document after
// GB/T 9704, the printable certificates (命名证书, one A4 page each) of a decision, and the
// certificate check. Objections go through the API's own endpoint, so that its
// validation and per-address rate limit apply to the form as well.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "web/proxy.h"
#include "web/documents_pdf.h"
#include "web/documents_print.h"
#include "engine/administration.h"
#include "web/site.h"

namespace laurel::web {
namespace bj = boost::json;
using engine::Time;

namespace {

std::string chinese_ordinal(std::size_t i) {
  static const char* const kNumbers[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"};
  return i < std::size(kNumbers) ? kNumbers[i] : std::to_string(i + 1);
}

int working_days(const engine::Calendar& cal, Time starts, Time ends) {
  int n = 0;
  for (auto d = cal.local_date(starts); d <= cal.local_date(ends - 1); d += std::chrono::days(1)) {
    if (cal.is_working_day(d)) ++n;
  }
  return n;
}

bool shown_in_notice(const engine::Nomination& n) { return n.state != "withdrawn" && n.state != "removed"; }

// Nominations grouped by category, in the catalog's order.
std::vector<std::pair<const engine::Category*, std::vector<const engine::Nomination*>>> by_category(
    const engine::Catalog& catalog, const std::vector<engine::Nomination>& items, bool public_notice) {
  std::vector<std::pair<const engine::Category*, std::vector<const engine::Nomination*>>> out;
  for (const auto& c : catalog.categories()) {
    std::vector<const engine::Nomination*> list;
    for (const auto& n : items) {
      if (n.category == c.id && (!public_notice || shown_in_notice(n))) list.push_back(&n);
    }
    if (!list.empty()) out.emplace_back(&c, std::move(list));
  }
  return out;
}

// Notices listing more nominees than this leave out the summaries (主要事迹).
constexpr std::size_t kNoticeSummaries = 60;

std::string window_status(Time now, const storage::Notice& n) {
  if (now < n.starts_at) return "upcoming";
  if (now < n.ends_at) return "open";
  return "closed";
}

}  // namespace

Response notices_page(Site& site, Page& page) {
  const Lang lang = page.lang;
  View v = site.view(page, "notices.tpl", std::string(page.t("notices_title")), "notices");
  auto notices = site.store.notices(page.now, false);
  for (const auto& n : notices) {
    Dict* d = v.body->AddSectionDictionary("NOTICE");
    d->SetValue("URL", "/notices/" + url_encode(n.id));
    d->SetValue("TITLE", n.title);
    d->SetValue("OFFICE", site.jurisdiction_name(lang, n.office));
    d->SetValue("WINDOW", date_range_text(lang, site.catalog.calendar().local_date(n.starts_at),
                                          site.catalog.calendar().local_date(n.ends_at - 1)));
    std::string status = window_status(page.now, n);
    d->SetValue("STATUS", status);
    d->SetValue("STATUS_NAME", std::string(page.t("notice_" + status)));
    d->SetIntValue("COUNT", static_cast<long>(std::count_if(n.nominations.begin(), n.nominations.end(), shown_in_notice)));
  }
  if (notices.empty()) v.body->ShowSection("EMPTY");
  else v.body->ShowSection("TABLE");
  return site.render(page, v);
}

namespace {

Response render_notice(Site& site, Page& page, const storage::Notice& notice, int status, const std::string& receipt,
                       std::string_view message_key, const FieldErrors& errors) {
  const Lang lang = page.lang;
  const auto& cal = site.catalog.calendar();
  View v = site.view(page, "notice.tpl", notice.title, "notices");
  Dict* b = v.body;
  b->SetValue("TITLE", notice.title);
  b->SetValue("PDF_URL", "/api/v1/documents/notices/" + url_encode(notice.id) + "/notice.pdf");
  add_export_links(page, b, "/api/v1/exports/notices/" + url_encode(notice.id), {});
  std::string office = site.jurisdiction_name(lang, notice.office);
  std::string authority = trf(lang, "notice_authority", {office});
  b->SetValue("AUTHORITY", authority);
  int year = notice.nominations.empty() ? 0 : notice.nominations.front().year;
  b->SetValue("INTRO", trf(lang, "notice_intro", {office, std::to_string(year), site.level_name(lang, notice.level)}));
  std::string window = date_range_text(lang, cal.local_date(notice.starts_at), cal.local_date(notice.ends_at - 1));
  b->SetValue("WINDOW", trf(lang, "notice_window", {window, std::to_string(working_days(cal, notice.starts_at, notice.ends_at))}));
  b->SetValue("HOW_TO_OBJECT", trf(lang, "notice_how_to_object", {authority, site.date(lang, notice.ends_at - 1)}));
  // The printed notice carries the page's absolute address: a reader of the paper copy types it in.
  b->SetValue("ONLINE_ADDRESS", trf(lang, "notice_online_address", {absolute_url(page.request, site.config.public_url, "/notices/" + url_encode(notice.id))}));
  b->SetValue("DATE", site.date(lang, notice.starts_at));
  std::size_t index = 0;
  auto groups = by_category(site.catalog, notice.nominations, true);
  // A long list (a county's whole year) gives names and places only, as printed notices of that
  // length do, so that the page stays small (under 100 KB with its style sheet and script).
  std::size_t listed = 0;
  for (const auto& g : groups) listed += g.second.size();
  const bool with_summary = listed <= kNoticeSummaries;
  if (!with_summary) b->SetValueAndShowSection("BRIEF_NOTE", trf(lang, "notice_brief", {std::to_string(listed)}), "BRIEF");
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& [cat, list] = groups[g];
    Dict* gd = b->AddSectionDictionary("GROUP");
    if (with_summary) gd->ShowSection("SUMMARY_HEAD");
    gd->SetValue("HEADING", lang == Lang::zh ? chinese_ordinal(g) + "、" + cat->name + "（" + std::to_string(list.size()) + "）"
                                             : cat->name_en + " (" + std::to_string(list.size()) + ")");
    for (const auto* n : list) {
      Dict* r = gd->AddSectionDictionary("NOMINEE");
      r->SetIntValue("INDEX", static_cast<long>(++index));
      r->SetValue("NAME", site.nominee_name(*n));
      r->SetValue("JURISDICTION", site.jurisdiction_name(lang, n->jurisdiction));
      if (with_summary) r->SetValueAndShowSection("SUMMARY", n->summary, "WITH_SUMMARY");
    }
  }
  std::string st = window_status(page.now, notice);
  if (!receipt.empty()) {
    b->SetValueAndShowSection("RECEIPT", receipt, "HAS_RECEIPT");
  }
  if (!message_key.empty()) b->SetValueAndShowSection("MESSAGE", std::string(page.t(message_key)), "HAS_MESSAGE");
  if (st == "open") {
    Dict* f = b->AddSectionDictionary("OBJECT_FORM");
    f->SetValue("ACTION_URL", "/notices/" + url_encode(notice.id) + "/object");
    std::string chosen = page.form.get("nomination_id");
    for (const auto& [cat, list] : groups) {
      for (const auto* n : list) {
        Dict* o = f->AddSectionDictionary("OPTION");
        o->SetValue("VALUE", n->id);
        o->SetValue("LABEL", site.nominee_name(*n) + std::string(page.t("lparen")) + (lang == Lang::zh ? cat->name : cat->name_en) +
                                 std::string(page.t("rparen")));
        if (n->id == chosen) o->SetValue("SELECTED", "selected");
      }
    }
    bool again = receipt.empty() && page.request.method == "POST";
    f->SetValue("TEXT", again ? page.form.get("text") : "");
    f->SetValue("CONTACT", again ? page.form.get("contact") : "");
    set_field_error(f, errors, "text");
    set_field_error(f, errors, "contact");
    set_field_error(f, errors, "nomination_id");
  } else if (st == "closed") {
    b->ShowSection("CLOSED");
  } else {
    b->ShowSection("UPCOMING");
  }
  return site.render(page, v, status);
}

}  // namespace

Response notice_page(Site& site, Page& page, const std::string& id) {
  auto notice = site.store.notice(id);
  if (!notice) return site.error_page(page, 404, "error_not_found");
  return render_notice(site, page, *notice, 200, "", "", {});
}

Response notice_object(Site& site, Page& page, const std::string& id) {
  auto notice = site.store.notice(id);
  if (!notice) return site.error_page(page, 404, "error_not_found");
  bj::object body{{"nomination_id", page.form.get("nomination_id")}, {"text", form_text(page.form.get("text"))}};
  if (std::string c = page.form.get("contact"); !c.empty()) body["contact"] = c;
  Request r;
  r.method = "POST";
  r.path = "/api/v1/public/notices/" + id + "/objections";
  r.target = r.path;
  r.headers["content-type"] = "application/json";
  r.body = bj::serialize(body);
  r.client_address = page.request.client_address;
  r.secure = page.request.secure;
  r.request_id = page.request.request_id;
  Response resp = site.api.handle(r);
  boost::system::error_code ec;
  bj::value v = bj::parse(resp.body, ec);
  const bj::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  auto field = [&](std::string_view k) -> std::string {
    if (!o) return {};
    auto p = o->if_contains(k);
    return p && p->is_string() ? std::string(p->get_string()) : std::string();
  };
  if (resp.status == 202) return render_notice(site, page, *notice, 202, field("receipt"), "objection_received", {});
  if (resp.status == 429) return render_notice(site, page, *notice, 429, "", "objection_rate_limited", {});
  std::string code = field("code");
  if (code == "invalid_transition") return render_notice(site, page, *notice, 422, "", "objection_closed", {});
  if (code == "validation_failed") {
    FieldErrors errors;
    if (o) {
      if (auto errs = o->if_contains("errors"); errs && errs->is_array()) {
        for (const auto& e : errs->as_array()) {
          if (!e.is_object()) continue;
          auto f = e.as_object().if_contains("field");
          auto m = e.as_object().if_contains("message");
          if (f && f->is_string() && m && m->is_string()) {
            errors[std::string(f->get_string())] = field_message(page.lang, std::string(m->get_string()));
          }
        }
      }
    }
    return render_notice(site, page, *notice, 422, "", "objection_invalid", errors);
  }
  return render_notice(site, page, *notice, resp.status >= 400 ? resp.status : 500, "", "error_unavailable", {});
}

Response decision_page(Site& site, Page& page, const std::string& document_no) {
  auto d = site.store.decision(document_no);
  if (!d) return site.error_page(page, 404, "error_not_found");
  const Lang lang = page.lang;
  std::string title = d->title.empty() ? trf(lang, "default_decision_title",
                                             {std::to_string(d->nominations.empty() ? 0 : d->nominations.front().year),
                                              site.level_name(lang, d->level)})
                                       : d->title;
  View v = site.view(page, "decision.tpl", title, "notices");
  Dict* b = v.body;
  std::string office = site.jurisdiction_name(lang, d->office);
  std::string authority = trf(lang, "decision_authority", {office});
  std::string mark = trf(lang, "decision_mark", {authority});
  b->SetValue("MARK", mark);
  // The mark stays on one line, as printed marks do: long names get a smaller size.
  std::size_t len = engine::utf8_length(mark);
  b->SetValue("MARK_CLASS", len <= 12 ? "doc-mark" : len <= 16 ? "doc-mark doc-mark-long" : "doc-mark doc-mark-longer");
  b->SetValue("DOCUMENT_NO", d->document_no);
  b->SetValue("TITLE", title);
  b->SetValue("PDF_URL", "/api/v1/documents/decisions/" + url_encode(d->document_no) + "/decision.pdf");
  add_export_links(page, b, "/api/v1/exports/decisions/" + url_encode(d->document_no), {});
  for (const char* role : {"approver", "reviewer", "admin"}) {
    if (engine::holds_over(page.who.actor, role, d->office, site.catalog.tree())) {
      b->SetValueAndShowSection("URL", "/api/v1/documents/decisions/" + url_encode(d->document_no) + "/certificates.pdf", "CERTIFICATES");
      break;
    }
  }
  b->SetValue("ADDRESSEE", std::string(page.t("decision_addressee_" + d->level)));
  int year = d->nominations.empty() ? 0 : d->nominations.front().year;
  b->SetValue("INTRO", trf(lang, "decision_intro", {authority, std::to_string(year), site.level_name(lang, d->level),
                                                      std::to_string(d->nominations.size())}));
  b->SetValue("CLOSING", std::string(page.t("decision_closing")));
  b->SetValue("AUTHORITY", authority);
  b->SetValue("DATE", site.date(lang, d->named_at));
  b->SetValue("CERTIFICATES_URL", "/decisions/" + url_encode(d->document_no) + "/certificates");
  auto groups = by_category(site.catalog, d->nominations, false);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& [cat, list] = groups[g];
    Dict* gd = b->AddSectionDictionary("GROUP");
    std::string name = lang == Lang::zh ? cat->name : cat->name_en;
    gd->SetValue("HEADING", lang == Lang::zh ? chinese_ordinal(g) + "、" + trf(lang, "decision_group", {name, std::to_string(list.size())})
                                             : trf(lang, "decision_group", {name, std::to_string(list.size())}));
    std::string names;
    for (const auto* n : list) {
      if (!names.empty()) names += lang == Lang::zh ? "、" : "; ";
      names += site.nominee_name(*n);
      if (lang == Lang::zh && cat->kind == "family") {
        // Families are listed with their township, as the seed's lists are.
        names += "（" + site.jurisdiction_name(lang, n->jurisdiction) + "）";
      }
    }
    gd->SetValue("NAMES", names);
  }
  return site.render(page, v);
}

namespace {

// The address of the certificate check as printed: scheme and host from the request when the Host
// header is a plain host[:port], else the path alone.
std::string verify_address(const Request& request, const std::string& code) {
  std::string path = "/verify/" + url_encode(code);
  std::string host = request.header("host");
  bool plain = !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  return plain ? (request.secure ? "https://" : "http://") + host + path : path;
}

}  // namespace

Response certificates_page(Site& site, Page& page, const std::string& document_no, const std::string& only) {
  auto d = site.store.decision(document_no);
  if (!d) return site.error_page(page, 404, "error_not_found");
  const Lang lang = page.lang;
  std::string office = site.jurisdiction_name(lang, d->office);
  std::string authority = trf(lang, "decision_authority", {office});
  std::string decision_url = "/decisions/" + url_encode(d->document_no);
  // Numbered in the decision's order (by category, as listed there), so that one certificate printed
  // alone keeps the number it has in the whole set.
  std::vector<const engine::Nomination*> ordered;
  for (const auto& [cat, list] : by_category(site.catalog, d->nominations, false)) {
    for (const auto* n : list) ordered.push_back(n);
  }
  const engine::Nomination* single = nullptr;
  if (!only.empty()) {
    for (const auto* n : ordered) if (n->id == only) single = n;
    if (!single) return site.error_page(page, 404, "error_not_found");
    // A revoked or expired naming gets no certificate; the check page says why.
    if (single->state != "named") return site.redirect(page, "/verify/" + url_encode(single->id));
  }
  std::string title = single ? std::string(page.t("certificate_title")) + " · " + site.nominee_name(*single)
                             : std::string(page.t("certificates_all")) + " · " + d->document_no;
  View v = site.view(page, "certificate.tpl", title, "notices");
  Dict* b = v.body;
  b->SetValue("DECISION_URL", decision_url);
  b->SetValue("DOCUMENT_NO", d->document_no);
  if (single) b->SetValueAndShowSection("ALL_URL", decision_url + "/certificates", "HAS_ALL");
  int shown = 0;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    const auto& n = *ordered[i];
    if (single && &n != single) continue;
    if (n.state != "named") continue;
    Dict* c = b->AddSectionDictionary("CERTIFICATE");
    c->SetValue("ID", n.id);
    c->SetValue("NAME", site.nominee_name(n));
    const auto* cat = site.catalog.category(n.category);
    std::string category = cat ? (lang == Lang::zh ? cat->name : cat->name_en) : n.category;
    c->SetValue("TEXT", trf(lang, "certificate_text", {authority, std::to_string(n.year), site.level_name(lang, n.level), category,
                                                         d->document_no}));
    c->SetValue("AUTHORITY", authority);
    c->SetValue("DATE", site.date(lang, n.named_at ? n.named_at : d->named_at));
    char number[32];
    std::snprintf(number, sizeof number, "-%03zu", i + 1);
    c->SetValue("NUMBER", d->document_no + number);
    c->SetValue("VALID_UNTIL", site.date(lang, n.valid_until));
    c->SetValue("VERIFY_URL", verify_address(page.request, n.id));
    ++shown;
  }
  if (shown == 0) b->ShowSection("EMPTY");
  return site.render(page, v);
}

Response verify_page(Site& site, Page& page, const std::string& code) {
  // A verification code printed on a certificate, decision or notice (web/documents_print.h); or,
  // for the links on a nomination's page, the id of a named nomination.
  auto v = documents::verify(site.store, code, page.now);
  const Lang lang = page.lang;
  if (v && v->code.kind != "certificate") {
    View view = site.view(page, "verify.tpl", std::string(page.t("verify_title")), "notices");
    Dict* b = view.body;
    b->SetValue("STATUS", "valid");
    b->SetValue("STATUS_TEXT", std::string(page.t(v->code.kind == "notice" ? "verify_notice_genuine" : "verify_decision_genuine")));
    Dict* d = b->AddSectionDictionary("DOCUMENT");
    d->SetValue("TITLE", v->title);
    d->SetValue("OFFICE", lang == Lang::zh ? v->office_name : site.jurisdiction_name(lang, v->office));
    d->SetValue("DATE", site.date(lang, v->at));
    d->SetValue("COUNT", std::to_string(v->count));
    if (v->code.kind == "decision") {
      d->SetValueAndShowSection("DOCUMENT_NO", v->document_no, "HAS_DOCUMENT_NO");
      d->SetValue("URL", "/decisions/" + url_encode(v->document_no));
    } else {
      d->SetValue("URL", "/notices/" + url_encode(v->document_no));
    }
    b->SetValueAndShowSection("CODE", documents::grouped_code(v->code.code), "HAS_CODE");
    b->SetValue("AUDIT_INDEX", std::to_string(v->code.audit_index));
    return site.render(page, view);
  }
  auto n = v ? site.store.nomination(v->code.nomination_id) : site.store.nomination(code);
  if (!n || n->document_no.empty()) return site.error_page(page, 404, "verify_not_found");
  View view = site.view(page, "verify.tpl", std::string(page.t("verify_title")), "notices");
  Dict* b = view.body;
  Dict* c = b->AddSectionDictionary("CERTIFICATE");
  c->SetValue("NAME", site.nominee_name(*n));
  c->SetValue("CATEGORY", site.category_name(lang, n->category));
  c->SetValue("LEVEL", site.level_name(lang, n->level));
  c->SetValue("JURISDICTION", site.jurisdiction_name(lang, n->jurisdiction));
  c->SetValue("OFFICE", site.jurisdiction_name(lang, n->office));
  c->SetValue("DOCUMENT_NO", n->document_no);
  c->SetValue("DECISION_URL", "/decisions/" + url_encode(n->document_no));
  c->SetValue("NAMED_AT", site.date(lang, n->named_at));
  c->SetValue("VALID_UNTIL", site.date(lang, n->valid_until));
  std::string status = n->state == "named" ? (page.now < n->valid_until ? "valid" : "expired") : n->state;
  if (status != "valid" && status != "expired" && status != "revoked") status = "other";
  b->SetValue("STATUS", status);
  b->SetValue("STATUS_TEXT", std::string(page.t("verify_" + status)));
  if (v) {
    b->SetValueAndShowSection("CODE", documents::grouped_code(v->code.code), "HAS_CODE");
    b->SetValue("AUDIT_INDEX", std::to_string(v->code.audit_index));
  }
  return site.render(page, view);
}

}  // namespace laurel::web
