// Delivery (送货服务) and returns (退换货) through the pages. The driver works a delivery on
// the phone: the pre-call checklist must be complete before leaving; at unboxing the unit is
// defective, so it is taken back and a replacement delivery is planned; the replacement is
// accepted with the customer's drawn signature (签收). At the counter, an agent files a
// return with the invoice as proof; the check finds damage from improper use, so the rules
// refuse it, explain why in words the customer can read and offer a repair; one click turns
// the refusal into a paid (A) repair order.

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

async function fact(page, label) {
  const term = page.locator('dl.facts dt', { hasText: label }).first();
  return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

async function drawSignature(page, canvasSelector) {
  const pad = page.locator(canvasSelector);
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 20, box.y + 40);
  await page.mouse.down();
  for (const [dx, dy] of [[60, 20], [120, 60], [180, 25], [240, 70]]) {
    await page.mouse.move(box.x + dx, box.y + dy, { steps: 5 });
  }
  await page.mouse.up();
}

async function status(page) {
  return page.getAttribute('#delivery-status', 'data-status');
}

test('a delivery with a defective unit is replaced and signed for', { timeout: 240_000 }, async (t) => {
  const phone = await suite.newPage({ viewport: { width: 375, height: 740 } });
  await signIn(phone, 'bj_jishu1');

  await t.test('the driver cannot leave before the pre-call is complete', async () => {
    await phone.goto('/deliveries?mine=true');
    // The planned one (structural selector: the row whose badge reads 已安排).
    await Promise.all([phone.waitForURL(/\/deliveries\/\d+$/), phone.locator('tr', { has: phone.locator('.badge', { hasText: '已安排' }) }).locator('a').first().click()]);
    assert.equal(await status(phone), 'planned');
    assert.equal(await phone.locator('form.step-form[data-event=depart]').count(), 0, 'no departure before the pre-call');
    await phone.check('#pre-call-form input[name=address_confirmed]');
    await phone.check('#pre-call-form input[name=name_confirmed]');
    assert.equal((await submit(phone, '#pre-call-form button[type=submit]')).status(), 422);
    assert.equal(await phone.locator('#pre-call-form small.error[data-field=time_confirmed]').count(), 1);
    assert.equal(await phone.locator('#pre-call-form small.error[data-field=model_confirmed]').count(), 1);
    for (const item of ['address_confirmed', 'name_confirmed', 'time_confirmed', 'model_confirmed']) {
      await phone.check(`#pre-call-form input[name=${item}]`);
    }
    assert.equal((await submit(phone, '#pre-call-form button[type=submit]')).status(), 303);
    assert.equal(await status(phone), 'confirmed');
  });

  let replacementPath;
  await t.test('the unit is defective on unboxing: taken back, replacement planned', async () => {
    assert.equal((await submit(phone, 'form.step-form[data-event=depart] button')).status(), 303);
    assert.equal((await submit(phone, 'form.step-form[data-event=arrive] button')).status(), 303);
    assert.equal(await status(phone), 'unboxing');
    await phone.fill('#defective-form input[name=defect_note]', '浏览器测试：门体凹陷');
    await phone.fill('#defective-form input[name=window_start]', '2026-12-01T09:00');
    await phone.fill('#defective-form input[name=window_end]', '2026-12-01T11:00');
    assert.equal((await submit(phone, '#defective-form button[type=submit]')).status(), 303);
    assert.equal(await status(phone), 'taken_back');
    assert.match(await text(phone, '#timeline li[data-event=defective]'), /门体凹陷/);
    replacementPath = await phone.getAttribute('#replacement-link', 'href');
    assert.match(replacementPath, /^\/deliveries\/\d+$/);
  });

  await t.test('the replacement is accepted with the customer\'s signature', async () => {
    await phone.goto(replacementPath);
    assert.equal(await status(phone), 'planned');
    assert.match(await fact(phone, '约定时间'), /2026-12-01 09:00/);
    for (const item of ['address_confirmed', 'name_confirmed', 'time_confirmed', 'model_confirmed']) {
      await phone.check(`#pre-call-form input[name=${item}]`);
    }
    assert.equal((await submit(phone, '#pre-call-form button[type=submit]')).status(), 303);
    assert.equal((await submit(phone, 'form.step-form[data-event=depart] button')).status(), 303);
    assert.equal((await submit(phone, 'form.step-form[data-event=arrive] button')).status(), 303);
    // Without the signature and the whole conduct checklist there is no sign-off.
    await phone.check('#sign-off-form input[name=greeting]');
    assert.equal((await submit(phone, '#sign-off-form button[type=submit]')).status(), 422);
    assert.equal(await phone.locator('#sign-off-form small.error[data-field=signature_png]').count(), 1);
    for (const item of ['greeting', 'shoe_covers', 'placed_as_asked', 'no_dragging']) {
      await phone.check(`#sign-off-form input[name=${item}]`);
    }
    await drawSignature(phone, '#sign-off-form canvas.signature-pad');
    await screenshot(phone, 'delivery-signature', { fullPage: false });
    assert.equal((await submit(phone, '#sign-off-form button[type=submit]')).status(), 303);
    assert.equal(await status(phone), 'signed_off');
    assert.equal(await phone.locator('#signature-image').count(), 1, 'the drawn signature is filed');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on the phone (${overflow}px)`);
  });
});

test('a return refused for misuse becomes a repair order in one click', { timeout: 180_000 }, async (t) => {
  const agent = await suite.newPage();
  await signIn(agent, 'bj_jiedai');
  let returnPath;

  await t.test('the agent files the request with the invoice', async () => {
    await agent.goto('/returns');
    // The demo has requests in several states.
    assert.ok(await agent.locator('table.cards tbody tr').count() >= 5, 'demo returns are listed');
    await agent.click('a[href="/returns/new"]');
    // An unknown serial number is named as the field in error.
    await agent.fill('input[name=serial_no]', 'NO-SUCH-UNIT');
    assert.equal((await submit(agent, 'form[action="/returns"] button[type=submit]')).status(), 422);
    assert.equal(await agent.locator('small.error[data-field=serial_no]').count(), 1);
    await agent.fill('input[name=serial_no]', 'TH-DEMO-06');
    await agent.selectOption('select[name=reason]', 'quality');
    await agent.selectOption('select[name=wish]', 'refund');
    await agent.fill('textarea[name=description]', '浏览器测试：冰箱门封条脱落');
    await agent.setInputFiles('input[name=proof]', {
      name: '发票.png',
      mimeType: 'image/png',
      buffer: Buffer.from('89504e470d0a1a0a', 'hex'),
    });
    assert.equal((await submit(agent, 'form[action="/returns"] button[type=submit]')).status(), 303);
    returnPath = new URL(agent.url()).pathname;
    assert.match(returnPath, /^\/returns\/\d+$/);
    assert.equal(await agent.getAttribute('#rma-status', 'data-status'), 'under_review');
    assert.match(await fact(agent, '购货凭证'), /查看文件/);
  });

  await t.test('the check finds misuse: refused, explained, repair offered', async () => {
    await agent.selectOption('#review select[name=condition]', 'misuse');
    assert.equal((await submit(agent, '#review button[type=submit]')).status(), 303);
    assert.equal(await agent.getAttribute('#rma-status', 'data-status'), 'rejected');
    assert.equal(await agent.getAttribute('#decision', 'data-rule'), 'misuse');
    const explanation = await text(agent, '#explanation');
    assert.match(explanation, /使用、洗涤或保养不当/);
    assert.match(explanation, /维修/);
    await screenshot(agent, 'return-refused-for-misuse');
  });

  await t.test('one click creates the paid repair order', async () => {
    assert.equal((await submit(agent, '#create-repair-order')).status(), 303);
    const orderPath = new URL(agent.url()).pathname;
    assert.match(orderPath, /^\/service-orders\/\d+$/);
    assert.match(await fact(agent, '产品'), /TH-DEMO-06/);
    assert.match(await fact(agent, '故障'), /退换货单 TH/);
    await agent.goto(returnPath);
    assert.equal(await agent.locator('#create-repair-order').count(), 0, 'offered once');
    assert.equal(await agent.locator(`#decision a[href="${orderPath}"]`).count(), 1, 'the return links the order');
  });
});

test('the return pages fit a phone screen', { timeout: 60_000 }, async () => {
  const phone = await suite.newPage({ viewport: { width: 375, height: 740 } });
  await signIn(phone, 'bj_jiedai');
  await phone.goto('/returns');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
});
