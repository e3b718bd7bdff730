/**
 * Shared pieces of the alerts integration tests: a local webhook receiver
 * (port 0) that checks signatures, a fake station that acknowledges
 * commands over real MQTT, a service factory with short timers, waitFor.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { Redis } from 'ioredis';
import {
  AlertsService,
  verifyWebhook,
  type AlertsConfigInput,
  type AlertsServiceDeps,
  type NotificationPayload,
} from '../../../platform/redis/alerts/index.js';
import type { Registry, StationCommand, StationCommander } from '../../../domain/index.js';
import { SECRETS, testRegistry } from '../../unit/alerts/registry-fixture.js';
import { startServices, type TestServices } from '../../harness/services.js';

export const logger = pino({ level: process.env.RW_TEST_LOG ?? 'silent' });

export interface ReceivedWebhook {
  readonly agencyId: string;
  readonly deliveryId: string;
  readonly validSignature: boolean;
  readonly payload: NotificationPayload;
  readonly arrivedAt: number;
  /** Arrival order across the receiver. */
  readonly n: number;
}

/** A received webhook of one payload type. */
export type ReceivedOf<T extends NotificationPayload['type']> = ReceivedWebhook & {
  readonly payload: Extract<NotificationPayload, { type: T }>;
};

/** An HTTP server on port 0 recording POST /hook/{agencyId}; `failFor` agencies answer 500. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  readonly failFor = new Set<string>();
  /** Delay before answering, ms. */
  delayMs = 0;
  readonly #server: Server;
  #n = 0;
  readonly #waiters = new Set<() => void>();

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const agencyId = (req.url ?? '').replace('/hook/', '');
        const secret = SECRETS[agencyId] ?? '';
        const check = verifyWebhook(
          secret,
          {
            signature: req.headers['x-riverwatch-signature'] as string | undefined,
            timestamp: req.headers['x-riverwatch-timestamp'] as string | undefined,
          },
          body,
          Date.now(),
        );
        const answer = (): void => {
          if (this.failFor.has(agencyId)) {
            res.writeHead(500).end('down');
            return;
          }
          this.received.push({
            agencyId,
            deliveryId: String(req.headers['x-riverwatch-delivery']),
            validSignature: check.ok,
            payload: JSON.parse(body) as NotificationPayload,
            arrivedAt: Date.now(),
            n: ++this.#n,
          });
          res.writeHead(204).end();
          for (const wake of this.#waiters) wake();
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  alertWebhooks(): ReceivedOf<'alert'>[] {
    return this.received.filter((r): r is ReceivedOf<'alert'> => r.payload.type === 'alert');
  }

  taskWebhooks(): ReceivedOf<'task'>[] {
    return this.received.filter((r): r is ReceivedOf<'task'> => r.payload.type === 'task');
  }

  /** Grouped notifications: several alerts of one incident in one webhook (issue 15 §3). */
  groupWebhooks(): ReceivedOf<'alert-group'>[] {
    return this.received.filter((r): r is ReceivedOf<'alert-group'> => r.payload.type === 'alert-group');
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A station simulator on real MQTT: records commands for its stations and acknowledges them. */
export class FakeStations {
  readonly commands: StationCommand[] = [];
  /** Stations that stay silent (no ack). */
  readonly silent = new Set<string>();
  #client: MqttClient | undefined;

  async start(url: string): Promise<void> {
    this.#client = await mqtt.connectAsync(url, {
      clientId: `fake-stations-${process.pid}-${Math.random().toString(16).slice(2)}`,
    });
    this.#client.on('message', (topic, payload) => {
      const [, sectionId, stationId] = topic.split('/');
      const cmd = JSON.parse(payload.toString()) as StationCommand;
      this.commands.push(cmd);
      if (this.silent.has(stationId as string)) return;
      void this.#client?.publishAsync(
        `wq/${sectionId}/${stationId}/commands/ack`,
        JSON.stringify({ id: cmd.id, ok: true, ts: Date.now() }),
        { qos: 1 },
      );
    });
    await this.#client.subscribeAsync('wq/+/+/commands', { qos: 1 });
  }

  async close(): Promise<void> {
    await this.#client?.endAsync();
  }
}

/** A commander that records and does nothing else (tests without a broker). */
export class RecordingCommander implements StationCommander {
  readonly sent: StationCommand[] = [];
  async send(cmd: StationCommand): Promise<void> {
    this.sent.push(cmd);
  }
}

export const FAST: AlertsConfigInput = {
  // These tests follow each notification as it is sent; grouping (on by default) has its own test, grouping.test.ts.
  notifyGroupWaitMs: 0,
  autoResolveHoldMs: 300,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  dispatchClaimIdleMs: 1000,
  sweepIntervalMs: 0,
  webhook: { attempts: 3, backoffMs: 100, timeoutMs: 2000 },
  commandAckTimeoutMs: 1000,
  commandRetryBaseMs: 200,
  commandRetryMaxMs: 500,
};

export function redisFor(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * times, 1000) });
}

export function makeService(opts: {
  redis: Redis;
  registry: Registry;
  keyPrefix: string;
  config?: AlertsConfigInput;
  commander?: AlertsServiceDeps['commander'];
  metricsRegistry?: MetricsRegistry;
  workers?: boolean;
}): AlertsService {
  return new AlertsService({
    redis: opts.redis,
    registry: opts.registry,
    logger,
    metricsRegistry: opts.metricsRegistry ?? new MetricsRegistry(),
    config: {
      ...FAST,
      ...opts.config,
      keyPrefix: opts.keyPrefix,
      queuePrefix: `${opts.keyPrefix}q`,
      webhook: { ...FAST.webhook, ...opts.config?.webhook },
    },
    ...(opts.commander ? { commander: opts.commander } : {}),
    ...(opts.workers === false ? { workers: false } : {}),
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A commander whose stations acknowledge at once (for tests that are not about MQTT). */
export class AutoAckCommander implements StationCommander {
  readonly sent: StationCommand[] = [];
  readonly #listeners = new Set<(ack: { id: string; stationId: string; ok: boolean; ts: number }) => void>();
  onAck(listener: (ack: { id: string; stationId: string; ok: boolean; ts: number }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async send(cmd: StationCommand): Promise<void> {
    this.sent.push(cmd);
    setTimeout(() => {
      for (const l of this.#listeners) l({ id: cmd.id, stationId: cmd.stationId, ok: true, ts: Date.now() });
    }, 5);
  }
}

/** A real Redis, a webhook receiver, the test registry pointing at it, and an alerts service, started. */
export interface AlertsFixture {
  readonly svc: TestServices<{ redis: true }>;
  readonly receiver: WebhookReceiver;
  readonly registry: Registry;
  readonly redis: Redis;
  readonly service: AlertsService;
  /** Closes the service, the client, the receiver and Redis, in that order. */
  close(): Promise<void>;
}

export async function startAlertsFixture(opts: {
  name: string;
  config?: AlertsConfigInput;
  commander?: AlertsServiceDeps['commander'];
  metricsRegistry?: MetricsRegistry;
}): Promise<AlertsFixture> {
  const svc = await startServices({ redis: true });
  const receiver = new WebhookReceiver();
  const redis = redisFor(svc.redis.url);
  let service: AlertsService | undefined;
  let registry: Registry;
  try {
    registry = testRegistry(await receiver.listen());
    service = makeService({
      redis,
      registry,
      keyPrefix: svc.uniqueName(opts.name),
      ...(opts.commander ? { commander: opts.commander } : {}),
      ...(opts.metricsRegistry ? { metricsRegistry: opts.metricsRegistry } : {}),
      ...(opts.config ? { config: opts.config } : {}),
    });
    await service.start();
  } catch (err) {
    // A fixture that did not start leaves nothing running.
    await service?.close().catch(() => undefined);
    redis.disconnect();
    await receiver.close().catch(() => undefined);
    await svc.close();
    throw err;
  }
  return {
    svc,
    receiver,
    registry,
    redis,
    service,
    async close() {
      await service.close();
      redis.disconnect();
      await receiver.close();
      await svc.close();
    },
  };
}
