// 涉企问题 (企呼我应) after submission: 交办 to a county department with a deadline, 提级协调 up the
// four response levels (四级响应) to the province — who handles it and by when shown at every
// step — then the reply with its 举一反三 note, the de-identified 亮晒 the enterprise consented
// to, and the 好差评 rating. The seed's own case: a foreign staff member's health check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, walkToCase } from './wizard.mjs';
import { day, language, openCase, row, stage, written } from './seed-steps.mjs';

const ADMIN = 'e2e-admin-token-seed-enterprise';
const LIVE = { timeout: 3_000 };
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

test('enterprise issue: escalated → handled → published → rated', async () => {
  const id = 'enterprise-issue';
  const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
  const example = exampleApplication(id);
  assert.equal(example.eligibility.publish_consent, true, 'the example consents to 亮晒');
  const { context, page, errors } = await phonePage(browser);
  try {
    const caseNo = await walkToCase(page, def, example, new URL(`/services/${id}`, server.url).href);
    await openCase(page);
    const move = (item, to, extra) => advanceItem(server, ADMIN, caseNo, item, to, extra);
    // The publication waits for the handling; the optional stages are not listed until used.
    await row(page, 'publication').getByText('等待“涉企问题受理和办理”办结后办理').waitFor();
    await stage(page, 'issue_handling', 'assigned').getByText('未开始').waitFor();
    assert.equal(await stage(page, 'issue_handling', 'escalated').count(), 0);

    await move('issue_handling', 'accepted');
    await move('issue_handling', 'in_progress', { stage: 'assigned', record: { level: 'county', handler: '吴兴区卫生健康局', due_on: day(7) } });
    const assigned = stage(page, 'issue_handling', 'assigned');
    await assigned.getByText('响应层级：县（区）级').waitFor(LIVE);
    await assigned.getByText('责任单位：吴兴区卫生健康局').waitFor();
    await assigned.getByText(`办理时限：${written(day(7))}`).waitFor();
    // What the county cannot solve goes to the city, then to the province.
    await move('issue_handling', 'in_progress', { stage: 'escalated', record: { level: 'city', handler: '湖州市涉企问题专班', due_on: day(14) } });
    await move('issue_handling', 'in_progress', { stage: 'escalated', record: { level: 'province', handler: '浙江省涉企问题专班', due_on: day(30) } });
    const escalated = stage(page, 'issue_handling', 'escalated');
    await escalated.getByText('响应层级：省级').waitFor(LIVE);
    await escalated.getByText('协调单位：浙江省涉企问题专班').waitFor();
    // A repeatable stage shows each time it was entered: the city before the province.
    await escalated.getByText('协调单位：湖州市涉企问题专班').waitFor();
    await escalated.getByText('进行中').waitFor();
    await page.locator('.timeline').getByText('涉企问题受理和办理：进入“提级协调”环节').first().waitFor();

    await move('issue_handling', 'completed', { record: {
      resolution: 'solved',
      reply: '省发展改革委联合多部门发文，明确湖州可指定本地三甲医院开展外国人健康检查。',
      generalisation: '全市外籍人员健康检查改由本地指定医院承担，同类企业无需再往返杭州。',
    } });
    const reply = row(page, 'issue_handling').locator('.outcome-reply');
    await reply.getByText('办结答复').waitFor(LIVE);
    await reply.getByText('办理结果：已解决').waitFor();
    await reply.getByText('举一反三：全市外籍人员健康检查改由本地指定医院承担，同类企业无需再往返杭州。').waitFor();

    // 亮晒, de-identified, because the enterprise consented.
    await move('publication', 'accepted');
    await move('publication', 'in_progress');
    await move('publication', 'completed', { record: { published_on: day(1), summary: '某纺织企业反映外籍员工体检需往返杭州，经省级协调，本地三甲医院已可开展外国人健康检查。' } });
    const published = row(page, 'publication').locator('.outcome-publication');
    await published.getByText('已亮晒').waitFor(LIVE);
    await published.getByText(`公开日期：${written(day(1))}`).waitFor();
    assert.doesNotMatch(await published.innerText(), /湖州某某纺织有限公司/, 'no enterprise name in what was published');
    await page.screenshot({ path: join(artifacts(), 'seed-enterprise-published.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'seed-enterprise'), []);
    await language(page, 'English');
    await stage(page, 'issue_handling', 'escalated').getByText('Response level: Province').waitFor();
    await reply.getByText('Beyond this case: 全市外籍人员健康检查改由本地指定医院承担，同类企业无需再往返杭州。').waitFor();
    await published.getByText('Published').first().waitFor();
    await language(page, '中文');

    // 好差评 of the closed case.
    const rating = page.locator('form.rating');
    for (const name of ['overall', 'efficiency', 'guide_accuracy', 'convenience', 'usability']) {
      await rating.locator(`input[name="rate-${name}"][value="5"]`).check();
    }
    await rating.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('感谢您的评价！').waitFor({ timeout: 5_000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
