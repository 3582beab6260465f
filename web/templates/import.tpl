{{%AUTOESCAPE context="HTML"}}
<p class="crumbs no-print"><a href="/nominations">{{T_list_title}}</a></p>
<h1>{{T_import_title}}</h1>
<section class="panel">
  <p>{{T_import_intro}}</p>
  <p>{{T_import_columns}}</p>
  <p class="toolbar"><a class="button" href="{{TEMPLATE_XLSX}}" download>{{T_import_template_xlsx}}</a>
     <a class="button" href="{{TEMPLATE_CSV}}" download>{{T_import_template_csv}}</a></p>
</section>
{{#CAN_IMPORT}}
<p id="import-noscript" class="muted">{{T_import_needs_script}}</p>
<form id="import-form" class="form panel" hidden data-lang="{{LANG_CODE}}" data-done="{{T_import_done}}" data-refused="{{T_import_refused}}"
      data-row="{{T_import_row}}" data-column="{{T_import_column}}" data-problem="{{T_import_problem}}" data-rejected="{{T_import_rejected_file}}">
  <div class="field">
    <label for="import-file">{{T_import_file}}</label>
    <input id="import-file" type="file" name="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>
  </div>
  <fieldset class="field">
    <label><input type="radio" name="mode" value="all" checked> {{T_import_mode_all}}</label>
    <label><input type="radio" name="mode" value="valid"> {{T_import_mode_valid}}</label>
  </fieldset>
  <p><button class="button button-primary" type="submit">{{T_import_submit}}</button></p>
</form>
<div id="import-result" role="status" aria-live="polite"></div>
<script src="/static/import.js?v={{ASSET_VERSION}}" defer></script>
{{/CAN_IMPORT}}
