// Helpers to drive the wizard like a person: by field, with the ids the SPA derives from the
// engine's field paths (`answers.children[1].name` → `f-answers-children-1--name`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts } from './harness.mjs';

export const domId = (path) => 'f-' + path.replace(/[^A-Za-z0-9]/g, '-');

/** Whether the question at `path` is a select (a long list such as GB 3304's 民族). */
const isSelect = async (page, path) => (await page.locator(`select#${domId(path)}`).count()) > 0;

/**
 * Types into the input of `path` and leaves it (blur), as a person would; a select (a long
 * list) is picked by the option's visible text or its value.
 */
export async function fill(page, path, value) {
  const input = page.locator(`#${domId(path)}`);
  if (await isSelect(page, path)) {
    const byLabel = await input.locator('option', { hasText: String(value) }).count();
    await input.selectOption(byLabel ? { label: String(value) } : String(value));
    await input.blur();
    return;
  }
  await input.fill(String(value));
  await input.blur();
}

/** Picks option `value` of the choice (or yes/no: true/false) at `path`: a radio, or a select's option. */
export async function choose(page, path, value) {
  if (await isSelect(page, path)) {
    await page.locator(`#${domId(path)}`).selectOption(String(value));
    return;
  }
  await page.locator(`input[name="${domId(path)}"][value="${value}"]`).check();
}

/** Picks a region at each level of the address at `path`, then types the detail line. */
export async function address(page, path, codes, detail) {
  for (let level = 0; level < codes.length; level++) {
    const id = level === 0 ? domId(path) : `${domId(path)}-${level}`;
    await page.locator(`#${id}`).selectOption(codes[level]);
  }
  const d = page.locator(`#${domId(path)}-detail`);
  await d.fill(detail);
  await d.blur();
}

/**
 * Presses the bottom bar's button and waits for the next page (URL change), whole: a page that
 * builds its lower part after its first paint (the check page) says so with `aria-busy`.
 */
export async function next(page, urlPattern) {
  await page.locator('.bottom-bar button:visible, .bottom-bar a:visible').first().click();
  if (urlPattern) {
    try {
      await page.waitForURL(urlPattern, { timeout: 10_000 });
    } catch (e) {
      // Say what the page complained about, not only that it did not move on.
      const summary = await page.locator('.error-summary:visible').innerText().catch(() => '');
      // A frame (an embedded app) has no screenshot of its own: take its page's.
      const shot = typeof page.screenshot === 'function' ? page : page.page();
      await shot.screenshot({ path: join(artifacts(), 'failed-step.png'), fullPage: true });
      throw new Error(`still on ${page.url()} (wanted ${urlPattern}): ${summary}`);
    }
  }
  await page.locator('main h1:visible').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('main [aria-busy="true"]'));
}

/** The same date arithmetic as the engine's civil dates, on UTC to avoid DST surprises. */
export function isoDaysAgo(days) {
  const d = new Date(Date.now() - days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** A resident ID number (GB 11643-1999) for a birth date, with a valid check character. */
export function residentId(birthIso, seq) {
  const body = '330502' + birthIso.replaceAll('-', '') + seq;
  assert.equal(body.length, 17);
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/**
 * A real JPEG made by the browser's canvas, for upload tests: small by default; with a size, a
 * photo-like one (gradient and grain, so it compresses like a camera's).
 */
export async function jpeg(page, { width = 320, height = 200 } = {}) {
  const b64 = await page.evaluate(({ width, height }) => {
    const c = document.createElement('canvas');
    c.width = width; c.height = height;
    const g = c.getContext('2d');
    g.fillStyle = '#dfe8f5'; g.fillRect(0, 0, width, height);
    g.fillStyle = '#1f5fbf'; g.fillRect(width / 16, height / 10, width / 3.5, height * 0.6);
    if (width * height > 1e6) {
      const grain = g.getImageData(0, 0, width, height);
      for (let i = 0; i < grain.data.length; i += 4) grain.data[i] = (grain.data[i] + Math.random() * 48) & 255;
      g.putImageData(grain, 0, 0);
    }
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  }, { width, height });
  return { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

// The examples in services/examples/ are valid on their `valid_on` day as written. The dates
// that only make sense relative to "today" (a baby born last week, a survey in three days) are
// listed in the file's `moves_with_today`; exactly those move with the calendar, so "in the
// future" and "under one year old" stay true whenever the tests run. Every other date stays put:
// a parent's birth date must keep agreeing with his or her ID number. The core crate's
// `examples_stay_valid_on_any_day` test moves them the same way to many days.

/** A day (YYYY-MM-DD) as days since 1970-01-01. */
const dayNumber = (iso) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

/** The day `n` days after `iso` (both YYYY-MM-DD). */
export const addDays = (iso, n) => new Date((dayNumber(iso) + n) * 86_400_000).toISOString().slice(0, 10);

/** Today in China (UTC+8), as the server counts it, of the instant `now` (ms). */
export const chinaDay = (now = Date.now()) => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);

/** Moves the date or date-time at each place `path` names (`[]`: every element) by `days`. */
function shift(value, path, days) {
  const [head, ...rest] = path.split('.');
  const every = head.endsWith('[]');
  const key = every ? head.slice(0, -2) : head;
  if (value?.[key] === undefined) return 0;
  if (!every && rest.length === 0) {
    const text = value[key];
    value[key] = addDays(text.slice(0, 10), days) + text.slice(10);
    return 1;
  }
  const targets = every ? value[key] : [value[key]];
  if (every && rest.length === 0) throw new Error(`${path}: a group is not a date`);
  return targets.reduce((n, t) => n + shift(t, rest.join('.'), days), 0);
}

/**
 * The one-things the server offers, discovered as it discovers them: every `services/*.toml`
 * (named after its id). A new definition is walked with its example and no edit here.
 */
export function serviceIds() {
  return readdirSync(process.env.ONETHING_SERVICES)
    .filter((f) => f.endsWith('.toml'))
    .map((f) => f.slice(0, -'.toml'.length))
    .sort();
}

/**
 * The example application of service `id` as a person would fill it on `day` (YYYY-MM-DD,
 * default today in China): its moving dates shifted by the days since its `valid_on`.
 */
export function exampleApplication(id, day = chinaDay()) {
  const file = join(process.env.ONETHING_SERVICES, 'examples', `${id}.json`);
  const { application, moves_with_today: moves, valid_on: validOn } = JSON.parse(readFileSync(file, 'utf8'));
  const days = dayNumber(day) - dayNumber(validOn);
  for (const path of moves) {
    if (shift(application, path, days) === 0) throw new Error(`${id}: ${path} names no date`);
  }
  return application;
}

// The generic driver: fills the wizard of any one-thing from its definition (as the API serves
// it) and its example application, from the landing page to the case number.

export const present = async (page, selector) => {
  await page.locator(selector).first().waitFor({ timeout: 1500 }).catch(() => {});
  return (await page.locator(selector).count()) > 0;
};

/** Answers one question of kind `kind` at `path` with `value`, if it is on the page. */
export async function answer(page, path, kind, value) {
  const id = domId(path);
  if (!(await present(page, `#${id}`))) return;
  switch (kind) {
    case 'yes_no':
    case 'choice':
      await choose(page, path, value);
      break;
    case 'multi_choice':
      for (const v of value) await page.locator(`input[name="${id}"][value="${v}"]`).check();
      break;
    case 'address':
      await address(page, path, value.region, value.detail ?? '');
      break;
    default:
      await fill(page, path, value);
  }
}

async function questionPage(page, def, example) {
  const pageId = page.url().match(/\/page\/([^/?]+)/)[1];
  const pageDef = def.pages.find((p) => p.id === pageId);
  for (const factId of pageDef.facts) {
    const fact = def.facts.find((f) => f.id === factId);
    const value = example.answers[factId];
    if (value === undefined) continue;
    if ((fact.type ?? fact.kind) !== 'group') {
      await answer(page, `answers.${factId}`, fact.type ?? fact.kind, value);
      continue;
    }
    for (let i = 0; i < value.length; i++) {
      if (!(await present(page, `#${domId(`answers.${factId}[${i}].${fact.fields[0].id}`)}`))) {
        await page.locator('button', { hasText: '再添加一个' }).click();
      }
      for (const field of fact.fields) {
        if (value[i][field.id] !== undefined) {
          await answer(page, `answers.${factId}[${i}].${field.id}`, field.type ?? field.kind, value[i][field.id]);
        }
      }
    }
  }
}

const SATISFIER_IDS = { upload: 'upload', e_licence: 'e-licence', commitment: 'commitment', deferred: 'deferred', at_window: 'at-window' };
export const PDF = { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n') };

/**
 * Agrees to the wizard's privacy notice (both consents) when it is on screen: until then
 * nothing of the draft leaves the device, photos wait and Submit is refused.
 */
export async function agreePrivacy(page) {
  const open = page.locator('#privacy-open');
  if (await open.count()) await open.click();
  const notice = page.locator('#privacy-notice');
  if (!(await notice.count())) return;
  await page.locator('#privacy-agree:not([disabled])').check();
  await page.locator('#privacy-sensitive').check();
  await page.locator('#privacy-consent').click();
  await notice.waitFor({ state: 'detached' });
}

export async function materials(page, def, example) {
  await agreePrivacy(page);
  for (const [mid, choice] of Object.entries(example.materials)) {
    if (!(await present(page, `#material-${mid}`))) continue;
    await page.locator(`#material-${mid}-${SATISFIER_IDS[choice.kind]}`).check();
    if (choice.kind === 'e_licence' || choice.kind === 'commitment') {
      await page.locator(`#material-${mid}-agree`).check();
    }
    if (choice.kind === 'upload') {
      const accepts = def.materials.find((m) => m.id === mid).accept;
      for (let i = 0; i < choice.upload_ids.length; i++) {
        const file = accepts.includes('image/jpeg') ? await jpeg(page) : PDF;
        await page.locator(`#material-${mid}-page-${i}-album`).setInputFiles(file);
        await page.locator(`#material-${mid}-page-${i}`).getByText('已上传').waitFor();
      }
    }
  }
}

/**
 * From the landing page of service `def` (under `baseUrl`, which may hold a sub-path) through
 * eligibility, sub-items and every question page (answered from `example`), stopping on the
 * materials page (or the check page when a service needs none).
 */
export async function walk(page, baseUrl, def, example) {
  await walkFrom(page, new URL(`services/${def.id}`, baseUrl).href, def, example);
}

/**
 * Walks service `def` from its landing page `landingUrl` (or, with `null`, from the wizard the
 * page is already opening) to the confirmation; returns the case number.
 */
export async function walkToCase(page, def, example, landingUrl) {
  await walkFrom(page, landingUrl, def, example);
  if (page.url().endsWith('/materials')) {
    await materials(page, def, example);
    await next(page, /check$/);
  }
  await next(page, /declaration$/);
  await agreePrivacy(page);
  await page.locator('#declaration-agree').check();
  await page.locator('.bottom-bar button:visible').click();
  await page.waitForURL(/confirmation$/);
  return (await page.locator('.case-number').innerText()).trim();
}

/** As [`walk`], without agreeing to the privacy notice: everything stays on the device. */
export async function walkOnDevice(page, baseUrl, def, example) {
  await walkFrom(page, new URL(`services/${def.id}`, baseUrl).href, def, example, { consent: false });
}

async function walkFrom(page, landingUrl, def, example, { consent = true } = {}) {
  // Without a landing page: from where the page already is (Start tapped).
  if (landingUrl) {
    await page.goto(landingUrl);
    await page.getByRole('link', { name: '开始办理' }).click();
  }
  await page.waitForURL(/eligibility$/);
  for (const q of def.eligibility.questions) {
    if (example.eligibility[q.id] !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, example.eligibility[q.id]);
  }
  await next(page, /sub-items$/);
  for (const s of def.sub_items.filter((x) => x.optional && example.sub_items.includes(x.id))) {
    await page.locator(`#sub-item-${s.id}`).check();
  }
  await next(page, /\/(page\/[^/]+|materials|check)$/);
  for (let guard = 0; /\/page\//.test(page.url()) && guard < 30; guard++) {
    await questionPage(page, def, example);
    await next(page, /\/(page\/[^/]+|materials|check)$/);
  }
  // Before any photo: until the person agrees, nothing leaves the device.
  if (consent) await agreePrivacy(page);
}

/**
 * Signs in inside `page` (already on the app's origin) with a development ticket for `account`
 * ({ subject, name, … }) and submits `body` (an example application) through the API, each of its
 * upload materials as small photos sent through tus (a small PDF where the definition `def`, when
 * given, accepts no photo). Returns { token, id, case_number, … }.
 */
export async function submitThroughApi(page, body, account, def) {
  const pdfOnly = Object.fromEntries((def?.materials ?? []).map((m) => [m.id, !(m.accept ?? []).includes('image/jpeg')]));
  return page.evaluate(async ({ body, account, pdfOnly, pdf }) => {
    const post = async (path, json, headers = {}) => {
      const r = await fetch(`/api${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(json) });
      const out = await r.json();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(out)}`);
      return out;
    };
    const { ticket } = await post('/dev/tickets', account);
    const session = await post('/session', { ticket });
    // Each photo through tus (creation-with-upload), authenticated by the session cookie.
    const photo = async (asPdf) => {
      const c = document.createElement('canvas');
      c.width = 320; c.height = 200;
      c.getContext('2d').fillRect(20, 20, 90, 120);
      const blob = asPdf
        ? new Blob([pdf], { type: 'application/pdf' })
        : await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.8));
      const r = await fetch('/api/uploads', {
        method: 'POST',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(blob.size), 'Content-Type': 'application/offset+octet-stream' },
        body: blob,
      });
      if (r.status !== 201) throw new Error(`upload: ${r.status}`);
      return r.headers.get('Location').split('/').pop();
    };
    for (const [id, m] of Object.entries(body.materials)) {
      if (m.kind === 'upload') m.upload_ids = await Promise.all(m.upload_ids.map(() => photo(pdfOnly[id])));
    }
    const created = await post('/applications', body, { 'Idempotency-Key': crypto.randomUUID() });
    return { token: session.token, ...created };
  }, { body, account, pdfOnly, pdf: PDF.buffer.toString('latin1') });
}

/**
 * Signs in inside the page at `baseUrl` (as the app platform would, with a development ticket for
 * `subject`) and submits a small shop-opening case through the API; resolves to the session's
 * token, the account's ID number and the created case.
 */
export async function signInAndSubmitShop(page, baseUrl, subject) {
  await page.goto(baseUrl);
  return page.evaluate(async (subject) => {
    const post = async (path, body, headers = {}) => {
      const r = await fetch(`/api${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const json = await r.json();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { ticket } = await post('/dev/tickets', { subject });
    const session = await post('/session', { ticket });
    const a = session.account;
    const created = await post('/applications', {
      service_id: 'shop-opening',
      sub_items: ['business_licence', 'seal_engraving'],
      eligibility: { entity_type: 'individual', premises_in_city: true, sells_food: false },
      answers: {
        shop_name: '织里小王甜品工作室',
        business_scope: ['general_goods'],
        operator_name: a.name,
        operator_id_number: a.id_number,
        operator_phone: a.phone,
        premises_address: { region: ['330000', '330500', '330502'], detail: '织里镇富民路 18 号' },
        premises_area_m2: 30,
        premises_tenure: 'owned',
        seal_count: 1,
      },
      materials: {
        operator_id_card: { kind: 'e_licence', consent: true },
        premises_proof: { kind: 'commitment', accepted: true },
      },
    }, { 'Idempotency-Key': crypto.randomUUID() });
    return { token: session.token, id_number: a.id_number, ...created };
  }, subject);
}
