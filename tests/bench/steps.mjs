// What the step-change and keystroke timings share with the trace (`trace.mjs`): the phone, the
// CPU throttling, the probe that times a click or key to the next frame, and the walk to the
// newborn wizard's mother page with the baby page filled.
import { choose, exampleApplication, fill, isoDaysAgo, materials, next, walk } from '../e2e/wizard.mjs';

export const CPU_SLOWDOWN = 4;

export const phone = (browser) =>
  browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

/** 4× CPU (and, with `network`, the given network conditions) on `page`; returns the CDP session. */
export async function throttle(page, network) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  if (network) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', network);
  }
  return cdp;
}

/**
 * Arms a one-shot probe in the page: from the next trusted event of `type` (its timeStamp) until
 * `changed()` holds after a DOM mutation, then the next frame has been produced (rAF, then a task).
 * The interval is also left as a User Timing measure named `bench-<type>` (seen in a trace).
 *
 * Beside it, the browser's own figure for the same event (Event Timing API, as INP measures it):
 * from the event to the next paint after its handlers and their microtasks, in steps of 8 ms.
 * Event Timing reports only events of 16 ms or more; a faster one counts as 16 ms.
 */
export function arm(page, type, probe) {
  return page.evaluate(
    ({ type, probe }) => {
      const h1 = () => document.querySelector('main h1:not([data-away] h1)')?.textContent ?? '';
      const errorShown = () => document.getElementById(probe.id) !== null;
      const before = probe.kind === 'h1' ? h1() : errorShown();
      const changed = () => (probe.kind === 'h1' ? h1() !== before && h1() !== '' : errorShown() !== before);
      let start;
      let entry;
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.name === type && start !== undefined && Math.abs(e.startTime - start) < 1) entry = e.duration;
        }
      });
      observer.observe({ type: 'event', durationThreshold: 16 });
      window.__benchPaint = async () => {
        for (let waited = 0; entry === undefined && waited < 500; waited += 20) {
          await new Promise((r) => setTimeout(r, 20));
        }
        observer.disconnect();
        return entry ?? 16;
      };
      window.__benchDone = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no change within 10 s after ${type}`)), 10_000);
        addEventListener(type, (e) => { if (e.isTrusted) start = e.timeStamp; }, { capture: true, once: true });
        const observer = new MutationObserver(() => {
          if (start === undefined || !changed()) return;
          observer.disconnect();
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              clearTimeout(timer);
              const end = performance.now();
              performance.measure(`bench-${type}`, { start, end });
              resolve(end - start);
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

export const settle = (page) => page.evaluate(() => window.__benchDone);

/** The Event Timing duration of the event the last `arm` saw (call after `settle`). */
export const nextPaint = (page) => page.evaluate(() => window.__benchPaint());

async function continueTo(page, pattern) {
  await page.locator('.bottom-bar button:visible, .bottom-bar a:visible').first().click();
  await page.waitForURL(pattern, { timeout: 10_000 });
  await page.locator('main h1:visible').first().waitFor();
}

/** Opens the newborn wizard (`url` makes a path absolute), answers eligibility, ends on the sub-items page; returns the baby's birth date. */
async function toSubItems(page, url) {
  await page.goto(url('/services/newborn'));
  await page.locator('a[href$="apply/newborn"]').first().click();
  await page.waitForURL(/\/apply\/newborn\/eligibility$/);
  const birth = isoDaysAgo(3);
  await choose(page, 'eligibility.born_in_province_hospital', true);
  await fill(page, 'eligibility.birth_date', birth);
  await choose(page, 'eligibility.first_application', true);
  await choose(page, 'eligibility.certificate_issued', false);
  await choose(page, 'eligibility.parents_hukou', 'both_local');
  await choose(page, 'eligibility.mother_employee_insured', true);
  await continueTo(page, /sub-items$/);
  return birth;
}

async function fillBabyPage(page, birth) {
  const p = (f) => `answers.children[0].${f}`;
  await fill(page, p('name'), '王一诺');
  await choose(page, p('sex'), 'female');
  await fill(page, p('birth_datetime'), `${birth}T08:30`);
  await fill(page, p('gestational_weeks'), 38);
  await fill(page, p('weight_g'), 2900);
  await fill(page, p('length_cm'), 49);
  await fill(page, p('hospital'), '湖州市妇幼保健院');
  await fill(page, p('ethnicity'), '汉族');
  await choose(page, p('health'), 'good');
  await choose(page, p('birthplace_class'), 'mch_hospital');
}

/** Opens the newborn wizard (`url` makes a path absolute), answers eligibility and the baby page, ends on the mother page. */
export async function toMotherPage(page, url) {
  const birth = await toSubItems(page, url);
  await continueTo(page, /page\/baby$/);
  await fillBabyPage(page, birth);
  await continueTo(page, /page\/mother$/);
}

/**
 * Continue to `pattern`, a page not shown before, at 4× CPU (already on): after a second on the
 * page, where a person reads and answers for many (what the app builds meanwhile, it builds at
 * the phone's speed), click → the new page's frame by the probe.
 */
async function continueToNew(page, pattern) {
  await page.waitForTimeout(1000);
  await arm(page, 'click', { kind: 'h1' });
  await page.locator('.bottom-bar button:visible').first().click();
  const ms = await settle(page);
  await page.waitForURL(pattern);
  return ms;
}

/**
 * A person's first way through two question pages, in a fresh wizard, all at 4× CPU: Continue
 * from the sub-items to the baby page and from the filled baby page to the mother page, each
 * shown for the first time (most of a person's steps are such first visits; the app may build a
 * page ahead while the one before is read). Returns the two timings.
 */
export async function firstVisits(page, url) {
  const cdp = await throttle(page);
  const birth = await toSubItems(page, url);
  const toBaby = await continueToNew(page, /page\/baby$/);
  await fillBabyPage(page, birth);
  const toMother = await continueToNew(page, /page\/mother$/);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await cdp.detach();
  return [toBaby, toMother];
}

/**
 * One round trip between the two filled pages: Back (mother → baby), Continue (baby → mother); each
 * by the probe and by Event Timing (`…Paint`).
 */
export async function roundTrip(page) {
  await arm(page, 'click', { kind: 'h1' });
  await page.locator('a.back-link:visible').first().click();
  const back = await settle(page);
  const backPaint = await nextPaint(page);
  await page.waitForURL(/page\/baby$/);
  await arm(page, 'click', { kind: 'h1' });
  await page.locator('.bottom-bar button:visible').first().click();
  const forward = await settle(page);
  const forwardPaint = await nextPaint(page);
  await page.waitForURL(/page\/mother$/);
  return { back, forward, backPaint, forwardPaint };
}

/**
 * A whole newborn application at 4× CPU, from the landing page to the declaration, as the
 * browser tests walk it (each step's answers filled, then its button pressed): every press of
 * the bottom bar's button on the way (Start on the landing page, Continue on each step), click
 * → next paint by Event Timing (16 ms when the browser reports none: it reports only events of
 * 16 ms or more). Returns `{ ms, from }` per press, `from` the path of the step it was pressed
 * on.
 */
export async function wholeWalk(page, url) {
  const def = await (await fetch(url('/api/services/newborn'))).json();
  await page.addInitScript(() => {
    window.__presses = [];
    addEventListener('click', (e) => {
      if (!e.isTrusted || !(e.target.closest && e.target.closest('.bottom-bar'))) return;
      window.__presses.push({ at: e.timeStamp, from: location.pathname, ms: 16 });
    }, { capture: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const press = e.name === 'click' && window.__presses.find((p) => Math.abs(p.at - e.startTime) < 1);
        if (press) press.ms = e.duration;
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  });
  const cdp = await throttle(page);
  const example = exampleApplication('newborn');
  await walk(page, url('/'), def, example);
  await materials(page, def, example);
  await next(page, /check$/);
  await next(page, /declaration$/);
  // The last press's entry comes after its paint.
  await page.waitForTimeout(500);
  const presses = await page.evaluate(() => window.__presses.map(({ ms, from }) => ({ ms, from })));
  await cdp.detach();
  return presses;
}

export const launchOptions = () => ({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
