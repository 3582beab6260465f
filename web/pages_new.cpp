// The new-nomination form of a nominating unit: first the category, then the level, year, the
// nominee's jurisdiction (inside the unit's subtree), the category's nominee fields and the 事迹
// summary. Saving creates a draft; the nomination's page then takes the materials and the submission.
#include <algorithm>
#include <charconv>

#include "web/site.h"

namespace laurel::web {

namespace {

int current_year(const Site& site, engine::Time now) {
  std::chrono::year_month_day ymd(site.catalog.calendar().local_date(now));
  return static_cast<int>(ymd.year());
}

}  // namespace

Response new_nomination_page(Site& site, Page& page, int status, const engine::Rejection* refusal) {
  if (!page.has_role("nominator")) return site.error_page(page, 403, "error_need_nominator");
  const Lang lang = page.lang;
  bool posted = page.request.method == "POST";
  std::string category = posted ? page.form.get("category") : page.query.get("category");
  const engine::Category* cat = site.catalog.category(category);
  View v = site.view(page, "nomination_new.tpl", std::string(page.t("new_title")), "new");
  Dict* b = v.body;
  if (!cat) {
    Dict* choose = b->AddSectionDictionary("CHOOSE");
    for (const char* kind : {"unit", "family", "individual"}) {
      Dict* g = nullptr;
      for (const auto& c : site.catalog.categories()) {
        if (c.kind != kind) continue;
        if (!g) {
          g = choose->AddSectionDictionary("KIND");
          g->SetValue("KIND_NAME", std::string(page.t(std::string("kind_") + kind)));
        }
        Dict* o = g->AddSectionDictionary("OPTION");
        o->SetValue("VALUE", c.id);
        o->SetValue("LABEL", lang == Lang::zh ? c.name : c.name_en);
      }
    }
    return site.render(page, v, status);
  }

  FieldErrors errors;
  if (refusal) site.describe_rejection(page, *refusal, b, &errors);
  Dict* f = b->AddSectionDictionary("FORM");
  f->SetValue("CATEGORY", cat->id);
  f->SetValue("CATEGORY_NAME", lang == Lang::zh ? cat->name : cat->name_en);
  std::string level = posted ? page.form.get("level") : cat->levels.empty() ? "" : cat->levels.front();
  for (const auto& l : cat->levels) {
    if (!site.catalog.definition_for_level(l)) continue;
    Dict* o = f->AddSectionDictionary("LEVEL_OPTION");
    o->SetValue("VALUE", l);
    o->SetValue("LABEL", site.level_name(lang, l));
    if (l == level) o->SetValue("SELECTED", "selected");
  }
  set_field_error(f, errors, "level");
  f->SetValue("YEAR", posted ? page.form.get("year") : std::to_string(current_year(site, page.now)));
  set_field_error(f, errors, "year");

  // The nominee's jurisdiction: inside the unit's subtree, at or below the level where nominations start.
  std::string start_level;
  if (const auto* def = site.catalog.definition_for_level(level.empty() ? cat->levels.front() : level)) {
    if (def->initial >= 0 && def->state(def->initial).office) start_level = *def->state(def->initial).office;
  }
  std::string selected = posted ? page.form.get("jurisdiction") : "";
  const auto& tree = site.catalog.tree();
  for (const auto& code : page.jurisdictions("nominator")) {
    for (const auto& [j, depth] : site.subtree(code)) {
      if (!start_level.empty() && !tree.ancestor_at(j->code, start_level)) continue;
      Dict* o = f->AddSectionDictionary("JURISDICTION_OPTION");
      o->SetValue("VALUE", j->code);
      std::string indent;
      for (int i = 0; i < depth; ++i) indent += "\u3000";
      o->SetValue("LABEL", indent + (lang == Lang::zh ? j->name : j->name_en));
      if (j->code == selected) o->SetValue("SELECTED", "selected");
    }
  }
  set_field_error(f, errors, "jurisdiction");

  for (const auto& field : cat->nominee_fields) {
    Dict* d = f->AddSectionDictionary("INPUT");
    d->SetValue("FID", field.id);
    d->SetValue("LABEL", lang == Lang::zh ? field.name : field.name_en);
    d->SetIntValue("MAX", field.max_length);
    d->SetValue("VALUE", posted ? page.form.get("nominee." + field.id) : "");
    d->ShowSection(field.required ? "REQUIRED" : "OPTIONAL");
    if (field.personal) d->ShowSection("PERSONAL");
    set_item_error(d, errors, "nominee." + field.id);
  }
  f->SetValue("SUMMARY", posted ? page.form.get("summary") : "");
  f->SetIntValue("SUMMARY_MAX", cat->summary_max_length);
  set_field_error(f, errors, "summary");
  for (const auto& m : cat->materials) {
    Dict* d = f->AddSectionDictionary("MATERIAL");
    d->SetValue("NAME", lang == Lang::zh ? m.name : m.name_en);
    if (m.required) d->ShowSection("REQUIRED");
    d->SetValue("RULE", m.min == m.max ? trf(lang, "material_rule_exact", {std::to_string(m.min)})
                                       : trf(lang, "material_rule", {std::to_string(m.min), std::to_string(m.max)}));
  }
  return site.render(page, v, status);
}

Response new_nomination_page(Site& site, Page& page) { return new_nomination_page(site, page, 200, nullptr); }

Response create_nomination(Site& site, Page& page) {
  if (!page.has_role("nominator")) return site.error_page(page, 403, "error_need_nominator");
  const auto& f = page.form;
  engine::Command cmd;
  cmd.action = "create";
  cmd.category = f.get("category");
  cmd.level = f.get("level");
  cmd.jurisdiction = f.get("jurisdiction");
  std::string year = f.get("year");
  int y = 0;
  auto [p, ec] = std::from_chars(year.data(), year.data() + year.size(), y);
  cmd.year = ec == std::errc() && p == year.data() + year.size() ? y : 0;
  std::map<std::string, std::string> nominee;
  if (const auto* cat = site.catalog.category(cmd.category)) {
    for (const auto& field : cat->nominee_fields) {
      std::string v = f.get("nominee." + field.id);
      if (!v.empty()) nominee[field.id] = v;
    }
  }
  cmd.nominee = nominee;
  cmd.summary = form_text(f.get("summary"));
  storage::CommandRequest req;
  req.caller = page.caller();
  req.command = cmd;
  req.now = page.now;
  auto result = site.store.execute(std::move(req));
  using S = storage::CommandResult::Status;
  if (result.status == S::accepted) return site.redirect(page, "/nominations/" + url_encode(result.nomination->id) + "?done=create");
  if (result.status == S::rejected) return new_nomination_page(site, page, engine::http_status(result.rejection->code), &*result.rejection);
  return site.error_page(page, 503, "error_unavailable", result.error);
}

}  // namespace laurel::web
