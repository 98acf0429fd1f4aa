// The carry-in (workshop) flow through the pages: the agent registers a call, the supervisor
// dispatches it, the technician checks in and takes the unit back with a goods receipt
// (客户商品领取收据), starts the repair and writes the repair card (修护卡), the supervisor
// inspects it (验讫), and the agent returns it with the original receipt retrieved: the
// receipt shows 已作废, the goods register has the return date, and the voucher is archived.

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

async function fact(page, label) {
  const term = page.locator('dl.facts dt', { hasText: label }).first();
  return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

test('a unit carried in goes through the workshop and back to the customer', { timeout: 300_000 }, async (t) => {
  let orderPath;
  let receiptNo;

  await t.test('the agent registers the call', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto('/service-orders/new');
    await agent.locator('#phone-lookup input[name=phone]').pressSequentially('北京宏达', { delay: 50 });
    const customer = agent.locator('#intake-form input[name=customer_id]').first();
    await customer.waitFor();
    await customer.check();
    await agent.locator('#intake-form input[name=unit_id]').first().check();
    await agent.fill('#intake-form textarea[name=fault_description]', '浏览器测试：压缩机异响');
    assert.equal((await submit(agent, '#intake-form button[type=submit]')).status(), 303);
    orderPath = new URL(agent.url()).pathname;
    assert.match(orderPath, /^\/service-orders\/\d+$/);
  });

  let technician;
  await t.test('the supervisor dispatches it', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(orderPath);
    const options = await supervisor.locator('#dispatch-form select[name=technician_id] option').evaluateAll((all) => all.map((o) => o.value));
    let dispatched = false;
    for (const value of options) {
      await supervisor.selectOption('#dispatch-form select[name=technician_id]', value);
      if ((await submit(supervisor, '#dispatch-form button[type=submit]')).status() === 303) {
        dispatched = true;
        break;
      }
    }
    assert.ok(dispatched, 'one of the technicians could take the order');
    technician = await fact(supervisor, '技术员');
    assert.ok(TECHNICIANS[technician], `a demo technician took it: ${technician}`);
  });

  await t.test('the technician checks in and carries the unit in with a goods receipt', async () => {
    const tech = await suite.newPage();
    await signIn(tech, TECHNICIANS[technician]);
    await tech.goto(orderPath);
    assert.equal((await submit(tech, '#contact-form button[type=submit]')).status(), 303);
    assert.equal((await submit(tech, 'form.step-form[data-event=check_in] button')).status(), 303);
    assert.match(await text(tech, 'h1 .badge'), /在现场/);
    // Without the item the receipt is refused, naming the field.
    await tech.fill('#carry-in-form input[name=item_description]', '');
    assert.equal((await submit(tech, '#carry-in-form button[type=submit]')).status(), 422);
    assert.ok(await tech.locator('#carry-in-form small.error[data-field="receipt.item_description"]').count() === 1, 'the item is named as missing');
    await tech.fill('#carry-in-form input[name=item_description]', 'KFR-35GW 空调室内机');
    await tech.fill('#carry-in-form input[name=accessories]', '遥控器一个');
    await tech.fill('#carry-in-form input[name=condition]', '外壳有划痕');
    assert.equal((await submit(tech, '#carry-in-form button[type=submit]')).status(), 303);
    assert.match(await text(tech, 'h1 .badge'), /已带回/);
    receiptNo = (await text(tech, '#receipt h2')).match(/SH\d{11}/)?.[0];
    assert.ok(receiptNo, 'the receipt has a number');
    assert.match(await text(tech, '#receipt-status'), /已开具/);

    const print = await suite.newPage();
    await signIn(print, TECHNICIANS[technician]);
    await print.goto(`${orderPath}/receipt/print`);
    assert.match(await text(print, 'h1'), /客户商品领取收据/);
    assert.equal(await text(print, '#receipt-number'), receiptNo);
    assert.match(await text(print, 'body'), /客户签字/);
    await screenshot(print, 'carry-in-receipt');

    assert.equal((await submit(tech, 'form.step-form[data-event=start_repair] button')).status(), 303);
    assert.match(await text(tech, 'h1 .badge'), /维修中/);
    await tech.selectOption('#repair-card-form select[name=kind]', 'labour');
    await tech.fill('#repair-card-form input[name=minutes]', '90');
    await tech.fill('#repair-card-form input[name=note]', '检修压缩机');
    assert.equal((await submit(tech, '#repair-card-form button[type=submit]')).status(), 303);
    await tech.selectOption('#repair-card-form select[name=kind]', 'part');
    await tech.fill('#repair-card-form input[name=part_name]', '启动电容');
    await tech.fill('#repair-card-form input[name=quantity]', '1');
    assert.equal((await submit(tech, '#repair-card-form button[type=submit]')).status(), 303);
    const rows = await tech.locator('#repair-card tbody tr').allInnerTexts();
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows[1], /启动电容/);
    await tech.goto(`${orderPath}/repair-card/print`);
    assert.match(await text(tech, 'h1'), /修护卡/);
    assert.match(await text(tech, '#card-entries'), /启动电容/);
    await screenshot(tech, 'carry-in-repair-card');
    // The workshop reports the repair finished (C.2 REPAIRED) for the supervisor to inspect.
    await tech.goto(orderPath);
    assert.equal((await submit(tech, 'form.step-form[data-event=finish_repair] button')).status(), 303);
    assert.match(await text(tech, 'h1 .badge'), /已修复待验讫/);
  });

  await t.test('the workshop list shows the unit; the supervisor passes the inspection', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto('/workshop');
    assert.match(await text(supervisor, '#workshop'), new RegExp(receiptNo));
    await supervisor.goto(orderPath);
    assert.equal((await submit(supervisor, 'form.step-form[data-event=pass_inspection] button')).status(), 303);
    assert.match(await text(supervisor, 'h1 .badge'), /已验讫/);
  });

  await t.test('the agent returns it with the receipt retrieved; the receipt is void and the voucher archived', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto(orderPath);
    // Neither the receipt nor an approval: refused.
    assert.equal((await submit(agent, '#return-form button[type=submit]')).status(), 422);
    await agent.check('#return-form input[name=receipt_returned]');
    assert.equal((await submit(agent, '#return-form button[type=submit]')).status(), 303);
    assert.match(await text(agent, 'h1 .badge'), /已交还/);
    assert.match(await text(agent, '#receipt-status'), /已作废/);
    await agent.goto('/goods-register');
    const row = agent.locator(`#goods-register tr[data-receipt="${receiptNo}"]`);
    assert.match(await row.innerText(), /已作废/);
    assert.doesNotMatch(await row.locator('td').nth(6).innerText(), /—/, 'the return date is entered');
    await agent.goto(`${orderPath}/receipt/print`);
    assert.match(await text(agent, '#receipt-void'), /已作废/);
    await agent.goto(orderPath);
    assert.equal((await submit(agent, 'form.step-form[data-event=archive] button')).status(), 303);
    assert.match(await text(agent, 'h1 .badge'), /已归档/);
    const steps = (await agent.locator('#timeline li').allInnerTexts()).join('\n');
    for (const step of ['带回维修', '开始维修', '验讫通过', '交还客户', '归档']) {
      assert.ok(steps.includes(step), `the timeline shows ${step}:\n${steps}`);
    }
    await screenshot(agent, 'carry-in-archived');
  });
});
