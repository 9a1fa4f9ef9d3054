// 影视拍摄一件事 after submission: the crew's 拍摄备案 (the seed's 事前申报) ends in a filing number
// and date, shown on the case page in zh-CN and English; the approvals go on beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, walkToCase } from './wizard.mjs';
import { day, language, openCase, row, written } from './seed-steps.mjs';

const ADMIN = 'e2e-admin-token-seed-film';
const LIVE = { timeout: 3_000 };
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

test('film shooting: the shooting filing ends in its filing number', async () => {
  const id = 'film-shooting';
  const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
  assert.equal(def.sub_items[0].id, 'shooting_filing');
  const { context, page, errors } = await phonePage(browser);
  try {
    const caseNo = await walkToCase(page, def, exampleApplication(id), new URL(`/services/${id}`, server.url).href);
    await openCase(page);
    const move = (item, to, extra) => advanceItem(server, ADMIN, caseNo, item, to, extra);
    const filing = row(page, 'shooting_filing');
    await filing.getByText('剧组拍摄备案').waitFor();
    await filing.getByText('南浔区影视服务专窗').waitFor();
    await move('shooting_filing', 'accepted');
    await move('shooting_filing', 'in_progress');
    await move('shooting_filing', 'completed', { record: { filing_no: '南浔影备〔2026〕018号', filed_on: day(0) } });
    const result = filing.locator('.outcome-filing');
    await result.getByText('拍摄备案完成').waitFor(LIVE);
    await result.getByText('备案编号：南浔影备〔2026〕018号').waitFor();
    await result.getByText(`备案日期：${written(day(0))}`).waitFor();
    await filing.locator('.status', { hasText: '已办结' }).waitFor();
    // The approvals are still open beside it.
    await row(page, 'location_permit').locator('.status', { hasText: '已接收' }).waitFor();
    await page.screenshot({ path: join(artifacts(), 'seed-film-filed.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'seed-film'), []);
    await language(page, 'English');
    await result.getByText('Shooting filed').waitFor();
    await result.getByText('Filing number: 南浔影备〔2026〕018号').waitFor();
    await result.getByText(`Filed on: ${written(day(0), 'en')}`).waitFor();
    await language(page, '中文');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
