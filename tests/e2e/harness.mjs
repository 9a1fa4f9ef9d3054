// End-to-end harness: starts the real reference server on a free loopback port with a fresh
// data directory, and headless Chromium (Debian's) through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

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
 * `adminToken` turns on the departments' admin API with that bearer token.
 */
export async function startServer({ adminToken } = {}) {
  const data = mkdtempSync(join(tmpdir(), 'onething-e2e-'));
  const child = spawn(
    need('ONETHING_SERVER_BIN'),
    ['--addr', '127.0.0.1:0', '--data-dir', data, '--services-dir', need('ONETHING_SERVICES'),
     '--static-dir', need('ONETHING_DIST'),
     // The development ticket issuer plays the app platform's part in signing in.
     '--dev-tickets',
     ...(adminToken ? ['--admin-token', adminToken] : [])],
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
  return { url, stop, log: () => log };
}

/** Launches headless Chromium. The caller closes it in a `finally`/`after`. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
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

const axeSource = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** Runs axe-core (WCAG 2.x A and AA rules) on the page as it is; returns readable violations. */
async function axeNow(page, label) {
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
 */
export async function a11y(page, name) {
  const found = [];
  const toggle = (label) => page.locator('.top-bar button.chip').filter({ hasText: label }).click();
  found.push(...await axeNow(page, `${name} zh`));
  await toggle('长辈版');
  found.push(...await axeNow(page, `${name} zh elder`));
  await toggle('English');
  found.push(...await axeNow(page, `${name} en elder`));
  await toggle('Large text');
  found.push(...await axeNow(page, `${name} en`));
  await toggle('中文');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  return found;
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
