// End-to-end harness: starts the real reference server on a free loopback port with a fresh
// data directory, and headless Chromium (Debian's) through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
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

/** Starts the server; resolves to { url, stop } once it prints the address it listens on. */
export async function startServer() {
  const data = mkdtempSync(join(tmpdir(), 'onething-e2e-'));
  const child = spawn(
    need('ONETHING_SERVER_BIN'),
    ['--addr', '127.0.0.1:0', '--data-dir', data, '--services-dir', need('ONETHING_SERVICES'),
     '--static-dir', need('ONETHING_DIST'),
     // The development ticket issuer plays the app platform's part in signing in.
     '--dev-tickets'],
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
