// Browser timings for `cargo xtask bench`, against a running server (ONETHING_BENCH_URL):
// content visible (and app-ready) under slow-4G + 4× CPU throttling, Start → the wizard's first
// input after the landing page prefetched it, step changes of the newborn wizard (between pages
// already shown, to pages not shown before, and every step of whole applications) and keystroke
// → validation feedback at 4× CPU (by the probe, and by the browser's Event Timing: event → next
// paint). Every loop is bounded; the browser is closed in `finally`.
// Writes raw samples (milliseconds) as JSON to ONETHING_BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { domId } from '../e2e/wizard.mjs';
import { arm, firstVisits, launchOptions, nextPaint, phone, roundTrip, settle, throttle, toMotherPage, wholeWalk } from './steps.mjs';

const base = process.env.ONETHING_BENCH_URL;
const out = process.env.ONETHING_BENCH_OUT;
if (!base || !out) throw new Error('run through `cargo xtask bench`');
const loads = Number(process.env.ONETHING_BENCH_LOADS || 5);
const roundTrips = Number(process.env.ONETHING_BENCH_ROUND_TRIPS || 16);
const keystrokes = Number(process.env.ONETHING_BENCH_KEYSTROKES || 30);
const firstWays = Number(process.env.ONETHING_BENCH_FIRST_VISITS || 5);
const walks = Number(process.env.ONETHING_BENCH_WALKS || 2);

// Lighthouse's "slow 4G" as DevTools applies it: 150 ms RTT × 3.75, 1.6 Mbit/s down, 750 kbit/s up.
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const url = (path) => new URL(path, base).href;

// What a person sees, not when the app mounts: each load ends when the page's real content is
// visible (rendered, with a size, inside the viewport): the catalogue's newborn card, the
// landing page's title and its sub-item list (the guide's first section), the wizard's first
// input. An init script (not subject to the page's CSP) watches the DOM from the first byte and
// notes `performance.now()` at the first frame where the selector shows.
const CONTENT = {
  home: '.cards a[href$="services/newborn"]',
  landing: '#sub-items-heading',
  // The first step's own content: its first input, or the privacy notice that heads it until
  // the person consents (on a phone the notice fills the first screen, and a page loaded at a
  // deep link stays at its top).
  wizard: '#privacy-notice h2, main input:not([type=hidden])',
  // The same, once the app has taken the prerendered first step over (src/takeover.js): from
  // then on Continue goes on. Before deep links were prerendered, both came together.
  wizardLive: '#app:not([data-prerendered]) #privacy-notice h2, #app:not([data-prerendered]) main input:not([type=hidden])',
};

/** Installs the watcher: `window.__seen[name]` becomes the time `selector` first showed. */
function watch(context, name, selector) {
  return context.addInitScript(({ name, selector }) => {
    window.__seen = window.__seen || {};
    const shown = () => [...document.querySelectorAll(selector)].some((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.top < innerHeight && getComputedStyle(e).visibility !== 'hidden';
    });
    const check = () => {
      if (window.__seen[name] === undefined && document.body && shown()) {
        // The frame that paints it: the next animation frame after the DOM holds it.
        const at = performance.now();
        requestAnimationFrame(() => { if (window.__seen[name] === undefined) window.__seen[name] = Math.max(at, performance.now()); });
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    document.addEventListener('DOMContentLoaded', check);
  }, { name, selector });
}

const seen = (page, name) => page.waitForFunction((n) => window.__seen?.[n], name, { timeout: 60_000 })
  .then((h) => h.jsonValue());

/** Navigation start → the page's content visible, each load in a fresh context (cold cache). */
async function contentVisible(browser, path, what, live) {
  const samples = [];
  const ready = [];
  const taken = [];
  for (let i = 0; i < loads; i++) {
    const context = await phone(browser);
    try {
      await watch(context, what, CONTENT[what]);
      if (live) await watch(context, live, CONTENT[live]);
      const page = await context.newPage();
      await throttle(page, SLOW_4G);
      await page.goto(url(path), { waitUntil: 'commit', timeout: 60_000 });
      samples.push(await seen(page, what));
      if (live) taken.push(await seen(page, live));
      // When the app mounted, for comparison with the figures of earlier rounds.
      await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0, null, { timeout: 60_000 });
      ready.push(await page.evaluate(() => performance.getEntriesByName('app-ready')[0].startTime));
    } finally {
      await context.close();
    }
  }
  return { samples, ready, taken };
}

/**
 * Start on the newborn landing page, after the page has had the time a person takes to read it
 * (the whole app prefetched meanwhile): the tap → the eligibility page's first input visible.
 */
async function startToWizard(browser) {
  const samples = [];
  // The same tap → the app's own first step (taken over, Continue goes on).
  const live = [];
  for (let i = 0; i < loads; i++) {
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await throttle(page, SLOW_4G);
      await page.goto(url('/services/newborn'), { waitUntil: 'commit', timeout: 60_000 });
      const start = page.getByRole('link', { name: '开始办理' });
      await start.waitFor({ timeout: 60_000 });
      // Reading the guide: until the prefetch of the whole app has finished (bounded).
      await page.waitForFunction(
        () => performance.getEntriesByType('resource').some((r) => r.name.includes('onething-full_bg.wasm') && r.responseEnd > 0),
        null,
        { timeout: 60_000 },
      );
      await page.evaluate(({ shown, live }) => {
        let at;
        addEventListener('click', (e) => { if (e.isTrusted) at = e.timeStamp; }, { capture: true, once: true });
        const after = (selector) => new Promise((resolve) => {
          const check = () => {
            if (at === undefined || !document.querySelector(selector)) return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - at));
          };
          const observer = new MutationObserver(check);
          observer.observe(document, { subtree: true, childList: true, attributes: true });
        });
        window.__tap = after(shown);
        window.__live = after(live);
      }, { shown: CONTENT.wizard, live: CONTENT.wizardLive });
      await start.click();
      samples.push(await page.evaluate(() => window.__tap));
      live.push(await page.evaluate(() => window.__live));
    } finally {
      await context.close();
    }
  }
  return { samples, live };
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

// `run(page, url)` in `times` fresh phone contexts, one after the other: its samples together.
async function inFreshContexts(browser, times, run) {
  const out = [];
  for (let i = 0; i < times; i++) {
    const context = await phone(browser);
    try {
      out.push(...(await run(await context.newPage(), url)));
    } finally {
      await context.close();
    }
  }
  return out;
}

const browser = await chromium.launch(launchOptions());
try {
  const home = await contentVisible(browser, '/', 'home');
  const landing = await contentVisible(browser, '/services/newborn', 'landing');
  const deep = await contentVisible(browser, '/apply/newborn/eligibility', 'wizard', 'wizardLive');
  const result = {
    visible_home: home.samples,
    visible_newborn: landing.samples,
    visible_deep_link: deep.samples,
    live_deep_link: deep.taken,
    app_ready_home: home.ready,
    app_ready_newborn: landing.ready,
    app_ready_deep_link: deep.ready,
  };
  const start = await startToWizard(browser);
  result.start_to_wizard = start.samples;
  result.start_to_live = start.live;
  const w = await wizard(browser);
  result.step_back = w.back;
  result.step_continue = w.forward;
  result.keystroke = w.keys;
  result.step_next_paint = w.paint;
  result.keystroke_next_paint = w.keysPaint;
  // Continue to a question page not shown before: two per fresh wizard, all at 4× CPU.
  result.step_first_visit = await inFreshContexts(browser, firstWays, firstVisits);
  // Every step of whole applications, landing page to declaration, at 4× CPU.
  const walked = await inFreshContexts(browser, walks, wholeWalk);
  result.step_whole_walk = walked.map((p) => p.ms);
  result.step_whole_walk_from = walked.map((p) => p.from);
  writeFileSync(out, JSON.stringify(result, null, 2));
} finally {
  await browser.close();
}
