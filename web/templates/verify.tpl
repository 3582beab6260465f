{{%AUTOESCAPE context="HTML"}}
<div class="narrow">
  <h1>{{T_verify_title}}</h1>
  <div class="alert verify-{{STATUS}}" role="status"><strong>{{STATUS_TEXT}}</strong></div>
  <dl class="fields">
    <div><dt>{{T_nominee_name}}</dt><dd>{{NAME}}</dd></div>
    <div><dt>{{T_category}}</dt><dd>{{CATEGORY}}</dd></div>
    <div><dt>{{T_level}}</dt><dd>{{LEVEL}}</dd></div>
    <div><dt>{{T_jurisdiction}}</dt><dd>{{JURISDICTION}}</dd></div>
    <div><dt>{{T_document_no}}</dt><dd><a href="{{DECISION_URL}}">{{DOCUMENT_NO}}</a></dd></div>
    <div><dt>{{T_named_at}}</dt><dd>{{NAMED_AT}}</dd></div>
    <div><dt>{{T_valid_until}}</dt><dd>{{VALID_UNTIL}}</dd></div>
  </dl>
</div>
