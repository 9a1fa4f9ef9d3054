// Webview quirks that must not stop a parent: no IndexedDB at all (some app webviews), or one
// that refuses to open (private modes): the wizard keeps what is typed in the page's memory and
// says so, and the person goes on. (Photos taken sideways and a webview without OffscreenCanvas
// are covered in every engine by engines.test.mjs.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, axeNow, launchBrowser, phonePage, startServer } from './harness.mjs';
import { answer, domId, exampleApplication, next } from './wizard.mjs';

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

const STORAGE = {
  absent: () => { delete window.indexedDB; },
  // As a private mode does: the factory is there, every open fails.
  refused: () => {
    IDBFactory.prototype.open = function () {
      const request = {};
      setTimeout(() => {
        request.error = new DOMException('The operation failed for reasons unrelated to the database itself', 'InvalidStateError');
        if (request.onerror) request.onerror({ target: request });
      });
      return request;
    };
  },
};

for (const [how, init] of Object.entries(STORAGE)) {
  test(`IndexedDB ${how}: the wizard works from memory and says the draft is not kept`, async () => {
    const { context, page, errors } = await phonePage(browser);
    try {
      await context.addInitScript(init);
      await page.goto(new URL('/services/newborn', server.url).href);
      await page.getByRole('link', { name: '开始办理' }).click();
      await page.waitForURL(/eligibility$/);
      const notice = page.locator('.notice[role="status"]', { hasText: '本机无法保存草稿' });
      await notice.waitFor();
      const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
      const example = exampleApplication('newborn');
      for (const q of def.eligibility.questions) {
        const value = example.eligibility[q.id];
        if (value !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, value);
      }
      await next(page, /sub-items$/);
      await notice.waitFor();
      assert.deepEqual(await axeNow(page, `IndexedDB ${how}`), []);
      await page.screenshot({ path: join(artifacts(), `quirk-indexeddb-${how}.png`) });
      // Back keeps the answers: they live in the page.
      await page.goBack();
      await page.waitForURL(/eligibility$/);
      const born = `input[name="${domId('eligibility.born_in_province_hospital')}"]`;
      await page.locator(born).first().waitFor();
      assert.equal(await page.locator(`${born}:checked`).count(), 1);
      assert.deepEqual(errors.filter((e) => !/indexedDB|IndexedDB|InvalidStateError|unavailable/.test(e)), []);
    } finally {
      await context.close();
    }
  });
}
