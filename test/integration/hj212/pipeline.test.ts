/**
 * HJ 212 through the real pipeline (issue 4 "Done when"): a data logger over a
 * real TCP socket uploads 2011 and 2061 data; the readings land in InfluxDB
 * and in the analytics consumer group; the 9014 answer comes only after the
 * readings are in the readings log and its CRC is valid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type TestServices } from '../../harness/services.js';
import { Hj212Client } from '../../../simulators/transports/hj212-client.js';
import { hj212Crc } from '../../../ingest/hj212/index.js';
import { eventually, harnessEnv, runRoles, type RunningRoles } from '../ingest/fixture.js';

let svc: TestServices<{ redis: true; influx: true }>;
let rw: RunningRoles;
let client: Hj212Client;

beforeAll(async () => {
  svc = await startServices({ redis: true, influx: true });
  rw = await runRoles(['hj212', 'store'], { ...harnessEnv(svc), RW_LOG_GROUPS: 'store,analytics' });
  const [host, port] = (rw.ctx.addresses.hj212 as string).split(':');
  const station = rw.ctx.registry.station('TP-JZ-ZJ')!;
  client = new Hj212Client({ host: host as string, port: Number(port), mn: station.hj212!.mn, pw: station.hj212!.password, ackTimeoutMs: 3000 });
  await client.start();
});

afterAll(async () => {
  await client?.close();
  await rw?.close();
  await svc?.close();
});

describe('HJ 212 uploads feed the same pipeline', () => {
  it('2011 real-time and 2061 hourly data land in InfluxDB with flags; the 9014 has a valid CRC', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const realtime = await client.sendRealtime({ ts: now - 60_000, values: { ph: 7.21, do: 6.4, nh3n: 0.52, tp: 0.11 }, flags: { tp: 'M' } });
    const hourly = await client.sendHourly({ ts: now - 3_600_000, values: { ph: 7.3, codmn: 3.9 } });
    for (const answer of [realtime, hourly]) {
      const match = /^##(\d{4})(.*)([0-9A-F]{4})\r\n$/s.exec(answer.responseRaw);
      expect(match).not.toBeNull();
      const [, length, segment, crc] = match as unknown as [string, string, string, string];
      expect(Number(length)).toBe(Buffer.byteLength(segment));
      expect(hj212Crc(Buffer.from(segment)).toString(16).toUpperCase().padStart(4, '0')).toBe(crc);
      expect(segment).toContain('CN=9014');
      expect(segment).toContain(`QN=${answer.qn}`);
    }
    const influx = rw.ctx.influx();
    await eventually(async () => (await influx.query(`SELECT * FROM water_quality WHERE station = 'TP-JZ-ZJ'`))[0]?.values.length === 2);
    const series = (await influx.query(`SELECT * FROM water_quality WHERE station = 'TP-JZ-ZJ'`))[0]!;
    const rows = series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
    expect(rows).toEqual([
      expect.objectContaining({ time: now - 3_600_000, ph: 7.3, codmn: 3.9, source: 'hj212', section: 'tp-jinze' }),
      expect.objectContaining({ time: now - 60_000, ph: 7.21, do: 6.4, nh3n: 0.52, tp: 0.11, tp_flag: 'M', source: 'hj212' }),
    ]);
  });

  it('the readings reach the analytics consumer group', async () => {
    const redis = rw.ctx.redis('probe');
    const groups = (await redis.xinfo('GROUPS', `${rw.config.redis.prefix}:readings:0`)) as unknown[][];
    const analytics = groups.map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [g[2 * i], g[2 * i + 1]]))).find((g) => g.name === 'analytics');
    // Not yet consumed: both entries wait for the analytics process in its group.
    expect(Number(analytics?.lag)).toBe(2); // one entry per upload
    const entries = (await redis.xrange(`${rw.config.redis.prefix}:readings:0`, '-', '+')) as [string, string[]][];
    const readings = entries.flatMap(([, fields]) => JSON.parse(fields[1] as string) as { stationId: string }[]);
    expect(readings.map((r) => r.stationId)).toEqual(['TP-JZ-ZJ', 'TP-JZ-ZJ']);
  });
});
