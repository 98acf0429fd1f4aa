// The accountant's side of billing through the pages (BILLING-4/5): the Beijing accountant
// confirms that a technician handed over the cash collected on site (the technician's job
// list stops showing it, the order shows the handover), and raises the invoice of an order
// settled by invoice from its voucher, then records the payment of the collection task.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { screenshot, signIn, submit, startSuite, text } from '../lib/browser.js';

let suite;
before(async () => {
  suite = await startSuite();
}, { timeout: 120_000 });
after(async () => {
  await suite?.close();
}, { timeout: 60_000 });

/** Demo technicians by display name. */
const TECHNICIANS = { 郑磊: 'bj_jishu1', 冯涛: 'bj_jishu2', 褚明: 'bj_jishu3', 卫东: 'bj_jishu4' };

test('the accountant confirms a cash handover and raises an invoice from a voucher', { timeout: 300_000 }, async (t) => {
  const accountant = await suite.newPage();
  await signIn(accountant, 'bj_kuaiji');

  let orderId;
  let technician;
  await t.test('the technician sees the cash they hold on their job list', async () => {
    await accountant.goto('/accounting');
    const form = accountant.locator('form[data-technician]').first();
    await form.waitFor();
    technician = (await form.locator('h3').innerText()).split('·')[0].trim();
    assert.ok(TECHNICIANS[technician], `a demo technician holds cash: ${technician}`);
    orderId = await form.locator('tr[data-order]').first().getAttribute('data-order');
    const tech = await suite.newPage();
    await signIn(tech, TECHNICIANS[technician]);
    await tech.goto('/my-jobs');
    await tech.locator('#my-cash h2').waitFor();
    assert.ok(await tech.locator(`#my-cash a[href="/service-orders/${orderId}"]`).count() === 1, 'the order is in the cash held');
  });

  await t.test('the accountant confirms the handover, once', async () => {
    await accountant.goto('/accounting');
    // Nothing ticked: refused with the reason.
    const form = `form[data-technician]:has(tr[data-order="${orderId}"])`;
    assert.equal((await submit(accountant, `${form} button[type=submit]`)).status(), 422);
    assert.ok(await accountant.locator('p.alert').count() > 0, 'the refusal is explained');
    await accountant.check(`tr[data-order="${orderId}"] input[name=collection_id]`);
    await screenshot(accountant, 'accounting-cash-held');
    assert.equal((await submit(accountant, `${form} button[type=submit]`)).status(), 303);
    assert.equal(new URL(accountant.url()).pathname, '/accounting');
    assert.equal(await accountant.locator(`tr[data-order="${orderId}"]`).count(), 0, 'no longer held');
    await accountant.goto(`/service-orders/${orderId}`);
    await accountant.locator('#settlement').waitFor();
    assert.match(await text(accountant, '#settlement'), /已交会计/);
    const tech = await suite.newPage();
    await signIn(tech, TECHNICIANS[technician]);
    await tech.goto('/my-jobs');
    await tech.locator('#my-cash').waitFor({ state: 'attached' });
    assert.equal(await tech.locator(`#my-cash a[href="/service-orders/${orderId}"]`).count(), 0);
  });

  await t.test('the accountant raises the invoice from the voucher the same day', async () => {
    await accountant.goto('/accounting');
    const row = accountant.locator('#invoices-due tr[data-order]').first();
    await row.waitFor();
    assert.match(await row.innerText(), /今日开票/);
    const dueOrder = await row.getAttribute('data-order');
    await Promise.all([accountant.waitForNavigation(), row.locator('a.button').click()]);
    assert.equal(new URL(accountant.url()).pathname, '/invoices/new');
    assert.notEqual(await accountant.inputValue('#invoice-form input[name=buyer_name]'), '', 'the buyer is the customer');
    await accountant.fill('#invoice-form input[name=buyer_tax_id]', '12-34');
    assert.equal((await submit(accountant, '#invoice-form button[type=submit]')).status(), 422);
    assert.ok(await accountant.locator('#invoice-form small.error[data-field="buyer_tax_id"]').count() === 1);
    await accountant.fill('#invoice-form input[name=buyer_tax_id]', '91110000600037341L');
    assert.equal((await submit(accountant, '#invoice-form button[type=submit]')).status(), 303);
    assert.match(new URL(accountant.url()).pathname, /^\/invoices\/\d+$/);
    assert.match(await text(accountant, '#invoice-number'), /^FP-\d{6}-\d{5}$/);
    assert.match(await text(accountant, '#invoice-collection'), /待收款/);
    await screenshot(accountant, 'accounting-invoice');

    const print = await suite.newPage();
    await signIn(print, 'bj_kuaiji');
    await print.goto(`${new URL(accountant.url()).pathname}/print`);
    assert.match(await text(print, 'h1'), /发票开具记录/);

    // The collection task is closed with the amount and date received.
    assert.equal((await submit(accountant, '#collection-form button[type=submit]')).status(), 303);
    assert.match(await text(accountant, '#invoice-collection'), /已收款/);
    await accountant.goto('/accounting');
    assert.equal(await accountant.locator(`#invoices-due tr[data-order="${dueOrder}"]`).count(), 0);
  });
});
