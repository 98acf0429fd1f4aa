// In-store returns (退换货) at the counter, through the pages, for the two rules a customer most
// often argues about. First, a category the company never takes back without a reason: the
// demo catalogue has none (only household appliances and software), so the admin adds a
// battery product (category 电池, one of the default non-returnable categories) and the agent
// registers a sale of it to the demo customer 周退换; the product itself is flagged
// returnable, so the refusal can only come from the category list. Second, a 三包 washing
// machine brought back with a defect 20 days after the sale: past the 7 days the exchange
// waits for a quality inspection report (商品质量检验报告); without the file nothing moves,
// with it the rules decide again, approve, and the supervisor completes the exchange.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { isoDate, screenshot, signIn, startSuite, submit, text } from '../lib/browser.js';

let suite;
before(async () => {
  suite = await startSuite();
}, { timeout: 120_000 });
after(async () => {
  await suite?.close();
}, { timeout: 60_000 });

// The demo customer the return cases belong to (crates/app/src/demo.rs, load_returns).
const DEMO_CUSTOMER = '周退换';

async function fact(page, label) {
  const term = page.locator('dl.facts dt', { hasText: label }).first();
  return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

/** The value of the option of `select` whose text contains `label`. */
async function optionValue(page, select, label) {
  const option = page.locator(`${select} option`, { hasText: label }).first();
  const value = await option.getAttribute('value');
  assert.ok(value, `${select} offers "${label}"`);
  return value;
}

async function status(page) {
  return page.getAttribute('#rma-status', 'data-status');
}

/** The date `days` days before today. */
function daysAgo(days) {
  const date = new Date();
  date.setDate(date.getDate() - days);
  return date;
}

/**
 * Registers a sale to the demo customer from the customer card (as the counter does when the
 * unit is not on file yet) and returns the unit's path.
 */
async function registerSale(page, { serial, model, purchased, price }) {
  await page.goto(`/customers?q=${encodeURIComponent(DEMO_CUSTOMER)}`);
  await Promise.all([
    page.waitForURL(/\/customers\/\d+$/),
    page.locator('table tbody tr', { hasText: DEMO_CUSTOMER }).locator('a').first().click(),
  ]);
  await Promise.all([page.waitForURL('**/units/new?customer_id=*'), page.click('#add-unit')]);
  await page.fill('#unit-form input[name=serial_no]', serial);
  await page.selectOption('#unit-form select[name=product_id]', await optionValue(page, '#unit-form select[name=product_id]', model));
  await page.fill('#unit-form input[name=purchase_date]', isoDate(purchased));
  await page.fill('#unit-form input[name=store]', '国美电器王府井店');
  await page.fill('#unit-form input[name=invoice_no]', `FP${serial}`);
  await page.fill('#unit-form input[name=list_price]', price);
  await page.fill('#unit-form input[name=paid_price]', price);
  assert.equal((await submit(page, '#unit-form button[type=submit]')).status(), 303, 'the sale is registered');
  const unitPath = new URL(page.url()).pathname;
  assert.match(unitPath, /^\/units\/\d+$/);
  return unitPath;
}

/** Files a request at the counter with the invoice as proof; returns the request's path. */
async function fileReturn(page, { serial, reason, wish, description }) {
  await page.goto('/returns');
  await Promise.all([page.waitForURL('**/returns/new'), page.click('a[href="/returns/new"]')]);
  await page.fill('input[name=serial_no]', serial);
  await page.selectOption('select[name=reason]', reason);
  await page.selectOption('select[name=wish]', wish);
  await page.fill('textarea[name=description]', description);
  await page.setInputFiles('input[name=proof]', {
    name: '发票.png',
    mimeType: 'image/png',
    buffer: Buffer.from('89504e470d0a1a0a', 'hex'),
  });
  assert.equal((await submit(page, 'form[action="/returns"] button[type=submit]')).status(), 303);
  const returnPath = new URL(page.url()).pathname;
  assert.match(returnPath, /^\/returns\/\d+$/);
  assert.equal(await status(page), 'under_review');
  assert.match(await fact(page, '购货凭证'), /查看文件/, 'the invoice is filed');
  return returnPath;
}

async function noSidewaysScrolling(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on the phone (${overflow}px)`);
}

test('batteries are refused without a reason, and the customer reads why', { timeout: 180_000 }, async (t) => {
  const stamp = String(Date.now()).slice(-8);
  const model = `DC-${stamp}`;
  const serial = `DC${stamp}`;

  await t.test('the admin adds a battery product, flagged returnable', async () => {
    const admin = await suite.newPage();
    await signIn(admin, 'admin');
    await admin.goto('/products');
    await Promise.all([admin.waitForURL('**/products/new'), admin.click('a[href="/products/new"]')]);
    await admin.fill('input[name=model]', model);
    await admin.fill('input[name=name]', '5号碱性电池（4粒装）');
    await admin.fill('input[name=category]', '电池');
    // The product's own flag says returnable: the refusal below must come from the category.
    assert.ok(await admin.isChecked('input[name=returnable]'), 'a new product is returnable by default');
    await admin.check('input[name=sanbao]');
    assert.equal((await submit(admin, 'form[action="/products"] button[type=submit]')).status(), 303);
    await admin.goto(`/products?q=${model}`);
    const row = admin.locator('table tbody tr', { hasText: model });
    assert.equal(await row.count(), 1, 'the product is listed');
    assert.match(await row.innerText(), /电池/);
  });

  const agent = await suite.newPage();
  await signIn(agent, 'bj_jiedai');

  await t.test('the agent registers the sale, three days ago', async () => {
    const unitPath = await registerSale(agent, { serial, model, purchased: daysAgo(3), price: '39.90' });
    assert.match(await text(agent, 'h1'), new RegExp(`${model} · ${serial}`));
    assert.ok(unitPath);
  });

  await t.test('a no-reason refund of unopened batteries is refused by the category rule', async () => {
    await fileReturn(agent, {
      serial,
      reason: 'no_reason',
      wish: 'refund',
      description: '浏览器测试：顾客买多了，包装未拆',
    });
    assert.match(await fact(agent, '产品'), /（电池）/, 'the category is shown with the product');
    // Clean, resaleable, with the invoice, within the no-reason days: only the category refuses.
    await agent.selectOption('#review select[name=condition]', 'resaleable');
    assert.equal((await submit(agent, '#review button[type=submit]')).status(), 303);
    assert.equal(await status(agent), 'rejected');
    assert.equal(await text(agent, '#rma-status'), '已拒绝');
    assert.equal(await agent.getAttribute('#decision', 'data-outcome'), 'refused');
    assert.equal(await agent.getAttribute('#decision', 'data-rule'), 'non_returnable');
    assert.equal(await text(agent, '#decision h2 .badge'), '拒绝');
    // The explanation names the category in plain words, not a rule code.
    const explanation = await text(agent, '#explanation');
    assert.equal(explanation, '“电池”类商品不在无理由退换之列。');
    assert.doesNotMatch(explanation, /non_returnable|rma\.|_/);
    // A refusal has no refund, no department tasks, no later steps and no repair to offer.
    assert.equal(await agent.locator('#decision strong', { hasText: '¥' }).count(), 0, 'no refund');
    assert.equal(await agent.locator('#tasks').count(), 0, 'no department tasks');
    assert.equal(await agent.locator('#steps').count(), 0, 'no later steps');
    assert.equal(await agent.locator('#review').count(), 0, 'decided once');
    assert.equal(await agent.locator('#create-repair-order').count(), 0, 'nothing to repair');
    await screenshot(agent, 'return-refused-non-returnable-category');
  });

  await t.test('the refusal reads on a phone', async () => {
    const phone = await suite.newPage({ viewport: { width: 375, height: 740 } });
    await signIn(phone, 'bj_jiedai');
    await phone.goto(agent.url());
    assert.equal(await text(phone, '#explanation'), '“电池”类商品不在无理由退换之列。');
    assert.ok(await phone.locator('#explanation').isVisible());
    await noSidewaysScrolling(phone);
  });
});

test('a 三包 exchange after 7 days waits for the inspection report, then goes ahead', { timeout: 240_000 }, async (t) => {
  const stamp = String(Date.now()).slice(-8);
  const serial = `SB${stamp}`;
  const agent = await suite.newPage();
  await signIn(agent, 'bj_jiedai');
  let returnPath;

  await t.test('the agent files an exchange for a washing machine sold 20 days ago', async () => {
    // XQB80 is a 三包 product of the demo catalogue, not seasonal (no current price needed).
    await registerSale(agent, { serial, model: 'XQB80', purchased: daysAgo(20), price: '1999' });
    returnPath = await fileReturn(agent, {
      serial,
      reason: 'quality',
      wish: 'exchange',
      description: '浏览器测试：脱水时异响，桶体晃动',
    });
  });

  await t.test('without the inspection report the exchange is not approved', async () => {
    await agent.selectOption('#review select[name=condition]', 'soiled');
    assert.equal((await submit(agent, '#review button[type=submit]')).status(), 303);
    assert.equal(await status(agent), 'awaiting_report');
    assert.equal(await text(agent, '#rma-status'), '待检验报告');
    assert.equal(await agent.getAttribute('#decision', 'data-outcome'), 'awaiting_report');
    assert.equal(await agent.getAttribute('#decision', 'data-rule'), 'sanbao_report_required');
    const explanation = await text(agent, '#explanation');
    const days = Number(explanation.match(/已(\d+)天/)?.[1]);
    // The server's "today" may be a day off the test machine's date near midnight.
    assert.ok(days >= 19 && days <= 21, `the days since the sale are named (${explanation})`);
    assert.match(explanation, /^三包商品售出已超过7天（已\d+天），须提供商品质量检验报告后方可退换。$/);
    // Nothing moves on: no refund value, no tasks, no steps, no second review; only the upload.
    assert.equal(await agent.locator('#decision strong', { hasText: '¥' }).count(), 0, 'no exchange value yet');
    assert.equal(await agent.locator('#tasks').count(), 0, 'no department tasks yet');
    assert.equal(await agent.locator('#steps').count(), 0, 'no steps offered');
    assert.equal(await agent.locator('#review').count(), 0);
    assert.equal(await text(agent, '#report h2'), '商品质量检验报告');
    await screenshot(agent, 'return-awaiting-inspection-report');

    // Uploading without choosing a file names the missing file.
    assert.equal((await submit(agent, '#report button[type=submit]')).status(), 422);
    assert.equal(await agent.locator('#report small.error[data-field=report]').count(), 1, 'the report is required');
    assert.equal(await status(agent), 'awaiting_report');

    // A forged "exchanged" step (a stale tab, a replayed form) is refused by the state machine.
    const csrf = await agent.inputValue('#report input[name=_csrf]');
    const version = await agent.inputValue('#report input[name=version]');
    const forged = await agent.request.post(`${returnPath}/step`, {
      form: { _csrf: csrf, version, event: 'exchange' },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 422, 'the step is refused');
    // The refusal names why, where the user sees it.
    assert.match(await forged.text(), /id="status-error"/);
    await agent.reload();
    assert.equal(await status(agent), 'awaiting_report', 'still waiting for the report');
  });

  await t.test('with the report attached the rules approve the exchange', async () => {
    await agent.setInputFiles('#report input[name=report]', {
      name: '商品质量检验报告.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n% 浏览器测试：检验结论 电机轴承缺陷\n%%EOF\n'),
    });
    assert.equal((await submit(agent, '#report button[type=submit]')).status(), 303);
    assert.equal(await status(agent), 'approved');
    assert.equal(await text(agent, '#rma-status'), '已同意');
    assert.equal(await agent.getAttribute('#decision', 'data-outcome'), 'approved');
    assert.equal(await agent.getAttribute('#decision', 'data-rule'), 'sanbao_with_report');
    assert.equal(await text(agent, '#decision h2 .badge'), '同意');
    const explanation = await text(agent, '#explanation');
    assert.match(explanation, /三包商品售出已超过7天（已\d+天），已提供商品质量检验报告，可以退换。/);
    assert.match(explanation, /1999\.00/, 'the value of the exchange is named');
    assert.match(await fact(agent, '商品质量检验报告'), /查看文件/, 'the report is filed with the request');
    // An exchange needs no refund from finance; the other departments get their tasks.
    const tasks = await agent.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.task));
    assert.deepEqual(tasks, ['transport_pickup', 'warehouse_receive', 'qa_analysis']);
    await screenshot(agent, 'return-approved-with-report');
  });

  await t.test('the supervisor receives the goods and completes the exchange', async () => {
    const supervisor = await suite.newPage();
    await signIn(supervisor, 'bj_zhuren');
    await supervisor.goto(returnPath);
    assert.equal(await status(supervisor), 'approved');
    assert.equal((await submit(supervisor, '#steps button:has-text("仓库已收货")')).status(), 303);
    assert.equal(await status(supervisor), 'goods_received');
    assert.match(await text(supervisor, '#tasks tr[data-task=warehouse_receive]'), /✓/, 'receiving completes the warehouse task');
    assert.equal((await submit(supervisor, '#steps button:has-text("已换货")')).status(), 303);
    assert.equal(await status(supervisor), 'exchanged');
    assert.equal(await text(supervisor, '#rma-status'), '已换货');
    await screenshot(supervisor, 'return-exchanged');
  });

  await t.test('the approved request fits a phone screen', async () => {
    const phone = await suite.newPage({ viewport: { width: 375, height: 740 } });
    await signIn(phone, 'bj_jiedai');
    await phone.goto(returnPath);
    assert.equal(await status(phone), 'exchanged');
    assert.ok(await phone.locator('#explanation').isVisible());
    await noSidewaysScrolling(phone);
  });
});
