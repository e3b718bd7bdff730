/**
 * The simulator against a real Mosquitto started by the harness, with the
 * shipped password file and ACL rendered from the registry: stations publish
 * with their own credentials on their own topics at QoS 1, obey a
 * sampling-interval command and ack it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import type { ReadingPayload, StationCommandAck } from '../../../domain/index.js';
import { renderMosquittoAcl, renderMosquittoPasswordFile } from '../../../platform/mqtt/mosquitto-config.js';
import { NO_EVENTS, Simulator } from '../../../simulators/index.js';
import { MqttTransport } from '../../../simulators/transports/index.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const registry = loadRegistryFile(fileURLToPath(new URL('../../../config/registry.yaml', import.meta.url)));
const TOKENS: Record<string, string> = { 'TP-FH-JS': 'demo-tp-fh-js', 'TP-JS-01': 'demo-tp-js-01' };
const INGEST_PASSWORD = 'ingest-secret-for-tests';
const logger = pino({ level: 'silent' });

interface Received {
  topic: string;
  qos: number;
  payload: string;
}

describe('simulator over MQTT (real Mosquitto)', () => {
  let svc: TestServices<{ mosquitto: { passwordFile: string; aclFile: string } }>;
  let confDir: string;
  let watcher: MqttClient;
  const received: Received[] = [];

  const stations = ['TP-FH-JS', 'TP-JS-01'].map((id) => registry.station(id)).filter((s) => s !== undefined);
  const transportStations = stations.map((s) => ({ id: s.id, sectionId: s.sectionId, token: TOKENS[s.id] as string }));

  beforeAll(async () => {
    confDir = await mkdtemp(join(tmpdir(), 'rw-sim-mqtt-'));
    const passwordFile = join(confDir, 'passwords');
    const aclFile = join(confDir, 'acl');
    await writeFile(
      passwordFile,
      renderMosquittoPasswordFile([
        ...Object.entries(TOKENS).map(([username, password]) => ({ username, password })),
        { username: 'ingest', password: INGEST_PASSWORD },
      ]),
    );
    await writeFile(aclFile, renderMosquittoAcl(registry));
    svc = await startServices({ mosquitto: { passwordFile, aclFile } });
    watcher = await mqtt.connectAsync(svc.mosquitto.url, {
      username: 'ingest',
      password: INGEST_PASSWORD,
      clientId: svc.uniqueName('watcher'),
    });
    watcher.on('message', (topic, payload, packet) => received.push({ topic, qos: packet.qos, payload: payload.toString() }));
    await watcher.subscribeAsync(['wq/+/+/readings', 'wq/+/+/commands/ack'], { qos: 1 });
  });

  afterAll(async () => {
    await watcher?.endAsync();
    await svc?.close();
    await rm(confDir, { recursive: true, force: true });
  });

  it('publishes every reading on the station topic at QoS 1, with the station credentials', async () => {
    received.length = 0;
    const fromMs = Date.parse('2026-11-01T00:00:00+08:00');
    const transport = new MqttTransport({
      url: svc.mosquitto.url,
      stations: transportStations,
      logger,
      clientIdPrefix: svc.uniqueName('sim') + '-',
    });
    const sim = new Simulator({
      registry,
      stations,
      events: NO_EVENTS,
      seed: 1,
      fromMs,
      toMs: fromMs + 2 * 3_600_000,
      speed: 'max',
      transport,
      logger,
    });
    await sim.start();
    const summary = await sim.finished();
    expect(summary).toMatchObject({ readingsAcked: 48, messagesFailed: 0, messagesRefused: 0 });
    await waitFor(() => received.length >= 48);
    expect(received).toHaveLength(48);
    for (const m of received) {
      expect(m.qos).toBe(1);
      const reading = JSON.parse(m.payload) as ReadingPayload;
      const station = registry.station(reading.stationId);
      expect(m.topic).toBe(`wq/${station?.sectionId}/${reading.stationId}/readings`);
    }
    expect(new Set(received.map((m) => m.topic))).toEqual(
      new Set(['wq/tp-fenhu/TP-FH-JS/readings', 'wq/tp-jiashan/TP-JS-01/readings']),
    );
  });

  it('refuses to start with a wrong station token', async () => {
    const transport = new MqttTransport({
      url: svc.mosquitto.url,
      stations: [{ id: 'TP-FH-JS', sectionId: 'tp-fenhu', token: 'wrong' }],
      logger,
      clientIdPrefix: svc.uniqueName('bad') + '-',
      connectTimeoutMs: 5000,
    });
    await expect(transport.start()).rejects.toThrow(/refused TP-FH-JS/);
  });

  it('close() while the broker is unreachable ends the start at once', async () => {
    const transport = new MqttTransport({
      url: 'mqtt://127.0.0.1:1',
      stations: transportStations,
      logger,
      connectTimeoutMs: 60_000,
    });
    const starting = transport.start();
    await sleep(200);
    const t0 = Date.now();
    await transport.close();
    await expect(starting).rejects.toThrow(/closed while connecting/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a command on the commands topic is acked and changes the sampling interval', async () => {
    received.length = 0;
    const transport = new MqttTransport({
      url: svc.mosquitto.url,
      stations: transportStations,
      logger,
      clientIdPrefix: svc.uniqueName('sim') + '-',
    });
    const now = Date.now();
    // Real time, every 2 s; the command brings TP-FH-JS to every 1 s.
    const sim = new Simulator({
      registry,
      stations,
      events: NO_EVENTS,
      seed: 1,
      fromMs: now,
      toMs: Infinity,
      speed: 1,
      transport,
      logger,
      stream: { samplingIntervalS: 2 },
    });
    await sim.start();
    const readingsOf = (stationId: string) => received.filter((m) => m.topic.endsWith(`/${stationId}/readings`)).length;
    try {
      // Wait for readings rather than for time: on a loaded machine a fixed sleep may see too few.
      await waitFor(() => readingsOf('TP-FH-JS') >= 4, 30_000);
      const command = {
        id: svc.uniqueName('cmd'),
        stationId: 'TP-FH-JS',
        sectionId: 'tp-fenhu',
        type: 'set-sampling-interval',
        intervalS: 1,
        expiresAt: Date.now() + 30_000,
      };
      const commandAt = Date.now();
      await watcher.publishAsync('wq/tp-fenhu/TP-FH-JS/commands', JSON.stringify(command), { qos: 1 });
      await waitFor(() => received.some((m) => m.topic === 'wq/tp-fenhu/TP-FH-JS/commands/ack'));
      const ackMessage = received.find((m) => m.topic === 'wq/tp-fenhu/TP-FH-JS/commands/ack');
      expect(ackMessage?.qos).toBe(1);
      const ack = JSON.parse(ackMessage?.payload ?? '{}') as StationCommandAck;
      expect(ack).toMatchObject({ id: command.id, stationId: 'TP-FH-JS', ok: true });
      const afterAck = readingsOf('TP-FH-JS');
      const otherAfterAck = readingsOf('TP-JS-01');
      await waitFor(() => readingsOf('TP-FH-JS') >= afterAck + 4 && readingsOf('TP-JS-01') >= otherAfterAck + 3, 30_000);
      const times = (stationId: string, after: boolean): number[] =>
        received
          .filter((m) => m.topic.endsWith(`/${stationId}/readings`))
          .map((m) => (JSON.parse(m.payload) as ReadingPayload).ts)
          .map((ts) => (typeof ts === 'number' ? ts : Date.parse(ts)))
          .filter((ts) => (after ? ts > commandAt + 1000 : ts <= commandAt));
      const gaps = (ts: number[]): number[] => ts.slice(1).map((t, i) => t - (ts[i] as number));
      expect(new Set(gaps(times('TP-FH-JS', false)))).toEqual(new Set([2000]));
      expect(new Set(gaps(times('TP-FH-JS', true)))).toEqual(new Set([1000]));
      expect(new Set(gaps(times('TP-JS-01', true)))).toEqual(new Set([2000]));
    } finally {
      const summary = await sim.close();
      expect(summary.commands).toEqual({ received: 1, applied: 1, refused: 0 });
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
