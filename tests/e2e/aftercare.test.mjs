// After submission, on the case page: what was submitted, read back from the server as a person
// reads it (choices by label, ID numbers masked), in a section that starts collapsed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, artifacts, launchBrowser, phonePage, startServer } from './harness.mjs';
import { signInAndSubmitShop } from './wizard.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });

/** Signs in inside the page and submits a small shop-opening case; the tab keeps the session. */
async function signInAndSubmit(page, subject) {
  const app = await signInAndSubmitShop(page, server.url, subject);
  // Every page of this tab uses the session (the SPA keeps the token per tab).
  await page.evaluate((t) => sessionStorage.setItem('onething.session', t), app.token);
  return app;
}

test('the case page shows what was submitted, as a person reads it', async () => {
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmit(page, 'aftercare-submitted');
    await page.goto(new URL(`/applications/${app.id}`, server.url).href);
    const section = page.locator('details.submitted');
    await section.waitFor();
    assert.equal(await section.getAttribute('open'), null, 'starts collapsed');
    await section.locator('summary').click();
    await section.getByText('织里小王甜品工作室').waitFor();
    const text = await section.innerText();
    assert.match(text, /提交的内容/);
    assert.match(text, /营业执照/, 'the sub-items by title');
    assert.match(text, /织里镇富民路 18 号/);
    assert.ok(!text.includes(app.id_number), 'the ID number is masked');
    assert.match(text, /自有/, 'a choice by its label');
    assert.match(text, /日用百货销售/, 'a multiple choice by its labels');
    await shot(page, 'aftercare-submitted');
    assert.deepEqual(await a11y(page, 'aftercare-submitted'), []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('a fresh case is withdrawn with a reason and shows as withdrawn on its page and in the list', async () => {
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmit(page, 'aftercare-withdraw');
    await page.goto(new URL(`/applications/${app.id}`, server.url).href);
    const section = page.locator('details.withdraw');
    await section.waitFor();
    await section.locator('summary').click();
    // No reason: the page says what is missing and sends nothing.
    await section.getByRole('button', { name: '撤回申请' }).click();
    await section.getByRole('alert').getByText('请填写撤回原因').waitFor();
    assert.deepEqual(await a11y(page, 'aftercare-withdraw-form'), []);
    await section.getByLabel('撤回原因').fill('信息填错了，重新申请');
    await section.getByRole('button', { name: '撤回申请' }).click();

    await page.locator('.case-state', { hasText: '已撤回' }).waitFor();
    await section.waitFor({ state: 'detached' });
    for (const id of ['business_licence', 'seal_engraving']) {
      await page.locator(`li[data-item="${id}"] .status`, { hasText: '已撤回' }).waitFor();
    }
    const timeline = page.locator('ol.timeline');
    await timeline.getByText('您撤回了申请').waitFor();
    await timeline.getByText('信息填错了，重新申请').waitFor();
    await shot(page, 'aftercare-withdrawn');

    await page.goto(new URL('/applications', server.url).href);
    const card = page.locator('.card').filter({ hasText: app.case_number });
    await card.locator('.status', { hasText: '已撤回' }).waitFor();
    assert.deepEqual(await a11y(page, 'aftercare-withdrawn-list'), []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
