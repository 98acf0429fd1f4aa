// Help on an order besides the technician's own work: the carry list after dispatch, a
// lateness notice before the arrival deadline, a technical support request that the
// supervisor gives to an expert who answers on the voucher, and the development lead's
// decision on a software requirement sent to the customer. Also a supervisor reporting an
// unexplained on-call miss, which opens an incident.

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

const TECHNICIANS = { 郑磊: 'bj_jishu1', 冯涛: 'bj_jishu2', 褚明: 'bj_jishu3', 卫东: 'bj_jishu4' };

async function fact(page, label) {
  const term = page.locator('dl.facts dt', { hasText: label }).first();
  return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

/** The agent registers a call for the first matching customer's first unit; answers its path. */
async function registerCall(extra = async () => {}) {
  const agent = await suite.newPage();
  await signIn(agent, 'bj_jiedai');
  await agent.goto('/service-orders/new');
  await agent.locator('#phone-lookup input[name=phone]').pressSequentially('北京宏达', { delay: 50 });
  const customer = agent.locator('#intake-form input[name=customer_id]').first();
  await customer.waitFor();
  await customer.check();
  await agent.locator('#intake-form input[name=unit_id]').first().check();
  await agent.fill('#intake-form textarea[name=fault_description]', '浏览器测试：压缩机异响');
  await extra(agent);
  const response = await submit(agent, '#intake-form button[type=submit]');
  assert.equal(response.status(), 303, 'the call was registered');
  return new URL(agent.url()).pathname;
}

test('a technician asks for help and the supervisor brings in an expert', { timeout: 240_000 }, async (t) => {
  const orderPath = await registerCall(async (agent) => {
    await agent.fill('#intake-form input[name=requested_arrival_at]', '2030-01-02T10:00');
  });
  let technician;

  await t.test('the supervisor dispatches; the customer-set arrival time is the deadline', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(orderPath);
    assert.match(await text(supervisor, '#requested-arrival'), /2030-01-02 10:00/);
    const options = await supervisor.locator('#dispatch-form select[name=technician_id] option').evaluateAll((all) => all.map((o) => o.value));
    for (const value of options) {
      await supervisor.selectOption('#dispatch-form select[name=technician_id]', value);
      const response = await submit(supervisor, '#dispatch-form button[type=submit]');
      if (response.status() === 303) break;
    }
    technician = await fact(supervisor, '技术员');
    assert.ok(TECHNICIANS[technician], `dispatched to a demo technician: ${technician}`);
    const arrival = supervisor.locator('#clocks tr[data-clock=arrival]');
    assert.equal(await arrival.locator('[data-customer-requested]').count(), 1, 'the arrival clock follows the customer');
  });

  await t.test('on a phone the technician sees the carry list, reports lateness and asks for support', async () => {
    const phone = await suite.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signIn(phone, TECHNICIANS[technician]);
    await phone.goto(orderPath);
    await phone.locator('#carry-list').waitFor();
    // The demo technicians each hold two tools (TOOLS-1): the list reminds them to bring them.
    assert.match(await text(phone, '#carry-tools'), /、/);
    await phone.fill('#lateness-form input[name=reason]', '上一单超时，预计晚到半小时');
    assert.equal((await submit(phone, '#lateness-form button[type=submit]')).status(), 303);
    assert.match(await text(phone, '#timeline'), /报告迟到：上一单超时/);
    await phone.selectOption('#task-form select[name=kind]', 'support');
    await phone.fill('#task-form textarea[name=description]', '压缩机异响，原因不明，请求技术支援');
    assert.equal((await submit(phone, '#task-form button[type=submit]')).status(), 303);
    assert.match(await text(phone, '#tasks li[data-task=support]'), /处理中/);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no sideways scrolling on a phone (${width}px)`);
    await screenshot(phone, 'order-help-phone');
  });

  await t.test('the supervisor names an expert who answers, and the voucher shows it', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto('/order-tasks');
    await Promise.all([supervisor.waitForURL(`**${orderPath}**`), supervisor.click(`#waiting-tasks a[href^="${orderPath}"]`)]);
    const task = supervisor.locator('#tasks li[data-task=support]');
    const expert = Object.keys(TECHNICIANS).find((name) => name !== technician);
    await task.locator('.assign-form select[name=assignee_id]').selectOption({ label: expert });
    assert.equal((await submit(supervisor, '#tasks li[data-task=support] .assign-form button[type=submit]')).status(), 303);
    assert.match(await text(supervisor, '#tasks li[data-task=support]'), new RegExp(expert));

    const helper = await suite.newPage();
    await signIn(helper, TECHNICIANS[expert]);
    await helper.goto('/order-tasks');
    assert.match(await text(helper, '#waiting-tasks'), /技术支援/);
    await helper.goto(orderPath);
    await helper.fill('#tasks li[data-task=support] .close-form input[name=outcome]', '减震垫老化，更换即可');
    assert.equal((await submit(helper, '#tasks li[data-task=support] .close-form button[type=submit]')).status(), 303);
    assert.match(await text(helper, '#tasks li[data-task=support]'), /已完成/);
    assert.match(await text(helper, '#timeline'), /协助完成：support: 减震垫老化/);
  });
});

test('the development lead decides a software requirement', { timeout: 120_000 }, async () => {
  const agent = await suite.newPage();
  await signIn(agent, 'bj_jiedai');
  await agent.goto('/service-orders/new');
  await agent.locator('#phone-lookup input[name=phone]').pressSequentially('北京宏达', { delay: 50 });
  const customer = agent.locator('#intake-form input[name=customer_id]').first();
  await customer.waitFor();
  await customer.check();
  await agent.locator('#intake-form input[name=unit_id]').first().check();
  await agent.fill('#intake-form textarea[name=fault_description]', '希望报表按区域汇总');
  await agent.selectOption('#intake-form select[name=fault_class]', 'software');
  await agent.selectOption('#intake-form select[name=software_class]', 'requirement');
  assert.equal((await submit(agent, '#intake-form button[type=submit]')).status(), 303);
  const orderPath = new URL(agent.url()).pathname;
  assert.match(await text(agent, '#requirement'), /等待研发负责人评估/);

  const lead = await suite.newPage();
  await signIn(lead, 'yanfa');
  await lead.goto(orderPath);
  await lead.check('#requirement-form input[name=general_use]');
  await lead.check('#requirement-form input[name=fits_positioning]');
  await lead.fill('#requirement-form input[name=effort_hours]', '16');
  await lead.selectOption('#requirement-form select[name=accepted]', 'yes');
  await lead.fill('#requirement-form input[name=charge_yuan]', '2000');
  // Accepted without a date: refused with the field named.
  assert.equal((await submit(lead, '#requirement-form button[type=submit]')).status(), 422);
  await lead.fill('#requirement-form input[name=planned_on]', '2030-01-20');
  await lead.fill('#requirement-form textarea[name=approach]', '报表中心增加区域维度');
  assert.equal((await submit(lead, '#requirement-form button[type=submit]')).status(), 303);
  assert.match(await text(lead, '#requirement-decision'), /予以实现/);
  await screenshot(lead, 'requirement-decision');
});

test('an unexplained on-call miss opens an incident', { timeout: 60_000 }, async () => {
  const supervisor = await suite.newPage();
  await signIn(supervisor, 'bj_zhuren');
  await supervisor.goto('/on-call-misses');
  await supervisor.locator('#on-call-form select[name=staff_id]').selectOption({ index: 0 });
  const yesterday = new Date(Date.now() - 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
  await supervisor.fill('#on-call-form input[name=at]', `${yesterday}T10:15`);
  assert.equal((await submit(supervisor, '#on-call-form button[type=submit]')).status(), 303);
  assert.match(await text(supervisor, '#on-call-outcome'), /已建立违纪记录/);
  await supervisor.fill('#on-call-form input[name=at]', `${yesterday}T23:15`);
  assert.equal((await submit(supervisor, '#on-call-form button[type=submit]')).status(), 422);
  assert.match(await text(supervisor, '#on-call-form'), /不在待命时段内/);
});
