// Shared steps of the seed one-things' browser tests (seed-*.test.mjs): open the case page from
// the confirmation, switch the language with the page's own button, read a date as the page
// writes it, and a sub-item's row, its stages and its result.
import { addDays, chinaDay } from './wizard.mjs';

/** From the confirmation page to the case page (the "track" button). */
export async function openCase(page) {
  await page.locator('a.button.primary[href*="/applications/"]').click();
  await page.waitForURL(/\/applications\/[^/]+$/);
  await page.locator('main h1:visible').waitFor();
}

/** Switches the app's language with the top bar's chip (`English` or `中文`). */
export async function language(page, label) {
  await page.locator('.top-bar button.chip').filter({ hasText: label }).click();
  const lang = label === 'English' ? 'en' : 'zh-CN';
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** A day `n` days from today in China, as the API takes it (YYYY-MM-DD). */
export const day = (n = 0) => addDays(chinaDay(), n);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A YYYY-MM-DD date as the page writes it in `lang` (2026年12月5日, 5 December 2026). */
export function written(iso, lang = 'zh') {
  const [y, m, d] = iso.split('-').map(Number);
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}

/** The row of sub-item `id` on the case page, and its stage `stage`. */
export const row = (page, id) => page.locator(`li[data-item="${id}"]`);
export const stage = (page, id, stageId) => row(page, id).locator(`.stage[data-stage="${stageId}"]`);
