// The first page's small module (the catalogue and the landing pages) and the hand-over to the
// whole app's module when the person goes further (src/lite.rs): what a phone downloads first,
// what Start loads, and what happens when that load fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, axeNow, devTicket, phonePage, serverAndBrowser } from './harness.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const isWholeApp = (url) => /\/onething-full(_bg\.wasm|\.js)\?v=[0-9a-f]{16}$/.test(url);

test('the catalogue loads without the whole app; the landing page fetches it; Start opens the wizard with the same settings', async () => {
  const { context, page, errors } = await phonePage(browser);
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  try {
    await page.goto(server.url);
    await page.locator('a.card-link', { hasText: '新生儿出生一件事' }).waitFor();
    // Long enough for an idle prefetch to have started, were there one on the catalogue.
    await page.waitForTimeout(1500);
    assert.deepEqual(requested.filter(isWholeApp), [], 'the catalogue does not download the wizard');

    await page.locator('a.card-link', { hasText: '新生儿出生一件事' }).click();
    await page.waitForURL(/\/services\/newborn$/);
    await page.getByRole('button', { name: '切换到英文' }).click();
    await page.getByRole('button', { name: 'Large text' }).click();
    // While the person reads, the whole app arrives in the background.
    await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => /onething-full/.test(e.name)).length === 2, null, { timeout: 10_000 });
    assert.equal(requested.filter(isWholeApp).length, 2);

    await page.getByRole('link', { name: 'Start' }).click();
    await page.waitForURL(/\/apply\/newborn\/eligibility$/);
    const h1 = page.locator('main h1');
    await h1.waitFor();
    // The whole app started in the language and mode chosen on the first module's page.
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

    // The first page's module listens again: back shows the landing page.
    await page.goBack();
    await page.waitForURL(/\/services\/newborn$/);
    await page.locator('li.sub-item .sub-item-title').first().waitFor();
    await page.goForward();
    await alert.waitFor();

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

test('an app platform opens a landing page with ?ticket=: the person is signed in for the whole flow', async () => {
  const { exampleApplication, walkToCase } = await import('./wizard.mjs');
  const service = 'shop-opening';
  const def = await (await fetch(new URL(`/api/services/${service}`, server.url))).json();
  const example = exampleApplication(service);
  const ticket = await devTicket(server, { name: '周一禾', phone: '13700002222' });
  const { context, page } = await phonePage(browser);
  try {
    // The operator's name is left out: it must come from the platform's account.
    const { operator_name: _, ...answers } = example.answers;
    const landing = new URL(`/services/${service}?ticket=${encodeURIComponent(ticket)}`, server.url).href;
    const caseNumber = await walkToCase(page, def, { ...example, answers }, landing);
    assert.match(caseNumber, /\S/);
    assert.ok(!page.url().includes('ticket'), 'the ticket leaves the address bar');
    const token = await page.evaluate(() => sessionStorage.getItem('onething.session'));
    const me = await (await fetch(new URL('/api/session', server.url), { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal(me.account.name, '周一禾');
  } finally {
    await context.close();
  }
});
