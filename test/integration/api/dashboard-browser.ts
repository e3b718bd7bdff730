/**
 * Debian's chromium for the dashboard tests (playwright-core, headless, no
 * browser download), and logging in to the dashboard as an agency: type its
 * key, wait for the app and a live event stream, then for what the test
 * reads first.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AgencyId, ApiFixture } from './api-fixture.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface LoginOptions {
  /** @defaultValue 'Asia/Shanghai' */
  readonly timezoneId?: string;
  /** Window height in CSS pixels (width 1440). @defaultValue 1100 */
  readonly height?: number;
  /** Language stored before logging in; otherwise the page's default. */
  readonly lang?: 'zh' | 'en';
  /** What must be on the page before the test goes on. @defaultValue every visible section drawn (`#rivers svg g.section`) */
  readonly ready?: { readonly selector: string; readonly state?: 'attached' | 'visible' };
}

export async function loggedIn(browser: Browser, fx: ApiFixture, agency: AgencyId, options: LoginOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: options.height ?? 1100 },
    locale: 'zh-CN',
    timezoneId: options.timezoneId ?? 'Asia/Shanghai',
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${agency}] page error: ${err.message}`));
  await page.goto(fx.baseUrl!);
  const lang = options.lang;
  if (lang) await page.evaluate((l) => window.localStorage.setItem('rw.lang', l), lang);
  await page.fill('#login-key', fx.key[agency]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app-view:not([hidden])');
  await page.waitForSelector('#live-state[data-state="live"]', { timeout: 15_000 });
  const ready = options.ready ?? { selector: '#rivers svg g.section' };
  await page.waitForSelector(ready.selector, ready.state ? { state: ready.state } : {});
  return page;
}
