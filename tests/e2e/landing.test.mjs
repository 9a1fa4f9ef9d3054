// The thin vertical slice: service list → newborn landing page, its sub-items from the file on
// disk, in both languages and elder mode, at 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, phonePage, serverAndBrowser } from './harness.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

/** Sub-item titles as written in services/newborn.toml, in order. */
function subItemsFromFile() {
  const src = readFileSync(join(process.env.ONETHING_SERVICES, 'newborn.toml'), 'utf8');
  return src.split('[[sub_items]]').slice(1).map((block) => {
    const m = block.match(/^title = \{ zh = "([^"]+)", en = "([^"]+)" \}/m);
    assert.ok(m, `a sub-item title in newborn.toml: ${block}`);
    return { zh: m[1], en: m[2] };
  });
}

const noHorizontalScroll = async (page) =>
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'nothing is wider than the 360 px screen');

test('the newborn landing page shows the sub-items of the file, in zh-CN, en and elder mode', async () => {
  const expected = subItemsFromFile();
  assert.equal(expected.length, 6);
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    // The static first paint is replaced by the live app.
    const card = page.locator('a.card-link', { hasText: '新生儿出生一件事' });
    await card.waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    await noHorizontalScroll(page);
    await page.screenshot({ path: join(artifacts(), 'home-zh.png'), fullPage: true });

    await card.click();
    await page.waitForURL(/\/services\/newborn$/);
    const titles = page.locator('li.sub-item .sub-item-title');
    await titles.first().waitFor();
    assert.deepEqual(await titles.allInnerTexts(), expected.map((s) => s.zh));
    assert.match(await page.title(), /新生儿出生一件事/);
    await noHorizontalScroll(page);
    await page.screenshot({ path: join(artifacts(), 'newborn-zh.png'), fullPage: true });

    await page.getByRole('button', { name: '切换到英文' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    // The same page again, prerendered in English, from the server.
    await titles.filter({ hasText: expected[0].en }).waitFor();
    assert.deepEqual(await titles.allInnerTexts(), expected.map((s) => s.en));
    await page.screenshot({ path: join(artifacts(), 'newborn-en.png'), fullPage: true });

    // The language is remembered across a reload of the deep link.
    await page.reload();
    await page.locator('.loading').waitFor({ state: 'detached' });
    await titles.filter({ hasText: expected[0].en }).waitFor();
    assert.deepEqual(await titles.allInnerTexts(), expected.map((s) => s.en));

    const elder = page.getByRole('button', { name: 'Large text' });
    await elder.click();
    assert.equal(await elder.getAttribute('aria-pressed'), 'true');
    const size = await titles.first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 24, `elder mode text is at least 18 pt (24 px), got ${size}`);
    const tap = await elder.boundingBox();
    assert.ok(tap.height >= 60 && tap.width >= 60, `elder mode targets are at least 60×60, got ${tap.width}×${tap.height}`);
    await noHorizontalScroll(page);
    await page.screenshot({ path: join(artifacts(), 'newborn-en-elder.png'), fullPage: true });

    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an unknown service says so in Chinese and links back to the list', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(new URL('/services/no-such-thing', server.url).href);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /没有找到这项服务/);
    await page.getByRole('link', { name: '返回办事服务' }).click();
    await page.locator('a.card-link').first().waitFor();
    // The failed API call (404) is the only console error the browser reports.
    assert.ok(errors.every((e) => e.includes('404')), errors.join('\n'));
  } finally {
    await context.close();
  }
});
