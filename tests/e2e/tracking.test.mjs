// Progress tracking after submission: a case is submitted through the API, the departments move
// its sub-items through the admin API, and the open detail page follows every change live
// (Server-Sent Events, no reload): states, the dependency text, a supplement request answered
// with a photo, the parcel's courier and tracking number as the department recorded them, a
// window pickup with its generated code, and the 好差评 rating, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, jpeg, signInAndSubmitShop, submitThroughApi } from './wizard.mjs';

const ADMIN = 'e2e-admin-token-0123456789';
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });
const LIVE = { timeout: 2_000 };

/** The departments' side: moves a sub-item of `caseNo` (admin API). */
const move = (caseNo, item, to, extra) => advanceItem(server, ADMIN, caseNo, item, to, extra);

test('an open case follows every change live, and is rated once', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, 'tracking-e2e');
    // Every page of this context uses the same session (the SPA keeps the token per tab).
    await context.addInitScript((t) => sessionStorage.setItem('onething.session', t), app.token);
    await page.evaluate((t) => sessionStorage.setItem('onething.session', t), app.token);
    // Keep a hand on every event stream the page opens, to see it closed when the page is left.
    await context.addInitScript(() => {
      const Native = window.EventSource;
      window.streams = [];
      window.EventSource = class extends Native {
        constructor(...args) { super(...args); window.streams.push(this); }
      };
    });

    await page.goto(new URL('/applications', server.url).href);
    const card = page.locator('.card').filter({ hasText: app.case_number });
    await card.waitFor();
    await shot(page, 'tracking-list');
    assert.deepEqual(await a11y(page, 'applications'), []);
    await card.locator('a').click();
    await page.waitForURL(/\/applications\/[^/]+$/);

    const row = (id) => page.locator(`li[data-item="${id}"]`);
    const licence = row('business_licence');
    const seal = row('seal_engraving');
    await licence.locator('.status', { hasText: '已接收' }).waitFor();
    await seal.getByText('等待“营业执照”办结后办理').waitFor();
    await page.evaluate(() => { window.notReloaded = true; });

    await move(app.case_number, 'business_licence', 'accepted');
    await licence.locator('.status', { hasText: '已受理' }).waitFor(LIVE);
    await page.locator('[aria-live="polite"]', { hasText: '营业执照：已受理' }).waitFor(LIVE);

    // A supplement request (补正) appears with its reason and is answered with a photo.
    await move(app.case_number, 'seal_engraving', 'supplement_requested', { note: '请上传印章样式照片' });
    const form = page.locator('form.supplement');
    await form.getByText('请上传印章样式照片').waitFor(LIVE);
    await seal.locator('.status', { hasText: '需要补正' }).waitFor(LIVE);
    await shot(page, 'tracking-supplement');
    assert.deepEqual(await a11y(page, 'supplement'), []);
    await form.locator('textarea').fill('印章样式见照片');
    // The same picker as the materials page: the camera (capture) and the album.
    assert.equal(await form.locator('input[type="file"][capture="environment"]').count(), 1);
    await form.getByText('拍照', { exact: true }).waitFor();
    await form.locator('input[type="file"]:not([capture])').setInputFiles(await jpeg(page));
    await form.locator('.photo-slot').first().getByText('已上传').waitFor({ timeout: 15_000 });
    await form.getByRole('button', { name: '提交补正' }).click();
    await form.waitFor({ state: 'detached', timeout: 10_000 });
    await seal.locator('.status', { hasText: '已接收' }).waitFor(LIVE);

    // The dependency text goes once the licence is done; the parcel shows its tracking number.
    await move(app.case_number, 'business_licence', 'in_progress');
    await move(app.case_number, 'business_licence', 'completed');
    await licence.locator('.status', { hasText: '已办结' }).waitFor(LIVE);
    await seal.locator('.waiting').waitFor({ state: 'detached', ...LIVE });
    await move(app.case_number, 'business_licence', 'delivered', { delivery: { method: 'mail', courier: '顺丰速运', tracking_number: 'SF1234567890' } });
    await licence.getByText('顺丰速运：运单号 SF1234567890').waitFor(LIVE);

    for (const to of ['accepted', 'in_progress', 'completed']) {
      await move(app.case_number, 'seal_engraving', to);
    }
    await page.locator('.case-state', { hasText: '已办结' }).waitFor(LIVE);
    // The seal is picked up at the window; the server makes the pickup code.
    await move(app.case_number, 'seal_engraving', 'delivered', { delivery: { method: 'window' } });
    const pickup = seal.locator('.delivery-window');
    await pickup.getByText('窗口领取').waitFor(LIVE);
    assert.match(await pickup.locator('.pickup-code').innerText(), /^\d{6}$/);
    await pickup.getByText('领取地点：吴兴区政务服务中心 公章刻制窗口').waitFor();

    // Completion opens the 好差评 rating, also flagged in the list (seen here in a second tab).
    const rating = page.locator('form.rating');
    await rating.waitFor(LIVE);
    const other = await context.newPage();
    await other.goto(new URL('/applications', server.url).href);
    await other.locator('.card').filter({ hasText: app.case_number }).getByText('待评价').waitFor();
    await other.close();
    await shot(page, 'tracking-completed');
    assert.deepEqual(await a11y(page, 'application'), []);
    await rating.getByRole('button', { name: '提交评价' }).click();
    await rating.getByRole('alert').filter({ hasText: '请为每一项打分' }).waitFor();
    for (const name of ['overall', 'efficiency', 'guide_accuracy', 'convenience', 'usability']) {
      await rating.locator(`input[name="rate-${name}"][value="5"]`).check();
    }
    await rating.locator('#rate-comment').fill('一次都没跑，很方便');
    await rating.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('感谢您的评价！').waitFor({ timeout: 5_000 });
    assert.equal(await rating.count(), 0);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page never reloaded');

    // Stored, and only once (asked outside the page, whose console must stay clean).
    const api = (path, init = {}) => fetch(new URL(`/api/applications/${app.id}${path}`, server.url), {
      ...init,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${app.token}` },
    });
    const again = await api('/rating', {
      method: 'POST',
      body: JSON.stringify({ scores: { overall: 1, efficiency: 1, guide_accuracy: 1, convenience: 1, usability: 1 } }),
    });
    const stored = { rating: (await (await api('')).json()).rating, again: again.status, code: (await again.json()).code };
    assert.equal(stored.rating.scores.overall, 5);
    assert.equal(stored.rating.comment, '一次都没跑，很方便');
    assert.deepEqual([stored.again, stored.code], [409, 'rating_already_given']);
    await page.locator('.timeline', { hasText: '已评价' }).waitFor(LIVE);

    // Elder mode, in English.
    await page.locator('.top-bar button.chip').filter({ hasText: '长辈版' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.getByText('顺丰速运: tracking number SF1234567890').waitFor();
    await seal.getByText('Where: Wuxing Government Service Centre, seal window').waitFor();
    await shot(page, 'tracking-elder-en');

    // Leaving the page closes its stream.
    await page.locator('a.back-link').click();
    await page.waitForURL(/\/applications$/);
    const states = await page.evaluate(() => window.streams.map((s) => s.readyState));
    assert.ok(states.length >= 1 && states.every((s) => s === 2), `stream states ${states}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('without EventSource the page catches up in the foreground and polls; the list badges a case waiting for the person', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, 'tracking-e2e');
    await context.addInitScript((t) => sessionStorage.setItem('onething.session', t), app.token);
    // No EventSource (some webviews): the page falls back to polling.
    await context.addInitScript(() => { delete window.EventSource; });
    await move(app.case_number, 'business_licence', 'supplement_requested', { note: '请补充租赁合同' });
    await page.goto(new URL('/applications', server.url).href);
    const card = page.locator('.card').filter({ hasText: app.case_number });
    await card.getByText('需要您处理').waitFor();
    await card.locator('a').click();
    await page.locator('form.supplement').getByText('请补充租赁合同').waitFor();
    // Back in the foreground, the page catches up at once.
    await move(app.case_number, 'seal_engraving', 'rejected', { note: '不予受理' });
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.locator('li[data-item="seal_engraving"] .status', { hasText: '不予受理' }).waitFor(LIVE);
    // Otherwise the poll (every 10 s) brings the change.
    await move(app.case_number, 'business_licence', 'rejected', { note: '不予受理' });
    await page.locator('li[data-item="business_licence"] .status', { hasText: '不予受理' }).waitFor({ timeout: 15_000 });
    await page.locator('.case-state', { hasText: '已办结' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('newborn: 医保 waits for 户口登记 until the hukou is done', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const example = exampleApplication('newborn');
    await page.goto(server.url);
    const app = await submitThroughApi(page, example, { subject: 'tracking-newborn' });
    await context.addInitScript((t) => sessionStorage.setItem('onething.session', t), app.token);
    await page.goto(new URL(`/applications/${app.id}`, server.url).href);
    const insurance = page.locator('li[data-item="medical_insurance"]');
    await insurance.getByText('等待“户口登记”办结后办理').waitFor();
    await page.locator('li[data-item="household_registration"]').getByText('等待“出生医学证明”办结后办理').waitFor();
    for (const item of ['birth_certificate', 'household_registration']) {
      for (const to of ['accepted', 'in_progress', 'completed']) await move(app.case_number, item, to);
    }
    await page.locator('li[data-item="household_registration"] .status', { hasText: '已办结' }).waitFor(LIVE);
    await insurance.locator('.waiting').waitFor({ state: 'detached', ...LIVE });
    await shot(page, 'tracking-newborn');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
