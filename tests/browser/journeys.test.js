// Laurel's pages in a real browser: Debian's chromium driven by playwright-core against the real
// `laurel serve` on a real socket with a real SQLite file (filled by `laurel demo`).
//
// The journeys of issue #6, in order, each building on the one before:
//   - a county family nomination from the nominating unit's form (with its materials) through submit,
//     review, three panelists scoring, closing the evaluation, batch approval into one publicity notice,
//   - a material uploaded with JavaScript switched off, through the materials form,
//   - a public objection with a receipt (no account), dismissed by the reviewer with a finding,
//   - the window closing (the server's --dev-clock moved forward), the notice saying so,
//   - batch naming in one decision, the printed naming decision and certificates (page.pdf, A4),
//   - a denied attempt, and the auditor finding it in the decision trail,
//   - the English switch remembered, hostile input rendered harmless, keyboard focus visible,
//   - the administrator granting and revoking a role,
// and on every page: no request to any other host, the security headers, no inline script, no
// script error, HTML + CSS + script under 100 KB. Screenshots of the main pages go to LAUREL_SHOTS
// (default build/browser-screenshots).
//
// Run: LAUREL=build/release/web/laurel node --test tests/browser/ (ctest does this: browser_journeys).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const LAUREL = process.env.LAUREL || path.resolve(__dirname, '../../build/release/web/laurel');
const CHROMIUM = process.env.LAUREL_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.LAUREL_SHOTS || path.resolve(__dirname, '../../build/browser-screenshots');
const PASSWORD = 'laurel-demo-browser-2018';
const ADMIN_PASSWORD = 'laurel-root-browser-2018';
const MAX_PAGE_BYTES = 100 * 1024;

let tmp, server, base, browser;
const problems = [];        // anything seen on any page that must not happen (external requests, script errors)
const weights = [];         // [path, bytes] of every page checked
const state = {};           // what one journey hands the next

// ---- the server -----------------------------------------------------------------------------------

function startServer() {
  return new Promise((resolve, reject) => {
    const db = path.join(tmp, 'laurel.db');
    const p = spawn(LAUREL, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--dev-clock'], {
      env: { ...process.env, LAUREL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error('laurel serve did not print its address in 60 s: ' + err)), 60000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)/m);
      if (m) {
        clearTimeout(timer);
        resolve({ process: p, url: m[1], stderr: () => err });
      }
    });
    p.stderr.on('data', (d) => { err = (err + d).slice(-20000); });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`laurel serve exited with ${code}: ${err}`)); });
  });
}

// The server goes with this process, however it ends (ctest's timeout sends SIGTERM).
process.on('exit', () => { if (server) server.process.kill('SIGKILL'); });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(1));

before(async () => {
  assert.ok(fs.existsSync(LAUREL), `the laurel executable is missing: ${LAUREL} (build it, or set LAUREL)`);
  assert.ok(fs.existsSync(CHROMIUM), `Debian's chromium is missing: ${CHROMIUM} (deploy/install-deps.sh installs it)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'laurel-browser-'));
  const t0 = Date.now();
  execFileSync(LAUREL, ['demo', '--db', path.join(tmp, 'laurel.db')], {
    env: { ...process.env, LAUREL_ADMIN_PASSWORD: ADMIN_PASSWORD, LAUREL_DEMO_PASSWORD: PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 240000,
  });
  console.log(`# laurel demo: ${Date.now() - t0} ms`);
  server = await startServer();
  base = server.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Playwright gives every launch a fresh, empty profile (--user-data-dir) of its own.
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    server.process.removeAllListeners('exit');
    server.process.kill('SIGTERM');
    await new Promise((r) => { server.process.once('exit', r); setTimeout(r, 5000); });
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (weights.length) {
    const top = [...weights].sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log('# heaviest pages (HTML + CSS + script): ' + top.map(([p, n]) => `${p} ${(n / 1024).toFixed(1)} KB`).join(', '));
  }
});

// ---- helpers --------------------------------------------------------------------------------------

// A browser context for one person, watched: every request must go to the server itself, no
// script error or CSP violation may appear, and alert() must never run (hostile input).
async function person(label, { lang, javaScript = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', javaScriptEnabled: javaScript });
  if (lang) await context.addCookies([{ name: 'laurel_lang', value: lang, url: base }]);
  const host = new URL(base).host;
  context.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.host !== host) problems.push(`${label}: request to another host: ${r.url()}`);
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The browser reports a page answered with an error status; expected where the test asks for one.
    const status = m.text().match(/^Failed to load resource: the server responded with a status of (\d+)/);
    if (status && page.expectedStatus === Number(status[1])) return;
    problems.push(`${label}: console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label}: script error on ${page.url()}: ${e.message}`));
  page.on('dialog', async (d) => {
    if (d.type() === 'confirm') return d.accept();   // the confirmation before irreversible actions
    problems.push(`${label}: a ${d.type()} dialog ran on ${page.url()}: ${d.message()}`);
    return d.dismiss();
  });
  return { context, page, label };
}

async function signIn(label, username, opts) {
  const p = await person(label, opts);
  await p.page.goto(base + '/');
  await p.page.fill('#username', username);
  await p.page.fill('#password', PASSWORD);
  await Promise.all([p.page.waitForURL(base + '/'), p.page.click('.signin-panel button[type=submit]')]);
  await expectNoError(p.page);
  return p;
}

async function expectNoError(page) {
  const refusal = await page.locator('.alert-error').allInnerTexts();
  assert.deepEqual(refusal, [], `an error is shown on ${page.url()}`);
}

// Checks what every page must be: headers, no inline script or handler, weight. Returns the response.
async function visit(page, urlPath, { shot, isPrivate = true, status = 200 } = {}) {
  page.expectedStatus = status;
  const resp = await page.goto(base + urlPath);
  await checkPage(page, resp, { shot, isPrivate, status });
  return resp;
}

const assetBytes = {};
async function assetSize(page, src) {
  if (!(src in assetBytes)) {
    const r = await page.request.get(new URL(src, base).href);
    assert.equal(r.status(), 200, `${src} is served`);
    assetBytes[src] = (await r.body()).length;
  }
  return assetBytes[src];
}

async function checkPage(page, resp, { shot, isPrivate = true, status = 200 } = {}) {
  const where = new URL(page.url()).pathname;
  assert.equal(resp.status(), status, `status of ${page.url()}`);
  const h = resp.headers();
  const csp = h['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/, `CSP on ${where}`);
  assert.match(csp, /frame-ancestors 'none'/, `frame-ancestors on ${where}`);
  assert.doesNotMatch(csp, /unsafe-inline/, `CSP without unsafe-inline on ${where}`);
  assert.ok(h['referrer-policy'], `Referrer-Policy on ${where}`);
  assert.equal(h['x-content-type-options'], 'nosniff', `nosniff on ${where}`);
  if (isPrivate) assert.match(h['cache-control'] || '', /no-store/, `private page ${where} is not cached`);
  const dom = await page.evaluate(() => ({
    inlineScripts: [...document.scripts].filter((s) => !s.src).length,
    handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
    scripts: [...document.scripts].map((s) => s.getAttribute('src')),
    styles: [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.getAttribute('href')),
    styleAttrs: document.querySelectorAll('[style]').length,
    lang: document.documentElement.lang,
    unlabelled: [...document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea')]
      .filter((i) => !(i.labels && i.labels.length) && !i.getAttribute('aria-label') && !i.getAttribute('aria-labelledby'))
      .map((i) => i.name || i.id),
  }));
  assert.equal(dom.inlineScripts, 0, `no inline script on ${where}`);
  assert.deepEqual(dom.handlers, [], `no inline event handler on ${where}`);
  assert.deepEqual(dom.unlabelled, [], `every field on ${where} has a label`);
  let bytes = (await resp.body()).length;
  for (const s of [...dom.scripts, ...dom.styles]) bytes += await assetSize(page, s);
  weights.push([where, bytes]);
  assert.ok(bytes < MAX_PAGE_BYTES, `${where}: HTML + CSS + script = ${bytes} bytes, over 100 KB`);
  if (shot) await page.screenshot({ path: path.join(SHOTS, shot + '.png'), fullPage: true });
}

// Submits a form (the form, or an element inside it, by selector) and waits for the page that
// follows. Returns the status of the POST itself (303 when it was accepted and redirected).
async function submit(page, formSelector, { shot, status } = {}) {
  const form = page.locator(formSelector);
  page.expectedStatus = status;
  const [shown] = await Promise.all([
    page.waitForNavigation(),
    form.locator('button[type=submit]').last().click(),
  ]);
  const post = shown.request().redirectedFrom();
  const postStatus = post ? (await post.response()).status() : shown.status();
  await checkPage(page, shown, { shot, status: status ?? shown.status() });
  return postStatus;
}

// A screenshot of the window only (for the README), with `selector` scrolled to the top.
async function viewShot(page, name, selector) {
  if (selector) await page.locator(selector).first().evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(SHOTS, name + '.png') });
}

async function pdfPages(page, file) {
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  fs.writeFileSync(path.join(SHOTS, file), pdf);
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
  assert.ok(pages > 0, `${file} has pages`);
  return pages;
}

// The API, for what the pages do not do by design: moving the development clock (administrators).
async function api(method, urlPath, body, session) {
  const headers = { 'content-type': 'application/json' };
  if (session) Object.assign(headers, { cookie: session.cookie, 'x-csrf-token': session.csrf });
  const r = await fetch(base + urlPath, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text ? JSON.parse(text) : null };
}

async function apiSession(username, password) {
  const r = await api('POST', '/api/v1/session', { username, password });
  assert.equal(r.status, 200, `API sign-in of ${username}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return { cookie, csrf: r.json.csrf_token };
}

function pdfBytes(label) {
  return Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}
function jpegBytes(label) {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF browser test ' + label)]);
}

async function upload(page, material, files) {
  const input = page.locator(`#up-${material}`);
  await Promise.all([page.waitForEvent('load'), input.setInputFiles(files)]);
}

async function act(page, action, fields = {}, opts = {}) {
  const form = `#act-${action}`;
  for (const [name, value] of Object.entries(fields)) {
    const el = page.locator(`${form} [name="${name}"]`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(String(value));
  }
  const resp = await submit(page, form, opts);
  assert.equal(resp, 303, `${action} accepted (${await page.locator('.alert-error').allInnerTexts()})`);
  await expectNoError(page);
}

async function stateOf(page) {
  return page.locator('.status-grid .state').first().getAttribute('class');
}

// ---- the journeys ---------------------------------------------------------------------------------

test('sign-in page: Chinese by default, a wrong password explained; keyboard focus visible', async () => {
  const p = await person('visitor');
  await visit(p.page, '/', { shot: 'signin' });
  assert.equal(await p.page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await p.page.locator('h1').innerText(), /登录/);
  // A wrong password: an error in Chinese above the form, the username kept.
  await p.page.fill('#username', 'gz_unit');
  await p.page.fill('#password', 'not the password at all');
  await submit(p.page, '.signin-panel form', { status: 401 });
  assert.match(await p.page.locator('#signin-error').innerText(), /用户名或密码/);
  assert.equal(await p.page.inputValue('#username'), 'gz_unit');

  // Keyboard: the first Tab reaches the skip link, the next ones the navigation, each visibly.
  await visit(p.page, '/notices', { isPrivate: false });
  for (let i = 0; i < 4; ++i) {
    await p.page.keyboard.press('Tab');
    const focus = await p.page.evaluate(() => {
      const e = document.activeElement;
      const s = getComputedStyle(e);
      return { tag: e.tagName, cls: e.className, text: e.textContent.trim().slice(0, 20), style: s.outlineStyle,
        width: parseFloat(s.outlineWidth), visible: e.matches(':focus-visible') };
    });
    assert.ok(focus.visible && focus.style !== 'none' && focus.width >= 2, `keyboard focus is visible on ${JSON.stringify(focus)}`);
    if (i === 0) {
      assert.match(focus.cls, /skip-link/, 'the first Tab reaches the skip link');
      await p.page.screenshot({ path: path.join(SHOTS, 'focus-skip-link.png') });
    }
  }
  await p.context.close();
});

test('a county family nomination: the unit fills the form, uploads its materials and submits', async () => {
  const unit = await signIn('gz_unit', 'gz_unit');
  await checkPage(unit.page, await unit.page.reload(), { shot: 'home-unit' });
  assert.ok(await unit.page.locator('.todo-list').count() > 0, 'the home page lists what waits (待办)');

  await visit(unit.page, '/nominations/new');
  await unit.page.check('input[name=category][value=family]');
  await Promise.all([unit.page.waitForURL(/category=family/), unit.page.click('form[action="/nominations/new"] button[type=submit]')]);
  await checkPage(unit.page, await unit.page.reload(), {});
  await unit.page.selectOption('#n-level', 'county');
  await unit.page.fill('#n-year', '2019');
  await unit.page.selectOption('#n-jurisdiction', '620922212');   // 七墩回族东乡族乡
  await unit.page.fill('#n-name', '冶文华家庭');
  await unit.page.fill('#n-ethnic_groups', '东乡族、回族、汉族');
  await unit.page.fill('#n-members', '6');
  await unit.page.fill('#n-address', '瓜州县七墩回族东乡族乡光明村三组');
  await unit.page.fill('#n-contact_phone', '13993712345');
  const summary = '冶文华家庭三代同堂，东乡族、回族、汉族成员和睦相处。家中长辈多年义务调解邻里纠纷，子女带头宣讲民族团结政策，' +
    '带动全组群众发展蜜瓜种植，帮助困难户脱贫增收，被群众称为“民族团结一家亲”的好榜样。';
  await unit.page.fill('#n-summary', summary);
  // The live character count (the progressive script), counted in characters, not bytes.
  const count = await unit.page.locator('#n-summary + .char-count').innerText();
  assert.ok(count.includes(String([...summary].length)), `live count "${count}" shows ${[...summary].length}`);
  await unit.page.screenshot({ path: path.join(SHOTS, 'nomination-form.png'), fullPage: true });
  const created = await submit(unit.page, 'form[action="/nominations/new"][method=post]');
  assert.equal(created, 303, 'the draft is saved');
  state.familyUrl = new URL(unit.page.url()).pathname;
  state.familyId = state.familyUrl.split('/').pop();
  assert.match(await stateOf(unit.page), /state-draft/);

  // Required materials are marked; upload them (the script posts each file to the API with the CSRF token).
  assert.ok(await unit.page.locator('.mark-warn').count() >= 4, 'missing required materials are marked');
  await upload(unit.page, 'application_form', [{ name: '申报表.pdf', mimeType: 'application/pdf', buffer: pdfBytes('form') }]);
  await upload(unit.page, 'deeds', [{ name: '事迹材料.pdf', mimeType: 'application/pdf', buffer: pdfBytes('deeds') }]);
  await upload(unit.page, 'photos', [
    { name: '全家福.jpg', mimeType: 'image/jpeg', buffer: jpegBytes('1') },
    { name: '邻里互助.jpg', mimeType: 'image/jpeg', buffer: jpegBytes('2') },
  ]);
  await upload(unit.page, 'community_opinion', [{ name: '村委会意见.pdf', mimeType: 'application/pdf', buffer: pdfBytes('opinion') }]);
  assert.equal(await unit.page.locator('.mark-warn').count(), 0, 'no material is missing any more');
  assert.equal(await unit.page.locator('ul.files li').count(), 5);
  await act(unit.page, 'submit', {}, { shot: 'nomination-submitted' });
  assert.match(await stateOf(unit.page), /state-county_review/);
  await unit.context.close();
});

test('with JavaScript switched off, the unit uploads a material and imports a spreadsheet through the forms', async () => {
  const unit = await signIn('gz_unit (no script)', 'gz_unit', { javaScript: false });
  const session = await apiSession('gz_unit', PASSWORD);
  const created = await api('POST', '/api/v1/nominations', {
    category: 'family', level: 'county', year: 2020, jurisdiction: '620922213',
    nominee: { name: '马海军家庭', ethnic_groups: '回族、汉族', members: '5', address: '瓜州县双塔乡', contact_phone: '13993700000' },
    summary: '马海军家庭邻里和睦，热心公益。',
  }, session);
  assert.equal(created.status, 201);
  const url = '/nominations/' + created.json.id;
  await visit(unit.page, url, {});
  const deeds = 'form.upload:has(#up-deeds)';
  assert.ok(await unit.page.locator(`${deeds} button[type=submit]`).isVisible(), 'the form shows its button without the script');
  await unit.page.locator('#up-deeds').setInputFiles([{ name: '事迹材料.pdf', mimeType: 'application/pdf', buffer: pdfBytes('no script') }]);
  assert.equal(await submit(unit.page, deeds, { shot: 'nomination-upload-noscript' }), 303, 'the upload is accepted and redirected');
  await expectNoError(unit.page);
  assert.match(await unit.page.locator('.alert-ok').innerText(), /材料已上传/);
  assert.match((await unit.page.locator('ul.files').allInnerTexts()).join(' '), /事迹材料\.pdf/);
  // Not a PDF, whatever its name says: refused, and the page says why.
  await unit.page.locator('#up-application_form').setInputFiles([{ name: '申报表.pdf', mimeType: 'application/pdf', buffer: Buffer.from('plain text') }]);
  assert.equal(await submit(unit.page, 'form.upload:has(#up-application_form)', { status: 422 }), 422);
  assert.match(await unit.page.locator('.alert-error').first().innerText(), /不接受/);

  // A spreadsheet imported through the form, the report rendered by the server.
  await visit(unit.page, '/nominations/import', {});
  const csv = 'category,level,year,jurisdiction,name,ethnic_groups,members,address,contact_phone,summary\r\n' +
    '家庭,县级,2020,620922213,无脚本导入家庭,回族、汉族,4,瓜州县双塔乡,13993700002,邻里互助，热心公益。\r\n';
  await unit.page.locator('#import-file').setInputFiles([{ name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }]);
  assert.equal(await submit(unit.page, '#import-form', { status: 201, shot: 'import-noscript' }), 201, 'the import is accepted');
  await expectNoError(unit.page);
  assert.match(await unit.page.locator('main').innerText(), /已导入 1 条申报/);
  await visit(unit.page, '/nominations?q=' + encodeURIComponent('无脚本导入家庭'));
  assert.equal(await unit.page.locator('table.data-table tbody tr').count(), 1, 'the imported nomination is listed');
  await unit.context.close();
});

test('the reviewer accepts from the inbox; three panelists score; the reviewer closes the evaluation', async () => {
  const reviewer = await signIn('gz_reviewer', 'gz_reviewer');
  // A list of 50 stays well under the page budget (checked by visit).
  await visit(reviewer.page, '/nominations?per_page=50');
  assert.equal(await reviewer.page.locator('table.data-table tbody tr').count(), 50);
  // The inbox: filters and the new nomination at the county's review.
  await visit(reviewer.page, '/nominations?state=county_review&category=family&year=2019', { shot: 'reviewer-inbox' });
  await visit(reviewer.page, '/');
  await viewShot(reviewer.page, 'readme-home-reviewer');
  await visit(reviewer.page, '/nominations?state=county_review&category=family&year=2019');
  await reviewer.page.click(`a[href="${state.familyUrl}"]`);
  await reviewer.page.waitForURL(base + state.familyUrl);
  await act(reviewer.page, 'accept', { comment: '材料齐全，同意进入评审。' });
  assert.match(await stateOf(reviewer.page), /state-evaluation/);
  state.reviewer = reviewer;

  // The demo's 2019 enterprise is in evaluation with one sheet already (gz_panel1); it joins this batch.
  await visit(reviewer.page, '/nominations?state=evaluation&year=2019&q=' + encodeURIComponent('丝路商贸'));
  state.enterpriseUrl = await reviewer.page.locator('table.data-table tbody a').first().getAttribute('href');

  for (const [i, panelist] of ['gz_panel1', 'gz_panel2', 'gz_panel3'].entries()) {
    const p = await signIn(panelist, panelist);
    await visit(p.page, '/nominations?state=evaluation&todo=unscored');
    await visit(p.page, state.familyUrl);
    // Other panelists' sheets stay hidden until the evaluation closes.
    if (i > 0) assert.equal(await p.page.locator('table.score-sheets').count(), 0, `${panelist} sees no other sheet before the close`);
    const points = p.page.locator('#act-score input[data-points]');
    const n = await points.count();
    assert.equal(n, 6, 'the family indicator table has six scored rows');
    for (let k = 0; k < n; ++k) {
      const max = Number(await points.nth(k).getAttribute('max'));
      await points.nth(k).fill(String(k === 0 && i === 2 ? max - 2 : max));
    }
    const total = await p.page.locator('#act-score output[data-score-total]').innerText();
    assert.equal(total, i === 2 ? '98' : '100', 'the running total follows the points');
    if (i === 0) await viewShot(p.page, 'readme-score-sheet', '#act-score');
    await act(p.page, 'score');
    if (panelist !== 'gz_panel1') {
      await visit(p.page, state.enterpriseUrl);
      const pts = p.page.locator('#act-score input[data-points]');
      for (let k = 0; k < (await pts.count()); ++k) await pts.nth(k).fill(await pts.nth(k).getAttribute('max'));
      await act(p.page, 'score');
    }
    await p.context.close();
  }

  // Both evaluations closed at once: select all in the list, one batch.
  await visit(reviewer.page, '/nominations?state=evaluation&year=2019');
  assert.equal(await reviewer.page.locator('input[type=checkbox][name=item]').count(), 2);
  await reviewer.page.check('input[data-select-all]');
  await reviewer.page.fill('#b-comment', '三位评审专家均已评分。');
  assert.equal(await submit(reviewer.page, '#batch-form', { shot: 'reviewer-batch-done' }), 303);
  assert.match(await reviewer.page.locator('.alert-ok').innerText(), /2件/);
  for (const url of [state.familyUrl, state.enterpriseUrl]) {
    await visit(reviewer.page, url);
    assert.match(await stateOf(reviewer.page), /state-shortlisted/);
  }
  // After the close every sheet is shown: three panelists side by side.
  await visit(reviewer.page, state.familyUrl, { shot: 'nomination-shortlisted' });
  assert.equal(await reviewer.page.locator('table.score-sheets thead th').count(), 2 + 3);
});

test('the approver approves both into one publicity notice; the public objects and gets a receipt', async () => {
  const approver = await signIn('gz_approver', 'gz_approver');
  await visit(approver.page, '/nominations?state=shortlisted&year=2019', { shot: 'approver-shortlist' });
  const boxes = approver.page.locator('input[type=checkbox][name=item]');
  assert.equal(await boxes.count(), 2);
  await approver.page.check('input[data-select-all]');   // "select all" (the script)
  await approver.page.fill('#b-title', '2019年度瓜州县民族团结进步示范单位和示范家庭拟命名公示（第二批）');
  await approver.page.fill('#b-days', '5');
  assert.match(await approver.page.locator('.window-preview').innerText(), /公示时间为.+（5个工作日）/, 'the window approving now would open');
  const r = await submit(approver.page, '#batch-form', { shot: 'notice' });
  assert.equal(r, 303);
  assert.match(approver.page.url(), /\/notices\//);
  state.noticeUrl = new URL(approver.page.url()).pathname;
  const noticePages = await pdfPages(approver.page, 'notice.pdf');
  assert.ok(noticePages >= 1 && noticePages <= 2, `the notice of two nominees prints on one or two A4 pages (${noticePages})`);
  await approver.context.close();

  // The window opens on the next working day: the development clock moves there.
  const admin = await apiSession('admin', ADMIN_PASSWORD);
  const notice = await api('GET', '/api/v1/public/notices/' + state.noticeUrl.split('/').pop());
  assert.equal(notice.status, 200);
  const now = await api('GET', '/api/v1/dev/clock', null, admin);
  const ahead = Date.parse(notice.json.starts_at) - Date.parse(now.json.now);
  if (ahead > 0) assert.equal((await api('POST', '/api/v1/dev/clock', { advance_seconds: Math.ceil(ahead / 1000) + 3600 }, admin)).status, 200);

  // The public: no account, the notice's nominees, an objection form, a receipt number.
  const citizen = await person('public');
  await visit(citizen.page, '/notices', { isPrivate: false });
  // Every notice stays under the page budget, the demo's (2018, no longer listed) 281-name county
  // notice too: notice ids are G + a number, the new one the last.
  const last = Number(state.noticeUrl.match(/G(\d+)$/)[1]);
  assert.ok(last >= 4, `the demo made three notices before this one (${state.noticeUrl})`);
  for (let i = 1; i <= last; ++i) await visit(citizen.page, `/notices/G${String(i).padStart(5, '0')}`, { isPrivate: false });
  await visit(citizen.page, '/notices', { isPrivate: false });
  await citizen.page.click(`a[href="${state.noticeUrl}"]`);
  await citizen.page.waitForURL(base + state.noticeUrl);
  assert.match(await citizen.page.locator('.notice-document').innerText(), /冶文华家庭/);
  await citizen.page.selectOption('#o-nomination', state.familyId);
  await citizen.page.fill('#o-text', '反映：该家庭成员去年曾与邻居发生纠纷，请核实其“邻里互助”事迹是否属实。');
  await citizen.page.fill('#o-contact', '李先生 13800001111');
  const o = await submit(citizen.page, '#object form', { shot: 'objection-receipt', status: 202 });
  assert.equal(o, 202);
  state.receipt = (await citizen.page.locator('.receipt-no').innerText()).trim();
  assert.ok(state.receipt.length > 0, 'a receipt number is shown');
  state.citizen = citizen;
});

test('the reviewer dismisses the objection with a finding; the window closes; the notice says so', async () => {
  // The clock moved past the reviewer's session: it has expired, so the reviewer signs in again.
  await visit(state.reviewer.page, state.familyUrl, { status: 401 });
  await state.reviewer.context.close();
  let reviewer = await signIn('gz_reviewer', 'gz_reviewer');
  await visit(reviewer.page, state.familyUrl);
  assert.match(await reviewer.page.locator('.objections').innerText(), new RegExp(state.receipt));
  assert.match(await reviewer.page.locator('.objections').innerText(), /13800001111/, 'the reviewer of the office sees the contact');
  await act(reviewer.page, 'dismiss_objection', { objection_id: state.receipt, finding: '经入户走访核实，纠纷已于当年调解，事迹属实。' });

  // Thirty days later (the server's development clock): the timer has closed the window.
  const admin = await apiSession('admin', ADMIN_PASSWORD);   // the earlier session has expired too
  const moved = await api('POST', '/api/v1/dev/clock', { advance_seconds: 30 * 86400 }, admin);
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  await reviewer.context.close();
  reviewer = await signIn('gz_reviewer', 'gz_reviewer');
  await visit(reviewer.page, state.familyUrl);
  assert.match(await stateOf(reviewer.page), /state-publicity_closed/);

  const citizen = state.citizen;
  await visit(citizen.page, state.noticeUrl, { isPrivate: false, shot: 'notice-closed' });
  assert.equal(await citizen.page.locator('#o-text').count(), 0, 'no objection form once the window has closed');
  assert.match(await citizen.page.locator('#object .alert').innerText(), /结束|截止|已过/);
  await citizen.context.close();
  await reviewer.context.close();
});

test('the approver names both in one decision; the decision and the certificates print on A4', async () => {
  const approver = await signIn('gz_approver', 'gz_approver');
  await visit(approver.page, '/', { shot: 'home-approver' });
  await visit(approver.page, '/nominations?state=publicity_closed&year=2019');
  await approver.page.check('input[data-select-all]');
  state.documentNo = '瓜民团发〔2020〕2号';
  await approver.page.fill('#b-docno', state.documentNo);
  await approver.page.fill('#b-dtitle', '关于命名2019年度全县民族团结进步示范单位和示范家庭的决定');
  const r = await submit(approver.page, '#batch-form', { shot: 'decision' });
  assert.equal(r, 303);
  assert.equal(decodeURIComponent(new URL(approver.page.url()).pathname), '/decisions/' + state.documentNo);
  await viewShot(approver.page, 'readme-decision', '.decision-document');
  const doc = await approver.page.locator('.decision-document').innerText();
  assert.match(doc, /冶文华家庭/);
  assert.match(doc, /丝路商贸/);
  assert.match(doc, /瓜民团发〔2020〕2号/);
  const decisionPages = await pdfPages(approver.page, 'decision.pdf');
  assert.ok(decisionPages >= 1 && decisionPages <= 2, `the decision naming two prints on one or two pages (${decisionPages})`);

  // Certificates: one A4 page each, for the whole decision, and alone for one nominee.
  await visit(approver.page, '/decisions/' + encodeURIComponent(state.documentNo) + '/certificates', { isPrivate: false, shot: 'certificates' });
  assert.equal(await approver.page.locator('.certificate').count(), 2);
  assert.equal(await pdfPages(approver.page, 'certificates.pdf'), 2, 'one certificate per page');
  await visit(approver.page, state.familyUrl);
  await approver.page.click('a.certificate-link');
  await approver.page.waitForLoadState('load');
  assert.match(await approver.page.locator('.certificate').innerText(), /冶文华家庭/);
  assert.equal(await pdfPages(approver.page, 'certificate.pdf'), 1);
  await approver.page.screenshot({ path: path.join(SHOTS, 'certificate.png'), fullPage: true });
  await viewShot(approver.page, 'readme-certificate', '.certificate');

  // The demo's county decision names 281: it runs over several numbered pages.
  await visit(approver.page, '/decisions/' + encodeURIComponent('瓜民团发〔2019〕3号'));
  const long = await pdfPages(approver.page, 'decision-2018.pdf');
  assert.ok(long >= 2, `the 281-name decision prints on several pages (${long})`);
  await approver.context.close();
});

test('a denied attempt, found by the auditor in the decision trail', async () => {
  // 敦煌市's reviewer tries to act on a 瓜州县 nomination with a hand-made form post: refused (403)
  // and recorded as denied.
  const outsider = await signIn('dh_reviewer', 'dh_reviewer');
  const csrf = await outsider.page.getAttribute('meta[name=csrf-token]', 'content');
  const denied = await outsider.page.request.post(base + state.familyUrl + '/act', {
    form: { csrf, action: 'revoke', expected_version: '1', reason: '越权尝试' },
    maxRedirects: 0,
  });
  assert.equal(denied.status(), 403);
  await visit(outsider.page, state.familyUrl, { status: 404 });   // nor can it see the nomination
  await outsider.context.close();

  const auditor = await signIn('auditor', 'auditor');
  await visit(auditor.page, '/audit', { shot: 'audit' });
  assert.match(await auditor.page.locator('.checkpoint-status').innerText(), /已验证|验证通过/);
  await auditor.page.fill('#a-actor', 'dh_reviewer');
  await auditor.page.selectOption('#a-outcome', 'denied');
  await Promise.all([auditor.page.waitForURL(/outcome=denied/), auditor.page.click('form.filters button[type=submit]')]);
  await checkPage(auditor.page, await auditor.page.reload(), { shot: 'audit-denied' });
  const rows = auditor.page.locator('table.audit-table tbody tr.row-denied');
  assert.ok(await rows.count() >= 1, 'the denied attempt is listed');
  assert.match(await rows.first().innerText(), /dh_reviewer/);
  assert.match(await rows.first().innerText(), /revoke/);
  assert.equal(await auditor.page.locator('table.audit-table tbody tr.row-accepted').count(), 0, 'only denied records');
  // The nomination's whole trail with old and new values.
  await rows.first().locator('a', { hasText: /决策记录|记录|trail/i }).first().click();
  await auditor.page.waitForLoadState('load');
  assert.match(auditor.page.url(), /nomination=/);
  assert.ok(await auditor.page.locator('table.audit-table tbody tr').count() >= 10);
  await auditor.context.close();
});

test('English by the switch, remembered on the next pages', async () => {
  const p = await signIn('gz_reviewer-en', 'gz_reviewer');
  await p.page.click('a.lang-switch');
  await p.page.waitForLoadState('load');
  assert.equal(await p.page.getAttribute('html', 'lang'), 'en');
  await visit(p.page, '/nominations', { shot: 'inbox-en' });
  assert.equal(await p.page.getAttribute('html', 'lang'), 'en');
  assert.match(await p.page.locator('h1').innerText(), /Nominations/);
  // Nothing left in Chinese in the page's own words (names of people and places are data).
  const labels = await p.page.locator('label, th[scope=col], .site-nav a, button').allInnerTexts();
  const chinese = labels.filter((t) => /[\u4e00-\u9fff]/.test(t));
  assert.deepEqual(chinese, [], 'every label, heading and button is in English');
  await visit(p.page, state.familyUrl);
  assert.match(await p.page.locator('#timeline-title').innerText(), /Timeline|History/i);
  const cookies = await p.context.cookies(base);
  assert.ok(cookies.some((c) => c.name === 'laurel_lang' && c.value === 'en'), 'the choice is kept in a cookie');
  await p.page.click('a.lang-switch');
  await p.page.waitForLoadState('load');
  assert.equal(await p.page.getAttribute('html', 'lang'), 'zh-CN');
  await p.context.close();
});

test('hostile input is rendered harmless', async () => {
  const hostile = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>{{T_product_name}}`;
  const longText = '各族群众像石榴籽一样紧紧抱在一起。'.repeat(160);   // 2,720 characters, no spaces to break at
  const unit = await signIn('gz_unit-hostile', 'gz_unit');
  await visit(unit.page, '/nominations/new?category=organ');
  await unit.page.selectOption('#n-level', 'county');
  await unit.page.fill('#n-name', hostile);
  await unit.page.fill('#n-contact_person', `"><svg onload=alert(3)>`);
  await unit.page.fill('#n-contact_phone', '0937-5521234');
  await unit.page.fill('#n-summary', longText);
  const r = await submit(unit.page, 'form[action="/nominations/new"][method=post]', { shot: 'hostile' });
  assert.equal(r, 303);
  assert.equal(await unit.page.locator('h1').innerText(), hostile, 'the name is shown as text, exactly');
  assert.equal(await unit.page.locator('main img').count(), 0, 'no element was injected');
  assert.equal(await unit.page.locator('main svg').count(), 0);
  assert.equal(await unit.page.locator('script').count(), 1, 'only laurel.js');
  const wide = await unit.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the long text wraps (page ${wide}px wider than the window)`);
  // In the list and in a search box's value as well.
  await visit(unit.page, '/nominations?q=' + encodeURIComponent(hostile));
  assert.equal(await unit.page.inputValue('#f-q'), hostile);
  assert.equal(await unit.page.locator('main img').count(), 0);
  await unit.context.close();
});

test('the administrator grants and revokes a role; the workflows and the statistics draw as SVG', async () => {
  const admin = await signIn('gz_admin', 'gz_admin');
  await visit(admin.page, '/admin', { shot: 'admin-users' });
  const row = () => admin.page.locator('tr', { has: admin.page.locator('code', { hasText: /^sh_unit$/ }) });
  await Promise.all([admin.page.waitForURL(/edit=sh_unit/), row().locator('a.edit-roles').click()]);
  await checkPage(admin.page, await admin.page.reload(), {});
  // Only its own subtree is offered (瓜州县 and its townships, not 酒泉市).
  const offered = await admin.page.locator('#g-jurisdiction option').allTextContents();
  assert.ok(offered.some((t) => t.includes('沙河回族乡')) && !offered.some((t) => t.includes('酒泉市')), offered.join());
  await admin.page.selectOption('#g-role', 'reviewer');
  await admin.page.selectOption('#g-jurisdiction', '620922215');
  assert.equal(await submit(admin.page, 'form.grant-form', { shot: 'admin-roles' }), 303);
  await expectNoError(admin.page);
  assert.match(await admin.page.locator('.alert-ok').innerText(), /授予/);
  assert.match(await row().innerText(), /初审|审核/, 'the users table shows the new role');
  // A hand-made grant outside its subtree (酒泉市) is refused with a clear message and changes nothing.
  const csrf = await admin.page.getAttribute('meta[name=csrf-token]', 'content');
  const refused = await admin.page.request.post(base + '/admin/users', {
    form: { csrf, op: 'grant', username: 'sh_unit', role: 'approver', jurisdiction: '620900' }, maxRedirects: 0,
  });
  assert.equal(refused.status(), 403);
  assert.match(await refused.text(), /管辖|jurisdiction|无权/);
  // Revoke it again.
  const revoke = admin.page.locator('#roles li', { hasText: /初审|审核/ }).locator('form.revoke-form');
  assert.equal(await submit(admin.page, '#roles li:has-text("沙河回族乡") form.revoke-form'), 303);
  assert.equal(await revoke.count(), 0);
  assert.doesNotMatch(await row().innerText(), /初审|审核/);

  await visit(admin.page, '/admin/workflows', { shot: 'admin-workflows' });
  assert.ok(await admin.page.locator('svg.state-diagram rect').count() >= 10);
  await visit(admin.page, '/stats?year=2018', { shot: 'stats' });
  assert.ok(await admin.page.locator('main svg').count() >= 1);
  assert.match(await admin.page.locator('main').innerText(), /198/);   // the seed report's 198 families
  await admin.context.close();
});

test('no page asked another host for anything, and no script failed', () => {
  assert.deepEqual(problems, []);
});

test('the server stops cleanly on SIGTERM (under the sanitizers: no error, no leak)', async () => {
  const p = server.process;
  p.removeAllListeners('exit');
  const code = await new Promise((resolve) => {
    p.once('exit', (c, signal) => resolve(signal ? signal : c));
    p.kill('SIGTERM');
  });
  const stderr = server.stderr();
  server = null;
  assert.doesNotMatch(stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/, stderr.slice(-4000));
  assert.equal(code, 0, `laurel serve exit status after SIGTERM; its last output: ${stderr.slice(-2000)}`);
});
