// Signing in from an app platform's landing URL (浙里办 and the like): the platform opens the
// app with `?ticket=`; the app sends it to the server, which asks the platform, server to
// server, whose it is (the generic ticket exchange, configured here with the 浙里办 example shape
// of docs/embedding.md). The platform is a small stand-in on loopback that speaks that shape; the
// server takes every ticket to it (`--ticket-exchange-only`), none to the development issuer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, launchBrowser, phonePage, startServer } from './harness.mjs';

const SECRET = 'platform-app-secret';
const PERSON = { userId: 880012345, userName: '沈思远', mobile: '13800138000', idNum: '11010519491231002X' };

/** The platform's exchange: each ticket once, with the app's secret; a used one is refused. */
function startPlatform() {
  const asked = [];
  const used = new Set();
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let ticket = '';
      try { ticket = JSON.parse(body).ticket ?? ''; } catch { /* not JSON: no ticket */ }
      asked.push({ ticket, secret: req.headers['x-app-secret'] });
      res.setHeader('content-type', 'application/json');
      if (req.headers['x-app-secret'] !== SECRET) {
        res.statusCode = 403;
        res.end(JSON.stringify({ result: 403, errmsg: '无权限' }));
      } else if (!ticket.startsWith('zlb-') || used.has(ticket)) {
        res.end(JSON.stringify({ result: 6001, errmsg: 'ticket已失效' }));
      } else {
        used.add(ticket);
        res.end(JSON.stringify({ result: 0, errmsg: '成功', data: PERSON }));
      }
    });
  });
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${http.address().port}/ticket`;
      resolve({ url, asked, stop: () => new Promise((r) => http.close(r)) });
    });
  });
}

let platform;
let server;
let browser;
let dist;
before(async () => {
  platform = await startPlatform();
  // Deployed in a platform: no development sign-in, the platform's ticket is the only way in.
  dist = mkdtempSync(join(tmpdir(), 'onething-platform-dist-'));
  cpSync(process.env.ONETHING_DIST, dist, { recursive: true });
  const config = JSON.parse(readFileSync(join(dist, 'config.json'), 'utf8'));
  config.features = { ...config.features, dev_sign_in: false };
  writeFileSync(join(dist, 'config.json'), JSON.stringify(config));
  server = await startServer({
    staticDir: dist,
    args: [
      '--ticket-exchange-url', platform.url,
      '--ticket-exchange-header', `X-App-Secret: ${SECRET}`,
      '--ticket-exchange-fields', JSON.stringify({
        subject: '/data/userId', name: '/data/userName', phone: '/data/mobile', id_number: '/data/idNum',
      }),
      '--ticket-exchange-only',
    ],
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await platform?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** The account of the app's session, as the server knows it. */
async function account(page) {
  return page.evaluate(async () => {
    const token = sessionStorage.getItem('onething.session');
    const r = await fetch('/api/session', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: r.status, body: r.ok ? await r.json() : null };
  });
}

test('a landing URL with the platform\'s ticket signs in as the person the platform vouches for', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(new URL('/applications?ticket=zlb-T0001', server.url).href);
    // My applications (empty): the page got past its sign-in, with the ticket gone from the URL.
    await page.locator('text=/您还没有提交过申请|not submitted an application/').first().waitFor({ timeout: 20_000 });
    await page.waitForURL((u) => !u.search.includes('ticket='), { timeout: 10_000 });
    const me = await account(page);
    assert.equal(me.status, 200);
    assert.equal(me.body.account.name, PERSON.userName);
    assert.equal(me.body.account.phone, PERSON.mobile);
    assert.equal(me.body.account.id_number, PERSON.idNum);
    // Asked once, server to server, with the app's credential.
    assert.deepEqual(platform.asked, [{ ticket: 'zlb-T0001', secret: SECRET }]);
    await page.screenshot({ path: join(artifacts(), 'platform-ticket-signed-in.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a used platform ticket says to open the service again from the app, and signs no one in', async () => {
  const { context, page } = await phonePage(browser);
  try {
    const before = platform.asked.length;
    // The ticket of the first test, opened again (a reload of an old link): the platform refuses it.
    await page.goto(new URL('/applications?ticket=zlb-T0001', server.url).href);
    await page.locator('text=/请从应用中重新打开本服务|Open this service again from the app/').first()
      .waitFor({ timeout: 20_000 });
    assert.deepEqual(platform.asked.slice(before), [{ ticket: 'zlb-T0001', secret: SECRET }], 'asked once');
    assert.equal((await account(page)).status, 401, 'no session');
    // Nobody is signed in, so nobody is offered to sign out.
    assert.equal(await page.locator('button', { hasText: /退出登录|Sign out/ }).count(), 0, 'no sign-out button');
    await page.screenshot({ path: join(artifacts(), 'platform-ticket-used.png') });
  } finally {
    await context.close();
  }
});
