// The interface language: the header switch turns the pages to English and the choice stays;
// a refused form explains itself next to the field, in the user's language.

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

async function switchLanguage(page) {
  await Promise.all([page.waitForNavigation(), page.click('#switch-language')]);
}

test('the language switch shows the pages in English, on the next pages and the next sign-in too', { timeout: 180_000 }, async () => {
  const page = await suite.newPage();
  await signIn(page, 'gm');
  await page.goto('/customers');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await text(page, 'h1'), '客户');
  assert.equal(await text(page, '#switch-language'), 'English');

  await switchLanguage(page);
  assert.equal(new URL(page.url()).pathname, '/customers', 'the switch returns to the page it was used on');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Customers');
  assert.equal(await text(page, '#switch-language'), '中文');
  assert.equal(await text(page, 'nav.menu a[href="/units"]'), 'Units');
  assert.equal(await text(page, 'table.cards thead th'), 'Customer no.');
  await screenshot(page, 'customers-en');

  // The next page is in English too.
  await page.click('nav.menu a[href="/"]');
  await page.waitForURL((url) => url.pathname === '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await text(page, 'h1'), /^Hello\b/);
  assert.equal(await text(page, 'nav.menu a[href="/customers"]'), 'Customers');

  // The choice is saved on the user: a new browser that asks for Chinese still gets English.
  const elsewhere = await suite.newPage();
  await signIn(elsewhere, 'gm');
  assert.equal(await elsewhere.getAttribute('html', 'lang'), 'en');
  assert.match(await text(elsewhere, 'h1'), /^Hello\b/);

  // And back to Chinese.
  await switchLanguage(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await text(page, 'h1'), /^您好/);
});

test('the sign-in page can be switched to English before signing in', { timeout: 180_000 }, async () => {
  const page = await suite.newPage();
  await page.goto('/sign-in');
  assert.equal(await text(page, 'h1'), '登录');
  await switchLanguage(page);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Sign in');
  assert.equal(await text(page, 'form[action="/sign-in"] button[type=submit]'), 'Sign in');
});

test('a customer with an invalid phone number is refused next to the field, in Chinese and then in English', { timeout: 180_000 }, async () => {
  const page = await suite.newPage();
  await signIn(page, 'bj_jiedai');

  const fillBadCustomer = async (name) => {
    await page.goto('/customers/new');
    await page.fill('#customer-form input[name=name]', name);
    await page.fill('#customer-form input[name=phone]', '12345');
    await page.fill('#customer-form input[name=email]', 'li@example.cn');
    await page.fill('#customer-form input[name=address]', '学院路1号');
    const district = page.locator('#customer-form select[name=district_id] option', { hasText: '海淀区' });
    const districtId = await district.getAttribute('value');
    await page.selectOption('#customer-form select[name=district_id]', districtId);
    return districtId;
  };
  const assertKept = async (name, districtId) => {
    assert.equal(await page.inputValue('#customer-form input[name=name]'), name);
    assert.equal(await page.inputValue('#customer-form input[name=phone]'), '12345');
    assert.equal(await page.inputValue('#customer-form input[name=email]'), 'li@example.cn');
    assert.equal(await page.inputValue('#customer-form input[name=address]'), '学院路1号');
    assert.equal(await page.inputValue('#customer-form select[name=district_id]'), districtId);
    assert.equal(await page.getAttribute('#customer-form input[name=phone]', 'aria-invalid'), 'true');
    assert.equal(await page.locator('#customer-form small.error').count(), 1, 'only the phone is wrong');
    // The message sits in the phone field's own label.
    const field = page.locator('#customer-form label.field.invalid');
    assert.equal(await field.count(), 1);
    assert.equal(await field.locator('input').getAttribute('name'), 'phone');
  };

  const districtId = await fillBadCustomer('李明');
  let response = await submit(page, '#customer-form button[type=submit]');
  assert.equal(response.status(), 422);
  assert.equal(await text(page, 'small.error[data-field=phone]'), '电话号码格式不正确');
  await assertKept('李明', districtId);
  await screenshot(page, 'customer-form-error-zh');

  await switchLanguage(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await fillBadCustomer('Li Ming');
  response = await submit(page, '#customer-form button[type=submit]');
  assert.equal(response.status(), 422);
  assert.equal(await text(page, 'small.error[data-field=phone]'), 'Not a valid phone number');
  await assertKept('Li Ming', districtId);
  assert.equal(await text(page, 'h1'), 'New customer');
  await screenshot(page, 'customer-form-error-en');

  // Nothing was saved.
  await page.goto('/customers?q=12345');
  assert.equal(await page.locator('table.cards tbody td.empty').count(), 1);
});
