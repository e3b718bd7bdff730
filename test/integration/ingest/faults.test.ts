/**
 * Fault tests (issue 3 "Done when"): the ingest and store roles run as real
 * processes and are killed with SIGKILL in the middle of a stream of 10,000
 * readings; InfluxDB is stopped for 30 s during a stream. Every reading the
 * broker acknowledged to the publisher must be in InfluxDB afterwards, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type TestServices } from '../../harness/services.js';
import { InfluxStore } from '../../../platform/influx/client.js';
import { eventually, harnessEnv } from './fixture.js';
import { TestPublisher } from './publisher.js';
import { RoleProcess } from '../role-process.js';

let svc: TestServices<{ redis: true; mosquitto: true; influx: true }>;

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true, influx: true });
});
afterAll(async () => {
  await svc?.close();
});

async function storedTimes(influx: InfluxStore, stationId: string): Promise<number[]> {
  const series = await influx.query(`SELECT ph FROM water_quality WHERE station = '${stationId}'`);
  return (series[0]?.values ?? []).map((row) => row[0] as number);
}

describe('nothing acknowledged is lost, nothing doubled', () => {
  it('kill -9 of the ingest process and of the store writer during 10,000 readings', async () => {
    const env = harnessEnv(svc, { RW_LOG_GROUPS: 'store', RW_MQTT_CONNECTIONS: '2' });
    const ingest = new RoleProcess('ingest', env);
    const store = new RoleProcess('store', env);
    const influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database: env.RW_INFLUX_DATABASE as string });
    await Promise.all([ingest.start(), store.start()]);
    const publisher = new TestPublisher(svc.mosquitto.url, { clientId: svc.uniqueName('gw') });
    await publisher.connect();
    const startTs = Date.now() - 20 * 86_400_000;
    const streaming = publisher.stream({ sectionId: 'tp-fenhu', stationId: 'TP-FH-JS', count: 10_000, startTs, stepMs: 60_000, window: 20 });
    try {
      await eventually(async () => publisher.acked.length > 2500, 60_000, 20);
      await ingest.kill9();
      await new Promise((r) => setTimeout(r, 1000));
      await ingest.start();
      await eventually(async () => publisher.acked.length > 5500, 60_000, 20);
      await store.kill9();
      await new Promise((r) => setTimeout(r, 1000));
      await store.start();
      await eventually(async () => publisher.acked.length > 8000, 60_000, 20);
      await ingest.kill9();
      await ingest.start();
      const result = await streaming;
      expect(result.failed).toBe(0);
      const acked = new Set(publisher.acked.map((p) => p.ts));
      await eventually(async () => (await storedTimes(influx, 'TP-FH-JS')).length >= acked.size, 90_000, 500);
      const stored = await storedTimes(influx, 'TP-FH-JS');
      const missing = [...acked].filter((ts) => !stored.includes(ts));
      expect(missing).toEqual([]);
      // One point per reading: InfluxDB holds each timestamp once (repeats overwrite), and no strays.
      expect(new Set(stored).size).toBe(stored.length);
      expect(stored.length).toBe(acked.size);
    } finally {
      await publisher.close();
      await Promise.all([ingest.stop(), store.stop()]);
    }
  }, 300_000);

  it('InfluxDB stopped for 30 s during a stream: backlog kept in the log, drained after restart', async () => {
    const env = harnessEnv(svc, { RW_LOG_GROUPS: 'store' });
    const ingest = new RoleProcess('ingest', env);
    const store = new RoleProcess('store', env);
    const influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database: env.RW_INFLUX_DATABASE as string });
    await Promise.all([ingest.start(), store.start()]);
    const publisher = new TestPublisher(svc.mosquitto.url, { clientId: svc.uniqueName('gw') });
    await publisher.connect();
    try {
      const startTs = Date.now() - 10 * 86_400_000;
      await publisher.stream({ sectionId: 'tp-jiashan', stationId: 'TP-JS-01', count: 500, startTs, stepMs: 60_000 });
      await eventually(async () => (await storedTimes(influx, 'TP-JS-01')).length === 500, 30_000);
      await svc.influx.stop();
      const during = Date.now();
      // Readings keep being accepted while InfluxDB is down (they wait in the readings log).
      const second = await publisher.stream({ sectionId: 'tp-jiashan', stationId: 'TP-JS-01', count: 3000, startTs: startTs + 500 * 60_000, stepMs: 60_000 });
      expect(second.failed).toBe(0);
      const remaining = 30_000 - (Date.now() - during);
      if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
      await svc.influx.start();
      await eventually(async () => (await storedTimes(influx, 'TP-JS-01')).length === 3500, 60_000, 500);
      expect(store.output).toMatch(/InfluxDB write failed; keeping the batch in the log and retrying/);
      expect(store.output).toMatch(/InfluxDB write succeeded after retries/);
    } finally {
      await publisher.close();
      await Promise.all([ingest.stop(), store.stop()]);
    }
  }, 180_000);
});
