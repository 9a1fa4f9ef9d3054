// Nothing lost on a phone: a big upload resumes after a reload from the server's offset; an
// upload survives the network dropping; a draft and its photos survive a browser restart, sealed
// (no ID number in plaintext anywhere in the profile); a submission made offline is sent once
// when the network returns, and a replay of it gets the same case number.
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { a11y, crashableProfile, launchProfile, phonePage, serverAndBrowser, slowUplink } from './harness.mjs';
import { domId, exampleApplication, fill, jpeg, materials, next, walk } from './wizard.mjs';

const SERVICE = 'shop-opening';
let server;
let browser;
let def;
let example;
serverAndBrowser({}, async (s, b) => {
  server = s;
  browser = b;
  def = await (await fetch(new URL(`/api/services/${SERVICE}`, server.url))).json();
  example = exampleApplication(SERVICE);
});

/** Walks to the materials page, gives every material but the floor plan, picks "upload" for it. */
async function toFloorPlan(page, baseUrl) {
  await walk(page, baseUrl, def, example);
  const rest = Object.fromEntries(Object.entries(example.materials).filter(([k]) => k !== 'floor_plan'));
  await materials(page, def, { ...example, materials: rest });
  await page.locator('#material-floor_plan-upload').check();
}

/** Walks the whole application to the declaration and ticks its box: one tap from submitting. */
async function toDeclaration(page) {
  await walk(page, server.url, def, example);
  await materials(page, def, example);
  await next(page, /check$/);
  await next(page, /declaration$/);
  await page.locator('#declaration-agree').check();
}

const slot = (page) => page.locator('#material-floor_plan-page-0');
/**
 * A PDF of `mib` MiB: numbered comment lines between a catalogue and a trailer, so every copy is
 * unique byte for byte and nothing in it looks like active content to the server's PDF filter
 * (random bytes would, now and then, spell `/JS` or `<svg`).
 */
function pdf(mib) {
  const head = Buffer.from('%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n');
  const tail = Buffer.from('trailer<</Root 1 0 R>>\n%%EOF\n');
  const body = Buffer.alloc(mib * 1024 * 1024 - head.length - tail.length, 0x20);
  const salt = randomBytes(6).toString('hex');
  for (let i = 0, at = 0; at < body.length; i++) {
    at += body.write(`% ${salt} ${String(i).padStart(10, '0')} ${'x'.repeat(40)}\n`, at);
  }
  return { name: 'plan.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([head, body, tail]) };
}
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const filesUnder = (dir) => readdirSync(dir, { recursive: true })
  .map((f) => join(dir, f))
  .filter((f) => statSync(f).isFile());

/** Waits until the floor plan's progress bar shows at least `percent`. */
const progressAtLeast = (page, percent) => page.waitForFunction((p) => {
  const bar = document.querySelector('#material-floor_plan-page-0 [role="progressbar"]');
  return Number(bar?.getAttribute('aria-valuenow') ?? 0) >= p;
}, percent, { timeout: 60_000 });

/**
 * The server stored exactly one complete upload of `file`'s length, and the SHA-256 it computed
 * of the plain file it assembled is `file`'s. (Stored files are sealed at rest, so their bytes on
 * disk cannot be compared; the database keeps the plain file's digest. Read with Python's
 * built-in sqlite3 module.)
 */
function assertStored(file) {
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1])',
    'q = "SELECT sha256 FROM uploads WHERE state = \'complete\' AND upload_length = ?"',
    'for (d,) in db.execute(q, (int(sys.argv[2]),)): print(d or "")',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script, join(server.data, 'onething.sqlite'), String(file.buffer.length)])
    .toString().trim();
  const digests = out ? out.split('\n') : [];
  assert.equal(digests.length, 1, 'exactly one complete upload of that size');
  assert.equal(digests[0], sha256(file.buffer));
}

test('a 20 MiB file interrupted by a reload resumes from the server\'s offset and is stored byte-identical', async () => {
  const uplink = await slowUplink(server.url, 4 * 1024 * 1024);
  const { context, page, errors } = await phonePage(browser);
  try {
    const file = pdf(20);
    await toFloorPlan(page, uplink.url);
    await page.locator('#material-floor_plan-page-0-album').setInputFiles(file);
    await progressAtLeast(page, 25);
    const creations = [];
    const offsets = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/uploads')) creations.push(r.url());
      if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset']));
    });
    await page.reload();
    await slot(page).getByText('已上传').waitFor({ timeout: 90_000 });
    assert.equal(creations.length, 0, 'the reload continued the same upload');
    assert.ok(offsets[0] >= 4 * 1024 * 1024, `resumed at byte ${offsets[0]}, not from the start`);
    assertStored(file);
    // The page continues as if nothing happened: the material is complete.
    await next(page, /check$/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await uplink.close();
  }
});

test('the network drops mid-upload and comes back: the upload completes by itself', async () => {
  const uplink = await slowUplink(server.url, 2 * 1024 * 1024);
  const { context, page } = await phonePage(browser);
  try {
    const file = pdf(6);
    await toFloorPlan(page, uplink.url);
    await page.locator('#material-floor_plan-page-0-album').setInputFiles(file);
    await progressAtLeast(page, 20);
    await context.setOffline(true);
    await slot(page).getByText('网络已断开').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1500);
    await context.setOffline(false);
    await slot(page).getByText('已上传').waitFor({ timeout: 60_000 });
    assertStored(file);
  } finally {
    await context.close();
    await uplink.close();
  }
});

test('a draft with its photo survives a browser restart, and the profile holds no ID number in plaintext', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'onething-profile-'));
  let context;
  try {
    context = await launchProfile(profile);
    let page = context.pages()[0] ?? await context.newPage();
    await toFloorPlan(page, server.url);
    await page.locator('#material-floor_plan-page-0-album').setInputFiles(await jpeg(page));
    await slot(page).getByText('已上传').waitFor();
    await page.locator('.save-state[data-state="saved"]').waitFor();
    // A control: a marker stored in plaintext IndexedDB must be found by the same scan.
    const canary = `canary-${Date.now()}-4471`;
    await page.evaluate((value) => new Promise((resolve, reject) => {
      const r = indexedDB.open('canary', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('s');
      r.onsuccess = () => {
        const tx = r.result.transaction('s', 'readwrite');
        tx.objectStore('s').put({ value }, 'k');
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      };
    }), canary);
    await context.close();
    context = undefined;

    const found = (text) => filesUnder(profile).filter((f) => {
      const bytes = readFileSync(f);
      return bytes.includes(text) || bytes.includes(Buffer.from(text, 'utf16le'));
    });
    assert.ok(found(canary).length > 0, 'the scan sees plaintext IndexedDB');
    assert.deepEqual(found(example.answers.operator_id_number), [], 'no plaintext ID number on disk');

    context = await launchProfile(profile);
    page = context.pages()[0] ?? await context.newPage();
    await page.goto(new URL(`/apply/${SERVICE}?continue=1`, server.url).href);
    await page.waitForURL(/materials$/);
    await slot(page).getByText('已上传').waitFor();
    // The preview is in the card with the status; it has a size (is visible) once the browser
    // has decoded the photo from the restored Blob, which a busy machine may take a moment for.
    await slot(page).locator('img.photo-preview').waitFor({ state: 'visible' });
    assert.ok(await slot(page).locator('img.photo-preview').isVisible());
    await next(page, /check$/);
    const answers = await page.locator('main').innerText();
    assert.ok(answers.includes(example.answers.shop_name), 'answers restored');
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('submitted offline: queued, sent once when back online, and a replay gets the same case number', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await toDeclaration(page);
    const posts = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/applications')) {
        posts.push({ key: r.headers()['idempotency-key'], body: r.postData() });
      }
    });
    await context.setOffline(true);
    await page.locator('.bottom-bar button:visible').click();
    await page.locator('#submit-queued').waitFor();
    assert.equal(posts.length, 0, 'nothing sent while offline');
    await context.setOffline(false);
    await page.waitForURL(/confirmation$/, { timeout: 30_000 });
    const caseNumber = (await page.locator('.case-number').innerText()).trim();
    assert.equal(posts.length, 1, 'sent exactly once');

    const call = (path, init) => page.evaluate(async ({ path, init }) => {
      const token = sessionStorage.getItem('onething.session');
      const r = await fetch(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
      return r.json();
    }, { path, init });
    const replay = await call('/api/applications', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': posts[0].key },
      body: posts[0].body,
    });
    assert.equal(replay.case_number, caseNumber);
    const mine = await call('/api/applications', { headers: {} });
    assert.equal(mine.length, 1, 'one application, not two');
    // Offline, what is not cached fails to load (the browser logs each): only page errors count.
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('the page left while its submission is answered: one case, and the draft goes from the device and the server', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await toDeclaration(page);
    const api = (path) => page.evaluate(async (path) => {
      const token = sessionStorage.getItem('onething.session');
      return (await fetch(path, { headers: { Authorization: `Bearer ${token}` } })).json();
    }, path);
    for (let i = 0; i < 100 && (await api('/api/drafts')).length === 0; i++) await page.waitForTimeout(100);
    assert.equal((await api('/api/drafts')).length, 1, 'the draft is on the server before');
    // The submission is held until the person has gone back to the catalogue.
    let release;
    const held = new Promise((r) => { release = r; });
    let sent;
    const seen = new Promise((r) => { sent = r; });
    await page.route('**/api/applications', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sent();
      await held;
      return route.continue();
    });
    await page.locator('.bottom-bar button:visible').click();
    await seen;
    await page.locator('a.brand').click();
    await page.locator('ul.cards').waitFor();
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/applications'));
    release();
    assert.equal((await answered).status(), 201);
    for (let i = 0; i < 100 && (await api('/api/drafts')).length > 0; i++) await page.waitForTimeout(100);
    assert.deepEqual(await api('/api/drafts'), [], "the server's copy of the draft is deleted");
    assert.equal((await api('/api/applications')).length, 1, 'one application');

    // After a reload, nothing of the submitted draft is left to start a second application from.
    await page.goto(new URL('/drafts', server.url).href);
    await page.getByText('您没有草稿。').waitFor();
    await page.goto(new URL(`/services/${SERVICE}`, server.url).href);
    await page.getByRole('link', { name: '开始办理' }).click();
    await page.waitForURL(/eligibility$/);
    await page.locator('main input').first().waitFor();
    assert.equal(await page.locator('#draft-continue').count(), 0, 'no draft offered to continue');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('save and return on another device; a draft changed on both shows the conflict and is never silently overwritten', async () => {
  const subject = `dev-e2e-${Date.now()}`;
  // Plays the platform's login: the same person signs in on both devices.
  const signIn = (page) => page.evaluate(async (sub) => {
    const post = (path, body) => fetch(path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then((r) => r.json());
    const { ticket } = await post('/api/dev/tickets', { subject: sub });
    const { token } = await post('/api/session', { ticket });
    sessionStorage.setItem('onething.session', token);
    localStorage.setItem('onething.dev-subject', sub);
  }, subject);
  const serverVersion = (page) => page.evaluate(async (service) => {
    const r = await fetch('/api/drafts', { headers: { Authorization: `Bearer ${sessionStorage.getItem('onething.session')}` } });
    const d = (await r.json()).find((x) => x.service_id === service);
    return d ? { version: d.version, shop: d.data.app.answers.shop_name } : { version: 0 };
  }, SERVICE);
  const until = async (page, ok) => {
    for (let i = 0; i < 50; i++) {
      const v = await serverVersion(page);
      if (ok(v)) return v;
      await page.waitForTimeout(200);
    }
    throw new Error('the server never got the draft');
  };
  const phone = await phonePage(browser);
  const tablet = await phonePage(browser);
  try {
    await phone.page.goto(server.url);
    await signIn(phone.page);
    await walk(phone.page, server.url, def, example);
    const first = await until(phone.page, (v) => v.version > 0);

    // The other device continues where the first one was, with every answer.
    await tablet.page.goto(server.url);
    await signIn(tablet.page);
    await tablet.page.goto(new URL(`/apply/${SERVICE}?continue=1`, server.url).href);
    await tablet.page.waitForURL(/materials$/);
    const shopPage = def.pages.find((p) => p.facts.includes('shop_name')).id;
    const shopUrl = new URL(`/apply/${SERVICE}/page/${shopPage}`, server.url).href;
    await tablet.page.goto(shopUrl);
    assert.equal(await tablet.page.locator(`#${domId('answers.shop_name')}`).inputValue(), example.answers.shop_name);

    // Both change the shop's name: the phone's copy reaches the server first.
    await phone.page.goto(shopUrl);
    await fill(phone.page, 'answers.shop_name', '晨晨甜品（手机上改的）');
    await until(phone.page, (v) => v.version > first.version && v.shop === '晨晨甜品（手机上改的）');
    await fill(tablet.page, 'answers.shop_name', '晨晨甜品（平板上改的）');
    const notice = tablet.page.locator('#draft-conflict');
    await notice.waitFor({ timeout: 10_000 });
    assert.equal((await serverVersion(tablet.page)).shop, '晨晨甜品（手机上改的）', 'not overwritten');
    await notice.getByRole('button', { name: '使用另一台设备的内容' }).click();
    await notice.waitFor({ state: 'detached' });
    assert.equal(await tablet.page.locator(`#${domId('answers.shop_name')}`).inputValue(), '晨晨甜品（手机上改的）');
  } finally {
    await phone.context.close();
    await tablet.context.close();
  }
});

test('signed in: the questions about the person start filled in from the account', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(async () => {
      const post = (path, body) => fetch(path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      }).then((r) => r.json());
      const { ticket } = await post('/api/dev/tickets', { name: '林小满', phone: '13700001111' });
      const { token } = await post('/api/session', { ticket });
      sessionStorage.setItem('onething.session', token);
    });
    // The example without the operator's name: it must come from the account.
    const { operator_name: _, ...answers } = example.answers;
    await walk(page, server.url, def, { ...example, answers });
    const namePage = def.pages.find((p) => p.facts.includes('operator_name')).id;
    await page.goto(new URL(`/apply/${SERVICE}/page/${namePage}`, server.url).href);
    assert.equal(await page.locator(`#${domId('answers.operator_name')}`).inputValue(), '林小满');
  } finally {
    await context.close();
  }
});

test('inside 浙里办, the platform\'s own picker gives the photo to the same upload pipeline', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const photo = (await jpeg(page)).buffer.toString('base64');
    // A fake ZWJSBridge with the documented shape: chooseImage({upload:false}) → {picSrc:[base64]}.
    await context.addInitScript((b64) => {
      window.__picks = 0;
      window.ZWJSBridge = {
        onReady: (done) => done(),
        chooseImage: () => { window.__picks += 1; return Promise.resolve({ picSrc: [`data:image/jpeg;base64,${b64}`] }); },
        setTitle: () => Promise.resolve(),
      };
    }, photo);
    await toFloorPlan(page, server.url);
    await slot(page).getByRole('button', { name: '拍照' }).click();
    await slot(page).getByText('已上传').waitFor();
    assert.equal(await page.evaluate(() => window.__picks), 1);
    assert.equal(await slot(page).locator('input[type="file"]#material-floor_plan-page-0-album').count(), 0,
      'the platform picker replaces the web inputs');
    await next(page, /check$/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the browser killed (SIGKILL) at random points of the wizard: what was shown as saved comes back', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'onething-crash-'));
  const rounds = Number(process.env.ONETHING_CRASH_ROUNDS || 2);
  // Question pages with a text question the example answers.
  const candidates = def.pages.flatMap((p) => {
    const fact = p.facts.map((id) => def.facts.find((f) => f.id === id))
      .find((f) => ['text', 'name'].includes(f.type ?? f.kind) && typeof example.answers[f.id] === 'string');
    return fact ? [{ page: p.id, fact: fact.id }] : [];
  });
  let run;
  try {
    for (let round = 0; round < rounds; round++) {
      // Fresh state each round: the service's draft is forgotten by submitting nothing; a new
      // profile subdirectory keeps rounds apart.
      const dir = join(profile, `r${round}`);
      run = await crashableProfile(dir);
      let page = run.context.pages()[0] ?? await run.context.newPage();
      await page.setViewportSize({ width: 360, height: 780 });
      await walk(page, server.url, def, example);
      const photo = round % 2 === 0;
      if (photo) {
        await page.locator('#material-floor_plan-upload').check();
        await page.locator('#material-floor_plan-page-0-album').setInputFiles(await jpeg(page));
        await slot(page).getByText('已上传').waitFor();
      }
      // A random question page with a text question, a change on it, saved (the page says so),
      // then the kill.
      const at = candidates[Math.floor(Math.random() * candidates.length)];
      const stepUrl = new URL(`/apply/${SERVICE}/page/${at.page}`, server.url).href;
      await page.goto(stepUrl);
      await page.locator('.save-state[data-state="saved"]').waitFor();
      const changed = `${example.answers[at.fact]}`.slice(0, 10) + '乙';
      await fill(page, `answers.${at.fact}`, changed);
      // The line goes to "saving" within the input's own task (the field writes the answers, the
      // autosave's effect and the line's follow in its microtasks), so once `fill` is back, a
      // "saved" is of a write that holds the change. Waiting for a "saving" then a "saved"
      // instead could end on a write that started before the change (the reopened draft's
      // photo is written again just after the first "saved"), and the kill came too early.
      await page.locator('.save-state[data-state="saved"]').waitFor();
      await run.kill();

      run = await crashableProfile(dir);
      page = run.context.pages()[0] ?? await run.context.newPage();
      await page.goto(new URL(`/apply/${SERVICE}?continue=1`, server.url).href);
      await page.waitForURL(new RegExp(`/page/${at.page}$`));
      assert.equal(await page.locator(`#${domId(`answers.${at.fact}`)}`).inputValue(), changed);
      await page.goto(new URL(`/apply/${SERVICE}/materials`, server.url).href);
      if (photo) await slot(page).getByText('已上传').waitFor();
      await run.kill();
    }
  } finally {
    // A round that failed leaves its browser running, writing to the profile: it goes first,
    // so that the failure is what the test reports.
    await run?.kill();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
});

test('once visited, the app opens without network (app-shell service worker), catalogue included', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.locator('a.card-link').first().waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await page.reload();
    await page.locator('a.card-link').first().waitFor();
    // A landing page seen once is kept too (definitions are public; answers are never cached).
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.locator('li.sub-item').first().waitFor();
    await page.goto(server.url);
    await page.locator('a.card-link').first().waitFor();
    await context.setOffline(true);
    await page.reload();
    await page.locator('a.card-link').first().waitFor({ timeout: 15_000 });
    assert.ok(await page.locator('a.card-link').count() >= 7, 'the whole catalogue, from the cache');
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.locator('li.sub-item').first().waitFor({ timeout: 15_000 });
    // Offline, what is not cached fails to load (the browser logs each): only page errors count.
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('a queued submission the server refuses is shown with the reason and the way to fix it, never dropped', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await toDeclaration(page);
    const token = await page.evaluate(() => sessionStorage.getItem('onething.session'));
    const auth = { Authorization: `Bearer ${token}` };
    // The floor plan's upload, as the draft on the server names it.
    let uploadId;
    for (let i = 0; i < 50 && !uploadId; i++) {
      const drafts = await (await fetch(new URL('/api/drafts', server.url), { headers: auth })).json();
      uploadId = drafts[0]?.data?.app?.materials?.floor_plan?.upload_ids?.[0];
      if (!uploadId) await page.waitForTimeout(200);
    }
    assert.ok(uploadId, 'the draft on the server names the upload');

    await context.setOffline(true);
    await page.locator('.bottom-bar button:visible').click();
    await page.locator('#submit-queued').waitFor();
    // While the phone is offline the file goes away on the server (expired, removed elsewhere):
    // the queued submission can no longer be accepted as it is.
    const del = await fetch(new URL(`/api/uploads/${uploadId}`, server.url), {
      method: 'DELETE', headers: { ...auth, 'Tus-Resumable': '1.0.0' },
    });
    assert.equal(del.status, 204);
    await context.setOffline(false);

    // Said on the page, with what to do; the draft is still there.
    const refused = page.locator('#submit-refused');
    await refused.waitFor({ timeout: 30_000 });
    assert.match(await refused.innerText(), /未被受理/);
    assert.match(await refused.innerText(), /重新提交/);
    assert.equal(await refused.locator(`a[href$="/apply/${SERVICE}/check"]`).count(), 1, 'the way to fix it');
    const mine = await (await fetch(new URL('/api/applications', server.url), { headers: auth })).json();
    assert.equal(mine.length, 0, 'no case was made');
    // And on the catalogue, after a reload: never dropped silently.
    await page.goto(server.url);
    const notice = page.locator('.outbox-refused');
    await notice.waitFor({ timeout: 20_000 });
    assert.equal(await notice.locator(`a[href$="/apply/${SERVICE}/check"]`).count(), 1);
    assert.deepEqual(await a11y(page, 'outbox-refused'), []);
    // Fixing it: a new photo on the materials page, then submit again; the notice goes.
    await notice.locator('a').click();
    await page.waitForURL(/check$/);
    await page.goto(new URL(`/apply/${SERVICE}/materials`, server.url).href);
    // The old photo out, another in (other bytes: not a resumption of the removed upload).
    await slot(page).getByRole('button', { name: '删除' }).click();
    await page.locator('#material-floor_plan-page-0-album').setInputFiles(await jpeg(page, { width: 330, height: 210 }));
    await slot(page).getByText('已上传').waitFor({ timeout: 30_000 });
    await next(page, /check$/);
    await next(page, /declaration$/);
    await page.locator('#declaration-agree').check();
    await page.locator('.bottom-bar button:visible').click();
    await page.waitForURL(/confirmation$/);
    await page.goto(server.url);
    await page.locator('a.card-link').first().waitFor();
    assert.equal(await page.locator('.outbox-refused').count(), 0);
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_FAILED|422|410|404/.test(e)), []);
  } finally {
    await context.close();
  }
});
