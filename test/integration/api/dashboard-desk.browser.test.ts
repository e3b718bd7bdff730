/**
 * The monitoring-centre desk in Debian's chromium (issue 15): the charts of
 * a station whose nutrient analysers report every 4 hours next to 5-minute
 * probes show their points in the 24-hour and the 7-day window (counted as
 * drawn pixels of the series colour on each chart's canvas, so an empty
 * chart with axes fails), and alert texts are rendered in the page's
 * language from structured fields, with section and station names and
 * local times, never a raw ISO timestamp. Screenshots go to
 * test-artifacts/desk/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent, reading, startApiFixture, waitFor, type AgencyId, type ApiFixture } from './api-fixture.js';
import { launchChromium, loggedIn as logIn } from './dashboard-browser.js';

const ARTIFACTS = join('test-artifacts', 'desk');
const MIN = 60_000;
const HOUR = 60 * MIN;
const NUTRIENTS = ['codmn', 'nh3n', 'tp', 'tn'];
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

let fx: ApiFixture;
let browser: Browser;
const now = Date.now();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Orange alerts are re-notified every 30 min while unacknowledged, climbing the chain from the 2nd reminder.
  fx = await startApiFixture({
    listen: true,
    alerts: { reminderIntervalMsByLevel: { orange: 30 * MIN }, escalateAlertsFromReminder: 2 },
  });
  // Liantang: probes every 5 minutes for 7 days; the nutrient analysers every 4 hours (on the hour, as loggers do).
  const readings = [];
  const start = Math.floor((now - 7 * 24 * HOUR) / (4 * HOUR)) * 4 * HOUR;
  for (let ts = start; ts <= now; ts += 5 * MIN) {
    const phase = Math.sin(((ts - start) / (24 * HOUR)) * 2 * Math.PI);
    const values: Record<string, number> = {
      ph: 7.5 + 0.2 * phase,
      do: 7 + 0.8 * phase,
      temp: 16 + 2 * phase,
      cond: 320 + 20 * phase,
    };
    if (ts % (4 * HOUR) === 0)
      Object.assign(values, { codmn: 3 + 0.8 * phase, nh3n: 0.5 + 0.3 * phase, tp: 0.12 + 0.05 * phase, tn: 1.4 + 0.3 * phase });
    readings.push(reading('TP-LT-01', 'tp-liantang', ts, values));
  }
  await fx.writeReadings(readings);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

/** Logged in with the page in Chinese, in UTC. */
const loggedIn = (agency: AgencyId): Promise<Page> => logIn(browser, fx, agency, { timezoneId: 'UTC', lang: 'zh' });

/** Pixels of the series colour (#1f5fa8) on a parameter's chart: what a user sees of its data. */
function seriesPixels(page: Page, parameter: string): Promise<number> {
  return page.$eval(`#charts figure.chart[data-parameter="${parameter}"] canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4)
      if (
        Math.abs(data[i]! - 31) < 30 &&
        Math.abs(data[i + 1]! - 95) < 30 &&
        Math.abs(data[i + 2]! - 168) < 30 &&
        data[i + 3]! > 100
      )
        n++;
    return n;
  });
}

async function showStation(page: Page, stationId: string, range: '24h' | '7d'): Promise<void> {
  await page.selectOption('#station-select', stationId);
  await page.click(`[data-range="${range}"]`);
  await page.waitForFunction(
    (want) => document.getElementById('station-meta')?.textContent?.includes(want),
    range === '7d' ? '小时均值' : '原始数据',
  );
  await page.waitForSelector('#charts figure.chart[data-parameter="tp"] canvas');
}

describe('the desk in chromium', () => {
  let page: Page;

  it('a parameter sampled every 4 hours is visible in the 24-hour window', async () => {
    page = await loggedIn('taihu-bureau');
    await showStation(page, 'TP-LT-01', '24h');
    for (const p of NUTRIENTS) expect(await seriesPixels(page, p), `${p} drawn in 24 h`).toBeGreaterThan(40);
    // The 5-minute probes are drawn as before.
    expect(await seriesPixels(page, 'do')).toBeGreaterThan(200);
    await page.screenshot({ path: join(ARTIFACTS, '01-liantang-24h-nutrients.png'), fullPage: true });
  });

  it('a parameter sampled every 4 hours is visible in the 7-day window', async () => {
    await showStation(page, 'TP-LT-01', '7d');
    for (const p of NUTRIENTS) expect(await seriesPixels(page, p), `${p} drawn in 7 days`).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS, '02-liantang-7d-nutrients.png'), fullPage: true });
  });

  it('alert texts are in the page language, with section and station names and local times', async () => {
    // 2026-12-06 19:08 UTC is 12-07 03:08 in Shanghai: the page must show the section's time, not the browser's (UTC here).
    const fromTs = Date.parse('2026-12-06T19:08:29.618Z');
    await fx.publish([
      alertEvent({
        key: 'upstream-arrival:tp-liantang:tp-fenhu',
        kind: 'upstream-arrival',
        level: 'blue',
        sectionId: 'tp-liantang',
        parameters: ['codmn'],
        message: `Upstream alert at tp-fenhu (codmn) expected at tp-liantang from ${new Date(fromTs).toISOString()}`,
        evidence: { values: { codmn: 9.1 }, originSectionId: 'tp-fenhu' },
        arrival: { fromTs, peakTs: fromTs + 3 * HOUR, toTs: fromTs + 7 * HOUR, originSectionId: 'tp-fenhu' },
      }),
      alertEvent({
        key: 'exceedance:tp-liantang:nh3n',
        sectionId: 'tp-liantang',
        stationId: 'TP-LT-01',
        level: 'yellow',
        message: 'Ammonia nitrogen (nh3n) 1.62 mg/L at tp-liantang (TP-LT-01): above the target class, limit 1 mg/L',
        evidence: { values: { nh3n: 1.62 }, limit: { nh3n: 1 }, targetClass: 3 },
      }),
      alertEvent({
        key: 'dq-flag:TP-LT-01',
        kind: 'data-quality',
        level: undefined,
        sectionId: 'tp-liantang',
        stationId: 'TP-LT-01',
        parameters: ['tp'],
        message: 'Station TP-LT-01 reports tp:D',
        evidence: { flags: { tp: 'D' } },
      }),
    ]);
    await page.locator('#alerts li.alert').nth(2).waitFor({ timeout: 10_000 });
    const texts = await page.locator('#alerts li.alert .alert-message').allTextContents();
    const upstream = texts.find((x) => x.includes('上游'));
    expect(upstream).toBe(
      '上游汾湖（苏浙交界）预警（高锰酸盐指数），预计 12/07 03:08 至 12/07 10:08 到达练塘，峰值约 12/07 06:08',
    );
    expect(texts).toContain('练塘站氨氮 1.62mg/L，超过Ⅲ类目标限值 1mg/L');
    expect(texts).toContain('练塘站报告数据标记：总磷：故障');
    const body = await page.locator('body').innerText();
    expect(body).not.toMatch(ISO);
    expect(body).not.toMatch(/Upstream|Station TP-|above the target/);
    await page.screenshot({ path: join(ARTIFACTS, '03-alert-texts-zh.png'), fullPage: true });

    await page.click('#lang-switch');
    const en = await page.locator('#alerts li.alert .alert-message').allTextContents();
    expect(en).toContain(
      'Upstream alert at Fenhu (Jiangsu–Zhejiang boundary) (Permanganate index) expected at Liantang from 07 Dec, 03:08 to 07 Dec, 10:08, peak about 07 Dec, 06:08',
    );
    expect(await page.locator('body').innerText()).not.toMatch(ISO);
    await page.screenshot({ path: join(ARTIFACTS, '04-alert-texts-en.png'), fullPage: true });
    await page.click('#lang-switch');
  });

  it('silences a station from the page: its new alert is shown greyed with who and why, opens no task at a boundary section; ending it from the page releases it', async () => {
    const form = page.locator('#silence-form');
    await form.locator('select[name=sectionId]').selectOption('tp-jinze');
    await form.locator('select[name=stationId]').selectOption('TP-JZ-SH');
    await form.locator('input[name=reason]').fill('氨氮分析仪校准');
    await form.locator('button[type=submit]').click();
    const item = page.locator('#silences li.silence');
    await item.first().waitFor({ timeout: 10_000 });
    const silenceId = (await item.first().getAttribute('data-silence-id')) ?? '';
    expect(await item.first().locator('.silence-what').textContent()).toBe('金泽（浙沪交界，水源地） · 金泽上海站');
    expect(await item.first().locator('.silence-audit').textContent()).toContain('创建 · 太湖流域东海海域生态环境监督管理局');
    const stored = await fx.alerts.silences.get('taihu-bureau', silenceId);
    expect(stored.matcher).toEqual({ sectionId: 'tp-jinze', stationId: 'TP-JZ-SH' });
    // The form's times are the sections' local time: a silence "from now" starts within the current minute.
    expect(Math.abs(stored.startsAt - Date.now())).toBeLessThan(120_000);

    await fx.publish([
      alertEvent({
        key: 'exceedance:tp-jinze:tp',
        sectionId: 'tp-jinze',
        stationId: 'TP-JZ-SH',
        parameters: ['tp'],
        level: 'orange',
        message: 'Total phosphorus (tp) 0.41 mg/L at tp-jinze (TP-JZ-SH): worse than class V',
        evidence: { values: { tp: 0.41 }, limit: { tp: 0.1 }, targetClass: 2 },
      }),
    ]);
    const greyed = page.locator(`#alerts li.alert.is-silenced[data-silence-id="${silenceId}"]`);
    await greyed.waitFor({ timeout: 10_000 });
    expect(await greyed.locator('.silenced-note').textContent()).toContain('氨氮分析仪校准');
    expect(await greyed.locator('.silenced-note').textContent()).toContain('太湖流域东海海域生态环境监督管理局');
    const alertId = (await greyed.getAttribute('data-alert-id')) ?? '';
    const inTask = async () =>
      (await fx.alerts.listTasks({ sectionId: 'tp-jinze', limit: 10, offset: 0 })).items.some((x) =>
        x.alertIds.includes(alertId),
      );
    expect(await inTask()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, '05-silence-and-greyed-alert.png'), fullPage: true });

    await item.first().locator('button.end-silence').click();
    await page.locator(`#silences li.silence[data-silence-id="${silenceId}"]`).waitFor({ state: 'detached' });
    await page.locator(`#alerts li.alert[data-alert-id="${alertId}"]:not(.is-silenced)`).waitFor({ timeout: 10_000 });
    await waitFor('the released alert to reach the task rules', inTask);
    // Not acknowledged: the desk sees who is told next — the lead's superior (the ministry) at the 2nd reminder.
    const note = page.locator(`#alerts li.alert[data-alert-id="${alertId}"] .escalation-note`);
    await note.waitFor({ timeout: 10_000 });
    expect(await note.getAttribute('data-next-escalation')).toBe('mee');
    expect(await note.textContent()).toMatch(
      /^未确认 · \d{2}\/\d{2} \d{2}:\d{2} 再次通知 · \d{2}\/\d{2} \d{2}:\d{2} 上报 生态环境部$/,
    );
    const ended = await fx.alerts.silences.get('taihu-bureau', silenceId);
    expect(ended.history.map((h) => h.action)).toEqual(['created', 'ended']);
    await page.screenshot({ path: join(ARTIFACTS, '06-silence-ended.png'), fullPage: true });
    // Acknowledging stops the escalation: the plan is gone.
    await page.locator(`#alerts li.alert[data-alert-id="${alertId}"] button.ack`).click();
    await note.waitFor({ state: 'detached' });
    expect((await fx.alerts.getAlert(alertId))?.status).toBe('acknowledged');
  });

  it('resolving records what it was; the section history shows the label and can change it', async () => {
    const item = page.locator('#alerts li.alert').filter({ hasText: '练塘站氨氮' });
    const alertId = (await item.getAttribute('data-alert-id')) ?? '';
    await item.locator('button.resolve').click();
    await page.locator(`input[data-resolve-for="${alertId}"]`).fill('暴雨后氨氮短时升高');
    await page.locator(`select[data-label-for="${alertId}"]`).selectOption('false-alarm:rain');
    await item.locator('.resolve-form button[type=submit]').click();
    await item.waitFor({ state: 'detached' });
    const stored = await waitFor('the label', () => fx.alerts.feedback.get(alertId));
    expect(stored.current).toMatchObject({ label: 'false-alarm', cause: 'rain', actor: { agencyId: 'taihu-bureau' } });

    await showStation(page, 'TP-LT-01', '24h');
    const row = page.locator(`#history li.history-item[data-alert-id="${alertId}"]`);
    await page.waitForSelector(`#history li.history-item[data-alert-id="${alertId}"][data-label="false-alarm:rain"]`);
    expect(await page.textContent('#history-title')).toBe('断面预警历史（近 30 天） · 练塘');
    expect(await row.locator('.label-by').textContent()).toContain('误报：降雨 · 太湖流域东海海域生态环境监督管理局');
    expect(await row.locator('.status-badge').textContent()).toBe('已解除');
    await page.locator('#history').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, '07-history-with-labels.png'), fullPage: true });

    await row.locator('select[name=label]').selectOption('real-event');
    await row.locator('button[type=submit]').click();
    await page.waitForSelector(`#history li.history-item[data-alert-id="${alertId}"][data-label="real-event"]`);
    expect((await fx.alerts.feedback.get(alertId))?.history.map((h) => h.label)).toEqual(['false-alarm', 'real-event']);
    // The section's labelled alerts download as CSV, names in the page's language.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-feedback')]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^alert_id,section,section_name,/);
    expect(
      csv.filter(
        (l) => l.startsWith(`${alertId},tp-liantang,练塘,TP-LT-01,exceedance,yellow,nh3n,`) && l.includes(',real-event,'),
      ),
    ).toHaveLength(1);
    expect(await page.locator('body').innerText()).not.toMatch(ISO);
  });

  it('records on-site steps from the page with time, actor and place', async () => {
    const stored = (await fx.alerts.listTasks({ sectionId: 'tp-jinze', limit: 1, offset: 0 })).items[0]!;
    const task = page.locator(`#tasks li.task[data-task-id="${stored.id}"]`);
    const row = task.locator('tr[data-party="jiashan"]');
    await row.locator('button.next-step').click();
    const form = page.locator(`form.step-form[data-step-for="${stored.id}|jiashan"]`);
    expect(await form.getAttribute('data-step')).toBe('locate-sign-in');
    await form.locator('input[name=name]').fill('王工');
    await form.locator('input[name=note]').fill('金泽水厂取水口');
    await page.screenshot({ path: join(ARTIFACTS, '08-step-form.png'), fullPage: true });
    await form.locator('button[type=submit]').click();
    await form.waitFor({ state: 'detached' });
    await page.waitForSelector(`#tasks li.task[data-task-id="${stored.id}"] tr[data-party="jiashan"] ol.steps li.done`);

    // The second step at a time typed in the section's local time (the browser runs in UTC here).
    await row.locator('button.next-step').click();
    expect(await form.getAttribute('data-step')).toBe('show-credentials');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const at = Date.parse(`${today}T00:05:00+08:00`);
    await form.locator('input[name=at]').fill(`${today}T00:05`);
    await form.locator('input[name=name]').fill('王工');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector(`#tasks li.task[data-task-id="${stored.id}"] tr[data-party="jiashan"] .steps-count:text("2/8")`);

    const detail = (await fx.alerts.getTask(stored.id))!;
    const jinze = fx.registry.section('tp-jinze')!;
    expect(detail.steps.jiashan!.map((r) => r.step)).toEqual(['locate-sign-in', 'show-credentials']);
    expect(detail.steps.jiashan![0]).toMatchObject({
      actor: { agencyId: 'taihu-bureau', name: '王工' },
      coordinates: { lat: jinze.lat, lon: jinze.lon },
      note: '金泽水厂取水口',
    });
    expect(detail.steps.jiashan![1]!.at).toBe(at);
    await page.screenshot({ path: join(ARTIFACTS, '09-steps-recorded.png'), fullPage: true });
  });

  it('an alert of a station that is offline is shown as doubtful and does not climb', async () => {
    await fx.publish([
      alertEvent({
        key: 'dq-offline:TP-JZ-ZJ',
        kind: 'data-quality',
        level: undefined,
        sectionId: 'tp-jinze',
        stationId: 'TP-JZ-ZJ',
        parameters: [],
        message: 'Station TP-JZ-ZJ is offline',
        evidence: {},
      }),
      alertEvent({
        key: 'exceedance:tp-jinze:codmn',
        sectionId: 'tp-jinze',
        stationId: 'TP-JZ-ZJ',
        parameters: ['codmn'],
        level: 'orange',
        message: 'Permanganate index (codmn) 9.8 mg/L at tp-jinze (TP-JZ-ZJ): worse than class V',
        evidence: { values: { codmn: 9.8 }, limit: { codmn: 4 }, targetClass: 2 },
      }),
    ]);
    const item = page.locator('#alerts li.alert').filter({ hasText: '高锰酸盐指数 9.8' });
    await item.locator('.doubt-note[data-doubt="offline"]').waitFor({ timeout: 20_000 });
    expect(await item.locator('.doubt-note').textContent()).toBe('存疑：站点离线');
    expect(await item.locator('.alert-message').textContent()).toBe('金泽浙江站高锰酸盐指数 9.8mg/L，超过Ⅱ类目标限值 4mg/L');
    // Re-notified on schedule, but the plan adds nobody above the lead.
    expect(await item.locator('.escalation-note').getAttribute('data-next-escalation')).toBeNull();
    await page.screenshot({ path: join(ARTIFACTS, '10-doubtful-alert.png'), fullPage: true });
  });

  it('a refused action is explained in the page language, saying what to do', async () => {
    const form = page.locator('#silence-form');
    await form.locator('select[name=sectionId]').selectOption('tp-jinze');
    await form.locator('input[name=from]').fill('2026-12-10T10:00');
    await form.locator('input[name=to]').fill('2026-12-10T09:00');
    await form.locator('input[name=reason]').fill('时间填反了');
    // Dismissed by the handler: an open alert() would block the click (and the page) until it is.
    let message = '';
    page.once('dialog', (d) => {
      message = d.message();
      void d.dismiss();
    });
    await form.locator('button[type=submit]').click();
    await expect
      .poll(() => message, { timeout: 10_000 })
      .toBe('操作失败：输入有误：请检查各项（时间先后、原因、站点是否属于该断面）后重试。');
  });

  it('a condition raised and cleared more than 3 times within the hour is marked as flapping', async () => {
    const t0 = Date.now();
    const base = {
      key: 'trend:tp-liantang:do',
      kind: 'trend' as const,
      level: 'blue' as const,
      sectionId: 'tp-liantang',
      stationId: 'TP-LT-01',
      parameters: ['do'],
      evidence: { values: { do: 5.1 } },
    };
    const events = [];
    for (let i = 0; i < 5; i++) {
      events.push(alertEvent({ ...base, ts: t0 + i * 2000 }));
      if (i < 4) events.push(alertEvent({ ...base, type: 'clear', level: undefined, ts: t0 + i * 2000 + 1000 }));
    }
    await fx.publish(events);
    const item = page.locator('#alerts li.alert').filter({ hasText: '溶解氧呈显著' });
    await item.locator('.flap-badge').waitFor({ timeout: 20_000 });
    expect(await item.locator('.flap-badge').textContent()).toBe('反复触发');
    // The station's fault flag is on total phosphorus, not on dissolved oxygen: this alert is not in doubt.
    expect(await item.locator('.doubt-note').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, '11-flapping.png'), fullPage: true });
  });
});
