{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="{{HTML_LANG}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{CSRF}}">
<title>{{TITLE}} · {{T_product_name}}</title>
<link rel="stylesheet" href="/static/laurel.css?v={{ASSET_VERSION}}">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/laurel.js?v={{ASSET_VERSION}}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">{{T_skip_to_content}}</a>
<header class="site-header">
  <div class="site-bar">
    <a class="brand" href="/">
      <span class="brand-mark" aria-hidden="true"></span>
      <span class="brand-text"><span class="brand-name">{{T_product_name}}</span><span class="brand-sub">Laurel · {{T_product_tagline}}</span></span>
    </a>
    <div class="account">
      {{#SIGNED_IN}}
      <span class="account-user"><span class="account-name">{{DISPLAY_NAME}}</span> <span class="account-roles">{{ROLES}}</span></span>
      <form method="post" action="/logout" class="inline-form">
        <input type="hidden" name="csrf" value="{{CSRF}}">
        <button type="submit" class="link-button">{{T_sign_out}}</button>
      </form>
      {{/SIGNED_IN}}
      <a class="lang-switch" href="{{LANG_SWITCH_URL}}" lang="{{LANG_SWITCH_LANG}}">{{LANG_SWITCH_LABEL}}</a>
    </div>
  </div>
  <nav class="site-nav" aria-label="{{T_nav_label}}">
    <ul>
      {{#NAV}}<li><a href="{{URL}}" class="{{CLASS}}" aria-current="{{ARIA_CURRENT}}">{{LABEL}}</a></li>{{/NAV}}
    </ul>
  </nav>
</header>
<main id="main" tabindex="-1">
{{>PAGE}}
</main>
<footer class="site-footer">
  <p>{{T_product_name}} · Laurel</p>
  <p class="footer-note">{{T_footer_note}}</p>
</footer>
</body>
</html>
