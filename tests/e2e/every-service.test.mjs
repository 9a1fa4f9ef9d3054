// Every one-thing of the reform, walked through the wizard to a case number by one generic
// driver: it reads the definition from the API and fills each visible question with the
// definition's example application (`services/examples/<id>.json`, checked against the engine
// by the core's tests), so a new definition is covered by adding its example.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, launchBrowser, phonePage, startServer } from './harness.mjs';
import { address, choose, domId, exampleApplication, fill, jpeg, next } from './wizard.mjs';

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

const present = async (page, selector) => {
  await page.locator(selector).first().waitFor({ timeout: 1500 }).catch(() => {});
  return (await page.locator(selector).count()) > 0;
};

/** Answers one question of kind `kind` at `path` with `value`, if it is on the page. */
async function answer(page, path, kind, value) {
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
const PDF = { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n') };

async function materials(page, def, example) {
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

const ids = ['shop-opening', 'utility-connection', 'film-shooting', 'youth-rural', 'ship-subsidy', 'enterprise-issue'];
for (const id of ids) {
  test(`${id}: from its landing page to a case number, filled from the definition`, async () => {
    const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
    const example = exampleApplication(id);
    const { context, page, errors } = await phonePage(browser);
    try {
      await page.goto(new URL(`/services/${id}`, server.url).href);
      await page.getByRole('link', { name: '开始办理' }).click();
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
      if (page.url().endsWith('/materials')) {
        await materials(page, def, example);
        await next(page, /check$/);
      }
      await next(page, /declaration$/);
      await page.locator('#declaration-agree').check();
      await page.locator('.bottom-bar button').click();
      await page.waitForURL(/confirmation$/);
      const caseNumber = (await page.locator('.case-number').innerText()).trim();
      assert.ok(caseNumber.length >= 8, caseNumber);
      await page.screenshot({ path: join(artifacts(), `service-${id}-confirmation.png`), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
