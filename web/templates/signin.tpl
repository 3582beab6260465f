{{%AUTOESCAPE context="HTML"}}
<div class="signin">
  <section class="signin-panel" aria-labelledby="signin-title">
    <h1 id="signin-title">{{T_sign_in_title}}</h1>
    <p class="muted">{{T_sign_in_intro}}</p>
    {{#ERROR}}<div class="alert alert-error" role="alert" id="signin-error">{{MESSAGE}}</div>{{/ERROR}}
    <form method="post" action="/login" class="form">
      <div class="field">
        <label for="username">{{T_username}}</label>
        <input type="text" id="username" name="username" value="{{USERNAME}}" autocomplete="username" required autofocus maxlength="64">
      </div>
      <div class="field">
        <label for="password">{{T_password}}</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024">
      </div>
      <button type="submit" class="button button-primary">{{T_sign_in}}</button>
    </form>
  </section>
  <section class="signin-public" aria-labelledby="public-title">
    <h2 id="public-title">{{T_public_title}}</h2>
    <p>{{T_public_intro}}</p>
    <p><a class="button" href="/notices">{{T_view_notices}}</a></p>
  </section>
</div>
