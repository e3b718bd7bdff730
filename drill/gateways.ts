/**
 * Simulated station gateways for the drill, one kind per ingress: they send
 * a station's reading and keep resending until the platform acknowledges it
 * (as a data logger does), recording every acknowledgement in the ledger.
 * Unlike the simulator's transports they never give up and they remember
 * exactly which reading was acknowledged, which is what the drill compares
 * with InfluxDB afterwards.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { readingsTopic, type Registry } from '../domain/index.js';
import { Hj212Client, type StationMessage } from '../simulators/index.js';
import type { AckLedger, IngressPath } from './ack-ledger.js';
import { tsOf } from './spill-load.js';

export interface SimGateway {
  readonly path: IngressPath;
  start(): Promise<void>;
  /** Sends until acknowledged or refused with a reason; resolves then, or when closed. */
  deliver(message: StationMessage): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries `attempt` until it returns true (done) or the gateway is closed;
 * `attempt` throws or returns false to retry after `retryDelayMs`, or a number to retry after that many ms.
 */
async function untilDone(
  closed: () => boolean,
  attempt: (n: number) => Promise<boolean | number>,
  retryDelayMs: number,
): Promise<void> {
  for (let n = 1; !closed(); n++) {
    const outcome = await attempt(n).catch(() => false);
    if (outcome === true) return;
    await sleep(typeof outcome === 'number' ? outcome : retryDelayMs);
  }
}

/** One MQTT connection per station (username = station id, password = its token), QoS 1. */
export class MqttGateways implements SimGateway {
  readonly path = 'mqtt' as const;
  readonly #clients = new Map<string, MqttClient>();
  #closed = false;

  constructor(
    readonly options: {
      url: string;
      stationIds: readonly string[];
      tokens: Readonly<Record<string, string>>;
      ledger: AckLedger;
      clientIdPrefix: string;
      publishTimeoutMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    await Promise.all(
      this.options.stationIds.map(async (stationId) => {
        const client = await mqtt.connectAsync(this.options.url, {
          clientId: `${this.options.clientIdPrefix}${stationId}`,
          username: stationId,
          password: this.options.tokens[stationId] ?? '',
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 500,
          connectTimeout: 5000,
          keepalive: 10,
        });
        client.on('error', () => undefined); // reconnects on its own; the publish timeout covers the rest
        this.#clients.set(stationId, client);
      }),
    );
  }

  async deliver(message: StationMessage): Promise<void> {
    const client = this.#clients.get(message.stationId);
    if (!client) throw new Error(`no MQTT gateway for ${message.stationId}`);
    const ts = tsOf(message);
    const { ledger } = this.options;
    const body = JSON.stringify(message.readings[0]);
    const topic = readingsTopic(message.sectionId, message.stationId);
    const sentAt = Date.now();
    ledger.recordSent(message.stationId, ts, 'mqtt');
    await untilDone(
      () => this.#closed,
      async (n) => {
        await withTimeout(client.publishAsync(topic, body, { qos: 1 }), this.options.publishTimeoutMs ?? 15_000);
        ledger.recordAck(message.stationId, ts, 'mqtt', sentAt, n);
        return true;
      },
      500,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#clients.values()].map((c) => c.endAsync(true).catch(() => undefined)));
  }
}

/** HTTP gateways: POST /api/v1/readings with the station's bearer token; 202 acknowledges, 503 waits Retry-After. */
export class HttpGateways implements SimGateway {
  readonly path = 'http' as const;
  #closed = false;

  constructor(
    readonly options: {
      baseUrl: () => string;
      tokens: Readonly<Record<string, string>>;
      ledger: AckLedger;
      requestTimeoutMs?: number;
    },
  ) {}

  async start(): Promise<void> {}

  async deliver(message: StationMessage): Promise<void> {
    const ts = tsOf(message);
    const { ledger } = this.options;
    const sentAt = Date.now();
    ledger.recordSent(message.stationId, ts, 'http');
    await untilDone(
      () => this.#closed,
      async (n) => {
        const response = await fetch(`${this.options.baseUrl()}/api/v1/readings`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${this.options.tokens[message.stationId] ?? ''}`,
          },
          body: JSON.stringify(message.readings[0]),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
        });
        const text = await response.text();
        if (response.status === 202) {
          const body = JSON.parse(text) as { accepted?: number };
          if (body.accepted === 1) ledger.recordAck(message.stationId, ts, 'http', sentAt, n);
          else ledger.recordRefused(message.stationId, ts, text.slice(0, 300));
          return true;
        }
        if (response.status === 503) {
          const header = response.headers.get('retry-after');
          const retryAfterS = header === null ? undefined : Number(header);
          ledger.recordPushBack({ at: Date.now(), path: 'http', status: 503, retryAfterS });
          // Honour Retry-After, as a well-behaved gateway does.
          return retryAfterS !== undefined && Number.isFinite(retryAfterS) ? retryAfterS * 1000 : 5000;
        }
        if (response.status >= 400 && response.status < 500) {
          ledger.recordRefused(message.stationId, ts, `${response.status} ${text.slice(0, 300)}`);
          return true;
        }
        return false;
      },
      500,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** HJ 212 data loggers: one TCP connection per station (MN + password from the registry), CN 2011 uploads answered by 9014. */
export class Hj212Gateways implements SimGateway {
  readonly path = 'hj212' as const;
  readonly #clients = new Map<string, Hj212Client>();
  #closed = false;

  constructor(
    readonly options: { host: string; port: () => number; stationIds: readonly string[]; registry: Registry; ledger: AckLedger },
  ) {}

  async start(): Promise<void> {
    await Promise.all(
      this.options.stationIds.map(async (stationId) => {
        const station = this.options.registry.station(stationId);
        if (!station?.hj212) throw new Error(`station ${stationId} has no HJ 212 MN/password`);
        const client = new Hj212Client({
          host: this.options.host,
          port: this.options.port(),
          mn: station.hj212.mn,
          pw: station.hj212.password,
          ackTimeoutMs: 3000,
          maxAttempts: 4,
          reconnectDelayMs: 500,
        });
        this.#clients.set(stationId, client);
        await client.start();
      }),
    );
  }

  async deliver(message: StationMessage): Promise<void> {
    const client = this.#clients.get(message.stationId);
    if (!client) throw new Error(`no HJ 212 gateway for ${message.stationId}`);
    const ts = tsOf(message);
    const payload = message.readings[0];
    if (!payload) return;
    const { ledger } = this.options;
    const sentAt = Date.now();
    ledger.recordSent(message.stationId, ts, 'hj212');
    await untilDone(
      () => this.#closed,
      async (n) => {
        try {
          await client.sendRealtime({
            ts,
            values: payload.values,
            ...(payload.flags ? { flags: payload.flags as Record<string, string> } : {}),
          });
        } catch (err) {
          if ((err as Error).name === 'Hj212RefusedError') {
            ledger.recordRefused(message.stationId, ts, (err as Error).message);
            return true;
          }
          throw err; // no 9014 after every resend: upload again
        }
        ledger.recordAck(message.stationId, ts, 'hj212', sentAt, n);
        return true;
      },
      500,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#clients.values()].map((c) => c.close().catch(() => undefined)));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms);
    }),
  ]);
}
