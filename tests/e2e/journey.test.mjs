// The parent's journey before and around the wizard (issue #19): finding the newborn one-thing in
// the catalogue by what people call it, its service guide (办事指南) on the landing page, readable
// without the whole app and offline once seen, and shared (the platform's share, the Web Share
// API, or the link copied); the privacy notice's short first screen in elder mode; the check page
// showing everything that will be sent, materials included; and the accessibility statement
// every page's footer links to; in zh-CN, en and elder mode at 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, artifacts, phonePage, serverAndBrowser, tookOver } from './harness.mjs';
import { exampleApplication, materials, next, walk, walkToCase } from './wizard.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `journey-${name}.png`), fullPage: true });
const visibleCards = (page) => page.locator('li.card:not([hidden]) .card-title').allInnerTexts();

test('the catalogue search finds the newborn one-thing by 上户口, traditional characters and pinyin initials', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    const search = page.getByLabel('搜索一件事');
    await search.waitFor();
    // The page's own script has run (neither wasm module is needed).
    await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
    for (const q of ['上户口', '上戶口', 'xse', 'XSECS', '出生证']) {
      await search.fill(q);
      assert.deepEqual(await visibleCards(page), ['新生儿出生一件事'], q);
    }
    assert.match(await page.getByRole('status').filter({ hasText: '找到' }).innerText(), /找到 1 项服务/);
    await shot(page, 'search-zh');
    await search.fill('办营业执照');
    assert.deepEqual(await visibleCards(page), ['开办小店一件事']);
    await search.fill('驾驶证');
    assert.deepEqual(await visibleCards(page), []);
    assert.match(await page.locator('.search-status').innerText(), /没有找到/);
    await search.fill('');
    assert.ok((await visibleCards(page)).length >= 7, 'an empty query shows the whole catalogue');

    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    const en = page.getByLabel('Find a service');
    await en.fill('birth certificate');
    assert.deepEqual(await visibleCards(page), ['Newborn one-thing']);
    await en.fill('shk');
    assert.deepEqual(await visibleCards(page), ['Newborn one-thing']);
    await shot(page, 'search-en-elder');
    await en.fill('');
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();
    await search.fill('上户口');
    const violations = await a11y(page, 'catalogue search');
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the search works on the prerendered catalogue when the whole app is not loaded', async () => {
  const { context, page, errors } = await phonePage(browser);
  const full = [];
  page.on('request', (r) => { if (r.url().includes('onething-full')) full.push(r.url()); });
  try {
    await page.goto(server.url);
    await page.getByLabel('搜索一件事').fill('上户口');
    await page.waitForFunction(() => document.querySelectorAll('li.card:not([hidden])').length === 1);
    assert.deepEqual(full, [], 'the catalogue and its search need only the page\'s own script');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the newborn guide lists the documents and how each is supplied, linkable and offline once seen', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    // Prerendered: the guide is in the HTML the server sends, before any script runs.
    const html = await (await fetch(new URL('/services/newborn', server.url))).text();
    for (const s of ['id="guide"', '需要准备的材料', '母亲居民身份证', '户口簿', '《中华人民共和国户口登记条例》', '12345']) {
      assert.ok(html.includes(s), `the prerendered page has ${s}`);
    }
    await page.goto(new URL('/services/newborn#guide-documents', server.url).href);
    const docs = page.locator('#guide .guide-document-title');
    await docs.first().waitFor();
    const titles = await docs.allInnerTexts();
    for (const t of ['母亲居民身份证', '父亲居民身份证', '结婚证', '户口簿', '母亲本人银行卡']) assert.ok(titles.includes(t), `${t} in ${titles}`);
    const card = page.locator('.guide-document', { hasText: '母亲居民身份证' });
    assert.match(await card.innerText(), /电子证照/);
    assert.match(await page.locator('.guide-document', { hasText: '母亲本人银行卡' }).innerText(), /15 个工作日/);
    assert.match(await page.locator('.guide-document', { hasText: '结婚证' }).innerText(), /父母已婚时/);
    // The anchor lands on the documents.
    assert.ok(await page.locator('#guide-documents').evaluate((h) => h.getBoundingClientRect().top < 200));
    await page.locator('details.faq summary').first().click();
    await shot(page, 'guide-zh');

    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    // The first page's module keeps the prerendered guide; in another language the whole app shows it.
    await docs.filter({ hasText: "Mother's resident ID card" }).first().waitFor({ timeout: 15_000 });
    assert.match(await page.locator('#guide').innerText(), /Household Registration/);
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await shot(page, 'guide-en-elder');
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.deepEqual(await a11y(page, 'newborn guide'), []);

    // Read once, it opens without network: the service worker kept the page it was installed on,
    // in the language last chosen (it fetches the open pages again when the language changes).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    // Polled from here: an async predicate's promise would count as true at once.
    const keptInLanguage = () => page.evaluate(async () => {
      for (const name of await caches.keys()) {
        const c = await caches.open(name);
        const kept = await c.match(new URL('services/newborn', document.baseURI).href);
        if (kept && (await kept.text()).includes(`<html lang="${document.documentElement.lang}">`)) return true;
      }
      return false;
    });
    for (let i = 0; !(await keptInLanguage()); i++) {
      assert.ok(i < 300, 'the page kept for offline, in the language shown');
      await page.waitForTimeout(100);
    }
    await context.setOffline(true);
    await page.reload();
    await page.locator('#guide .guide-document').first().waitFor({ timeout: 15_000 });
    await context.setOffline(false);
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('check answers shows the situation, the sub-items and each material with how it is supplied', async () => {
  const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
  const example = exampleApplication('newborn');
  const { context, page, errors } = await phonePage(browser);
  try {
    await walk(page, server.url, def, example);
    assert.match(page.url(), /materials$/);
    await materials(page, def, example);
    await next(page, /check$/);
    const group = (name) => page.locator('section.summary-card', { has: page.locator('h2', { hasText: name }) });
    await group('您的情况').waitFor();
    assert.match(await group('您的情况').innerText(), /是否首次申领出生医学证明[\s\S]*是/);
    const items = await group('申请的事项').innerText();
    for (const s of ['出生医学证明', '户口登记', '公安局']) assert.ok(items.includes(s), `${s} in ${items}`);
    const text = await group('提交材料').innerText();
    assert.match(text, /母亲居民身份证\s*使用电子证照（免提交）/);
    assert.match(text, /父亲居民身份证\s*使用父亲的电子证照：提交后由父亲在本人账号中授权/);
    assert.match(text, /户口簿\s*3 张照片/);
    assert.equal(await page.locator('section.summary-card').last().locator('img.thumb').count(), 4, 'a thumbnail per photo');
    // Every group has its Change link; the materials' goes back to the materials step.
    const groups = await page.locator('section.summary-card').count();
    assert.equal(await page.locator('section.summary-card a.change-link').count(), groups);
    assert.match(await page.locator('section.summary-card').last().locator('a.change-link').getAttribute('href'), /\/apply\/newborn\/materials\?return=check$/);
    // Values as a person reads them: dates in words, no raw ISO date-times, ID numbers masked.
    const all = await page.locator('main').innerText();
    assert.doesNotMatch(all, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    assert.match(all, /\d{4}年\d{1,2}月\d{1,2}日 08:30/);
    assert.doesNotMatch(all, /330502199203150023/);
    await page.screenshot({ path: join(artifacts(), 'journey-check-zh.png'), fullPage: true });

    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const en = await page.locator('main').innerText();
    assert.doesNotMatch(en, /、/, 'English lists use English separators');
    assert.match(en, /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, 08:30/);
    assert.match(en, /Mother's resident ID card\s*E-licence \(nothing to upload\)/);
    assert.match(en, /Father's resident ID card\s*E-licence of the father: after you submit/);
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await page.screenshot({ path: join(artifacts(), 'journey-check-en-elder.png'), fullPage: true });
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.deepEqual(await a11y(page, 'journey check'), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a case number is never broken across lines at 360 px in elder mode', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.locator('.top-bar button.chip').filter({ hasText: '长辈版' }).click();
    // The confirmation's and the case page's case number styles, on a real number's length.
    const lines = await page.evaluate(() => {
      const main = document.querySelector('main');
      return ['p.case-number', 'strong.case-no'].map((sel) => {
        const [tag, cls] = sel.split('.');
        const holder = document.createElement(tag === 'p' ? 'div' : 'p');
        holder.className = tag === 'p' ? 'panel-success' : 'case-line';
        const el = document.createElement(tag);
        el.className = cls;
        el.textContent = 'OT20261128042137';
        holder.append(tag === 'p' ? '' : '办件编号 ', el);
        main.append(holder);
        const rects = el.getClientRects();
        const r = el.getBoundingClientRect();
        return { lines: rects.length, right: r.right, width: document.documentElement.clientWidth };
      });
    });
    for (const l of lines) {
      assert.equal(l.lines, 1, 'one line');
      assert.ok(l.right <= l.width, `inside the screen: ${JSON.stringify(l)}`);
    }
  } finally {
    await context.close();
  }
});

test('every page links to the accessibility statement, which says the standard, the limits and how to report', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    for (const path of ['/', '/services/newborn', '/accessibility', '/apply/newborn/eligibility']) {
      const html = await (await fetch(new URL(path, server.url))).text();
      assert.match(html, /href="\.\/accessibility"/, `the prerendered ${path} links to the statement`);
    }
    await page.goto(server.url);
    await page.locator('footer a', { hasText: '无障碍声明' }).click();
    await page.waitForURL(/\/accessibility$/);
    await page.locator('h1', { hasText: '无障碍声明' }).waitFor();
    const text = await page.locator('main').innerText();
    for (const s of ['WCAG 2.1 AA', 'GB/T 37668', '已知问题', '12345']) assert.ok(text.includes(s), s);
    await page.screenshot({ path: join(artifacts(), 'journey-accessibility-zh.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'accessibility statement'), []);
    // The wizard's pages (the whole app) have the footer too.
    await page.goto(new URL('/apply/newborn/eligibility', server.url).href);
    // Its prerendered first step, then the whole app's own page once it has taken over.
    await tookOver(page);
    await page.locator('#app footer a', { hasText: '无障碍声明' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the confirmation names the next thing to do and how each result arrives, and offers a printable receipt with a QR code of the tracking link', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
    const example = exampleApplication('newborn');
    const caseNumber = await walkToCase(page, def, example, new URL('/services/newborn', server.url).href);
    // The father's e-licence needs his approval: the next thing to do, with the code to send.
    const todo = page.locator('.next-action');
    await todo.locator('.next-consent').first().waitFor();
    assert.match(await todo.innerText(), /授权码/);
    assert.equal(await page.locator('.arrival').count() > 0, true, 'how each result arrives');
    assert.deepEqual(await a11y(page, 'confirmation'), []);
    await shot(page, 'confirmation-zh');

    await page.locator('#receipt-link').click();
    await page.waitForURL(/\/applications\/[^/]+\/receipt$/);
    const receipt = page.locator('article.receipt');
    await receipt.locator('.receipt-qr svg').waitFor();
    const text = await receipt.innerText();
    assert.ok(text.includes(caseNumber), 'the case number');
    for (const s of def.sub_items.filter((x) => example.sub_items.includes(x.id))) {
      assert.ok(text.includes(s.title.zh), `the sub-item ${s.title.zh}`);
    }
    const id = new URL(page.url()).pathname.split('/')[2];
    assert.ok(text.includes(`/applications/${id}`), 'the tracking link, written out');
    assert.deepEqual(await a11y(page, 'receipt'), []);
    // On paper only the receipt: no top bar, footer or buttons.
    await page.emulateMedia({ media: 'print' });
    for (const sel of ['.top-bar', 'footer', '#receipt-print']) {
      assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} not printed`);
    }
    assert.ok(await receipt.isVisible());
    await page.pdf?.({ path: join(artifacts(), 'journey-receipt.pdf'), format: 'A4' }).catch(() => {});
    await page.emulateMedia({ media: 'screen' });
    await shot(page, 'receipt-zh');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** The newborn landing page, opened fresh by the first page's module, and its share button. */
async function openGuide(page) {
  await page.goto(new URL('/services/newborn', server.url).href);
  await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
  const button = page.locator('#guide').getByRole('button', { name: '分享本指南' });
  await button.waitFor();
  return button;
}

const GUIDE_URL = () => new URL('/services/newborn', server.url).href;

test('the guide is shared: copied with a confirmation in a plain browser, the link shown when nothing can take it', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const origin = new URL(server.url).origin;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    // A browser without the Web Share API (desktop Linux, older webviews).
    await context.addInitScript(() => { delete Navigator.prototype.share; });
    const button = await openGuide(page);
    assert.ok(await button.isVisible());
    await button.click();
    const status = page.locator('#guide .share-status');
    await status.getByText('链接已复制，粘贴到聊天或短信里即可分享本指南。').waitFor({ timeout: 15_000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), GUIDE_URL());
    await shot(page, 'share-copied-zh');
    assert.deepEqual(await a11y(page, 'guide share copied'), []);
    // English and elder mode: the same, in English words.
    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await page.locator('#guide').getByRole('button', { name: 'Share this guide' }).click();
    await status.getByText(/^Link copied/).waitFor();
    await page.locator('#guide-heading').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts(), 'journey-share-copied-en-elder.png') });
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await page.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  // No share sheet and no clipboard: the link is shown to copy by hand.
  const second = await phonePage(browser);
  try {
    await second.context.addInitScript(() => {
      delete Navigator.prototype.share;
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
      document.execCommand = () => false;
    });
    const button = await openGuide(second.page);
    await button.click();
    await second.page.locator('#guide .share-status').getByText('未能自动复制链接，请从下面的框里复制。').waitFor({ timeout: 15_000 });
    assert.equal(await second.page.getByLabel('本指南的链接').inputValue(), GUIDE_URL());
    await second.page.screenshot({ path: join(artifacts(), 'journey-share-by-hand.png') });
    assert.deepEqual(await a11y(second.page, 'guide share by hand'), []);
    assert.deepEqual(second.errors, []);
  } finally {
    await second.context.close();
  }
});

test('the guide is shared through the Web Share API where the browser has it, and through the platform inside 浙里办 and WeChat', async () => {
  // The system share sheet.
  {
    const { context, page, errors } = await phonePage(browser);
    try {
      await context.addInitScript(() => {
        window.__shares = [];
        Navigator.prototype.share = function share(data) { window.__shares.push(data); return Promise.resolve(); };
      });
      await (await openGuide(page)).click();
      await page.waitForFunction(() => window.__shares.length === 1, null, { timeout: 15_000 });
      const [data] = await page.evaluate(() => window.__shares);
      assert.equal(data.url, GUIDE_URL());
      assert.equal(data.title, '新生儿出生一件事办事指南');
      assert.equal(await page.locator('#guide .share-status').innerText(), '', 'the sheet says it all');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
  // 浙里办: its share panel through ZWJSBridge.share({title, content, url}).
  {
    const { context, page, errors } = await phonePage(browser);
    try {
      await context.addInitScript(() => {
        window.__zlbShares = [];
        window.ZWJSBridge = {
          onReady: (done) => done(),
          setTitle: () => Promise.resolve(),
          share: (arg) => { window.__zlbShares.push(arg); return Promise.resolve({}); },
        };
        Navigator.prototype.share = () => Promise.reject(new Error('the platform should have shared'));
      });
      await (await openGuide(page)).click();
      await page.waitForFunction(() => window.__zlbShares.length === 1, null, { timeout: 15_000 });
      const [arg] = await page.evaluate(() => window.__zlbShares);
      assert.equal(arg.url, GUIDE_URL());
      assert.match(arg.title, /新生儿出生一件事/);
      assert.ok(arg.content.length > 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
  // WeChat: the page sets the share card; the person shares from the menu, as the page says.
  {
    const { context, page, errors } = await phonePage(browser, {
      userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50',
    });
    try {
      await context.addInitScript(() => {
        window.__cards = [];
        window.wx = {
          updateAppMessageShareData: (o) => { window.__cards.push({ title: o.title, link: o.link, desc: o.desc }); o.success?.({ errMsg: 'updateAppMessageShareData:ok' }); },
        };
      });
      await (await openGuide(page)).click();
      await page.locator('#guide .share-status').getByText('请点右上角「···」，选择「发送给朋友」分享本指南。').waitFor({ timeout: 15_000 });
      const [card] = await page.evaluate(() => window.__cards);
      assert.equal(card.link, GUIDE_URL());
      await shot(page, 'share-wechat');
      assert.deepEqual(await a11y(page, 'guide share wechat'), []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('in elder mode the privacy notice opens with a short summary, the full notice one tap away', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await context.addInitScript(() => localStorage.setItem('onething.elder', '1'));
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.getByRole('link', { name: '开始办理' }).click();
    await page.waitForURL(/eligibility$/);
    const notice = page.locator('#privacy-notice');
    await page.locator('#privacy-agree:not([disabled])').waitFor();
    const brief = notice.locator('ul.privacy-brief');
    const lines = await brief.locator('li').allInnerTexts();
    const facts = await (await fetch(new URL('/api/privacy', server.url))).json();
    const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
    // Each line is true of this server and this service.
    assert.equal(lines.length, 6, lines.join('\n'));
    for (const s of def.sub_items) assert.ok(lines[1].includes(s.department.zh), `department ${s.department.zh} in ${lines[1]}`);
    assert.ok(lines.some((l) => l.includes(facts.encryption_at_rest)), 'the protection the server has');
    assert.ok(lines.some((l) => l.includes('母亲证件号码')), 'the sensitive questions are named');
    const full = notice.locator('details.privacy-full');
    assert.equal(await full.getAttribute('open'), null, 'the full notice starts folded');
    const folded = (await notice.boundingBox()).height;
    await page.screenshot({ path: join(artifacts(), 'journey-privacy-elder-zh.png'), fullPage: true });
    assert.deepEqual(await a11y(page, 'privacy elder brief'), []);
    await full.locator('summary', { hasText: '阅读完整说明' }).click();
    const text = await full.innerText();
    assert.ok(text.includes(`${facts.draft_ttl_days} 天`), 'the draft TTL, from the server');
    assert.ok(text.includes('哪些部门接收') && text.includes('如何保护'), 'every section is there');
    const open = (await notice.boundingBox()).height;
    assert.ok(folded < open * 0.75, `the first screen is shorter: ${folded} vs ${open}`);
    await shot(page, 'privacy-elder-full-zh');

    // In English too; and out of elder mode the notice is whole, without the summary.
    await page.locator('.top-bar button.chip').filter({ hasText: 'English' }).click();
    await notice.locator('ul.privacy-brief li').first().getByText(/^Collected:/).waitFor();
    const enLines = await notice.locator('ul.privacy-brief li').allInnerTexts();
    assert.ok(enLines[1].includes(def.sub_items[0].department.en), `the departments in English: ${enLines[1]}`);
    assert.ok(!/[\u4e00-\u9fff]/.test(enLines.join(' ')), `no Chinese left in the English summary: ${enLines.join(' | ')}`);
    await page.screenshot({ path: join(artifacts(), 'journey-privacy-elder-en.png') });
    await page.locator('.top-bar button.chip').filter({ hasText: 'Large text' }).click();
    await notice.getByText('What is collected').waitFor();
    assert.equal(await notice.locator('ul.privacy-brief').count(), 0);
    await page.locator('.top-bar button.chip').filter({ hasText: '中文' }).click();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
