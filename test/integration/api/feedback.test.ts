/**
 * Issue 15 §5 through the API on real Redis: an agency labels a resolved
 * alert (false alarm, rain), another party relabels it (real event); the
 * label history is kept, the export (JSON and CSV) carries the latest label
 * with local times and names, the section's alert history shows it, the
 * counts behind /metrics follow the latest label, and an agency outside
 * the section can neither label nor export it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry as MetricsRegistry } from 'prom-client';
import { FeedbackStore } from '../../../platform/redis/alerts/feedback-store.js';
import { systemClock } from '../../../domain/index.js';
import { alertEvent, startApiFixture, waitFor, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
let alertId = '';

beforeAll(async () => {
  fx = await startApiFixture();
  await fx.publish([
    alertEvent({ key: 'exceedance:tp-jinze:nh3n', sectionId: 'tp-jinze', stationId: 'TP-JZ-ZJ', level: 'yellow' }),
  ]);
  alertId = (await waitFor('the alert', async () => (await fx.alerts.listAlerts({ sectionId: 'tp-jinze', limit: 1, offset: 0 })).items[0])).id;
  await fx.alerts.resolve(alertId, { kind: 'agency', agencyId: 'jiashan' }, '暴雨冲刷，非排污');
});

afterAll(async () => {
  await fx?.close();
});

describe('alert feedback labels', () => {
  it('labels, relabels, keeps the history, and counts the latest label', async () => {
    const first = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/feedback`,
      headers: fx.headers('jiashan'),
      payload: { label: 'false-alarm', cause: 'rain', note: '暴雨', name: '王工' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().current).toMatchObject({ label: 'false-alarm', cause: 'rain', actor: { agencyId: 'jiashan', name: '王工' } });

    const metrics = new MetricsRegistry();
    // A second store on the same Redis reads the same counts: what every process's /metrics reports.
    new FeedbackStore({ redis: fx.redis, prefix: fx.keyPrefix, clock: systemClock, metrics });
    const gauge = async () => (await metrics.getSingleMetric('riverwatch_alert_feedback')!.get()).values;
    expect(await gauge()).toEqual([{ labels: { kind: 'exceedance', label: 'false-alarm', cause: 'rain' }, value: 1 }]);

    const second = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/feedback`,
      headers: fx.headers('qingpu'),
      payload: { label: 'real-event' },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().history.map((h: { label: string }) => h.label)).toEqual(['false-alarm', 'real-event']);
    expect(await gauge()).toEqual([{ labels: { kind: 'exceedance', label: 'real-event', cause: '' }, value: 1 }]);

    const bad = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/feedback`,
      headers: fx.headers('qingpu'),
      payload: { label: 'test', cause: 'rain' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('cause: only for a false-alarm label');
  });

  it('an agency outside the section can neither label nor export it', async () => {
    const post = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/feedback`,
      headers: fx.headers('wujiang'),
      payload: { label: 'test' },
    });
    expect(post.statusCode).toBe(403);
    const exported = await fx.app.inject({ method: 'GET', url: '/api/v1/feedback', headers: fx.headers('wujiang') });
    expect(exported.json().items).toEqual([]);
  });

  it('exports the labelled alerts as JSON and CSV, and shows them in the section history', async () => {
    const json = await fx.app.inject({ method: 'GET', url: '/api/v1/feedback', headers: fx.headers('jiashan') });
    expect(json.json().items).toHaveLength(1);
    expect(json.json().items[0]).toMatchObject({ alertId, sectionId: 'tp-jinze', status: 'resolved', feedback: { label: 'real-event' } });

    const csv = await fx.app.inject({ method: 'GET', url: '/api/v1/feedback?format=csv', headers: fx.headers('jiashan') });
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, row, end] = csv.body.split('\r\n');
    expect(header).toBe(
      'alert_id,section,section_name,station,kind,max_level,parameters,opened_at,resolved_at,resolve_reason,label,cause,note,labelled_by,labelled_at,key',
    );
    expect(row!.startsWith(`${alertId},tp-jinze,金泽（浙沪交界，水源地）,TP-JZ-ZJ,exceedance,yellow,nh3n,`)).toBe(true);
    expect(row).toContain(',暴雨冲刷，非排污,');
    expect(row).toContain(',real-event,,,青浦区生态环境局,');
    expect(row).toMatch(/\+08:00/);
    // The condition key last: which detector raised it, for npm run eval -- --feedback.
    expect(row!.endsWith(',exceedance:tp-jinze:nh3n')).toBe(true);
    expect(end).toBe('');

    const history = await fx.app.inject({ method: 'GET', url: '/api/v1/sections/tp-jinze/alert-history', headers: fx.headers('qingpu') });
    expect(history.statusCode).toBe(200);
    expect(history.json().items.map((i: { alertId: string; feedback?: { label: string } }) => [i.alertId, i.feedback?.label])).toEqual([
      [alertId, 'real-event'],
    ]);
  });

  it('the section report of the week counts the alerts by what they were', async () => {
    const json = await fx.app.inject({
      method: 'GET',
      url: `/api/v1/sections/tp-jinze/report?format=json&from=${Date.now() - 7 * 86_400_000}&to=${Date.now() + 60_000}`,
      headers: fx.headers('jiashan'),
    });
    expect(json.statusCode).toBe(200);
    expect(json.json().feedbackCounts).toEqual({ 'real-event': 1 });
    expect(json.json().feedback[alertId]).toMatchObject({ label: 'real-event' });
    const html = await fx.app.inject({ method: 'GET', url: '/api/v1/sections/tp-jinze/report?lang=zh', headers: fx.headers('jiashan') });
    expect(html.body).toContain('<th>性质认定</th>');
    expect(html.body).toContain('预警性质认定汇总： 真实事件 1');
  });
});
