// Several applications at once: drafts are per application, not per service. Starting the
// newborn one-thing again while a draft exists offers to continue it or to start a new one
// beside it; my drafts lists each (service, the child's name, last change) to continue or
// discard; each resumes to its own answers, on the device and on the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a11y, phonePage, serverAndBrowser } from './harness.mjs';
import { agreePrivacy, answer, exampleApplication, next } from './wizard.mjs';

let server;
let browser;
let def;
let example;
serverAndBrowser({}, async (s, b) => {
  server = s;
  browser = b;
  def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
  example = exampleApplication('newborn');
});

const NAME = '#f-answers-children-0--name';

const serverDrafts = (page) => page.evaluate(async () => {
  const r = await fetch('/api/drafts', { headers: { Authorization: `Bearer ${sessionStorage.getItem('onething.session')}` } });
  return r.json();
});

async function until(check, what) {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never: ${what}`);
}

/** From the wizard's eligibility page: consent, the situation, then the baby's name on the first question page. */
async function startWithBaby(page, babyName) {
  await page.waitForURL(/eligibility$/);
  await agreePrivacy(page);
  for (const q of def.eligibility.questions) {
    if (example.eligibility[q.id] !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, example.eligibility[q.id]);
  }
  await next(page, /sub-items$/);
  await next(page, /\/page\/baby$/);
  await page.locator(NAME).fill(babyName);
  await page.locator(NAME).blur();
  await page.locator('.save-state[data-state="saved"]').waitFor();
}

test('a second newborn draft lives beside the first; each resumes to its own answers; discarding one keeps the other', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(async () => {
      const post = (path, body) => fetch(path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      }).then((r) => r.json());
      const { ticket } = await post('/api/dev/tickets', { subject: `dev-drafts-${Date.now()}` });
      const { token } = await post('/api/session', { ticket });
      sessionStorage.setItem('onething.session', token);
    });
    const landing = new URL('/services/newborn', server.url).href;
    await page.goto(landing);
    await page.getByRole('link', { name: '开始办理' }).click();
    await startWithBaby(page, '王一诺');
    const firstUrl = page.url();
    assert.match(firstUrl, /\/apply\/newborn\/page\/baby$/);
    await until(async () => (await serverDrafts(page)).length === 1, 'the first draft on the server');

    // Starting again: continue the draft, or a new application beside it.
    await page.goto(landing);
    await page.getByRole('link', { name: '开始办理' }).click();
    await page.locator('#draft-continue').waitFor();
    assert.match(await page.locator('#draft-continue').innerText(), /王一诺/);
    assert.deepEqual(await a11y(page, 'draft-choice'), []);
    await page.locator('#draft-new').click();
    await page.waitForURL(/\/apply\/newborn~[0-9a-f]+\/eligibility$/);
    await startWithBaby(page, '李小宝');
    const secondUrl = page.url();
    assert.match(secondUrl, /\/apply\/newborn~[0-9a-f]+\/page\/baby$/);
    const both = await until(async () => {
      const d = await serverDrafts(page);
      return d.length === 2 && d.every((x) => x.data.app.answers.children?.[0]?.name) && d;
    }, 'both drafts on the server');
    assert.deepEqual(both.map((d) => d.data.app.answers.children[0].name).sort(), ['李小宝', '王一诺']);

    // My drafts: both, by the child's name, each to continue.
    await page.goto(server.url);
    await page.locator('a.my-drafts-link').click();
    await page.waitForURL(/\/drafts$/);
    const cards = page.locator('li.draft-card');
    await until(async () => (await cards.count()) === 2, 'two drafts listed');
    const card = (name) => cards.filter({ hasText: name });
    assert.match(await card('王一诺').innerText(), /新生儿/);
    assert.deepEqual(await a11y(page, 'my-drafts'), []);
    await card('王一诺').locator('a.draft-continue').click();
    await page.waitForURL(firstUrl);
    assert.equal(await page.locator(NAME).inputValue(), '王一诺');
    await page.goto(new URL('/drafts', server.url).href);
    await card('李小宝').locator('a.draft-continue').click();
    await page.waitForURL(secondUrl);
    assert.equal(await page.locator(NAME).inputValue(), '李小宝');

    // Discard the second (after a confirmation): the first stays, here and on the server.
    await page.goto(new URL('/drafts', server.url).href);
    await card('李小宝').locator('button.draft-discard').click();
    await card('李小宝').locator('button.draft-discard-yes').click();
    await until(async () => (await cards.count()) === 1, 'one draft left');
    await until(async () => {
      const d = await serverDrafts(page);
      return d.length === 1 && d[0].data.app.answers.children[0].name === '王一诺';
    }, 'only the first on the server');
    await page.reload();
    await until(async () => (await cards.count()) === 1, 'still one after a reload');
    await card('王一诺').locator('a.draft-continue').click();
    await page.waitForURL(firstUrl);
    assert.equal(await page.locator(NAME).inputValue(), '王一诺');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
