{{%AUTOESCAPE context="HTML"}}
<h1>{{T_stats_title}}</h1>
{{#EXPORTS}}<p class="toolbar no-print"><a class="button" href="{{XLSX_URL}}">{{T_export_xlsx}}</a> <a class="button" href="{{CSV_URL}}">{{T_export_csv}}</a></p>{{/EXPORTS}}
<form method="get" action="/stats" class="filters">
  <div class="field">
    <label for="s-year">{{T_year}}</label>
    <select id="s-year" name="year">
      <option value="">{{T_all_years}}</option>
      {{#YEAR_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{VALUE}}</option>{{/YEAR_OPTION}}
    </select>
  </div>
  <div class="field">
    <label for="s-office">{{T_stats_office}}</label>
    <select id="s-office" name="office">
      {{#OFFICE_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/OFFICE_OPTION}}
    </select>
  </div>
  <div class="field field-button"><button type="submit" class="button">{{T_apply_filters}}</button></div>
</form>
<p class="lead">{{SCOPE}}</p>
<section class="panel" aria-labelledby="named-title">
  <h2 id="named-title">{{T_stats_named}}</h2>
  <p class="hint">{{T_stats_named_hint}}</p>
  <div class="table-wrap">
  <table class="data-table stats-table">
    <thead><tr><th scope="col">{{T_category}}</th>{{#LEVEL}}<th scope="col" class="num">{{NAME}}</th>{{/LEVEL}}<th scope="col" class="num">{{T_total}}</th></tr></thead>
    <tbody>
      {{#ROW}}<tr><th scope="row">{{CATEGORY}}</th>{{#CELL}}<td class="num">{{VALUE}}</td>{{/CELL}}<td class="num"><strong>{{TOTAL}}</strong></td></tr>{{/ROW}}
    </tbody>
    <tfoot>
      {{#KIND_ROW}}<tr><th scope="row">{{KIND}}</th>{{#CELL}}<td class="num">{{VALUE}}</td>{{/CELL}}<td class="num">{{TOTAL}}</td></tr>{{/KIND_ROW}}
      <tr class="grand"><th scope="row">{{T_total}}</th>{{#LEVEL_TOTAL}}<td class="num">{{VALUE}}</td>{{/LEVEL_TOTAL}}<td class="num">{{GRAND_TOTAL}}</td></tr>
    </tfoot>
  </table>
  </div>
  {{#CHART}}
  <figure class="chart">
    <svg width="{{WIDTH}}" height="{{HEIGHT}}" viewBox="0 0 {{WIDTH}} {{HEIGHT}}" role="img" aria-labelledby="chart-title" class="bar-chart">
      <title id="chart-title">{{T_stats_chart}}</title>
      {{#LEGEND}}<rect x="{{X}}" y="4" width="14" height="14" class="{{CLASS}}"></rect><text x="{{TX}}" y="16" class="chart-legend">{{NAME}}</text>{{/LEGEND}}
      {{#BAR_GROUP}}
      <text x="0" y="{{LABEL_Y}}" class="chart-label">{{LABEL}}</text>
      {{#BAR}}<rect x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}" class="{{CLASS}}"><title>{{TITLE}}</title></rect><text x="{{TX}}" y="{{TY}}" class="chart-value">{{VALUE}}</text>{{/BAR}}
      {{/BAR_GROUP}}
    </svg>
    <figcaption>{{T_stats_chart}}</figcaption>
  </figure>
  {{/CHART}}
  {{#NO_CHART}}<p class="empty">{{T_stats_none}}</p>{{/NO_CHART}}
</section>
<section class="panel" aria-labelledby="state-title">
  <h2 id="state-title">{{T_stats_by_state}}</h2>
  <div class="table-wrap">
  <table class="data-table stats-table">
    <thead><tr><th scope="col">{{T_state}}</th>{{#STATE_LEVEL}}<th scope="col" class="num">{{NAME}}</th>{{/STATE_LEVEL}}</tr></thead>
    <tbody>
      {{#STATE_ROW}}<tr><th scope="row"><span class="state state-{{STATE}}">{{STATE_NAME}}</span></th>{{#CELL}}<td class="num">{{VALUE}}</td>{{/CELL}}</tr>{{/STATE_ROW}}
    </tbody>
  </table>
  </div>
</section>
