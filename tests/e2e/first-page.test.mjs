// The first pages (the catalogue, the landing pages) work with their prerendered HTML and their
// own small script, without any wasm (src/first.js), and hand the page over to the whole app's
// module when the person goes further: what a phone downloads first, what Start loads, and what
// happens when that load fails. Inside an app platform (a sign-in ticket) the first page's wasm
// module (src/lite.rs) starts as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, axeNow, devTicket, holdWholeApp, phonePage, serverAndBrowser, tookOver } from './harness.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const isWholeApp = (url) => /\/onething-full(_bg\.wasm|\.js)\?v=[0-9a-f]{16}$/.test(url);

test('the catalogue loads no wasm; the landing page fetches the whole app; Start opens the wizard with the same settings', async () => {
  const { context, page, errors } = await phonePage(browser);
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  try {
    await page.goto(server.url);
    await page.locator('a.card-link', { hasText: '新生儿出生一件事' }).waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
    // Long enough for an idle prefetch to have started, were there one on the catalogue.
    await page.waitForTimeout(1500);
    assert.deepEqual(requested.filter(isWholeApp), [], 'the catalogue does not download the wizard');
    assert.deepEqual(requested.filter((u) => /\.wasm(\?|$)/.test(u)), [], 'nor any wasm');

    // The language: the same page again, from the server, in English, with what was typed in
    // its search and the focus back on the switch.
    await page.getByLabel('搜索一件事').fill('上户口');
    await page.getByRole('button', { name: '切换到英文' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.locator('main h1', { hasText: 'Services' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.classList.contains('language-switch'));
    assert.equal(await page.getByLabel('Find a service').inputValue(), '上户口');
    assert.deepEqual(await page.locator('.cards > li:not([hidden]) .card-title').allInnerTexts(), ['Newborn one-thing']);
    assert.equal(await page.locator('.search-status').innerText(), '1 service found');
    await page.locator('a.card-link', { hasText: 'Newborn' }).click();
    await page.waitForURL(/\/services\/newborn$/);
    await page.locator('main h1', { hasText: 'Newborn' }).waitFor();
    await page.getByRole('button', { name: 'Large text' }).click();
    assert.equal(await page.locator('html').getAttribute('class'), 'elder');
    assert.deepEqual(requested.filter((u) => /\.wasm(\?|$)/.test(u) && !isWholeApp(u)), [], 'no first-page module');
    // While the person reads, the whole app arrives in the background.
    // (Its script is asked for twice, the second time from the HTTP cache: fetched, then imported.)
    await page.waitForFunction(() => new Set(performance.getEntriesByType('resource').filter((e) => /onething-full/.test(e.name)).map((e) => e.name)).size === 2, null, { timeout: 10_000 });
    assert.equal(new Set(requested.filter(isWholeApp)).size, 2, requested.filter(isWholeApp).join(', '));

    await page.getByRole('link', { name: 'Start' }).click();
    await page.waitForURL(/\/apply\/newborn\/eligibility$/);
    const h1 = page.locator('main h1');
    await h1.waitFor();
    await tookOver(page);
    // The whole app started in the language and mode chosen on the first pages.
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByRole('button', { name: 'Large text' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('header.top-bar').count(), 1, 'one top bar: the first page is replaced, not stacked');

    // History still works across the hand-over: back is the landing page, now the whole app's.
    await page.goBack();
    await page.waitForURL(/\/services\/newborn$/);
    await page.locator('li.sub-item .sub-item-title').first().waitFor();
    await page.goForward();
    await page.waitForURL(/\/eligibility$/);
    await h1.waitFor();
    // One link click makes one history entry (the retired module no longer catches clicks).
    await page.locator('a.brand').click();
    await page.waitForURL(/\/$/);
    await page.goBack();
    await page.waitForURL(/\/eligibility$/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** The landing page of the newborn one-thing, read until its first step has been fetched. */
async function readLanding(page) {
  await page.goto(new URL('/services/newborn', server.url).href);
  await page.locator('li.sub-item .sub-item-title').first().waitFor();
  await page.waitForFunction(() => performance.getEntriesByType('resource')
    .some((e) => /\/apply\/newborn\/eligibility\/entry\./.test(e.name) && e.responseEnd > 0), null, { timeout: 10_000 });
  // Parsed in a task after its arrival (a margin for a slow machine).
  await page.waitForTimeout(500);
}

test('Start shows the wizard\'s first step at once, before the whole app has started, and the app takes it over with what was answered and pressed', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const release = await holdWholeApp(context);
    await readLanding(page);
    await page.getByRole('button', { name: '长辈版' }).click();
    await page.getByRole('link', { name: '开始办理' }).click();
    // No loading line: the first step, as the build prerendered it, in elder mode.
    await page.waitForURL(/\/apply\/newborn\/eligibility$/);
    assert.equal(await page.locator('main h1').innerText(), '情形确认');
    assert.equal(await page.title(), '情形确认 — 一件事');
    assert.equal(await page.locator('#app[data-prerendered]').count(), 1, 'the prerendered step');
    assert.equal(await page.locator('.loading').count(), 0, 'no loading line');
    assert.equal(await page.getByRole('button', { name: '长辈版' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('.save-state').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
    // As after any page change: the heading has the focus, for a screen reader to announce it.
    await page.waitForFunction(() => document.activeElement?.matches('main h1'));
    assert.deepEqual(await axeNow(page, 'the first step shown by Start'), []);
    await page.screenshot({ path: join(artifacts(), 'start-first-step-elder.png') });

    await page.getByRole('radio', { name: '是' }).first().check();
    await page.locator('.bottom-bar button').click();
    assert.equal(await page.locator('.bottom-bar button').innerText(), '正在打开……');
    release();

    await tookOver(page, 30_000);
    assert.equal(await page.locator('#app').count(), 1, 'one #app');
    assert.equal(await page.locator('main h1').count(), 1, 'one page');
    assert.equal(await page.locator('header.top-bar').count(), 1, 'one top bar');
    assert.equal(await page.locator('#f-eligibility-born-in-province-hospital').isChecked(), true);
    // Continue did what it does in the app: the questions not yet answered are listed.
    await page.locator('.error-summary:not([hidden])').waitFor();
    assert.match(await page.locator('.error-summary').innerText(), /首次申领/);
    await page.locator('.save-state[data-state="saved"]').waitFor();

    // Back is the landing page, now the whole app's.
    await page.goBack();
    await page.waitForURL(/\/services\/newborn$/);
    await page.locator('li.sub-item .sub-item-title').first().waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('with a draft kept on this device, Start asks which to continue instead of showing an empty first step', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    // A draft: the first step answered in part.
    await page.goto(new URL('/apply/newborn/eligibility', server.url).href);
    await tookOver(page);
    await page.getByRole('radio', { name: '是' }).first().check();
    await page.locator('.save-state[data-state="saved"]').waitFor();

    await readLanding(page);
    const shown = [];
    await page.exposeFunction('__prerenderedShown', () => shown.push(true));
    await page.evaluate(() => new MutationObserver(() => {
      if (document.querySelector('#app[data-prerendered]')) window.__prerenderedShown();
    }).observe(document.body, { childList: true, subtree: true }));
    await page.getByRole('link', { name: '开始办理' }).click();
    await page.locator('#draft-continue').waitFor();
    assert.match(page.url(), /\/apply\/newborn$/);
    assert.deepEqual(shown, [], 'the empty first step was never shown');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('when the whole app cannot be loaded, the page says so, offers a retry, and back still works', async () => {
  const { context, page } = await phonePage(browser);
  let block = true;
  await context.route(isWholeApp, (route) => (block ? route.abort('internetdisconnected') : route.continue()));
  try {
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.locator('li.sub-item .sub-item-title').first().waitFor();
    await page.getByRole('link', { name: '开始办理' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /无法打开这一页/);
    assert.deepEqual(await axeNow(page, 'load failure'), []);
    await page.screenshot({ path: join(artifacts(), 'first-page-load-failure.png') });
    const elder = page.locator('.top-bar button.chip').filter({ hasText: '长辈版' });
    await elder.click();
    assert.deepEqual(await axeNow(page, 'load failure, elder mode'), []);
    await page.screenshot({ path: join(artifacts(), 'first-page-load-failure-elder.png') });
    await elder.click();

    // Back shows the landing page (from the server: the whole app never started). Forward at
    // once, while that page's script still waits for the configuration (held back here), goes
    // on to the wizard's address all the same: the page says again that it cannot load it.
    let holdConfig = true;
    await context.route(/\/config\.json(\?|$)/, async (route) => {
      if (holdConfig) await new Promise((r) => setTimeout(r, 1_500));
      await route.continue().catch(() => {});
    });
    await page.goBack();
    await page.waitForURL(/\/services\/newborn$/);
    await page.locator('li.sub-item .sub-item-title').first().waitFor();
    await page.goForward();
    await alert.waitFor();
    holdConfig = false;

    // The catalogue stays within reach.
    await page.getByRole('link', { name: '返回办事服务' }).click();
    await page.locator('a.card-link').first().waitFor();
    await page.goBack();
    await alert.waitFor();

    block = false;
    await page.getByRole('button', { name: '重试' }).click();
    await page.locator('main h1').filter({ hasNotText: '无法' }).first().waitFor();
    await page.waitForURL(/\/apply\/newborn\/eligibility$/);
    assert.equal(await page.getByRole('alert').count(), 0);
  } finally {
    await context.close();
  }
});

test('the catalogue\'s search finds what the whole app\'s finds, before any wasm: synonyms, traditional characters, initials, full-width letters', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await context.route(/\.wasm(\?|$)/, (route) => route.abort('blockedbyclient'));
    await page.goto(server.url);
    const search = page.getByRole('searchbox', { name: '搜索一件事' });
    // Typed as soon as the page is there, perhaps before its script has run: searched then.
    await search.fill('上户口');
    await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
    const shown = () => page.locator('.cards > li:not([hidden]) .card-title').allInnerTexts();
    // The queries the Rust search is held to on the shipped catalogue
    // (src/bin/onething-prerender.rs), and a query typed in full-width mode.
    const newborn = ['新生儿出生一件事'];
    for (const [q, titles, said] of [
      ['上户口', newborn, '找到 1 项服务'],
      ['上戶口', newborn, '找到 1 项服务'],
      ['出生證', newborn, '找到 1 项服务'],
      ['xse', newborn, '找到 1 项服务'],
      ['XSECS', newborn, '找到 1 项服务'],
      ['ＸＳＥ', newborn, '找到 1 项服务'],
      ['birth certificate', newborn, '找到 1 项服务'],
      [' 户口 登记', newborn, '找到 1 项服务'],
      ['辦營業執照', ['开办小店一件事'], '找到 1 项服务'],
      ['驾驶证', [], '没有找到相关服务。请换个说法，或拨打 12345 咨询。'],
    ]) {
      await search.fill(q);
      await page.waitForFunction((t) => document.querySelector('.search-status').textContent === t, said);
      assert.deepEqual(await shown(), titles, q);
    }
    await search.fill('');
    await page.waitForFunction(() => document.querySelector('.search-status').textContent === '');
    assert.equal((await shown()).length, 7);
    assert.deepEqual(errors.filter((e) => !/wasm|ERR_BLOCKED/i.test(e)), []);
  } finally {
    await context.close();
  }
});

/**
 * Opening a shop from an app platform: its definition, the example application without the
 * operator's name (it must come from the platform's account) and the landing page's URL with a
 * development ticket for `person`.
 */
async function shopFromPlatform(person) {
  const { exampleApplication } = await import('./wizard.mjs');
  const service = 'shop-opening';
  const def = await (await fetch(new URL(`/api/services/${service}`, server.url))).json();
  const example = exampleApplication(service);
  const { operator_name: _, ...answers } = example.answers;
  const ticket = await devTicket(server, person);
  const landing = new URL(`/services/${service}?ticket=${encodeURIComponent(ticket)}`, server.url).href;
  return { def, example: { ...example, answers }, landing };
}

test('a page left while the platform\'s ticket is being exchanged: the next page signs in with it, and the wizard prefills from the account', async () => {
  const { walkToCase } = await import('./wizard.mjs');
  const { def, example, landing } = await shopFromPlatform({ name: '吴一鸣', phone: '13700003333' });
  const { context, page } = await phonePage(browser);
  try {
    // The first exchange reaches the server, which uses the ticket up, but its answer never
    // reaches the page: the page is left meanwhile (as a tap on Start does before the first
    // page's module catches links).
    let exchanged;
    const used = new Promise((resolve) => { exchanged = resolve; });
    let held = true;
    await context.route(/\/api\/session$/, async (route) => {
      if (route.request().method() === 'POST' && held) {
        held = false;
        const answer = await route.fetch();
        exchanged(answer.status());
        await new Promise((r) => setTimeout(r, 5_000));
        await route.abort('aborted').catch(() => {});
        return;
      }
      await route.continue();
    });
    await page.goto(landing);
    assert.equal(await used, 201, 'the server signed the first exchange in');
    await page.goto(new URL(`/apply/${def.id}`, server.url).href);
    // The operator's name comes from the account: the walk leaves it out.
    const caseNumber = await walkToCase(page, def, example, null);
    assert.match(caseNumber, /\S/);
  } finally {
    await context.close();
  }
});

test('an app platform opens a landing page with ?ticket=: the person is signed in for the whole flow', async () => {
  const { walkToCase } = await import('./wizard.mjs');
  // The operator's name is left out: it must come from the platform's account.
  const { def, example, landing } = await shopFromPlatform({ name: '周一禾', phone: '13700002222' });
  const { context, page } = await phonePage(browser);
  try {
    const caseNumber = await walkToCase(page, def, example, landing);
    assert.match(caseNumber, /\S/);
    assert.ok(!page.url().includes('ticket'), 'the ticket leaves the address bar');
    const token = await page.evaluate(() => sessionStorage.getItem('onething.session'));
    const me = await (await fetch(new URL('/api/session', server.url), { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal(me.account.name, '周一禾');
  } finally {
    await context.close();
  }
});
