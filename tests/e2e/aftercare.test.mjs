// After submission, on the case page: what was submitted, read back from the server as a person
// reads it (choices by label, ID numbers masked), in a section that starts collapsed; a fresh
// case withdrawn; and a 补正 answered with the materials page's photo picker, whose photo
// survives a reload mid-upload and reaches the department.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, artifacts, phonePage, serverAndBrowser, slowUplink } from './harness.mjs';
import { jpeg, signInAndSubmitShop } from './wizard.mjs';

const ADMIN = 'aftercare-admin-token-0123456789';
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });

/** Signs in inside the page and submits a small shop-opening case; the tab keeps the session. */
async function signInAndSubmit(page, subject, base = server.url) {
  const app = await signInAndSubmitShop(page, base, subject);
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

/** Calls the API as `token` (a department's, the operator's): GET without a body, else POST. */
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

test('a 补正 is answered with the wizard\'s photo picker: the photo survives a reload mid-upload and reaches the department', async () => {
  // A phone's uplink (48 KB/s): the photo is still on its way when the page is reloaded.
  const uplink = await slowUplink(server.url, 48 * 1024);
  const { page, errors } = await phonePage(browser);
  try {
    const app = await signInAndSubmit(page, 'aftercare-supplement', uplink.url);
    const { token: desk } = await api('/admin/departments/tokens', ADMIN, { department: '市场监督管理局', label: 'window 4' });
    await api(`/department/cases/${app.case_number}/items/business_licence`, desk, {
      to: 'supplement_requested',
      note: '请补充经营场所的租赁合同首页',
    });
    await page.goto(new URL(`/applications/${app.id}`, uplink.url).href);
    const form = page.locator('form.supplement');
    await form.getByText('请补充经营场所的租赁合同首页').waitFor();
    // The materials page's picker: the camera (capture) and the album, no bare file input.
    const slot = form.locator('.photo-slot').first();
    assert.equal(await slot.locator('input[type="file"][capture="environment"]').count(), 1);
    await slot.getByText('拍照', { exact: true }).waitFor();
    assert.deepEqual(await a11y(page, 'supplement-picker'), []);
    await slot.locator('input[type="file"]:not([capture])').setInputFiles(await jpeg(page, { width: 2400, height: 1600 }));
    // Previewed, with its progress, pause, rotate and delete.
    await slot.locator('img.photo-preview').waitFor();
    await slot.locator('[role="progressbar"]').waitFor({ timeout: 15_000 });
    await slot.getByRole('button', { name: '旋转' }).waitFor();
    await slot.getByRole('button', { name: '删除' }).waitFor();
    // Sending it now is refused: the photo is not there yet.
    await form.getByRole('button', { name: '提交补正' }).click();
    await form.getByRole('alert').getByText('请等照片全部上传完成后再提交').waitFor();
    await page.screenshot({ path: join(artifacts(), 'aftercare-supplement-uploading.png'), fullPage: true });

    // The answer's text is typed before the reload: it is kept on the device too.
    await form.locator('textarea').fill('租赁合同首页见照片');
    const keptIn = (store) => page.evaluate((store) => new Promise((resolve) => {
      const open = indexedDB.open('onething');
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains(store)) { resolve([]); return; }
        const req = db.transaction(store).objectStore(store).getAllKeys();
        req.onsuccess = () => resolve(req.result.map(String).filter((k) => k.startsWith('supplement.')));
      };
      open.onerror = () => resolve(['unreadable']);
    }), store);
    for (let i = 0; i < 50 && (await keptIn('drafts')).length === 0; i++) await page.waitForTimeout(100);
    assert.equal((await keptIn('drafts')).length, 1, 'the text kept on the device');

    // Reloaded mid-upload: the photo is still there (kept on the device) and its upload goes on;
    // the text is back in its box.
    await page.reload();
    const again = page.locator('form.supplement .photo-slot').first();
    await again.locator('img.photo-preview').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('form.supplement textarea')?.value === '租赁合同首页见照片');
    await again.getByText('已上传').waitFor({ timeout: 90_000 });
    // A second slot offers the next photo.
    await page.locator('form.supplement .photo-slot').nth(1).getByText('拍照', { exact: true }).waitFor();
    assert.equal(await page.locator('form.supplement textarea').inputValue(), '租赁合同首页见照片');
    await page.screenshot({ path: join(artifacts(), 'aftercare-supplement-ready.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'supplement-ready'), []);
    await page.locator('form.supplement').getByRole('button', { name: '提交补正' }).click();
    await page.locator('form.supplement').waitFor({ state: 'detached', timeout: 15_000 });

    // The department sees the answer with the new file, and can open it.
    const seen = await api(`/department/cases/${app.case_number}/items/business_licence`, desk);
    const answer = seen.supplements.at(-1).answer;
    assert.equal(answer.text, '租赁合同首页见照片');
    assert.equal(answer.upload_ids.length, 1);
    const file = await fetch(new URL(`/api/department/cases/${app.case_number}/items/business_licence/files/${answer.upload_ids[0]}`, server.url), {
      headers: { Authorization: `Bearer ${desk}` },
    });
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-type') ?? '', /^image\/jpeg/);
    assert.ok((await file.arrayBuffer()).byteLength > 1000);
    // Nothing of it is left on the device once answered: neither the photos nor the text.
    const kept = async () => [...await keptIn('photos'), ...await keptIn('drafts')];
    let left = await kept();
    for (let i = 0; i < 25 && left.length > 0; i++) {
      await page.waitForTimeout(200);
      left = await kept();
    }
    assert.deepEqual({ left, errors }, { left: [], errors: [] });
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
    await uplink.close();
  }
});
