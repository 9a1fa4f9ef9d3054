// The newborn one-thing, walked like a parent would on a phone: eligible path with twins,
// documents by e-licence, commitment, upload and later supply; the Change link; reload mid-flow;
// the unmarried branch; and a situation outside the bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { a11y, artifacts, phonePage, serverAndBrowser } from './harness.mjs';
import { language } from './seed-steps.mjs';
import { address, agreePrivacy, choose, domId, exampleApplication, fill, isoDaysAgo, jpeg, next, residentId, walkToCase } from './wizard.mjs';

let server;
let browser;
serverAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const birth = isoDaysAgo(3);
const HUZHOU = ['330000', '330500', '330502'];
const shot = (page, name) => page.screenshot({ path: join(artifacts(), `${name}.png`), fullPage: true });

async function eligibility(page, { hukou = 'both_local', insured = true } = {}) {
  await page.goto(new URL('/services/newborn', server.url).href);
  await page.getByRole('link', { name: '开始办理' }).click();
  await page.waitForURL(/\/apply\/newborn\/eligibility$/);
  await agreePrivacy(page);
  await choose(page, 'eligibility.born_in_province_hospital', true);
  await fill(page, 'eligibility.birth_date', birth);
  await choose(page, 'eligibility.first_application', true);
  await choose(page, 'eligibility.certificate_issued', false);
  await choose(page, 'eligibility.parents_hukou', hukou);
  await choose(page, 'eligibility.mother_employee_insured', insured);
}

async function baby(page, i, name, sex) {
  const p = (f) => `answers.children[${i}].${f}`;
  await fill(page, p('name'), name);
  await choose(page, p('sex'), sex);
  await fill(page, p('birth_datetime'), `${birth}T0${8 + i}:30`);
  await fill(page, p('gestational_weeks'), 38);
  await fill(page, p('weight_g'), 2900 + i * 100);
  await fill(page, p('length_cm'), 49);
  await fill(page, p('hospital'), '湖州市妇幼保健院');
  await fill(page, p('ethnicity'), '汉族');
  await choose(page, p('health'), 'good');
  await choose(page, p('birthplace_class'), 'mch_hospital');
}

async function mother(page) {
  await choose(page, 'answers.mother_id_type', 'resident_id');
  await fill(page, 'answers.mother_name', '陈倩');
  await fill(page, 'answers.mother_id_number', residentId('1994-03-15', '002'));
  await fill(page, 'answers.mother_birth_date', '1994-03-15');
  await fill(page, 'answers.mother_ethnicity', '汉族');
  await fill(page, 'answers.mother_phone', '13905720123');
  await address(page, 'answers.mother_hukou_address', HUZHOU, '爱山街道红旗路 8 号');
}

async function father(page) {
  await choose(page, 'answers.father_id_type', 'resident_id');
  await fill(page, 'answers.father_name', '王磊');
  await fill(page, 'answers.father_id_number', residentId('1992-07-01', '011'));
  await fill(page, 'answers.father_birth_date', '1992-07-01');
  await fill(page, 'answers.father_ethnicity', '汉族');
  await address(page, 'answers.father_hukou_address', HUZHOU, '爱山街道红旗路 8 号');
}

/**
 * A question page kept hidden (left, or built ahead) is out of everyone's reach: one page shown,
 * one page heading for assistive technology, the hidden page's `field` (a textbox's name) not
 * found, and `tabs` presses of Tab landing only on what is shown.
 */
async function onlyShownPageReachable(page, field, tabs) {
  assert.equal(await page.locator('main h1:visible').count(), 1, 'one page shown');
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'one page heading for assistive technology');
  assert.equal(await page.getByRole('textbox', { name: field }).count(), 0, 'the hidden page\'s fields are out of reach');
  const reached = [];
  for (let i = 0; i < tabs; i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => {
      const e = document.activeElement;
      return { shown: e === document.body || e.checkVisibility(), name: `${e.tagName}#${e.id}` };
    }));
  }
  assert.deepEqual(reached.filter((r) => !r.shown), [], 'Tab reaches only what is shown');
}

/** A new application (nothing kept on the device) answered up to the empty baby page. */
async function freshToBabyPage(page) {
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await eligibility(page);
  await next(page, /sub-items$/);
  await next(page, /page\/baby$/);
}

async function restOfForm(page, { benefit = true } = {}) {
  await choose(page, 'answers.register_with', 'father');
  await choose(page, 'answers.household_type', 'family');
  await fill(page, 'answers.household_head_name', '王磊');
  await choose(page, 'answers.household_head_relationship', 'child');
  await address(page, 'answers.registration_address', HUZHOU, '爱山街道红旗路 8 号');
  await next(page, /page\/insurance$/);
  await choose(page, 'answers.insurance_place', 'hukou');
  await choose(page, 'answers.insurance_payer', 'mother');
  await choose(page, 'answers.card_bank', 'huzhou_bank');
  if (benefit) {
    await next(page, /page\/benefit$/);
    await fill(page, 'answers.employer_name', '湖州某某纺织有限公司');
    await fill(page, 'answers.employer_credit_code', '91330502MA2C5D6E74');
    await choose(page, 'answers.delivery_mode', 'caesarean');
    await fill(page, 'answers.leave_start', isoDaysAgo(10));
    await fill(page, 'answers.bank_account_holder', '陈倩');
    await fill(page, 'answers.bank_card_number', '6222020200112233446');
    await fill(page, 'answers.bank_branch', '湖州银行吴兴支行');
  }
  await next(page, /page\/contact$/);
  await address(page, 'answers.residence_address', HUZHOU, '爱山街道红旗路 8 号');
  await choose(page, 'answers.delivery', 'mail');
  await fill(page, 'answers.mailing_name', '陈倩');
  await fill(page, 'answers.mailing_phone', '13905720123');
  await address(page, 'answers.mailing_address', HUZHOU, '爱山街道红旗路 8 号');
  await next(page, /page\/applicant$/);
  await choose(page, 'answers.applicant_role', 'mother');
  await choose(page, 'answers.applicant_id_type', 'resident_id');
  await fill(page, 'answers.applicant_name', '陈倩');
  await fill(page, 'answers.applicant_id_number', residentId('1994-03-15', '002'));
  await fill(page, 'answers.applicant_phone', '13905720123');
}

test('a married couple applies for twins: one form, four ways to give documents, exactly one case', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    const problems = [];
    await page.goto(server.url);
    await page.locator('a.card-link').first().waitFor();
    problems.push(...await a11y(page, 'home'));
    await page.goto(new URL('/services/newborn', server.url).href);
    await page.locator('li.sub-item').first().waitFor();
    problems.push(...await a11y(page, 'landing'));
    await eligibility(page);
    problems.push(...await a11y(page, 'eligibility'));
    await shot(page, 'wizard-1-eligibility');
    await next(page, /sub-items$/);
    // Mandatory items are included and cannot be removed; the optional benefit is chosen.
    assert.equal(await page.locator('#sub-item-household_registration').isDisabled(), true);
    assert.equal(await page.locator('#sub-item-household_registration').isChecked(), true);
    await page.locator('#sub-item-maternity_benefit').check();
    problems.push(...await a11y(page, 'sub-items'));
    await shot(page, 'wizard-2-sub-items');
    await next(page, /page\/baby$/);

    // Continue with nothing filled: the error summary takes focus and links to the fields.
    await page.locator('.bottom-bar button:visible').click();
    await page.locator('.error-summary:focus').waitFor();
    assert.match(await page.locator('.error-summary:visible').innerText(), /宝宝姓名：请填写此项/);
    // One entry per field: the birthplace class, empty, is "please fill in", not that and the
    // rule about where the baby was born besides.
    const targets = await page.locator('.error-summary:visible a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.equal(new Set(targets).size, targets.length, `each field once in the summary: ${targets}`);
    // Each error shows once, at its own field: the group of babies has none of its own to
    // show above its first item (only too few or too many babies would be).
    assert.equal(await page.locator(`#${domId('answers.children')}`).count(), 0, 'no group-level error');
    assert.match(await page.locator(`#${domId('answers.children[0].name')}-error`).innerText(), /请填写此项/);
    problems.push(...await a11y(page, 'baby with errors'));
    await shot(page, 'wizard-3-baby-errors');

    await baby(page, 0, '王一诺', 'female');
    await page.getByRole('button', { name: '再添加一个' }).click();
    await baby(page, 1, '王一言', 'male');
    await next(page, /page\/mother$/);

    // An invalid ID number is reported once the field is left, and what was typed stays.
    await choose(page, 'answers.mother_id_type', 'resident_id');
    await fill(page, 'answers.mother_id_number', '330502199403150021');
    const idError = page.locator(`#${domId('answers.mother_id_number')}-error`);
    await idError.waitFor();
    assert.match(await idError.innerText(), /校验|核对|不正确/);
    await page.locator(`#${domId('answers.mother_id_number')}`).focus();
    assert.equal(await page.locator(`#${domId('answers.mother_id_number')}`).inputValue(), '330502199403150021');
    await mother(page);
    // Masked when not being edited (PIPL).
    const overlay = page.locator(`#${domId('answers.mother_id_number')} + .mask-overlay`);
    assert.match(await overlay.innerText(), /^3305\*{10}\w{4}$/);
    problems.push(...await a11y(page, 'mother'));
    await shot(page, 'wizard-4-mother');
    // The task list shows what is done and what is left, and leads back into the form.
    await page.getByRole('link', { name: '查看全部步骤' }).click();
    await page.waitForURL(/tasks$/);
    const row = (title) => page.locator('li.task', { hasText: title }).locator('.status');
    assert.equal(await row('宝宝出生信息').innerText(), '已完成');
    assert.equal(await row('母亲信息').innerText(), '已完成');
    assert.equal(await row('婚姻状况').innerText(), '未开始');
    problems.push(...await a11y(page, 'tasks'));
    await page.locator('.bottom-bar a:visible').click();
    await page.waitForURL(/page\/marriage$/);

    // Reload mid-flow: everything typed so far is still there.
    await choose(page, 'answers.marital_status', 'married');
    await fill(page, 'answers.marriage_cert_no', 'J330502-2019-000123');
    await page.locator('.save-state[data-state="saved"]').waitFor();
    await page.reload();
    await page.locator(`#${domId('answers.marriage_cert_no')}`).waitFor();
    assert.equal(await page.locator(`#${domId('answers.marriage_cert_no')}`).inputValue(), 'J330502-2019-000123');
    await next(page, /page\/father$/);
    await father(page);
    await next(page, /page\/registration$/);
    await restOfForm(page);
    await next(page, /materials$/);

    // Mailed home was chosen: the results that cannot be mailed say so here, before submission.
    const notes = await page.locator('#delivery-notes').innerText();
    assert.match(notes, /免费邮寄到家/);
    assert.match(notes, /医保参保登记没有纸质证件/);
    assert.match(notes, /生育津贴直接发放到母亲的银行账户/);
    assert.match(notes, /出生医学证明不邮寄/);
    assert.doesNotMatch(notes, /户口登记/, 'household registration can be mailed');

    // Documents: each asked once; e-licence with consent, commitment, a photo, and later supply.
    await page.locator('#material-mother_id_card-e-licence').check();
    await page.locator('#material-mother_id_card-agree').check();
    await page.locator('#material-marriage_certificate-commitment').check();
    await page.locator('#material-marriage_certificate-agree').check();
    await page.locator('#material-father_id_card-upload').check();
    for (const i of [0, 1]) {
      await page.locator(`#material-father_id_card-page-${i}-album`).setInputFiles(await jpeg(page));
      await page.locator(`#material-father_id_card-page-${i}`).getByText('已上传').waitFor();
    }
    await page.locator('#material-hukou_booklet-at-window').check();
    await page.locator('#material-bank_card-deferred').check();
    problems.push(...await a11y(page, 'materials'));
    await shot(page, 'wizard-5-materials');
    await next(page, /check$/);

    // Check answers, then a Change link round trip.
    const answers = await page.locator('main').innerText();
    assert.match(answers, /王一言/);
    assert.match(answers, /浙江省湖州市吴兴区 爱山街道红旗路 8 号/, 'addresses read as names, not codes');
    assert.doesNotMatch(answers, /330502199403150028/, 'ID numbers are masked on the check page');
    problems.push(...await a11y(page, 'check'));
    await shot(page, 'wizard-6-check');
    await page.getByRole('link', { name: '修改 父亲信息' }).click();
    await page.waitForURL(/page\/father\?return=check$/);
    await fill(page, 'answers.father_ethnicity', '回族');
    await next(page, /check$/);
    assert.match(await page.locator('main').innerText(), /回族/);
    await next(page, /declaration$/);

    // The declaration must be ticked; then the case is created exactly once.
    await page.locator('.bottom-bar button:visible').click();
    await page.getByRole('alert').waitFor();
    await page.locator('#declaration-agree').check();
    problems.push(...await a11y(page, 'declaration'));
    await shot(page, 'wizard-7-declaration');
    await page.locator('.bottom-bar button:visible').click();
    await page.waitForURL(/confirmation$/);
    const caseNumber = (await page.locator('.case-number').innerText()).trim();
    assert.ok(caseNumber.length >= 8, caseNumber);
    assert.match(await page.locator('main').innerText(), /需要补交的材料[\s\S]*银行卡/);
    problems.push(...await a11y(page, 'confirmation'));
    await shot(page, 'wizard-8-confirmation');

    const mine = await page.evaluate(async () => {
      const token = sessionStorage.getItem('onething.session');
      const r = await fetch('/api/applications', { headers: { Authorization: `Bearer ${token}` } });
      return r.json();
    });
    assert.equal(mine.length, 1, 'exactly one case on the server');
    assert.equal(mine[0].case_number, caseNumber);
    assert.deepEqual(errors, []);
    assert.deepEqual(problems, [], 'axe-core: no WCAG 2.x A/AA violations on any page, in any presentation');
  } finally {
    await context.close();
  }
});

test('back and forth between question pages: each comes back as left, in the language chosen meanwhile', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await freshToBabyPage(page);
    // Continue with nothing filled shows the errors; filled, the page goes on.
    await page.locator('.bottom-bar button:visible').click();
    await page.locator('.error-summary:focus').waitFor();
    await baby(page, 0, '王一诺', 'female');
    await next(page, /page\/mother$/);
    await mother(page);
    const id = page.locator(`#${domId('answers.mother_id_number')}`);
    const overlay = page.locator(`#${domId('answers.mother_id_number')} + .mask-overlay`);
    // The browser's back button while the ID number is being edited (shown in full).
    await id.focus();
    assert.equal(await overlay.count(), 0, 'unmasked while edited');
    await page.goBack();
    await page.waitForURL(/page\/baby$/);
    await page.locator('main h1:focus').waitFor();
    assert.equal(await page.locator('main h1:visible').innerText(), '宝宝出生信息');
    assert.match(await page.title(), /^宝宝出生信息/);
    assert.equal(await page.locator(`#${domId('answers.children[0].name')}`).inputValue(), '王一诺');
    // The errors of the earlier Continue are not brought back; the page starts clean.
    assert.equal(await page.locator('.error-summary:visible').isVisible(), false);
    assert.equal(await page.locator('.field-error').count(), 0);
    // The mother page is kept off the screen: nobody reaches it, by sight, by assistive
    // technology or by the keyboard.
    await onlyShownPageReachable(page, '母亲姓名', 40);

    // The language changes while the mother page is kept hidden.
    await language(page, 'English');
    assert.equal(await page.locator('main h1:visible').innerText(), 'About the baby');
    await next(page, /page\/mother$/);
    await page.locator('main h1:focus').waitFor();
    const heading = await page.locator('main h1:visible').innerText();
    assert.match(heading, /^[A-Za-z' ]+$/, `the mother page in English: ${heading}`);
    assert.match(await page.title(), new RegExp(`^${heading}`));
    assert.match(await page.locator('main').innerText(), /Mother's name/);
    assert.equal(await page.getByRole('textbox', { name: "Mother's name" }).count(), 1, 'shown again, within reach');
    // Masked again: it was left while edited.
    assert.match(await overlay.innerText(), /^3305\*{10}\w{4}$/);
    assert.equal(await id.inputValue(), residentId('1994-03-15', '002'));
    // Back leads to the baby page, whose title is English too.
    await page.locator('a.back-link:visible').first().click();
    await page.waitForURL(/page\/baby$/);
    await page.locator('main h1:focus').waitFor();
    assert.match(await page.title(), /^About the baby/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the next question page is made ready while the sub-items are read, out of everyone\'s reach until Continue shows it', async () => {
  const { context, page, errors } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await eligibility(page);
    await next(page, /sub-items$/);
    // The baby page is built while the person reads, in the document but away.
    await page.locator('.question-pages > [data-away] h1').waitFor({ state: 'attached' });
    await onlyShownPageReachable(page, '宝宝姓名', 30);
    assert.deepEqual(await a11y(page, 'wizard-sub-items-with-page-ahead'), []);
    // Continue shows it: its heading focused, the baby's fields there and checked as a whole
    // (the group's first item exists once the page shows).
    await next(page, /page\/baby$/);
    await page.locator('main h1:focus').waitFor();
    assert.equal(await page.locator('main h1:visible').innerText(), '宝宝出生信息');
    assert.equal(await page.getByRole('textbox', { name: '宝宝姓名' }).count(), 1, 'shown, within reach');
    await page.locator('.bottom-bar button:visible').click();
    await page.locator('.error-summary:focus').waitFor();
    assert.match(await page.locator('.error-summary:visible').innerText(), /宝宝姓名：请填写此项/);
    await baby(page, 0, '王一诺', 'female');
    await next(page, /page\/mother$/);
    await page.locator('main h1:focus').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('outside the bundle: a replacement certificate is explained with what to do instead', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await eligibility(page);
    await choose(page, 'eligibility.first_application', false);
    await page.locator('.bottom-bar button:visible').click();
    const notice = page.locator('#not-eligible');
    await notice.waitFor();
    assert.match(await notice.innerText(), /补发或换发出生医学证明不属于/);
    assert.match(await notice.innerText(), /出生的医疗机构申请补发/);
    assert.match(page.url(), /eligibility$/, 'the person stays on the question page');
    await shot(page, 'wizard-not-eligible');
    // A deep link further in goes back to the first step that is not done.
    await page.goto(new URL('/apply/newborn/check', server.url).href);
    await page.waitForURL(/eligibility$/);
  } finally {
    await context.close();
  }
});

test('neither parent with a local hukou: not a dead end, the rest of the bundle goes on here', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await eligibility(page, { hukou: 'neither' });
    await page.locator('.bottom-bar button:visible').click();
    const notice = page.locator('#not-eligible');
    await notice.waitFor();
    assert.match(await notice.innerText(), /父母至少一方为浙江户籍/);
    // The single-item service, from the definition.
    const link = notice.locator('a.single-item-link');
    assert.match(await link.getAttribute('href'), /^https:\/\//);
    assert.match(await link.innerText(), /出生登记/);
    // What can still be done here, and a way to go on with it.
    const rest = await page.locator('#fallback-sub-items').innerText();
    assert.match(rest, /出生医学证明/);
    assert.match(rest, /生育津贴/);
    assert.doesNotMatch(rest, /户口登记/);
    const problems = await a11y(page, 'eligibility fallback');
    assert.deepEqual(problems, [], 'axe-core and 360 px on the fallback notice');
    await shot(page, 'wizard-fallback');
    await page.locator('#fallback-continue').click();
    await page.waitForURL(/sub-items$/);
    // Household registration is left to the hukou place: not selectable here.
    const hukou = page.locator('#sub-item-household_registration');
    assert.equal(await hukou.isChecked(), false);
    assert.equal(await hukou.isDisabled(), true);
    assert.match(await page.locator('main').innerText(), /请单独办理/);
    assert.equal(await page.locator('#sub-item-birth_certificate').isChecked(), true);
    await next(page, /page\/baby$/);
  } finally {
    await context.close();
  }
});

test('unmarried parents: the non-marital statement is asked, the marriage certificate is not', async () => {
  const { context, page } = await phonePage(browser);
  try {
    await freshToBabyPage(page);
    await baby(page, 0, '王一诺', 'female');
    await next(page, /page\/mother$/);
    await mother(page);
    await next(page, /page\/marriage$/);
    await choose(page, 'answers.marital_status', 'unmarried');
    assert.equal(await page.locator(`#${domId('answers.marriage_cert_no')}`).count(), 0);
    await next(page, /page\/father$/);
    await choose(page, 'answers.father_details', 'provided');
    await father(page);
    await next(page, /page\/registration$/);
    await restOfForm(page, { benefit: false });
    await next(page, /materials$/);
    const text = await page.locator('main').innerText();
    assert.match(text, /非婚生育说明|非婚/);
    assert.doesNotMatch(text, /结婚证/);
    await shot(page, 'wizard-unmarried-materials');
  } finally {
    await context.close();
  }
});

// The example application with a patch: objects merge, anything else replaces (RFC 7386).
function patched(base, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = patched(base?.[k], v);
  }
  return out;
}

async function walkNewborn(patch, name) {
  const def = await (await fetch(new URL('/api/services/newborn', server.url))).json();
  const example = patched(exampleApplication('newborn'), patch);
  const { context, page, errors } = await phonePage(browser);
  try {
    const caseNumber = await walkToCase(page, def, example, new URL('/services/newborn', server.url).href);
    assert.ok(caseNumber.length >= 8, caseNumber);
    // The bundle's expected date is the latest of its sub-items' (parallel branches, not a sum).
    const bundle = await page.locator('#bundle-expected').innerText();
    const dates = (await page.locator('.sub-items .sub-item-meta').allInnerTexts())
      .flatMap((t) => t.match(/\d{4}-\d{2}-\d{2}/g) ?? []).sort();
    assert.ok(dates.length > 0);
    assert.match(bundle, new RegExp(`全部事项预计 ${dates.at(-1)}`));
    await shot(page, `newborn-${name}-confirmation`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

test('a certificate the hospital already issued: its number instead of that sub-item; the father applies', async () => {
  const base = exampleApplication('newborn');
  const child = { ...base.answers.children[0], birth_cert_no: 'X330100123' };
  await walkNewborn({
    eligibility: { certificate_issued: true },
    sub_items: base.sub_items.filter((s) => s !== 'birth_certificate'),
    answers: {
      children: [child],
      applicant_role: 'father', applicant_name: base.answers.father_name,
      applicant_id_number: base.answers.father_id_number, applicant_phone: base.answers.father_phone,
    },
    materials: { birth_medical_certificate: { kind: 'e_licence', consent: true } },
  }, 'issued-father');
});

test('a third person with a passport applies, with a power of attorney', async () => {
  await walkNewborn({
    answers: {
      applicant_role: 'other', applicant_relationship: '姨妈', applicant_id_type: 'passport',
      applicant_name: 'Maria Lopez', applicant_id_number: 'E12345678',
    },
    materials: { power_of_attorney: { kind: 'upload', upload_ids: ['a1'] } },
  }, 'passport-proxy');
});
