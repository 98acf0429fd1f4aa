// Signing in: a wrong password is refused on the form, the right one lands on the home page.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { screenshot, startSuite, text } from '../lib/browser.js';

let suite;
before(async () => {
  suite = await startSuite();
}, { timeout: 120_000 });
after(async () => {
  await suite?.close();
}, { timeout: 60_000 });

test('a wrong password shows the error and keeps the user on the sign-in form', { timeout: 180_000 }, async () => {
  const page = await suite.newPage();
  const first = await page.goto('/');
  assert.equal(first.status(), 200);
  assert.match(new URL(page.url()).pathname, /^\/sign-in$/, 'a signed-out visitor is sent to the sign-in page');
  assert.equal(await text(page, 'h1'), '登录');

  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'not-the-password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('form[action="/sign-in"] button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
  assert.equal(response.status(), 401);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  assert.equal(await text(page, '#sign-in-error'), '用户名或密码不正确');
  assert.equal(await page.inputValue('input[name=username]'), 'admin', 'the user name is kept');
  assert.equal(await page.inputValue('input[name=password]'), '', 'the password is not sent back');
  assert.equal(await page.locator('nav.menu').count(), 0, 'no menu before signing in');
  await screenshot(page, 'sign-in-error');
});

test('the right password lands on the home page with the menu and the user name', { timeout: 180_000 }, async () => {
  const page = await suite.newPage();
  await page.goto('/sign-in');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'demo1234');
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('form[action="/sign-in"] button[type=submit]')]);
  assert.equal(await text(page, 'h1'), '您好，系统管理员');
  assert.equal(await text(page, 'header .who .user'), '系统管理员');
  assert.equal(await page.getAttribute('nav.menu a[href="/"]', 'aria-current'), 'page');
  assert.ok(await page.locator('nav.menu a[href="/customers"]').isVisible(), 'the menu links to the customers');
  const customers = Number(await text(page, '.tiles a[href="/customers"] strong'));
  assert.ok(customers > 100, `the demo company has its customers on the home page (saw ${customers})`);
  await screenshot(page, 'home');
});

test('signing in from a deep link returns to that page', { timeout: 180_000 }, async () => {
  const page = await suite.newPage();
  await page.goto('/customers');
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await page.fill('input[name=username]', 'kefu');
  await page.fill('input[name=password]', 'demo1234');
  await Promise.all([page.waitForURL((url) => url.pathname === '/customers'), page.click('form[action="/sign-in"] button[type=submit]')]);
  assert.equal(await text(page, 'h1'), '客户');
});
