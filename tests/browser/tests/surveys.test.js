// Opinion surveys: the customer department issues a one-time link for a survey card, the
// customer answers it on a phone without signing in, and the rating shows in the monthly
// survey report of the technician who served.

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

/** The technician's row of the report: its answered count and attitude average. */
async function reportRow(page, technician) {
  await page.goto('/surveys/report');
  const row = page.locator('#report-technicians tbody tr', { hasText: technician }).first();
  return {
    answered: Number((await row.locator('td[data-label="已回复"]').innerText()).trim()),
    attitude: (await row.locator('td[data-aspect="attitude"]').innerText()).trim(),
  };
}

test('a customer answers a survey card on a phone through its one-time link and the rating shows in the report', { timeout: 180_000 }, async () => {
  const staff = await suite.newPage(phone);
  await signIn(staff, 'kefu');

  // An unanswered card of a dispatched order (the technician column is filled).
  await staff.goto('/survey-cards?status=sent');
  assert.equal(await text(staff, 'h1'), '客户意见调查卡');
  const rows = staff.locator('#survey-cards tbody tr');
  let technician = null;
  let cardLink = null;
  for (let i = 0; i < (await rows.count()); i += 1) {
    const name = (await rows.nth(i).locator('td[data-label="技术员"]').innerText()).trim();
    if (name !== '—') {
      technician = name;
      cardLink = rows.nth(i).locator('td[data-label="服务日期"] a');
      break;
    }
  }
  assert.ok(technician, 'the demo has an unanswered card with a technician');
  assert.ok((await pageWidth(staff)) <= 375, 'the card list fits a phone');
  const before = await reportRow(staff, technician);

  await staff.goto('/survey-cards?status=sent');
  await Promise.all([staff.waitForURL(/\/survey-cards\/\d+$/), staff.locator('#survey-cards tbody tr', { hasText: technician }).first().locator('td[data-label="服务日期"] a').click()]);
  const cardUrl = staff.url();
  assert.equal(await text(staff, '#survey-status'), '待回复');
  const issued = await submit(staff, '#issue-link');
  assert.equal(issued.status(), 200);
  const link = await staff.locator('#issued-link').getAttribute('href');
  assert.match(link, /^\/s\/[0-9a-f]{64}$/);

  // The customer: no sign-in, a phone-sized page.
  const customer = await suite.newPage(phone);
  await customer.goto(link);
  assert.equal(await text(customer, 'h1'), '客户意见调查卡');
  assert.ok((await pageWidth(customer)) <= 375, 'the answer page fits a 375 px phone');
  await customer.check('input[name=attitude][value="4"]');
  await customer.check('input[name=technique][value="3"]');
  await customer.check('input[name=arrival][value="4"]');
  await customer.check('input[name=promise][value="4"]');
  await customer.fill('textarea[name=remark]', '师傅很专业，希望周末也能上门');
  await screenshot(customer, 'survey-answer-375', { fullPage: true });
  await Promise.all([customer.waitForURL(/\/s\/thanks$/), customer.click('#survey-form button[type=submit]')]);
  assert.equal(await text(customer, '#survey-thanks h1'), '感谢您的评价');
  // The link works once.
  await customer.goto(link);
  assert.ok(await customer.locator('#survey-answered').isVisible(), 'an answered link says so');
  assert.equal(await customer.locator('#survey-form').count(), 0);

  // The customer department sees the answer and the technician's monthly rating.
  await staff.goto(cardUrl);
  assert.equal(await text(staff, '#survey-status'), '已回复');
  assert.equal(await text(staff, '#survey-ratings dd[data-aspect="attitude"]'), '很满意');
  assert.equal(await text(staff, '#survey-ratings dd[data-aspect="technique"]'), '满意');
  const afterAnswer = await reportRow(staff, technician);
  assert.equal(afterAnswer.answered, before.answered + 1, 'one more answered card for the technician');
  assert.notEqual(afterAnswer.attitude, '—');
  await screenshot(staff, 'survey-report', { fullPage: true });
});

test('the branch manager decides an open discipline incident on a phone', { timeout: 120_000 }, async () => {
  const page = await suite.newPage(phone);
  await signIn(page, 'bj_jingli');
  await page.goto('/discipline-incidents?status=open');
  assert.equal(await text(page, 'h1'), '违纪事件');
  const row = page.locator('#incidents tbody tr[data-id]').first();
  const id = await row.getAttribute('data-id');
  await row.locator('select[name=sanction]').selectOption('warning');
  await row.locator('input[name=note]').fill('首次违规，予以警告');
  await Promise.all([page.waitForURL(/\/discipline-incidents$/), row.locator('button[type=submit]').click()]);
  const decided = page.locator(`#incidents tbody tr[data-id="${id}"]`);
  assert.match(await decided.locator('td[data-label="状态"]').innerText(), /已批准/);
  assert.match(await decided.locator('td[data-label="处理"]').innerText(), /警告/);
  assert.ok((await pageWidth(page)) <= 375, 'the incident list fits a phone');
});
