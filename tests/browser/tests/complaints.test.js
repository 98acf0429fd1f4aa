// A complaint through the pages: the agent registers it on the complaint handling form
// (客户抱怨处理表), the customer department names the supervisor as handler, routes it to the
// departments and answers the customer within 24 hours, the departments' findings are
// entered, the case is decided, improved and confirmed; closing is refused until the
// handler has visited the customer in person, then closes. In the monthly review the case
// gets a bonus deduction, the reward/penalty notice (奖罚通知单) is drafted, the general
// manager approves it and it prints in three copies (自存 / 会计查核 / 罚扣部门).

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

/** Today in Asia/Shanghai (the server's zone), as yyyy-mm-dd. */
function shanghaiDay(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

test('a complaint is registered, handled, closed and reviewed into a GM-approved notice', { timeout: 300_000 }, async (t) => {
  let complaintPath;
  let number;

  await t.test('the agent registers the complaint; a missing content is named', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto('/complaints');
    await agent.click('#new-complaint');
    await agent.selectOption('#complaint-form select[name=complaint_type]', 'product_quality');
    await agent.fill('#complaint-form input[name=customer_name]', '浏览器测试客户');
    await agent.fill('#complaint-form input[name=contact_phone]', '13812345678');
    assert.equal((await submit(agent, '#complaint-form button[type=submit]')).status(), 422);
    assert.equal(await agent.locator('#complaint-form small.error[data-field=content]').count(), 1);
    await agent.fill('#complaint-form textarea[name=content]', '浏览器测试：新空调噪音大');
    await agent.fill('#complaint-form textarea[name=demand]', '上门检查');
    assert.equal((await submit(agent, '#complaint-form button[type=submit]')).status(), 303);
    complaintPath = new URL(agent.url()).pathname;
    assert.match(complaintPath, /^\/complaints\/\d+$/);
    number = (await text(agent, 'h1')).match(/KS-\d{6}-\d{4}/)?.[0];
    assert.ok(number, 'the complaint has a KS number');
    assert.match(await text(agent, '#complaint-status'), /已受理/);
    assert.match(await text(agent, '#reply-clock'), /计时中/);
  });

  const kefu = await suite.newPage();
  await signIn(kefu, 'kefu');

  await t.test('the customer department names the handler, routes it and replies in time', async () => {
    await kefu.goto(complaintPath);
    await kefu.selectOption('#handling-form select[name=handler_id]', { label: '周强' });
    await kefu.fill('#handling-form input[name=due_date]', shanghaiDay(7));
    assert.equal((await submit(kefu, '#handling-form button[type=submit]')).status(), 303);
    assert.equal(await text(kefu, '#handler'), '周强');
    assert.equal((await submit(kefu, '#route-form button[type=submit]')).status(), 303);
    assert.match(await text(kefu, '#complaint-status'), /调查中/);
    assert.equal(await kefu.locator('#tasks article.task').count(), 3);
    await kefu.selectOption('#log-form select[name=kind]', 'reply');
    await kefu.selectOption('#log-form select[name=channel]', 'phone');
    await kefu.fill('#log-form textarea[name=text]', '已电话答复客户，明日上门');
    assert.equal((await submit(kefu, '#log-form button[type=submit]')).status(), 303);
    assert.equal(await kefu.locator('#reply-clock [data-clock-status=met]').count(), 1);
  });

  await t.test('each department enters its findings', async () => {
    for (let i = 0; i < 3; i += 1) {
      const form = kefu.locator('form.task-form').first();
      await form.locator('textarea[name=cause]').fill('压缩机减震垫装配不当');
      if (await form.locator('input[name=production_unit]').count()) {
        await form.locator('input[name=production_unit]').fill('一厂');
        await form.locator('input[name=shift]').fill('A班');
      }
      await form.locator('input[name=done]').check();
      const [response] = await Promise.all([
        kefu.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
        form.locator('button[type=submit]').click(),
      ]);
      await kefu.waitForLoadState('load');
      assert.equal(response.status(), 303);
    }
    assert.equal(await kefu.locator('form.task-form').count(), 0);
  });

  await t.test('the case is decided, improved and its effect confirmed', async () => {
    await kefu.fill('#decide-form textarea[name=cause]', '压缩机减震垫装配不当');
    await kefu.selectOption('#decide-form select[name=responsible_department]', 'manufacturing');
    await kefu.fill('#decide-form textarea[name=decision]', '上门更换减震垫');
    await kefu.selectOption('#decide-form select[name=told_channel]', 'phone');
    assert.equal((await submit(kefu, '#decide-form button[type=submit]')).status(), 303);
    assert.match(await text(kefu, '#complaint-status'), /已决定/);
    await kefu.fill('#corrective-form textarea[name=corrective_action]', '减震垫装配增加自检');
    await kefu.selectOption('#corrective-form select[name=corrective_owner_id]', { label: '陈静' });
    await kefu.fill('#corrective-form input[name=corrective_due]', shanghaiDay(14));
    assert.equal((await submit(kefu, '#corrective-form button[type=submit]')).status(), 303);
    assert.equal((await submit(kefu, '#confirm_effect-form button[type=submit]')).status(), 303);
    assert.match(await text(kefu, '#complaint-status'), /待回访/);
    // No visit by the handler yet: closing is refused with the reason.
    assert.equal((await submit(kefu, '#close-form button[type=submit]')).status(), 422);
    assert.match(await text(kefu, 'p.alert[data-field=visit]'), /亲自拜访/);
  });

  await t.test('the handler visits the customer in person and tells the outcome', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(complaintPath);
    await supervisor.selectOption('#log-form select[name=kind]', 'visit');
    await supervisor.fill('#log-form textarea[name=text]', '主管亲自上门更换减震垫并致歉');
    assert.equal((await submit(supervisor, '#log-form button[type=submit]')).status(), 303);
    await supervisor.selectOption('#log-form select[name=kind]', 'outcome_told');
    await supervisor.selectOption('#log-form select[name=channel]', 'visit');
    await supervisor.fill('#log-form textarea[name=text]', '当面告知处理结果');
    assert.equal((await submit(supervisor, '#log-form button[type=submit]')).status(), 303);
    assert.equal(await supervisor.locator('#log li[data-log-kind=visit]').count(), 1);
  });

  await t.test('the customer department closes it after the satisfaction follow-up', async () => {
    await kefu.goto(complaintPath);
    await kefu.fill('#close-form textarea[name=note]', '回访客户，噪音已消除，满意');
    assert.equal((await submit(kefu, '#close-form button[type=submit]')).status(), 303);
    assert.match(await text(kefu, '#complaint-status'), /已结案/);
    assert.match(await text(kefu, '#decision'), /制造部/);
    await screenshot(kefu, 'complaint-closed');
    const print = await suite.newPage();
    await signIn(print, 'kefu');
    await print.goto(`${complaintPath}/print`);
    assert.match(await text(print, 'h1'), /客户抱怨处理表/);
    assert.match(await text(print, 'body'), new RegExp(number));
  });

  let noticePath;
  await t.test('the monthly review gives a deduction and drafts the reward/penalty notice', async () => {
    const month = shanghaiDay().slice(0, 7);
    await kefu.goto(`/complaints/review?month=${month}`);
    const row = kefu.locator('#review-cases tr', { hasText: number });
    await row.locator('select[name=sanction]').selectOption('deduction');
    await row.locator('input[name=amount]').fill('200');
    await row.locator('input[name=note]').fill('制造部扣奖金');
    const [response] = await Promise.all([
      kefu.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      row.locator('button[type=submit]').click(),
    ]);
    await kefu.waitForLoadState('load');
    assert.equal(response.status(), 303);
    assert.match(await text(kefu, '#review-cases'), /扣奖金/);
    assert.equal((await submit(kefu, '#draft-notice')).status(), 303);
    noticePath = new URL(kefu.url()).pathname;
    assert.match(noticePath, /^\/reward-penalty-notices\/\d+$/);
    assert.match(await text(kefu, '#notice-status'), /待核准/);
    assert.equal(await kefu.locator('#approve-notice').count(), 0, 'only the GM approves');
  });

  await t.test('the general manager approves it and it prints in three copies', async () => {
    const gm = await suite.newPage();
    await signIn(gm, 'gm');
    await gm.goto(noticePath);
    assert.equal((await submit(gm, '#approve-notice')).status(), 303);
    assert.match(await text(gm, '#notice-status'), /已核准/);
    await gm.goto(`${noticePath}/print`);
    const labels = await gm.locator('.copy-label').allInnerTexts();
    assert.equal(labels.length, 3);
    assert.match(labels[0], /自存/);
    assert.match(labels[1], /会计查核/);
    assert.match(labels[2], /罚扣部门/);
    assert.match(await text(gm, 'body'), /¥200\.00/);
    await screenshot(gm, 'reward-penalty-notice');
  });
});

test('a claim follows its type steps and closes after the sales manager reviews it', { timeout: 180_000 }, async () => {
  const kefu = await suite.newPage();
  await signIn(kefu, 'kefu');
  await kefu.goto('/claims');
  await kefu.selectOption('#claim-form select[name=claim_type_id]', { label: '运输损坏索赔' });
  await kefu.selectOption('#claim-form select[name=org_unit_id]', { label: '北京分公司' });
  await kefu.fill('#claim-form input[name=claimant]', '浏览器测试超市');
  await kefu.fill('#claim-form input[name=amount]', '1500');
  await kefu.fill('#claim-form textarea[name=facts]', '两台冰箱运输途中门体变形');
  assert.equal((await submit(kefu, '#claim-form button[type=submit]')).status(), 303);
  const claimPath = new URL(kefu.url()).pathname;
  assert.match(await text(kefu, 'h1'), /SP-\d{6}-\d{4}/);
  // Closing before the steps, the countermeasure and the review is refused.
  assert.equal((await submit(kefu, '#close-form button[type=submit]')).status(), 422);
  assert.equal(await kefu.locator('p.alert[data-field=steps]').count(), 1);
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await submit(kefu, '#step-form button[type=submit]')).status(), 303);
  }
  assert.equal(await kefu.locator('#step-form').count(), 0);
  await kefu.selectOption('#countermeasure-form select[name=cause]', 'transport');
  await kefu.fill('#countermeasure-form textarea[name=countermeasure]', '向承运商追偿并为客户换货');
  await kefu.fill('#countermeasure-form textarea[name=prevention]', '冰箱运输加装护角');
  assert.equal((await submit(kefu, '#countermeasure-form button[type=submit]')).status(), 303);

  const manager = await suite.newPage();
  await signIn(manager, 'bj_jingli');
  await manager.goto(claimPath);
  assert.equal((await submit(manager, '#review-form button[type=submit]')).status(), 303);
  assert.match(await text(manager, '#reviewed-by'), /孙伟/);

  await kefu.goto(claimPath);
  assert.equal((await submit(kefu, '#close-form button[type=submit]')).status(), 303);
  assert.match(await text(kefu, '#claim-status'), /已结案/);
  await kefu.goto('/claims/report');
  assert.match(await text(kefu, '#prevention'), /冰箱运输加装护角/);
});
