/**
 * The harness starts real servers that keep data across restarts, refuse
 * clients when stopped, and (for Mosquitto) enforce the shipped auth and ACL.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import { startMosquitto, type LocalService } from '../../../platform/local/services.js';
import { renderMosquittoAcl, renderMosquittoPasswordFile, stationTopics } from '../../../platform/mqtt/mosquitto-config.js';
import { startServices, type TestServices } from '../../harness/services.js';

let svc: TestServices<{ redis: true; mosquitto: true; influx: true }>;

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true, influx: true });
  console.log(
    `harness start: redis ${svc.redis.lastStartMs} ms, mosquitto ${svc.mosquitto.lastStartMs} ms, influx ${svc.influx.lastStartMs} ms`,
  );
});

afterAll(async () => {
  await svc?.close();
});

function redisClient(service: LocalService): Redis {
  return new Redis(service.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

async function withRedis<T>(service: LocalService, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = redisClient(service);
  redis.on('error', () => undefined); // connect() rejects with the same error
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function mqttConnect(service: LocalService, options: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(service.url, { reconnectPeriod: 0, connectTimeout: 3000, ...options }, false);
}

async function influxQuery(service: LocalService, q: string, db?: string): Promise<unknown[][]> {
  const params = new URLSearchParams({ q, ...(db === undefined ? {} : { db }) });
  const response = await fetch(`${service.url}/query`, { method: 'POST', body: params });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { results: { error?: string; series?: { values: unknown[][] }[] }[] };
  expect(body.results[0]?.error).toBeUndefined();
  return body.results[0]?.series?.[0]?.values ?? [];
}

async function influxWrite(service: LocalService, db: string, lines: string): Promise<void> {
  const response = await fetch(`${service.url}/write?db=${encodeURIComponent(db)}&precision=ms`, { method: 'POST', body: lines });
  expect(response.status, await response.text()).toBe(204);
}

/** Collects messages until `count` arrived (or the timeout passed) and returns them. */
function collect(client: MqttClient, count: number, timeoutMs = 10_000): Promise<{ topic: string; payload: string }[]> {
  const got: { topic: string; payload: string }[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(got), timeoutMs);
    client.on('message', (topic, payload) => {
      got.push({ topic, payload: payload.toString() });
      if (got.length >= count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

describe('Redis', () => {
  it('serves SET/GET, refuses clients when stopped, and keeps AOF data across a graceful restart and a crash', async () => {
    const key = svc.uniqueName('key');
    await withRedis(svc.redis, async (redis) => {
      await redis.set(key, 'before-restart');
      expect(await redis.get(key)).toBe('before-restart');
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    });

    await svc.redis.stop();
    expect(svc.redis.running).toBe(false);
    await expect(withRedis(svc.redis, (redis) => redis.get(key))).rejects.toThrow(/ECONNREFUSED|Connection is closed/);

    await svc.redis.start();
    await withRedis(svc.redis, async (redis) => {
      expect(await redis.get(key)).toBe('before-restart');
      await redis.set(key, 'before-crash');
    });

    await svc.redis.kill();
    await svc.redis.start();
    await withRedis(svc.redis, async (redis) => expect(await redis.get(key)).toBe('before-crash'));
  });
});

describe('Mosquitto', () => {
  it('delivers QoS 1 publish/subscribe and refuses clients when stopped', async () => {
    const topic = `${svc.uniqueName('t')}/readings`;
    const sub = await mqttConnect(svc.mosquitto);
    await sub.subscribeAsync(topic, { qos: 1 });
    const received = collect(sub, 1);
    const pub = await mqttConnect(svc.mosquitto);
    await pub.publishAsync(topic, 'hello', { qos: 1 });
    expect(await received).toEqual([{ topic, payload: 'hello' }]);
    await Promise.all([sub.endAsync(), pub.endAsync()]);

    await svc.mosquitto.stop();
    await expect(mqttConnect(svc.mosquitto)).rejects.toThrow();
    await svc.mosquitto.start();
    const again = await mqttConnect(svc.mosquitto);
    expect(again.connected).toBe(true);
    await again.endAsync();
  });

  it('keeps 1,500 QoS 1 messages queued for an offline persistent session across a broker restart', async () => {
    const messageCount = 1500; // above Mosquitto's default max_queued_messages (1000)
    expect(await queueAcrossRestart(svc.mosquitto, messageCount)).toEqual({ sessionPresent: true, distinct: messageCount });
  });

  it("loses part of the same backlog with Mosquitto's default queue limits (why the shipped config raises them)", async () => {
    const stock = await startMosquitto({
      dir: join(svc.dir, 'mosquitto-stock'),
      config: { maxQueuedMessages: 1000, maxInflightMessages: 20 },
    });
    try {
      const { distinct } = await queueAcrossRestart(stock, 1500);
      expect(distinct).toBeLessThan(1500);
    } finally {
      await stock.close();
    }
  });
});

/**
 * Subscribes a persistent session, disconnects it, publishes `count` QoS 1
 * messages, restarts the broker, reconnects and counts what arrives. A marker
 * published after the reconnect ends the wait: it is queued behind the backlog.
 */
async function queueAcrossRestart(broker: LocalService, count: number): Promise<{ sessionPresent: boolean; distinct: number }> {
  const topic = `${svc.uniqueName('t')}/readings`;
  const clientId = svc.uniqueName('ingest');
  const sub = await mqttConnect(broker, { clientId, clean: false });
  await sub.subscribeAsync(topic, { qos: 1 });
  await sub.endAsync();

  const pub = await mqttConnect(broker);
  await Promise.all(Array.from({ length: count }, (_, i) => pub.publishAsync(topic, String(i), { qos: 1 })));
  await pub.endAsync();

  await broker.stop();
  await broker.start();

  // Listen before connecting: the queued messages follow the CONNACK at once.
  const back = connect(broker.url, { clientId, clean: false, reconnectPeriod: 0, manualConnect: true });
  const payloads = new Set<string>();
  const markerSeen = new Promise<void>((resolve) =>
    back.on('message', (_topic, payload) => (payload.toString() === 'marker' ? resolve() : payloads.add(payload.toString()))),
  );
  const connack = new Promise<boolean>((resolve) => back.once('connect', (packet) => resolve(packet.sessionPresent)));
  back.connect();
  const sessionPresent = await connack;
  const markerPub = await mqttConnect(broker);
  await markerPub.publishAsync(topic, 'marker', { qos: 1 });
  await Promise.race([
    markerSeen,
    sleep(10_000, undefined, { ref: false }).then(() => Promise.reject(new Error('marker not delivered within 10 s'))),
  ]);
  await Promise.all([markerPub.endAsync(), back.endAsync()]);
  return { sessionPresent, distinct: payloads.size };
}

describe('InfluxDB', () => {
  it('writes and reads a point, refuses requests when stopped, and keeps data across a restart and a crash', async () => {
    const db = svc.uniqueName('db');
    await influxQuery(svc.influx, `CREATE DATABASE "${db}"`);
    const ts = Date.UTC(2026, 10, 22, 0, 0, 0);
    await influxWrite(svc.influx, db, `readings,station=TP-JS-01 ph=7.41,do=6.8 ${ts}`);
    const read = (): Promise<unknown[][]> =>
      influxQuery(svc.influx, `SELECT ph, "do" FROM readings WHERE station = 'TP-JS-01'`, db);
    expect(await read()).toEqual([['2026-11-22T00:00:00Z', 7.41, 6.8]]);

    await svc.influx.stop();
    await expect(fetch(`${svc.influx.url}/ping`)).rejects.toThrow();
    await svc.influx.start();
    expect(await read()).toEqual([['2026-11-22T00:00:00Z', 7.41, 6.8]]);

    await influxWrite(svc.influx, db, `readings,station=TP-JS-01 ph=7.5,do=6.9 ${ts + 60_000}`);
    await svc.influx.kill();
    await svc.influx.start();
    expect(await read()).toEqual([
      ['2026-11-22T00:00:00Z', 7.41, 6.8],
      ['2026-11-22T00:01:00Z', 7.5, 6.9],
    ]);
  });
});

describe('Mosquitto with the shipped password file and ACL', () => {
  const registry = loadRegistryFile('config/registry.yaml');
  const secrets = parseYaml(readFileSync('config/sample-station-secrets.yaml', 'utf8')) as Record<string, string>;
  const ingestPassword = 'ingest-secret';
  let broker: LocalService;

  beforeAll(async () => {
    const dir = join(svc.dir, 'mosquitto-auth');
    mkdirSync(dir);
    // Files first, then the broker: the password and ACL files are read at start.
    writeFileSync(join(dir, 'acl'), renderMosquittoAcl(registry));
    writeFileSync(
      join(dir, 'passwd'),
      renderMosquittoPasswordFile([
        { username: 'ingest', password: ingestPassword },
        ...Object.entries(secrets).map(([username, password]) => ({ username, password })),
      ]),
    );
    broker = await startMosquitto({ dir, passwordFile: join(dir, 'passwd'), aclFile: join(dir, 'acl') });
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('admits a station with its token and refuses a wrong password and anonymous clients', async () => {
    const station = await mqttConnect(broker, { username: 'TP-JS-01', password: secrets['TP-JS-01'] });
    expect(station.connected).toBe(true);
    await station.endAsync();

    await expect(mqttConnect(broker, { username: 'TP-JS-01', password: 'wrong' })).rejects.toMatchObject({ code: 5 });
    // Mosquitto 2.0.11 answers MQTT 5 clients "not authorized" (135), not "bad user name or password" (134).
    await expect(mqttConnect(broker, { username: 'TP-JS-01', password: 'wrong', protocolVersion: 5 })).rejects.toMatchObject({
      code: 135,
    });
    await expect(mqttConnect(broker)).rejects.toMatchObject({ code: 5 });
  });

  it('lets a station publish only its own readings and read only its own commands', async () => {
    const own = registry.station('TP-JS-01');
    const other = registry.station('TP-LT-01');
    if (!own || !other) throw new Error('sample registry lacks TP-JS-01 or TP-LT-01');
    const ownTopics = stationTopics(own.sectionId, own.id);
    const otherTopics = stationTopics(other.sectionId, other.id);
    const stationLogin = { username: own.id, password: secrets[own.id] };

    const ingest = await mqttConnect(broker, { username: 'ingest', password: ingestPassword });
    await ingest.subscribeAsync(`$share/${svc.uniqueName('g')}/wq/+/+/readings`, { qos: 1 });
    const seen = collect(ingest, 1);

    // MQTT 3.1.1: Mosquitto 2.0 acknowledges the forbidden publish, drops it and closes the connection.
    const forger = await mqttConnect(broker, stationLogin);
    const forgerClosed = new Promise<void>((resolve) => forger.once('close', () => resolve()));
    await forger.publishAsync(otherTopics.readings, 'forged', { qos: 1 });
    await forgerClosed;
    // MQTT 5: the PUBACK says "not authorized" (135); the connection is closed as well.
    const forger5 = await mqttConnect(broker, { ...stationLogin, protocolVersion: 5 });
    await expect(forger5.publishAsync(otherTopics.readings, 'forged-v5', { qos: 1 })).rejects.toMatchObject({ code: 135 });
    forger5.end(true);

    // The broker routes each publish before acknowledging it, so a delivered forgery would reach ingest before this.
    const station = await mqttConnect(broker, stationLogin);
    await station.publishAsync(ownTopics.readings, 'genuine', { qos: 1 });
    expect(await seen).toEqual([{ topic: ownTopics.readings, payload: 'genuine' }]);

    // Mosquitto grants any subscription and filters each delivery by the read ACL: only its own commands arrive.
    await station.subscribeAsync('wq/+/+/commands', { qos: 1 });
    const commands = collect(station, 1);
    await ingest.publishAsync(otherTopics.commands, '{"samplingIntervalS":30}', { qos: 1 });
    await ingest.publishAsync(ownTopics.commands, '{"samplingIntervalS":60}', { qos: 1 });
    expect(await commands).toEqual([{ topic: ownTopics.commands, payload: '{"samplingIntervalS":60}' }]);

    await Promise.all([ingest.endAsync(), station.endAsync()]);
  });
});
