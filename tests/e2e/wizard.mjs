// Helpers to drive the wizard like a person: by field, with the ids the SPA derives from the
// engine's field paths (`answers.children[1].name` → `f-answers-children-1--name`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts } from './harness.mjs';

export const domId = (path) => 'f-' + path.replace(/[^A-Za-z0-9]/g, '-');

/** Types into the input of `path` and leaves it (blur), as a person would. */
export async function fill(page, path, value) {
  const input = page.locator(`#${domId(path)}`);
  await input.fill(String(value));
  await input.blur();
}

/** Picks option `value` of the choice (or yes/no: true/false) at `path`. */
export async function choose(page, path, value) {
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

/** Presses the bottom bar's button and waits for the next page (URL change). */
export async function next(page, urlPattern) {
  await page.locator('.bottom-bar button, .bottom-bar a').first().click();
  if (urlPattern) {
    try {
      await page.waitForURL(urlPattern, { timeout: 10_000 });
    } catch (e) {
      // Say what the page complained about, not only that it did not move on.
      const summary = await page.locator('.error-summary').innerText().catch(() => '');
      await page.screenshot({ path: join(artifacts(), 'failed-step.png'), fullPage: true });
      throw new Error(`still on ${page.url()} (wanted ${urlPattern}): ${summary}`);
    }
  }
  await page.locator('main h1').first().waitFor();
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

/** A small real JPEG made by the browser's canvas, for upload tests. */
export async function jpeg(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 320; c.height = 200;
    const g = c.getContext('2d');
    g.fillStyle = '#dfe8f5'; g.fillRect(0, 0, 320, 200);
    g.fillStyle = '#1f5fbf'; g.fillRect(20, 20, 90, 120);
    return c.toDataURL('image/jpeg', 0.8).split(',')[1];
  });
  return { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

// The examples in services/examples/ are valid on this day; dates in them move with the calendar
// so that "in the future" and "under one year old" stay true whenever the tests run.
const EXAMPLE_DAY = Date.UTC(2026, 10, 28);
const shiftDays = Math.round((Date.now() - EXAMPLE_DAY) / 86_400_000);
function shiftDates(value) {
  if (typeof value === 'string') {
    const m = value.match(/^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2})?$/);
    if (!m) return value;
    const d = new Date(Date.parse(`${m[1]}T00:00:00Z`) + shiftDays * 86_400_000);
    return d.toISOString().slice(0, 10) + (m[2] ?? '');
  }
  if (Array.isArray(value)) return value.map(shiftDates);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftDates(v)]));
  }
  return value;
}

/** The example application of service `id`, its dates moved to today's calendar. */
export function exampleApplication(id) {
  const file = join(process.env.ONETHING_SERVICES, 'examples', `${id}.json`);
  return shiftDates(JSON.parse(readFileSync(file, 'utf8')));
}
