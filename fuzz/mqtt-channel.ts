/**
 * MQTT channel: malformed payloads on each station's own readings topic
 * (published with the station's credentials, as a compromised or buggy
 * gateway would), malformed topics under `wq/+/+/readings` (published by a
 * test-only user allowed on every topic, to reach the ingress's own topic
 * checks), topics outside the readings filter, and publishes on another
 * station's topic with a station's credentials (which the broker's ACL must
 * refuse), interleaved with valid readings at QoS 1.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { readingsTopic, type Station } from '../domain/index.js';
import { RAW_PUBLISHER } from './environment.js';
import { badPayload, validReading, type PayloadKind } from './json-payloads.js';
import { pool, sampleOf, type Ledger } from './ledger.js';
import type { Prng } from './prng.js';
import type { TimeWindows } from './time-windows.js';

export interface MqttChannelOptions {
  readonly url: string;
  readonly stations: readonly Station[];
  readonly tokens: Readonly<Record<string, string>>;
  readonly rawPassword: string;
  readonly sections: readonly string[];
  readonly ledger: Ledger;
  readonly windows: TimeWindows;
  readonly prng: Prng;
  readonly count: number;
  /** Whether input `index` is a valid reading (deterministic interleaving). */
  readonly isValid: (index: number) => boolean;
  readonly kinds: readonly PayloadKind[];
  readonly maxPayloadBytes: number;
  readonly maxBatch: number;
  readonly stop: () => boolean;
  readonly concurrency?: number;
}

const MODE_WEIGHTS = { payload: 88, topic: 9, 'not-routed': 1.5, acl: 1.5, 'topic-control': 0.3 } as const;
const PUBLISH_TIMEOUT_MS = 60_000;

/** Publishes and resolves with an error text, or undefined on PUBACK. */
function publish(client: MqttClient, topic: string, payload: Buffer, timeoutMs = PUBLISH_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no PUBACK in time'), timeoutMs);
    client.publish(topic, payload, { qos: 1 }, (err) => {
      clearTimeout(timer);
      resolve(err ? `publish failed: ${err.message}` : undefined);
    });
  });
}

async function connect(url: string, username: string, password: string, clientId: string, reconnect: boolean): Promise<MqttClient> {
  return mqtt.connectAsync(url, { username, password, clientId, protocolVersion: 4, clean: true, reconnectPeriod: reconnect ? 500 : 0, connectTimeout: 10_000 });
}

/**
 * One publish on a throwaway connection; reports whether the broker closed
 * the connection afterwards (what Mosquitto does after an ACL refusal).
 */
async function publishOnce(url: string, username: string, password: string, clientId: string, topic: string, payload: Buffer): Promise<{ closedByBroker: boolean; error?: string }> {
  let client: MqttClient;
  try {
    client = await connect(url, username, password, clientId, false);
  } catch (err) {
    return { closedByBroker: true, error: `connect: ${(err as Error).message}` };
  }
  let closed = false;
  client.on('error', () => undefined);
  const closedPromise = new Promise<void>((resolve) => client.once('close', () => ((closed = true), resolve())));
  const error = await publish(client, topic, payload, 3_000);
  await Promise.race([closedPromise, new Promise((r) => setTimeout(r, 300))]);
  await client.endAsync(true).catch(() => undefined);
  return { closedByBroker: closed, ...(error ? { error } : {}) };
}

function weirdLevel(prng: Prng): string {
  return prng.pick([
    '',
    ' ',
    '中文断面',
    '🦆',
    'ｗｑ',
    'x'.repeat(prng.int(1_000, 30_000)),
    'a b  c',
    '..',
    '$SYS',
    '%00',
    `${prng.text(prng.int(1, 64), 'abc-_.~!*()\'";:@&=,')}`,
  ]);
}

export async function runMqttChannel(o: MqttChannelOptions): Promise<void> {
  const { ledger, prng, windows } = o;
  const clients = new Map<string, MqttClient>();
  const all: MqttClient[] = [];
  try {
    for (const station of o.stations) {
      const client = await connect(o.url, station.id, o.tokens[station.id] as string, `fuzz-station-${station.id}`, true);
      client.on('error', (err) => ledger.clientError(`mqtt station client: ${err.message}`));
      clients.set(station.id, client);
      all.push(client);
    }
    const raw = await connect(o.url, RAW_PUBLISHER, o.rawPassword, 'fuzz-raw-publisher', true);
    raw.on('error', (err) => ledger.clientError(`mqtt raw client: ${err.message}`));
    all.push(raw);
    const modeWeights = Object.fromEntries(Object.entries(MODE_WEIGHTS)) as Record<keyof typeof MODE_WEIGHTS, number>;

    await pool(
      o.count,
      o.concurrency ?? 48,
      async (index) => {
        const { id, marker } = ledger.markerFor('mqtt', index);
        const station = prng.pick(o.stations);
        const client = clients.get(station.id) as MqttClient;
        if (o.isValid(index)) {
          const reading = validReading(prng, station, windows.nextValid());
          const record = ledger.addValid({ channel: 'mqtt', stationId: station.id, ts: reading.ts, acknowledged: false });
          const error = await publish(client, readingsTopic(station.sectionId, station.id), Buffer.from(JSON.stringify(reading)));
          if (error) record.problem = error;
          else record.acknowledged = true;
          return;
        }
        const other = prng.pick(o.stations.filter((s) => s.id !== station.id));
        const ctx = { station, otherStation: other, marker, badTs: windows.nextBad(), now: Date.now(), maxPayloadBytes: o.maxPayloadBytes, maxBatch: o.maxBatch };
        const mode = prng.weighted(modeWeights);
        if (mode === 'payload') {
          const { kind, body } = badPayload(prng, ctx, o.kinds);
          const input = ledger.addBad({ id, channel: 'mqtt', kind, marker, sample: sampleOf(body) });
          const error = await publish(client, readingsTopic(station.sectionId, station.id), body);
          if (error) input.failure = `not acknowledged by the broker: ${error}`;
          return;
        }
        const body = Buffer.from(JSON.stringify({ fz: marker, ...validReading(prng, station, ctx.badTs) }));
        if (mode === 'topic') {
          const variant = prng.pick(['unknown-ids', 'wrong-section', 'other-station', 'weird-levels'] as const);
          const topic =
            variant === 'unknown-ids'
              ? `wq/ZZ-${prng.text(6)}/ZZ-${prng.text(6)}/readings`
              : variant === 'wrong-section'
                ? `wq/${prng.pick(o.sections.filter((s) => s !== station.sectionId))}/${station.id}/readings`
                : variant === 'other-station'
                  ? readingsTopic(other.sectionId, other.id)
                  : `wq/${prng.chance(0.5) ? weirdLevel(prng) : station.sectionId}/${weirdLevel(prng)}/readings`;
          const input = ledger.addBad({ id, channel: 'mqtt', kind: `topic-${variant}`, marker, sample: `${sampleOf(topic, 80)} ${sampleOf(body, 60)}` });
          const error = await publish(raw, topic, body);
          if (error) input.failure = `not acknowledged by the broker: ${error}`;
          return;
        }
        if (mode === 'not-routed') {
          const topic = prng.pick([`wq/${station.sectionId}/readings`, `wq/${station.sectionId}/${station.id}/x/readings`, `wq/${station.sectionId}/${station.id}/Readings`, `WQ/${station.sectionId}/${station.id}/readings`, `wq/${station.sectionId}/${station.id}/readings/`, `/wq/${station.sectionId}/${station.id}/readings`]);
          const input = ledger.addBad({ id, channel: 'mqtt', kind: 'topic-outside-filter', marker, sample: topic, refusedBeforeIngest: 'mqtt-not-routed' });
          const error = await publish(raw, topic, body);
          if (error) input.failure = `not acknowledged by the broker: ${error}`;
          return;
        }
        if (mode === 'topic-control') {
          // Control characters in a topic: Mosquitto treats them as malformed UTF-8 and drops the client,
          // so each goes on a throwaway connection (a shared client would resend it forever).
          const ch = String.fromCharCode(prng.pick([1, 9, 10, 13, 27, 31, 127, 0x85, 0x9f]));
          const topic = `wq/${station.sectionId}/${station.id}${ch}/readings`;
          const input = ledger.addBad({ id, channel: 'mqtt', kind: 'topic-control-chars', marker, sample: sampleOf(topic) });
          const outcome = await publishOnce(o.url, RAW_PUBLISHER, o.rawPassword, `fuzz-control-${index}`, topic, body);
          // Either the broker refused it (closed the connection) or ingest must have dead-lettered it.
          if (outcome.closedByBroker) input.refusedBeforeIngest = 'broker-malformed';
          return;
        }
        // ACL probe: the station's own credentials, another station's topic and reading.
        const aclBody = Buffer.from(JSON.stringify({ fz: marker, ...validReading(prng, other, windows.nextAcl()) }));
        const input = ledger.addBad({ id, channel: 'mqtt', kind: 'acl-other-station-topic', marker, sample: `${station.id} → ${readingsTopic(other.sectionId, other.id)}`, refusedBeforeIngest: 'broker-acl' });
        const outcome = await publishOnce(o.url, station.id, o.tokens[station.id] as string, `fuzz-intruder-${index}`, readingsTopic(other.sectionId, other.id), aclBody);
        input.note = outcome.closedByBroker ? 'broker closed the connection' : 'connection kept';
      },
      o.stop,
    );
  } finally {
    await Promise.all(all.map((c) => c.endAsync(false).catch(() => undefined)));
  }
}
