// Notices that find the person, and what a department answers after submission: a 补正 a
// department makes through its own API shows on the home page as an unread count and in the
// message centre, without the case being opened (opening the case from the notice marks it
// read); a partly accepted case asks a department to withdraw one item and sees the answer live;
// a low rating (差评) asks for the reason, and the department's 整改 shows on the case; the other
// parent asked to consent to an e-licence finds the request in his own message centre.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, artifacts, devTicket, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, signInAndSubmitShop, submitThroughApi } from './wizard.mjs';

const ADMIN = 'messages-admin-token';
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });

async function api(path, token, body) {
  const r = await fetch(new URL(`/api${path}`, server.url), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** The market regulator asks for a supplement on the business licence, through its own API. */
async function departmentAsks(caseNumber) {
  const { token } = await api('/admin/departments/tokens', ADMIN, { department: '市场监督管理局', label: 'window 3' });
  await api(`/department/cases/${caseNumber}/items/business_licence`, token, {
    to: 'supplement_requested',
    note: '请补充经营场所的租赁合同首页',
  });
}

test('a department\'s supplement request reaches the message centre without opening the case', async () => {
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, 'messages-parent');
    await page.evaluate((t) => sessionStorage.setItem('onething.session', t), app.token);
    await departmentAsks(app.case_number);

    // The home page counts it.
    await page.goto(server.url);
    const link = page.locator('a.my-messages-link');
    await link.locator('.messages-unread-count', { hasText: '1 条未读' }).waitFor();

    // The message centre shows it, unread, with the case number and no department free text.
    await link.click();
    await page.waitForURL(/\/messages$/);
    const notice = page.locator('li.message[data-kind="supplement_requested"]');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('class'), 'message message-unread');
    const text = await notice.innerText();
    assert.match(text, /需要补正/);
    assert.ok(text.includes(app.case_number), text);
    assert.ok(!text.includes('租赁合同'), 'the department\'s note stays on the case page');
    assert.ok(!text.includes(app.id_number), 'no ID number');
    await page.getByRole('status').filter({ hasText: '1 条未读' }).waitFor();
    await shot(page, 'messages-unread');
    assert.deepEqual(await a11y(page, 'messages'), []);

    // Opening the case from the notice marks it read.
    await notice.getByRole('link', { name: /查看办件/ }).click();
    await page.waitForURL(new RegExp(`/applications/${app.id}$`));
    await page.goto(new URL('/messages', server.url).href);
    await page.getByRole('status').filter({ hasText: '消息都已读' }).waitFor();
    assert.equal(await page.locator('li.message').getAttribute('class'), 'message');
    await page.goto(server.url);
    await page.locator('a.my-messages-link').waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.messages-unread-count').count(), 0, 'nothing unread on the home page');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('in English: a consent-free case with a result and a supplement request, all marked read at once', async () => {
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, 'messages-en');
    await page.evaluate((t) => {
      sessionStorage.setItem('onething.session', t);
      localStorage.setItem('onething.locale', 'en');
    }, app.token);
    // The business licence is issued (a result ready), then the seal's department asks for more.
    for (const to of ['accepted', 'in_progress', 'completed']) {
      await api(`/admin/applications/${app.case_number}/items/business_licence`, ADMIN, { to });
    }
    await api(`/admin/applications/${app.case_number}/items/seal_engraving`, ADMIN, {
      to: 'supplement_requested',
      note: 'Bring the seal design',
    });
    await page.goto(new URL('/messages', server.url).href);
    await page.locator('li.message').first().waitFor();
    assert.equal(await page.locator('li.message-unread').count(), 2);
    const main = await page.locator('main').innerText();
    assert.match(main, /More documents needed/);
    assert.match(main, /A result is ready/);
    assert.ok(!main.includes('seal design'), 'the department\'s note stays on the case page');
    await shot(page, 'messages-en');
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.getByRole('status').filter({ hasText: 'All messages read.' }).waitFor();
    assert.equal(await page.locator('li.message-unread').count(), 0);
    await shot(page, 'messages-en-read');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('a partly accepted case asks a department to withdraw one item, and sees the answer live', async () => {
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, 'withdraw-item');
    await page.evaluate((t) => sessionStorage.setItem('onething.session', t), app.token);
    await api(`/admin/applications/${app.case_number}/items/business_licence`, ADMIN, { to: 'accepted' });
    await page.goto(new URL(`/applications/${app.id}`, server.url).href);
    const section = page.locator('details.item-withdraw');
    await section.waitFor();
    assert.equal(await page.locator('details.withdraw:not(.item-withdraw)').count(), 0, 'the whole case can no longer be withdrawn');
    await section.locator('summary').click();
    await section.getByRole('button', { name: '提交撤回申请' }).click();
    await section.getByRole('alert').getByText('请选择要撤回的事项').waitFor();
    await section.getByLabel('要撤回的事项').selectOption('seal_engraving');
    await section.getByLabel('撤回原因').fill('公章已另行刻制');
    await section.getByRole('button', { name: '提交撤回申请' }).click();
    await page.locator('ol.timeline').getByText('您申请撤回此事项，等待部门答复').waitFor();
    await shot(page, 'withdraw-item-asked');
    assert.deepEqual(await a11y(page, 'withdraw-item'), []);

    // The police (公安局) handle the seal: they agree, and the page shows it without a reload.
    const { token } = await api('/admin/departments/tokens', ADMIN, { department: '公安局', label: 'window 5' });
    await api(`/department/cases/${app.case_number}/items/seal_engraving/withdrawal`, token, { approve: true });
    await page.locator('li[data-item="seal_engraving"] .status', { hasText: '已撤回' }).waitFor({ timeout: 15_000 });
    await page.locator('ol.timeline').getByText('部门同意撤回，此事项已撤回').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('a low rating asks for the reason, and the department\'s follow-up shows on the case', async () => {
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmitShop(page, server.url, 'low-rating');
    await page.evaluate((t) => sessionStorage.setItem('onething.session', t), app.token);
    for (const item of ['business_licence', 'seal_engraving']) {
      for (const to of ['accepted', 'in_progress', 'completed']) {
        await api(`/admin/applications/${app.case_number}/items/${item}`, ADMIN, { to });
      }
    }
    await page.goto(new URL(`/applications/${app.id}`, server.url).href);
    const rating = page.locator('form.rating');
    await rating.waitFor();
    await rating.locator('input[name="rate-overall"][value="2"]').check();
    for (const name of ['efficiency', 'guide_accuracy', 'convenience', 'usability']) {
      await rating.locator(`input[name="rate-${name}"][value="4"]`).check();
    }
    await rating.getByText('不满意的原因（必填）').waitFor();
    await rating.getByRole('button', { name: '提交评价' }).click();
    await rating.getByRole('alert').filter({ hasText: '您选择了不满意，请写明原因' }).waitFor();
    assert.deepEqual(await a11y(page, 'low-rating'), []);
    await rating.locator('#rate-comment').fill('窗口让我跑了两次');
    await rating.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('感谢您的评价！').waitFor({ timeout: 5_000 });

    const { token } = await api('/admin/departments/tokens', ADMIN, { department: '市场监督管理局', label: 'window 1' });
    const r = await fetch(new URL(`/api/department/cases/${app.case_number}/items/business_licence/follow-ups`, server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind: 'rectification', note: '已调整窗口流程，材料一次收齐' }),
    });
    assert.equal(r.status, 204);
    const timeline = page.locator('ol.timeline');
    await timeline.getByText('部门已整改').waitFor({ timeout: 15_000 });
    await timeline.getByText('已调整窗口流程，材料一次收齐').waitFor();
    await shot(page, 'low-rating-follow-up');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('the other parent asked to consent finds the request in his own message centre, which opens it', async () => {
  const mother = await phonePage(browser);
  const father = await phonePage(browser);
  try {
    const example = exampleApplication('newborn');
    assert.equal(example.materials.father_id_card.kind, 'e_licence', 'the father\'s card by e-licence');
    await mother.page.goto(server.url);
    const app = await submitThroughApi(mother.page, example, { subject: 'messages-mother', name: '陈倩' });

    // The father signs in through his platform (its ticket in the URL): the home page counts it.
    const fp = father.page;
    const ticket = await devTicket(server, { subject: 'messages-father', name: '王强', id_number: example.answers.father_id_number });
    await fp.goto(new URL(`/?ticket=${ticket}`, server.url).href);
    const link = fp.locator('a.my-messages-link');
    await link.locator('.messages-unread-count', { hasText: '1 条未读' }).waitFor({ timeout: 15_000 });
    await link.click();
    await fp.waitForURL(/\/messages$/);
    const notice = fp.locator('li.message[data-kind="consent_asked"]');
    await notice.getByText('请您授权').first().waitFor();
    const text = await notice.innerText();
    assert.match(text, /请您授权调取您的「父亲居民身份证」电子证照/);
    assert.ok(text.includes(app.case_number), text);
    assert.ok(!text.includes(example.answers.father_id_number), 'no ID number in a notice');
    assert.equal(await notice.getByRole('link', { name: /查看办件/ }).count(), 0, 'not his case to open');
    await shot(fp, 'messages-consent-asked');
    assert.deepEqual(await a11y(fp, 'messages-consent-asked'), []);
    await fp.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await notice.getByText(/asks you to approve fetching your e-licence/).waitFor();
    await fp.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await shot(fp, 'messages-consent-asked-en-elder');
    await fp.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await fp.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();

    // The notice opens the consent request (and is read).
    await notice.getByRole('link', { name: /查看授权请求/ }).click();
    await fp.waitForURL(/\/consents\/[2-9A-HJKMNP-Z]{8}$/);
    await fp.getByRole('button', { name: /同意/ }).first().waitFor({ timeout: 15_000 });
    assert.deepEqual(mother.errors, []);
    assert.deepEqual(father.errors, []);
  } finally {
    await mother.context.close();
    await father.context.close();
  }
});
