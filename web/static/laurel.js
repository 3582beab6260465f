// Laurel's small progressive script. Every page works without it; with it: a live character count
// under long text fields, a running total on score sheets, uploads of materials straight to the API
// as soon as they are chosen (with the session's CSRF token; without the script each material's form
// posts the file), a confirmation before irreversible actions, and "select all" in batch tables. No
// inline scripts (the Content-Security-Policy forbids them), no external code.
(function () {
  'use strict';

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function codePoints(s) {
    return Array.from(s).length;
  }

  // Live character count: <textarea data-count="{n} / {max}" maxlength="...">.
  document.querySelectorAll('textarea[data-count]').forEach(function (area) {
    var out = document.createElement('p');
    out.className = 'char-count';
    out.setAttribute('aria-live', 'polite');
    area.insertAdjacentElement('afterend', out);
    var max = parseInt(area.getAttribute('maxlength') || '0', 10);
    function update() {
      var n = codePoints(area.value);
      out.textContent = area.getAttribute('data-count').replace('{n}', String(n)).replace('{max}', String(max));
      out.classList.toggle('over', max > 0 && n > max);
    }
    area.addEventListener('input', update);
    update();
  });

  // Running total of a score sheet.
  document.querySelectorAll('output[data-score-total]').forEach(function (out) {
    var form = out.closest('form');
    var inputs = form.querySelectorAll('input[data-points]');
    var pass = parseInt(out.getAttribute('data-pass') || '0', 10);
    function update() {
      var total = 0;
      inputs.forEach(function (i) {
        var v = parseInt(i.value, 10);
        if (!isNaN(v)) total += v;
      });
      out.textContent = String(total);
      out.classList.toggle('below', total < pass);
    }
    inputs.forEach(function (i) { i.addEventListener('input', update); });
    update();
  });

  // Uploads: without the script, each material's form posts one file (multipart) to the page route.
  // With it, several files may be chosen at once and each is POSTed as soon as it is chosen, as the
  // raw body, to the attachments endpoint; the form's button is then not needed.
  document.querySelectorAll('input[type="file"][data-upload-url]').forEach(function (input) {
    var status = input.parentElement.querySelector('.upload-status');
    var form = input.form;
    input.multiple = true;
    if (form) {
      form.querySelectorAll('[data-upload-submit]').forEach(function (b) { b.hidden = true; });
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        input.dispatchEvent(new Event('change'));
      });
    }
    input.addEventListener('change', function () {
      var files = Array.from(input.files || []);
      if (!files.length) return;
      input.disabled = true;
      var chain = Promise.resolve();
      files.forEach(function (file) {
        chain = chain.then(function () {
          if (status) status.textContent = input.getAttribute('data-uploading') + ' ' + file.name;
          var url = input.getAttribute('data-upload-url') + '&filename=' + encodeURIComponent(file.name);
          return fetch(url, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'X-CSRF-Token': csrfToken(), 'Content-Type': file.type || 'application/octet-stream' },
            body: file
          }).then(function (resp) {
            if (resp.ok) return;
            return resp.json().catch(function () { return {}; }).then(function (p) {
              var detail = p.detail || resp.statusText;
              if (p.errors && p.errors.length) detail += ' (' + p.errors.map(function (e) { return e.message; }).join('; ') + ')';
              throw new Error(file.name + ': ' + detail);
            });
          });
        });
      });
      chain.then(function () {
        window.location.reload();
      }, function (err) {
        input.disabled = false;
        if (status) status.textContent = input.getAttribute('data-upload-failed') + err.message;
      });
    });
  });

  // Confirmation before irreversible actions.
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
    });
  });

  // "Select all" in batch tables.
  document.querySelectorAll('input[data-select-all]').forEach(function (all) {
    var name = all.getAttribute('data-select-all');
    all.hidden = false;
    all.addEventListener('change', function () {
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (c) { c.checked = all.checked; });
    });
  });
})();
