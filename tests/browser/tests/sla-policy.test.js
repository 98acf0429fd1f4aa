// SLA policies and the software queue, as the customer department and a technician use them:
// a policy for urgent calls is added on its form and listed in rank order; open software
// issues are listed BUG first.

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

test('the customer department adds an SLA policy for urgent calls', { timeout: 120_000 }, async () => {
  const page = await suite.newPage();
  await signIn(page, 'admin');
  await page.goto('/sla-policies/new');
  await page.fill('#policy-form input[name=name]', '加急报修');
  await page.fill('#policy-form input[name=rank]', '5');
  await page.selectOption('#policy-form select[name=urgency]', 'urgent');
  const row = page.locator('#policy-form fieldset.clock-row').first();
  await row.locator('input[name=clock_name]').fill('arrival');
  await row.locator('input[name=clock_start_on]').fill('register');
  await row.locator('input[name=clock_stop_on]').fill('teleport');
  await row.locator('input[name=clock_minutes]').fill('240');
  // An unknown event is refused next to its row, and nothing is saved.
  assert.equal((await submit(page, '#policy-form button[type=submit]')).status(), 422);
  assert.match(await text(page, '#policy-form fieldset.clock-row small.error'), /./);
  await page.locator('#policy-form fieldset.clock-row').first().locator('input[name=clock_stop_on]').fill('check_in');
  assert.equal((await submit(page, '#policy-form button[type=submit]')).status(), 303);
  assert.equal(new URL(page.url()).pathname, '/sla-policies');
  const first = page.locator('#sla-policies tbody tr').first();
  assert.equal(await first.getAttribute('data-policy'), '加急报修', 'rank 5 comes before the shipped software policy');
  assert.match(await first.innerText(), /240/);
  await screenshot(page, 'sla-policies');
});

test('the software queue lists the open software issues with BUGs first', { timeout: 120_000 }, async () => {
  const page = await suite.newPage();
  await signIn(page, 'admin');
  await page.goto('/software-queue');
  const rows = await page.locator('#software-queue tbody tr').allInnerTexts();
  assert.ok(rows.length > 0 && !rows[0].includes('暂无'), rows.join('\n'));
  // The demo's open software issues: every BUG is listed before any other class.
  const classes = rows.map((r) => (r.includes('BUG') ? 0 : 1));
  assert.deepEqual(classes, [...classes].sort((a, b) => a - b), rows.join('\n'));
});
