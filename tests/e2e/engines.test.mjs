// The main flows in every engine a parent's phone may hold: Chromium (Android, XWeb), WebKit
// (every iOS webview: WeChat, Alipay, 浙里办) and Firefox ESR, through one WebDriver layer
// (driver/webdriver.mjs), so each flow is written once. The full suite runs on Chromium with
// Playwright; this file runs the flows that matter most on each engine named in
// `ONETHING_ENGINES` (e.g. `chromium,firefox,webkit`; `cargo xtask test` sets it):
// catalogue → landing → the newborn wizard to a case number, with photos taken sideways;
// tracking, live; a draft restored after the browser restarts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { advanceItem, artifacts, startServer, switchLanguage, tookOver } from './harness.mjs';
import { answer, domId, exampleApplication, fill, next, submitThroughApi, walk } from './wizard.mjs';
import { enginesWanted, startDriver } from './driver/webdriver.mjs';
import { UPRIGHT, blocksAsShown, jpegInfo, sentSince, sidewaysJpeg, watchUploads } from './driver/photos.mjs';

const ADMIN = 'e2e-admin-token-engines-0123456789';
const engines = enginesWanted();

if (engines.length === 0) {
  test('main flows in other engines', { skip: 'ONETHING_ENGINES is not set (`cargo xtask test` runs them in their own stage)' }, () => {});
}

for (const engine of engines) {
  describe(engine, () => {
    let server;
    let driver;
    before(async () => {
      server = await startServer({ adminToken: ADMIN });
      driver = await startDriver(engine);
    });
    after(async () => {
      await driver?.stop();
      await server?.stop();
    });

    const shot = (page, name) => page.screenshot({ path: join(artifacts(), `engine-${engine}-${name}.png`) });
    const url = (path) => new URL(path, server.url).href;
    const newborn = async () => (await fetch(url('/api/services/newborn'))).json();

    test('catalogue → landing → the newborn wizard to a case number; photos taken sideways arrive upright', async () => {
      const page = await driver.newSession();
      try {
        console.log(`# ${engine}: ${page.version()}`);
        await page.goto(server.url);
        const card = page.locator('a.card-link', { hasText: '新生儿出生一件事' });
        await card.waitFor();
        // The prerendered page is there at once; it answers input once its own script has run.
        await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at 360 px');
        await shot(page, '1-catalogue');
        await card.click();
        await page.waitForURL(/\/services\/newborn$/);
        await page.locator('li.sub-item .sub-item-title').first().waitFor();
        assert.equal(await page.locator('li.sub-item').count(), 6);
        await shot(page, '2-landing');
        // The page's own script: elder mode at once, the language by the same page from the
        // server in English; then both back.
        await page.locator('.elder-switch').click();
        await page.waitForFunction(() => document.documentElement.classList.contains('elder'));
        await switchLanguage(page, 'English');
        assert.equal(await page.evaluate(() => document.querySelector('main h1').textContent), 'Newborn one-thing');
        assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')), 'elder mode kept');
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling in elder mode');
        await shot(page, '2-landing-en-elder');
        await page.locator('.elder-switch').click();
        await switchLanguage(page, '中文');
        await page.locator('li.sub-item .sub-item-title').first().waitFor();
        // Start once the guide has been read a moment (its first step fetched meanwhile): the
        // build's first step at once, which the whole app then takes over.
        await page.waitForFunction(() => performance.getEntriesByType('resource')
          .some((e) => /\/apply\/newborn\/eligibility\/entry\./.test(e.name) && e.responseEnd > 0));
        await new Promise((r) => setTimeout(r, 500));
        await page.evaluate(() => {
          new MutationObserver(() => {
            if (document.querySelector('#app[data-prerendered] main h1')) window.__entryShown = true;
          }).observe(document.body, { childList: true, subtree: true });
        });
        await page.getByRole('link', { name: '开始办理' }).click();
        await page.waitForURL(/eligibility$/);
        await tookOver(page, 30_000);
        assert.equal(await page.evaluate(() => window.__entryShown === true), true, 'the first step shown at once');
        assert.equal(await page.evaluate(() => document.querySelectorAll('header.top-bar').length), 1);

        const def = await newborn();
        const example = exampleApplication('newborn');
        await walk(page, server.url, def, example);
        assert.match(page.url(), /materials$/);

        // Documents: e-licences, the hukou booklet at the window, the bank card later, and the
        // father's ID card as two photos taken with the phone held sideways (EXIF 6 and 8).
        for (const mid of ['mother_id_card', 'marriage_certificate']) {
          await page.locator(`#material-${mid}-e-licence`).check();
          await page.locator(`#material-${mid}-agree`).check();
        }
        await page.locator('#material-hukou_booklet-at-window').check();
        await page.locator('#material-bank_card-deferred').check();
        await page.locator('#material-father_id_card-upload').check();
        const sent = [];
        for (const [i, orientation] of [[0, 6], [1, 8]]) {
          const photo = await sidewaysJpeg(page, orientation);
          await watchUploads(page);
          await page.locator(`#material-father_id_card-page-${i}-album`).setInputFiles(photo);
          await page.locator(`#material-father_id_card-page-${i}`).getByText('已上传').waitFor({ timeout: 30_000 });
          sent.push([await sentSince(page), orientation]);
        }
        await shot(page, '3-materials');
        await next(page, /check$/);
        await shot(page, '4-check');
        await next(page, /declaration$/);
        await page.locator('#declaration-agree').check();
        await page.locator('.bottom-bar button:visible').click();
        await page.waitForURL(/confirmation$/, { timeout: 30_000 });
        const caseNumber = (await page.locator('.case-number').innerText()).trim();
        assert.ok(caseNumber.length >= 8, caseNumber);
        await shot(page, '5-confirmation');

        // What the app sent: portrait, no orientation tag left to misread, the blocks where an
        // upright, un-mirrored photo has them.
        for (const [bytes, orientation] of sent) {
          const info = jpegInfo(bytes);
          assert.equal(info.orientation, 1, 'the app sends pixels already turned');
          assert.ok(info.height > info.width, `portrait (${info.width}×${info.height}) for EXIF ${orientation}`);
          assert.ok(Math.max(info.width, info.height) <= 1600, 'scaled to the long edge');
          const { red, blue } = UPRIGHT[orientation];
          assert.deepEqual(await blocksAsShown(page, bytes), { red, blue }, `upright and un-mirrored for EXIF ${orientation}`);
        }
      } finally {
        await page.close();
      }
    });

    test('tracking: an open case follows a department\'s change live', async () => {
      const page = await driver.newSession();
      try {
        await page.goto(server.url);
        const app = await submitThroughApi(page, exampleApplication('newborn'), { subject: `engines-${engine}` }, await newborn());
        await page.evaluate((t) => sessionStorage.setItem('onething.session', t), app.token);
        await page.goto(url(`/applications/${app.id}`));
        const row = page.locator('li[data-item="birth_certificate"]');
        await row.locator('.status', { hasText: '已接收' }).waitFor();
        await page.evaluate(() => { window.notReloaded = true; });
        await advanceItem(server, ADMIN, app.case_number, 'birth_certificate', 'accepted');
        // Server-Sent Events: the change appears without a reload, in seconds.
        await row.locator('.status', { hasText: '已受理' }).waitFor({ timeout: 5_000 });
        assert.equal(await page.evaluate(() => window.notReloaded), true, 'followed live, not reloaded');
        await shot(page, '6-tracking');
      } finally {
        await page.close();
      }
    });

    test('without OffscreenCanvas (older webviews), a sideways photo is turned on the main thread', async () => {
      const page = await driver.newSession();
      try {
        // A deep link loads the whole app, whose photo pipeline module the page preloads.
        await page.goto(url('/apply/newborn'));
        await page.waitForURL(/eligibility$/);
        const photo = await sidewaysJpeg(page, 6);
        const out = await page.evaluate(async (b64) => {
          // Decided at the first photo: no OffscreenCanvas means no worker, the page's canvas.
          delete window.OffscreenCanvas;
          const href = document.querySelector('link[href*="src/upload/photo.js"]').href;
          const { compressPhoto } = await import(href);
          const bin = atob(b64);
          const bytes = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
          const blob = await compressPhoto(new Blob([bytes], { type: 'image/jpeg' }), 1600, 0.85, 0);
          const back = new Uint8Array(await blob.arrayBuffer());
          let s = '';
          for (let i = 0; i < back.length; i += 0x8000) s += String.fromCharCode.apply(null, back.subarray(i, i + 0x8000));
          return { b64: btoa(s), offscreen: typeof OffscreenCanvas };
        }, photo.buffer.toString('base64'));
        assert.equal(out.offscreen, 'undefined');
        const jpeg = Buffer.from(out.b64, 'base64');
        const info = jpegInfo(jpeg);
        assert.equal(info.orientation, 1);
        assert.ok(info.height > info.width, `portrait (${info.width}×${info.height})`);
        const { red, blue } = UPRIGHT[6];
        assert.deepEqual(await blocksAsShown(page, jpeg), { red, blue });
      } finally {
        await page.close();
      }
    });

    if (engine === 'firefox') {
      test('with WebAssembly turned off in the browser, the page says what to do', async () => {
        // Firefox can switch WebAssembly off (as some hardened or managed browsers do).
        const page = await driver.newSession({ prefs: { 'javascript.options.wasm': false } });
        try {
          assert.equal(await page.evaluate(() => typeof WebAssembly), 'undefined');
          await page.goto(url('/services/newborn'));
          await page.locator('#unsupported h1').waitFor();
          assert.match(await page.locator('#unsupported').innerText(), /浏览器版本过低[\s\S]*too old[\s\S]*Missing: WebAssembly/);
          await page.waitForTimeout(1000);
          assert.equal(await page.locator('a.card-link, li.sub-item').count(), 0, 'nothing of the app that would not work');
          await shot(page, '8-unsupported');
        } finally {
          await page.close();
        }
      });
    }

    test('a draft is restored after the browser restarts', async () => {
      const profile = mkdtempSync(join(tmpdir(), `onething-${engine}-profile-`));
      let page = await driver.newSession({ profile });
      try {
        await page.goto(url('/services/newborn'));
        await page.getByRole('link', { name: '开始办理' }).click();
        await page.waitForURL(/eligibility$/);
        const example = exampleApplication('newborn');
        for (const q of (await newborn()).eligibility.questions) {
          const value = example.eligibility[q.id];
          if (value !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, value);
        }
        await next(page, /sub-items$/);
        await next(page, /page\/baby$/);
        await fill(page, 'answers.children[0].name', '王一诺');
        await page.locator('.save-state[data-state="saved"]').waitFor();
        if (engine === 'webkit') {
          // MiniBrowser keeps an automation session's data in memory only, so a restart would
          // lose every profile: the page's window is closed and a new one opened instead (the
          // page, its memory and the app are gone; the storage stays, as in a killed webview).
          await page.newWindow();
        } else {
          await page.close();
          page = await driver.newSession({ profile });
        }
        await page.goto(url('/apply/newborn?continue=1'));
        await page.waitForURL(/page\/baby$/);
        const name = page.locator(`#${domId('answers.children[0].name')}`);
        await name.waitFor();
        assert.equal(await name.inputValue(), '王一诺');
        await shot(page, '7-draft-restored');
      } finally {
        await page.close();
        rmSync(profile, { recursive: true, force: true });
      }
    });
  });
}
