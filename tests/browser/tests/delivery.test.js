// Returns and exchanges (退换货) through the pages: the counter agent files a return for a
// unit the customer brought back, with the invoice as proof; the check finds damage from
// improper use, so the rules refuse it and explain why in words the customer can read, and
// offer a repair instead; one click turns the refusal into a paid (A) repair order.

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
