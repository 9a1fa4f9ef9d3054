// 帮办代办 with two browser contexts. A village agent, signed in with their own staff account,
// starts a case for a grandmother (her ID number checked and masked), fills the newborn one-thing
// in the same wizard (marked 代办 on every step) with the photos, and submits it for her
// confirmation: nothing reaches the departments. The grandmother, in her own context and account,
// types the code, reads the summary in elder mode (one decision per screen) and confirms: the
// departments have exactly one application, in her own list; the agent's list shows it. Then a
// refusal and an expiry (the server's clock injected with --dev-clock, restarted 73 hours later)
// reach nobody, and the agent sees why. axe in zh-CN/en × normal/elder; 360 px screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { a11y, artifacts, devTicket, phonePage, serverAndBrowser } from './harness.mjs';
import { agreePrivacy, answer, domId, exampleApplication, jpeg, materials, next, present, residentId } from './wizard.mjs';

const ADMIN = 'e2e-admin-token-assisted-0123456789';
let server;
let browser;
serverAndBrowser({ adminToken: ADMIN }, (s, b) => {
  server = s;
  browser = b;
});

const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });
const GRANDMA = { name: '张桂英', id: residentId('1962-04-18', '024') };
const AGENT = { label: 'HZ-0042', name: '李代办', organisation: '潘店村便民服务中心' };

async function agentTicket(srv, agent = AGENT) {
  const r = await fetch(new URL('/api/dev/agent-tickets', srv.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(agent),
  });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).ticket;
}

/** What the departments have: every case, through the admin API. */
async function departmentsHave(srv) {
  const r = await fetch(new URL('/api/admin/applications', srv.url), { headers: { Authorization: `Bearer ${ADMIN}` } });
  assert.equal(r.status, 200);
  return r.json();
}

/** The newborn example with the grandmother applying (其他受托人, with the parents' power of attorney). */
function grandmotherApplication(day) {
  const app = exampleApplication('newborn', day);
  Object.assign(app.answers, {
    applicant_role: 'other',
    applicant_relationship: '祖母',
    applicant_id_type: 'resident_id',
    applicant_name: GRANDMA.name,
    applicant_id_number: GRANDMA.id,
    applicant_phone: '13905720188',
  });
  app.materials.power_of_attorney = { kind: 'upload', upload_ids: ['p1'] };
  return app;
}

/** Answers the question page on screen from the example (groups grown as needed). */
async function questionPage(page, def, example) {
  const pageId = page.url().match(/\/page\/([^/?]+)/)[1];
  for (const factId of def.pages.find((p) => p.id === pageId).facts) {
    const fact = def.facts.find((f) => f.id === factId);
    const value = example.answers[factId];
    if (value === undefined) continue;
    const kind = fact.type ?? fact.kind;
    if (kind !== 'group') {
      await answer(page, `answers.${factId}`, kind, value);
      continue;
    }
    for (let i = 0; i < value.length; i++) {
      if (!(await present(page, `#${domId(`answers.${factId}[${i}].${fact.fields[0].id}`)}`))) {
        await page.locator('button', { hasText: '再添加一个' }).click();
      }
      for (const field of fact.fields) {
        if (value[i][field.id] !== undefined) await answer(page, `answers.${factId}[${i}].${field.id}`, field.type ?? field.kind, value[i][field.id]);
      }
    }
  }
}

/** The agent's wizard, from its first step to the declaration; asserts the 代办 mark on every step. */
async function fillAsAgent(page, def, example) {
  const marked = async () => assert.match(await page.locator('.assisted-banner').innerText(), /代办[\s\S]*张\*\*/, page.url());
  await page.waitForURL(/\/apply\/newborn~a[0-9a-f]{8}\/eligibility$/);
  await marked();
  for (const q of def.eligibility.questions) {
    if (example.eligibility[q.id] !== undefined) await answer(page, `eligibility.${q.id}`, q.type ?? q.kind, example.eligibility[q.id]);
  }
  await next(page, /sub-items$/);
  await marked();
  for (const s of def.sub_items.filter((x) => x.optional && example.sub_items.includes(x.id))) {
    await page.locator(`#sub-item-${s.id}`).check();
  }
  await next(page, /\/(page\/[^/]+|materials|check)$/);
  for (let guard = 0; /\/page\//.test(page.url()) && guard < 30; guard++) {
    await marked();
    if (page.url().endsWith('/page/applicant')) {
      // Prefilled with the citizen the case was started for, never the agent's own account.
      assert.equal(await page.locator(`#${domId('answers.applicant_name')}`).inputValue(), GRANDMA.name);
    }
    await questionPage(page, def, example);
    await next(page, /\/(page\/[^/]+|materials|check)$/);
  }
  await agreePrivacy(page);
  await marked();
  await materials(page, def, example);
  await next(page, /check$/);
  await marked();
  await next(page, /declaration$/);
  await marked();
  await agreePrivacy(page);
  await page.locator('#declaration-agree').check();
}

test('an agent fills the newborn one-thing for a grandmother, she confirms on her own phone: one application, hers', async () => {
  const agent = await phonePage(browser);
  const citizen = await phonePage(browser);
  const problems = [];
  try {
    const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
    const example = grandmotherApplication();
    const page = agent.page;

    // The agent signs in with a staff ticket (their own account).
    await page.goto(new URL(`/assisted?ticket=${await agentTicket(server)}`, server.url).href);
    await page.locator('h1', { hasText: '帮办代办' }).waitFor();
    await page.locator('#assisted-name').waitFor();
    problems.push(...await a11y(page, 'assisted desk'));
    await shot(page, 'assisted-1-desk');

    // The ID number is checked with the engine's rules before anything is sent, and masked.
    await page.locator('#assisted-service').selectOption('newborn');
    await page.locator('#assisted-name').fill(GRANDMA.name);
    const wrong = GRANDMA.id.slice(0, 17) + (GRANDMA.id.endsWith('1') ? '2' : '1');
    await page.locator('#assisted-id').fill(wrong);
    await page.locator('form.assisted-start button[type=submit]').click();
    await page.locator('#assisted-id-error').waitFor();
    assert.equal(await page.locator('#assisted-id').getAttribute('aria-invalid'), 'true');
    problems.push(...await a11y(page, 'assisted desk with an error'));
    await page.locator('#assisted-id').fill(GRANDMA.id);
    await page.locator('#assisted-id').blur();
    assert.equal(await page.locator('.mask-wrap .mask-overlay').innerText(), `${GRANDMA.id.slice(0, 4)}**********${GRANDMA.id.slice(-4)}`);
    await shot(page, 'assisted-2-start-masked');
    await page.locator('form.assisted-start button[type=submit]').click();

    await fillAsAgent(page, def, example);
    problems.push(...await a11y(page, 'assisted declaration'));
    await shot(page, 'assisted-3-declaration');
    await page.locator('.bottom-bar button:visible', { hasText: '提交给本人确认' }).click();
    await page.waitForURL(/\/assisted\/cases\/[^/]+$/);
    await page.locator('#assisted-status', { hasText: '等待本人确认' }).waitFor();
    const code = await page.locator('#assisted-code').getAttribute('data-code');
    assert.match(code, /^[2-9A-HJKMNP-Z]{8}$/);
    assert.equal(await page.locator('.assisted-link a').getAttribute('href'), new URL(`/assisted/confirm/${code}`, server.url).href);
    // The QR code of the same link, drawn by the server, for her to scan.
    assert.match(await page.locator('#assisted-qr').getAttribute('src'), /^data:image\/svg\+xml;base64,/);
    assert.ok(await page.locator('#assisted-qr').evaluate((img) => img.complete && img.naturalWidth > 0));
    problems.push(...await a11y(page, 'assisted case pending'));
    await shot(page, 'assisted-4-code');
    assert.deepEqual(await departmentsHave(server), [], 'nothing with the departments before she confirms');

    // The grandmother, in her own context and account: she types the code she was given.
    const cp = citizen.page;
    const ticket = await devTicket(server, { subject: 'assisted-grandma', name: GRANDMA.name, id_number: GRANDMA.id });
    await cp.goto(new URL(`/assisted/confirm?ticket=${ticket}`, server.url).href);
    await cp.locator('h1', { hasText: '代办确认' }).waitFor();
    assert.equal(await cp.evaluate(() => document.documentElement.classList.contains('elder')), true, 'elder mode by default');
    await cp.locator('#assisted-entry-code').fill(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`);
    await cp.getByRole('button', { name: '打开' }).click();
    await cp.waitForURL(new RegExp(`/assisted/confirm/${code}$`));
    const summary = cp.locator('main');
    await summary.getByText('李代办（潘店村便民服务中心）帮您填写了').waitFor();
    const text = await summary.innerText();
    for (const expected of ['出生医学证明', '委托书（照片 1 张）', '哪些部门会收到', '公安']) {
      assert.ok(text.includes(expected), `the summary says ${expected}:\n${text}`);
    }
    assert.equal(await cp.locator('#assisted-confirm').count(), 0, 'one decision per screen: read first');
    await shot(cp, 'assisted-5-summary-elder');
    problems.push(...await a11y(cp, 'assisted confirmation summary'));
    await cp.locator('#assisted-next').click();
    await cp.locator('h1', { hasText: '是否以您本人名义提交？' }).waitFor();
    await shot(cp, 'assisted-6-decide-elder');
    problems.push(...await a11y(cp, 'assisted confirmation decision'));
    await cp.locator('#assisted-confirm').click();
    await cp.locator('#assisted-result', { hasText: '已提交' }).waitFor();
    const caseNo = (await cp.locator('.case-number').innerText()).trim();
    await shot(cp, 'assisted-7-confirmed');
    problems.push(...await a11y(cp, 'assisted confirmed'));

    // Exactly one application with the departments, under her identity: in her own list.
    const all = await departmentsHave(server);
    assert.equal(all.length, 1);
    assert.equal(all[0].case_number, caseNo);
    const mine = await cp.evaluate(async () => (await fetch('/api/applications')).json());
    assert.deepEqual(mine.map((a) => a.case_number), [caseNo]);
    await cp.getByRole('link', { name: '查看办件进度' }).click();
    await cp.waitForURL(/\/applications\/[^/]+$/);
    await cp.getByText(/帮办代办：李代办/).first().waitFor();
    // Confirming again (a second tap, an old link) makes no second application.
    const again = await cp.evaluate(async (c) => (await fetch(`/api/assisted/confirmations/${c}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ decision: 'confirm' }),
    })).status, code);
    assert.equal(again, 200);
    assert.equal((await departmentsHave(server)).length, 1);

    // The agent follows it: status and case number, the name masked; none of her data.
    await page.goto(new URL('/assisted', server.url).href);
    const item = page.locator('.assisted-item').first();
    await item.getByText('本人已确认，已提交').waitFor();
    assert.match(await item.innerText(), new RegExp(`张\\*\\*[\\s\\S]*${caseNo}`));
    assert.ok(!(await item.innerText()).includes(GRANDMA.name));
    await shot(page, 'assisted-8-agent-list');
    problems.push(...await a11y(page, 'assisted agent list'));
    // The agent reads nothing of hers.
    const agentReads = await page.evaluate(async () => (await fetch('/api/applications')).json());
    assert.deepEqual(agentReads, []);

    assert.deepEqual(problems, []);
    assert.deepEqual(agent.errors, []);
    assert.deepEqual(citizen.errors, []);
  } finally {
    await agent.context.close();
    await citizen.context.close();
  }
});

test('without a phone: the agent photographs the signed paper authorisation, and the case says so', async () => {
  const agent = await phonePage(browser);
  try {
    const before = (await departmentsHave(server)).length;
    const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
    const page = agent.page;
    await page.goto(new URL(`/assisted?ticket=${await agentTicket(server, { ...AGENT, label: 'HZ-0043' })}`, server.url).href);
    await page.locator('#assisted-name').fill(GRANDMA.name);
    await page.locator('#assisted-id').fill(GRANDMA.id);
    await page.locator('form.assisted-start button[type=submit]').click();
    await fillAsAgent(page, def, grandmotherApplication());
    await page.locator('#assisted-way-paper').check();
    const submit = page.locator('.bottom-bar button:visible', { hasText: '凭纸质授权书提交' });
    // Not without the photo of the signed authorisation.
    await submit.click();
    await page.locator('#submit-failure', { hasText: '请先拍下本人签字的纸质授权书' }).waitFor();
    assert.equal((await departmentsHave(server)).length, before);
    await page.locator('#assisted-paper-photo').setInputFiles(await jpeg(page));
    await page.locator('#assisted-paper-state', { hasText: '已上传' }).waitFor();
    await shot(page, 'assisted-13-paper');
    assert.deepEqual(await a11y(page, 'assisted paper authorisation'), []);
    await submit.click();
    await page.waitForURL(/\/assisted\/cases\/[^/]+$/);
    await page.locator('#assisted-status', { hasText: '凭纸质授权书提交' }).waitFor();
    const caseNo = (await page.locator('.case-number').innerText()).trim();
    const all = await departmentsHave(server);
    assert.equal(all.length, before + 1);
    assert.ok(all.some((a) => a.case_number === caseNo));
    // Visibly on paper authority, in the case the departments and the citizen see.
    const r = await fetch(new URL(`/api/admin/applications/${caseNo}`, server.url), { headers: { Authorization: `Bearer ${ADMIN}` } });
    const detail = await r.json();
    assert.match(detail.timeline[0].note, /纸质授权书/);
    await shot(page, 'assisted-14-paper-submitted');
    assert.deepEqual(agent.errors, []);
  } finally {
    await agent.context.close();
  }
});

/** Through the API in the agent's page (signed in): a case for the grandmother submitted for confirmation. */
async function pendingThroughApi(page, day) {
  const example = grandmotherApplication(day);
  return page.evaluate(async ({ app, grandma }) => {
    const post = async (path, json) => {
      const r = await fetch(`/api${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
      const out = await r.json();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(out)}`);
      return out;
    };
    const photo = async () => {
      const c = document.createElement('canvas');
      c.width = 320; c.height = 200;
      c.getContext('2d').fillRect(20, 20, 90, 120);
      const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.8));
      const r = await fetch('/api/uploads', {
        method: 'POST',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(blob.size), 'Content-Type': 'application/offset+octet-stream' },
        body: blob,
      });
      if (r.status !== 201) throw new Error(`upload: ${r.status}`);
      return r.headers.get('Location').split('/').pop();
    };
    for (const m of Object.values(app.materials)) {
      if (m.kind === 'upload') m.upload_ids = await Promise.all(m.upload_ids.map(photo));
    }
    const started = await post('/assisted', { service_id: 'newborn', citizen_name: grandma.name, citizen_id_number: grandma.id });
    return post(`/assisted/${started.id}/submit`, { application: app });
  }, { app: example, grandma: GRANDMA });
}

test('a refusal reaches no department, and the agent sees why', async () => {
  const agent = await phonePage(browser);
  const citizen = await phonePage(browser);
  try {
    const before = (await departmentsHave(server)).length;
    const page = agent.page;
    await page.goto(new URL(`/assisted?ticket=${await agentTicket(server)}`, server.url).href);
    await page.locator('#assisted-name').waitFor();
    const pending = await pendingThroughApi(page);
    assert.equal(pending.status, 'pending');

    const cp = citizen.page;
    const ticket = await devTicket(server, { subject: 'assisted-grandma', name: GRANDMA.name, id_number: GRANDMA.id });
    await cp.goto(new URL(`/assisted/confirm/${pending.code}?ticket=${ticket}`, server.url).href);
    await cp.locator('#assisted-next').click();
    await cp.locator('#assisted-refuse').click();
    await cp.locator('#assisted-result', { hasText: '您没有同意' }).waitFor();
    await shot(cp, 'assisted-9-refused');
    assert.deepEqual(await a11y(cp, 'assisted refused'), []);
    assert.equal((await departmentsHave(server)).length, before, 'nothing reached the departments');

    await page.goto(new URL(`/assisted/cases/${pending.id}`, server.url).href);
    await page.locator('#assisted-status', { hasText: '本人已拒绝' }).waitFor();
    assert.match(await page.locator('#assisted-why').innerText(), /未向任何部门提交/);
    assert.equal(await page.locator('#assisted-code').count(), 0, 'no code once answered');
    await shot(page, 'assisted-10-agent-refused');
    assert.deepEqual(await a11y(page, 'assisted agent refused'), []);
    assert.deepEqual(agent.errors, []);
    assert.deepEqual(citizen.errors, []);
  } finally {
    await agent.context.close();
    await citizen.context.close();
  }
});

/** A server of our own on `data` (kept across restarts) with the development clock at `clock`. */
async function clockedServer(data, clock) {
  const child = spawn(process.env.ONETHING_SERVER_BIN, [
    '--addr', '127.0.0.1:0', '--data-dir', data, '--services-dir', process.env.ONETHING_SERVICES,
    '--static-dir', process.env.ONETHING_DIST, '--dev-tickets', '--dev-clock', clock, '--admin-token', ADMIN,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (c) => { clearTimeout(timer); reject(new Error(`server exited (${c}):\n${log}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  return { url, stop };
}

test('an unanswered confirmation expires after 72 hours (injected clock): nothing reaches the departments', async () => {
  const data = mkdtempSync(join(tmpdir(), 'onething-e2e-assisted-'));
  // The example's own day, 10:00 in China; then the same data 73 hours later.
  const day = '2026-11-28';
  let srv = await clockedServer(data, `${day}T02:00:00Z`);
  const agent = await phonePage(browser);
  const citizen = await phonePage(browser);
  try {
    const page = agent.page;
    await page.goto(new URL(`/assisted?ticket=${await agentTicket(srv)}`, srv.url).href);
    await page.locator('#assisted-name').waitFor();
    const pending = await pendingThroughApi(page, day);
    // 72 hours after the submission (the development clock runs on from its start).
    const expires = Date.parse(pending.expires_at) - Date.parse(`${day}T02:00:00Z`);
    assert.ok(expires >= 72 * 3_600_000 && expires < 72 * 3_600_000 + 60_000, pending.expires_at);
    await srv.stop();

    srv = await clockedServer(data, '2026-12-01T03:00:00Z');
    const cp = citizen.page;
    const ticket = await devTicket(srv, { subject: 'assisted-grandma', name: GRANDMA.name, id_number: GRANDMA.id });
    await cp.goto(new URL(`/assisted/confirm/${pending.code}?ticket=${ticket}`, srv.url).href);
    await cp.locator('#assisted-result', { hasText: '已过期' }).waitFor();
    assert.equal(await cp.locator('#assisted-confirm').count(), 0, 'nothing to confirm any more');
    const late = await cp.evaluate(async (c) => {
      const r = await fetch(`/api/assisted/confirmations/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ decision: 'confirm' }) });
      return [r.status, (await r.json()).code];
    }, pending.code);
    assert.deepEqual(late, [410, 'assisted_expired']);
    await shot(cp, 'assisted-11-expired');
    assert.deepEqual(await a11y(cp, 'assisted expired'), []);
    assert.deepEqual(await departmentsHave(srv), []);

    await page.goto(new URL(`/assisted?ticket=${await agentTicket(srv)}`, srv.url).href);
    const item = page.locator('.assisted-item').first();
    await item.getByText('确认已过期').waitFor();
    assert.match(await item.innerText(), /未在期限内确认/);
    await shot(page, 'assisted-12-agent-expired');
    assert.deepEqual(await a11y(page, 'assisted agent expired'), []);
    assert.deepEqual(agent.errors, []);
    // (The browser reports the refused late confirmation, 410, as a failed resource.)
    assert.deepEqual(citizen.errors.filter((e) => !e.includes('410')), []);
  } finally {
    await agent.context.close();
    await citizen.context.close();
    await srv.stop();
    rmSync(data, { recursive: true, force: true });
  }
});
