// 水电气网联合报装 after submission: each provider moves its item through the definition's own
// stages — 联合踏勘 (the survey date and half-day it confirmed, shown to the applicant), 协同接入,
// 联合验收 — and ends in a connection (接入完成 with its account number), never a parcel. The open
// case page follows every move live, in zh-CN and in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, walkToCase } from './wizard.mjs';
import { day, language, openCase, row, stage, written } from './seed-steps.mjs';

const ADMIN = 'e2e-admin-token-seed-utility';
const LIVE = { timeout: 3_000 };
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

test('utility connection: survey booked → confirmed → connected → accepted, per provider', async () => {
  const id = 'utility-connection';
  const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
  const { context, page, errors } = await phonePage(browser);
  try {
    const caseNo = await walkToCase(page, def, exampleApplication(id), new URL(`/services/${id}`, server.url).href);
    await openCase(page);
    const move = (item, to, extra) => advanceItem(server, ADMIN, caseNo, item, to, extra);
    const water = row(page, 'water');
    // Before any move, the three stages are listed, none started.
    for (const [s, title] of [['joint_survey', '联合踏勘'], ['coordinated_connection', '协同接入'], ['joint_acceptance', '联合验收']]) {
      await stage(page, 'water', s).getByText(title).waitFor();
      await stage(page, 'water', s).getByText('未开始').waitFor();
    }

    // 联合踏勘: every provider confirms the same day and half-day.
    const survey = day(3);
    for (const item of ['water', 'power', 'gas', 'network']) {
      await move(item, 'accepted');
      await move(item, 'in_progress', { stage: 'joint_survey', record: { survey_date: survey, survey_slot: 'morning' } });
    }
    const now = stage(page, 'water', 'joint_survey');
    await now.getByText('进行中').waitFor(LIVE);
    await now.getByText(`踏勘日期：${written(survey)}`).waitFor(LIVE);
    await now.getByText('到场时段：上午（9:00–11:30）').waitFor();
    assert.equal(await now.getAttribute('aria-current'), 'step');
    await page.locator('.timeline').getByText('用水报装：进入“联合踏勘”环节').waitFor(LIVE);

    // 协同接入 and 联合验收, then the connection with its account number.
    await move('water', 'in_progress', { stage: 'coordinated_connection', record: { works_start: day(8) } });
    await stage(page, 'water', 'joint_survey').getByText('已完成').waitFor(LIVE);
    await stage(page, 'water', 'coordinated_connection').getByText(`接入施工开始日期：${written(day(8))}`).waitFor(LIVE);
    await move('water', 'in_progress', { stage: 'joint_acceptance', record: { accepted_on: day(12) } });
    await move('water', 'completed', { record: { connected_on: day(12), account_no: 'HZSW20261205', meter_no: 'M0098812' } });
    const result = water.locator('.outcome-connection');
    await result.getByText('接入完成').waitFor(LIVE);
    await result.getByText('用水户号：HZSW20261205').waitFor();
    await result.getByText(`通水日期：${written(day(12))}`).waitFor();
    await water.locator('.status', { hasText: '已办结' }).waitFor();
    assert.equal(await water.locator('.parcel, .delivery').count(), 0, 'a connection is not a parcel');

    // Power, gas and broadband too: each its own account; the case is done and can be rated.
    for (const [item, record] of [
      ['power', { account_no: '3300012345678', capacity_kva: 80 }],
      ['gas', { account_no: 'RQ2026120501' }],
      ['network', { account_no: 'ZJHZ0572123456' }],
    ]) {
      await move(item, 'in_progress', { stage: 'coordinated_connection', record: { works_start: day(8) } });
      await move(item, 'in_progress', { stage: 'joint_acceptance', record: { accepted_on: day(12) } });
      await move(item, 'completed', { record: { connected_on: day(12), ...record } });
    }
    await row(page, 'power').getByText('接电容量：80 千伏安').waitFor(LIVE);
    await page.locator('form.rating').waitFor(LIVE);
    await page.screenshot({ path: join(artifacts(), 'seed-utility-connected.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'seed-utility'), []);

    // The same in English.
    await language(page, 'English');
    await stage(page, 'water', 'joint_survey').getByText('Joint site survey').waitFor();
    await stage(page, 'water', 'joint_survey').getByText(`Survey date: ${written(survey, 'en')}`).waitFor();
    await water.locator('.outcome-connection').getByText('Connected').waitFor();
    await water.getByText('Water account number: HZSW20261205').waitFor();
    await language(page, '中文');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
