{{%AUTOESCAPE context="HTML"}}
<h1>{{T_audit_title}}</h1>
{{#EXPORTS}}<p class="toolbar no-print"><a class="button" href="{{XLSX_URL}}">{{T_export_xlsx}}</a> <a class="button" href="{{CSV_URL}}">{{T_export_csv}}</a></p>{{/EXPORTS}}
<section class="panel checkpoint" aria-labelledby="cp-title">
  <h2 id="cp-title">{{T_checkpoint_title}}</h2>
  {{#NO_CHECKPOINT}}<p>{{T_checkpoint_none}}</p>{{/NO_CHECKPOINT}}
  {{#CHECKPOINT}}
  <p class="checkpoint-status checkpoint-{{STATUS}}" role="status"><strong>{{STATUS_TEXT}}</strong></p>
  <details>
    <summary>{{T_checkpoint_note}}</summary>
    <pre class="note">{{NOTE}}</pre>
  </details>
  {{/CHECKPOINT}}
  <p class="small">{{T_verifier_key}}{{T_colon}}<code class="break">{{VERIFIER_KEY}}</code></p>
  <p class="small">{{T_audit_export_hint}} <a href="/api/v1/audit/export">{{T_audit_export}}</a></p>
</section>
<form method="get" action="/audit" class="filters" role="search" aria-label="{{T_filters}}">
  <div class="field"><label for="a-nomination">{{T_audit_nomination}}</label><input type="text" id="a-nomination" name="nomination" value="{{NOMINATION}}"></div>
  <div class="field"><label for="a-actor">{{T_audit_actor}}</label><input type="text" id="a-actor" name="actor" value="{{ACTOR}}"></div>
  <div class="field"><label for="a-action">{{T_audit_action}}</label><input type="text" id="a-action" name="action" value="{{ACTION}}" placeholder="submit, login, …"></div>
  <div class="field">
    <label for="a-outcome">{{T_audit_outcome}}</label>
    <select id="a-outcome" name="outcome"><option value="">{{T_all}}</option>{{#OUTCOME_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/OUTCOME_OPTION}}</select>
  </div>
  <div class="field"><label for="a-since">{{T_audit_since}}</label><input type="date" id="a-since" name="since" value="{{SINCE}}"></div>
  <div class="field"><label for="a-until">{{T_audit_until}}</label><input type="date" id="a-until" name="until" value="{{UNTIL}}"></div>
  <div class="field field-button"><button type="submit" class="button">{{T_apply_filters}}</button></div>
</form>
<p class="muted">{{T_audit_log_size}} {{LOG_SIZE}}</p>
{{#EMPTY}}<p class="empty">{{T_audit_empty}}</p>{{/EMPTY}}
{{#TABLE}}
<div class="table-wrap">
<table class="data-table audit-table">
  <thead><tr><th scope="col">#</th><th scope="col">{{T_audit_time}}</th><th scope="col">{{T_audit_who}}</th><th scope="col">{{T_audit_action}}</th><th scope="col">{{T_audit_object}}</th><th scope="col">{{T_audit_outcome}}</th><th scope="col">{{T_audit_details}}</th></tr></thead>
  <tbody>
  {{#RECORD}}
    <tr class="row-{{OUTCOME}}">
      <td class="num">{{INDEX}}</td>
      <td class="nowrap">{{AT}}</td>
      <td><strong>{{USER}}</strong><br><span class="small">{{WHO_DETAIL}}</span><br><span class="small muted">{{AUTH}}</span></td>
      <td>{{ACTION_NAME}}<br><code class="small">{{ACTION}}</code></td>
      <td class="nowrap">{{#OBJECT_LINK}}<span class="small muted">{{OBJECT_TYPE}}</span><br><a href="{{OBJECT_URL}}">{{OBJECT_ID}}</a> · <a class="small" href="{{TRAIL_URL}}">{{T_audit_trail_of}}</a>{{/OBJECT_LINK}}{{#OBJECT_TEXT}}<span class="small muted">{{OBJECT_TYPE}}</span><br>{{OBJECT_ID}}{{/OBJECT_TEXT}}</td>
      <td><span class="outcome outcome-{{OUTCOME}}">{{OUTCOME_NAME}}</span></td>
      <td class="small">{{#HAS_REASON}}<p>{{REASON}}</p>{{/HAS_REASON}}{{#HAS_COMMENT}}<p class="comment">{{COMMENT}}</p>{{/HAS_COMMENT}}{{#STATE_CHANGE}}<p>{{FROM}} → {{TO}}</p>{{/STATE_CHANGE}}{{#VALUES}}<details><summary>{{T_audit_values}}</summary><p><code class="break">{{OLD}}</code> → <code class="break">{{NEW}}</code></p></details>{{/VALUES}}</td>
    </tr>
  {{/RECORD}}
  </tbody>
</table>
</div>
{{/TABLE}}
<nav class="paging" aria-label="{{T_paging}}">
  {{#PREV}}<a href="{{PREV_URL}}" rel="prev">‹ {{T_audit_earlier}}</a>{{/PREV}}
  {{#NEXT}}<a href="{{NEXT_URL}}" rel="next">{{T_audit_later}} ›</a>{{/NEXT}}
</nav>
