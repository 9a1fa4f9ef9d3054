// Browser timings for `cargo xtask bench`, against a running server (ONETHING_BENCH_URL):
// app-ready under slow-4G + 4× CPU throttling, step changes of the newborn wizard and keystroke →
// validation feedback at 4× CPU (by the probe, and by the browser's Event Timing: event → next
// paint). Every loop is bounded; the browser is closed in `finally`.
// Writes raw samples (milliseconds) as JSON to ONETHING_BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { domId } from '../e2e/wizard.mjs';
import { arm, launchOptions, nextPaint, phone, roundTrip, settle, throttle, toMotherPage } from './steps.mjs';

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
const url = (path) => new URL(path, base).href;

/** Navigation start → `performance.mark('app-ready')`, each load in a fresh context (cold cache). */
async function appReady(browser, path) {
  const samples = [];
  for (let i = 0; i < loads; i++) {
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await throttle(page, SLOW_4G);
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

async function wizard(browser) {
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    // Reach the mother page with the baby page filled, unthrottled: only the measured part runs
    // at 4× CPU.
    await toMotherPage(page, url);

    const cdp = await throttle(page);
    // Back and forth between two filled pages: Back (mother → baby), Continue (baby → mother).
    const back = [];
    const forward = [];
    const paint = [];
    for (let i = 0; i < roundTrips; i++) {
      const t = await roundTrip(page);
      back.push(t.back);
      forward.push(t.forward);
      paint.push(t.backPaint, t.forwardPaint);
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
    const keysPaint = [];
    for (let i = 0; i < keystrokes; i++) {
      await arm(page, 'keydown', { kind: 'error', id: errorId });
      await page.keyboard.press(i % 2 === 0 ? 'Backspace' : '3');
      keys.push(await settle(page));
      keysPaint.push(await nextPaint(page));
    }
    await cdp.detach();
    return { back, forward, paint, keys, keysPaint };
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch(launchOptions());
try {
  const result = {
    app_ready_home: await appReady(browser, '/'),
    app_ready_newborn: await appReady(browser, '/services/newborn'),
    app_ready_deep_link: await appReady(browser, '/apply/newborn/eligibility'),
  };
  const w = await wizard(browser);
  result.step_back = w.back;
  result.step_continue = w.forward;
  result.keystroke = w.keys;
  result.step_next_paint = w.paint;
  result.keystroke_next_paint = w.keysPaint;
  writeFileSync(out, JSON.stringify(result, null, 2));
} finally {
  await browser.close();
}
