// The whole on-site flow of a service order, as the people who do it: the agent registers a
// call found by the customer's name, the supervisor dispatches it to a certified technician,
// the technician works it on a phone and the customer signs on the screen, and the agent
// archives the voucher.

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

/** Demo technicians by display name. */
const TECHNICIANS = { 郑磊: 'bj_jishu1', 冯涛: 'bj_jishu2', 褚明: 'bj_jishu3', 卫东: 'bj_jishu4' };

/** The fact shown next to `label` on the order page. */
async function fact(page, label) {
  const term = page.locator('dl.facts dt', { hasText: label }).first();
  return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

test('an order goes from the call register to the archived voucher', { timeout: 240_000 }, async (t) => {
  let orderPath;

  await t.test('the agent finds the customer as they type and registers the call', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto('/service-orders/new');
    await agent.locator('#phone-lookup input[name=phone]').pressSequentially('北京宏达', { delay: 50 });
    const customer = agent.locator('#intake-form input[name=customer_id]').first();
    await customer.waitFor();
    await customer.check();
    await agent.locator('#intake-form input[name=unit_id]').first().check();
    await agent.fill('#intake-form textarea[name=fault_description]', '浏览器测试：开机后不制冷');
    const response = await submit(agent, '#intake-form button[type=submit]');
    assert.equal(response.status(), 303, 'the call was registered');
    orderPath = new URL(agent.url()).pathname;
    assert.match(orderPath, /^\/service-orders\/\d+$/);
    assert.match(await text(agent, 'h1'), /服务凭证 BJ\d{12}/);
    assert.match(await text(agent, 'h1 .badge'), /已登记/);
    await screenshot(agent, 'order-registered');
  });

  let technician;
  await t.test('the supervisor dispatches it to a technician certified for the product', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(orderPath);
    const options = await supervisor.locator('#dispatch-form select[name=technician_id] option').evaluateAll((all) => all.map((o) => o.value));
    assert.ok(options.length >= 2, 'the branch has technicians to choose from');
    // Technicians without a certificate for the product's category are refused with the
    // reason; the supervisor tries the next one.
    let dispatched = false;
    for (const value of options) {
      await supervisor.selectOption('#dispatch-form select[name=technician_id]', value);
      const response = await submit(supervisor, '#dispatch-form button[type=submit]');
      if (response.status() === 303) {
        dispatched = true;
        break;
      }
      assert.equal(response.status(), 422);
      assert.match(await text(supervisor, '#dispatch-form small.error'), /上岗证|技术员/);
    }
    assert.ok(dispatched, 'one of the technicians could take the order');
    assert.match(await text(supervisor, 'h1 .badge'), /已派工/);
    technician = await fact(supervisor, '技术员');
    assert.ok(TECHNICIANS[technician], `a demo technician took it: ${technician}`);
  });

  await t.test('the technician contacts the customer, checks in and completes with a signature on a phone', async () => {
    const phone = await suite.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signIn(phone, TECHNICIANS[technician]);
    await phone.goto('/my-jobs');
    await Promise.all([phone.waitForURL(`**${orderPath}`), phone.click(`#jobs a[href="${orderPath}"]`)]);
    assert.equal((await submit(phone, '#contact-form button[type=submit]')).status(), 303);
    assert.match(await text(phone, 'h1 .badge'), /已联系/);
    // The customer asks to come later: waiting pauses the clocks, resuming goes back.
    await phone.fill('form.step-form[data-event=await_customer] input[name=note]', '客户临时外出，一小时后回来');
    assert.equal((await submit(phone, 'form.step-form[data-event=await_customer] button')).status(), 303);
    assert.match(await text(phone, 'h1 .badge'), /等待客户/);
    assert.equal(await phone.locator('#clocks tr[data-clock=arrival]').getAttribute('data-status'), 'paused');
    assert.equal((await submit(phone, 'form.step-form[data-event=resume] button')).status(), 303);
    assert.match(await text(phone, 'h1 .badge'), /已联系/);
    assert.notEqual(await phone.locator('#clocks tr[data-clock=arrival]').getAttribute('data-status'), 'paused');
    assert.equal((await submit(phone, 'form.step-form[data-event=check_in] button')).status(), 303);
    assert.match(await text(phone, 'h1 .badge'), /在现场/);

    await phone.fill('#complete-form textarea[name=note]', '更换启动电容，试机制冷正常');
    const pad = phone.locator('#complete-form canvas.signature-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await phone.mouse.move(box.x + 20, box.y + 60);
    await phone.mouse.down();
    for (const [dx, dy] of [[60, 20], [120, 80], [180, 30], [240, 90]]) {
      await phone.mouse.move(box.x + dx, box.y + dy, { steps: 5 });
    }
    await phone.mouse.up();
    // The customer confirms the conduct rules item by item; one is left unticked.
    await phone.uncheck('#conduct-checklist input[value=waste_removed]');
    await screenshot(phone, 'order-signature', { fullPage: false });
    assert.equal((await submit(phone, '#complete-form button[type=submit]')).status(), 303);
    assert.match(await text(phone, 'h1 .badge'), /现场完工/);
    assert.match(await text(phone, '#conduct'), /客户未确认.*清理并带走废料/);
    const files = await phone.locator('section.card li a', { hasText: 'signature-' }).count();
    assert.equal(files, 1, 'the drawn signature is filed with the order');
    assert.ok((await phone.locator('body').evaluate((b) => document.documentElement.scrollWidth)) <= 375, 'no sideways scrolling on the phone');
  });

  await t.test('the agent archives the signed voucher and the timeline shows every step', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto(orderPath);
    assert.equal((await submit(agent, 'form.step-form[data-event=archive] button')).status(), 303);
    assert.match(await text(agent, 'h1 .badge'), /已归档/);
    const steps = (await agent.locator('#timeline li').allInnerTexts()).join('\n');
    for (const step of ['登记', '派工', '已联系客户', '等待客户', '恢复处理', '到达签到', '现场完工', '归档']) {
      assert.ok(steps.includes(step), `the timeline shows ${step}:\n${steps}`);
    }
    assert.equal(await agent.locator('#steps').count(), 0, 'an archived voucher offers no further step');
    await screenshot(agent, 'order-archived');
  });
});
