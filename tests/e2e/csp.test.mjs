// The strict Content-Security-Policy of the SPA, in a real browser: every route (home, a
// service landing page, each step of the wizard to a case number with an uploaded photo,
// my applications, an application's detail, a page that does not exist) is visited with
// `securitypolicyviolation` events collected — 0 expected — and a script injected into the page
// the way an XSS would (an inline <script>, an inline event handler, a javascript: URL) is
// blocked. The policy itself: a fresh nonce per response for Trunk's inline loader,
// 'wasm-unsafe-eval' (never 'unsafe-eval'), no 'unsafe-inline' for scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phonePage, serverAndBrowser, watchCsp } from './harness.mjs';
import { exampleApplication, jpeg, next, present, walk } from './wizard.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

test('the policy is strict and carries a fresh nonce for the loader on every response', async () => {
  const seen = new Set();
  for (const path of ['/', '/services/newborn', '/apply/newborn/eligibility', '/applications']) {
    const res = await fetch(new URL(path, server.url));
    const csp = res.headers.get('content-security-policy');
    const html = await res.text();
    const nonce = csp.match(/'nonce-([^']+)'/)[1];
    assert.ok(!seen.has(nonce), 'a new nonce per response');
    seen.add(nonce);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    assert.match(scriptSrc, /'wasm-unsafe-eval'/);
    assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'|\*/);
    assert.match(csp, /object-src 'none'/);
    // `'self'`: the shell's `<base href>` (sub-path deployments) must be allowed, nothing else.
    assert.match(csp, /base-uri 'self'/);
    // Every inline script of the shell carries this response's nonce.
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
      assert.ok(tag.includes(`nonce="${nonce}"`) || /\ssrc=/.test(tag), tag);
    }
  }
});

test('every route, the whole wizard with a photo, and tracking: 0 violations', async () => {
  const id = 'shop-opening';
  const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
  const example = exampleApplication(id);
  const { context, page, errors } = await phonePage(browser);
  const violations = await watchCsp(context);
  const visited = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) visited.push(new URL(f.url()).pathname); });
  try {
    await page.goto(server.url);
    await page.locator('main h1:visible').first().waitFor();
    // Landing page, eligibility, sub-items and every question page, by the shared walker.
    await walk(page, server.url, def, example);
    // The task list, through the wizard's own link (in-app navigation keeps the draft), and back.
    const here = page.url();
    await page.locator(`a[href$="/apply/${id}/tasks"]`).first().click();
    await page.waitForURL(/tasks$/);
    await page.locator('main h1:visible').first().waitFor();
    await page.goBack();
    await page.waitForURL(here);
    await page.locator('main h1:visible').first().waitFor();
    if (page.url().endsWith('/materials')) {
      for (const [mid, choice] of Object.entries(example.materials)) {
        if (!(await present(page, `#material-${mid}`))) continue;
        // The example's photos (workers, blob: URLs and previews run under the policy too).
        if (choice.kind === 'upload') {
          await page.locator(`#material-${mid}-upload`).check();
          for (let i = 0; i < choice.upload_ids.length; i++) {
            // The page's file input: "from the album" where the picker offers camera and album.
            await page.locator(`input#material-${mid}-page-${i}-album, input#material-${mid}-page-${i}`)
              .first().setInputFiles(await jpeg(page));
            await page.locator(`#material-${mid}`).getByText('已上传').nth(i).waitFor();
          }
          continue;
        }
        const satisfier = { e_licence: 'e-licence', commitment: 'commitment', deferred: 'deferred', at_window: 'at-window', upload: 'upload' }[choice.kind];
        await page.locator(`#material-${mid}-${satisfier}`).check();
        if (choice.kind === 'e_licence' || choice.kind === 'commitment') await page.locator(`#material-${mid}-agree`).check();
      }
      await next(page, /check$/);
    }
    await next(page, /declaration$/);
    await page.locator('#declaration-agree').check();
    await page.locator('.bottom-bar button:visible').click();
    await page.waitForURL(/confirmation$/);
    await page.locator('.case-number').waitFor();

    await page.goto(new URL('/applications', server.url).href);
    await page.locator('main h1:visible').first().waitFor();
    const detail = page.locator('main a[href^="/applications/"]').first();
    await detail.click();
    await page.waitForURL(/\/applications\/[^/]+$/);
    await page.locator('main h1:visible').first().waitFor();
    await page.goto(new URL('/no/such/page', server.url).href);
    await page.locator('main h1:visible').first().waitFor();

    for (const step of ['/', `/services/${id}`, 'eligibility', 'sub-items', '/page/', 'tasks', 'materials', 'check', 'declaration', 'confirmation', '/applications', '/applications/']) {
      assert.ok(visited.some((p) => p.includes(step)), `visited ${step}: ${visited.join(' ')}`);
    }
    assert.deepEqual(violations, [], `CSP violations:\n${violations.join('\n')}`);
    assert.deepEqual(errors, []);
    console.log(`figure: CSP: ${new Set(visited).size} routes visited, ${violations.length} violations`);
  } finally {
    await context.close();
  }
});

test('a script injected into the page is blocked', async () => {
  const { context, page } = await phonePage(browser);
  const violations = await watchCsp(context);
  try {
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.locator('main h1:visible').first().waitFor();
    await page.evaluate(() => {
      // What an XSS would try: an inline script, an inline handler, a javascript: URL.
      const s = document.createElement('script');
      s.textContent = 'window.__injected = "script"';
      document.body.append(s);
      const d = document.createElement('div');
      d.innerHTML = '<img src="/does-not-exist.png" onerror="window.__injected = \'handler\'">';
      document.body.append(d);
      const a = document.createElement('a');
      a.href = 'javascript:window.__injected = "url"';
      document.body.append(a);
      a.click();
    });
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => window.__injected), undefined, 'nothing injected ran');
    assert.ok(violations.some((v) => v.startsWith('script-src-elem blocked inline')), violations.join('\n'));
    assert.ok(violations.some((v) => v.startsWith('script-src-attr blocked inline')), violations.join('\n'));
    console.log(`figure: CSP: injected inline script, handler and javascript: URL blocked (${violations.length} violations reported)`);
  } finally {
    await context.close();
  }
});
