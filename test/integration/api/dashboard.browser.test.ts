/**
 * The dashboard in Debian's chromium (playwright-core, headless, no browser
 * download) against the real server on a free port with real Redis and
 * InfluxDB: an agency logs in, sees its river, sees a simulated spill's
 * alert appear live (published through the alerts stage's own entry point,
 * as analytics does) without a reload, acknowledges it, sees the joint task;
 * the stream recovers after the connection drops; another agency's login
 * does not see the alert. Screenshots go to test-artifacts/dashboard/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent, reading, startApiFixture, waitFor, type AgencyId, type ApiFixture } from './api-fixture.js';
import { launchChromium, loggedIn as logIn } from './dashboard-browser.js';

const ARTIFACTS = join('test-artifacts', 'dashboard');
const MIN = 60_000;

let fx: ApiFixture;
let browser: Browser;
const now = Date.now();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = await startApiFixture({ listen: true });
  // Current readings on the Taipu: clean upstream, ammonia rising towards Jinze (class III at Jiashan, IV at Fenhu).
  const values: Record<string, Record<string, number>> = {
    'TP-FH-JS': { ph: 7.4, do: 6.2, codmn: 4.5, nh3n: 1.2, tp: 0.16 },
    'TP-FH-ZJ': { ph: 7.4, do: 6.4, codmn: 4.2, nh3n: 1.1, tp: 0.15 },
    'TP-JS-01': { ph: 7.3, do: 6.8, codmn: 3.9, nh3n: 0.8, tp: 0.12 },
    'TP-JZ-ZJ': { ph: 7.5, do: 7.6, codmn: 2.0, nh3n: 0.12, tp: 0.018 },
    'TP-JZ-SH': { ph: 7.5, do: 7.7, codmn: 1.9, nh3n: 0.1, tp: 0.015 },
    'TP-LT-01': { ph: 7.6, do: 7.0, codmn: 3.0, nh3n: 0.4, tp: 0.09 },
    'TP-GATE-01': { ph: 7.6, do: 7.2, codmn: 2.8, nh3n: 0.3, tp: 0.05 },
  };
  const readings = [];
  for (const [stationId, v] of Object.entries(values)) {
    const sectionId = fx.registry.station(stationId)!.sectionId;
    // 24 h of 10-minute data with a daily swing, so the charts have a shape.
    for (let i = 144; i >= 0; i--) {
      const swing = 1 + 0.08 * Math.sin((i / 144) * 2 * Math.PI);
      readings.push(
        reading(
          stationId,
          sectionId,
          now - i * 10 * MIN,
          Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Math.round(x * swing * 1000) / 1000])),
          {},
        ),
      );
    }
  }
  await fx.writeReadings(readings);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

// Registry and state loaded: every visible section is drawn.
const loggedIn = (agency: AgencyId): Promise<Page> => logIn(browser, fx, agency);

const alertItems = (page: Page) => page.locator('#alerts li.alert');

/** Total phosphorus at Fenhu (one condition: a second event raises the same alert's level). */
const fenhuPhosphorus = (level: 'yellow' | 'orange', message: string) =>
  alertEvent({ key: 'exceedance:tp-fenhu:tp', sectionId: 'tp-fenhu', stationId: 'TP-FH-JS', parameters: ['tp'], level, ts: Date.now(), message });

describe('dashboard in chromium', () => {
  let jiashan: Page;
  let wujiang: Page;
  let spillAlertId = '';

  it('an agency logs in and sees its river upstream to downstream, coloured by class, with the boundaries marked', async () => {
    jiashan = await loggedIn('jiashan');
    await jiashan.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const sections = await jiashan
      .locator('#rivers g.section')
      .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-section-id'), cls: e.getAttribute('class') })));
    expect(sections.map((s) => s.id)).toEqual(['tp-fenhu', 'tp-jiashan', 'tp-jinze']);
    // Fenhu's worst station is class IV (ammonia 1.2 at the top of its swing band), Jinze class I–II.
    expect(sections[0]!.cls).toMatch(/\bcls-4\b/);
    expect(sections[2]!.cls).toMatch(/\bcls-[12]\b/);
    expect(await jiashan.locator('#rivers .boundary-line').count()).toBeGreaterThanOrEqual(2);
    expect(await jiashan.textContent('#agency-name')).toBe('嘉兴市生态环境局嘉善分局');
    expect(await alertItems(jiashan).count()).toBe(0);
    // Charts of the first station, with the target limit line.
    await jiashan.waitForSelector('#charts figure.chart canvas');
    expect(await jiashan.locator('#charts figure.chart').count()).toBeGreaterThanOrEqual(5);
    await jiashan.screenshot({ path: join(ARTIFACTS, '01-jiashan-logged-in.png'), fullPage: true });
  });

  it('a simulated spill’s alert appears live, without a reload, newest first with its level colour', async () => {
    const t0 = Date.now();
    await fx.publish([
      alertEvent({
        key: 'exceedance:tp-jinze:nh3n',
        sectionId: 'tp-jinze',
        stationId: 'TP-JZ-ZJ',
        level: 'orange',
        ts: Date.now(),
        message: '氨氮 2.4 mg/L，超过Ⅱ类目标 3.8 倍（疑似上游排污）',
        evidence: { values: { nh3n: 2.4 }, limit: { nh3n: 0.5 } },
      }),
    ]);
    const item = jiashan.locator('#alerts li.alert.level-orange');
    await item.waitFor({ timeout: 10_000 });
    const seenMs = Date.now() - t0;
    spillAlertId = (await item.getAttribute('data-alert-id')) ?? '';
    expect(spillAlertId).not.toBe('');
    expect(await item.getAttribute('data-status')).toBe('open');
    expect(await item.locator('.level-badge').textContent()).toBe('橙色预警');
    expect(await jiashan.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    // The section on the river gets the alert ring.
    await jiashan.waitForSelector('#rivers g.section[data-section-id="tp-jinze"] circle.alert-ring.level-orange');
    console.log(`alert visible in the browser ${seenMs} ms after publish`);
    await jiashan.screenshot({ path: join(ARTIFACTS, '02-jiashan-live-alert.png'), fullPage: true });
  });

  it('acknowledging the alert updates it in place', async () => {
    const item = jiashan.locator(`#alerts li.alert[data-alert-id="${spillAlertId}"]`);
    await item.locator('button.ack').click();
    await jiashan.waitForSelector(`#alerts li.alert[data-alert-id="${spillAlertId}"][data-status="acknowledged"]`);
    expect(await item.locator('button.ack').count()).toBe(0);
    const stored = await fx.alerts.getAlert(spillAlertId);
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.acknowledged?.actor.agencyId).toBe('jiashan');
  });

  it('the joint task shows up with its parties, deadline and the eight steps', async () => {
    const task = jiashan.locator('#tasks li.task');
    await task.first().waitFor({ timeout: 15_000 });
    const parties = await task
      .first()
      .locator('tr[data-party]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-party')));
    expect([...parties].sort()).toEqual(['jiashan', 'qingpu']);
    expect(await task.first().locator('ol.steps').first().locator('li').count()).toBe(8);
    const stored = (await fx.alerts.listTasks({ sectionId: 'tp-jinze', limit: 5, offset: 0 })).items[0];
    expect(await task.first().getAttribute('data-task-id')).toBe(stored?.id);
    await jiashan.screenshot({ path: join(ARTIFACTS, '03-jiashan-acknowledged-and-task.png'), fullPage: true });
  });

  it('recovers after the connection drops: an alert raised meanwhile still arrives', async () => {
    fx.app.server.closeAllConnections();
    await fx.publish([fenhuPhosphorus('yellow', 'total phosphorus above the class III limit')]);
    await jiashan.locator('#alerts li.alert.level-yellow').waitFor({ timeout: 20_000 });
    await jiashan.waitForSelector('#live-state[data-state="live"]');
    expect(await alertItems(jiashan).count()).toBe(2);
    // Newest first.
    expect(await alertItems(jiashan).first().getAttribute('class')).toMatch(/level-yellow/);
    expect(await jiashan.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  });

  it('another agency’s login does not see those alerts, but sees its own live', async () => {
    wujiang = await loggedIn('wujiang');
    // Wujiang is a party of Fenhu (upstream side), not of Jinze.
    const ids = await alertItems(wujiang).evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')));
    expect(ids).not.toContain(spillAlertId);
    expect(await wujiang.locator('#rivers g.section[data-section-id="tp-jinze"]').count()).toBe(0);
    // It does see the Fenhu task (the yellow alert above opened one there, and it is a party), not Jinze's.
    const jinzeTask = (await fx.alerts.listTasks({ sectionId: 'tp-jinze', limit: 5, offset: 0 })).items[0]!;
    await wujiang.locator('#tasks li.task').first().waitFor();
    const taskIds = await wujiang.locator('#tasks li.task').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
    expect(taskIds).not.toContain(jinzeTask.id);
    expect(taskIds).toHaveLength(1);

    await fx.publish([
      alertEvent({
        key: 'sudden-change:tp-gate:cond',
        kind: 'sudden-change',
        sectionId: 'tp-gate',
        stationId: 'TP-GATE-01',
        parameters: ['cond'],
        level: 'red',
        ts: Date.now(),
        message: 'conductivity jumped 4× within 10 min',
      }),
    ]);
    await wujiang.locator('#alerts li.alert.level-red').waitFor({ timeout: 10_000 });
    // ...which the downstream county, not a party of Taipu Gate, never gets.
    await waitFor(
      'the gate alert to be stored',
      async () => (await fx.alerts.listAlerts({ sectionId: 'tp-gate', limit: 1, offset: 0 })).items[0],
    );
    await jiashan.waitForTimeout(1500);
    expect(await jiashan.locator('#alerts li.alert.level-red').count()).toBe(0);
    await wujiang.screenshot({ path: join(ARTIFACTS, '04-wujiang-own-alerts-only.png'), fullPage: true });
  });

  it('switches to English and back', async () => {
    await jiashan.click('#lang-switch');
    expect(await jiashan.textContent('#alerts-title')).toContain('Active alerts');
    expect(await jiashan.locator('#alerts li.alert .level-badge').first().textContent()).toBe('Yellow');
    await jiashan.screenshot({ path: join(ARTIFACTS, '05-jiashan-english.png'), fullPage: true });
    await jiashan.click('#lang-switch');
    expect(await jiashan.textContent('#alerts-title')).toContain('未解除预警');
  });

  it('the 7-day view draws hourly means', async () => {
    await jiashan.selectOption('#station-select', 'TP-FH-JS');
    await jiashan.click('[data-range="7d"]');
    await jiashan.waitForFunction(() => document.getElementById('station-meta')?.textContent?.includes('小时均值'));
    await jiashan.waitForSelector('#charts figure.chart[data-parameter="nh3n"] canvas');
    await jiashan.screenshot({ path: join(ARTIFACTS, '06-jiashan-7-days.png'), fullPage: true });
  });
  it('resolving with a reason keeps what is being typed while live events re-render the list', async () => {
    const fenhu = jiashan.locator('#alerts li.alert[data-status="open"]').first();
    const alertId = (await fenhu.getAttribute('data-alert-id')) ?? '';
    await fenhu.locator('button.resolve').click();
    const input = jiashan.locator(`input[data-resolve-for="${alertId}"]`);
    await input.pressSequentially('上游排口已封堵');
    // A level raise of the same condition arrives meanwhile and the list is drawn again.
    await fx.publish([fenhuPhosphorus('orange', 'total phosphorus far above the class III limit')]);
    await jiashan.waitForSelector(`#alerts li.alert.level-orange[data-alert-id="${alertId}"]`);
    await input.pressSequentially('，水质恢复');
    expect(await input.inputValue()).toBe('上游排口已封堵，水质恢复');
    await jiashan.locator(`#alerts li.alert[data-alert-id="${alertId}"] .resolve-form button[type=submit]`).click();
    await jiashan.locator(`#alerts li.alert[data-alert-id="${alertId}"]`).waitFor({ state: 'detached' });
    const stored = await fx.alerts.getAlert(alertId);
    expect(stored?.status).toBe('resolved');
    expect(stored?.resolved?.reason).toBe('上游排口已封堵，水质恢复');
  });
  it('exports the shown range as CSV and opens the printable section report', async () => {
    const [download] = await Promise.all([jiashan.waitForEvent('download'), jiashan.click('#export-csv')]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'time,station,section,temp,temp_flag,ph,ph_flag,do,do_flag,cond,cond_flag,turb,turb_flag,codmn,codmn_flag,nh3n,nh3n_flag,tp,tp_flag,tn,tn_flag',
    );
    // The 7-day range is shown; the station has 24 h of 10-minute data.
    expect(csv.split('\r\n').filter((l) => l.includes(',TP-FH-JS,')).length).toBe(145);

    const [report] = await Promise.all([jiashan.waitForEvent('popup'), jiashan.click('#open-report')]);
    await report.waitForSelector('h1');
    expect(await report.textContent('h1')).toBe('断面水质联合会商报告');
    // The stylesheet loaded under the page's CSP (centred title comes from report.css).
    await report.waitForFunction(() => getComputedStyle(document.querySelector('h1')!).textAlign === 'center');
    expect(await report.locator('table.facts').textContent()).toContain('tp-fenhu');
    await report.screenshot({ path: join(ARTIFACTS, '07-section-report.png'), fullPage: true });
    await report.close();
  });
});
