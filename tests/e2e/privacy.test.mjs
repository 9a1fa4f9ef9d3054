// Privacy first (PIPL): before the person agrees to the wizard's privacy notice, with its
// separate consent for sensitive personal information, nothing they type or photograph leaves
// the phone: the test watches every request the page makes. After consent the draft and the
// photos go, the submission carries the consent, and withdrawing the consent before submitting
// deletes the server's copy of the draft.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a11y, phonePage, serverAndBrowser } from './harness.mjs';
import { agreePrivacy, exampleApplication, jpeg, materials, next, walkOnDevice } from './wizard.mjs';

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

/** Signs the page in (the platform's part), so that nothing but the missing consent holds the draft back. */
const signIn = (page, subject) => page.evaluate(async (sub) => {
  const post = (path, body) => fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }).then((r) => r.json());
  const { ticket } = await post('/api/dev/tickets', { subject: sub });
  const { token } = await post('/api/session', { ticket });
  sessionStorage.setItem('onething.session', token);
  localStorage.setItem('onething.dev-subject', sub);
}, subject);

/** The account's drafts on the server. */
const serverDrafts = (page) => page.evaluate(async () => {
  const r = await fetch('/api/drafts', { headers: { Authorization: `Bearer ${sessionStorage.getItem('onething.session')}` } });
  return r.json();
});

/** Every request the page sends, with its body. */
function record(page) {
  const sent = [];
  page.on('request', (r) => sent.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' }));
  return sent;
}

/** The person's own words: what must not leave the phone before consent. */
const personal = () => [
  example.answers.mother_name, example.answers.mother_id_number, example.answers.father_id_number,
  example.answers.children[0].name,
].filter(Boolean);

const carries = (req, values) => values.some((v) => req.url.includes(encodeURIComponent(v)) || req.url.includes(v) || req.body.includes(v));
const writes = (req) => ['POST', 'PUT', 'PATCH'].includes(req.method)
  && /\/api\/(drafts|uploads|applications)/.test(req.url);

async function until(check, what) {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never: ${what}`);
}

test('nothing the person types or photographs is sent before consent; after it, the draft, the photos and the consent are', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await signIn(page, `dev-privacy-${Date.now()}`);
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.getByRole('link', { name: '开始办理' }).click();
    await page.waitForURL(/eligibility$/);
    // The notice comes first, above the first question, in all four presentations.
    await page.locator('#privacy-notice').waitFor();
    await page.locator('#privacy-agree:not([disabled])').waitFor();
    const text = await page.locator('#privacy-notice').innerText();
    const facts = await (await fetch(new URL('/api/privacy', server.url))).json();
    assert.ok(text.includes(`${facts.draft_ttl_days} 天`), 'the draft TTL, from the server');
    assert.ok(text.includes('AES-256-GCM'), 'the protection the server has');
    assert.ok(text.includes('母亲证件号码'), 'the sensitive questions are named');
    for (const s of def.sub_items) assert.ok(text.includes(s.department.zh), `department ${s.department.zh}`);
    assert.deepEqual(await a11y(page, 'privacy-notice'), []);

    // Consent is separate: the general one alone does not do.
    await page.locator('#privacy-agree').check();
    await page.locator('#privacy-consent').click();
    await page.locator('#privacy-error').waitFor();
    await page.locator('#privacy-agree').uncheck();
    // Fill in on this phone first: the whole form and a photo, watched.
    await page.locator('#privacy-later').click();
    await page.locator('#privacy-reminder').waitFor();
    const sent = record(page);
    await walkOnDevice(page, server.url, def, example);
    assert.match(page.url(), /materials$/);
    assert.deepEqual(await a11y(page, 'privacy-reminder'), []);
    await page.locator('#material-bank_card-upload').check();
    await page.locator('#material-bank_card-page-0-album').setInputFiles(await jpeg(page));
    // Longer than the autosave's push delay (1.5 s): a draft would have gone by now.
    await page.waitForTimeout(4000);
    assert.deepEqual(sent.filter(writes).map((r) => `${r.method} ${r.url}`), [], 'no draft, upload or submission');
    assert.deepEqual(sent.filter((r) => carries(r, personal())).map((r) => `${r.method} ${r.url}`), [], 'no answer in any request');
    assert.deepEqual(await serverDrafts(page), []);
    assert.equal(await page.locator('#material-bank_card-page-0').getByText('已上传').count(), 0, 'the photo waits');

    // Consent: the pending work goes.
    await agreePrivacy(page);
    await page.locator('#material-bank_card-page-0').getByText('已上传').waitFor({ timeout: 30_000 });
    const drafts = await until(async () => {
      const d = await serverDrafts(page);
      return d.length === 1 && d[0].data.app.answers.mother_id_number === example.answers.mother_id_number && d;
    }, 'the draft on the server');
    assert.equal(drafts[0].data.consent.sensitive, true);
    assert.ok(sent.some((r) => r.method === 'POST' && r.url.endsWith('/api/drafts') && carries(r, personal())), 'sent after consent');

    // The submission carries the consent, recorded with the case.
    const rest = Object.fromEntries(Object.entries(example.materials).filter(([k]) => k !== 'bank_card'));
    await materials(page, def, { ...example, materials: rest });
    await next(page, /check$/);
    await next(page, /declaration$/);
    await page.locator('#consent-status').waitFor();
    await page.locator('#declaration-agree').check();
    await page.locator('.bottom-bar button:visible').click();
    await page.waitForURL(/confirmation$/);
    const post = sent.find((r) => r.method === 'POST' && r.url.endsWith('/api/applications'));
    const body = JSON.parse(post.body);
    assert.equal(body.privacy_consent.version, facts.notice_version);
    assert.equal(body.privacy_consent.sensitive, true);
    assert.equal(body.service_id, 'newborn');
    await until(async () => (await serverDrafts(page)).length === 0, 'the draft gone once submitted');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('withdrawing consent before submitting deletes the server copy; nothing is sent again until agreed', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await signIn(page, `dev-withdraw-${Date.now()}`);
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.getByRole('link', { name: '开始办理' }).click();
    await page.waitForURL(/eligibility$/);
    await agreePrivacy(page);
    await walkOnDevice(page, server.url, def, example);
    await until(async () => (await serverDrafts(page)).length === 1, 'the draft on the server');

    await page.goto(new URL('/apply/newborn/tasks', server.url).href);
    await page.locator('#privacy-withdraw').click();
    assert.deepEqual(await a11y(page, 'consent-withdraw'), []);
    await page.locator('#privacy-withdraw-yes').click();
    await until(async () => (await serverDrafts(page)).length === 0, 'the server copy deleted');
    await page.locator('#privacy-reminder').waitFor();

    const sent = record(page);
    await page.goto(new URL('/apply/newborn/page/baby', server.url).href);
    const name = page.locator('#f-answers-children-0--name');
    await name.fill('王二诺');
    await name.blur();
    await page.waitForTimeout(3000);
    assert.deepEqual(sent.filter(writes).map((r) => `${r.method} ${r.url}`), []);
    assert.deepEqual(await serverDrafts(page), []);
    // Kept on the device all along.
    await page.reload();
    assert.equal(await page.locator('#f-answers-children-0--name').inputValue(), '王二诺');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
