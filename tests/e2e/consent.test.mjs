// Consent for the other parent's e-licence, and the ways a result is delivered. The mother
// submits the newborn one-thing with the father's ID card by e-licence; her case page shows the
// pending consent with its link and code (and the list a badge). The father, in his own browser
// context and account (the platform's ticket in the URL), opens the link, sees who asks, for
// what, which departments and for how long, and agrees; the mother's open page shows it within
// 2 s without reloading, announced politely. Then the departments deliver the birth certificate
// as an e-licence and the hukou at a window. axe-core on every new page in zh-CN, en and elder
// mode; 360 px screenshots in target/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, advanceItem, artifacts, devTicket, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, submitThroughApi } from './wizard.mjs';

const ADMIN = 'e2e-admin-token-consent-0123456789';
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });
const LIVE = { timeout: 2_000 };
const toggle = (page, label) => page.locator('.top-bar button.chip').filter({ hasText: label }).click();

const move = (caseNo, item, to, extra) => advanceItem(server, ADMIN, caseNo, item, to, extra);

const ticket = (body) => devTicket(server, body);

/** Signs the mother in inside the page and submits the newborn example (photos through tus). */
async function submitNewborn(page) {
  const example = exampleApplication('newborn');
  assert.equal(example.materials.father_id_card.kind, 'e_licence', 'the father\'s card by e-licence');
  await page.goto(server.url);
  return submitThroughApi(page, example, { subject: 'consent-mother', name: '陈倩' });
}

test('the father authorises his e-licence from his own account; the mother sees it live; results by e-licence and at a window', async () => {
  const mother = await phonePage(browser);
  const father = await phonePage(browser);
  try {
    const { page } = mother;
    const app = await submitNewborn(page);
    await mother.context.addInitScript((t) => sessionStorage.setItem('onething.session', t), app.token);

    // The list badges the case while the consent is pending (from the list alone).
    const listRequests = [];
    page.on('request', (r) => { if (r.url().includes('/api/applications/')) listRequests.push(r.url()); });
    await page.goto(new URL('/applications', server.url).href);
    const card = page.locator('.card').filter({ hasText: app.case_number });
    await card.getByText('等待对方授权').waitFor();
    assert.deepEqual(listRequests, [], 'the list reads no case detail');

    // The case page: who is asked, the link and the code to send.
    await card.locator('a').click();
    await page.waitForURL(/\/applications\/[^/]+$/);
    const consent = page.locator('.consent');
    await consent.getByText('等待父亲（王强）授权调取“父亲居民身份证”的电子证照。').waitFor();
    const code = (await consent.locator('.consent-code').innerText()).replace('-', '');
    assert.match(code, /^[2-9A-HJKMNP-Z]{8}$/);
    const link = await consent.locator('a.consent-link').getAttribute('href');
    assert.equal(link, new URL(`/consents/${code}`, server.url).href);
    await page.locator('.timeline', { hasText: '已发送授权请求：父亲居民身份证' }).waitFor();
    await shot(page, 'consent-pending-zh');
    assert.deepEqual(await a11y(page, 'case with a pending consent'), []);
    await page.evaluate(() => { window.notReloaded = true; });

    // The father, in his own context: a typed code is checked before anything is asked.
    const fp = father.page;
    await fp.goto(new URL(`/consents?ticket=${await ticket({ subject: 'consent-father' })}`, server.url).href);
    await fp.locator('h1', { hasText: '输入授权码' }).waitFor();
    await fp.locator('#consent-code').fill('K7QM-2XP');
    await fp.getByRole('button', { name: '查看授权请求' }).click();
    await fp.locator('.field-error', { hasText: '授权码应为 8 位字母或数字' }).waitFor();
    assert.equal(await fp.locator('#consent-code').getAttribute('aria-invalid'), 'true');
    assert.equal(await fp.evaluate(() => document.activeElement?.id), 'consent-code');
    await shot(fp, 'consent-entry-error-zh');
    assert.deepEqual(await a11y(fp, 'consent code entry'), []);

    // Signed in as someone else, the request is not there for him.
    await fp.locator('#consent-code').fill(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`);
    await fp.getByRole('button', { name: '查看授权请求' }).click();
    await fp.waitForURL(new RegExp(`/consents/${code}$`));
    await fp.getByRole('alert').filter({ hasText: '没有找到这个授权请求，或它不是发给您的' }).waitFor();

    // The real father (the ID number the mother entered), with the platform's ticket in the URL.
    const fatherId = exampleApplication('newborn').answers.father_id_number;
    const fatherContext = await browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2 });
    const fatherErrors = [];
    const hp = await fatherContext.newPage();
    hp.on('console', (m) => { if (m.type() === 'error') fatherErrors.push(m.text()); });
    hp.on('pageerror', (e) => fatherErrors.push(e.message));
    try {
      const t = await ticket({ subject: 'consent-father-real', name: '王强', id_number: fatherId });
      await hp.goto(`${link}?ticket=${t}`);
      await hp.locator('h1', { hasText: '授权调取电子证照' }).waitFor();
      assert.ok(!hp.url().includes('ticket='), 'the ticket leaves the address bar');
      const facts = hp.locator('.consent-facts');
      await facts.getByText('陈*').waitFor();
      await facts.getByText(app.case_number).waitFor();
      await facts.getByText('父亲居民身份证').waitFor();
      await facts.getByText('卫生健康委员会、公安局').waitFor();
      await facts.getByText('同意后 90 天内有效，仅用于本次办件').waitFor();
      await shot(hp, 'consent-request-zh');
      assert.deepEqual(await a11y(hp, 'consent request'), []);
      await toggle(hp, 'English');
      await hp.locator('h1', { hasText: 'Authorise an e-licence' }).waitFor();
      await facts.getByText('Valid for 90 days after you agree, for this case only').waitFor();
      await shot(hp, 'consent-request-en');
      await toggle(hp, '中文');
      await toggle(hp, '长辈版');
      await shot(hp, 'consent-request-elder');
      await toggle(hp, '长辈版');

      // He agrees, once: the mother's open page changes within 2 s, without a reload.
      await hp.getByRole('button', { name: '同意授权' }).click();
      await hp.locator('#consent-result', { hasText: '您已同意授权' }).waitFor();
      assert.equal(await hp.getByRole('button', { name: '同意授权' }).count(), 0, 'answered once');
      await shot(hp, 'consent-approved-zh');
      assert.deepEqual(await a11y(hp, 'consent answered'), []);
      assert.deepEqual(fatherErrors, []);
    } finally {
      await fatherContext.close();
    }

    await consent.getByText('父亲（王强）已同意授权调取“父亲居民身份证”的电子证照。').waitFor(LIVE);
    await page.locator('.consent-live', { hasText: '对方已同意授权。' }).waitFor(LIVE);
    await page.locator('.timeline', { hasText: '对方已授权：父亲居民身份证' }).waitFor(LIVE);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page never reloaded');

    // Results: the birth certificate as an e-licence, the hukou at a window with a pickup code.
    for (const to of ['accepted', 'in_progress', 'completed']) await move(app.case_number, 'birth_certificate', to);
    await move(app.case_number, 'birth_certificate', 'delivered', { delivery: { method: 'e_licence' } });
    for (const to of ['accepted', 'in_progress', 'completed']) await move(app.case_number, 'household_registration', to);
    await move(app.case_number, 'household_registration', 'delivered', { delivery: { method: 'window', pickup_code: '4821' } });
    const birth = page.locator('li[data-item="birth_certificate"] .delivery-e-licence');
    await birth.getByText('已发放电子证照').waitFor(LIVE);
    await birth.getByText('查看位置：“浙里办”→“我的”→“电子证照”→“出生医学证明”').waitFor();
    const windowPickup = page.locator('li[data-item="household_registration"] .delivery-window');
    await windowPickup.locator('.pickup-code', { hasText: '4821' }).waitFor(LIVE);
    await windowPickup.getByText('领取地点：户籍所在地派出所 户籍窗口').waitFor();
    await windowPickup.getByText('办公时间：工作日 8:30–12:00，14:00–17:30；周六上午').waitFor();
    await shot(page, 'consent-delivered-zh');
    assert.deepEqual(await a11y(page, 'case with deliveries'), []);
    await toggle(page, 'English');
    await page.locator('li[data-item="household_registration"]').getByText('Pickup code:').waitFor();
    await page.getByText('Consent given by the father (王强) for fetching the “Father\'s resident ID card” e-licence.').waitFor();
    await shot(page, 'consent-delivered-en');
    await toggle(page, 'Large text');
    await shot(page, 'consent-delivered-elder-en');
    await toggle(page, 'Large text');
    await toggle(page, '中文');
    assert.deepEqual(mother.errors, []);

    // The mother opening her own link is told to send it to the father (a clear 403).
    await page.goto(link);
    await page.getByRole('alert').filter({ hasText: '这是您自己发出的授权请求' }).waitFor();
  } finally {
    await mother.context.close();
    await father.context.close();
  }
});
