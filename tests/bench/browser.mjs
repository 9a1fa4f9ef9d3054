// Browser timings for `cargo xtask bench`, against a running server (ONETHING_BENCH_URL):
// app-ready under slow-4G + 4× CPU throttling, step changes of the newborn wizard and keystroke →
// validation feedback at 4× CPU. Every loop is bounded; the browser is closed in `finally`.
// Writes raw samples (milliseconds) as JSON to ONETHING_BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { choose, domId, fill, isoDaysAgo } from '../e2e/wizard.mjs';

const base = process.env.ONETHING_BENCH_URL;
const out = process.env.ONETHING_BENCH_OUT;
if (!base || !out) throw new Error('run through `cargo xtask bench`');
const loads = Number(process.env.ONETHING_BENCH_LOADS || 5);
const roundTrips = Number(process.env.ONETHING_BENCH_ROUND_TRIPS || 16);
const keystrokes = Number(process.env.ONETHING_BENCH_KEYSTROKES || 30);

// Lighthouse's "slow 4G" as DevTools applies it: 150 ms RTT × 3.75, 1.6 Mbit/s down, 750 kbit/s up.
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const CPU_SLOWDOWN = 4;

const url = (path) => new URL(path, base).href;

async function throttle(page, { network }) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  if (network) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  }
  return cdp;
}

const phone = (browser) =>
  browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

/** Navigation start → `performance.mark('app-ready')`, each load in a fresh context (cold cache). */
async function appReady(browser, path) {
  const samples = [];
  for (let i = 0; i < loads; i++) {
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await throttle(page, { network: true });
      await page.goto(url(path), { waitUntil: 'commit', timeout: 60_000 });
      await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0, null, {
        timeout: 60_000,
      });
      samples.push(await page.evaluate(() => performance.getEntriesByName('app-ready')[0].startTime));
    } finally {
      await context.close();
    }
  }
  return samples;
}

/**
 * Arms a one-shot probe in the page: from the next trusted event of `type` (its timeStamp) until
 * `changed()` holds after a DOM mutation, then the next frame has been produced (rAF, then a task).
 */
function arm(page, type, probe) {
  return page.evaluate(
    ({ type, probe }) => {
      const h1 = () => document.querySelector('main h1')?.textContent ?? '';
      const errorShown = () => document.getElementById(probe.id) !== null;
      const before = probe.kind === 'h1' ? h1() : errorShown();
      const changed = () => (probe.kind === 'h1' ? h1() !== before && h1() !== '' : errorShown() !== before);
      window.__benchDone = new Promise((resolve, reject) => {
        let start;
        const timer = setTimeout(() => reject(new Error(`no change within 10 s after ${type}`)), 10_000);
        addEventListener(type, (e) => { if (e.isTrusted) start = e.timeStamp; }, { capture: true, once: true });
        const observer = new MutationObserver(() => {
          if (start === undefined || !changed()) return;
          observer.disconnect();
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              clearTimeout(timer);
              resolve(performance.now() - start);
            };
            channel.port2.postMessage(null);
          });
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
    },
    { type, probe },
  );
}

const settle = (page) => page.evaluate(() => window.__benchDone);

async function wizard(browser) {
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    // Reach the baby page and fill it, unthrottled: only the measured part runs at 4× CPU.
    await page.goto(url('/services/newborn'));
    await page.locator('a[href="/apply/newborn"]').first().click();
    await page.waitForURL(/\/apply\/newborn\/eligibility$/);
    const birth = isoDaysAgo(3);
    await choose(page, 'eligibility.born_in_province_hospital', true);
    await fill(page, 'eligibility.birth_date', birth);
    await choose(page, 'eligibility.first_application', true);
    await choose(page, 'eligibility.parents_hukou', 'both_local');
    await choose(page, 'eligibility.mother_employee_insured', true);
    await continueTo(page, /sub-items$/);
    await continueTo(page, /page\/baby$/);
    const p = (f) => `answers.children[0].${f}`;
    await fill(page, p('name'), '王一诺');
    await choose(page, p('sex'), 'female');
    await fill(page, p('birth_datetime'), `${birth}T08:30`);
    await fill(page, p('gestational_weeks'), 38);
    await fill(page, p('weight_g'), 2900);
    await fill(page, p('length_cm'), 49);
    await fill(page, p('hospital'), '湖州市妇幼保健院');
    await continueTo(page, /page\/mother$/);

    const cdp = await throttle(page, { network: false });
    // Back and forth between two filled pages: Back (mother → baby), Continue (baby → mother).
    const back = [];
    const forward = [];
    for (let i = 0; i < roundTrips; i++) {
      await arm(page, 'click', { kind: 'h1' });
      await page.locator('a.back-link').first().click();
      back.push(await settle(page));
      await page.waitForURL(/page\/baby$/);
      await arm(page, 'click', { kind: 'h1' });
      await page.locator('.bottom-bar button').first().click();
      forward.push(await settle(page));
      await page.waitForURL(/page\/mother$/);
    }

    // Keystroke → validation feedback: a left (touched) mobile number loses and regains its last
    // digit, so each key shows or clears the field's error.
    const phoneInput = page.locator(`#${domId('answers.mother_phone')}`);
    await phoneInput.fill('13905720123');
    await phoneInput.blur();
    await phoneInput.focus();
    await page.keyboard.press('End');
    const errorId = `${domId('answers.mother_phone')}-error`;
    const keys = [];
    for (let i = 0; i < keystrokes; i++) {
      await arm(page, 'keydown', { kind: 'error', id: errorId });
      await page.keyboard.press(i % 2 === 0 ? 'Backspace' : '3');
      keys.push(await settle(page));
    }
    await cdp.detach();
    return { back, forward, keys };
  } finally {
    await context.close();
  }
}

async function continueTo(page, pattern) {
  await page.locator('.bottom-bar button, .bottom-bar a').first().click();
  await page.waitForURL(pattern, { timeout: 10_000 });
  await page.locator('main h1').first().waitFor();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const result = {
    app_ready_home: await appReady(browser, '/'),
    app_ready_newborn: await appReady(browser, '/services/newborn'),
  };
  const w = await wizard(browser);
  result.step_back = w.back;
  result.step_continue = w.forward;
  result.keystroke = w.keys;
  writeFileSync(out, JSON.stringify(result, null, 2));
} finally {
  await browser.close();
}
