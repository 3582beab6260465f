{{%AUTOESCAPE context="HTML"}}
<p class="crumbs no-print"><a href="/notices">{{T_notices_title}}</a> · <a href="{{PDF_URL}}">{{T_print_pdf}}</a>{{#EXPORTS}} · <a href="{{XLSX_URL}}">{{T_export_xlsx}}</a> · <a href="{{CSV_URL}}">{{T_export_csv}}</a>{{/EXPORTS}}</p>
{{#HAS_RECEIPT}}
<div class="alert alert-ok receipt" role="status">
  <p><strong>{{T_objection_received}}</strong></p>
  <p>{{T_receipt_number}}{{T_colon}}<strong class="receipt-no">{{RECEIPT}}</strong></p>
  <p class="small">{{T_receipt_keep}}</p>
</div>
{{/HAS_RECEIPT}}
<article class="document notice-document">
  <h1 class="doc-title">{{TITLE}}</h1>
  <div class="doc-body">
    <p class="indent">{{INTRO}}</p>
    {{#BRIEF}}<p class="indent">{{BRIEF_NOTE}}</p>{{/BRIEF}}
    {{#GROUP}}
    <h2 class="doc-heading">{{HEADING}}</h2>
    <table class="doc-table">
      <thead><tr><th scope="col" class="col-index">{{T_index}}</th><th scope="col">{{T_nominee_name}}</th><th scope="col" class="nowrap">{{T_jurisdiction}}</th>{{#SUMMARY_HEAD}}<th scope="col">{{T_summary_short}}</th>{{/SUMMARY_HEAD}}</tr></thead>
      <tbody>
      {{#NOMINEE}}<tr><td class="col-index">{{INDEX}}</td><td class="nowrap">{{NAME}}</td><td class="nowrap">{{JURISDICTION}}</td>{{#WITH_SUMMARY}}<td class="doc-summary">{{SUMMARY}}</td>{{/WITH_SUMMARY}}</tr>{{/NOMINEE}}
      </tbody>
    </table>
    {{/GROUP}}
    <p class="indent">{{WINDOW}}</p>
    <p class="indent">{{HOW_TO_OBJECT}}</p>
    <p class="indent online-address">{{ONLINE_ADDRESS}}</p>
    <p class="doc-sign">{{AUTHORITY}}<br>{{DATE}}</p>
  </div>
</article>
<section class="panel no-print objection-panel" aria-labelledby="object-title" id="object">
  <h2 id="object-title">{{T_objection_form_title}}</h2>
  {{#HAS_MESSAGE}}<div class="alert alert-error" role="alert">{{MESSAGE}}</div>{{/HAS_MESSAGE}}
  {{#CLOSED}}<div class="alert" role="status">{{T_objection_window_closed}}</div>{{/CLOSED}}
  {{#UPCOMING}}<div class="alert" role="status">{{T_objection_window_upcoming}}</div>{{/UPCOMING}}
  {{#OBJECT_FORM}}
  <p class="hint">{{T_objection_form_intro}}</p>
  <form method="post" action="{{ACTION_URL}}" class="form">
    <div class="field">
      <label for="o-nomination">{{T_objection_about}} <span class="req" aria-hidden="true">*</span></label>
      <select id="o-nomination" name="nomination_id" required>
        {{#OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/OPTION}}
      </select>
      {{#HAS_ERR_nomination_id}}<p class="field-error">{{ERR_nomination_id}}</p>{{/HAS_ERR_nomination_id}}
    </div>
    <div class="field">
      <label for="o-text">{{T_objection_text}} <span class="req" aria-hidden="true">*</span></label>
      <textarea id="o-text" name="text" rows="6" maxlength="2000" required data-count="{{T_char_count}}">{{TEXT}}</textarea>
      {{#HAS_ERR_text}}<p class="field-error">{{ERR_text}}</p>{{/HAS_ERR_text}}
    </div>
    <div class="field">
      <label for="o-contact">{{T_objection_contact}}</label>
      <input type="text" id="o-contact" name="contact" value="{{CONTACT}}" maxlength="200" autocomplete="off">
      <p class="hint">{{T_objection_contact_hint}}</p>
      {{#HAS_ERR_contact}}<p class="field-error">{{ERR_contact}}</p>{{/HAS_ERR_contact}}
    </div>
    <button type="submit" class="button button-primary">{{T_objection_submit}}</button>
  </form>
  {{/OBJECT_FORM}}
</section>
