{{%AUTOESCAPE context="HTML"}}
<p class="crumbs no-print"><a href="/nominations">{{T_list_title}}</a></p>
<h1>{{T_import_title}}</h1>
<section class="panel">
  <p>{{T_import_intro}}</p>
  <p>{{T_import_columns}}</p>
  <p class="toolbar"><a class="button" href="{{TEMPLATE_XLSX}}" download>{{T_import_template_xlsx}}</a>
     <a class="button" href="{{TEMPLATE_CSV}}" download>{{T_import_template_csv}}</a></p>
</section>
{{#RESULT}}
<div id="import-outcome" class="panel">
  {{#DONE}}<div class="alert alert-ok" role="status"><p>{{DONE_MESSAGE}}</p>
    <ul class="import-created">{{#CREATED}}<li><a href="{{URL}}">{{ID}}</a> <span class="muted">({{T_import_row}} {{ROW}})</span></li>{{/CREATED}}</ul></div>{{/DONE}}
  {{#REFUSED}}<div class="alert alert-error" role="alert"><p><strong>{{T_import_refused}}</strong>{{REASON}}</p></div>{{/REFUSED}}
  {{#PROBLEMS}}<p>{{PROBLEMS_TITLE}}</p>
  <table class="table import-problems">
    <thead><tr><th scope="col">{{T_import_row}}</th><th scope="col">{{T_import_column}}</th><th scope="col">{{T_import_problem}}</th></tr></thead>
    <tbody>{{#PROBLEM}}<tr><td>{{ROW}}</td><td>{{COLUMN}}</td><td>{{MESSAGE}}</td></tr>{{/PROBLEM}}</tbody>
  </table>{{/PROBLEMS}}
</div>
{{/RESULT}}
{{#CAN_IMPORT}}
<form id="import-form" class="form panel" method="post" enctype="multipart/form-data" action="/nominations/import" data-lang="{{LANG_CODE}}" data-done="{{T_import_done}}" data-refused="{{T_import_refused}}"
      data-row="{{T_import_row}}" data-column="{{T_import_column}}" data-problem="{{T_import_problem}}" data-rejected="{{T_import_rejected_file}}">
  <input type="hidden" name="csrf" value="{{CSRF}}">
  <input type="hidden" name="form_id" value="{{FORM_ID}}">
  <div class="field">
    <label for="import-file">{{T_import_file}}</label>
    <input id="import-file" type="file" name="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>
  </div>
  <fieldset class="field">
    <label><input type="radio" name="mode" value="all"{{#MODE_ALL}} checked{{/MODE_ALL}}> {{T_import_mode_all}}</label>
    <label><input type="radio" name="mode" value="valid"{{#MODE_VALID}} checked{{/MODE_VALID}}> {{T_import_mode_valid}}</label>
  </fieldset>
  <p><button class="button button-primary" type="submit">{{T_import_submit}}</button></p>
</form>
<div id="import-result" role="status" aria-live="polite"></div>
<script src="/static/import.js?v={{ASSET_VERSION}}" defer></script>
{{/CAN_IMPORT}}
