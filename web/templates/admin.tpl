{{%AUTOESCAPE context="HTML"}}
<h1>{{T_admin_title}}</h1>
<nav class="tabs" aria-label="{{T_admin_title}}">
  <ul>{{#TAB}}<li><a href="{{URL}}" class="{{CLASS}}" aria-current="{{ARIA_CURRENT}}">{{LABEL}}</a></li>{{/TAB}}</ul>
</nav>
{{#DONE}}<div class="alert alert-ok" role="status">{{DONE_MESSAGE}}</div>{{/DONE}}
{{#REFUSAL}}
<div class="alert alert-error" role="alert">
  <p><strong>{{MESSAGE}}</strong></p>
  {{#HAS_DETAIL}}<p>{{DETAIL}}</p>{{/HAS_DETAIL}}
  <ul>{{#ERROR}}<li><code>{{FIELD}}</code> {{MESSAGE}}</li>{{/ERROR}}</ul>
</div>
{{/REFUSAL}}

{{#USERS}}
<section class="panel" aria-labelledby="users-title">
  <h2 id="users-title">{{T_admin_users}}</h2>
  <div class="table-wrap">
  <table class="data-table">
    <thead><tr><th scope="col">{{T_username}}</th><th scope="col">{{T_display_name}}</th><th scope="col">{{T_roles}}</th><th scope="col">{{T_state}}</th><th scope="col"><span class="visually-hidden">{{T_actions}}</span></th></tr></thead>
    <tbody>
    {{#USER}}
      <tr><td><code>{{USERNAME}}</code></td><td>{{DISPLAY_NAME}}</td><td class="small">{{ROLES}}</td><td><span class="user-{{STATUS_CLASS}}">{{STATUS}}</span></td>
      <td class="nowrap">{{#CAN_EDIT}}<a href="{{EDIT_URL}}" class="edit-roles">{{T_user_edit_roles}}</a> · {{/CAN_EDIT}}{{#TOGGLE}}<form method="post" action="/admin/users" class="inline-form"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="op" value="{{OP}}"><input type="hidden" name="username" value="{{USERNAME}}"><button type="submit" class="link-button">{{LABEL}}</button></form>{{/TOGGLE}}</td></tr>
    {{/USER}}
    </tbody>
  </table>
  </div>
</section>
{{#EDIT}}
<section class="panel" aria-labelledby="roles-title" id="roles">
  <h2 id="roles-title">{{T_user_roles_of}} {{DISPLAY_NAME}} <code class="small">{{USERNAME}}</code></h2>
  <ul class="grants">
    {{#GRANT}}<li><span>{{LABEL}}</span>
      <form method="post" action="/admin/users" class="inline-form revoke-form"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="op" value="revoke"><input type="hidden" name="username" value="{{USERNAME}}"><input type="hidden" name="role" value="{{ROLE}}"><input type="hidden" name="jurisdiction" value="{{JURISDICTION}}"><button type="submit" class="link-button danger">{{T_user_revoke}}</button></form></li>{{/GRANT}}
    {{#NO_GRANT}}<li class="muted">{{T_user_no_roles}}</li>{{/NO_GRANT}}
  </ul>
  <form method="post" action="/admin/users" class="form grant-form">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <input type="hidden" name="op" value="grant">
    <input type="hidden" name="username" value="{{USERNAME}}">
    <div class="field-row">
      <div class="field">
        <label for="g-role">{{T_role}}</label>
        <select id="g-role" name="role">{{#ROLE_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/ROLE_OPTION}}</select>
      </div>
      <div class="field">
        <label for="g-jurisdiction">{{T_jurisdiction}}</label>
        <select id="g-jurisdiction" name="jurisdiction">{{#JURISDICTION_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/JURISDICTION_OPTION}}</select>
      </div>
    </div>
    <p class="hint">{{T_user_grant_hint}}</p>
    <button type="submit" class="button button-primary">{{T_user_grant}}</button>
  </form>
</section>
{{/EDIT}}
{{#CREATE}}
<section class="panel" aria-labelledby="create-title">
  <h2 id="create-title">{{T_user_create}}</h2>
  <form method="post" action="/admin/users" class="form">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <input type="hidden" name="op" value="create">
    <div class="field-row">
      <div class="field">
        <label for="u-name">{{T_username}} <span class="req" aria-hidden="true">*</span></label>
        <input type="text" id="u-name" name="username" value="{{USERNAME}}" required maxlength="32" autocomplete="off">
        {{#HAS_ERR_username}}<p class="field-error">{{ERR_username}}</p>{{/HAS_ERR_username}}
      </div>
      <div class="field">
        <label for="u-display">{{T_display_name}} <span class="req" aria-hidden="true">*</span></label>
        <input type="text" id="u-display" name="display_name" value="{{DISPLAY_NAME}}" required maxlength="100">
        {{#HAS_ERR_display_name}}<p class="field-error">{{ERR_display_name}}</p>{{/HAS_ERR_display_name}}
      </div>
    </div>
    <div class="field">
      <label for="u-password">{{T_password}} <span class="req" aria-hidden="true">*</span></label>
      <input type="password" id="u-password" name="password" required minlength="12" maxlength="1024" autocomplete="new-password" aria-describedby="u-password-hint">
      <p class="hint" id="u-password-hint">{{T_password_rule}}</p>
      {{#HAS_ERR_password}}<p class="field-error">{{ERR_password}}</p>{{/HAS_ERR_password}}
    </div>
    <div class="field-row">
      <div class="field">
        <label for="u-role">{{T_role}}</label>
        <select id="u-role" name="role">{{#ROLE_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/ROLE_OPTION}}</select>
      </div>
      <div class="field">
        <label for="u-jurisdiction">{{T_jurisdiction}}</label>
        <select id="u-jurisdiction" name="jurisdiction">{{#JURISDICTION_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/JURISDICTION_OPTION}}</select>
      </div>
    </div>
    <button type="submit" class="button button-primary">{{T_user_create}}</button>
  </form>
</section>
{{/CREATE}}
{{/USERS}}

{{#QUOTAS}}
<section class="panel" aria-labelledby="quotas-title">
  <h2 id="quotas-title">{{T_admin_quotas}}</h2>
  <p class="hint">{{T_quota_none_hint}}</p>
  <div class="table-wrap">
  <table class="data-table">
    <thead><tr><th scope="col">{{T_office}}</th><th scope="col">{{T_level}}</th><th scope="col">{{T_category}}</th><th scope="col">{{T_year}}</th><th scope="col" class="num">{{T_quota_limit}}</th><th scope="col" class="num">{{T_quota_used}}</th></tr></thead>
    <tbody>
    {{#QUOTA}}<tr><td>{{OFFICE}}</td><td>{{LEVEL}}</td><td>{{CATEGORY}}</td><td>{{YEAR}}</td><td class="num">{{LIMIT}}</td><td class="num">{{USED}}</td></tr>{{/QUOTA}}
    </tbody>
  </table>
  </div>
  <h3>{{T_quota_set}}</h3>
  <form method="post" action="/admin/quotas" class="form">
    <input type="hidden" name="csrf" value="{{CSRF}}">
    <div class="field-row">
      <div class="field"><label for="q-office">{{T_office}}</label><select id="q-office" name="office">{{#OFFICE_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/OFFICE_OPTION}}</select></div>
      <div class="field"><label for="q-level">{{T_level}}</label><select id="q-level" name="level">{{#LEVEL_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/LEVEL_OPTION}}</select></div>
      <div class="field"><label for="q-category">{{T_category}}</label><select id="q-category" name="category">{{#CATEGORY_OPTION}}<option value="{{VALUE}}" {{SELECTED}}>{{LABEL}}</option>{{/CATEGORY_OPTION}}</select></div>
    </div>
    <div class="field-row">
      <div class="field field-short"><label for="q-year">{{T_year}}</label><input type="number" id="q-year" name="year" value="{{YEAR}}" min="2000" max="2100" required></div>
      <div class="field field-short"><label for="q-limit">{{T_quota_limit}}</label><input type="number" id="q-limit" name="limit" value="{{LIMIT}}" min="0" required></div>
    </div>
    <button type="submit" class="button button-primary">{{T_quota_set}}</button>
  </form>
</section>
{{/QUOTAS}}

{{#JURISDICTIONS}}
<section class="panel" aria-labelledby="tree-title">
  <h2 id="tree-title">{{T_admin_jurisdictions}}</h2>
  <ul class="tree">
    {{#NODE}}<li class="{{DEPTH_CLASS}}"><span class="tree-name">{{NAME}}</span> <code class="small">{{CODE}}</code> <span class="muted small">{{LEVEL}}</span></li>{{/NODE}}
  </ul>
</section>
{{/JURISDICTIONS}}

{{#WORKFLOWS}}
{{#DEFINITION}}
<section class="panel" aria-labelledby="wf-{{ID}}">
  <h2 id="wf-{{ID}}">{{NAME}}</h2>
  <p class="muted"><code>{{ID}}</code> · v{{VERSION}} · {{T_target_level}} {{TARGET}}</p>
  {{#DIAGRAM}}
  <figure class="diagram">
    <svg width="{{WIDTH}}" height="{{HEIGHT}}" viewBox="0 0 {{WIDTH}} {{HEIGHT}}" role="img" aria-label="{{T_state_diagram}}" class="state-diagram">
      <defs><marker id="arrow-{{ID}}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"></path></marker></defs>
      {{#EDGE}}<line x1="{{X1}}" y1="{{Y1}}" x2="{{X2}}" y2="{{Y2}}" class="{{CLASS}}" marker-end="url(#arrow-{{ID}})"><title>{{TITLE}}</title></line>{{/EDGE}}
      {{#NODE}}<g><title>{{TITLE}}</title><rect x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}" rx="6" class="{{CLASS}}"></rect><text x="{{TX}}" y="{{TY}}" class="node-label">{{LABEL}}</text>{{#NOTE}}<text x="{{NX}}" y="{{NY}}" class="node-note">{{TEXT}}</text>{{/NOTE}}</g>{{/NODE}}
    </svg>
    <figcaption>{{T_state_diagram_caption}}</figcaption>
  </figure>
  {{/DIAGRAM}}
  <details>
    <summary>{{T_workflow_states}}</summary>
    <table class="data-table compact">
      <thead><tr><th scope="col">id</th><th scope="col">{{T_state}}</th><th scope="col">{{T_office}}</th><th scope="col">{{T_terminal}}</th></tr></thead>
      <tbody>{{#STATE}}<tr><td><code>{{SID}}</code></td><td>{{NAME}}</td><td>{{OFFICE}}</td><td>{{TERMINAL}}</td></tr>{{/STATE}}</tbody>
    </table>
  </details>
  <details>
    <summary>{{T_workflow_actions}}</summary>
    <table class="data-table compact">
      <thead><tr><th scope="col">id</th><th scope="col">{{T_action}}</th><th scope="col">{{T_from}}</th><th scope="col">{{T_to}}</th><th scope="col">{{T_role}}</th><th scope="col">{{T_guards}}</th></tr></thead>
      <tbody>{{#ACTION}}<tr><td><code>{{AID}}</code></td><td>{{NAME}}</td><td class="small">{{FROM}}</td><td class="small">{{TO}}</td><td>{{ROLE}}</td><td class="small"><code>{{GUARDS}}</code></td></tr>{{/ACTION}}</tbody>
    </table>
  </details>
</section>
{{/DEFINITION}}
{{/WORKFLOWS}}
