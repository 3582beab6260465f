{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <p class="crumbs"><a href="/nominations">{{T_list_title}}</a> › <span>{{T_new_title}}</span></p>
  <h1>{{T_new_title}}</h1>
  <ol class="steps" aria-label="{{T_steps}}">
    <li>{{T_new_step_category}}</li><li>{{T_new_step_form}}</li><li>{{T_new_step_materials}}</li><li>{{T_new_step_submit}}</li>
  </ol>
</div>
{{#CHOOSE}}
<form method="get" action="/nominations/new" class="form">
  {{#KIND}}
  <fieldset class="choices">
    <legend>{{KIND_NAME}}</legend>
    {{#OPTION}}<label class="choice"><input type="radio" name="category" value="{{VALUE}}" required> {{LABEL}}</label>{{/OPTION}}
  </fieldset>
  {{/KIND}}
  <button type="submit" class="button button-primary">{{T_next}}</button>
</form>
{{/CHOOSE}}
{{#REFUSAL}}
<div class="alert alert-error" role="alert">
  <p><strong>{{MESSAGE}}</strong></p>
  {{#HAS_DETAIL}}<p>{{DETAIL}}</p>{{/HAS_DETAIL}}
  <ul>{{#ERROR}}<li><code>{{FIELD}}</code> {{MESSAGE}}</li>{{/ERROR}}</ul>
</div>
{{/REFUSAL}}
{{#FORM}}
<form method="post" action="/nominations/new" class="form">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <input type="hidden" name="category" value="{{CATEGORY}}">
  <p>{{T_category}}{{T_colon}}<strong>{{CATEGORY_NAME}}</strong> · <a href="/nominations/new">{{T_change_category}}</a></p>
  <p class="hint">{{T_required_note}}</p>
  <div class="field-row">
    <div class="field">
      <label for="n-level">{{T_target_level}} <span class="req" aria-hidden="true">*</span></label>
      <select id="n-level" name="level" required>
        {{#LEVEL_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/LEVEL_OPTION}}
      </select>
      {{#HAS_ERR_level}}<p class="field-error">{{ERR_level}}</p>{{/HAS_ERR_level}}
    </div>
    <div class="field field-short">
      <label for="n-year">{{T_year}} <span class="req" aria-hidden="true">*</span></label>
      <input type="number" id="n-year" name="year" value="{{YEAR}}" min="2000" max="2100" required>
      {{#HAS_ERR_year}}<p class="field-error">{{ERR_year}}</p>{{/HAS_ERR_year}}
    </div>
  </div>
  <div class="field">
    <label for="n-jurisdiction">{{T_nominee_jurisdiction}} <span class="req" aria-hidden="true">*</span></label>
    <select id="n-jurisdiction" name="jurisdiction" required>
      {{#JURISDICTION_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/JURISDICTION_OPTION}}
    </select>
    {{#HAS_ERR_jurisdiction}}<p class="field-error">{{ERR_jurisdiction}}</p>{{/HAS_ERR_jurisdiction}}
  </div>
  <fieldset>
    <legend>{{T_nominee}}</legend>
    {{#INPUT}}
    <div class="field">
      <label for="n-{{FID}}">{{LABEL}}{{#REQUIRED}} <span class="req" aria-hidden="true">*</span>{{/REQUIRED}}{{#PERSONAL}} <span class="mark" title="{{T_personal_data_hint}}">{{T_personal_data}}</span>{{/PERSONAL}}</label>
      {{#REQUIRED}}<input type="text" id="n-{{FID}}" name="nominee.{{FID}}" value="{{VALUE}}" maxlength="{{MAX}}" required>{{/REQUIRED}}
      {{#OPTIONAL}}<input type="text" id="n-{{FID}}" name="nominee.{{FID}}" value="{{VALUE}}" maxlength="{{MAX}}">{{/OPTIONAL}}
      {{#HAS_ERR}}<p class="field-error">{{ERR}}</p>{{/HAS_ERR}}
    </div>
    {{/INPUT}}
  </fieldset>
  <div class="field">
    <label for="n-summary">{{T_summary}}</label>
    <p class="hint" id="n-summary-hint">{{T_summary_hint}}</p>
    <textarea id="n-summary" name="summary" rows="10" maxlength="{{SUMMARY_MAX}}" aria-describedby="n-summary-hint" data-count="{{T_char_count}}">{{SUMMARY}}</textarea>
    {{#HAS_ERR_summary}}<p class="field-error">{{ERR_summary}}</p>{{/HAS_ERR_summary}}
  </div>
  <div class="panel subtle">
    <h2 class="h3">{{T_materials_later}}</h2>
    <ul class="plain">{{#MATERIAL}}<li>{{NAME}}{{#REQUIRED}} <span class="req" title="{{T_required}}">*</span>{{/REQUIRED}} <span class="muted small">{{RULE}}</span></li>{{/MATERIAL}}</ul>
  </div>
  <button type="submit" class="button button-primary">{{T_save_draft}}</button>
</form>
{{/FORM}}
