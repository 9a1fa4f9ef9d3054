// Definitions as data: a draft started under one version of a definition and opened after the
// operator changed it (a new version, reloaded with the admin call) keeps its answers, says in
// one sentence that the form changed, and continues at the first step that needs the person.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { a11y, launchBrowser, phonePage, startServer } from './harness.mjs';
import { agreePrivacy, answer, exampleApplication, next, signInAndSubmitShop } from './wizard.mjs';

const ADMIN = 'definitions-admin-token';
const SERVICE = 'shop-opening';
let services;
let shipped;
let server;
let browser;
before(async () => {
  // The server reads a copy of the definitions, which this test changes.
  shipped = process.env.ONETHING_SERVICES;
  services = mkdtempSync(join(tmpdir(), 'onething-definitions-'));
  cpSync(shipped, services, { recursive: true });
  process.env.ONETHING_SERVICES = services;
  server = await startServer({ adminToken: ADMIN });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  process.env.ONETHING_SERVICES = shipped;
  rmSync(services, { recursive: true, force: true });
});

const reload = async () => {
  const r = await fetch(new URL('/api/admin/services/reload', server.url), {
    method: 'POST', headers: { Authorization: `Bearer ${ADMIN}` },
  });
  return { status: r.status, body: await r.json() };
};

test('a draft opened under a changed definition keeps its answers, says so and goes to the first step that needs the person', async () => {
  const def = await (await fetch(new URL(`/api/services/${SERVICE}`, server.url))).json();
  assert.equal(def.version, '2026.1');
  const example = exampleApplication(SERVICE);
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(new URL(`/apply/${SERVICE}`, server.url).href);
    await page.waitForURL(/eligibility$/);
    await agreePrivacy(page);
    for (const q of def.eligibility.questions) {
      if (example.eligibility[q.id] !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, example.eligibility[q.id]);
    }
    await next(page, /sub-items$/);
    await page.locator('.save-state[data-state="saved"]').waitFor();
    assert.equal(await page.locator('#definition-changed').count(), 0, 'no notice under the same version');

    // The operator publishes a new version of the definition.
    const file = join(services, `${SERVICE}.toml`);
    const source = readFileSync(file, 'utf8');
    const changed = source.replace('version = "2026.1"', 'version = "2026.2"');
    assert.notEqual(changed, source);
    writeFileSync(file, changed);
    const r = await reload();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.changed, [{ id: SERVICE, version: '2026.2' }]);

    // Opened again: continue the draft; the answers that still apply are kept, so it goes on
    // after the situation questions, with the one-sentence notice.
    await page.goto(new URL(`/apply/${SERVICE}`, server.url).href);
    await page.locator('#draft-continue').click();
    const notice = page.locator('#definition-changed');
    await notice.waitFor();
    assert.match(await notice.innerText(), /表单.*更新/);
    assert.doesNotMatch(page.url(), /eligibility$/, 'the answered situation is kept');
    assert.deepEqual(await a11y(page, 'definition-changed'), []);
    // The same sentence in English.
    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match(await notice.innerText(), /form has changed since you started/);
    await page.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');

    // Saved under the new version now: opened again, no notice.
    await page.locator('.save-state[data-state="saved"]').waitFor();
    await page.goto(new URL(`/apply/${SERVICE}`, server.url).href);
    await page.locator('#draft-continue').click();
    await page.waitForURL((u) => !/\/apply\/[^/]+$/.test(u.pathname));
    await page.locator('.save-state').first().waitFor();
    assert.equal(await page.locator('#definition-changed').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** Answers the questions of question page `pageId` from the example (plain facts only). */
async function fillPage(page, def, example, pageId) {
  for (const factId of def.pages.find((p) => p.id === pageId).facts) {
    const fact = def.facts.find((f) => f.id === factId);
    if (example.answers[factId] !== undefined) await answer(page, `answers.${factId}`, fact.type ?? fact.kind, example.answers[factId]);
  }
}

test('the region field: the full GB/T 2260 table, fetched only once an address is near (on the page shown or the next), a cascade by name with the code as value', async () => {
  const def = await (await fetch(new URL(`/api/services/${SERVICE}`, server.url))).json();
  const example = exampleApplication(SERVICE);
  assert.equal(example.eligibility.entity_type, 'individual', 'the pages below are an individual business\'s');
  const { context, page, errors } = await phonePage(browser);
  const fetched = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/regions.json')) fetched.push(r.url()); });
  try {
    await page.goto(new URL(`/apply/${SERVICE}`, server.url).href);
    await page.waitForURL(/eligibility$/);
    await agreePrivacy(page);
    for (const q of def.eligibility.questions) {
      if (example.eligibility[q.id] !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, example.eligibility[q.id]);
    }
    await next(page, /sub-items$/);
    await next(page, /\/page\/shop$/);
    await fillPage(page, def, example, 'shop');
    // The page after this one (the operator's, no address) is built while the person reads.
    await page.locator('.question-pages > [data-away]').first().waitFor({ state: 'attached' });
    assert.deepEqual(fetched, [], 'no region table while no address is near');
    await next(page, /\/page\/operator$/);
    await fillPage(page, def, example, 'operator');
    await next(page, /\/page\/premises$/);

    const id = 'f-answers-premises_address'.replace(/[^A-Za-z0-9]/g, '-');
    const province = page.locator(`#${id}`);
    // The full table arrives (Beijing's districts are not in the small built-in one).
    await page.waitForFunction(() => document.querySelector('.region-status')?.textContent === '');
    assert.equal(fetched.length, 1, 'fetched once');
    assert.equal(await province.locator('option').count(), 35, 'a choice, then the 34 province-level divisions');

    // A municipality: its districts come right under it, named as districts; the value is the code.
    await province.focus();
    await province.selectOption({ label: '北京市' });
    const second = page.locator(`#${id}-1`);
    await second.waitFor();
    assert.equal(await page.locator(`label[for="${id}-1"]`).innerText(), '区、县');
    await second.selectOption({ label: '东城区' });
    assert.equal(await second.inputValue(), '110101');
    assert.equal(await page.locator(`#${id}-2`).count(), 0, 'no third level under a district');

    // A province's directly administered county-level city, under its published heading.
    await province.selectOption('410000');
    await page.locator(`#${id}-1`).selectOption('419000');
    await page.locator(`#${id}-2`).selectOption({ label: '济源市' });
    assert.equal(await page.locator(`#${id}-2`).inputValue(), '419001');

    // Anywhere in the country, in the four presentations: labelled selects, no violation.
    await province.selectOption({ label: '新疆维吾尔自治区' });
    await page.locator(`#${id}-1`).selectOption({ label: '乌鲁木齐市' });
    assert.deepEqual(await a11y(page, 'region-field'), []);

    // Keyboard: Tab goes from one level to the next.
    await province.focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), `${id}-1`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the case page shows the definition version the case was submitted under', async () => {
  const current = (await (await fetch(new URL(`/api/services/${SERVICE}`, server.url))).json()).version;
  const { context, page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, `dev-definitions-${Date.now()}`);
    await context.addInitScript((t) => sessionStorage.setItem('onething.session', t), app.token);
    await page.goto(new URL(`/applications/${app.id}`, server.url).href);
    const line = page.locator('.definition-version');
    await line.waitFor();
    assert.match(await line.innerText(), new RegExp(`第 ${current.replace('.', '\\.')} 版`));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
