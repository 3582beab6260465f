{{%AUTOESCAPE context="HTML"}}
<h1>{{T_home_title}}</h1>
<p class="lead">{{T_home_intro}}</p>
{{#NO_ROLES}}<div class="alert">{{T_home_no_roles}}</div>{{/NO_ROLES}}
<div class="cards">
{{#GROUP}}
<section class="card">
  <h2><span class="card-role">{{ROLE}}</span> <span class="card-place">{{JURISDICTION}}</span></h2>
  <ul class="todo-list">
    {{#ITEM}}<li><a href="{{URL}}"><span class="{{CLASS}}">{{COUNT}}</span><span class="todo-label">{{LABEL}}</span></a></li>{{/ITEM}}
  </ul>
  {{#HAS_NOTE}}<p class="muted">{{NOTE}}</p>{{/HAS_NOTE}}
  <p class="card-links">{{#LINK}}<a class="button" href="{{URL}}">{{LABEL}}</a> {{/LINK}}</p>
</section>
{{/GROUP}}
</div>
