/**
 * The public page in Debian's chromium (playwright-core, headless) against
 * the real server: loaded without a key, it lists every sample section with
 * its current class and target and 30 days of classes, and the closed joint
 * task; it switches to English; it never asks for a key. Screenshots go to
 * test-artifacts/public-view/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './dashboard-browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublicViewFixture, type PublicViewFixture } from './public-view-fixture.js';

const ARTIFACTS = join('test-artifacts', 'public-view');

let fx: PublicViewFixture;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = await startPublicViewFixture();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the public page', () => {
  it('loads without a key and shows every sample section with its class, target and days; the closed task; English on request', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.url()} ${r.headers().authorization ?? ''}`));
    await page.goto(`${fx.baseUrl}/public/`);
    await page.waitForSelector('#sections tbody tr[data-section]');

    const rows = await page.$$eval('#sections tbody tr[data-section]', (trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-section'),
        name: tr.querySelector('.section-name')?.textContent ?? '',
        current: tr.querySelector('.current .cls')?.getAttribute('data-class'),
        currentText: tr.querySelector('.current .cls')?.textContent ?? '',
        days: tr.querySelectorAll('.day').length,
      })),
    );
    expect(rows.map((r) => r.id).sort()).toEqual([...fx.registry.sections.keys()].sort());
    const fenhu = rows.find((r) => r.id === 'tp-fenhu')!;
    expect(fenhu.name).toContain('汾湖');
    expect(fenhu.current).toBe('2');
    expect(fenhu.currentText).toBe('Ⅱ类');
    for (const r of rows) expect(r.days, r.id ?? '').toBe(30);
    expect(await page.locator('tr[data-section="tp-fenhu"] .day.miss').count()).toBeGreaterThanOrEqual(5);
    const task = page.locator(`#tasks tr[data-task="${fx.closedTask.id}"]`);
    await expect(task.textContent()).resolves.toContain('保持 72 小时后办结');
    await page.screenshot({ path: join(ARTIFACTS, '01-public-zh.png'), fullPage: true });

    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.textContent('tr[data-section="tp-fenhu"] .section-name')).toContain('Fenhu');
    expect(await page.textContent('tr[data-section="tp-fenhu"] .current .cls')).toBe('II');
    expect(await task.textContent()).toContain('within its target class for 72 h');
    await page.screenshot({ path: join(ARTIFACTS, '02-public-en.png'), fullPage: true });

    // No key anywhere: no Authorization header, no key in a URL, no login form.
    expect(requests.every((r) => !/Bearer|key=/.test(r))).toBe(true);
    expect(await page.locator('input[type=password]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
