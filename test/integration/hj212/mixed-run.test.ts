/**
 * A mixed run through the real pipeline (issue 17 target): loggers speaking HJ 212-2017, loggers speaking
 * HJ/T 212-2005 codes (no QN, no Flag: nothing to answer) and loggers splitting each upload into parts
 * (own QN and 9014 per part, later parts without DataTime), all at once against the hj212 and store roles
 * on a real Redis and InfluxDB. Every value lands in InfluxDB once, at its time. The figure is
 * 1,000 loggers; this runs all 1,000 (LOGGERS) x 4 uploads (UPLOADS), in about 5 s on the shared two-core
 * machine (one test process, loggers and server alike).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPacket, formatLocalTime } from '../../../ingest/hj212/index.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { eventually, harnessEnv, runRoles, type RunningRoles } from '../ingest/fixture.js';
import { registryWith } from './conformance-env.js';
import { ScriptedLogger } from './scripted-logger.js';

const LOGGERS = 1000;
const UPLOADS = 4;
const TZ = 480;
type Dialect = '2017' | '2005' | 'split';
const DIALECTS: readonly Dialect[] = ['2017', '2005', 'split'];
const stations = Array.from({ length: LOGGERS }, (_, i) => ({
  id: `MIX-${String(i).padStart(3, '0')}`,
  mn: `RWMIX${String(i).padStart(19, '0')}`,
  pw: '123456',
  dialect: DIALECTS[i % 3] as Dialect,
}));

let svc: TestServices<{ redis: true; influx: true }>;
let rw: RunningRoles;

beforeAll(async () => {
  svc = await startServices({ redis: true, influx: true });
  rw = await runRoles(['hj212', 'store'], harnessEnv(svc, { RW_REGISTRY_FILE: registryWith(stations), RW_LOG_GROUPS: 'store' }));
}, 60_000);

afterAll(async () => {
  await rw?.close();
  await svc?.close();
});

/** The values a logger uploads at its k-th time (distinct per station and time). */
function valuesOf(station: number, k: number): Record<string, number> {
  return { ph: 7 + station / 1000 + k / 100, nh3n: 0.1 + station / 1000, tp: 0.05 + k / 1000, tn: 1 + station / 100 };
}

const CODES_2017: Record<string, string> = { ph: 'w01001', nh3n: 'w21003', tp: 'w21011', tn: 'w21001' };
const CODES_2005: Record<string, string> = { ph: '001', nh3n: '060', tp: '101', tn: '065' };

async function runLogger(index: number, t0: number): Promise<void> {
  const station = stations[index] as (typeof stations)[number];
  const logger = await ScriptedLogger.connect(Number((rw.ctx.addresses.hj212 as string).split(':')[1]), station.mn, station.pw);
  let qnMs = Date.now() + index * 10;
  const qn = (): string => formatLocalTime(++qnMs, TZ, true);
  try {
    for (let k = 0; k < UPLOADS; k++) {
      const dataTime = formatLocalTime(t0 + k * 60_000, TZ);
      const values = valuesOf(index, k);
      if (station.dialect === '2005') {
        // HJ/T 212-2005: no QN, no Flag, numeric codes, COD (011) alongside.
        const cp = [`DataTime=${dataTime}000`, ...Object.entries(values).map(([key, v]) => `${CODES_2005[key]}-Rtd=${v},${CODES_2005[key]}-Flag=N`), '011-Rtd=12.5,011-Flag=N'].join(';');
        await logger.send(buildPacket({ st: '32', cn: '2011', pw: station.pw, mn: station.mn, flag: 0, cp }));
      } else if (station.dialect === '2017') {
        const cp = [`DataTime=${dataTime}`, ...Object.entries(values).map(([key, v]) => `${CODES_2017[key]}-Rtd=${v},${CODES_2017[key]}-Flag=N`)].join(';');
        const [ack] = await logger.send({ qn: qn(), st: '21', cn: '2011', flag: 5, cp }, 1);
        expect(ack?.packet.cn).toBe('9014');
      } else {
        const entries = Object.entries(values);
        const parts = [entries.slice(0, 2), entries.slice(2)];
        for (const [i, part] of parts.entries()) {
          const items = part.map(([key, v]) => `${CODES_2017[key]}-Rtd=${v},${CODES_2017[key]}-Flag=N`);
          const cp = (i === 0 ? [`DataTime=${dataTime}`, ...items] : items).join(';');
          const partQn = qn();
          const [ack] = await logger.send({ qn: partQn, st: '21', cn: '2011', flag: 7, pnum: 2, pno: i + 1, cp }, 1);
          expect([ack?.packet.cn, ack?.packet.qn]).toEqual(['9014', partQn]);
        }
      }
    }
    await logger.finish();
  } finally {
    logger.close();
  }
}

describe('mixed HJ 212 dialects through the real pipeline', () => {
  it(`${LOGGERS} loggers (2017, 2005 codes, split uploads) x ${UPLOADS} uploads: every value in InfluxDB once`, async () => {
    const now = Date.now();
    const t0 = now - (now % 60_000) - UPLOADS * 60_000;
    await Promise.all(stations.map((_, i) => runLogger(i, t0)));
    const influx = rw.ctx.influx();
    const query = `SELECT * FROM water_quality WHERE section = 'tp-jinze' AND station =~ /^MIX-/`;
    await eventually(async () => ((await influx.query(query))[0]?.values.length ?? 0) >= LOGGERS * UPLOADS, 40_000);
    const series = (await influx.query(query))[0] as { columns: string[]; values: unknown[][] };
    const rows = series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
    expect(rows).toHaveLength(LOGGERS * UPLOADS);
    for (const row of rows) {
      const index = Number(String(row.station).slice(4));
      const k = ((row.time as number) - t0) / 60_000;
      const expected = valuesOf(index, k);
      for (const [key, value] of Object.entries(expected)) expect(row[key], `${String(row.station)} ${k} ${key}`).toBeCloseTo(value, 9);
      for (const key of ['do', 'codmn', 'temp', 'cond', 'turb']) expect(row[key] ?? null).toBeNull();
    }
    // Each upload entered the readings log exactly once (a split upload as two readings of disjoint values),
    // nothing was refused: the counters the pipeline keeps (the log itself is trimmed once stored).
    const metric = async (name: string, labels: Record<string, string>): Promise<number> =>
      ((await rw.ctx.metrics.getSingleMetric(name)?.get())?.values ?? [])
        .filter((v) => Object.entries(labels).every(([key, l]) => (v.labels as Record<string, unknown>)[key] === l))
        .reduce((sum, v) => sum + v.value, 0);
    const splitLoggers = stations.filter((s) => s.dialect === 'split').length;
    expect(await metric('riverwatch_readings_accepted_total', { ingress: 'hj212' })).toBe(UPLOADS * (LOGGERS + splitLoggers));
    expect(await metric('riverwatch_readings_rejected_total', { ingress: 'hj212' })).toBe(0);
  }, 90_000);
});
