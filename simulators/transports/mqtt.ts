/**
 * MQTT transport (the default): QoS 1 publishes on
 * `wq/{sectionId}/{stationId}/readings`, resolved on PUBACK. Either one
 * connection per station with the station's own credentials (username =
 * station id, password = token), or a pool of shared connections for load
 * runs (the broker must then accept the pool's credentials for every
 * station topic). Stations subscribe to their commands topic and publish
 * the ack on `.../commands/ack`.
 */
import { setMaxListeners } from 'node:events';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { StationMessage } from '../model/station-stream.js';
import { commandAckTopic, commandsTopic, readingsTopic } from '../../domain/index.js';
import { decodeCommand, encodeMessage, parseCommandsTopic } from './payload.js';
import type { CommandHandler, SendResult, SimTransport, TransportStation } from './transport.js';

export interface MqttTransportOptions {
  readonly url: string;
  readonly stations: readonly TransportStation[];
  /** `per-station`: a connection per station with its credentials; a number: that many shared connections. @defaultValue 'per-station' */
  readonly connections?: 'per-station' | number;
  /** Credentials of the shared connections (pooled mode only). */
  readonly username?: string;
  readonly password?: string;
  /** @defaultValue 'sim-' */
  readonly clientIdPrefix?: string;
  /** Subscribe to the stations' commands topics. @defaultValue true */
  readonly commands?: boolean;
  /** Connections opened at once while starting. @defaultValue 32 */
  readonly connectConcurrency?: number;
  /** @defaultValue 30000 */
  readonly connectTimeoutMs?: number;
  /** How long close() waits for in-flight publishes before forcing. @defaultValue 10000 */
  readonly closeTimeoutMs?: number;
  readonly logger: Logger;
}

/** CONNACK refusals: MQTT 3.1.1 return codes 1–5, MQTT 5 reason codes ≥ 0x80. */
function isConnackRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code > 0;
}

export class MqttTransport implements SimTransport {
  readonly name = 'mqtt';
  readonly #options: MqttTransportOptions;
  readonly #log: Logger;
  readonly #clients: MqttClient[] = [];
  readonly #clientOf = new Map<string, MqttClient>();
  readonly #stations = new Map<string, TransportStation>();
  readonly #counters = { reconnects: 0, connectionErrors: 0, commandsReceived: 0, acksPublished: 0 };
  #handler: CommandHandler | undefined;
  #closing: Promise<void> | undefined;
  readonly #closed = new AbortController();

  constructor(options: MqttTransportOptions) {
    // Every pending connect / request / wait listens for close: more than the default 10 at once is normal.
    setMaxListeners(0, this.#closed.signal);
    this.#options = options;
    this.#log = options.logger.child({ component: 'sim-mqtt' });
    for (const s of options.stations) this.#stations.set(s.id, s);
  }

  async start(): Promise<void> {
    const o = this.#options;
    const pooled = typeof o.connections === 'number';
    const prefix = o.clientIdPrefix ?? 'sim-';
    const plans: {
      clientId: string;
      username?: string;
      password?: string;
      stations: TransportStation[];
      wildcardCommands: boolean;
    }[] = [];
    if (pooled) {
      const n = Math.max(1, Math.min(o.connections as number, o.stations.length || 1));
      for (let i = 0; i < n; i++) {
        plans.push({
          clientId: `${prefix}pool-${i}`,
          ...(o.username !== undefined ? { username: o.username } : {}),
          ...(o.password !== undefined ? { password: o.password } : {}),
          stations: [],
          wildcardCommands: i === 0,
        });
      }
      o.stations.forEach((s, i) => plans[i % n]?.stations.push(s));
    } else {
      for (const s of o.stations) {
        plans.push({
          clientId: `${prefix}${s.id}`,
          username: s.id,
          ...(s.token !== undefined ? { password: s.token } : {}),
          stations: [s],
          wildcardCommands: false,
        });
      }
    }
    const concurrency = Math.max(1, o.connectConcurrency ?? 32);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plans.length) {
        const plan = plans[next++];
        if (!plan) break;
        const client = await this.#connect(plan.clientId, plan.username, plan.password);
        for (const s of plan.stations) this.#clientOf.set(s.id, client);
        if (o.commands !== false) {
          const topics = plan.wildcardCommands
            ? ['wq/+/+/commands']
            : pooled
              ? []
              : plan.stations.map((s) => commandsTopic(s.sectionId, s.id));
          if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, plans.length) }, () => worker()));
    } catch (err) {
      await this.close();
      throw err;
    }
    this.#log.info({ url: o.url, connections: this.#clients.length, stations: o.stations.length }, 'mqtt transport connected');
  }

  #connect(clientId: string, username: string | undefined, password: string | undefined): Promise<MqttClient> {
    const o = this.#options;
    const timeoutMs = o.connectTimeoutMs ?? 30_000;
    const options: IClientOptions = {
      clientId,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: Math.min(timeoutMs, 30_000),
      protocolVersion: 4,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    };
    const client = connect(o.url, options);
    this.#clients.push(client);
    client.on('message', (topic, payload) => this.#onMessage(client, topic, payload));
    client.on('reconnect', () => {
      this.#counters.reconnects += 1;
    });
    return new Promise<MqttClient>((resolve, reject) => {
      let reported = false;
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`MQTT: cannot connect to ${o.url} as ${username ?? clientId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnect = (): void => {
        cleanup();
        client.on('error', (err) => {
          this.#counters.connectionErrors += 1;
          this.#log.warn({ err, clientId }, 'mqtt connection error');
        });
        resolve(client);
      };
      const onError = (err: Error): void => {
        this.#counters.connectionErrors += 1;
        if (isConnackRefusal(err)) {
          cleanup();
          reject(new Error(`MQTT: broker ${o.url} refused ${username ?? clientId}: ${err.message}`, { cause: err }));
          return;
        }
        // Unreachable broker: mqtt.js keeps retrying until the timeout.
        if (!reported) this.#log.warn({ err, url: o.url, clientId }, 'mqtt broker not reachable yet, retrying');
        reported = true;
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
        this.#closed.signal.removeEventListener('abort', onClosed);
      };
      const onClosed = (): void => {
        cleanup();
        reject(new Error('MQTT transport closed while connecting'));
      };
      client.on('connect', onConnect);
      client.on('error', onError);
      this.#closed.signal.addEventListener('abort', onClosed, { once: true });
    });
  }

  #onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    const where = parseCommandsTopic(topic);
    if (!where) return;
    const station = this.#stations.get(where.stationId);
    if (!station || station.sectionId !== where.sectionId || !this.#handler) return;
    this.#counters.commandsReceived += 1;
    this.#handler({ stationId: station.id, sectionId: station.sectionId, payload: decodeCommand(payload) })
      .then(async (ack) => {
        if (!ack) return;
        await client.publishAsync(commandAckTopic(station.sectionId, station.id), JSON.stringify(ack), { qos: 1 });
        this.#counters.acksPublished += 1;
      })
      .catch((err: unknown) => this.#log.warn({ err, stationId: station.id }, 'mqtt command handling failed'));
  }

  async send(message: StationMessage): Promise<SendResult> {
    if (this.#closing) throw new Error('mqtt transport is closed');
    const client = this.#clientOf.get(message.stationId);
    if (!client) return { ok: false, reason: `no MQTT connection for station ${message.stationId}` };
    await client.publishAsync(readingsTopic(message.sectionId, message.stationId), encodeMessage(message), { qos: 1 });
    return { ok: true };
  }

  onCommand(handler: CommandHandler): void {
    this.#handler = handler;
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#counters, connections: this.#clients.length };
  }

  close(): Promise<void> {
    this.#closed.abort();
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // The runner drains its in-flight window before closing; whatever is still unacknowledged after
    // closeTimeoutMs is abandoned (mqtt.js cannot force an end once a graceful one has begun).
    const timeoutMs = this.#options.closeTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.#clients.some((c) => c.connected && Object.keys(c.outgoing).length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(
      this.#clients.map((client) =>
        client.endAsync(true).catch((err: unknown) => {
          this.#log.warn({ err }, 'mqtt close failed');
        }),
      ),
    );
  }
}
