/**
 * Station diagnostics route (issue 17): what HJ 212 loggers reported about themselves, read back by
 * operators (a basin-level key), newest first, by station and kind; other agencies get 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent, startApiFixture, waitFor, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
  const base = { command: '2081', receivedAt: 0, items: [{ key: 'RestartTime', value: '20261206080000' }] };
  await fx.diagnostics.record({ ...base, stationId: 'TP-JS-01', kind: 'restart', receivedAt: 1000 });
  await fx.diagnostics.record({ ...base, stationId: 'TP-JS-01', kind: 'log', command: '3020', receivedAt: 2000, items: [{ key: 'i11001-Info', value: '//self-check//' }] });
  await fx.diagnostics.record({ ...base, stationId: 'TP-FH-JS', kind: 'restart', receivedAt: 3000, requestId: '20261206080000123' });
});

afterAll(async () => {
  await fx?.close();
});

describe('GET /api/v1/diagnostics', () => {
  it('lists newest first, filtered by station and kind', async () => {
    const headers = fx.headers('taihu-bureau');
    const all = await fx.app.inject({ url: '/api/v1/diagnostics', headers });
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((d: { stationId: string; kind: string }) => `${d.stationId}/${d.kind}`)).toEqual([
      'TP-FH-JS/restart',
      'TP-JS-01/log',
      'TP-JS-01/restart',
    ]);
    const one = await fx.app.inject({ url: '/api/v1/diagnostics?station=TP-JS-01&kind=log', headers });
    expect(one.json().items).toEqual([
      { stationId: 'TP-JS-01', kind: 'log', command: '3020', receivedAt: 2000, items: [{ key: 'i11001-Info', value: '//self-check//' }] },
    ]);
  });

  it('links an over-limit sample-retention record (3015) to the pollution alert of its section active at its DataTime', async () => {
    const headers = fx.headers('taihu-bureau');
    const t = Date.now() - 600_000;
    await fx.publish([alertEvent({ key: 'exceedance:tp-jinze:nh3n', sectionId: 'tp-jinze', stationId: 'TP-JZ-ZJ', ts: t })]);
    await fx.publish([alertEvent({ key: 'exceedance:tp-fenhu:nh3n', sectionId: 'tp-fenhu', stationId: 'TP-FH-JS', ts: t })]);
    const alerts = await waitFor('the alert', async () => {
      const res = await fx.app.inject({ url: '/api/v1/alerts?section=tp-jinze', headers });
      return (res.json() as { items: { id: string }[] }).items[0];
    });
    const retention = { kind: 'sample-retention' as const, command: '3015', items: [{ key: 'VaseNo', value: '1' }] };
    await fx.diagnostics.record({ ...retention, stationId: 'TP-JZ-ZJ', receivedAt: t + 60_000, dataTime: t });
    await fx.diagnostics.record({ ...retention, stationId: 'TP-JZ-ZJ', receivedAt: t + 120_000, dataTime: t - 5 * 3_600_000 });
    const res = await fx.app.inject({ url: '/api/v1/diagnostics?station=TP-JZ-ZJ&kind=sample-retention', headers });
    expect(res.json().items.map((d: { dataTime: number; alertIds: string[] }) => [d.dataTime, d.alertIds])).toEqual([
      [t - 5 * 3_600_000, []],
      [t, [alerts.id]],
    ]);
  });

  it('refuses an unknown kind (400) and non-operators (403)', async () => {
    expect((await fx.app.inject({ url: '/api/v1/diagnostics?kind=nonsense', headers: fx.headers('taihu-bureau') })).statusCode).toBe(400);
    const res = await fx.app.inject({ url: '/api/v1/diagnostics', headers: fx.headers('wujiang') });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('RW_FORBIDDEN');
  });
});
