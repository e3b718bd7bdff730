/**
 * MQTT ingress (issue 3 §1): QoS 1 subscribers with stable client ids and
 * persistent sessions, in a shared-subscription group so several ingest
 * processes split the load. mqtt.js handles incoming packets one at a time
 * and sends the PUBACK when handleMessage's callback runs, so the callback
 * runs only after the reading is in the readings log (or refused into the
 * dead letters). Several connections per process give parallelism.
 * Under back-pressure the callback is held: no PUBACK, the broker queues.
 */
import { TextDecoder } from 'node:util';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { AppError, READINGS_FILTER, parseReadingsTopic, type IngestGateway } from '../domain/index.js';
import type { Logger } from '../platform/logger.js';

export interface MqttIngressOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly clientId: string;
  /** Empty for a plain subscription (aedes has no $share). */
  readonly shareGroup: string;
  readonly connections: number;
  readonly maxPayloadBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class MqttIngress {
  readonly #gateway: IngestGateway & { readonly pushingBack: boolean };
  readonly #options: MqttIngressOptions;
  readonly #logger: Logger;
  readonly #clients: MqttClient[] = [];
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(deps: { gateway: IngestGateway & { readonly pushingBack: boolean }; options: MqttIngressOptions; logger: Logger }) {
    this.#gateway = deps.gateway;
    this.#options = deps.options;
    this.#logger = deps.logger;
  }

  get filter(): string {
    return this.#options.shareGroup ? `$share/${this.#options.shareGroup}/${READINGS_FILTER}` : READINGS_FILTER;
  }

  /** Connects every subscriber; resolves when all are subscribed. */
  async start(): Promise<void> {
    const connects: Promise<void>[] = [];
    for (let i = 0; i < this.#options.connections; i++) {
      const clientId = this.#options.connections === 1 ? this.#options.clientId : `${this.#options.clientId}-${i + 1}`;
      const client = mqtt.connect(this.#options.url, {
        clientId,
        clean: false,
        protocolVersion: 4,
        keepalive: 30,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        resubscribe: true,
        ...(this.#options.username ? { username: this.#options.username } : {}),
        ...(this.#options.password ? { password: this.#options.password } : {}),
      });
      client.handleMessage = (packet, done) => {
        this.#handle(packet, clientId).then(
          () => done(),
          (err: unknown) => {
            // Only reached while closing: leave the message unacknowledged, the broker redelivers it.
            this.#logger.debug({ err, clientId }, 'message left unacknowledged');
          },
        );
      };
      client.on('error', (err) => this.#logger.warn({ err, clientId }, 'MQTT ingress connection error'));
      client.on('offline', () => this.#logger.warn({ clientId }, 'MQTT ingress offline; reconnecting'));
      // Subscribe on every connect, not only the first: Mosquitto 2.0 restores a persistent session
      // after a restart but not its $share subscription, while still reporting the session present,
      // so relying on the session left ingest deaf after a broker restart (found by the fault drill).
      let first = true;
      connects.push(
        new Promise<void>((resolve, reject) => {
          const onFirstError = (err: Error) => reject(err);
          client.once('error', onFirstError);
          client.on('connect', (connack: { sessionPresent: boolean }) => {
            client.subscribe(this.filter, { qos: 1 }, (err, granted) => {
              const refused =
                err ??
                (granted?.some((g) => g.qos === 128) ? new Error(`broker refused subscription to ${this.filter}`) : undefined);
              if (first) {
                first = false;
                client.removeListener('error', onFirstError);
                if (refused) return reject(refused);
                this.#logger.info(
                  { clientId, filter: this.filter, sessionPresent: connack.sessionPresent },
                  'MQTT ingress subscribed',
                );
                return resolve();
              }
              if (refused)
                this.#logger.error({ err: refused, clientId }, 'MQTT ingress could not resubscribe after reconnecting');
              else
                this.#logger.info(
                  { clientId, filter: this.filter, sessionPresent: connack.sessionPresent },
                  'MQTT ingress resubscribed after reconnecting',
                );
            });
          });
        }),
      );
      this.#clients.push(client);
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
    await this.#withRetry(() => this.#gateway.submit({ source: 'mqtt', payload: body, raw: text, topic, peer }));
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

  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= Promise.allSettled(this.#clients.map((c) => c.endAsync(false))).then(() => undefined);
    return this.#closed;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
