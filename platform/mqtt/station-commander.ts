/**
 * MQTT adapter of the StationCommander port: publishes commands to
 * `wq/{sectionId}/{stationId}/commands` (QoS 1) and listens on
 * `wq/+/+/commands/ack` for the stations' answers (DESIGN.md "Readings
 * over MQTT"). Resending and giving up are decided by the command queue
 * (station-commands.ts), not here.
 */
import { hostname } from 'node:os';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { StationCommand, StationCommandAck, StationCommander } from '../../domain/index.js';

export const ACK_TOPIC_FILTER = 'wq/+/+/commands/ack';

export function commandTopic(sectionId: string, stationId: string): string {
  return `wq/${sectionId}/${stationId}/commands`;
}

export interface MqttStationCommanderOptions {
  readonly url: string;
  readonly logger: Logger;
  /** A stable id with `clean: false` keeps acks queued at the broker while we are away. @defaultValue `riverwatch-alerts-{host}-{pid}` */
  readonly clientId?: string;
  /** @defaultValue true */
  readonly clean?: boolean;
  readonly username?: string;
  readonly password?: string;
  /** How long `send` waits for the broker's PUBACK. @defaultValue 10000 */
  readonly publishTimeoutMs?: number;
}

/** Validates an ack payload from a station; returns undefined for anything else. */
export function parseCommandAck(payload: Buffer | string, topicStationId: string): StationCommandAck | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id.length === 0 || typeof v.ok !== 'boolean') return undefined;
  // A station may only answer for itself (DESIGN.md "Guarantees").
  if (v.stationId !== undefined && v.stationId !== topicStationId) return undefined;
  return {
    id: v.id,
    stationId: topicStationId,
    ok: v.ok,
    ...(typeof v.message === 'string' ? { message: v.message } : {}),
    ts: typeof v.ts === 'number' && Number.isFinite(v.ts) ? v.ts : Date.now(),
  };
}

export class MqttStationCommander implements StationCommander {
  readonly #options: MqttStationCommanderOptions;
  readonly #logger: Logger;
  readonly #listeners = new Set<(ack: StationCommandAck) => void>();
  #client: MqttClient | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: MqttStationCommanderOptions) {
    this.#options = options;
    this.#logger = options.logger;
  }

  /** Calls `listener` for every valid ack; returns the unsubscribe function. */
  onAck(listener: (ack: StationCommandAck) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.#client) return;
    const opts: IClientOptions = {
      clientId: this.#options.clientId ?? `riverwatch-alerts-${hostname()}-${process.pid}`,
      clean: this.#options.clean ?? true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(this.#options.username !== undefined ? { username: this.#options.username } : {}),
      ...(this.#options.password !== undefined ? { password: this.#options.password } : {}),
    };
    const client = await mqtt.connectAsync(this.#options.url, opts);
    this.#client = client;
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    client.on('error', (err) => this.#logger.warn({ err }, 'station commander MQTT error'));
    await client.subscribeAsync(ACK_TOPIC_FILTER, { qos: 1 });
  }

  async send(cmd: StationCommand): Promise<void> {
    const client = this.#client;
    if (!client) throw new Error('station commander is not started');
    const timeoutMs = this.#options.publishTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.publishAsync(commandTopic(cmd.sectionId, cmd.stationId), JSON.stringify(cmd), { qos: 1 }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PUBACK for command ${cmd.id} within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closing ??= (async () => {
      const client = this.#client;
      this.#client = undefined;
      this.#listeners.clear();
      await client?.endAsync();
    })();
    return this.#closing;
  }

  #onMessage(topic: string, payload: Buffer): void {
    const parts = topic.split('/');
    if (parts.length !== 5 || parts[0] !== 'wq' || parts[3] !== 'commands' || parts[4] !== 'ack') return;
    const ack = parseCommandAck(payload, parts[2] as string);
    if (!ack) {
      this.#logger.warn({ topic }, 'invalid station command ack ignored');
      return;
    }
    for (const listener of this.#listeners) {
      try {
        listener(ack);
      } catch (err) {
        this.#logger.error({ err, commandId: ack.id }, 'command ack listener failed');
      }
    }
  }
}
