/**
 * How ingest subscribes, against the real Mosquitto (platform/mqtt/ingress.ts):
 *
 * - why the default is plain subscriptions by section: Mosquitto keeps a
 *   persistent session's plain subscription across its restart but not its
 *   `$share` one (while reporting the session present), so in a share group
 *   what gateways publish right after a broker restart is acknowledged and
 *   dropped. If a Mosquitto upgrade fixes that, the first test fails and the
 *   choice can be revisited.
 * - two ingest processes on slices 1/2 and 2/2 of the sections: every reading
 *   the broker acknowledged across a broker restart reaches the readings log;
 *   each section goes through its own process only, and what is published
 *   while that process is down waits in its session until it is back.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/index.js';
import { sliceSections } from '../../../platform/mqtt/ingress.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { RoleProcess } from '../role-process.js';
import { eventually, harnessEnv } from './fixture.js';
import { TestPublisher } from './publisher.js';

let svc: TestServices<{ redis: true; mosquitto: true }>;

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true });
});
afterAll(async () => {
  await svc?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Mosquitto and persistent subscriptions across a broker restart', () => {
  it('restores a plain subscription, not a $share one', async () => {
    const received = new Map<string, string[]>();
    const subscriber = async (clientId: string, filter?: string): Promise<MqttClient> => {
      // The listener goes on before the CONNACK: a restored session delivers what it queued right after it.
      const client = mqtt.connect(svc.mosquitto.url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0 });
      client.on('message', (topic) => received.set(clientId, [...(received.get(clientId) ?? []), topic]));
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      if (filter) await client.subscribeAsync(filter, { qos: 1 });
      return client;
    };
    const plainId = svc.uniqueName('plain');
    const sharedId = svc.uniqueName('shared');
    const base = svc.uniqueName('t');
    await (await subscriber(plainId, `${base}/plain/+`)).endAsync();
    await (await subscriber(sharedId, `$share/${svc.uniqueName('g')}/${base}/shared/+`)).endAsync();
    await svc.mosquitto.stop();
    await svc.mosquitto.start();
    const publisher = await mqtt.connectAsync(svc.mosquitto.url, { clientId: svc.uniqueName('pub'), protocolVersion: 4 });
    await publisher.publishAsync(`${base}/plain/1`, 'x', { qos: 1 });
    await publisher.publishAsync(`${base}/shared/1`, 'x', { qos: 1 });
    await publisher.endAsync();
    // Reconnect with the same client ids and no new SUBSCRIBE: only what the restored sessions hold arrives.
    const plain = await subscriber(plainId);
    const shared = await subscriber(sharedId);
    try {
      await eventually(async () => (received.get(plainId) ?? []).length === 1, 5000, 50);
      await sleep(1000);
      expect(received.get(plainId)).toEqual([`${base}/plain/1`]);
      expect(received.get(sharedId)).toBeUndefined();
    } finally {
      await Promise.all([plain.endAsync(), shared.endAsync()]);
    }
  }, 30_000);
});

describe('ingest processes on slices of the sections (plain subscriptions)', () => {
  it('lose nothing across a broker restart, split the sections, and keep what arrives while one is down', async () => {
    const registry = loadRegistryFile('config/registry.yaml');
    const slice1 = sliceSections(registry.sections.keys(), 1, 2);
    const slice2 = sliceSections(registry.sections.keys(), 2, 2);
    expect(slice1.length + slice2.length).toBe(registry.sections.size);
    // Two stations from each slice, in different sections.
    const stationsOf = (sections: string[]) =>
      sections.slice(0, 2).map((sectionId) => ({ sectionId, stationId: registry.stationsOf(sectionId)[0]!.id }));
    const s1 = stationsOf(slice1);
    const s2 = stationsOf(slice2);
    const env = harnessEnv(svc, { RW_MQTT_SHARE_GROUP: '', RW_MQTT_CONNECTIONS: '2', RW_LOG_GROUPS: 'store' });
    const ingest1 = new RoleProcess('ingest', { ...env, RW_INSTANCE: 'a', RW_MQTT_SLICE: '1/2' });
    const ingest2 = new RoleProcess('ingest', { ...env, RW_INSTANCE: 'b', RW_MQTT_SLICE: '2/2' });
    const redis = new Redis(svc.redis.url);
    const publisher = new TestPublisher(svc.mosquitto.url, { clientId: svc.uniqueName('gw') });
    const logKey = `${env.RW_REDIS_PREFIX}:readings:0`;
    const logged = async (): Promise<Set<string>> => {
      const entries = (await redis.xrange(logKey, '-', '+')) as [string, string[]][];
      const out = new Set<string>();
      for (const [, fields] of entries)
        for (const r of JSON.parse(fields[fields.indexOf('b') + 1]!) as { stationId: string; ts: number }[]) out.add(`${r.stationId}@${r.ts}`);
      return out;
    };
    try {
      await Promise.all([ingest1.start(), ingest2.start()]);
      expect(ingest1.output).toContain('MQTT ingress subscribed');
      await publisher.connect();
      const startTs = Date.now() - 5 * 86_400_000;
      const streams = [...s1, ...s2].map((s) => publisher.stream({ ...s, count: 400, startTs, stepMs: 60_000, window: 5 }));
      await eventually(async () => publisher.acked.length > 400, 30_000, 20);
      await svc.mosquitto.stop();
      await sleep(1000);
      await svc.mosquitto.start();
      const results = await Promise.all(streams);
      expect(results.every((r) => r.failed === 0)).toBe(true);
      const acked = publisher.acked.map((p) => `${p.stationId}@${p.ts}`);
      expect(acked.length).toBe(1600);
      await eventually(async () => {
        const inLog = await logged();
        return acked.every((a) => inLog.has(a));
      }, 30_000);

      // The split: with slice 2's process down, slice 1 goes on and slice 2 waits in the broker.
      await ingest2.stop();
      const later = startTs + 400 * 60_000;
      await Promise.all([...s1, ...s2].map((s) => publisher.stream({ ...s, count: 20, startTs: later, stepMs: 60_000, window: 5 })));
      const key = (stationId: string, i: number) => `${stationId}@${later + i * 60_000}`;
      await eventually(async () => {
        const inLog = await logged();
        return s1.every((s) => inLog.has(key(s.stationId, 19)));
      }, 20_000);
      await sleep(1000);
      const whileDown = await logged();
      expect(s2.flatMap((s) => Array.from({ length: 20 }, (_, i) => key(s.stationId, i))).filter((k) => whileDown.has(k))).toEqual([]);
      await ingest2.start();
      await eventually(async () => {
        const inLog = await logged();
        return s2.every((s) => Array.from({ length: 20 }, (_, i) => key(s.stationId, i)).every((k) => inLog.has(k)));
      }, 20_000);
    } finally {
      await publisher.close();
      await Promise.all([ingest1.stop(), ingest2.stop()]);
      redis.disconnect();
    }
  }, 180_000);

  it('refuses a slice that leaves the process no section', async () => {
    const env = harnessEnv(svc, { RW_MQTT_SHARE_GROUP: '', RW_MQTT_SLICE: '11/11' });
    const ingest = new RoleProcess('ingest', env);
    await expect(ingest.start()).rejects.toThrow(/RW_MQTT_SLICE=11\/11 leaves this process no section/);
  }, 30_000);
});
