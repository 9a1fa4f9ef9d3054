// A session that ends mid-wizard is not a dead end: the next write of the draft signs in
// again and goes through, the person stays on the same step, and the draft is intact, on the
// device and on the server: in a plain browser (the development issuer, as a platform's login
// would), and inside a host page, which the app asks for a new ticket (`session_expired`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phonePage, serverAndBrowser, startServer } from './harness.mjs';
import { agreePrivacy, answer, exampleApplication, next } from './wizard.mjs';

let server;
let browser;
let def;
let example;
serverAndBrowser({}, async (s, b) => {
  server = s;
  browser = b;
  def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
  example = exampleApplication('newborn');
});

const NAME = '#f-answers-children-0--name';
const token = (page) => page.evaluate(() => sessionStorage.getItem('onething.session'));
const draftsWith = async (t, base = server.url) => {
  const r = await fetch(new URL('/api/drafts', base), { headers: { Authorization: `Bearer ${t}` } });
  return { status: r.status, body: r.status === 200 ? await r.json() : null };
};

/** From the newborn landing page in `p` (a page or a frame): Start, the privacy consent, the
 * example's eligibility answers, on to the baby's page. */
async function startToBabyPage(p) {
  await p.getByRole('link', { name: '开始办理' }).click();
  await p.waitForURL(/eligibility$/);
  await agreePrivacy(p);
  for (const q of def.eligibility.questions) {
    if (example.eligibility[q.id] !== undefined) await answer(p, `eligibility.${q.id}`, q.type ?? q.kind, example.eligibility[q.id]);
  }
  await next(p, /sub-items$/);
  await next(p, /\/page\/baby$/);
}

async function until(check, what) {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never: ${what}`);
}

test('the session ends mid-wizard: the next change signs in again, on the same step, with the draft intact', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    // Signed in as a platform's login would (the same person each time: the development
    // issuer is asked for this subject again when the session has ended).
    await page.goto(server.url);
    await page.evaluate(async (sub) => {
      const post = (path, body) => fetch(path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      }).then((r) => r.json());
      const { ticket } = await post('/api/dev/tickets', { subject: sub });
      const { token } = await post('/api/session', { ticket });
      sessionStorage.setItem('onething.session', token);
      localStorage.setItem('onething.dev-subject', sub);
    }, `dev-expiry-${Date.now()}`);
    await page.goto(new URL('/services/newborn', server.url).href);
    await startToBabyPage(page);
    const step = page.url();
    await page.locator(NAME).fill('王一诺');
    await page.locator(NAME).blur();
    const first = await token(page);
    await until(async () => (await draftsWith(first)).body?.length === 1, 'the draft on the server');

    // The session ends on the server (expired, or ended elsewhere): the page still holds it.
    const end = await fetch(new URL('/api/session', server.url), { method: 'DELETE', headers: { Authorization: `Bearer ${first}` } });
    assert.equal(end.status, 204);
    assert.equal((await draftsWith(first)).status, 401);

    await page.locator(NAME).fill('王一诺二');
    await page.locator(NAME).blur();
    const second = await until(async () => {
      const t = await token(page);
      return t && t !== first && t;
    }, 'signed in again');
    const drafts = await until(async () => {
      const d = await draftsWith(second);
      return d.body?.length === 1 && d.body[0].data.app.answers.children[0].name === '王一诺二' && d.body;
    }, 'the change written after signing in again');
    assert.equal(drafts[0].data.app.answers.mother_name ?? null, null, 'no answer invented');
    assert.equal(page.url(), step, 'on the same step');
    assert.equal(await page.locator(NAME).inputValue(), '王一诺二');
    await page.reload();
    assert.equal(page.url(), step);
    assert.equal(await page.locator(NAME).inputValue(), '王一诺二', 'the draft intact');
    assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('inside a host page: the app asks the host to sign in again (session_expired), carries on at the same step, draft intact', async () => {
  // The same build framed by the reference server's demo host on another origin, signing in only
  // through the host's tickets (no development issuer from the app), as in an app platform.
  const listen = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port)));
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  const proxy = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const host = `http://127.0.0.1:${await listen(proxy)}`;
  const dist = mkdtempSync(join(tmpdir(), 'onething-expiry-dist-'));
  cpSync(process.env.ONETHING_DIST, dist, { recursive: true });
  writeFileSync(join(dist, 'config.json'), JSON.stringify({ api_base: '/api', host_origins: [host], features: { dev_sign_in: false } }));
  const framed = await startServer({ staticDir: dist, port, args: ['--frame-ancestors', `'self' ${host}`] });
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(`${host}/embed-demo?app=${encodeURIComponent(framed.url)}`);
    const events = (type) => page.locator(`#events li[data-type="${type}"]`);
    await events('signed_in').waitFor();
    let frame;
    for (let i = 0; i < 100 && !frame; i++) {
      frame = page.frames().find((x) => x !== page.mainFrame() && x.url().startsWith(framed.url));
      if (!frame) await page.waitForTimeout(50);
    }
    await frame.goto(new URL('/services/newborn', framed.url).href);
    await startToBabyPage(frame);
    const step = frame.url();
    const first = await frame.evaluate(() => sessionStorage.getItem('onething.session'));
    const drafts = async (t) => {
      const r = await fetch(new URL('/api/drafts', framed.url), { headers: { Authorization: `Bearer ${t}` } });
      return r.status === 200 ? r.json() : null;
    };
    await until(async () => (await drafts(first))?.length === 1, 'the draft on the server');
    const signIns = await events('signed_in').count();
    assert.equal(await events('session_expired').count(), 0);
    const end = await fetch(new URL('/api/session', framed.url), { method: 'DELETE', headers: { Authorization: `Bearer ${first}` } });
    assert.equal(end.status, 204);

    await frame.locator(NAME).fill('王一诺');
    await frame.locator(NAME).blur();
    await events('session_expired').waitFor({ timeout: 20_000 });
    await until(async () => (await events('signed_in').count()) > signIns, 'signed in again by the host');
    const second = await until(async () => {
      const t = await frame.evaluate(() => sessionStorage.getItem('onething.session'));
      return t && t !== first && t;
    }, 'the new session');
    await until(async () => (await drafts(second))?.[0]?.data?.app?.answers?.children?.[0]?.name === '王一诺', 'the change written');
    assert.equal(frame.url(), step, 'on the same step');
    assert.equal(await frame.locator(NAME).inputValue(), '王一诺');
    assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  } finally {
    await context.close();
    await framed.stop();
    await new Promise((r) => proxy.close(r));
    rmSync(dist, { recursive: true, force: true });
  }
});

test('inside an app platform (浙里办\'s bridge): the page is reopened through the platform\'s sign-in with a new ticket, at the same step, draft intact', async () => {
  // The platform's sign-in entry (config.json's `platform_sign_in_url`), played on loopback: it
  // signs the same person in again (a development ticket for the platform's user) and sends
  // the browser back to the page it came from with `?ticket=`, as 浙里办's single sign-on does.
  const listen = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port)));
  const subject = `zlb-expiry-${Date.now()}`;
  let app;
  const visits = [];
  const ticketFor = async () => {
    const r = await fetch(new URL('/api/dev/tickets', app.url), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ subject }),
    });
    return (await r.json()).ticket;
  };
  const sso = createServer(async (req, res) => {
    const back = new URL(req.url, 'http://sso').searchParams.get('goto');
    visits.push(back);
    const to = new URL(back);
    to.searchParams.set('ticket', await ticketFor());
    res.writeHead(302, { Location: to.href }).end();
  });
  const ssoUrl = `http://127.0.0.1:${await listen(sso)}`;
  const dist = mkdtempSync(join(tmpdir(), 'onething-platform-dist-'));
  cpSync(process.env.ONETHING_DIST, dist, { recursive: true });
  writeFileSync(join(dist, 'config.json'), JSON.stringify({
    api_base: '/api',
    features: { dev_sign_in: false },
    platform_sign_in_url: `${ssoUrl}/sso/login?goto={return}`,
  }));
  app = await startServer({ staticDir: dist });
  const { context, page, errors } = await phonePage(browser);
  try {
    // 浙里办's webview injects its bridge (the adapters feature-detect each call: an empty one
    // is an older bridge) and opens the service with a ticket.
    await context.addInitScript(() => { window.ZWJSBridge = {}; });
    await page.goto(new URL(`/services/newborn?ticket=${await ticketFor()}`, app.url).href);
    await startToBabyPage(page);
    const step = page.url();
    await page.locator(NAME).fill('王一诺');
    await page.locator(NAME).blur();
    const first = await token(page);
    await until(async () => (await draftsWith(first, app.url)).body?.length === 1, 'the draft on the server');
    assert.deepEqual(visits, [], 'signed in by the ticket the app was opened with');

    // The session ends on the server; the next change finds it out.
    const end = await fetch(new URL('/api/session', app.url), { method: 'DELETE', headers: { Authorization: `Bearer ${first}` } });
    assert.equal(end.status, 204);
    await page.locator(NAME).fill('王一诺二');
    await page.locator(NAME).blur();

    // Reopened through the platform's sign-in, back on the same step (the ticket taken out of
    // the address), signed in anew, with what was typed last.
    await until(async () => visits.length === 1, 'the platform\'s sign-in asked');
    assert.equal(visits[0], step, 'asked to come back to this step');
    const second = await until(async () => {
      const t = await token(page).catch(() => null);
      return t && t !== first && t;
    }, 'signed in again');
    await page.waitForURL(step);
    await page.locator(NAME).waitFor();
    await until(async () => (await page.locator(NAME).inputValue()) === '王一诺二', 'the draft as it was left');
    assert.equal(await page.locator('#session-lost').count(), 0, 'no dead end');
    // The change reaches the server under the new session.
    await until(async () => (await draftsWith(second, app.url)).body?.[0]?.data?.app?.answers?.children?.[0]?.name === '王一诺二', 'the change written after signing in again');
    assert.equal(visits.length, 1, 'once');
    assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  } finally {
    await context.close();
    await app.stop();
    await new Promise((r) => sso.close(r));
    rmSync(dist, { recursive: true, force: true });
  }
});
