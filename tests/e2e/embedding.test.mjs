// Embedding: OneThing in an iframe of a host page on another origin, driven by the postMessage
// protocol through the reference server's demo host (`/embed-demo`); messages from any other
// origin, or malformed ones, change nothing (fuzzed); and the same release build under a
// sub-path with the API on a different loopback origin, through the whole newborn wizard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { artifacts, axeNow, launchBrowser, phonePage, startServer } from './harness.mjs';
import { exampleApplication, walkToCase } from './wizard.mjs';

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const freePort = async () => {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
};

let browser;
let server; // serves the SPA (with host_origins = the demo's origins) and the demo page
let appUrl; // http://127.0.0.1:<port>/
// Two allowed host origins for the same demo page: another port on 127.0.0.1 (cross-origin,
// same-site: the app keeps its storage) through a small proxy, and localhost (cross-site:
// Chromium denies the framed app its storage, as a host on another site would meet).
let sameSiteHost;
let crossSiteHost;
let proxy;
let dist;
before(async () => {
  browser = await launchBrowser();
  const port = await freePort();
  proxy = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  sameSiteHost = `http://127.0.0.1:${await listen(proxy)}`;
  crossSiteHost = `http://localhost:${port}`;
  // The same release build, with a deployment's config.json: the demo hosts may drive it, and
  // signing in happens only through the host's ticket (no development issuer from the SPA).
  dist = mkdtempSync(join(tmpdir(), 'onething-embed-dist-'));
  cpSync(process.env.ONETHING_DIST, dist, { recursive: true });
  writeFileSync(join(dist, 'config.json'), JSON.stringify({
    api_base: '/api', host_origins: [sameSiteHost, crossSiteHost], features: { dev_sign_in: false },
  }));
  server = await startServer({
    staticDir: dist, port, args: ['--frame-ancestors', `'self' ${sameSiteHost} ${crossSiteHost}`],
  });
  appUrl = server.url;
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (proxy) await new Promise((r) => proxy.close(r));
  if (dist) rmSync(dist, { recursive: true, force: true });
});

const demoUrl = (origin) => `${origin}/embed-demo?app=${encodeURIComponent(appUrl)}`;
const appFrame = async (page) => {
  await page.locator('#app').waitFor();
  for (let i = 0; i < 100; i++) {
    const f = page.frames().find((x) => x !== page.mainFrame() && x.url().startsWith(appUrl));
    if (f) return f;
    await page.waitForTimeout(50);
  }
  throw new Error('the app frame did not load');
};
// rAF is throttled in a cross-origin iframe out of view: poll on a timer instead.
const POLL = { polling: 100 };
const events = (page, type) => page.locator(`#events li[data-type="${type}"]`);

/** Everything a host message could change in the app. */
/**
 * Waits for the app itself: the cards are prerendered, so they show before the app runs. The
 * running app remembers its preferences (or, denied storage, keeps them in memory), so the
 * snapshot is of the app and not of the page before it.
 */
const appStarted = (frame) => frame.waitForFunction(() => {
  if (window.wasmBindings === undefined) return false;
  try { return localStorage.getItem('onething.elder') !== null; } catch { return true; }
}, undefined, { timeout: 30_000 });

const snapshot = (frame) => frame.evaluate(() => ({
  lang: document.documentElement.lang,
  elder: document.documentElement.classList.contains('elder'),
  theme: document.documentElement.getAttribute('data-theme'),
  // A cross-site iframe may be denied storage; then the app keeps its state in memory.
  token: (() => { try { return sessionStorage.getItem('onething.session'); } catch { return 'denied'; } })(),
  locale: (() => { try { return localStorage.getItem('onething.locale'); } catch { return 'denied'; } })(),
  elderSaved: (() => { try { return localStorage.getItem('onething.elder'); } catch { return 'denied'; } })(),
  title: document.title,
  path: location.pathname,
  text: document.querySelector('main')?.innerText ?? '',
}));

/** `n` random messages: junk, near misses, and well-formed protocol messages when `valid`. */
function fuzzMessages(n, { valid }) {
  let seed = 0x5eed;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const junk = () => pick([null, 0, 42, true, '', 'elder', '{"type":"elder","on":true}', [], [1, 2],
    { type: 'elder', on: true }, { protocol: 'onething' }, { protocol: 'onething', version: 1 },
    'x'.repeat(Math.floor(rnd() * 9000))]);
  const nearMiss = () => pick([
    { protocol: 'onething', version: 2, type: 'elder', on: true },
    { protocol: 'OneThing', version: 1, type: 'locale', locale: 'en' },
    { protocol: 'onething', version: '1', type: 'elder', on: true },
    { protocol: 'onething', version: 1, type: 'elder', on: 'true' },
    { protocol: 'onething', version: 1, type: 'elder', on: true, extra: rnd() },
    { protocol: 'onething', version: 1, type: 'locale', locale: pick(['fr', 'EN', 'zh', '', 42]) },
    { protocol: 'onething', version: 1, type: 'theme', theme: pick(['pink', '', null, 1]) },
    { protocol: 'onething', version: 1, type: 'ticket', ticket: pick(['', 'a b', 7, 'x'.repeat(600)]) },
    { protocol: 'onething', version: 1, type: pick(['ready', 'submitted', 'closed', 'TICKET', '__proto__']) },
    { protocol: 'onething', version: 1, type: 'ticket', ticket: 't', locale: 'en' },
  ]);
  const wellFormed = () => pick([
    { protocol: 'onething', version: 1, type: 'elder', on: rnd() < 0.5 },
    { protocol: 'onething', version: 1, type: 'locale', locale: pick(['en', 'zh-CN']) },
    { protocol: 'onething', version: 1, type: 'theme', theme: pick(['dark', 'light']) },
    { protocol: 'onething', version: 1, type: 'ticket', ticket: `t${Math.floor(rnd() * 1e9)}` },
  ]);
  return Array.from({ length: n }, () => {
    const r = rnd();
    if (valid && r < 0.4) return wellFormed();
    return r < 0.7 ? nearMiss() : junk();
  });
}

/** Posts `messages` from the top page to the app's iframe, as strings and as objects. */
const postAll = (page, messages) => page.evaluate(async (ms) => {
  const w = document.getElementById('app').contentWindow;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i];
    w.postMessage(i % 3 === 0 && m && typeof m === 'object' ? JSON.stringify(m) : m, '*');
    if (i % 200 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  // Let the app handle everything queued before anyone looks.
  await new Promise((r) => setTimeout(r, 500));
}, messages);

test('the demo host signs in with a ticket, switches elder mode, language and theme, and hears the case number', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(demoUrl(sameSiteHost));
    const frame = await appFrame(page);
    await events(page, 'ready').waitFor();
    await events(page, 'signed_in').waitFor();
    // Signed in with the host's ticket: this deployment has no other way (dev_sign_in is off),
    // and the cross-site frame gets no cookie, so the wizard below runs on the bearer token.
    await frame.locator('a.card-link').first().waitFor();
    assert.ok(await events(page, 'title').count() >= 1, 'the title is reported');
    assert.ok(await events(page, 'height').count() >= 1, 'the height is reported');

    await page.locator('#elder').click();
    await frame.waitForFunction(() => document.documentElement.classList.contains('elder'), undefined, POLL);
    await page.locator('#locale').selectOption('en');
    await frame.waitForFunction(() => document.documentElement.lang === 'en', undefined, POLL);
    await frame.getByRole('heading', { name: 'Services' }).waitFor();
    await page.screenshot({ path: join(artifacts(), 'embed-demo-elder-en.png'), fullPage: true });
    const problems = [...await axeNow(page, 'demo host elder'), ...await axeNow(frame, 'app elder en')];
    await page.locator('#theme').selectOption('dark');
    await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark', undefined, POLL);
    await page.locator('#theme').selectOption('light');
    await page.locator('#locale').selectOption('zh-CN');
    await page.locator('#elder').click();
    await frame.waitForFunction(() => document.documentElement.lang === 'zh-CN' && !document.documentElement.classList.contains('elder'), undefined, POLL);
    problems.push(...await axeNow(page, 'demo host'));

    const def = await (await fetch(new URL('/api/services/newborn', appUrl))).json();
    // The app's bottom bar is fixed to the frame's viewport: keep the whole frame on screen.
    await page.evaluate(() => window.scrollTo(0, 0));
    const caseNumber = await walkToCase(frame, def, exampleApplication('newborn'), new URL('/services/newborn', appUrl).href);
    const submitted = events(page, 'submitted');
    await submitted.waitFor();
    const message = JSON.parse(await submitted.innerText());
    assert.equal(message.case_number, caseNumber);
    assert.equal(message.service, 'newborn');
    assert.match(await page.locator('#status').innerText(), new RegExp(caseNumber));
    const steps = await events(page, 'step').allInnerTexts();
    assert.ok(steps.some((s) => JSON.parse(s).step === 'confirmation'), 'step changes are reported');
    await page.screenshot({ path: join(artifacts(), 'embed-demo-submitted.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(problems, [], 'axe-core on the demo host and the embedded app');
  } finally {
    await context.close();
  }
});

test('messages from a foreign origin change nothing: the demo host itself, then a few thousand fuzzed', async () => {
  const { context, page } = await phonePage(browser);
  try {
    // The demo host served from 127.0.0.1, the app's own origin, which is not an allowed host.
    const sessions = [];
    page.on('request', (r) => { if (r.url().includes('/api/session')) sessions.push(r.url()); });
    await page.goto(demoUrl(appUrl.replace(/\/$/, '')));
    const frame = await appFrame(page);
    await frame.locator('a.card-link').first().waitFor();
    await appStarted(frame);
    const before = await snapshot(frame);
    // The host's own controls: a real ticket, elder mode, English, dark.
    await page.locator('#sign-in').click();
    await page.locator('#status').filter({ hasText: 'ticket sent' }).waitFor();
    await page.locator('#elder').click();
    await page.locator('#locale').selectOption('en');
    await page.locator('#theme').selectOption('dark');
    await postAll(page, fuzzMessages(3000, { valid: true }));
    assert.deepEqual(await snapshot(frame), before, 'no state changed');
    assert.deepEqual(sessions, [], 'no ticket was exchanged');
    assert.equal(await page.locator('#events li').count(), 0, 'the app never wrote to a foreign origin');
  } finally {
    await context.close();
  }
});

test('a host on another site signs in without storage; its malformed messages change nothing, a well-formed one does', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await page.goto(demoUrl(crossSiteHost));
    const frame = await appFrame(page);
    await events(page, 'signed_in').waitFor();
    await frame.locator('a.card-link').first().waitFor();
    await appStarted(frame);
    const before = await snapshot(frame);
    const seen = await page.locator('#events li').count();
    await postAll(page, fuzzMessages(2000, { valid: false }));
    assert.deepEqual(await snapshot(frame), before, 'no state changed');
    assert.deepEqual((await page.locator('#events li').allInnerTexts()).slice(seen), [], 'nothing answered');
    await postAll(page, [{ protocol: 'onething', version: 1, type: 'elder', on: true }]);
    assert.equal((await snapshot(frame)).elder, true, 'the same check sees a real change');
  } finally {
    await context.close();
  }
});

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

test('under a sub-path with the API on another loopback origin, the newborn flow reaches a case number', async () => {
  // A plain static server puts the build under /onething/: it rewrites <base href> and serves a
  // config.json naming the API's origin; the API allows this origin by CORS.
  const distDir = process.env.ONETHING_DIST;
  let api;
  let apiBase = '';
  const statics = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    // The site's root is someone else's; only its icon is asked for.
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
    if (!path.startsWith('/onething/')) { res.writeHead(404).end(); return; }
    const rel = normalize(path.slice('/onething/'.length));
    if (rel === 'config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ api_base: apiBase }));
      return;
    }
    // As nginx's `try_files $uri $uri/index.html /shell.html`: a file, a prerendered page
    // (the catalogue, a landing page), else the shell; every page with the sub-path's base.
    const isFile = (f) => existsSync(f) && statSync(f).isFile();
    const file = [join(distDir, rel), join(distDir, rel, 'index.html')]
      .find((f) => !rel.startsWith('..') && isFile(f)) ?? join(distDir, 'shell.html');
    if (extname(file) !== '.html') {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
      return;
    }
    const html = readFileSync(file, 'utf8').replace('<base href="/" />', '<base href="/onething/" />');
    res.writeHead(200, { 'content-type': TYPES['.html'] }).end(html);
  });
  const port = await listen(statics);
  const spaOrigin = `http://127.0.0.1:${port}`;
  const { context, page, errors } = await phonePage(browser);
  try {
    api = await startServer({ args: ['--cors-origins', spaOrigin] });
    apiBase = `${api.url}api`;
    const sameOriginApi = [];
    page.on('request', (r) => { if (r.url().startsWith(`${spaOrigin}/api`) || r.url().startsWith(`${spaOrigin}/onething/api`)) sameOriginApi.push(r.url()); });
    const def = await (await fetch(`${apiBase}/services/newborn`)).json();
    const caseNumber = await walkToCase(page, def, exampleApplication('newborn'), `${spaOrigin}/onething/services/newborn`);
    assert.ok(page.url().startsWith(`${spaOrigin}/onething/apply/newborn/confirmation`), page.url());
    assert.equal(await page.locator('a.brand').getAttribute('href'), '/onething/');
    const token = await page.evaluate(() => sessionStorage.getItem('onething.session'));
    const mine = await (await fetch(`${apiBase}/applications`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal(mine.length, 1);
    assert.equal(mine[0].case_number, caseNumber);
    assert.deepEqual(sameOriginApi, [], 'every API call went to the API origin');
    // A reload deep inside the sub-path still finds the app.
    await page.reload();
    await page.locator('.case-number').waitFor();
    await page.screenshot({ path: join(artifacts(), 'subpath-confirmation.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await api?.stop();
    await new Promise((r) => statics.close(r));
  }
});
