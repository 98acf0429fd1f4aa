// The pages on a phone: the customer list fits a 375 px wide screen without scrolling sideways.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { screenshot, signIn, startSuite, text } from '../lib/browser.js';

let suite;
before(async () => {
  suite = await startSuite();
}, { timeout: 120_000 });
after(async () => {
  await suite?.close();
}, { timeout: 60_000 });

const phone = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function pageWidth(page) {
  return page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
}

test('the customer list works on a 375 px wide phone without horizontal scrolling', { timeout: 180_000 }, async () => {
  const page = await suite.newPage(phone);
  await signIn(page, 'kefu');
  assert.ok((await pageWidth(page)).scroll <= 375, 'the home page fits');

  await page.goto('/customers');
  assert.equal(await text(page, 'h1'), '客户');
  const rows = page.locator('table.cards tbody tr');
  assert.ok((await rows.count()) > 5, 'customers are listed');
  const width = await pageWidth(page);
  assert.ok(width.scroll <= 375, `page body is ${width.scroll} px wide at a 375 px viewport`);
  // Every row is readable: its cells lie inside the screen.
  const overflowing = await page.evaluate(() =>
    [...document.querySelectorAll('table.cards tbody td, header, nav.menu, form.filters')]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.width > 0 && (r.left < -1 || r.right > 376)).length,
  );
  assert.equal(overflowing, 0, 'no cell, header or filter reaches beyond the screen');
  await screenshot(page, 'customers-375', { fullPage: false });

  // Searching and opening a customer works on the phone too.
  const firstName = (await rows.first().locator('td').nth(1).locator('a').innerText()).trim();
  await page.fill('form.filters input[name=q]', firstName);
  await Promise.all([page.waitForURL((url) => url.searchParams.get('q') === firstName), page.press('form.filters input[name=q]', 'Enter')]);
  const found = page.locator('table.cards tbody tr', { hasText: firstName });
  assert.ok((await found.count()) >= 1, `searching "${firstName}" finds the customer`);
  await Promise.all([page.waitForURL(/\/customers\/\d+$/), found.first().locator('td').nth(1).locator('a').click()]);
  assert.match(await text(page, 'h1'), new RegExp(`^${firstName}`));
  assert.ok((await pageWidth(page)).scroll <= 375, 'the customer card fits');
  await screenshot(page, 'customer-card-375', { fullPage: false });
});
