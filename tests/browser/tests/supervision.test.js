// Supervision: a customer answers a survey card through its one-time link and the
// technician's monthly scorecard shows the rating; a mystery-shopper report filed by the
// hotline does not exist for a service supervisor; an employee's suggestion is answered and
// rewarded by the customer department.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { screenshot, signIn, startSuite, submit, text } from '../lib/browser.js';

let suite;
before(async () => {
  suite = await startSuite();
}, { timeout: 120_000 });
after(async () => {
  await suite?.close();
}, { timeout: 60_000 });

const phone = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function pageWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** The technician's scorecard row for a month: answered cards and the attitude average. */
async function scorecard(page, technician, month) {
  await page.goto(`/performance?month=${month}`);
  const row = page.locator('#technician-scorecard tbody tr', { hasText: technician }).first();
  const cards = (await row.locator('td[data-label="调查卡（回复/发出）"]').innerText()).trim();
  return {
    answered: Number(cards.split('/')[0].trim()),
    attitude: (await row.locator('td[data-aspect="attitude"]').innerText()).trim(),
    average: (await row.locator('td[data-field="average"]').innerText()).trim(),
  };
}

test('a survey answered through its link shows on the technician\'s scorecard', { timeout: 180_000 }, async () => {
  const staff = await suite.newPage();
  await signIn(staff, 'kefu');
  await staff.goto('/survey-cards?status=sent');
  const rows = staff.locator('#survey-cards tbody tr');
  let technician = null;
  let month = null;
  let index = -1;
  for (let i = 0; i < (await rows.count()); i += 1) {
    const name = (await rows.nth(i).locator('td[data-label="技术员"]').innerText()).trim();
    if (name !== '—') {
      technician = name;
      month = (await rows.nth(i).locator('td[data-label="服务日期"]').innerText()).trim().slice(0, 7);
      index = i;
      break;
    }
  }
  assert.ok(technician, 'the demo has an unanswered card with a technician');
  assert.match(month, /^\d{4}-\d{2}$/);
  const before = await scorecard(staff, technician, month);

  await staff.goto('/survey-cards?status=sent');
  await Promise.all([
    staff.waitForURL(/\/survey-cards\/\d+$/),
    staff.locator('#survey-cards tbody tr').nth(index).locator('td[data-label="服务日期"] a').click(),
  ]);
  const issued = await submit(staff, '#issue-link');
  assert.equal(issued.status(), 200);
  const link = await staff.locator('#issued-link').getAttribute('href');

  const customer = await suite.newPage(phone);
  await customer.goto(link);
  await customer.check('input[name=attitude][value="4"]');
  await customer.check('input[name=technique][value="4"]');
  await customer.check('input[name=arrival][value="4"]');
  await customer.check('input[name=promise][value="4"]');
  await Promise.all([customer.waitForURL(/\/s\/thanks$/), customer.click('#survey-form button[type=submit]')]);

  const afterAnswer = await scorecard(staff, technician, month);
  assert.equal(afterAnswer.answered, before.answered + 1, 'one more answered card on the scorecard');
  assert.notEqual(afterAnswer.attitude, '—');
  assert.notEqual(afterAnswer.average, '—');
  // The chart draws the technician's rating as an SVG bar.
  const bar = staff.locator(`#chart-rating g[data-label="${technician}"]`).first();
  assert.notEqual(await bar.getAttribute('data-value'), '—');
  assert.ok(Number(await bar.locator('rect').getAttribute('width')) > 0);
  await screenshot(staff, 'technician-scorecard', { fullPage: true });

  // The department scorecard renders its charts too; both fit a phone.
  const small = await suite.newPage(phone);
  await signIn(small, 'kefu');
  await small.goto(`/performance/departments?month=${month}`);
  assert.equal(await text(small, 'h1'), '部门考核表');
  assert.ok(await small.locator('#chart-types svg').isVisible());
  assert.ok((await pageWidth(small)) <= 375, 'the department scorecard fits a phone');
  await small.goto(`/performance?month=${month}`);
  assert.ok((await pageWidth(small)) <= 375, 'the technician scorecard fits a phone');
});

test('a mystery-shopper report filed by the hotline is invisible to a service supervisor', { timeout: 120_000 }, async () => {
  const hotline = await suite.newPage(phone);
  await signIn(hotline, 'hotline');
  await hotline.goto('/mystery-shopper-reports');
  assert.equal(await text(hotline, 'h1'), '秘密监察报告');
  await hotline.fill('#mystery-form input[name=shopper_name]', '暗访员甲');
  await hotline.selectOption('#mystery-form select[name=score]', '2');
  await hotline.fill('#mystery-form textarea[name=findings]', '接待员未主动登记来电');
  await Promise.all([hotline.waitForURL(/\/mystery-shopper-reports$/), hotline.click('#mystery-form button[type=submit]')]);
  const row = hotline.locator('#mystery-reports tbody tr', { hasText: '暗访员甲' });
  assert.equal(await row.count(), 1);
  assert.ok((await pageWidth(hotline)) <= 375, 'the report page fits a phone');

  const supervisor = await suite.newPage();
  await signIn(supervisor, 'bj_zhuren');
  assert.equal(await supervisor.locator('a[href="/mystery-shopper-reports"]').count(), 0, 'no menu entry');
  const response = await supervisor.goto('/mystery-shopper-reports');
  assert.equal(response.status(), 404);
  assert.ok(!(await supervisor.content()).includes('暗访员甲'));
  const api = await supervisor.request.get('/api/v1/mystery-shopper-reports');
  assert.equal(api.status(), 404);
});

test('an employee submits a suggestion and the customer department answers and rewards it', { timeout: 120_000 }, async () => {
  const title = `车载备件清单电子化 ${Date.now()}`;
  const technician = await suite.newPage(phone);
  await signIn(technician, 'bj_jishu1');
  await technician.goto('/suggestions');
  await technician.fill('#suggestion-form input[name=title]', title);
  await technician.fill('#suggestion-form textarea[name=content]', '用手机核对车载备件，减少漏带');
  await Promise.all([technician.waitForURL(/\/suggestions$/), technician.click('#suggestion-form button[type=submit]')]);
  const own = technician.locator('#suggestions tbody tr', { hasText: title });
  assert.equal(await own.locator('td[data-field="status"]').innerText(), '待答复');

  const kefu = await suite.newPage();
  await signIn(kefu, 'kefu');
  await kefu.goto('/suggestions');
  const row = () => kefu.locator('#suggestions tbody tr', { hasText: title });
  await row().locator('textarea[name=answer]').fill('已采纳，下月起试行');
  await Promise.all([kefu.waitForURL(/\/suggestions$/), row().locator('.answer-form button[type=submit]').click()]);
  assert.equal((await row().locator('td[data-field="status"]').innerText()).trim(), '已答复');
  await row().locator('input[name=amount_yuan]').fill('200');
  await row().locator('input[name=description]').fill('合理化建议奖');
  await Promise.all([kefu.waitForURL(/\/suggestions$/), row().locator('.reward-form button[type=submit]').click()]);
  assert.equal((await row().locator('td[data-field="status"]').innerText()).trim(), '已奖励');
  assert.match(await row().innerText(), /200\.00/);

  await technician.goto('/suggestions');
  const rewarded = technician.locator('#suggestions tbody tr', { hasText: title });
  assert.equal((await rewarded.locator('td[data-field="status"]').innerText()).trim(), '已奖励');
  assert.ok((await pageWidth(technician)) <= 375, 'the suggestions page fits a phone');
  await screenshot(technician, 'suggestion-rewarded-375', { fullPage: true });
});

test('the administrator changes the routing rule of a complaint type and returns it to the defaults', { timeout: 120_000 }, async () => {
  const admin = await suite.newPage();
  await signIn(admin, 'admin');
  await admin.goto('/complaints');
  await Promise.all([admin.waitForURL(/\/complaint-routing$/), admin.click('#complaint-routing')]);
  assert.equal(await text(admin, 'h1'), '投诉分派规则');
  const row = () => admin.locator('#routing-rules tr[data-type="other"]');
  await row().locator('input[value="rnd"]').check();
  await Promise.all([admin.waitForURL(/\/complaint-routing$/), row().locator('button[type=submit]').click()]);
  assert.ok(await row().locator('input[value="rnd"]').isChecked(), 'the rule keeps R&D');
  assert.doesNotMatch(await row().innerText(), /未配置/);
  // Unticking every department returns to the defaults.
  const ticked = row().locator('input[type=checkbox]:checked');
  while ((await ticked.count()) > 0) await ticked.first().uncheck();
  await Promise.all([admin.waitForURL(/\/complaint-routing$/), row().locator('button[type=submit]').click()]);
  assert.match(await row().innerText(), /未配置/);
  assert.ok(!(await row().locator('input[value="rnd"]').isChecked()));
});
