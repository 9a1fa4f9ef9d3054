// The whole product on other days than today. Rules like "the baby is under one year old" or "the
// survey is at least two days away" depend on the date, and the examples were once valid only on
// the day they were written. For each test day, the server runs on a development clock set to
// that day (`--dev-clock`), the browser's `Date` reads the same instant and runs on (an injected
// `Date`) in China's time zone, and:
// - the newborn one-thing is walked through the wizard from its landing page to a case number,
//   its example's moving dates shifted to that day (the parents' birth dates, which their ID
//   numbers embed, never move);
// - every other one-thing's example, shifted the same way, is submitted through the API and
//   accepted by the server's engine on that day.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, phonePage, startServer } from './harness.mjs';
import { addDays, chinaDay, exampleApplication, submitThroughApi, walkToCase } from './wizard.mjs';

/** The next 29 February on or after `iso`. */
function nextLeapDay(iso) {
  for (let y = Number(iso.slice(0, 4)); ; y++) {
    const d = `${y}-02-29`;
    if (new Date(`${d}T00:00:00Z`).getUTCDate() === 29 && d >= iso) return d;
  }
}

const today = chinaDay();
const DAYS = [
  ['today', today],
  ['tomorrow', addDays(today, 1)],
  ['in 400 days', addDays(today, 400)],
  ['a 29 February', nextLeapDay(today)],
  ["New Year's Eve", `${today.slice(0, 4)}-12-31`],
];
const OTHERS = ['shop-opening', 'utility-connection', 'film-shooting', 'youth-rural', 'ship-subsidy', 'enterprise-issue'];

/**
 * Moves the page's clock to `at` and lets it run on from there: `Date` (what the app reads for
 * "today") is the real one shifted, so timers, animation frames and the draft sync keep their
 * real pace (a frozen clock would make every autosave look simultaneous).
 */
const shiftClock = (context, at) => context.addInitScript((target) => {
  const Real = Date;
  const offset = target - Real.now();
  class Shifted extends Real {
    constructor(...args) {
      if (args.length === 0) super(Real.now() + offset);
      else super(...args);
    }
    static now() { return Real.now() + offset; }
  }
  globalThis.Date = Shifted;
}, at.getTime());

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

for (const [name, day] of DAYS) {
  test(`${name} (${day}): the newborn wizard reaches a case number, every example is accepted`, async () => {
    const server = await startServer({ args: ['--dev-clock', day] });
    // 10:00 in China on that day, the instant the server's clock starts at.
    const at = new Date(`${day}T10:00:00+08:00`);
    const wizard = await phonePage(browser, { timezoneId: 'Asia/Shanghai' });
    const api = await phonePage(browser, { timezoneId: 'Asia/Shanghai' });
    try {
      const { page, errors } = wizard;
      await shiftClock(wizard.context, at);
      const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
      const newborn = exampleApplication('newborn', day);
      const caseNumber = await walkToCase(page, def, newborn, new URL('/services/newborn', server.url).href);
      assert.ok(caseNumber.length >= 8, caseNumber);
      assert.equal(await page.evaluate(() => new Date().toISOString().slice(0, 10)), day, 'the page reads the test day');
      assert.deepEqual(errors, []);

      // Every other example, by another person in another browser context.
      await shiftClock(api.context, at);
      await api.page.goto(server.url);
      for (const id of OTHERS) {
        const other = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
        const created = await submitThroughApi(api.page, exampleApplication(id, day), { subject: `dates-${id}-${day}`, name: '李想' }, other);
        assert.ok(created.case_number, `${id} on ${day}: ${JSON.stringify(created)}`);
      }
    } finally {
      await wizard.context.close();
      await api.context.close();
      await server.stop();
    }
  });
}
