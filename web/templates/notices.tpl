{{%AUTOESCAPE context="HTML"}}
<h1>{{T_notices_title}}</h1>
<p class="lead">{{T_notices_intro}}</p>
{{#EMPTY}}<p class="empty">{{T_notices_empty}}</p>{{/EMPTY}}
{{#TABLE}}
<div class="table-wrap">
<table class="data-table">
  <thead><tr><th scope="col">{{T_notice_title}}</th><th scope="col">{{T_issuing_office}}</th><th scope="col">{{T_publicity_window}}</th><th scope="col">{{T_nominee_count}}</th><th scope="col">{{T_state}}</th></tr></thead>
  <tbody>
  {{#NOTICE}}<tr><td><a href="{{URL}}">{{TITLE}}</a></td><td>{{OFFICE}}</td><td>{{WINDOW}}</td><td class="num">{{COUNT}}</td><td><span class="state state-notice-{{STATUS}}">{{STATUS_NAME}}</span></td></tr>{{/NOTICE}}
  </tbody>
</table>
</div>
{{/TABLE}}
