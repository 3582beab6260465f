{{%AUTOESCAPE context="HTML"}}
<div class="narrow">
  <h1>{{T_verify_title}}</h1>
  <div class="alert verify-{{STATUS}}" role="status"><strong>{{STATUS_TEXT}}</strong></div>
  <dl class="fields">
    {{#CERTIFICATE}}
    <div><dt>{{T_nominee_name}}</dt><dd>{{NAME}}</dd></div>
    <div><dt>{{T_category}}</dt><dd>{{CATEGORY}}</dd></div>
    <div><dt>{{T_level}}</dt><dd>{{LEVEL}}</dd></div>
    <div><dt>{{T_jurisdiction}}</dt><dd>{{JURISDICTION}}</dd></div>
    <div><dt>{{T_verify_office}}</dt><dd>{{OFFICE}}</dd></div>
    <div><dt>{{T_document_no}}</dt><dd><a href="{{DECISION_URL}}">{{DOCUMENT_NO}}</a></dd></div>
    <div><dt>{{T_named_at}}</dt><dd>{{NAMED_AT}}</dd></div>
    <div><dt>{{T_valid_until}}</dt><dd>{{VALID_UNTIL}}</dd></div>
    {{/CERTIFICATE}}
    {{#DOCUMENT}}
    <div><dt>{{T_verify_document}}</dt><dd><a href="{{URL}}">{{TITLE}}</a></dd></div>
    {{#HAS_DOCUMENT_NO}}<div><dt>{{T_document_no}}</dt><dd>{{DOCUMENT_NO}}</dd></div>{{/HAS_DOCUMENT_NO}}
    <div><dt>{{T_verify_office}}</dt><dd>{{OFFICE}}</dd></div>
    <div><dt>{{T_verify_date}}</dt><dd>{{DATE}}</dd></div>
    <div><dt>{{T_verify_count}}</dt><dd>{{COUNT}}</dd></div>
    {{/DOCUMENT}}
    {{#HAS_CODE}}
    <div><dt>{{T_verify_code}}</dt><dd><code>{{CODE}}</code></dd></div>
    <div><dt>{{T_verify_audit_record}}</dt><dd>#{{AUDIT_INDEX}}</dd></div>
    {{/HAS_CODE}}
  </dl>
</div>
