{{%AUTOESCAPE context="HTML"}}
<div class="narrow">
  <h1>{{HEADING}}</h1>
  <p class="lead">{{MESSAGE}}</p>
  {{#HAS_DETAIL}}<p class="muted">{{DETAIL}}</p>{{/HAS_DETAIL}}
  <p class="muted">{{T_error_status}} {{STATUS}}</p>
  <p>{{#SIGN_IN_LINK}}<a class="button" href="/">{{T_sign_in}}</a> {{/SIGN_IN_LINK}}<a href="/">{{T_back_home}}</a></p>
</div>
