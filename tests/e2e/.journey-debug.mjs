import { launchBrowser, phonePage, startServer } from './harness.mjs';
const server = await startServer();
const browser = await launchBrowser();
const { page, errors } = await phonePage(browser);
page.on('console', (m) => console.log('console', m.type(), m.text()));
try {
  await page.goto(server.url);
  await page.evaluate(async (sub) => {
    const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const { ticket } = await post('/api/dev/tickets', { subject: sub });
    const { token } = await post('/api/session', { ticket });
    sessionStorage.setItem('onething.session', token);
    localStorage.setItem('onething.dev-subject', sub);
  }, 'dev-dbg');
  page.on('request', (r) => console.log('REQ', r.method(), r.url()));
  await page.goto(new URL('/services/newborn', server.url).href);
  await page.getByRole('link', { name: '开始办理' }).click();
  await page.waitForTimeout(6000);
  console.log('URL', page.url());
  console.log((await page.locator('main').innerText()).slice(0, 300));
  console.log('errors', errors);
} finally {
  await browser.close();
  await server.stop();
}
