{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <p class="crumbs"><a href="/nominations">{{T_list_title}}</a> › <span>{{ID}}</span></p>
  <h1>{{NAME}}</h1>
  <p class="meta"><span class="state state-{{STATE}}">{{STATE_NAME}}</span> {{CATEGORY}} · {{LEVEL}} · {{YEAR}} · {{JURISDICTION}}</p>
</div>
{{#DONE}}<div class="alert alert-ok" role="status">{{DONE_MESSAGE}}</div>{{/DONE}}
{{#UPLOAD_REFUSED}}<div class="alert alert-error" role="alert" id="upload-error"><p><strong>{{T_upload_refused}}</strong></p><p>{{UPLOAD_ERROR}}</p><p><a href="#materials-title">{{T_upload_again}}</a></p></div>{{/UPLOAD_REFUSED}}
{{#REFUSAL}}
<div class="alert alert-error" role="alert" id="refusal">
  <p><strong>{{MESSAGE}}</strong></p>
  {{#HAS_DETAIL}}<p>{{DETAIL}}</p>{{/HAS_DETAIL}}
  <ul>{{#ERROR}}<li><code>{{FIELD}}</code> {{MESSAGE}}</li>{{/ERROR}}</ul>
</div>
{{/REFUSAL}}

<section class="panel status-panel" aria-labelledby="status-title">
  <h2 id="status-title" class="visually-hidden">{{T_status}}</h2>
  <dl class="status-grid">
    <div><dt>{{T_state}}</dt><dd><span class="state state-{{STATE}}">{{STATE_NAME}}</span></dd></div>
    <div><dt>{{T_office}}</dt><dd>{{OFFICE}}</dd></div>
    <div><dt>{{T_nominating_unit}}</dt><dd>{{OWNER}}</dd></div>
    <div><dt>{{T_updated}}</dt><dd>{{UPDATED}}</dd></div>
    <div><dt>{{T_workflow}}</dt><dd>{{WORKFLOW}}</dd></div>
    <div><dt>{{T_version}}</dt><dd>{{VERSION}}</dd></div>
  </dl>
  {{#STATE_REASON}}<div class="alert alert-note"><p><strong>{{ACTION}}</strong>{{T_colon}}</p><p class="pre">{{COMMENT}}</p></div>{{/STATE_REASON}}
  <h3>{{T_next_steps}}</h3>
  {{#FINISHED}}<p>{{T_next_finished}}</p>{{/FINISHED}}
  <ul class="next-steps">
    {{#NEXT}}<li><strong>{{WHO}}</strong>{{T_colon}}{{ACTIONS}}</li>{{/NEXT}}
  </ul>
  {{#HAS_PANEL_NOTE}}<p class="alert alert-ok">{{PANEL_NOTE}}</p>{{/HAS_PANEL_NOTE}}
  {{#HAS_ACTIONS}}<p><a class="button button-primary" href="#actions">{{T_go_to_actions}}</a></p>{{/HAS_ACTIONS}}
  {{#PUBLICITY}}<p>{{T_publicity}}{{T_colon}}<a href="{{URL}}">{{TITLE}}</a>{{T_lparen}}{{WINDOW}}{{T_rparen}}</p>{{/PUBLICITY}}
  {{#NAMING}}<p>{{T_naming}}{{T_colon}}<a href="{{URL}}">{{DOCUMENT_NO}}</a>{{T_comma}}{{NAMED_AT}}{{T_semicolon}}{{T_valid_until}} {{VALID_UNTIL}} · <a href="{{VERIFY_URL}}">{{T_certificate_check}}</a>{{#CERTIFICATE}} · <a href="{{CERTIFICATE_URL}}" class="certificate-link">{{T_certificate_print}}</a>{{/CERTIFICATE}}</p>{{/NAMING}}
  {{#PARENT}}<p><a href="{{PARENT_URL}}">{{T_parent_nomination}}</a></p>{{/PARENT}}
  {{#CHILD}}<p>{{T_child_nomination}}{{T_colon}}<a href="{{URL}}">{{ID}}</a></p>{{/CHILD}}
</section>

<section class="panel" aria-labelledby="nominee-title">
  <h2 id="nominee-title">{{T_nominee}}</h2>
  <dl class="fields">
    {{#FIELD}}<div><dt>{{LABEL}}{{#PERSONAL}} <span class="mark" title="{{T_personal_data_hint}}">{{T_personal_data}}</span>{{/PERSONAL}}</dt><dd>{{VALUE}}</dd></div>{{/FIELD}}
  </dl>
  {{#PERSONAL_HIDDEN}}<p class="hint">{{T_personal_hidden}}</p>{{/PERSONAL_HIDDEN}}
  <h3>{{T_summary}} <span class="muted small">{{T_lparen}}{{SUMMARY_LENGTH}} {{T_characters}}{{T_rparen}}</span></h3>
  <div class="summary-text">{{SUMMARY}}</div>
</section>

<section class="panel" aria-labelledby="materials-title">
  <h2 id="materials-title">{{T_materials}}</h2>
  {{#CAN_ATTACH}}<p class="hint">{{UPLOAD_HINT}}</p>{{/CAN_ATTACH}}
  <table class="data-table">
    <thead><tr><th scope="col">{{T_material}}</th><th scope="col">{{T_material_count}}</th><th scope="col">{{T_files}}</th></tr></thead>
    <tbody>
    {{#MATERIAL}}
      <tr>
        <th scope="row">{{NAME}}{{#REQUIRED}} <span class="req" title="{{T_required}}">*</span>{{/REQUIRED}}{{#MISSING}} <span class="mark mark-warn">{{T_material_missing}}</span>{{/MISSING}}</th>
        <td class="small">{{RULE}}<br><span class="muted">{{TYPES}}</span></td>
        <td>
          <ul class="files">
          {{#FILE}}<li><a href="{{URL}}" download="{{FILENAME}}">{{FILENAME}}</a> <span class="muted small">{{SIZE}} · <code>{{SHORT_SHA}}</code></span>
            {{#DETACH}}<form method="post" action="/nominations/{{ID}}/act" class="inline-form">
              <input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="detach">
              <input type="hidden" name="expected_version" value="{{VERSION}}"><input type="hidden" name="sha256" value="{{SHA}}">
              <button type="submit" class="link-button danger">{{T_remove}}</button></form>{{/DETACH}}
          </li>{{/FILE}}
          </ul>
          {{#UPLOAD}}
          <form method="post" enctype="multipart/form-data" action="{{FORM_URL}}" class="upload">
            <input type="hidden" name="csrf" value="{{CSRF}}">
            <input type="hidden" name="material" value="{{MID}}">
            <label for="up-{{MID}}">{{T_upload}} {{NAME}}</label>
            <input type="file" id="up-{{MID}}" name="file" accept="{{ACCEPT}}" required data-upload-url="{{UPLOAD_URL}}" data-uploading="{{T_uploading}}" data-upload-failed="{{T_upload_failed}}">
            <button type="submit" class="button" data-upload-submit>{{T_upload_submit}}</button>
            <output class="upload-status" for="up-{{MID}}"></output>
          </form>
          {{/UPLOAD}}
        </td>
      </tr>
    {{/MATERIAL}}
    </tbody>
  </table>
</section>

{{#SCORES}}
<section class="panel" aria-labelledby="scores-title">
  <h2 id="scores-title">{{T_score_sheets}}</h2>
  <p>{{T_score_sheet_count}} {{SHEET_COUNT}} · {{T_pass_mark}} {{PASS_MARK}}{{#EVALUATED}} · {{T_mean_total}} <strong>{{MEAN}}</strong>{{T_lparen}}{{PASSED}}{{T_rparen}}{{/EVALUATED}}</p>
  {{#SHEETS_HIDDEN}}<p class="hint">{{T_sheets_hidden}}</p>{{/SHEETS_HIDDEN}}
  {{#SHEET_TABLE}}
  <div class="table-wrap">
  <table class="data-table score-sheets">
    <thead><tr><th scope="col">{{T_indicator}}</th><th scope="col" class="num">{{T_max_points}}</th>{{#PANELIST}}<th scope="col" class="num">{{NAME}}</th>{{/PANELIST}}</tr></thead>
    <tbody>
      {{#ROW}}<tr><th scope="row">{{NAME}}</th><td>{{MAX}}</td>{{#CELL}}<td class="num">{{VALUE}}</td>{{/CELL}}</tr>{{/ROW}}
    </tbody>
    <tfoot>
      <tr><th scope="row">{{T_total}}</th><td>100</td>{{#TOTAL}}<td class="num"><strong>{{VALUE}}</strong></td>{{/TOTAL}}</tr>
      <tr><th scope="row">{{T_veto}}</th><td></td>{{#VETO}}<td class="num">{{VALUE}}</td>{{/VETO}}</tr>
      <tr><th scope="row">{{T_scored_at}}</th><td></td>{{#AT}}<td class="small num">{{VALUE}}</td>{{/AT}}</tr>
    </tfoot>
  </table>
  </div>
  {{/SHEET_TABLE}}
  {{#CONFLICT}}<p class="small">{{T_conflict_declared}}{{T_colon}}{{PANELIST}}{{T_lparen}}{{AT}}{{T_rparen}}</p>{{/CONFLICT}}
</section>
{{/SCORES}}

{{#OBJECTIONS}}
<section class="panel" aria-labelledby="objections-title">
  <h2 id="objections-title">{{T_objections}}</h2>
  <ul class="objections">
  {{#OBJ}}
    <li class="objection objection-{{STATE}}">
      <p><span class="state state-objection-{{STATE}}">{{STATE_NAME}}</span> <strong>{{T_receipt}} {{ID}}</strong> <span class="muted">{{RECEIVED}}</span></p>
      <p class="pre">{{TEXT}}</p>
      {{#HAS_CONTACT}}<p class="small">{{T_objector_contact}}{{T_colon}}{{CONTACT}}</p>{{/HAS_CONTACT}}
      {{#HAS_FINDING}}<p class="small">{{T_finding}}{{T_colon}}{{FINDING}}</p>{{/HAS_FINDING}}
    </li>
  {{/OBJ}}
  </ul>
</section>
{{/OBJECTIONS}}

{{#EDIT}}
<section class="panel" aria-labelledby="edit-title" id="edit">
  <h2 id="edit-title">{{T_edit_nomination}}</h2>
  <form method="post" action="/nominations/{{ID}}/act" class="form">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <input type="hidden" name="action" value="edit">
    <input type="hidden" name="expected_version" value="{{VERSION}}">
    {{#INPUT}}
    <div class="field">
      <label for="e-{{FID}}">{{LABEL}}{{#REQUIRED}} <span class="req" aria-hidden="true">*</span>{{/REQUIRED}}{{#PERSONAL}} <span class="mark">{{T_personal_data}}</span>{{/PERSONAL}}</label>
      {{#REQUIRED}}<input type="text" id="e-{{FID}}" name="nominee.{{FID}}" value="{{VALUE}}" maxlength="{{MAX}}" required>{{/REQUIRED}}
      {{#OPTIONAL}}<input type="text" id="e-{{FID}}" name="nominee.{{FID}}" value="{{VALUE}}" maxlength="{{MAX}}">{{/OPTIONAL}}
      {{#HAS_ERR}}<p class="field-error">{{ERR}}</p>{{/HAS_ERR}}
    </div>
    {{/INPUT}}
    <div class="field">
      <label for="e-summary">{{T_summary}}</label>
      <textarea id="e-summary" name="summary" rows="8" maxlength="{{SUMMARY_MAX}}" data-count="{{T_char_count}}">{{SUMMARY}}</textarea>
      {{#HAS_ERR_summary}}<p class="field-error">{{ERR_summary}}</p>{{/HAS_ERR_summary}}
    </div>
    <button type="submit" class="button">{{T_save}}</button>
  </form>
</section>
{{/EDIT}}

{{#HAS_ACTIONS}}
<section class="panel actions" aria-labelledby="actions-title" id="actions">
  <h2 id="actions-title">{{T_actions}}</h2>
  <div class="action-grid">
  {{#ACTION}}
  <form method="post" action="/nominations/{{ID}}/act" class="form action-form {{WIDTH}}" id="act-{{ACTION}}"{{#HAS_CONFIRM}} data-confirm="{{CONFIRM}}"{{/HAS_CONFIRM}}>
    <h3>{{ACTION_NAME}}</h3>
    {{#HAS_HELP}}<p class="hint">{{HELP}}</p>{{/HAS_HELP}}
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <input type="hidden" name="action" value="{{ACTION}}">
    <input type="hidden" name="expected_version" value="{{VERSION}}">
    {{#SCORE}}
    <table class="data-table score-form">
      <thead><tr><th scope="col">{{T_indicator}}</th><th scope="col" class="num">{{T_max_points}}</th><th scope="col">{{T_points}}</th></tr></thead>
      <tbody>
      {{#IND}}
        <tr>
          <th scope="row"><label for="pt-{{IID}}">{{NAME}}</label></th>
          <td class="num">{{MAX}}</td>
          <td><input type="number" id="pt-{{IID}}" name="points.{{IID}}" value="{{VALUE}}" min="0" max="{{MAX}}" step="1" required inputmode="numeric" data-points>
          {{#HAS_ERR}}<p class="field-error">{{ERR}}</p>{{/HAS_ERR}}</td>
        </tr>
      {{/IND}}
      </tbody>
      <tfoot><tr><th scope="row">{{T_total}}</th><td class="num">{{MAX_TOTAL}}</td><td class="num"><output data-score-total data-pass="{{PASS_MARK}}">{{TOTAL}}</output></td></tr></tfoot>
    </table>
    <fieldset class="veto">
      <legend>{{T_veto_items}}</legend>
      <p class="hint">{{T_veto_hint}}</p>
      {{#VETO_ITEM}}<label class="check"><input type="checkbox" name="veto_item" value="{{IID}}" {{#CHECKED}}checked{{/CHECKED}}> {{NAME}}</label>{{/VETO_ITEM}}
      <label for="veto-reason-{{ACTION}}">{{T_veto_reason}}</label>
      <textarea id="veto-reason-{{ACTION}}" name="veto_reason" rows="2" maxlength="2000">{{VETO_REASON}}</textarea>
      {{#HAS_ERR_data_veto_reason}}<p class="field-error">{{ERR_data_veto_reason}}</p>{{/HAS_ERR_data_veto_reason}}
    </fieldset>
    {{/SCORE}}
    {{#APPROVE}}
    <div class="field">
      <label for="a-title">{{T_notice_title}}</label>
      <input type="text" id="a-title" name="notice_title" value="{{NOTICE_TITLE}}" maxlength="200">
    </div>
    <div class="field field-short">
      <label for="a-days">{{T_publicity_days}}</label>
      <input type="number" id="a-days" name="days" value="{{DAYS}}" min="1" max="{{MAX_DAYS}}">
      <p class="hint">{{T_publicity_days_hint}}</p>
      {{#HAS_PREVIEW}}<p class="window-preview" data-preview>{{WINDOW_PREVIEW}}</p>{{/HAS_PREVIEW}}
      {{#HAS_ERR_data_days}}<p class="field-error">{{ERR_data_days}}</p>{{/HAS_ERR_data_days}}
    </div>
    {{/APPROVE}}
    {{#NAME_FIELDS}}
    <div class="field">
      <label for="n-docno">{{T_document_no}} <span class="req" aria-hidden="true">*</span></label>
      <input type="text" id="n-docno" name="document_no" value="{{DOCUMENT_NO}}" maxlength="64" required placeholder="{{T_document_no_example}}">
      <p class="hint">{{T_document_no_hint}}</p>
      {{#HAS_ERR_data_document_no}}<p class="field-error">{{ERR_data_document_no}}</p>{{/HAS_ERR_data_document_no}}
    </div>
    <div class="field">
      <label for="n-title">{{T_decision_title}}</label>
      <input type="text" id="n-title" name="decision_title" value="{{DECISION_TITLE}}" maxlength="200">
    </div>
    {{/NAME_FIELDS}}
    {{#OBJECTION}}
    <div class="field">
      <label for="o-{{ACTION}}">{{T_objection}} <span class="req" aria-hidden="true">*</span></label>
      <select id="o-{{ACTION}}" name="objection_id" required>
        {{#OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/OPTION}}
      </select>
      {{#HAS_ERR_data_objection_id}}<p class="field-error">{{ERR_data_objection_id}}</p>{{/HAS_ERR_data_objection_id}}
    </div>
    <div class="field">
      <label for="f-{{ACTION}}">{{T_finding}} <span class="req" aria-hidden="true">*</span></label>
      <textarea id="f-{{ACTION}}" name="finding" rows="3" maxlength="2000" required>{{FINDING}}</textarea>
      {{#HAS_ERR_data_finding}}<p class="field-error">{{ERR_data_finding}}</p>{{/HAS_ERR_data_finding}}
    </div>
    {{/OBJECTION}}
    {{#REASON}}
    <div class="field">
      <label for="r-{{ACTION}}">{{T_reason}} <span class="req" aria-hidden="true">*</span></label>
      <textarea id="r-{{ACTION}}" name="reason" rows="3" maxlength="2000" required>{{REASON}}</textarea>
      {{#HAS_ERR_data_reason}}<p class="field-error">{{ERR_data_reason}}</p>{{/HAS_ERR_data_reason}}
    </div>
    {{/REASON}}
    <div class="field">
      <label for="c-{{ACTION}}">{{T_comment}}{{#COMMENT_REQUIRED}} <span class="req" aria-hidden="true">*</span>{{/COMMENT_REQUIRED}}</label>
      {{#COMMENT_REQUIRED}}<textarea id="c-{{ACTION}}" name="comment" rows="3" maxlength="2000" required>{{COMMENT}}</textarea>{{/COMMENT_REQUIRED}}
      {{#COMMENT_OPTIONAL}}<textarea id="c-{{ACTION}}" name="comment" rows="2" maxlength="2000">{{COMMENT}}</textarea>{{/COMMENT_OPTIONAL}}
      {{#HAS_ERR_comment}}<p class="field-error">{{ERR_comment}}</p>{{/HAS_ERR_comment}}
    </div>
    <button type="submit" class="button {{KIND}}">{{ACTION_NAME}}</button>
  </form>
  {{/ACTION}}
  </div>
</section>
{{/HAS_ACTIONS}}

{{#TIMELINE}}
<section class="panel" aria-labelledby="timeline-title">
  <h2 id="timeline-title">{{T_timeline}}</h2>
  <ol class="timeline">
  {{#EVENT}}
    <li class="event-{{OUTCOME}}">
      <p class="timeline-head"><span class="nowrap muted">{{AT}}</span> <strong>{{ACTION}}</strong> <span class="outcome outcome-{{OUTCOME}}">{{OUTCOME_NAME}}</span>{{#HAS_REASON}} <span class="small">{{REASON}}</span>{{/HAS_REASON}}</p>
      <p class="small">{{WHO}}{{#HAS_ROLE}}{{T_lparen}}{{ROLE}}{{T_rparen}}{{/HAS_ROLE}}{{#CHANGE}} · {{FROM}} → {{TO}}{{/CHANGE}} · #{{INDEX}}</p>
      {{#HAS_COMMENT}}<p class="comment">{{COMMENT}}</p>{{/HAS_COMMENT}}
    </li>
  {{/EVENT}}
  </ol>
</section>
{{/TIMELINE}}
