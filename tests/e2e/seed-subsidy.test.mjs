// 新能源船舶补贴申领 from the form to the money: the amounts claimed are computed from the answers
// by the definition's rule and shown on the check page before submission (the owner types none
// of them); after the reviews, the result is a payment — the amount paid and the date — not a
// parcel. zh-CN and English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { agreePrivacy, exampleApplication, materials, next, walk } from './wizard.mjs';
import { day, language, openCase, row, written } from './seed-steps.mjs';

const ADMIN = 'e2e-admin-token-seed-subsidy';
const LIVE = { timeout: 3_000 };
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

test('ship subsidy: the amount is computed before submission, then paid', async () => {
  const id = 'ship-subsidy';
  const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
  const example = exampleApplication(id);
  // The example: an electric cargo ship, 2 400 kWh of batteries, bought for 980 万元, with
  // 3 100 hours of shore power last year.
  assert.equal(example.answers.battery_kwh, 2400);
  assert.equal(example.answers.purchase_price, 980);
  assert.equal(example.answers.shore_power_hours, 3100);
  const { context, page, errors } = await phonePage(browser);
  try {
    await walk(page, server.url, def, example);
    await materials(page, def, example);
    await next(page, /check$/);
    // 2 400 kWh × 1 500 元 = 3 600 000, capped at 30 % of 9 800 000 (2 940 000) and at
    // 2 000 000 per ship; shore power 3 100 h × 20 元 = 62 000, under its 100 000 cap.
    const amounts = page.locator('section.amounts');
    await amounts.getByRole('heading', { name: '按规则计算的金额' }).waitFor();
    assert.equal(await amounts.locator('[data-amount="purchase_subsidy"] .amount').innerText(), '2,000,000 元');
    assert.equal(await amounts.locator('[data-amount="shore_power_subsidy"] .amount').innerText(), '62,000 元');
    assert.equal(await amounts.locator('[data-amount="total_claimed"] .amount').innerText(), '2,062,000 元');
    await amounts.getByText('每艘最高200万元').waitFor();
    assert.equal(await amounts.locator('input').count(), 0, 'nothing to type');
    await page.screenshot({ path: join(artifacts(), 'seed-subsidy-check.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'seed-subsidy-check'), []);
    await language(page, 'English');
    assert.equal(await amounts.locator('[data-amount="total_claimed"] .amount').innerText(), '2,062,000 yuan');
    await amounts.getByText('Total claimed').waitFor();
    await language(page, '中文');

    await next(page, /declaration$/);
    await agreePrivacy(page);
    await page.locator('#declaration-agree').check();
    await page.locator('.bottom-bar button:visible').click();
    await page.waitForURL(/confirmation$/);
    const caseNo = (await page.locator('.case-number').innerText()).trim();
    await openCase(page);

    const move = (item, to, extra) => advanceItem(server, ADMIN, caseNo, item, to, extra);
    for (const [item, approved] of [['purchase_review', 2000000], ['shore_power_review', 62000]]) {
      await move(item, 'accepted');
      await move(item, 'in_progress');
      await move(item, 'completed', { record: { approved_amount: approved } });
    }
    await row(page, 'purchase_review').getByText('核定金额：2,000,000 元').waitFor(LIVE);
    const paid = day(0);
    await move('payment', 'accepted');
    await move('payment', 'in_progress');
    await move('payment', 'completed', { record: { amount_paid: 2062000, paid_on: paid, voucher_no: 'CZ2026-000815' } });
    const payment = row(page, 'payment').locator('.outcome-payment');
    await payment.getByText('补贴已拨付').waitFor(LIVE);
    await payment.getByText('拨付金额：2,062,000 元').waitFor();
    await payment.getByText(`拨付日期：${written(paid)}`).waitFor();
    await payment.getByText('支付凭证号：CZ2026-000815').waitFor();
    assert.equal(await row(page, 'payment').locator('.parcel, .delivery').count(), 0, 'money, not mail');
    await page.locator('.case-state', { hasText: '已办结' }).waitFor(LIVE);
    await page.screenshot({ path: join(artifacts(), 'seed-subsidy-paid.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'seed-subsidy-paid'), []);
    await language(page, 'English');
    await payment.getByText('Subsidy paid').waitFor();
    await payment.getByText('Amount paid: 2,062,000 yuan').waitFor();
    await payment.getByText(`Paid on: ${written(paid, 'en')}`).waitFor();
    await language(page, '中文');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
