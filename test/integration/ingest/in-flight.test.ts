/**
 * Many QoS 1 messages in flight per MQTT connection (issue 14), against the
 * real Mosquitto and Redis (platform/mqtt/in-flight.ts, platform/mqtt/ingress.ts):
 *
 * - messages published at once are handled at once and their appends are
 *   coalesced: N readings land in far fewer than N log entries (one entry per
 *   Redis round trip with one partition);
 * - a connection whose every message waits longer than 1.5 keepalive periods
 *   on its append, with more messages queued than may be in flight, is not
 *   dropped: no reconnect, no redelivery (before issue 14 the PINGRESP queued
 *   behind such messages and mqtt.js closed the connection every ~46 s);
 * - the path of the two readings lost in the full run: the connection
 *   drops (keepalive timeout) while a message's append is pending. Its PUBACK
 *   must not go out on the next connection (mqtt.js queued it and sent it
 *   there); the broker redelivers it and the repeat is acknowledged after its
 *   own append.
 */
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestGateway, Submission } from '../../../domain/index.js';
import { InFlight } from '../../../platform/mqtt/in-flight.js';
import { MqttIngress } from '../../../platform/mqtt/ingress.js';
import { partitionKey } from '../../../platform/redis/readings/readings-log.js';
import { silentLogger } from '../../../platform/logger.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { eventually, harnessEnv, runRoles } from './fixture.js';
import { TestPublisher } from './publisher.js';

let svc: TestServices<{ redis: true; mosquitto: true }>;

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true });
});
afterAll(async () => {
  await svc?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('many messages in flight per connection', () => {
  it('appends N readings published at once in far fewer than N Redis round trips', async () => {
    const rw = await runRoles(['ingest'], harnessEnv(svc, { RW_LOG_GROUPS: 'store', RW_MQTT_SHARE_GROUP: '', RW_INGEST_MAX_AGE_MS: String(30 * 86_400_000) }));
    const publisher = new TestPublisher(svc.mosquitto.url);
    try {
      await publisher.connect();
      const N = 400;
      const result = await publisher.stream({ sectionId: 'tp-pingwang', stationId: 'TP-PW-01', count: N, startTs: Date.now() - 86_400_000, stepMs: 60_000, window: N });
      expect(result).toEqual({ acked: N, failed: 0 });
      const redis = rw.ctx.redis('test-log');
      const key = partitionKey(rw.config.redis.prefix, 0);
      const entries = (await redis.xrange(key, '-', '+')) as [string, string[]][];
      const readings = entries.reduce((n, [, fields]) => n + (JSON.parse(fields[1] as string) as unknown[]).length, 0);
      expect(readings).toBe(N);
      // One entry per coalesced write (one partition). One message in flight per connection gave ≥ N/2.
      expect(entries.length).toBeLessThanOrEqual(N / 4);
    } finally {
      await publisher.close();
      await rw.close();
    }
  });

  it('keeps a connection whose appends outlast the keepalive: no reconnect, no redelivery', async () => {
    const HOLD_MS = 2000; // > 1.5 × the 1 s keepalive
    const MAX_IN_FLIGHT = 100;
    const N = 500; // 5 rounds of a full window, each held past the keepalive deadline
    const seen = new Map<string, number>();
    let handling = 0;
    let peak = 0;
    const gateway: IngestGateway & { pushingBack: boolean } = {
      pushingBack: false,
      async submit(submission: Submission) {
        const body = submission.payload as { seq: number };
        seen.set(String(body.seq), (seen.get(String(body.seq)) ?? 0) + 1);
        handling++;
        peak = Math.max(peak, handling);
        await sleep(HOLD_MS);
        handling--;
        return { accepted: 1, rejected: [] };
      },
      async deadLetter() {
        throw new Error('no message here is bad input');
      },
    };
    const ingress = new MqttIngress({
      gateway,
      options: { url: svc.mosquitto.url, clientId: svc.uniqueName('busy'), shareGroup: '', connections: 1, maxPayloadBytes: 65_536, maxInFlight: MAX_IN_FLIGHT, keepaliveSeconds: 1 },
      logger: silentLogger(),
    });
    const publisher = new TestPublisher(svc.mosquitto.url);
    try {
      await ingress.start();
      await publisher.connect();
      // More than the harness puts on a connection (4 × 200 unacknowledged over 2), all at once.
      const result = await publisher.stream({ sectionId: 'tp-pingwang', stationId: 'TP-PW-01', count: N, startTs: Date.now() - 86_400_000, stepMs: 60_000, window: N });
      expect(result).toEqual({ acked: N, failed: 0 });
      await eventually(async () => seen.size === N && handling === 0 && ingress.inFlight === 0, 60_000);
      expect(ingress.reconnects).toBe(0);
      expect([...seen.values()].every((n) => n === 1)).toBe(true); // a reconnect would have redelivered
      expect(peak).toBe(MAX_IN_FLIGHT); // parallel, and bounded
    } finally {
      await publisher.close();
      await ingress.close();
    }
  }, 90_000);

  it('at a forced reconnect, acknowledges a pending message only on the connection it came on', async () => {
    const clientId = svc.uniqueName('drop');
    const topic = `${svc.uniqueName('t')}/x`;
    const client: MqttClient = mqtt.connect(svc.mosquitto.url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 100, resubscribe: false });
    const inFlight = new InFlight(client, 100);
    const pending: { packet: IPublishPacket; release: () => void }[] = [];
    client.handleMessage = (packet, next) =>
      inFlight.take(packet, next, () => new Promise<void>((resolve) => pending.push({ packet, release: resolve })));
    const pubacks: number[] = [];
    client.on('packetsend', (packet) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined) pubacks.push(packet.messageId);
    });
    let connects = 0;
    client.on('connect', () => connects++);
    const publisher = await mqtt.connectAsync(svc.mosquitto.url, { clientId: svc.uniqueName('pub'), protocolVersion: 4 });
    try {
      await eventually(async () => connects === 1);
      await client.subscribeAsync(topic, { qos: 1 });
      await publisher.publishAsync(topic, 'reading', { qos: 1 });
      await eventually(async () => pending.length === 1);
      const first = pending[0] as { packet: IPublishPacket; release: () => void };
      // What mqtt.js does on a keepalive timeout: destroy the socket; it reconnects with the session.
      (client as unknown as { stream: { destroy(): void } }).stream.destroy();
      await eventually(async () => connects === 2 && pending.length === 2); // the broker redelivered it
      const second = pending[1] as { packet: IPublishPacket; release: () => void };
      expect(second.packet.messageId).toBe(first.packet.messageId);
      expect(second.packet.dup).toBe(true);
      first.release(); // the append begun on the dropped connection completes now
      await sleep(300);
      expect(pubacks).toEqual([]); // not sent on the new connection
      second.release();
      await eventually(async () => pubacks.length === 1);
      expect(pubacks).toEqual([first.packet.messageId]);
      expect(inFlight.size).toBe(0);
    } finally {
      await publisher.endAsync(true);
      await client.endAsync(true);
    }
  });
});
