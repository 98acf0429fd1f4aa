// Online buyer after-sales requests (网店售后) through the pages, on a movable clock. The
// seller's agent imports an online order from a .csv sheet; the buyer, on the phone in the
// portal, files a quality return with a photo (refund only is refused with the reason, since
// the parcel was signed for); the seller does nothing, the clock passes the 48-hour deadline,
// the timer runner accepts the request and the buyer's timeline says so. Then a rejection:
// the buyer asks the platform to step in and the platform arbiter's ruling is final.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { screenshot, signIn, startSuite, submit, text } from '../lib/browser.js';

let suite;
before(async () => {
  suite = await startSuite({ movableClock: true });
}, { timeout: 120_000 });
after(async () => {
  await suite?.close();
}, { timeout: 60_000 });

const PHONE = { viewport: { width: 375, height: 740 } };

async function status(page) {
  return page.getAttribute('#request-status', 'data-status');
}

/**
 * Waits until the request page at `path` shows `wanted`, asking the server again at each poll
 * (a synchronous request, because the predicate's answer must not be a promise).
 */
async function waitForStatus(page, path, wanted) {
  await page.waitForFunction(
    ({ path, wanted }) => {
      const request = new XMLHttpRequest();
      request.open('GET', path, false);
      request.send();
      return request.responseText.includes(`data-status="${wanted}"`);
    },
    { path, wanted },
    { polling: 250, timeout: 20_000 },
  );
  await page.goto(path);
}

async function noSidewaysScrolling(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on the phone (${overflow}px)`);
}

test('an imported online order: the buyer files, the seller misses the deadline, the request is auto-accepted', { timeout: 240_000 }, async (t) => {
  const orderNumber = `BT${Date.now()}`;
  const requestPath = { value: '' };

  await t.test('the seller imports the order from a sheet', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    const found = await agent.request.get('/api/v1/customers?q=13722223333');
    const customerNumber = (await found.json()).items[0].number;
    const signedAt = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
    const csv = [
      '订单号,客户编号,平台,承运商,运单号,签收时间,商品编码,商品名称,型号,数量,单价',
      `${orderNumber},${customerNumber},天猫旗舰店,顺丰速运,SF${orderNumber},${signedAt},AC-01,浏览器测试空调,,1,2999.00`,
    ].join('\n');
    await agent.goto('/ecom/orders');
    await agent.setInputFiles('#import-form input[name=file]', { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const response = await submit(agent, '#import-form button[type=submit]');
    assert.equal(response.status(), 200);
    assert.match(await text(agent, '#import-result'), /1/);
    assert.equal(await agent.locator(`#orders tr[data-order="${orderNumber}"]`).count(), 1);
  });

  await t.test('the buyer files a quality return with a photo on the phone', async () => {
    const buyer = await suite.newPage(PHONE);
    await signIn(buyer, 'kehu');
    await buyer.goto('/portal/orders');
    const card = buyer.locator(`section[data-order="${orderNumber}"]`);
    await Promise.all([buyer.waitForURL(/\/request$/), card.locator('a.primary').first().click()]);
    // Signed for yesterday: refund only (not received) is not offered, and the reason is given.
    assert.equal(await buyer.locator('input[name=request_type][value=refund_only]').isDisabled(), true);
    assert.match(await text(buyer, 'small[data-refusal=refund_only]'), /已签收/);
    // Without a photo a quality return is refused, naming the field.
    await buyer.check('input[name=request_type][value=quality_return]');
    await buyer.fill('textarea[name=description]', '浏览器测试：开机有异响');
    assert.equal((await submit(buyer, '#request-form button[type=submit]')).status(), 422);
    assert.equal(await buyer.locator('small.error[data-field=evidence]').count(), 1);
    await buyer.check('input[name=request_type][value=quality_return]');
    await buyer.setInputFiles('input[name=evidence]', { name: '异响.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('a photo') });
    assert.equal((await submit(buyer, '#request-form button[type=submit]')).status(), 303);
    assert.match(buyer.url(), /\/portal\/requests\/\d+$/);
    requestPath.value = new URL(buyer.url()).pathname;
    assert.equal(await status(buyer), 'awaiting_seller');
    assert.equal(await buyer.locator('#timeline li[data-event=filed]').count(), 1);
    assert.match(await text(buyer, '#deadline'), /商家答复期限/);
    assert.match(await text(buyer, '#request-type'), /质量问题退货退款/);
    await noSidewaysScrolling(buyer);
    // The line now shows its request instead of the "request after-sales" button.
    await buyer.goto('/portal/orders');
    assert.equal(await buyer.locator(`section[data-order="${orderNumber}"] a.primary`).count(), 0);
  });

  await t.test('48 hours pass without an answer: the timer accepts the request as filed', async () => {
    suite.server.advanceClock(49);
    // The old session expired with the jump: sign in again.
    const buyer = await suite.newPage(PHONE);
    await signIn(buyer, 'kehu');
    await waitForStatus(buyer, requestPath.value, 'accepted');
    assert.equal(await status(buyer), 'accepted');
    assert.equal(await buyer.getAttribute('#accepted-by', 'data-by'), 'timer');
    assert.match(await text(buyer, '#status-hint'), /已按您的售后要求达成协议/);
    assert.equal(await buyer.locator('#timeline li[data-event=auto_accept]').count(), 1);
    assert.equal(await buyer.locator('#buyer-actions').count(), 0);
    await noSidewaysScrolling(buyer);
    await screenshot(buyer, 'ecom-auto-accepted', { fullPage: false });
  });
});

test('a rejected request goes to platform arbitration and the ruling is final', { timeout: 240_000 }, async (t) => {
  let requestPath;

  await t.test('the buyer asks for a refund of a parcel refused at the door', async () => {
    const buyer = await suite.newPage(PHONE);
    await signIn(buyer, 'kehu');
    await buyer.goto('/portal/orders');
    const card = buyer.locator('section[data-order="PDD2026112203"]');
    await Promise.all([buyer.waitForURL(/\/request$/), card.locator('a.primary').first().click()]);
    await buyer.check('input[name=request_type][value=refund_only]');
    await buyer.fill('textarea[name=description]', '浏览器测试：外箱破损，当场拒收');
    assert.equal((await submit(buyer, '#request-form button[type=submit]')).status(), 303);
    requestPath = new URL(buyer.url()).pathname;
    assert.equal(await status(buyer), 'awaiting_seller');
  });

  const id = () => requestPath.split('/').pop();

  await t.test('the seller rejects it with a reason', async () => {
    const agent = await suite.newPage();
    await signIn(agent, 'bj_jiedai');
    await agent.goto('/ecom/requests?status=awaiting_seller');
    await Promise.all([agent.waitForURL(/\/ecom\/requests\/\d+$/), agent.click(`#requests a[href="/ecom/requests/${id()}"]`)]);
    const reject = agent.locator('#seller-answer form', { has: agent.locator('button[data-event=reject]') });
    assert.equal((await submit(agent, '#seller-answer button[data-event=reject]')).status(), 422, 'a rejection needs its reason');
    await reject.locator('textarea[name=note]').fill('物流记录显示已签收');
    assert.equal((await submit(agent, '#seller-answer button[data-event=reject]')).status(), 303);
    assert.equal(await status(agent), 'rejected');
  });

  await t.test('the buyer asks the platform to step in', async () => {
    const buyer = await suite.newPage(PHONE);
    await signIn(buyer, 'kehu');
    await buyer.goto(requestPath);
    assert.equal(await status(buyer), 'rejected');
    assert.match(await text(buyer, '#deadline'), /申请平台介入期限/);
    const appeal = buyer.locator('#buyer-actions form', { has: buyer.locator('button[data-event=request_arbitration]') });
    await appeal.locator('textarea[name=note]').fill('快递员代签，本人从未收到');
    assert.equal((await submit(buyer, '#buyer-actions button[data-event=request_arbitration]')).status(), 303);
    assert.equal(await status(buyer), 'in_arbitration');
    await noSidewaysScrolling(buyer);
  });

  await t.test('the platform arbiter rules for the seller; nothing can follow', async () => {
    const arbiter = await suite.newPage();
    await signIn(arbiter, 'pingtai');
    await arbiter.goto('/ecom/arbitration');
    await Promise.all([arbiter.waitForURL(/\/ecom\/requests\/\d+$/), arbiter.click(`#requests a[href="/ecom/requests/${id()}"]`)]);
    const rule = arbiter.locator('#ruling-form form', { has: arbiter.locator('button[data-event=rule_for_seller]') });
    await rule.locator('textarea[name=note]').fill('签收底单与本人签名一致');
    assert.equal((await submit(arbiter, '#ruling-form button[data-event=rule_for_seller]')).status(), 303);
    assert.equal(await status(arbiter), 'refused');
    assert.equal(await arbiter.locator('#ruling-form').count(), 0);

    const buyer = await suite.newPage(PHONE);
    await signIn(buyer, 'kehu');
    await buyer.goto(requestPath);
    assert.equal(await status(buyer), 'refused');
    assert.equal(await buyer.getAttribute('#ruling', 'data-ruling'), 'seller');
    assert.equal(await buyer.locator('#buyer-actions').count(), 0);
    assert.match(await text(buyer, '#status-hint'), /最终结果/);
    const events = await buyer.locator('#timeline li').evaluateAll((items) => items.map((li) => li.dataset.event));
    assert.deepEqual(events, ['filed', 'reject', 'request_arbitration', 'rule_for_seller']);
  });
});
