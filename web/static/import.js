// The import page (/nominations/import), a progressive enhancement: without scripts the form posts
// itself to POST /nominations/import and the server renders the report; with them, the chosen file
// goes to POST /api/v1/imports/nominations with the session's CSRF token and the report, row by row,
// appears in place (with the rows to fix as a CSV to download). Builds the DOM with textContent only.
(function () {
  'use strict';
  var form = document.getElementById('import-form');
  if (!form) return;
  var t = form.dataset;
  var zh = t.lang === 'zh';
  var out = document.getElementById('import-result');

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function rejectedLink(file) {
    if (!file) return null;
    var bytes = atob(file.base64);
    var arr = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) arr[i] = bytes.charCodeAt(i);
    var a = el('a', t.rejected, 'button');
    a.href = URL.createObjectURL(new Blob([arr], { type: file.content_type }));
    a.download = file.name;
    return a;
  }

  function table(rows) {
    var tbl = el('table', undefined, 'table');
    var head = el('tr');
    [t.row, t.column, t.problem].forEach(function (h) { head.appendChild(el('th', h)); });
    tbl.appendChild(head);
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', r.row ? String(r.row) : '—'));
      tr.appendChild(el('td', r.column));
      tr.appendChild(el('td', zh ? r.message_zh : r.message));
      tbl.appendChild(tr);
    });
    return tbl;
  }

  function render(status, body) {
    out.textContent = '';
    var earlier = document.getElementById('import-outcome');  // a report the server rendered
    if (earlier) earlier.remove();
    var box = el('div', undefined, status === 201 ? 'alert alert-ok' : 'alert alert-error');
    if (status === 201) {
      box.appendChild(el('p', t.done.replace('{0}', body.imported).replace('{1}', body.import_id)));
    } else {
      box.appendChild(el('p', t.refused + (zh && body.detail_zh ? body.detail_zh : body.detail)));
    }
    out.appendChild(box);
    var rows = status === 201 ? body.rejected : body.rows;
    if (rows && rows.length) out.appendChild(table(rows));
    var link = rejectedLink(body.rejected_file);
    if (link) out.appendChild(el('p')).appendChild(link);
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = document.getElementById('import-file').files[0];
    if (!file) return;
    var mode = form.querySelector('input[name=mode]:checked').value;
    var csrf = document.querySelector('meta[name="csrf-token"]').content;
    out.textContent = '…';
    fetch('/api/v1/imports/nominations?mode=' + encodeURIComponent(mode) + '&filename=' + encodeURIComponent(file.name), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/octet-stream' },
      body: file
    }).then(function (r) {
      return r.json().then(function (j) { render(r.status, j); });
    }).catch(function (e) { out.textContent = String(e); });
  });
})();
