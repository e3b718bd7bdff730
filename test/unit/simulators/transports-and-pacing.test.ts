import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../simulators/latency-histogram.js';
import { Pacer } from '../../../simulators/pacer.js';
import { HttpTransport, parseRetryAfterMs } from '../../../simulators/transports/index.js';
import type { StationMessage } from '../../../simulators/model/index.js';

const message: StationMessage = {
  stationId: 'TP-FH-JS',
  sectionId: 'tp-fenhu',
  backlog: false,
  readings: [{ stationId: 'TP-FH-JS', ts: '2026-11-22T08:00:00+08:00', seq: 1, values: { ph: 7.41 } }],
};

interface Call {
  url: string;
  init: RequestInit;
  atMs: number;
}

function fakeFetch(responses: (() => Response)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {}, atMs: Date.now() });
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    return next();
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

describe('HTTP transport', () => {
  const logger = pino({ level: 'silent' });
  const stations = [{ id: 'TP-FH-JS', sectionId: 'tp-fenhu', token: 'demo-tp-fh-js' }];

  it('posts the reading with the station token and resolves on 202', async () => {
    const { fetch, calls } = fakeFetch([() => new Response(null, { status: 202 })]);
    const t = new HttpTransport({ baseUrl: 'http://rw.test:8080', stations, logger, fetch });
    expect(await t.send(message)).toEqual({ ok: true });
    expect(calls[0]?.url).toBe('http://rw.test:8080/api/v1/readings');
    expect((calls[0]?.init.headers as Record<string, string>).authorization).toBe('Bearer demo-tp-fh-js');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual(message.readings[0]);
  });

  it('waits for Retry-After on 503 and sends again', async () => {
    const { fetch, calls } = fakeFetch([
      () => new Response('{"code":"RW_BACKPRESSURE"}', { status: 503, headers: { 'retry-after': '1' } }),
      () => new Response(null, { status: 202 }),
    ]);
    const t = new HttpTransport({ baseUrl: 'http://rw.test', stations, logger, fetch });
    expect(await t.send(message)).toEqual({ ok: true });
    expect(calls).toHaveLength(2);
    expect((calls[1]?.atMs ?? 0) - (calls[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(950);
    expect(t.counters()).toMatchObject({ backpressureWaits: 1 });
  });

  it('reports a refusal (4xx) with the server code, without retrying', async () => {
    const { fetch, calls } = fakeFetch([() => new Response('{"code":"RW_FORBIDDEN_STATION","message":"no"}', { status: 403 })]);
    const t = new HttpTransport({ baseUrl: 'http://rw.test', stations, logger, fetch });
    expect(await t.send(message)).toEqual({ ok: false, reason: 'HTTP 403 RW_FORBIDDEN_STATION: no' });
    expect(calls).toHaveLength(1);
  });

  it('counts readings refused one by one inside a 202', async () => {
    const { fetch } = fakeFetch([
      () => new Response('{"accepted":1,"rejected":[{"index":1,"code":"RW_OUT_OF_RANGE"}]}', { status: 202 }),
    ]);
    const t = new HttpTransport({ baseUrl: 'http://rw.test', stations, logger, fetch });
    expect(await t.send(message)).toEqual({ ok: true, rejected: 1 });
  });

  it.each([
    { header: '5', ms: 5000 },
    { header: '0', ms: 0 },
    { header: 'Thu, 01 Jan 1970 00:00:10 GMT', ms: 4000 },
    { header: 'soon', ms: undefined },
  ])('parses Retry-After "$header"', ({ header, ms }) => {
    expect(parseRetryAfterMs(header, 6000)).toBe(ms);
  });
});

describe('pacing', () => {
  const sim0 = Date.parse('2026-11-22T00:00:00Z');
  it.each([
    { speed: 1 as const, allowFuture: false, simOffsetMs: 60_000, wallOffsetMs: 60_000 },
    { speed: 60, allowFuture: true, simOffsetMs: 3_600_000, wallOffsetMs: 60_000 },
    { speed: 'max' as const, allowFuture: true, simOffsetMs: 3_600_000, wallOffsetMs: -Infinity },
  ])(
    'speed $speed: a reading $simOffsetMs ms into the run goes at wall +$wallOffsetMs',
    ({ speed, allowFuture, simOffsetMs, wallOffsetMs }) => {
      const pacer = new Pacer({ speed, simStartMs: sim0, wallStartMs: sim0, allowFuture });
      expect(pacer.wallTimeFor(sim0 + simOffsetMs) - sim0).toBe(wallOffsetMs);
    },
  );

  it('never sends a reading before the wall clock reaches its timestamp: a past start catches up, then real time', () => {
    const wall0 = sim0 + 10 * 3_600_000; // the run starts 10 h in the past
    const pacer = new Pacer({ speed: 120, simStartMs: sim0, wallStartMs: wall0, allowFuture: false });
    expect(pacer.wallTimeFor(sim0 + 3_600_000)).toBe(wall0 + 30_000); // catching up at 120×
    expect(pacer.wallTimeFor(wall0 + 3_600_000)).toBe(wall0 + 3_600_000); // past the wall clock: real time
    expect(pacer.simTimeAt(wall0 + 30_000)).toBe(sim0 + 3_600_000);
    expect(pacer.simTimeAt(wall0 + 600_000)).toBe(wall0 + 600_000);
  });
});

describe('latency histogram', () => {
  it('gives p50 and p99 within 2 %', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    expect(h.quantileMs(0.5)).toBeGreaterThanOrEqual(50);
    expect(h.quantileMs(0.5)).toBeLessThanOrEqual(51);
    expect(h.quantileMs(0.99)).toBeGreaterThanOrEqual(99);
    expect(h.quantileMs(0.99)).toBeLessThanOrEqual(101);
    expect(h.maxMs).toBe(100);
    expect(new LatencyHistogram().quantileMs(0.5)).toBe(0);
  });
});
