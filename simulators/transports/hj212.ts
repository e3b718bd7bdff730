/**
 * HJ 212 transport: one data-logger connection per station (MN and
 * password from the registry), each reading uploaded as real-time data
 * (CN 2011) and, when an hour is complete, its hourly average (CN 2061);
 * each upload resolves on the platform's 9014. 1062 set-interval commands
 * from the platform reach the simulator's command handler, which changes
 * the station's sampling interval (the client answers 9011/9012).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { ReadingPayload } from '../../domain/index.js';
import type { StationMessage } from '../model/station-stream.js';
import { Hj212Client } from './hj212-client.js';
import { Hj212RefusedError, type ClientReading } from './hj212-client-options.js';
import type { CommandHandler, SendResult, SimTransport, TransportStation } from './transport.js';

export interface Hj212TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly stations: readonly TransportStation[];
  readonly logger: Logger;
  /** Also upload hourly averages (CN 2061). @defaultValue true */
  readonly hourly?: boolean;
  /** @defaultValue 480 (UTC+8) */
  readonly timezoneOffsetMinutes?: number;
  /** @defaultValue 30000 */
  readonly connectTimeoutMs?: number;
  /** Connections opened at once while starting. @defaultValue 32 */
  readonly connectConcurrency?: number;
}

const HOUR_MS = 3_600_000;

interface HourAccumulator {
  hourStartMs: number;
  sums: Map<string, { sum: number; n: number }>;
  flags: Map<string, string>;
}

export class Hj212Transport implements SimTransport {
  readonly name = 'hj212';
  readonly #o: Hj212TransportOptions;
  readonly #log: Logger;
  readonly #clients = new Map<string, Hj212Client>();
  readonly #hours = new Map<string, HourAccumulator>();
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #counters = { hourlyUploads: 0, intervalCommands: 0, refused: 0 };
  #handler: CommandHandler | undefined;
  #closing: Promise<void> | undefined;
  readonly #closed = new AbortController();

  constructor(options: Hj212TransportOptions) {
    // Every pending connect / request / wait listens for close: more than the default 10 at once is normal.
    setMaxListeners(0, this.#closed.signal);
    this.#o = options;
    this.#log = options.logger.child({ component: 'sim-hj212' });
  }

  async start(): Promise<void> {
    const missing = this.#o.stations.filter((s) => !s.hj212).map((s) => s.id);
    if (missing.length > 0)
      throw new Error(
        `HJ 212: stations without MN/password in the registry: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
      );
    const timeoutMs = this.#o.connectTimeoutMs ?? 30_000;
    const stations = [...this.#o.stations];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < stations.length) {
        const station = stations[next++];
        if (!station?.hj212) continue;
        const client = new Hj212Client({
          host: this.#o.host,
          port: this.#o.port,
          mn: station.hj212.mn,
          pw: station.hj212.password,
          timezoneOffsetMinutes: this.#o.timezoneOffsetMinutes ?? 480,
          onIntervalCommand: (intervalS) => this.#onInterval(station, intervalS),
        });
        this.#clients.set(station.id, client);
        let timer: NodeJS.Timeout | undefined;
        let onClosed: (() => void) | undefined;
        try {
          await Promise.race([
            client.start(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`HJ 212: cannot connect to ${this.#o.host}:${this.#o.port} within ${timeoutMs} ms`)),
                timeoutMs,
              );
              onClosed = () => reject(new Error('HJ 212 transport closed while connecting'));
              this.#closed.signal.addEventListener('abort', onClosed, { once: true });
            }),
          ]);
        } finally {
          clearTimeout(timer);
          if (onClosed) this.#closed.signal.removeEventListener('abort', onClosed);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.#o.connectConcurrency ?? 32, stations.length) }, () => worker()));
    } catch (err) {
      await this.close();
      throw err;
    }
    this.#log.info({ host: this.#o.host, port: this.#o.port, stations: this.#clients.size }, 'hj212 transport connected');
  }

  async #onInterval(station: TransportStation, intervalS: number): Promise<boolean> {
    this.#counters.intervalCommands += 1;
    if (!this.#handler) return false;
    // A 1062 becomes the same command the MQTT path carries, so one handler applies both.
    const ack = await this.#handler({
      stationId: station.id,
      sectionId: station.sectionId,
      payload: {
        id: `hj212-1062-${station.id}-${Date.now()}`,
        stationId: station.id,
        sectionId: station.sectionId,
        type: 'set-sampling-interval',
        intervalS,
        expiresAt: Date.now() + 60_000,
      },
    });
    return ack?.ok ?? false;
  }

  send(message: StationMessage): Promise<SendResult> {
    // One station's uploads go one after another: the hourly average must follow its hour's readings.
    const previous = this.#queues.get(message.stationId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.#sendNow(message));
    this.#queues.set(message.stationId, current);
    return current;
  }

  async #sendNow(message: StationMessage): Promise<SendResult> {
    if (this.#closing) throw new Error('hj212 transport is closed');
    const client = this.#clients.get(message.stationId);
    if (!client) return { ok: false, reason: `no HJ 212 connection for station ${message.stationId}` };
    try {
      for (const payload of message.readings) {
        const reading = toClientReading(payload);
        if (this.#o.hourly !== false) await this.#hourly(client, message.stationId, reading);
        await client.sendRealtime(reading);
      }
      return { ok: true };
    } catch (err) {
      if (err instanceof Hj212RefusedError) {
        this.#counters.refused += 1;
        return { ok: false, reason: err.message };
      }
      throw err;
    }
  }

  /** Adds a reading to its hour; when a reading of a later hour arrives, uploads the finished hour's average. */
  async #hourly(client: Hj212Client, stationId: string, reading: ClientReading): Promise<void> {
    const hourStartMs = Math.floor(reading.ts / HOUR_MS) * HOUR_MS;
    let acc = this.#hours.get(stationId);
    if (acc && acc.hourStartMs !== hourStartMs) {
      const values: Record<string, number> = {};
      for (const [key, { sum, n }] of acc.sums) values[key] = Number((sum / n).toPrecision(6));
      await client.sendHourly({ ts: acc.hourStartMs, values, flags: Object.fromEntries(acc.flags) });
      this.#counters.hourlyUploads += 1;
      acc = undefined;
    }
    if (!acc) {
      acc = { hourStartMs, sums: new Map(), flags: new Map() };
      this.#hours.set(stationId, acc);
    }
    for (const [key, value] of Object.entries(reading.values)) {
      const s = acc.sums.get(key) ?? { sum: 0, n: 0 };
      s.sum += value;
      s.n += 1;
      acc.sums.set(key, s);
      const flag = reading.flags?.[key];
      if (flag !== undefined && flag !== 'N') acc.flags.set(key, flag);
    }
  }

  onCommand(handler: CommandHandler): void {
    this.#handler = handler;
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#counters, connections: this.#clients.size };
  }

  close(): Promise<void> {
    this.#closed.abort();
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#clients.values()].map((c) => c.close()));
    })();
    return this.#closing;
  }
}

function toClientReading(payload: ReadingPayload): ClientReading {
  const ts = typeof payload.ts === 'number' ? payload.ts : Date.parse(payload.ts);
  return { ts, values: payload.values, ...(payload.flags ? { flags: payload.flags } : {}) };
}
