{{%AUTOESCAPE context="HTML"}}
<p class="no-print toolbar"><a href="{{DECISION_URL}}">{{DOCUMENT_NO}}</a> · <span class="muted">{{T_certificate_print_hint}}</span>{{#HAS_ALL}} · <a href="{{ALL_URL}}">{{T_certificates_all}}</a>{{/HAS_ALL}}</p>
{{#EMPTY}}<div class="alert no-print" role="status">{{T_certificates_none}}</div>{{/EMPTY}}
{{#CERTIFICATE}}
<article class="certificate" aria-label="{{T_certificate_title}} {{NAME}}">
  <div class="cert-frame">
    <h1 class="cert-title">{{T_certificate_title}}</h1>
    <p class="cert-name">{{NAME}}{{T_colon}}</p>
    <p class="cert-text">{{TEXT}}</p>
    <p class="cert-text">{{T_certificate_closing}}</p>
    <div class="cert-sign">
      <p>{{AUTHORITY}}</p>
      <p>{{DATE}}</p>
    </div>
    <div class="cert-foot">
      <p>{{T_certificate_number}}{{T_colon}}{{NUMBER}}</p>
      <p>{{T_valid_until}}{{T_colon}}{{VALID_UNTIL}}</p>
      {{! The place for the verification code: the check page's address now; issue #7 puts its
          verification code (and a QR code) here. }}
      <div class="cert-verify" id="verify-{{ID}}"><p>{{T_certificate_check}}{{T_colon}}<span class="cert-verify-url">{{VERIFY_URL}}</span></p></div>
    </div>
  </div>
</article>
{{/CERTIFICATE}}
