{{%AUTOESCAPE context="HTML"}}
<p class="no-print toolbar"><a href="/notices">{{T_notices_title}}</a> · <span class="muted">{{T_print_hint}}</span> · <a href="{{CERTIFICATES_URL}}" class="certificates-link">{{T_certificates_all}}</a>
  · <a href="{{PDF_URL}}">{{T_print_pdf}}</a>{{#EXPORTS}} · <a href="{{XLSX_URL}}">{{T_export_xlsx}}</a> · <a href="{{CSV_URL}}">{{T_export_csv}}</a>{{/EXPORTS}}{{#CERTIFICATES}} · <a href="{{URL}}">{{T_certificates_pdf}}</a>{{/CERTIFICATES}}</p>
<article class="document decision-document">
  <div class="{{MARK_CLASS}}">{{MARK}}</div>
  <p class="doc-number">{{DOCUMENT_NO}}</p>
  <hr class="doc-rule">
  <h1 class="doc-title">{{TITLE}}</h1>
  <div class="doc-body">
    <p class="doc-addressee">{{ADDRESSEE}}</p>
    <p class="indent">{{INTRO}}</p>
    {{#GROUP}}
    <h2 class="doc-heading">{{HEADING}}</h2>
    <p class="indent doc-names">{{NAMES}}</p>
    {{/GROUP}}
    <p class="indent">{{CLOSING}}</p>
    <p class="doc-sign">{{AUTHORITY}}<br>{{DATE}}</p>
  </div>
</article>
