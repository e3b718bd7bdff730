/**
 * MQTT ingress (issue 3 §1, issue 14): QoS 1 subscribers with stable client
 * ids and persistent sessions. The PUBACK of a message is sent only after its
 * reading is in the readings log (or refused into the dead letters).
 *
 * Many messages in flight per connection (issue 14): mqtt.js hands packets to
 * `handleMessage` one at a time and lets the next packet through only when the
 * callback runs, which also sends the PUBACK; so a connection had one message
 * in flight, appends had nothing to coalesce with, and a PINGRESP queued behind
 * publishes waiting on Redis could miss the keepalive deadline (the keepalive
 * drops of issue 14). Here the callback runs at once with a marker error,
 * which mqtt.js passes to its packet loop (it sends no PUBACK and reports
 * nothing: handlers/publish.js, qos 1), and {@link InFlight} sends the PUBACK
 * itself once the append resolved, on the same connection only. Up to
 * `maxInFlight` messages per connection are handled at once (the broker
 * bounds it too: Mosquitto's `max_inflight_messages`); beyond that the packet
 * loop waits, so memory stays bounded. Concurrent appends coalesce into one
 * Redis pipeline (readings-log.ts), and PUBACKs go out in arrival order.
 * Under back-pressure the PUBACKs are held: the broker queues.
 *
 * What each connection subscribes to (see {@link subscriptionPlan}):
 * - `sections` (the default): plain subscriptions `wq/{sectionId}/+/readings`,
 *   the process's sections dealt over its connections, so every message has
 *   exactly one subscriber, a station's readings keep their order, and the
 *   broker keeps the subscriptions across its own restarts (Mosquitto 2.0.11
 *   does not restore `$share` subscriptions from its persistence file, so
 *   messages published after a broker restart and before a share-group member
 *   resubscribed were acknowledged to gateways and then dropped: measured by
 *   the fault drill, pinned by test/integration/ingest/subscriptions.test.ts).
 *   One connection covering every section uses the wildcard `wq/+/+/readings`,
 *   so topics outside the registry reach the dead letters too.
 * - `share`: `$share/{group}/wq/+/+/readings` on every connection, for brokers
 *   that keep shared subscriptions across restarts (EMQX).
 */
import { TextDecoder } from 'node:util';
import mqtt, { type IPublishPacket, type ISubscriptionMap, type MqttClient } from 'mqtt';
import { InFlight } from './in-flight.js';
import { AppError, READINGS_FILTER, parseReadingsTopic, type IngestGateway } from '../../domain/index.js';
import type { Logger } from '../logger.js';

export interface MqttIngressOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly clientId: string;
  /** MQTT shared-subscription group; empty: plain subscriptions by section. */
  readonly shareGroup: string;
  /** Sections this process subscribes to when `shareGroup` is empty (its slice of the registry). */
  readonly sections?: readonly string[];
  /** Every section of the registry: subscriptions to the others are removed from restored sessions. */
  readonly allSections?: readonly string[];
  readonly connections: number;
  readonly maxPayloadBytes: number;
  /** Messages handled at once per connection before the packet loop waits; 1 with a share group. @defaultValue 200 */
  readonly maxInFlight?: number;
  /** MQTT keepalive in seconds. @defaultValue 30 */
  readonly keepaliveSeconds?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class MqttIngress {
  readonly #gateway: IngestGateway & { readonly pushingBack: boolean };
  readonly #options: MqttIngressOptions;
  readonly #logger: Logger;
  readonly #clients: MqttClient[] = [];
  readonly #inFlight: InFlight[] = [];
  #closing = false;
  #closed: Promise<void> | undefined;
  #reconnects = 0;

  constructor(deps: { gateway: IngestGateway & { readonly pushingBack: boolean }; options: MqttIngressOptions; logger: Logger }) {
    this.#gateway = deps.gateway;
    this.#options = deps.options;
    this.#logger = deps.logger;
  }

  /** Topic filters per connection. */
  get plan(): readonly (readonly string[])[] {
    return subscriptionPlan(this.#options);
  }

  /** Connects every subscriber; resolves when all are subscribed. */
  async start(): Promise<void> {
    const connects: Promise<void>[] = [];
    const plan = this.plan;
    const everyFilter = new Set([READINGS_FILTER, ...(this.#options.allSections ?? []).map(sectionFilter)]);
    for (let i = 0; i < plan.length; i++) {
      const filters = plan[i] as readonly string[];
      // Filters a restored session may still hold from an earlier layout (another slice or connection count).
      const stale = this.#options.shareGroup ? [] : [...everyFilter].filter((f) => !filters.includes(f));
      const clientId = this.#options.connections === 1 ? this.#options.clientId : `${this.#options.clientId}-${i + 1}`;
      const client = mqtt.connect(this.#options.url, {
        clientId,
        clean: false,
        protocolVersion: 4,
        keepalive: this.#options.keepaliveSeconds ?? 30,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        // Subscribing is done on every connect below; mqtt.js's own resubscription would only repeat it.
        resubscribe: false,
        ...(this.#options.username ? { username: this.#options.username } : {}),
        ...(this.#options.password ? { password: this.#options.password } : {}),
      });
      // A share group (Mosquitto: round-robin) spreads a station's messages over the connections, so
      // messages handled at once would be appended out of order (found by the GECCO replay test):
      // there, one message in flight per connection, as before issue 14.
      const inFlight = new InFlight(client, this.#options.shareGroup ? 1 : (this.#options.maxInFlight ?? 200));
      client.handleMessage = (packet, next) => inFlight.take(packet, next, () => this.#handle(packet, clientId));
      client.on('error', (err) => this.#logger.warn({ err, clientId }, 'MQTT ingress connection error'));
      client.on('offline', () => {
        this.#reconnects++;
        this.#logger.warn({ clientId }, 'MQTT ingress offline; reconnecting');
      });
      // Subscribe on every connect, not only the first: Mosquitto 2.0 restores a persistent session
      // after a restart but not its $share subscription, while still reporting the session present,
      // so relying on the session left ingest deaf after a broker restart (found by the fault drill).
      let first = true;
      connects.push(
        new Promise<void>((resolve, reject) => {
          const onFirstError = (err: Error) => reject(err);
          client.once('error', onFirstError);
          client.on('connect', (connack: { sessionPresent: boolean }) => {
            if (connack.sessionPresent && stale.length > 0)
              client.unsubscribe(stale, (err) => {
                if (err) this.#logger.warn({ err, clientId }, 'could not remove subscriptions of an earlier layout');
              });
            // `resubscribe: true` makes mqtt.js send the SUBSCRIBE even though it remembers the filters:
            // without it a repeat subscription is answered locally with nothing sent.
            const request = { ...Object.fromEntries(filters.map((f) => [f, { qos: 1 }])), resubscribe: true } as ISubscriptionMap;
            client.subscribe(request, (err, granted) => {
              const denied = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
              const refused =
                err ?? (denied.length > 0 ? new Error(`broker refused subscription to ${denied.join(', ')}`) : undefined);
              if (first) {
                first = false;
                client.removeListener('error', onFirstError);
                if (refused) return reject(refused);
                this.#logger.info(
                  { clientId, filters: summary(filters), sessionPresent: connack.sessionPresent },
                  'MQTT ingress subscribed',
                );
                return resolve();
              }
              if (refused)
                this.#logger.error({ err: refused, clientId }, 'MQTT ingress could not resubscribe after reconnecting');
              else
                this.#logger.info(
                  { clientId, filters: summary(filters), sessionPresent: connack.sessionPresent },
                  'MQTT ingress resubscribed after reconnecting',
                );
            });
          });
        }),
      );
      this.#clients.push(client);
      this.#inFlight.push(inFlight);
    }
    await Promise.all(connects);
  }

  /** Handles one message; resolves when it may be acknowledged. */
  async #handle(packet: IPublishPacket, clientId: string): Promise<void> {
    const topic = parseReadingsTopic(packet.topic);
    const payload = packet.payload as Buffer;
    const peer = clientId;
    if (!topic) {
      return this.#refuse({
        code: 'RW_WRONG_TOPIC',
        message: `topic "${packet.topic.slice(0, 200)}" is not wq/{sectionId}/{stationId}/readings`,
        raw: payload,
        peer,
      });
    }
    if (payload.length > this.#options.maxPayloadBytes) {
      return this.#refuse({
        code: 'RW_PAYLOAD_TOO_LARGE',
        message: `payload of ${payload.length} bytes exceeds ${this.#options.maxPayloadBytes}`,
        raw: payload,
        peer,
        stationId: topic.stationId,
      });
    }
    let text: string;
    let body: unknown;
    try {
      text = utf8.decode(payload);
    } catch {
      return this.#refuse({
        code: 'RW_INVALID_JSON',
        message: 'payload is not valid UTF-8',
        raw: payload,
        peer,
        stationId: topic.stationId,
      });
    }
    try {
      body = JSON.parse(text);
    } catch (err) {
      return this.#refuse({
        code: 'RW_INVALID_JSON',
        message: `payload is not JSON: ${(err as Error).message}`,
        raw: payload,
        peer,
        stationId: topic.stationId,
      });
    }
    const submission = { source: 'mqtt', payload: body, raw: text, topic, peer } as const;
    if (!this.#gateway.pushingBack) {
      // Fast path: no retry closure per message; any failure goes to the retry loop below.
      try {
        await this.#gateway.submit(submission);
        return;
      } catch {
        // retried (and logged) by #withRetry
      }
    }
    await this.#withRetry(() => this.#gateway.submit(submission));
  }

  async #refuse(entry: {
    code: 'RW_WRONG_TOPIC' | 'RW_PAYLOAD_TOO_LARGE' | 'RW_INVALID_JSON';
    message: string;
    raw: Buffer;
    peer: string;
    stationId?: string;
  }): Promise<void> {
    const raw = entry.raw.subarray(0, 65_536).toString('latin1');
    await this.#withRetry(() =>
      this.#gateway.deadLetter({
        source: 'mqtt',
        raw,
        code: entry.code,
        message: entry.message,
        peer: entry.peer,
        ...(entry.stationId ? { stationId: entry.stationId } : {}),
      }),
    );
  }

  /**
   * Retries until the work is durable: while the log is over its high-water
   * mark or Redis is unreachable, the message stays unacknowledged.
   */
  async #withRetry(work: () => Promise<unknown>): Promise<void> {
    let delayMs = 50;
    let logged = false;
    for (;;) {
      if (this.#closing) throw new Error('closing');
      if (this.#gateway.pushingBack) {
        await sleep(200);
        continue;
      }
      try {
        await work();
        return;
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'RW_BACKPRESSURE') && !logged) {
          this.#logger.warn({ err }, 'could not append to the readings log; holding the message and retrying');
          logged = true;
        }
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, 2000);
      }
    }
  }

  /** Times a connection went offline (and mqtt.js began reconnecting) since start. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Messages handled and not yet acknowledged, summed over the connections. */
  get inFlight(): number {
    return this.#inFlight.reduce((n, f) => n + f.size, 0);
  }

  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= Promise.allSettled(this.#clients.map((c) => c.endAsync(false))).then(() => undefined);
    return this.#closed;
  }
}

/** The plain subscription of one section. */
export function sectionFilter(sectionId: string): string {
  return `wq/${sectionId}/+/readings`;
}

/**
 * Topic filters per connection: the share-group filter on every connection;
 * or the sections dealt round-robin (sorted) over at most `connections`
 * connections, the wildcard when one connection takes every section.
 */
export function subscriptionPlan(options: Pick<MqttIngressOptions, 'shareGroup' | 'sections' | 'allSections' | 'connections'>): string[][] {
  const { shareGroup, connections } = options;
  if (shareGroup) return Array.from({ length: connections }, () => [`$share/${shareGroup}/${READINGS_FILTER}`]);
  const sections = [...(options.sections ?? [])].sort();
  const all = options.allSections;
  const everything = all === undefined || (sections.length === new Set(all).size && all.every((s) => sections.includes(s)));
  if (everything && (connections === 1 || sections.length === 0)) return [[READINGS_FILTER]];
  const count = Math.max(1, Math.min(connections, sections.length));
  const plan: string[][] = Array.from({ length: count }, () => []);
  sections.forEach((s, i) => plan[i % count]?.push(sectionFilter(s)));
  return plan;
}

/** The sections of slice `index` (1-based) of `count`: sorted ids dealt round-robin. */
export function sliceSections(sections: Iterable<string>, index: number, count: number): string[] {
  return [...sections].sort().filter((_, i) => i % count === index - 1);
}

function summary(filters: readonly string[]): string {
  return filters.length <= 4 ? filters.join(' ') : `${filters.slice(0, 3).join(' ')} … (${filters.length} filters)`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
