// Sign-in with OIDC in a plain browser (H5), against a real provider on loopback
// (`oidc-provider`, see oidc-provider.mjs): with `features.oidc_sign_in` in config.json, a page
// that needs an account sends the browser to the server's `/api/session/oidc/start`, which sends
// it on to the provider's login page; the person logs in there and grants access, the server
// exchanges the code (PKCE), checks the ID token (its RS256 signature against the provider's
// published keys, issuer, audience, expiry, nonce), reads the claims and brings the browser back
// to the page it left, signed in as the person the provider vouched for. Then they sign out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, launchBrowser, phonePage, startServer } from './harness.mjs';
import { PERSON, startProvider } from './oidc-provider.mjs';

let provider;
let server;
let browser;
let dist;
before(async () => {
  provider = await startProvider();
  dist = mkdtempSync(join(tmpdir(), 'onething-oidc-dist-'));
  cpSync(process.env.ONETHING_DIST, dist, { recursive: true });
  const config = JSON.parse(readFileSync(join(dist, 'config.json'), 'utf8'));
  config.features = { ...config.features, oidc_sign_in: true };
  writeFileSync(join(dist, 'config.json'), JSON.stringify(config));
  server = await startServer({
    staticDir: dist,
    args: ['--oidc-issuer', provider.issuer, '--oidc-scopes', 'openid profile phone id_number'],
  });
  provider.register(new URL('/api/session/oidc/callback', server.url).href);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await provider?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** At the provider: logs in on its development login page and grants access, as asked. */
async function atProvider(page) {
  await page.waitForURL((u) => u.href.startsWith(provider.issuer), { timeout: 20_000 });
  for (let i = 0; i < 4 && page.url().startsWith(provider.issuer); i += 1) {
    await page.waitForSelector('button[type=submit]', { timeout: 10_000 }).catch(() => {});
    if (!page.url().startsWith(provider.issuer)) break;
    if (await page.locator('input[name=login]').count()) {
      await page.fill('input[name=login]', 'citizen-1');
      await page.fill('input[name=password]', 'any');
    }
    await Promise.all([
      page.waitForURL((u) => true, { waitUntil: 'commit' }).catch(() => {}),
      page.click('button[type=submit]'),
    ]);
    await page.waitForLoadState('domcontentloaded').catch(() => {});
  }
}

/** Waits until the app holds a session again, through the provider's pages if it shows any. */
async function signedInAgain(page) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      if (page.url().startsWith(provider.issuer)) {
        await atProvider(page);
      } else if (!page.url().includes('ticket=')
        && await page.evaluate(() => Boolean(sessionStorage.getItem('onething.session')))) {
        return;
      }
    } catch {
      // A navigation in between: look again.
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`not signed in again; at ${page.url()}`);
}

test('a page that needs an account signs in at the OIDC provider and comes back signed in', async () => {
  const { context, page, errors } = await phonePage(browser);
  // Nothing leaves the machine (the provider's pages name a web font).
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (r) => r.abort());
  try {
    await page.goto(new URL('/applications', server.url).href);
    // The provider's development login page: any login and password.
    await atProvider(page);
    // Back in the app, on the page it left, signed in.
    await page.waitForURL((u) => u.href.startsWith(server.url) && u.pathname === '/applications', { timeout: 20_000 });
    // My applications loaded (empty): the page got past its sign-in.
    await page.locator('text=/您还没有提交过申请|not submitted an application/').first().waitFor({ timeout: 20_000 });
    const signOut = page.locator('button', { hasText: /退出登录|Sign out/ });
    await page.waitForURL((u) => !u.search.includes('ticket='), { timeout: 10_000 });
    const account = await page.evaluate(async () => {
      const token = sessionStorage.getItem('onething.session');
      const r = await fetch('/api/session', { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(account.status, 200);
    assert.equal(account.body.account.name, PERSON.name);
    assert.equal(account.body.account.phone, PERSON.phone_number);
    assert.equal(account.body.account.id_number, PERSON.id_number);
    // The same provider login is the same account the next time.
    const first = account.body.account.id;
    await page.screenshot({ path: join(artifacts(), 'oidc-signed-in.png') });

    await signOut.click();
    await page.locator('#signed-out').waitFor({ timeout: 10_000 });
    const after = await page.evaluate(async () => (await fetch('/api/session')).status);
    assert.equal(after, 401, 'signed out on the server too');

    // Signing in again (the provider remembers its own session) lands on the same account.
    // The provider may remember its own session and grant, and send the browser straight back.
    await page.goto(new URL('/applications', server.url).href);
    await signedInAgain(page);
    const again = await page.evaluate(async () => {
      const token = sessionStorage.getItem('onething.session');
      const r = await fetch('/api/session', { headers: { authorization: `Bearer ${token}` } });
      return r.json();
    });
    assert.equal(again.account.id, first);
    assert.deepEqual(errors.filter((e) => !/net::ERR_FAILED|Failed to load resource/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('a callback that was not started in this browser is refused with a typed error', async () => {
  const r = await fetch(new URL('/api/session/oidc/callback?code=x&state=forged', server.url), { redirect: 'manual' });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).code, 'ticket_invalid');
});
