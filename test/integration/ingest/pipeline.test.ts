/**
 * Ingest end to end against real Mosquitto, Redis and InfluxDB (issue 3
 * "Done when"): MQTT and HTTP readings land in InfluxDB with the right tags,
 * fields and timestamps; each kind of bad input ends in the dead letters with
 * its reason while the good readings are stored; a station cannot write
 * another station's readings over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type TestServices } from '../../harness/services.js';
import { DeadLetterStore } from '../../../platform/redis/readings/dead-letters.js';
import { eventually, harnessEnv, runRoles, type RunningRoles } from './fixture.js';
import { TestPublisher } from './publisher.js';

let svc: TestServices<{ redis: true; mosquitto: true; influx: true }>;
let rw: RunningRoles;
let publisher: TestPublisher;
let api: string;
const NOW = Date.now();

async function points(where: string): Promise<Record<string, unknown>[]> {
  const series = await rw.ctx.influx().query(`SELECT * FROM water_quality WHERE ${where}`);
  const s = series[0];
  if (!s) return [];
  return s.values.map((row) => Object.fromEntries(s.columns.map((c, i) => [c, row[i]])));
}

async function letters(filter: { code?: string; stationId?: string } = {}) {
  return new DeadLetterStore({ redis: rw.ctx.redis('test-dl'), prefix: rw.config.redis.prefix }).list({ ...filter, limit: 1000 });
}

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true, influx: true });
  rw = await runRoles(['ingest', 'store', 'api'], harnessEnv(svc, { RW_LOG_GROUPS: 'store', RW_INGEST_MAX_PAYLOAD_BYTES: '200000', RW_HTTP_BODY_LIMIT_BYTES: '300000' }));
  api = rw.ctx.addresses.api as string;
  publisher = new TestPublisher(svc.mosquitto.url);
  await publisher.connect();
});

afterAll(async () => {
  await publisher?.close();
  await rw?.close();
  await svc?.close();
});

describe('readings reach InfluxDB', () => {
  it('over MQTT: tags, fields, flags and timestamp as sent', async () => {
    const ts = NOW - 60_000;
    await publisher.publishRaw('wq/tp-fenhu/TP-FH-JS/readings', JSON.stringify({ stationId: 'TP-FH-JS', ts: new Date(ts).toISOString(), seq: 10452, values: { ph: 7.41, do: 6.8, tp: 0.081 }, flags: { tp: 'M' } }));
    await eventually(async () => (await points(`station = 'TP-FH-JS' AND time = ${ts}ms`)).length === 1);
    const [point] = await points(`station = 'TP-FH-JS' AND time = ${ts}ms`);
    expect(point).toMatchObject({ time: ts, river: 'taipu', section: 'tp-fenhu', station: 'TP-FH-JS', ph: 7.41, do: 6.8, tp: 0.081, tp_flag: 'M', seq: 10452, source: 'mqtt' });
  });

  it('over HTTP with the station token: 202 with the count', async () => {
    const ts = NOW - 120_000;
    const response = await fetch(`${api}/api/v1/readings`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-tp-jz-sh', 'content-type': 'application/json' },
      body: JSON.stringify({ readings: [{ stationId: 'TP-JZ-SH', ts, values: { nh3n: 0.31 } }, { stationId: 'TP-JZ-SH', ts: ts + 300_000, values: { nh3n: 0.33 } }] }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, rejected: [] });
    await eventually(async () => (await points(`station = 'TP-JZ-SH'`)).length === 2);
    expect((await points(`station = 'TP-JZ-SH'`)).map((p) => [p.time, p.nh3n, p.source])).toEqual([
      [ts, 0.31, 'http'],
      [ts + 300_000, 0.33, 'http'],
    ]);
  });

  it('a backlog batch of 1,000 readings over MQTT is stored whole', async () => {
    const start = NOW - 4 * 86_400_000; // 1,000 × 5 min ≈ 3.5 days, all in the past
    const readings = Array.from({ length: 1000 }, (_, i) => ({ stationId: 'TP-PW-01', ts: start + i * 300_000, seq: i, values: { ph: 7.2, nh3n: 0.2 + i / 10_000 } }));
    await publisher.publishRaw('wq/tp-pingwang/TP-PW-01/readings', JSON.stringify({ readings }));
    await eventually(async () => (await points(`station = 'TP-PW-01'`)).length === 1000);
  });

  it('the same reading sent twice is one point', async () => {
    const ts = NOW - 30_000;
    const body = JSON.stringify({ stationId: 'TP-GATE-01', ts, values: { ph: 7.3 } });
    await publisher.publishRaw('wq/tp-gate/TP-GATE-01/readings', body);
    await publisher.publishRaw('wq/tp-gate/TP-GATE-01/readings', body);
    await eventually(async () => {
      const stored = await rw.ctx.redis('probe-len').xinfo('GROUPS', `${rw.config.redis.prefix}:readings:0`) as unknown[][];
      return stored.length > 0 && (await points(`station = 'TP-GATE-01'`)).length === 1;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await points(`station = 'TP-GATE-01'`)).toHaveLength(1);
  });
});

describe('bad input ends in the dead letters with its reason; the good goes on', () => {
  const ts = () => new Date(NOW - 10_000).toISOString();
  const cases: [string, string, string | Buffer, string][] = [
    ['not JSON', 'wq/tp-jiashan/TP-JS-01/readings', '{"stationId": "TP-JS-01", ', 'RW_INVALID_JSON'],
    ['invalid UTF-8', 'wq/tp-jiashan/TP-JS-01/readings', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'RW_INVALID_JSON'],
    ['wrong types', 'wq/tp-jiashan/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: ts(), values: 'seven' }), 'RW_INVALID_PAYLOAD'],
    ['unknown station', 'wq/tp-jiashan/TP-XX-99/readings', JSON.stringify({ stationId: 'TP-XX-99', ts: ts(), values: { ph: 7 } }), 'RW_UNKNOWN_STATION'],
    ['station on the wrong topic', 'wq/tp-jinze/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: ts(), values: { ph: 7 } }), 'RW_WRONG_TOPIC'],
    ['unknown parameter', 'wq/tp-jiashan/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: ts(), values: { ph: 7, salinity: 3 } }), 'RW_UNKNOWN_PARAMETER'],
    ['NaN', 'wq/tp-jiashan/TP-JS-01/readings', '{"stationId":"TP-JS-01","ts":"' + ts() + '","values":{"ph":7,"do":NaN}}', 'RW_INVALID_JSON'],
    ['"NaN" as text', 'wq/tp-jiashan/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: ts(), values: { ph: 7, do: 'NaN' } }), 'RW_NOT_FINITE'],
    ['Infinity (as 1e999)', 'wq/tp-jiashan/TP-JS-01/readings', '{"stationId":"TP-JS-01","ts":"' + ts() + '","values":{"ph":7,"do":1e999}}', 'RW_NOT_FINITE'],
    ['out-of-range value', 'wq/tp-jiashan/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: ts(), values: { ph: 7, do: 40 } }), 'RW_OUT_OF_RANGE'],
    ['far-future timestamp', 'wq/tp-jiashan/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: NOW + 86_400_000, values: { ph: 7 } }), 'RW_TS_FUTURE'],
    ['oversized payload', 'wq/tp-jiashan/TP-JS-01/readings', JSON.stringify({ stationId: 'TP-JS-01', ts: ts(), values: { ph: 7 }, pad: 'x'.repeat(250_000) }), 'RW_PAYLOAD_TOO_LARGE'],
  ];
  it.each(cases)('MQTT: %s → %s', async (_name, topic, payload, code) => {
    const before = (await letters({ code })).length;
    await publisher.publishRaw(topic, payload);
    await eventually(async () => (await letters({ code })).length > before, 5000);
    const [letter] = await letters({ code });
    expect(letter).toMatchObject({ source: 'mqtt', code });
    expect(letter?.message.length).toBeGreaterThan(5);
    if (code !== 'RW_PAYLOAD_TOO_LARGE' && typeof payload === 'string') expect(letter?.raw).toBe(payload);
  });

  it('MQTT: a batch mixing good and bad stores the good ones and dead-letters each bad one', async () => {
    const base = NOW - 7_200_000;
    const readings = [
      { stationId: 'TP-LT-01', ts: base, values: { ph: 7.1 } },
      { stationId: 'TP-LT-01', ts: base + 60_000, values: { ph: 77 } },
      { stationId: 'TP-LT-01', ts: 'not a time', values: { ph: 7.1 } },
      { stationId: 'TP-LT-01', ts: base + 120_000, values: { ph: 7.2, do: 'x' } },
    ];
    await publisher.publishRaw('wq/tp-liantang/TP-LT-01/readings', JSON.stringify({ readings }));
    await eventually(async () => (await points(`station = 'TP-LT-01'`)).length === 2);
    const mine = await letters({ stationId: 'TP-LT-01' });
    expect(mine.map((l) => [l.index, l.code]).sort()).toEqual([
      [1, 'RW_OUT_OF_RANGE'],
      [2, 'RW_TS_INVALID'],
      [3, 'RW_NOT_FINITE'],
    ]);
  });

  it('HTTP: per-reading reasons, 400 for bad JSON, 413 for an oversized body, 401 without a token; all dead-lettered', async () => {
    const post = (body: string, token = 'demo-tp-js-01') =>
      fetch(`${api}/api/v1/readings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    const mixed = await post(JSON.stringify({ readings: [{ stationId: 'TP-JS-01', ts: NOW - 5000, values: { ph: 7 } }, { stationId: 'TP-JS-01', ts: NOW - 4000, values: { ph: -1 } }] }));
    expect(mixed.status).toBe(202);
    expect(await mixed.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, code: 'RW_OUT_OF_RANGE', parameter: 'ph' }] });

    const allBad = await post(JSON.stringify({ stationId: 'TP-JS-01', ts: NOW, values: { ph: 20 } }));
    expect(allBad.status).toBe(422);
    expect(await allBad.json()).toMatchObject({ error: { code: 'RW_OUT_OF_RANGE', details: [{ code: 'RW_OUT_OF_RANGE' }] } });

    const notJson = await post('{"stationId":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'RW_INVALID_JSON' } });

    const big = await post(JSON.stringify({ stationId: 'TP-JS-01', ts: NOW, values: { ph: 7 }, pad: 'x'.repeat(400_000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'RW_PAYLOAD_TOO_LARGE' } });

    const anonymous = await fetch(`${api}/api/v1/readings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    const wrongToken = await post('{}', 'not-a-token');
    expect(wrongToken.status).toBe(401);

    await eventually(async () => (await letters({ stationId: 'TP-JS-01' })).filter((l) => l.source === 'http').length >= 4, 5000);
    const httpCodes = (await letters({ stationId: 'TP-JS-01' })).filter((l) => l.source === 'http').map((l) => l.code);
    expect(httpCodes).toEqual(expect.arrayContaining(['RW_OUT_OF_RANGE', 'RW_INVALID_JSON', 'RW_PAYLOAD_TOO_LARGE']));
  });

  it('HTTP: a station token cannot write another station\'s readings (403), and it is dead-lettered', async () => {
    const response = await fetch(`${api}/api/v1/readings`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-tp-fh-zj', 'content-type': 'application/json' },
      body: JSON.stringify({ stationId: 'TP-FH-JS', ts: NOW - 1000, values: { ph: 7 } }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'RW_FORBIDDEN_STATION' } });
    await eventually(async () => (await letters({ code: 'RW_FORBIDDEN_STATION' })).length === 1, 5000);
    expect(await points(`station = 'TP-FH-JS' AND time = ${NOW - 1000}ms`)).toHaveLength(0);
  });

  it('rejections are counted by reason and ingress at /metrics', async () => {
    const text = await (await fetch(`${api}/metrics`)).text();
    expect(text).toMatch(/riverwatch_readings_rejected_total\{reason="RW_OUT_OF_RANGE",ingress="mqtt"\} [1-9]/);
    expect(text).toMatch(/riverwatch_readings_rejected_total\{reason="RW_FORBIDDEN_STATION",ingress="http"\} 1/);
    expect(text).toMatch(/riverwatch_readings_accepted_total\{ingress="mqtt"\} [1-9]/);
  });
});
