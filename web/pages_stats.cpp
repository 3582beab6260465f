// Statistics: how many were named, by level and category, for a year and an office (the seed report's
// table), with a bar chart drawn as inline SVG on the server, and the nominations in progress by state.
#include <algorithm>
#include <charconv>
#include <map>

#include "web/site.h"

namespace laurel::web {

Response stats_page(Site& site, Page& page) {
  const Lang lang = page.lang;
  View v = site.view(page, "stats.tpl", std::string(page.t("stats_title")), "stats");
  add_export_links(page, v.body, "/api/v1/exports/stats", {"year", "office"});
  Dict* b = v.body;
  std::optional<int> year;
  std::string ys = page.query.get("year");
  if (!ys.empty()) {
    int y = 0;
    auto [p, ec] = std::from_chars(ys.data(), ys.data() + ys.size(), y);
    if (ec == std::errc() && p == ys.data() + ys.size() && y >= 2000 && y <= 2100) year = y;
  }
  std::optional<std::string> office;
  if (std::string o = page.query.get("office"); !o.empty() && site.catalog.tree().find(o)) office = o;

  int this_year = static_cast<int>(std::chrono::year_month_day(site.catalog.calendar().local_date(page.now)).year());
  for (int y = this_year + 1; y >= this_year - 9; --y) {
    Dict* o = b->AddSectionDictionary("YEAR_OPTION");
    o->SetIntValue("VALUE", y);
    if (year && *year == y) o->SetValue("SELECTED", "selected");
  }
  site.jurisdiction_options(b, "OFFICE_OPTION", lang, {site.catalog.tree().root().code}, office.value_or(""));
  b->SetValue("SCOPE", trf(lang, "stats_scope", {year ? std::to_string(*year) : std::string(page.t("all_years")),
                                                 site.jurisdiction_name(lang, office.value_or(site.catalog.tree().root().code))}));

  // Levels bottom-up (county, city, province), as the seed report reads.
  std::vector<std::string> levels;
  for (auto it = site.catalog.tree().levels().rbegin(); it != site.catalog.tree().levels().rend(); ++it) {
    if (site.catalog.definition_for_level(*it)) levels.push_back(*it);
  }
  std::map<std::pair<std::string, std::string>, std::int64_t> named;  // (category, level) -> count
  for (const auto& r : site.store.stats_named(year, office)) named[{r.category, r.level}] += r.count;

  for (const auto& l : levels) b->AddSectionDictionary("LEVEL")->SetValue("NAME", site.level_name(lang, l));
  std::map<std::string, std::int64_t> level_total, kind_level_total;
  std::int64_t max_count = 0, grand = 0;
  for (const auto& c : site.catalog.categories()) {
    Dict* r = b->AddSectionDictionary("ROW");
    r->SetValue("CATEGORY", lang == Lang::zh ? c.name : c.name_en);
    std::int64_t row_total = 0;
    for (const auto& l : levels) {
      std::int64_t n = named[{c.id, l}];
      r->AddSectionDictionary("CELL")->SetIntValue("VALUE", static_cast<long>(n));
      row_total += n;
      level_total[l] += n;
      kind_level_total[c.kind + "/" + l] += n;
      max_count = std::max(max_count, n);
    }
    r->SetIntValue("TOTAL", static_cast<long>(row_total));
    grand += row_total;
  }
  for (const char* kind : {"unit", "family", "individual"}) {
    Dict* r = b->AddSectionDictionary("KIND_ROW");
    r->SetValue("KIND", std::string(page.t(std::string("kind_total_") + kind)));
    std::int64_t t = 0;
    for (const auto& l : levels) {
      std::int64_t n = kind_level_total[std::string(kind) + "/" + l];
      r->AddSectionDictionary("CELL")->SetIntValue("VALUE", static_cast<long>(n));
      t += n;
    }
    r->SetIntValue("TOTAL", static_cast<long>(t));
  }
  for (const auto& l : levels) b->AddSectionDictionary("LEVEL_TOTAL")->SetIntValue("VALUE", static_cast<long>(level_total[l]));
  b->SetIntValue("GRAND_TOTAL", static_cast<long>(grand));

  // The chart: one group of bars per category with any count, one bar per level.
  const int label_w = lang == Lang::zh ? 110 : 150, bar_area = 560, bar_h = 14, gap = 12;
  int y = 30;
  int shown = 0;
  for (const auto& c : site.catalog.categories()) {
    std::int64_t any = 0;
    for (const auto& l : levels) any += named[{c.id, l}];
    if (!any) continue;
    Dict* g = b->AddSectionDictionary("BAR_GROUP");
    g->SetValue("LABEL", lang == Lang::zh ? c.name : c.name_en);
    g->SetIntValue("LABEL_Y", y + static_cast<int>(levels.size()) * bar_h / 2 + 5);
    for (std::size_t i = 0; i < levels.size(); ++i) {
      std::int64_t n = named[{c.id, levels[i]}];
      Dict* bar = g->AddSectionDictionary("BAR");
      int w = max_count ? static_cast<int>(n * bar_area / max_count) : 0;
      if (n > 0 && w < 2) w = 2;
      bar->SetIntValue("X", label_w);
      bar->SetIntValue("Y", y + static_cast<int>(i) * bar_h);
      bar->SetIntValue("W", w);
      bar->SetIntValue("H", bar_h - 2);
      bar->SetIntValue("TX", label_w + w + 4);
      bar->SetIntValue("TY", y + static_cast<int>(i) * bar_h + bar_h - 4);
      bar->SetIntValue("VALUE", static_cast<long>(n));
      bar->SetValue("CLASS", "bar bar-" + std::to_string(i));
      bar->SetValue("TITLE", site.level_name(lang, levels[i]) + " " + std::to_string(n));
    }
    y += static_cast<int>(levels.size()) * bar_h + gap;
    ++shown;
  }
  if (shown) {
    Dict* chart = b->AddSectionDictionary("CHART");
    chart->SetIntValue("WIDTH", label_w + bar_area + 60);
    chart->SetIntValue("HEIGHT", y + 4);
    for (std::size_t i = 0; i < levels.size(); ++i) {
      Dict* l = chart->AddSectionDictionary("LEGEND");
      l->SetValue("CLASS", "bar bar-" + std::to_string(i));
      l->SetIntValue("X", label_w + static_cast<int>(i) * 120);
      l->SetIntValue("TX", label_w + static_cast<int>(i) * 120 + 18);
      l->SetValue("NAME", site.level_name(lang, levels[i]));
    }
  } else {
    b->ShowSection("NO_CHART");
  }

  // In progress: current states by level.
  std::map<std::pair<std::string, std::string>, std::int64_t> by_state;
  for (const auto& r : site.store.stats_by_state(year, office)) by_state[{r.state, r.level}] += r.count;
  for (const auto& l : levels) b->AddSectionDictionary("STATE_LEVEL")->SetValue("NAME", site.level_name(lang, l));
  for (const auto& s : site.all_states()) {
    std::int64_t any = 0;
    for (const auto& l : levels) any += by_state[{s, l}];
    if (!any) continue;
    Dict* r = b->AddSectionDictionary("STATE_ROW");
    r->SetValue("STATE", s);
    r->SetValue("STATE_NAME", site.state_name(lang, s));
    for (const auto& l : levels) r->AddSectionDictionary("CELL")->SetIntValue("VALUE", static_cast<long>(by_state[{s, l}]));
  }
  return site.render(page, v);
}

}  // namespace laurel::web
