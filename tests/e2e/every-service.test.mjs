// Every one-thing of the reform, walked through the wizard to a case number by one generic
// driver: it reads the definition from the API and fills each visible question with the
// definition's example application (`services/examples/<id>.json`, checked against the engine
// by the core's tests). The one-things are discovered from `services/*.toml`, so a new
// definition is covered by adding it and its example, with no edit here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { exampleApplication, serviceIds, walkToCase } from './wizard.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const ids = serviceIds();
assert.ok(ids.length > 0, 'no definition in services/');
for (const id of ids) {
  test(`${id}: from its landing page to a case number, filled from the definition`, async () => {
    const def = await (await fetch(new URL(`/api/services/${id}`, server.url))).json();
    const example = exampleApplication(id);
    const { context, page, errors } = await phonePage(browser);
    try {
      const caseNumber = await walkToCase(page, def, example, new URL(`/services/${id}`, server.url).href);
      assert.ok(caseNumber.length >= 8, caseNumber);
      await page.screenshot({ path: join(artifacts(), `service-${id}-confirmation.png`), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
