#include "web/documents_print.h"

#include <chrono>
#include <cstdlib>
#include <map>

#include "web/i18n.h"

namespace laurel::web::documents {
namespace {

std::string office_name(const engine::Catalog& catalog, const std::string& code) {
  const auto* j = catalog.tree().find(code);
  return j ? j->name : code;
}

std::string day_zh(const engine::Catalog& catalog, engine::Time t) {
  return t > 0 ? date_text(Lang::zh, catalog.calendar().local_date(t)) : "";
}

std::string honour(const engine::Category* c) {
  if (c && c->kind == "family") return "民族团结进步示范家庭";
  if (c && c->kind == "individual") return "民族团结进步模范个人";
  return "民族团结进步示范单位";
}

// As the decision page's headings (i18n "decision_group"): 民族团结进步示范乡镇.
std::string group_heading(const engine::Category* c, const std::string& id) { return "民族团结进步示范" + (c ? c->name : id); }

std::string nominee_name(const engine::Nomination& n) {
  auto it = n.nominee.find("name");
  return it == n.nominee.end() ? n.id : it->second;
}

// The nominees grouped by category, in catalog order.
// Families are listed with their township, as the decision page and the seed's lists do.
std::vector<NomineeGroup> groups(const engine::Catalog& catalog, const std::vector<engine::Nomination>& list, bool with_place) {
  std::vector<NomineeGroup> out;
  for (const auto& c : catalog.categories()) {
    NomineeGroup g{group_heading(&c, c.id), {}};
    for (const auto& n : list) {
      if (n.category != c.id) continue;
      g.names.push_back(nominee_name(n) + (with_place && c.kind == "family" ? "（" + office_name(catalog, n.jurisdiction) + "）" : ""));
    }
    if (!g.names.empty()) out.push_back(std::move(g));
  }
  return out;
}

std::string public_url(const PrintOptions& o, const std::string& code) {
  std::string base = o.public_url;
  if (base.empty()) {
    if (const char* env = std::getenv("LAUREL_PUBLIC_URL")) base = env;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/verify/" + code;
}

std::expected<std::string, PrintError> pdf_or_error(std::expected<std::string, std::string> r) {
  if (!r) return std::unexpected(PrintError{PrintError::Kind::failed, r.error()});
  return std::move(*r);
}

}  // namespace

std::expected<std::string, PrintError> decision_pdf(storage::Store& store, const std::string& document_no, engine::Time now,
                                                    const PrintOptions& options) {
  const auto& catalog = store.catalog();
  auto d = store.decision(document_no);
  if (!d || d->nominations.empty()) return std::unexpected(PrintError{PrintError::Kind::not_found, "no decision " + document_no});
  auto code = store.verification_codes("decision", document_no, {""}, now);
  if (!code) return std::unexpected(PrintError{PrintError::Kind::failed, code.error().message});
  // The same words as the decision page (web/pages_public.cpp), from the same translations.
  const std::string office = office_name(catalog, d->office);
  const std::string level = std::string(tr(Lang::zh, "level_" + d->level));
  const std::string authority = trf(Lang::zh, "decision_authority", {office});
  const int year = d->nominations.front().year;
  OfficialDocument doc;
  doc.authority_mark = trf(Lang::zh, "decision_mark", {authority});
  doc.document_no = d->document_no;
  doc.title = d->title.empty() ? trf(Lang::zh, "default_decision_title", {std::to_string(year), level}) : d->title;
  doc.paragraphs_before.push_back(std::string(tr(Lang::zh, "decision_addressee_" + d->level)));
  doc.paragraphs_before.push_back(trf(Lang::zh, "decision_intro", {authority, std::to_string(year), level, std::to_string(d->nominations.size())}));
  doc.groups = groups(catalog, d->nominations, true);
  doc.paragraphs_after.push_back(std::string(tr(Lang::zh, "decision_closing")));
  doc.signature = authority;
  doc.date = day_zh(catalog, d->named_at);
  doc.verification_code = code->front().code;
  doc.verification_url = public_url(options, doc.verification_code);
  return pdf_or_error(official_document_pdf(doc, options.fonts));
}

std::expected<std::string, PrintError> notice_pdf(storage::Store& store, const std::string& notice_id, engine::Time now,
                                                  const PrintOptions& options) {
  const auto& catalog = store.catalog();
  auto n = store.notice(notice_id);
  if (!n) return std::unexpected(PrintError{PrintError::Kind::not_found, "no notice " + notice_id});
  std::vector<engine::Nomination> shown;
  for (const auto& x : n->nominations) if (x.state != "withdrawn" && x.state != "removed") shown.push_back(x);
  auto code = store.verification_codes("notice", notice_id, {""}, now);
  if (!code) return std::unexpected(PrintError{PrintError::Kind::failed, code.error().message});
  // The same words as the notice page (web/pages_public.cpp), from the same translations.
  const std::string office = office_name(catalog, n->office);
  const auto& cal = catalog.calendar();
  const int year = shown.empty() ? 0 : shown.front().year;
  const std::string authority = trf(Lang::zh, "notice_authority", {office});
  int working_days = 0;
  for (auto d = cal.local_date(n->starts_at); d <= cal.local_date(n->ends_at - 1); d += std::chrono::days(1)) working_days += cal.is_working_day(d);
  OfficialDocument doc;
  doc.authority_mark = authority;
  doc.title = n->title.empty() ? office + "民族团结进步示范单位和示范家庭拟命名对象公示" : n->title;
  doc.paragraphs_before.push_back(trf(Lang::zh, "notice_intro", {office, std::to_string(year), std::string(tr(Lang::zh, "level_" + n->level))}));
  doc.groups = groups(catalog, shown, false);
  std::string window = date_range_text(Lang::zh, cal.local_date(n->starts_at), cal.local_date(n->ends_at - 1));
  doc.paragraphs_after.push_back(trf(Lang::zh, "notice_window", {window, std::to_string(working_days)}));
  doc.paragraphs_after.push_back(trf(Lang::zh, "notice_how_to_object", {authority, day_zh(catalog, n->ends_at - 1)}));
  doc.signature = authority;
  doc.date = day_zh(catalog, n->starts_at);
  doc.verification_code = code->front().code;
  doc.verification_url = public_url(options, doc.verification_code);
  return pdf_or_error(official_document_pdf(doc, options.fonts));
}

std::expected<std::string, PrintError> certificates_pdf(storage::Store& store, const std::string& document_no,
                                                        const std::vector<std::string>& only, engine::Time now, const PrintOptions& options) {
  const auto& catalog = store.catalog();
  auto d = store.decision(document_no);
  if (!d) return std::unexpected(PrintError{PrintError::Kind::not_found, "no decision " + document_no});
  std::vector<const engine::Nomination*> named;
  std::vector<std::string> ids;
  for (const auto& n : d->nominations) {
    if (n.state != "named") continue;
    if (!only.empty() && std::find(only.begin(), only.end(), n.id) == only.end()) continue;
    named.push_back(&n);
    ids.push_back(n.id);
  }
  for (const auto& id : only) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      return std::unexpected(PrintError{PrintError::Kind::validation, id + " is not a named nomination of decision " + document_no});
    }
  }
  if (named.empty()) return std::unexpected(PrintError{PrintError::Kind::validation, "decision " + document_no + " has no nomination in force"});
  auto codes = store.verification_codes("certificate", document_no, ids, now);
  if (!codes) return std::unexpected(PrintError{PrintError::Kind::failed, codes.error().message});
  const std::string office = office_name(catalog, d->office);
  std::vector<Certificate> certs;
  for (std::size_t i = 0; i < named.size(); ++i) {
    const auto& n = *named[i];
    const auto* cat = catalog.category(n.category);
    Certificate c;
    c.nominee = nominee_name(n);
    c.honour = honour(cat);
    c.category = cat ? cat->name : n.category;
    c.office = office;
    c.year = std::to_string(n.year);
    c.document_no = d->document_no;
    c.date = day_zh(catalog, n.named_at);
    c.valid_until = day_zh(catalog, n.valid_until);
    c.verification_code = (*codes)[i].code;
    c.verification_url = public_url(options, c.verification_code);
    certs.push_back(std::move(c));
  }
  return pdf_or_error(documents::certificates_pdf(certs, options.fonts));
}

std::optional<Verification> verify(storage::Store& store, std::string_view typed_code, engine::Time now) {
  std::string code = normalise_code(typed_code);
  if (code.size() != 10) return std::nullopt;
  auto c = store.find_verification_code(code);
  if (!c) return std::nullopt;
  const auto& catalog = store.catalog();
  Verification v;
  v.code = *c;
  v.document_no = c->document_no;
  if (c->kind == "notice") {
    auto n = store.notice(c->document_no);
    if (!n) return std::nullopt;
    v.status = "valid";
    v.office = n->office;
    v.title = n->title;
    v.at = n->starts_at;
    for (const auto& x : n->nominations) v.count += (x.state != "withdrawn" && x.state != "removed");
  } else {
    auto d = store.decision(c->document_no);
    if (!d) return std::nullopt;
    v.office = d->office;
    v.title = d->title;
    v.at = d->named_at;
    v.count = static_cast<std::int64_t>(d->nominations.size());
    v.status = "valid";
    if (c->kind == "certificate") {
      auto n = store.nomination(c->nomination_id);
      if (!n) return std::nullopt;
      v.nominee = nominee_name(*n);
      v.category = n->category;
      const auto* cat = catalog.category(n->category);
      v.category_name = cat ? cat->name : n->category;
      v.level = n->level;
      v.at = n->named_at;
      v.valid_until = n->valid_until;
      v.status = n->state == "named" ? (now < n->valid_until ? "valid" : "expired") : n->state;
    }
  }
  v.office_name = office_name(catalog, v.office);
  return v;
}

}  // namespace laurel::web::documents
