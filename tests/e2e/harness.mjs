// End-to-end harness: starts the real reference server on a free loopback port with a fresh
// data directory, and headless Chromium (Debian's) through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { after, before } from 'node:test';

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the end-to-end tests through \`cargo xtask test\``);
  return v;
};

export const artifacts = () => {
  const dir = need('ONETHING_ARTIFACTS');
  mkdirSync(dir, { recursive: true });
  return dir;
};

/**
 * Starts the server; resolves to { url, stop } once it prints the address it listens on.
 * `adminToken` turns on the departments' admin API with that bearer token; `staticDir` serves
 * another build directory; `port` listens on that port; `args` are extra server flags.
 */
export async function startServer({ adminToken, staticDir, port = 0, args = [] } = {}) {
  const data = mkdtempSync(join(tmpdir(), 'onething-e2e-'));
  const child = spawn(
    need('ONETHING_SERVER_BIN'),
    ['--addr', `127.0.0.1:${port}`, '--data-dir', data, '--services-dir', need('ONETHING_SERVICES'),
     '--static-dir', staticDir ?? need('ONETHING_DIST'),
     // The development ticket issuer plays the app platform's part in signing in.
     '--dev-tickets',
     ...(adminToken ? ['--admin-token', adminToken] : []), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${log}`)), 30_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${log}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(data, { recursive: true, force: true });
  };
  return { url, stop, log: () => log, data };
}

const CHROMIUM = {
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
};

/** Launches headless Chromium. The caller closes it in a `finally`/`after`. */
export function launchBrowser() {
  return chromium.launch(CHROMIUM);
}

/**
 * The reference server (`startServer(options)`) and headless Chromium for a whole test file:
 * started before its first test and handed to `use(server, browser)` (awaited: the file's own
 * preparation goes there), stopped after its last test.
 */
export function serverAndBrowser(options, use) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(options);
    browser = await launchBrowser();
    await use(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/**
 * Launches headless Chromium on a profile directory that outlives it (closing and launching
 * again on the same directory is a browser restart), as a phone-sized context.
 */
export function launchProfile(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, {
    ...CHROMIUM, viewport: { width: 360, height: 780 }, deviceScaleFactor: 2,
  });
}

/**
 * A loopback TCP proxy to `target` (the server's URL) that caps the client-to-server direction
 * at `bytesPerSecond`, like a phone's uplink, and delays the server's answers by `rttMs` (the
 * round trip, added on the way back). Resolves to { url, close }.
 */
export async function slowUplink(target, bytesPerSecond, rttMs = 0) {
  const { port } = new URL(target);
  const sockets = new Set();
  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect(Number(port), '127.0.0.1');
    client.on('data', (chunk) => {
      client.pause();
      upstream.write(chunk);
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.on('data', (chunk) => {
      if (rttMs > 0) setTimeout(() => client.write(chunk), rttMs);
      else client.write(chunk);
    });
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => {
      server.close(resolve);
      for (const s of sockets) s.destroy();
    }),
  };
}

/** A phone-sized page (360×780) that records console errors and uncaught exceptions. */
export async function phonePage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return { context, page, errors };
}

/** Holds the whole app's wasm back (20 s at most) until the function it resolves to is called. */
export async function holdWholeApp(context) {
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await context.route(/onething-full_bg\.wasm/, async (route) => {
    await Promise.race([released, new Promise((r) => setTimeout(r, 20_000))]);
    await route.continue();
  });
  return release;
}

/**
 * Resolves once the whole app has taken over the page the build prerendered for it (a wizard's
 * first step: `src/takeover.js` replaces `#app[data-prerendered]` with its own page).
 */
export function tookOver(page, timeout = 60_000) {
  return page.waitForFunction(() => {
    const app = document.getElementById('app');
    return !!app && !app.hasAttribute('data-prerendered');
  }, null, { timeout });
}

const axeSource = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** Runs axe-core (WCAG 2.x A and AA rules) on the page (or frame) as it is; returns readable violations. */
export async function axeNow(page, label) {
  // Evaluated through the DevTools protocol, so the page's CSP (nonce-only scripts) stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations.map((v) => `${label}: ${v}`);
}

/**
 * Checks the current page in all four presentations a person can choose: zh-CN and en, normal
 * and elder mode (长辈版), switching with the page's own buttons and back. Returns violations.
 * Leaves a 360 px screenshot of the elder-mode and English presentations in the artifacts
 * (`a11y-<name>-zh-elder.png`, `a11y-<name>-en.png`) to look at.
 */
export async function a11y(page, name) {
  const found = [];
  const toggle = (label) => (['English', '中文'].includes(label)
    ? switchLanguage(page, label)
    : page.locator('.top-bar button.chip').filter({ hasText: label }).click());
  const shot = (variant) => page.screenshot({
    path: join(artifacts(), `a11y-${name.replace(/[^a-z0-9]+/gi, '-')}-${variant}.png`),
    fullPage: true,
  });
  // axe, and the 360 px rule: nothing wider than the screen (no sideways scrolling).
  const check = async (label) => {
    found.push(...await axeNow(page, label));
    const wide = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      return [...document.querySelectorAll('main *')]
        .filter((e) => e.getBoundingClientRect().right > w + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ')[0]}` : ''}`)
        .slice(0, 3);
    });
    if (wide.length) found.push(`${label}: wider than the screen: ${wide.join(', ')}`);
  };
  await check(`${name} zh`);
  await toggle('长辈版');
  await check(`${name} zh elder`);
  await shot('zh-elder');
  await toggle('English');
  await check(`${name} en elder`);
  await toggle('Large text');
  await check(`${name} en`);
  await shot('en');
  await toggle('中文');
  return found;
}

/**
 * Clicks the top bar's language switch (`label`: 'English' or '中文') and resolves once the page
 * is in the other language and answers input: on the catalogue and the landing pages that is the
 * same page loaded again from the server (src/first.js), in the whole app the page re-rendered.
 */
export async function switchLanguage(page, label, timeout = 15_000) {
  const before = await page.evaluate(() => document.documentElement.lang);
  await page.locator('.top-bar button.chip').filter({ hasText: label }).click();
  const until = Date.now() + timeout;
  for (;;) {
    const done = await page.evaluate((b) => document.documentElement.lang !== b
      && document.readyState === 'complete'
      && performance.getEntriesByName('app-ready').length > 0, before)
      // The page is being replaced by its copy in the other language.
      .catch(() => false);
    if (done) return;
    if (Date.now() > until) throw new Error(`the page did not switch from ${before} in ${timeout} ms`);
    await page.waitForTimeout(50);
  }
}

/**
 * Starts Debian's Chromium as a process of our own on profile `userDataDir` and connects to it,
 * so a test can kill it (SIGKILL, by its PID) as a phone kills a webview. Resolves to
 * { browser, context, kill }.
 */
export async function crashableProfile(userDataDir) {
  const child = spawn(CHROMIUM.executablePath, [
    ...CHROMIUM.args, '--headless=new', `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0',
    '--window-size=360,780', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ws = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 30_000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited (${code}):\n${err}`)); });
  });
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  const kill = async () => {
    // Gone already (killed before: then it has a signal, not an exit code).
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  return { browser, context, kill };
}

/**
 * Collects the page's Content-Security-Policy violations (`securitypolicyviolation` events,
 * reported on every document the context loads) into the returned array. Call before the
 * first navigation.
 */
export async function watchCsp(context) {
  const violations = [];
  await context.exposeBinding('__reportCsp', (_source, v) => violations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${location.pathname}`
        + ` (${e.sourceFile || 'document'}:${e.lineNumber}) ${e.sample || ''}`);
    });
  });
  return violations;
}

/**
 * Moves sub-item `item` of case `caseNo` to status `to` through the admin API of `server` (started
 * with `adminToken`), as a department would; `extra` adds fields (a note, a delivery). Asserts 200.
 */
export async function advanceItem(server, adminToken, caseNo, item, to, extra = {}) {
  const r = await fetch(new URL(`/api/admin/applications/${caseNo}/items/${item}`, server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ to, ...extra }),
  });
  if (r.status !== 200) throw new Error(`${item} → ${to}: ${r.status} ${await r.text()}`);
}

/** A development ticket from `server`'s issuer (the app platform's part) for `body` ({ subject, name, … }). */
export async function devTicket(server, body) {
  const r = await fetch(new URL('/api/dev/tickets', server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status !== 201) throw new Error(`dev ticket: ${r.status} ${await r.text()}`);
  return (await r.json()).ticket;
}
