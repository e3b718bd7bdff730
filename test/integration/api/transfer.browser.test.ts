/**
 * Transfers on the dashboard in Debian's chromium against the real server
 * (issue 18): Menghai receives an alert at its reach whose source lies in
 * Lancang county and transfers it from the dashboard (alert and responsible
 * agency picked from lists, reason typed); Lancang's dashboard shows it as
 * received with the reason and deadline, Lancang accepts and reports its
 * result; Menghai's dashboard shows the result without a reload. A third
 * agency sees nothing of it. Screenshots go to test-artifacts/transfers/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent, reading, startApiFixture, waitFor, type AgencyId, type ApiFixture } from './api-fixture.js';
import { launchChromium, loggedIn as logIn } from './dashboard-browser.js';

const ARTIFACTS = join('test-artifacts', 'transfers');
const MIN = 60_000;

let fx: ApiFixture;
let browser: Browser;
let alertId = '';

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = await startApiFixture({ listen: true });
  const now = Date.now();
  const readings = [];
  for (const stationId of ['NL-LC-01', 'NL-LC-02', 'NL-BD-LC', 'NL-BD-MH', 'NL-MH-01', 'NL-MH-02'])
    for (let i = 12; i >= 0; i--)
      readings.push(reading(stationId, fx.registry.station(stationId)!.sectionId, now - i * 10 * MIN, { ph: 7.5, do: 7.2, codmn: 2.5, nh3n: stationId.startsWith('NL-MH') ? 1.3 : 0.3, tp: 0.05 }));
  await fx.writeReadings(readings);
  await fx.publish([
    alertEvent({ sectionId: 'nl-menghai', stationId: 'NL-MH-01', key: 'exceedance:nl-menghai:nh3n', level: 'yellow', ts: now, message: '氨氮 1.3 mg/L，超过Ⅲ类目标' }),
  ]);
  alertId = (await waitFor('alert', async () => (await fx.alerts.listAlerts({ limit: 10, offset: 0 })).items.find((a) => a.sectionId === 'nl-menghai'))).id;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

// The transfer card is filled (the registry's agencies loaded).
const loggedIn = (agency: AgencyId): Promise<Page> =>
  logIn(browser, fx, agency, { height: 1400, ready: { selector: '#transfer-form select[name="to"] option:nth-child(2)', state: 'attached' } });

describe('transfers on the dashboard', () => {
  let menghai: Page;
  let lancang: Page;
  const transferItem = (page: Page) => page.locator('#transfers li.transfer');

  it('Menghai transfers the alert to Lancang from the dashboard', async () => {
    menghai = await loggedIn('menghai');
    await menghai.waitForSelector(`#alerts li.alert[data-alert-id="${alertId}"]`);
    await menghai.selectOption('#transfer-form select[name="alert"]', alertId);
    await menghai.selectOption('#transfer-form select[name="to"]', 'lancang');
    await menghai.fill('#transfer-form input[name="reason"]', '污染源为澜沧县境内企业排口');
    await menghai.click('#transfer-form button[data-action="transfer"]');
    const item = transferItem(menghai);
    await item.waitFor();
    expect(await item.getAttribute('data-direction')).toBe('out');
    expect(await item.getAttribute('data-status')).toBe('pending');
    expect(await item.locator('.transfer-to').textContent()).toBe('普洱市生态环境局澜沧分局');
    expect(await item.locator('.transfer-reason').textContent()).toBe('污染源为澜沧县境内企业排口');
    await menghai.screenshot({ path: join(ARTIFACTS, '01-menghai-sent.png'), fullPage: true });
  });

  it('Lancang sees it as received, with reason and deadline, and accepts it', async () => {
    lancang = await loggedIn('lancang');
    const item = transferItem(lancang);
    await item.waitFor();
    expect(await item.getAttribute('data-direction')).toBe('in');
    expect(await item.locator('.transfer-subject').textContent()).toBe('氨氮 1.3 mg/L，超过Ⅲ类目标');
    expect(await item.locator('.deadline').textContent()).toMatch(/剩余 1[12] 小时/);
    // Lancang does not see the Menghai reach's alerts themselves, only what was transferred.
    expect(await lancang.locator(`#alerts li.alert[data-alert-id="${alertId}"]`).count()).toBe(0);
    await lancang.screenshot({ path: join(ARTIFACTS, '02-lancang-received.png'), fullPage: true });
    await item.locator('button[data-action="accept"]').click();
    await lancang.waitForSelector('#transfers li.transfer[data-status="accepted"]');
  });

  it('Lancang reports its result; Menghai sees it live', async () => {
    await lancang.fill('#transfers li.transfer input[name="result"]', '排口已封堵，已责令企业整改');
    await lancang.click('#transfers li.transfer button[data-action="result"]');
    await lancang.waitForSelector('#transfers li.transfer[data-status="completed"]');
    // Menghai's page was not reloaded: the transfer steps come over the live stream.
    await menghai.waitForSelector('#transfers li.transfer[data-status="completed"]', { timeout: 15_000 });
    expect(await menghai.locator('#transfers .transfer-result').textContent()).toContain('排口已封堵，已责令企业整改');
    await menghai.screenshot({ path: join(ARTIFACTS, '03-menghai-result.png'), fullPage: true });
    const history = (await fx.alerts.getAlert(alertId))!.history.map((h) => h.type);
    expect(history.filter((x) => x.startsWith('transfer'))).toEqual(['transferred', 'transfer-accepted', 'transfer-result']);
  });

  it('an agency outside both sides sees nothing of it', async () => {
    const wujiang = await loggedIn('wujiang');
    await wujiang.waitForSelector('#transfers-empty:not([hidden])');
    expect(await transferItem(wujiang).count()).toBe(0);
  });
});
