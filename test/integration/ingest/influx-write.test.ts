/**
 * InfluxStore.writeLines against the real InfluxDB (platform/influx/client.ts,
 * issue 14): a write larger than one request resolves only when every request
 * succeeded. `@influxdata/influxdb-client`, used before, sent the first chunks
 * in the background and swallowed their errors, so the store writer
 * acknowledged (and the log trimmed) readings InfluxDB had refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxStore } from '../../../platform/influx/client.js';
import { startServices, type TestServices } from '../../harness/services.js';

let svc: TestServices<{ influx: true }>;

beforeAll(async () => {
  svc = await startServices({ influx: true });
});
afterAll(async () => {
  await svc?.close();
});

async function store(batchSize: number): Promise<InfluxStore> {
  const influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database: svc.uniqueName('db'), batchSize });
  await influx.ensureDatabase();
  return influx;
}

const count = async (influx: InfluxStore, measurement: string): Promise<number> =>
  Number((await influx.query(`SELECT count(v) FROM ${measurement}`))[0]?.values[0]?.[1] ?? 0);

describe('InfluxDB writes of several requests', () => {
  it('rejects when a request other than the last one fails', async () => {
    const influx = await store(2);
    await influx.writeLines(['m,s=a v=1i 1000']); // v is an integer field from now on
    const lines = ['m,s=a v=2.5 2000', 'm,s=a v=3i 3000', 'm,s=a v=4i 4000', 'm,s=a v=5i 5000', 'm,s=a v=6i 6000'];
    await expect(influx.writeLines(lines)).rejects.toThrow(/HTTP 400/);
  });

  it('writes every line of a write split over several requests before resolving', async () => {
    const influx = await store(1000);
    const lines = Array.from({ length: 4500 }, (_, i) => `w,s=s${i % 7} v=${i}.5 ${1_000_000 + i}`);
    await influx.writeLines(lines);
    expect(await count(influx, 'w')).toBe(4500);
  });
});
