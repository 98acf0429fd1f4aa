// Spare parts and loaners through the pages: a repair uses a part from the technician's van;
// a part the van lacks is refused with the shortfall, the page shows where it is, and the
// supervisor transfers it from the branch store in one action; the faulty part goes back; a
// loaner is lent while the unit is in the workshop and must come back before the handover;
// and a stock count with a difference is posted after the supervisor approves it.

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
/** In every Beijing technician's van (demo data). */
const VAN_PART = 'KT-RQ-01';
/** In the Beijing branch store but in no van. */
const BRANCH_PART = 'KT-ZB-01';

async function fact(page, label) {
  const term = page.locator('dl.facts dt', { hasText: label }).first();
  return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

/** The value of the option of `select` whose text starts with `prefix`. */
async function optionValue(page, select, prefix) {
  const options = await page.locator(`${select} option`).evaluateAll((all) => all.map((o) => [o.value, o.textContent.trim()]));
  const found = options.find(([, label]) => label.startsWith(prefix));
  assert.ok(found, `an option starting with ${prefix}`);
  return found[0];
}

async function used(page, partNumber) {
  return Number(await text(page, `#parts-used tr[data-part="${partNumber}"] .used`));
}

test('a repair draws on the van, a shortfall is transferred in, a loaner goes out and back, and a count is posted', { timeout: 300_000 }, async (t) => {
  let orderPath;
  let partsPath;
  let technician;

  await t.test('a call is registered, dispatched and the technician is on site', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto('/service-orders/new');
    await agent.locator('#phone-lookup input[name=phone]').pressSequentially('北京宏达', { delay: 50 });
    const customer = agent.locator('#intake-form input[name=customer_id]').first();
    await customer.waitFor();
    await customer.check();
    await agent.locator('#intake-form input[name=unit_id]').first().check();
    await agent.fill('#intake-form textarea[name=fault_description]', '浏览器测试：不制冷，需换件');
    assert.equal((await submit(agent, '#intake-form button[type=submit]')).status(), 303);
    orderPath = new URL(agent.url()).pathname;
    partsPath = `${orderPath}/parts`;

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
    technician = TECHNICIANS[await fact(supervisor, '技术员')];
    assert.ok(technician, 'a Beijing demo technician took it');

    const tech = await suite.newPage();
    await signIn(tech, technician);
    await tech.goto(orderPath);
    assert.equal((await submit(tech, '#contact-form button[type=submit]')).status(), 303);
    assert.equal((await submit(tech, 'form.step-form[data-event=check_in] button')).status(), 303);
    assert.match(await text(tech, 'h1 .badge'), /在现场/);
  });

  await t.test('the technician fits a part from the van', async () => {
    const tech = await suite.newPage();
    await signIn(tech, technician);
    await tech.goto(orderPath);
    // The order page loads its parts section and links to the parts page.
    await tech.locator('#order-parts-link').click();
    await tech.waitForURL(`**${partsPath}`);
    const before = Number(await text(tech, `#van-stock tr[data-part="${VAN_PART}"] .on-hand`));
    await tech.selectOption('#issue-form select[name=part_id]', await optionValue(tech, '#issue-form select[name=part_id]', VAN_PART));
    assert.equal((await submit(tech, '#issue-part')).status(), 303);
    assert.equal(await used(tech, VAN_PART), 1);
    assert.equal(Number(await text(tech, `#van-stock tr[data-part="${VAN_PART}"] .on-hand`)), before - 1);
    await tech.goto(orderPath);
    assert.match(await text(tech, '#parts'), new RegExp(VAN_PART));
  });

  await t.test('a part not in the van is refused with the shortfall; the supervisor transfers it from the branch', async () => {
    const tech = await suite.newPage();
    await signIn(tech, technician);
    await tech.goto(partsPath);
    const branchPart = await optionValue(tech, '#issue-form select[name=part_id]', BRANCH_PART);
    await tech.selectOption('#issue-form select[name=part_id]', branchPart);
    assert.equal((await submit(tech, '#issue-part')).status(), 422);
    assert.match(await text(tech, 'p.alert'), /库存不足/);
    assert.match(await text(tech, '#availability'), /北京分公司备件库/);
    assert.equal(await tech.locator('#availability button.transfer-to-van').count(), 0, 'the technician cannot fill the van');

    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(`${partsPath}?part_id=${branchPart}`);
    const row = supervisor.locator('#availability tr[data-location="北京分公司备件库"]');
    const inBranch = Number((await row.locator('td').nth(1).innerText()).match(/\d+/)[0]);
    assert.equal((await submit(supervisor, '#availability tr[data-location="北京分公司备件库"] button.transfer-to-van')).status(), 303);
    assert.match(await text(supervisor, '#availability tr[data-location="北京分公司备件库"]'), new RegExp(`${inBranch - 1}`));
    await screenshot(supervisor, 'parts-availability');

    await tech.goto(partsPath);
    await tech.selectOption('#issue-form select[name=part_id]', branchPart);
    assert.equal((await submit(tech, '#issue-part')).status(), 303);
    assert.equal(await used(tech, BRANCH_PART), 1);
    // The faulty board replaced goes back to the warehouse.
    assert.equal((await submit(tech, `#parts-used tr[data-part="${BRANCH_PART}"] button.return-faulty`)).status(), 303);
    assert.equal(Number(await text(tech, `#parts-used tr[data-part="${BRANCH_PART}"] .faulty`)), 1);
    await screenshot(tech, 'parts-order');
  });

  await t.test('a loaner goes out while the unit is in the workshop and must come back first', async () => {
    const tech = await suite.newPage();
    await signIn(tech, technician);
    await tech.goto(orderPath);
    await tech.fill('#carry-in-form input[name=item_description]', 'KFR-35GW 空调室内机');
    assert.equal((await submit(tech, '#carry-in-form button[type=submit]')).status(), 303);
    assert.match(await text(tech, 'h1 .badge'), /已带回/);

    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto(partsPath);
    assert.equal((await submit(agent, '#order-loaners form.lend-form[data-loaner="TB-BJ-01"] button')).status(), 303);
    assert.match(await text(agent, '#order-loaners p[data-loaner="TB-BJ-01"] .loaner-status'), /已借出/);
    await agent.goto('/loaners');
    assert.match(await text(agent, '#loaners-table tr[data-loaner="TB-BJ-01"]'), /已借出/);

    assert.equal((await submit(tech, 'form.step-form[data-event=start_repair] button')).status(), 303);
    assert.equal((await submit(tech, 'form.step-form[data-event=finish_repair] button')).status(), 303);
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(orderPath);
    assert.equal((await submit(supervisor, 'form.step-form[data-event=pass_inspection] button')).status(), 303);

    await agent.goto(orderPath);
    await agent.check('#return-form input[name=receipt_returned]');
    assert.equal((await submit(agent, '#return-form button[type=submit]')).status(), 422);
    assert.match(await text(agent, 'main'), /替补商品尚未收回/);
    await agent.goto(partsPath);
    assert.equal((await submit(agent, '#recall-loaner')).status(), 303);
    // Back in the pool: it may be lent again.
    assert.equal(await agent.locator('#order-loaners form.lend-form[data-loaner="TB-BJ-01"]').count(), 1);
    await agent.goto(orderPath);
    await agent.check('#return-form input[name=receipt_returned]');
    assert.equal((await submit(agent, '#return-form button[type=submit]')).status(), 303);
    assert.match(await text(agent, 'h1 .badge'), /已交还/);
    await agent.goto('/loaners');
    const history = await text(agent, '#loaners-table tr[data-loaner="TB-BJ-01"]');
    assert.match(history, /借出/);
    assert.match(history, /收回/);
  });

  await t.test('a count with a difference is posted after the supervisor approves it', async () => {
    const keeper = await suite.newPage();
    await signIn(keeper, 'bj_kuguan');
    await keeper.goto('/stock-counts');
    await keeper.selectOption('#count-form select[name=location_id]', { label: '北京分公司备件库' });
    await keeper.selectOption('#count-form select[name=scope]', 'full');
    assert.equal((await submit(keeper, '#count-form button[type=submit]')).status(), 303);
    const countPath = new URL(keeper.url()).pathname;
    const rows = keeper.locator('#count-entry-form tbody tr');
    const n = await rows.count();
    assert.ok(n >= 10, `the sheet lists the branch's parts (${n})`);
    let book = 0;
    for (let i = 0; i < n; i += 1) {
      const row = rows.nth(i);
      const quantity = Number(await row.locator('td').nth(2).innerText());
      const part = await row.getAttribute('data-part');
      if (part === 'KT-YK-01') book = quantity;
      await row.locator('input').fill(String(part === 'KT-YK-01' ? quantity - 1 : quantity));
    }
    assert.ok(book > 0, 'remote controls are on the sheet');
    assert.equal((await submit(keeper, '#submit-count')).status(), 303);
    assert.match(await text(keeper, '#count-status'), /待审批/);
    assert.equal(await text(keeper, '#count-entry-form tr[data-part="KT-YK-01"] .difference'), '-1');

    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(countPath);
    // A difference needs its reason.
    assert.equal((await submit(supervisor, '#approve-count')).status(), 422);
    await supervisor.fill('#count-decision-form input[name=reason]', '遥控器一个损坏未登记');
    assert.equal((await submit(supervisor, '#approve-count')).status(), 303);
    assert.match(await text(supervisor, '#count-status'), /已批准/);

    await keeper.goto('/stock');
    await keeper.selectOption('form[action="/stock"] select[name=location_id]', { label: '北京分公司备件库' });
    await Promise.all([keeper.waitForNavigation(), keeper.click('form[action="/stock"] button[type=submit]')]);
    assert.match(await text(keeper, '#stock-table tr[data-part="KT-YK-01"] .on-hand'), new RegExp(`^${book - 1}\\b`));
    assert.match(await text(keeper, 'main'), /盘点调整/);
    await screenshot(keeper, 'parts-stock');
  });
});
