{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{T_list_title}}</h1>
  {{#CAN_CREATE}}<p><a class="button button-primary" href="/nominations/new">{{T_nav_new}}</a></p>{{/CAN_CREATE}}
  <p class="toolbar no-print">{{#EXPORTS}}<a class="button" href="{{XLSX_URL}}">{{T_export_xlsx}}</a> <a class="button" href="{{CSV_URL}}">{{T_export_csv}}</a>{{/EXPORTS}}
     {{#CAN_CREATE}}<a class="button" href="/nominations/import">{{T_import_link}}</a>{{/CAN_CREATE}}</p>
</div>
<form method="get" action="/nominations" class="filters" role="search" aria-label="{{T_filters}}">
  <div class="field">
    <label for="f-state">{{T_state}}</label>
    <select id="f-state" name="state">
      <option value="">{{T_all}}</option>
      {{#STATE_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/STATE_OPTION}}
    </select>
  </div>
  <div class="field">
    <label for="f-category">{{T_category}}</label>
    <select id="f-category" name="category">
      <option value="">{{T_all}}</option>
      {{#CATEGORY_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/CATEGORY_OPTION}}
    </select>
  </div>
  <div class="field">
    <label for="f-level">{{T_level}}</label>
    <select id="f-level" name="level">
      <option value="">{{T_all}}</option>
      {{#LEVEL_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/LEVEL_OPTION}}
    </select>
  </div>
  <div class="field field-year">
    <label for="f-year">{{T_year}}</label>
    <input type="number" id="f-year" name="year" min="2000" max="2100" value="{{YEAR}}" inputmode="numeric">
    {{#HAS_YEAR_ERROR}}<p class="field-error">{{YEAR_ERROR}}</p>{{/HAS_YEAR_ERROR}}
  </div>
  <div class="field field-grow">
    <label for="f-q">{{T_search}}</label>
    <input type="search" id="f-q" name="q" value="{{Q}}" placeholder="{{T_search_placeholder}}">
  </div>
  <div class="field field-year">
    <label for="f-per-page">{{T_per_page}}</label>
    <select id="f-per-page" name="per_page">{{#PER_PAGE_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{VALUE}}</option>{{/PER_PAGE_OPTION}}</select>
  </div>
  {{#AT}}<input type="hidden" name="at" value="{{VALUE}}">{{/AT}}
  {{#TODO}}<input type="hidden" name="todo" value="{{VALUE}}">{{/TODO}}
  <div class="field field-button"><button type="submit" class="button">{{T_apply_filters}}</button></div>
</form>
<p class="chips">
  {{#AT}}<span class="chip">{{LABEL}} <a href="{{CLEAR_URL}}" aria-label="{{T_remove_filter}}">×</a></span>{{/AT}}
  {{#TODO}}<span class="chip">{{LABEL}} <a href="{{CLEAR_URL}}" aria-label="{{T_remove_filter}}">×</a></span>{{/TODO}}
</p>
{{#DONE}}<div class="alert alert-ok" role="status">{{DONE_MESSAGE}}</div>{{/DONE}}
{{#BATCH_REFUSAL}}
<div class="alert alert-error" role="alert">
  <p><strong>{{MESSAGE}}</strong></p>
  <ul>{{#ITEM}}<li>{{NAME}}{{T_colon}}{{MESSAGE}}{{#HAS_DETAIL}}{{T_lparen}}{{DETAIL}}{{T_rparen}}{{/HAS_DETAIL}}</li>{{/ITEM}}</ul>
</div>
{{/BATCH_REFUSAL}}
{{#EMPTY}}<p class="empty">{{T_list_empty}}</p>{{/EMPTY}}
{{#TABLE}}
<div class="table-wrap">
<table class="data-table">
  <caption class="visually-hidden">{{T_list_title}}</caption>
  <thead>
    <tr>
      {{#BATCH_HEAD}}<th scope="col" class="col-check"><span class="visually-hidden">{{T_select}}</span><input type="checkbox" data-select-all="item" aria-label="{{T_select_all}}" hidden></th>{{/BATCH_HEAD}}
      <th scope="col">{{T_nominee_name}}</th>
      <th scope="col">{{T_category}}</th>
      <th scope="col">{{T_level}}</th>
      <th scope="col">{{T_year}}</th>
      <th scope="col">{{T_jurisdiction}}</th>
      <th scope="col">{{T_office}}</th>
      <th scope="col">{{T_state}}</th>
      <th scope="col">{{T_updated}}</th>
    </tr>
  </thead>
  <tbody>
    {{#ROW}}
    <tr>
      {{#BATCH_COL}}<td class="col-check">{{#CAN_BATCH}}<input type="checkbox" name="item" value="{{ITEM}}" form="batch-form" aria-label="{{T_select}} {{NAME}}">{{/CAN_BATCH}}</td>{{/BATCH_COL}}
      <td><a href="/nominations/{{ID}}">{{NAME}}</a>{{#HAS_OBJECTION}} <span class="mark mark-warn">{{T_has_open_objection}}</span>{{/HAS_OBJECTION}}</td>
      <td>{{CATEGORY}}</td>
      <td>{{LEVEL}}</td>
      <td>{{YEAR}}</td>
      <td>{{JURISDICTION}}</td>
      <td>{{OFFICE}}</td>
      <td><span class="state state-{{STATE}}">{{STATE_NAME}}</span></td>
      <td class="nowrap">{{UPDATED}}</td>
    </tr>
    {{/ROW}}
  </tbody>
</table>
</div>
{{/TABLE}}
<nav class="paging" aria-label="{{T_paging}}">
  {{#PREV}}<a href="{{PREV_URL}}" rel="prev">‹ {{T_prev_page}}</a>{{/PREV}}
  <span>{{PAGING}}</span>
  {{#NEXT}}<a href="{{NEXT_URL}}" rel="next">{{T_next_page}} ›</a>{{/NEXT}}
</nav>
{{#BATCH}}
<section class="panel batch" aria-labelledby="batch-title">
  <h2 id="batch-title">{{T_batch_title}}{{T_colon}}{{ACTION_NAME}}</h2>
  <p class="muted">{{T_batch_intro}}</p>
  <form method="post" action="{{FORM_URL}}" id="batch-form" class="form">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <input type="hidden" name="action" value="{{ACTION}}">
    {{#APPROVE}}
    <div class="field">
      <label for="b-title">{{T_notice_title}} <span class="req" aria-hidden="true">*</span></label>
      <input type="text" id="b-title" name="notice_title" value="{{NOTICE_TITLE}}" required maxlength="200">
    </div>
    <div class="field field-short">
      <label for="b-days">{{T_publicity_days}}</label>
      <input type="number" id="b-days" name="days" value="{{DAYS}}" min="1" max="{{MAX_DAYS}}" required>
      <p class="hint">{{T_publicity_days_hint}}</p>
      {{#HAS_PREVIEW}}<p class="window-preview" data-preview>{{WINDOW_PREVIEW}}</p>{{/HAS_PREVIEW}}
    </div>
    {{/APPROVE}}
    {{#NAME_FIELDS}}
    <div class="field">
      <label for="b-docno">{{T_document_no}} <span class="req" aria-hidden="true">*</span></label>
      <input type="text" id="b-docno" name="document_no" value="{{DOCUMENT_NO}}" required maxlength="64" placeholder="{{T_document_no_example}}">
      <p class="hint">{{T_document_no_hint}}</p>
    </div>
    <div class="field">
      <label for="b-dtitle">{{T_decision_title}}</label>
      <input type="text" id="b-dtitle" name="decision_title" value="{{DECISION_TITLE}}" maxlength="200">
    </div>
    {{/NAME_FIELDS}}
    <div class="field">
      <label for="b-comment">{{T_comment}}</label>
      <textarea id="b-comment" name="comment" rows="2" maxlength="2000">{{COMMENT}}</textarea>
    </div>
    <button type="submit" class="button button-primary">{{ACTION_NAME}}</button>
  </form>
  {{#QUOTAS}}
  <h3>{{T_quota_usage}}</h3>
  {{/QUOTAS}}
  {{#HAS_QUOTA}}
  <table class="data-table compact">
    <thead><tr><th scope="col">{{T_category}}</th><th scope="col">{{T_level}}</th><th scope="col">{{T_quota_limit}}</th><th scope="col">{{T_quota_used}}</th><th scope="col">{{T_quota_left}}</th></tr></thead>
    <tbody>
      {{#QUOTA}}<tr><td>{{CATEGORY}}</td><td>{{LEVEL}}</td><td>{{LIMIT}}</td><td>{{USED}}</td><td>{{LEFT}}</td></tr>{{/QUOTA}}
    </tbody>
  </table>
  {{/HAS_QUOTA}}
  {{#QUOTAS}}<p class="hint">{{T_quota_none_hint}}</p>{{/QUOTAS}}
</section>
{{/BATCH}}
