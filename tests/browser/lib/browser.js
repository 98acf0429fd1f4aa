// Headless Debian Chromium driven by playwright-core, and small helpers shared by the tests.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { DEMO_PASSWORD, startServer } from './server.js';

export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    // Without the background-networking flags Chromium keeps trying to reach Google's
    // services, which the closed network of the test machines refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * One server and one browser for a test file: call in `before`, and `close()` in `after`.
 * Each `newPage()` is a fresh browser context (own cookies) whose browser asks for Chinese,
 * as the company's users' browsers do. `serverOptions` go to `startServer` (e.g.
 * `{ movableClock: true }` for `suite.server.advanceClock(hours)`).
 */
export async function startSuite(serverOptions = {}) {
  const server = await startServer(serverOptions);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const contexts = [];
  return {
    server,
    baseUrl: server.baseUrl,
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        baseURL: server.baseUrl,
        locale: 'zh-CN',
        viewport: { width: 1280, height: 900 },
        ...options,
      });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      try {
        for (const context of contexts) await context.close().catch(() => {});
        await browser.close();
      } finally {
        await server.stop();
      }
    },
  };
}

/** Signs in through the sign-in form and waits for the page it lands on. */
export async function signIn(page, username, password = DEMO_PASSWORD) {
  await page.goto('/sign-in');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/sign-in"] button[type=submit]')]);
}

/** Submits the form that holds `buttonSelector` and returns the response to the POST. */
export async function submit(page, buttonSelector) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.click(buttonSelector),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** Saves a picture of the page (the whole page, or only the screen with `{ fullPage: false }`). */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** A mobile number no demo customer has. */
export function randomMobile() {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** The trimmed text of the first element matching `selector`. */
export async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

/** yyyy-mm-dd of a local date. */
export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The date `months` months before today (day of month kept at the 10th to avoid month ends). */
export function monthsAgo(months, from = new Date()) {
  return new Date(from.getFullYear(), from.getMonth() - months, 10);
}
