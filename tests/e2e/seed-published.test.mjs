// 亮晒 and its 好差评 in the browser: an enterprise's problem, reported with its consent to
// publication, is handled (交办 → 提级协调 → reply) and published by the department; signed out,
// anyone reads it on /published — the kind of problem and the department's text, never the
// enterprise's own title — reached from the one-thing's guide and from the case page; a signed-in
// citizen rates it once, with the keyboard. axe in zh-CN/en × normal/elder; 360 px screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, submitThroughApi } from './wizard.mjs';
import { day } from './seed-steps.mjs';

const ADMIN = 'e2e-admin-token-seed-published';
const LIVE = { timeout: 5_000 };
const SUMMARY = '某纺织企业反映外籍员工体检需往返杭州，经省级协调，本地三甲医院已可开展外国人健康检查。';
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });

/** The enterprise example, submitted through the API by its own account, handled and published. */
async function publishedCase(page) {
  const example = exampleApplication('enterprise-issue');
  assert.equal(example.eligibility.publish_consent, true, 'the example consents to 亮晒');
  await page.goto(server.url);
  const created = await submitThroughApi(page, example, { subject: 'published-enterprise' });
  const move = (item, to, extra) => advanceItem(server, ADMIN, created.case_number, item, to, extra);
  await move('issue_handling', 'accepted');
  await move('issue_handling', 'in_progress', { stage: 'assigned', record: { level: 'county', handler: '吴兴区卫生健康局', due_on: day(7) } });
  await move('issue_handling', 'in_progress', { stage: 'escalated', record: { level: 'province', handler: '浙江省涉企问题专班', due_on: day(30) } });
  await move('issue_handling', 'completed', { record: { resolution: 'solved', reply: '省级协调后，湖州本地三甲医院可开展外国人健康检查。' } });
  await move('publication', 'accepted');
  await move('publication', 'in_progress');
  await move('publication', 'completed', { record: { published_on: day(0), summary: SUMMARY } });
  return { ...created, title: example.answers.title, company: example.answers.company_name };
}

test('published: read signed out from the guide, rated once by a signed-in citizen', async () => {
  const owner = await phonePage(browser);
  let c;
  try {
    c = await publishedCase(owner.page);
    // The case page links to the public list once its publication is done.
    await owner.page.evaluate((t) => sessionStorage.setItem('onething.session', t), c.token);
    await owner.page.goto(new URL(`/applications/${c.id}`, server.url).href);
    const caseLink = owner.page.locator('li[data-item="publication"] a.published-link');
    await caseLink.waitFor(LIVE);
    assert.equal(await caseLink.innerText(), '在亮晒专栏查看和评价');
    assert.deepEqual(owner.errors, []);
  } finally {
    await owner.context.close();
  }

  // Signed out: from the one-thing's guide to the list.
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(new URL('/services/enterprise-issue', server.url).href);
    const guideLink = page.locator('#guide a.published-link');
    await guideLink.waitFor();
    await guideLink.click();
    await page.waitForURL(/\/published\?service=enterprise-issue$/);
    const entry = page.locator('li.published-entry').first();
    await entry.getByText(SUMMARY, { exact: false }).waitFor(LIVE);
    const text = await entry.innerText();
    assert.match(text, /问题类别：用工人才/);
    assert.ok(!text.includes(c.title), `the enterprise's own title is not published: ${text}`);
    assert.ok(!text.includes(c.company), 'nor its name');
    assert.ok(!text.includes(c.case_number), 'nor the case number');
    assert.match(text, /暂无评价/);
    await entry.getByRole('button', { name: '登录后评价' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('onething.session')), null, 'signed out');
    await shot(page, 'published-list-360');
    assert.deepEqual(await a11y(page, 'published'), []);

    // Signing in from the entry, then rating with the keyboard: the levels are one radio group.
    await entry.getByRole('button', { name: '登录后评价' }).click();
    const form = entry.locator('form.published-rating');
    await form.waitFor(LIVE);
    const first = form.locator('input[type="radio"][value="1"]');
    await first.focus();
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
    assert.equal(await form.locator('input[type="radio"]:checked').getAttribute('value'), '4');
    await form.getByLabel('原因（可选）').selectOption('quick');
    await form.getByRole('button', { name: '提交评价' }).focus();
    await page.keyboard.press('Enter');
    await entry.getByRole('status').filter({ hasText: '感谢您的评价！您的评分：4 分。' }).waitFor(LIVE);
    await entry.getByText('1 人评价，平均 4.0 分（满分 5 分）').waitFor();
    await shot(page, 'published-rated-360');
    assert.deepEqual(await a11y(page, 'published-rated'), []);

    // Once per account: after a reload the same account is told it rated already.
    await page.reload();
    const again = page.locator('li.published-entry').first().locator('form.published-rating');
    await again.waitFor(LIVE);
    await again.locator('input[type="radio"][value="2"]').check();
    await again.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('alert').filter({ hasText: '您已经评价过这条内容。' }).waitFor(LIVE);
    // The browser logs the refused request itself; nothing else went wrong.
    assert.deepEqual(errors.filter((e) => !e.includes('status of 409')), []);
  } finally {
    await context.close();
  }
});
