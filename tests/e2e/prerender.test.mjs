// The first screen needs no wasm: the catalogue and every landing page come as HTML with their
// content (rendered at build time by the SPA's own components), readable and navigable with
// JavaScript off; with it on, the page's own small script (src/first.js) makes them work as they
// are, with no layout shift, no wasm and no request for what the page already holds; a deep link
// into the wizard loads the whole app at once, not the first page's module first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, axeNow, holdWholeApp, phonePage, serverAndBrowser, tookOver } from './harness.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const url = (path) => new URL(path, server.url).href;

/** Records every layout shift not caused by the person's input (`shifts(page)` sums them). */
const watchShifts = (context) => context.addInitScript(() => {
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
  }).observe({ type: 'layout-shift', buffered: true });
});
const shifts = (page) => page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));

test('with JavaScript off, the catalogue and a landing page are readable and their links work', async () => {
  const { context, page } = await phonePage(browser, { javaScriptEnabled: false });
  try {
    const styles = [];
    page.on('request', (r) => { if (r.resourceType() === 'stylesheet') styles.push(r.url()); });
    await page.goto(url('/'));
    assert.equal(await page.locator('main h1').innerText(), '办事服务');
    // Styled by the page's own bytes: no stylesheet to wait for before the first paint.
    assert.equal(await page.locator('.top-bar').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(31, 95, 191)');
    assert.deepEqual(styles, []);
    const card = page.locator('.cards a.card-link').filter({ hasText: '新生儿出生一件事' });
    assert.match(await card.innerText(), /6 个事项/);
    await page.screenshot({ path: join(artifacts(), 'prerendered-catalogue.png'), fullPage: true });

    await card.click();
    await page.waitForURL(/\/services\/newborn$/);
    assert.equal(await page.title(), '新生儿出生一件事 — 一件事');
    assert.equal(await page.locator('main h1').innerText(), '新生儿出生一件事');
    assert.equal(await page.locator('ol.sub-items > li').count(), 6);
    assert.match(await page.locator('.bottom-bar a').getAttribute('href'), /apply\/newborn$/);
    await page.screenshot({ path: join(artifacts(), 'prerendered-landing.png'), fullPage: true });

    await page.getByRole('link', { name: '返回办事服务' }).click();
    await page.waitForURL(url('/'));
    assert.equal(await page.locator('.cards li').count(), 7);
  } finally {
    await context.close();
  }
});

test('with the wasm blocked, the prerendered pages pass axe-core and stay readable', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await context.route(/\.wasm(\?|$)/, (route) => route.abort('blockedbyclient'));
    for (const [path, heading] of [['/', '办事服务'], ['/services/newborn', '新生儿出生一件事']]) {
      await page.goto(url(path));
      assert.equal(await page.locator('main h1').innerText(), heading);
      assert.deepEqual(await axeNow(page, `${path} without wasm`), []);
    }
  } finally {
    await context.close();
  }
});

test('a prerendered page comes alive as it is: the same content, no layout shift, no wasm and no request for its data', async () => {
  for (const [path, heading] of [['/', '办事服务'], ['/services/newborn', '新生儿出生一件事']]) {
    const { context, page, errors } = await phonePage(browser);
    try {
      const wasm = [];
      page.on('request', (r) => { if (/\.wasm(\?|$)/.test(r.url()) && !/onething-full/.test(r.url())) wasm.push(r.url()); });
      await watchShifts(context);
      await page.goto(url(path));
      const before = await page.locator('main').innerText();
      await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
      await page.waitForTimeout(300);
      const afterTakeover = await page.locator('main').innerText();
      assert.equal(afterTakeover, before, `${path}: the same text before and after`);
      assert.equal(await page.locator('main h1').innerText(), heading);
      const cls = await shifts(page);
      assert.equal(cls, 0, `${path}: cumulative layout shift`);
      // Asked for while rendering: none. (A landing page fetches the server's definition for
      // the wizard half a second after it is shown, while it is read: not for itself.)
      const apiCalls = await page.evaluate(() => {
        const ready = performance.getEntriesByName('app-ready')[0].startTime;
        return performance.getEntriesByType('resource')
          .filter((e) => /\/api\/services/.test(e.name) && e.startTime < ready + 400)
          .map((e) => e.name);
      });
      assert.deepEqual(apiCalls, [], `${path}: the page's data came with it`);
      assert.deepEqual(wasm, [], `${path}: no first-page module`);
      // Live: the language switch works (the same page from the server, in English).
      await page.getByRole('button', { name: '切换到英文' }).click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      await page.locator('main h1').waitFor();
      assert.notEqual(await page.locator('main h1').innerText(), heading, 'switched to English');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('a deep link into the wizard loads the whole app at once, never the first page\'s module', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const modules = [];
    page.on('request', (r) => { if (/\/onething-[^/]*\.(js|wasm)/.test(r.url())) modules.push(new URL(r.url()).pathname); });
    await page.goto(url('/apply/newborn/eligibility'));
    await page.locator('main input').first().waitFor();
    assert.ok(modules.some((m) => m.endsWith('/onething-full_bg.wasm')), modules.join(', '));
    assert.deepEqual(modules.filter((m) => !m.includes('onething-full')), [], 'no first-page module');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a deep link asks for its one-thing\'s definition with the page, once, not after the whole app has arrived', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const asked = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/services')) asked.push(new URL(r.url()).pathname); });
    // The whole app's wasm is held back until the definition has been asked for (bounded): the
    // page's own script asks for it, not the app.
    let seen;
    const definition = new Promise((resolve) => { seen = resolve; });
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/services/newborn') seen(true); });
    let heldUntilDefinition;
    await context.route(/onething-full_bg\.wasm/, async (route) => {
      heldUntilDefinition = await Promise.race([definition, new Promise((r) => setTimeout(() => r(false), 10_000))]);
      await route.continue();
    });
    await page.goto(url('/apply/newborn~0a1b2c3d/eligibility'));
    await page.locator('main input').first().waitFor();
    assert.equal(heldUntilDefinition, true, 'asked for before the whole app\'s wasm arrived');
    assert.deepEqual(asked, ['/api/services/newborn'], 'asked for once');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a person who chose English gets the prerendered pages in English at the first paint, and the app keeps them', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await watchShifts(context);
    // Chosen in the app, on an earlier visit.
    await page.goto(url('/'));
    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    // Then no wasm at all: what shows is the page as it came.
    await context.route(/\.wasm(\?|$)/, (route) => route.abort('blockedbyclient'));
    for (const [path, heading] of [['/', 'Services'], ['/apply/newborn/eligibility', 'Your situation']]) {
      await page.goto(url(path));
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', path);
      assert.equal(await page.locator('main h1').innerText(), heading, path);
      assert.match(await page.title(), /OneThing$/, path);
    }
    await page.goto(url('/services/newborn'));
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.match(await page.locator('#sub-items-heading').innerText(), /[A-Za-z]/);
    assert.doesNotMatch(await page.locator('main').innerText(), /开始办理/);
    assert.deepEqual(await axeNow(page, 'the English landing page without wasm'), []);
    await page.screenshot({ path: join(artifacts(), 'prerendered-landing-en.png') });
    // With the wasm: the page's own script keeps the English landing page as it is. (The page
    // before may still report its blocked prefetch of the whole app: that block was ours.)
    await context.unroute(/\.wasm(\?|$)/);
    const seen = errors.length;
    await page.goto(url('/services/newborn'));
    const text = await page.locator('main').innerText();
    await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('main').innerText(), text);
    const cls = await shifts(page);
    assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
    assert.deepEqual(errors.slice(seen).filter((e) => !/ERR_BLOCKED_BY_CLIENT/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('elder mode chosen on an earlier visit is on at a deep link\'s first paint, and the notice\'s figures come with the page', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await watchShifts(context);
    // Chosen before (a page of the origin that runs no app, so nothing writes it back).
    await page.goto(url('/config.json'));
    await page.evaluate(() => localStorage.setItem('onething.elder', '1'));
    const figures = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/privacy') figures.push(r.url()); });
    const release = await holdWholeApp(context);
    await page.goto(url('/apply/newborn/eligibility'));
    assert.equal(await page.locator('#app[data-prerendered]').count(), 1, 'still the prerendered page');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), true);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '24px');
    assert.equal(await page.getByRole('button', { name: '长辈版' }).getAttribute('aria-pressed'), 'true');
    await page.screenshot({ path: join(artifacts(), 'prerendered-eligibility-elder.png') });
    // The figures were asked for with the page, before the whole app arrived.
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/privacy') && e.responseEnd > 0));
    assert.equal(figures.length, 1);
    release();
    await tookOver(page, 30_000);
    await page.locator('#privacy-notice').getByText('正在加载服务').waitFor({ state: 'detached' });
    assert.equal(figures.length, 1, 'the app took the answer the page asked for');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), true);
    const cls = await shifts(page);
    assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a deep link shows the wizard\'s first step before any wasm, and the app takes it over with what was answered and pressed', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await watchShifts(context);
    // The whole app's wasm waits until the person has answered and pressed Continue.
    const release = await holdWholeApp(context);
    await page.goto(url('/apply/newborn/eligibility'));
    assert.equal(await page.locator('main h1').innerText(), '情形确认');
    assert.equal(await page.title(), '情形确认 — 一件事');
    assert.equal(await page.locator('#app[data-prerendered]').count(), 1, 'still the prerendered page');
    // Nothing is saved before the app is there, so the page does not say so.
    assert.equal(await page.locator('.save-state').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
    assert.deepEqual(await axeNow(page, 'the wizard\'s first step without wasm'), []);

    // Answered before the app has arrived: a radio button and a date (ten days ago, by the
    // browser's clock), the date field still focused.
    await page.getByRole('radio', { name: '是' }).first().check();
    const born = await page.evaluate(() => {
      const d = new Date(Date.now() - 10 * 86_400_000);
      const two = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    });
    await page.locator('#f-eligibility-birth-date').fill(born);
    await page.screenshot({ path: join(artifacts(), 'prerendered-eligibility.png'), fullPage: true });
    const shiftsBefore = await shifts(page);
    assert.equal(shiftsBefore, 0, 'no layout shift while the page is read');
    // Continue pressed: it says the app is opening, and is pressed again once it is there.
    await page.locator('.bottom-bar button').click();
    assert.equal(await page.locator('.bottom-bar button').innerText(), '正在打开……');
    await page.locator('#f-eligibility-birth-date').focus();
    release();

    await tookOver(page, 30_000);
    assert.equal(await page.evaluate(() => performance.getEntriesByName('app-ready').length), 1, 'the app is ready');
    assert.equal(await page.locator('#app').count(), 1, 'one #app');
    assert.equal(await page.locator('main h1').count(), 1, 'one page');
    assert.equal(await page.locator('#f-eligibility-born-in-province-hospital').isChecked(), true);
    assert.equal(await page.locator('#f-eligibility-birth-date').inputValue(), born);
    // Continue did what it does in the app: the questions not yet answered are listed.
    await page.locator('.error-summary:not([hidden])').waitFor();
    assert.match(await page.locator('.error-summary').innerText(), /首次申领/);
    assert.equal(await page.locator('.bottom-bar button').innerText(), '继续');
    // The answers are the app's: kept in the draft and restored on a reload.
    await page.locator('.save-state[data-state="saved"]').waitFor();
    assert.equal(await page.locator('.save-state').evaluate((e) => getComputedStyle(e).visibility), 'visible');
    await page.reload();
    await tookOver(page);
    await page.locator('#f-eligibility-birth-date').waitFor();
    await page.waitForFunction((v) => document.querySelector('#f-eligibility-birth-date')?.value === v, born);
    assert.equal(await page.locator('#f-eligibility-born-in-province-hospital').isChecked(), true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a deep link\'s first step, untouched, is taken over by the app in place, with no layout shift', async () => {
  const { context, page, errors } = await phonePage(browser);
  let answer;
  try {
    await watchShifts(context);
    // The server's privacy figures lengthen the notice whenever they arrive, before or after
    // the take-over (as they did when the app showed the page itself): held back here, so that
    // what is measured is the take-over alone.
    const figures = new Promise((resolve) => { answer = resolve; });
    await context.route(/\/api\/privacy$/, async (route) => {
      await figures;
      await route.abort('aborted').catch(() => {});
    });
    await page.goto(url('/apply/newborn/eligibility'));
    // The page shown: while the app builds its own out of sight beside it (a hidden element
    // after #app until the swap), the document holds two forms.
    const questions = await page.locator('#app main form').innerText();
    await tookOver(page);
    await page.locator('.save-state[data-state="saved"]').waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.locator('main form').innerText(), questions);
    assert.equal(await page.locator('main h1').count(), 1);
    // Under issue 16's goal for a page taken over (0.01): the take-over itself moves nothing;
    // the save line's text, shown once the app is there, is measured at 0.0007.
    const cls = await shifts(page);
    assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
    // The person reading the privacy notice at the top is not moved to the heading below it.
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'not scrolled');
    assert.deepEqual(errors, []);
  } finally {
    answer();
    await context.close();
  }
});
