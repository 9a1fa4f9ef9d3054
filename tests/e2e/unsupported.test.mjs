// Too old is never a blank page: a browser without what the build needs (a WebAssembly feature,
// WebAssembly itself, fetch) gets a plain page in zh-CN and en saying what to do, instead
// of a first paint that never turns into the app; the app is kept from starting, and a host page
// that embeds it hears why (`unsupported`, docs/embedding.md). The missing feature is removed in
// the browser before any of the page's scripts run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, axeNow, launchBrowser, phonePage, startServer } from './harness.mjs';

const listen = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port)));

let browser;
let server;
let host; // another origin (a proxy to the same server) that serves the embedding demo page
let proxy;
let dist;
before(async () => {
  browser = await launchBrowser();
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  proxy = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  host = `http://127.0.0.1:${await listen(proxy)}`;
  dist = mkdtempSync(join(tmpdir(), 'onething-unsupported-dist-'));
  cpSync(process.env.ONETHING_DIST, dist, { recursive: true });
  writeFileSync(join(dist, 'config.json'), JSON.stringify({ host_origins: [host] }));
  server = await startServer({ staticDir: dist, port, args: ['--frame-ancestors', `'self' ${host}`] });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (proxy) await new Promise((r) => proxy.close(r));
  if (dist) rmSync(dist, { recursive: true, force: true });
});

// What an old engine lacks, removed before the page's own scripts run.
const WITHOUT = {
  // An engine with WebAssembly but without reference types (Chrome before 96, Safari before
  // 15): it refuses the check's module that returns an externref (type 0x6f).
  'reference-types': () => {
    const validate = WebAssembly.validate;
    WebAssembly.validate = function (bytes) {
      const b = new Uint8Array(bytes.buffer || bytes);
      return b.length < 64 && b.includes(0x6f) ? false : validate.call(this, bytes);
    };
  },
  WebAssembly: () => { delete window.WebAssembly; },
  // Tracking without EventSource falls back to polling (tracking.test.mjs), so it is not needed.
  fetch: () => { delete window.fetch; },
};

/** Opens `path` without `feature`; returns the page once the notice is shown. */
async function without(feature, path = '/') {
  const { context, page } = await phonePage(browser);
  await context.addInitScript(WITHOUT[feature]);
  await page.goto(new URL(path, server.url).href);
  await page.locator('#unsupported h1').waitFor();
  return { context, page };
}

/** The app never replaces the notice: nothing of it starts. */
async function appStaysAway(page) {
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('#unsupported').count(), 1, 'the notice stays');
  assert.equal(await page.locator('a.card-link').count(), 0, 'no catalogue that would not work');
  assert.equal(await page.evaluate(() => window.wasmBindings), undefined, 'no wasm instantiated');
}

for (const [feature, path] of [['reference-types', '/'], ['WebAssembly', '/apply/newborn'], ['fetch', '/services/newborn']]) {
  test(`without ${feature}: ${path} says, in both languages, what to do instead of showing a page that never starts`, async () => {
    const { context, page } = await without(feature, path);
    try {
      const text = await page.locator('#unsupported').innerText();
      assert.match(text, /浏览器版本过低/);
      assert.match(text, /更新到最新版本/);
      assert.match(text, /政务服务中心/);
      assert.match(text, /too old/);
      assert.match(text, /Update the app/);
      assert.match(text, new RegExp(`Missing: .*${feature}`));
      assert.equal(await page.locator('#unsupported [lang="en"]').count(), 3, 'the English is marked as English');
      await appStaysAway(page);
      assert.deepEqual(await axeNow(page, `unsupported without ${feature}`), []);
      await page.screenshot({ path: join(artifacts(), `unsupported-${feature}.png`) });
    } finally {
      await context.close();
    }
  });
}

test('a supported browser never sees the notice', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.locator('a.card-link').first().waitFor();
    // The page's own script has run (the catalogue needs no wasm).
    await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
    assert.equal(await page.locator('#unsupported').count(), 0);
    assert.equal(await page.evaluate(() => window.onethingUnsupported), undefined);
  } finally {
    await context.close();
  }
});

test('embedded in a host page, the app tells the host what is missing', async () => {
  const { context, page } = await phonePage(browser);
  try {
    // Init scripts run in every frame: the framed app lacks fetch; the host page has it.
    await context.addInitScript(() => {
      if (window.top !== window) delete window.fetch;
    });
    await page.goto(`${host}/embed-demo?app=${encodeURIComponent(server.url)}`);
    const event = page.locator('#events li[data-type="unsupported"]');
    await event.waitFor();
    const message = JSON.parse(await event.innerText());
    assert.deepEqual(message, { protocol: 'onething', version: 1, type: 'unsupported', missing: ['fetch'] });
  } finally {
    await context.close();
  }
});
