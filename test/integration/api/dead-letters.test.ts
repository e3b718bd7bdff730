/**
 * Dead-letter routes: operators only (a basin-level key here; a county or
 * province key gets 403 before anything else), listing by reason and
 * station newest first with a cursor, counts by reason, and replay through
 * the real ingest gateway after the cause was fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionKey } from '../../../platform/redis/readings/readings-log.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
const operator = { authorization: '' };

beforeAll(async () => {
  fx = await startApiFixture();
  operator.authorization = fx.headers('taihu-bureau').authorization;
  const now = Date.now();
  // Refused input, through the same gateway MQTT and HTTP use.
  const submit = (payload: unknown, authStationId?: string) =>
    fx.gateway.submit({
      source: 'http',
      payload,
      raw: JSON.stringify(payload),
      ...(authStationId ? { authStationId } : {}),
      peer: '127.0.0.1',
    });
  await submit({ stationId: 'NO-SUCH-STATION', ts: now, values: { ph: 7 } });
  await submit({ stationId: 'TP-GATE-01', ts: now, values: { ph: 99 } }, 'TP-GATE-01');
  await submit({ stationId: 'TP-GATE-02', ts: now, values: { ph: 42 } }, 'TP-GATE-02');
  await submit({ stationId: 'TP-GATE-01', ts: now, values: { do: -3 } }, 'TP-GATE-01');
  await submit({ stationId: 'TP-GATE-01', ts: 'last tuesday', values: { ph: 7 } }, 'TP-GATE-01');
});

afterAll(async () => {
  await fx?.close();
});

describe('operators only', () => {
  it.each(['wujiang', 'js', 'lancang'] as const)(
    '%s (not an operator) gets 403 on every dead-letter route, even with a bad query',
    async (agency) => {
      const requests = [
        { method: 'GET' as const, url: '/api/v1/dead-letters' },
        { method: 'GET' as const, url: '/api/v1/dead-letters?limit=-1' },
        { method: 'GET' as const, url: '/api/v1/dead-letters/summary' },
        { method: 'GET' as const, url: '/api/v1/dead-letters/1-0' },
        { method: 'POST' as const, url: '/api/v1/dead-letters/replay', payload: { code: 'RW_OUT_OF_RANGE' } },
      ];
      for (const r of requests) {
        const res = await fx.app.inject({ ...r, headers: fx.headers(agency) });
        expect(res.statusCode, r.url).toBe(403);
        expect(res.json().error.code).toBe('RW_FORBIDDEN');
      }
    },
  );

  it('no key: 401', async () => {
    expect((await fx.app.inject({ url: '/api/v1/dead-letters' })).statusCode).toBe(401);
  });

  it('the basin bureau is an operator, and /me says so', async () => {
    expect((await fx.app.inject({ url: '/api/v1/me', headers: operator })).json().operator).toBe(true);
    expect((await fx.app.inject({ url: '/api/v1/me', headers: fx.headers('js') })).json().operator).toBe(false);
  });
});

describe('listing', () => {
  it('newest first, by reason and by station', async () => {
    const all = (await fx.app.inject({ url: '/api/v1/dead-letters', headers: operator })).json();
    expect(all.items.length).toBe(5);
    expect(all.next).toBeUndefined();
    const ats = all.items.map((l: { id: string }) => l.id);
    expect(ats).toEqual([...ats].sort().reverse());
    expect(all.items[0]).toMatchObject({ code: 'RW_TS_INVALID', stationId: 'TP-GATE-01', source: 'http' });
    expect(JSON.parse(all.items[0].raw)).toMatchObject({ ts: 'last tuesday' });

    const range = (await fx.app.inject({ url: '/api/v1/dead-letters?code=RW_OUT_OF_RANGE', headers: operator })).json();
    expect(range.items.map((l: { stationId: string; parameter: string }) => `${l.stationId}/${l.parameter}`)).toEqual([
      'TP-GATE-01/do',
      'TP-GATE-02/ph',
      'TP-GATE-01/ph',
    ]);

    const gate1 = (
      await fx.app.inject({ url: '/api/v1/dead-letters?station=TP-GATE-01&code=RW_OUT_OF_RANGE', headers: operator })
    ).json();
    expect(gate1.items.map((l: { parameter: string }) => l.parameter)).toEqual(['do', 'ph']);
  });

  it('pages with the cursor add up to the whole list', async () => {
    const all = (await fx.app.inject({ url: '/api/v1/dead-letters?limit=500', headers: operator })).json();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = (
        await fx.app.inject({ url: `/api/v1/dead-letters?limit=2${cursor ? `&before=${cursor}` : ''}`, headers: operator })
      ).json();
      seen.push(...res.items.map((l: { id: string }) => l.id));
      cursor = res.next;
      if (!cursor) break;
      expect(res.items.length).toBe(2);
    }
    expect(seen).toEqual(all.items.map((l: { id: string }) => l.id));
  });

  it('one letter, its summary by reason; validation errors and unknown ids', async () => {
    const first = (await fx.app.inject({ url: '/api/v1/dead-letters?limit=1', headers: operator })).json().items[0];
    const one = await fx.app.inject({ url: `/api/v1/dead-letters/${first.id}`, headers: operator });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(first);
    expect((await fx.app.inject({ url: '/api/v1/dead-letters/1-0', headers: operator })).statusCode).toBe(404);
    const bad = await fx.app.inject({ url: '/api/v1/dead-letters/abc', headers: operator });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('RW_INVALID_PAYLOAD');
    expect((await fx.app.inject({ url: '/api/v1/dead-letters?before=nope', headers: operator })).statusCode).toBe(400);

    const summary = (await fx.app.inject({ url: '/api/v1/dead-letters/summary', headers: operator })).json();
    expect(summary.byCode).toEqual({ RW_UNKNOWN_STATION: 1, RW_OUT_OF_RANGE: 3, RW_TS_INVALID: 1 });
    expect(summary.total).toBe(5);
  });
});

describe('replay', () => {
  it('refuses to replay everything at once', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/api/v1/dead-letters/replay', headers: operator, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('RW_INVALID_PAYLOAD');
  });

  it('a letter whose cause is gone goes through and leaves the store; one still bad comes back with its reason', async () => {
    // A reading refused while its station was not yet registered (the registry has it now).
    const ts = Date.now() - 60_000;
    const fixed = JSON.stringify({ stationId: 'TP-GATE-01', ts, values: { ph: 7.3, nh3n: 0.4 } });
    await fx.deadLetters.put([
      {
        source: 'http',
        code: 'RW_UNKNOWN_STATION',
        message: 'station "TP-GATE-01" is not in the registry',
        raw: fixed,
        stationId: 'TP-GATE-01',
        authStationId: 'TP-GATE-01',
      },
    ]);
    const letters = (await fx.app.inject({ url: '/api/v1/dead-letters?code=RW_UNKNOWN_STATION', headers: operator })).json()
      .items as { id: string; raw: string }[];
    const good = letters.find((l) => l.raw === fixed)!;
    const stillBad = letters.find((l) => l.raw !== fixed)!;
    const logKey = partitionKey(fx.keyPrefix, 0);
    const logBefore = await fx.redis.xlen(logKey);

    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      headers: operator,
      payload: { ids: [good.id, stillBad.id, '1-1'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      letters: 2,
      submissions: 2,
      accepted: 1,
      stillRefused: 1,
      skipped: 0,
      failed: 0,
      missing: ['1-1'],
    });

    expect(await fx.redis.xlen(logKey)).toBe(logBefore + 1);
    expect((await fx.app.inject({ url: `/api/v1/dead-letters/${good.id}`, headers: operator })).statusCode).toBe(404);
    const again = (await fx.app.inject({ url: '/api/v1/dead-letters?code=RW_UNKNOWN_STATION', headers: operator })).json().items;
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ source: 'replay', stationId: 'NO-SUCH-STATION' });
  });

  it('replays by filter', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      headers: operator,
      payload: { code: 'RW_OUT_OF_RANGE', station: 'TP-GATE-02' },
    });
    expect(res.statusCode).toBe(200);
    // Still out of range: refused again, under the same reason.
    expect(res.json()).toMatchObject({ letters: 1, accepted: 0, stillRefused: 1 });
  });
});
