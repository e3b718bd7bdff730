/**
 * The HJ 212 gateway server (issue 4): a TCP listener for station data loggers. Data uploads go into
 * the pipeline through the `IngestGateway` port; sampling-frequency commands go out as CN 1062.
 * A long-lived part: `start()` listens, `close()` (idempotent) stops accepting, lets packets already
 * received finish (their 9014 still goes out), then ends every socket.
 */
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import { systemClock, type Clock } from '../../domain/clock.js';
import type { ParameterTable } from '../../domain/parameters.js';
import type { IngestGateway, StationCommand } from '../../domain/ports.js';
import type { Registry } from '../../domain/registry.js';
import type { StationDiagnostics } from '../../domain/station-diagnostics.js';
import { MemoryStationDiagnostics } from '../redis/readings/diagnostics-store.js';
import { ClockWatch, type ClockWatchOptions } from '../../ingest/hj212/clock-watch.js';
import { PendingCommands, type Hj212CommandResult } from '../../ingest/hj212/commands.js';
import { Hj212Connection, type ConnectionHost } from './connection.js';
import { CHINA_OFFSET_MINUTES } from '../../ingest/hj212/local-time.js';
import { createHj212Metrics, type Hj212Metrics } from './metrics.js';
import { PeerLimiter, type PeerLimiterOptions } from '../../ingest/hj212/peer-limiter.js';
import { QnGenerator } from '../../ingest/hj212/qn.js';
import type { ReassemblyOptions } from '../../ingest/hj212/reassembly.js';
import { setRealtimeIntervalCommand, ST_SURFACE_WATER } from '../../ingest/hj212/responses.js';

/** Server options; every one has a default that runs on one machine. */
export interface Hj212ServerOptions {
  /** TCP port; 0 picks a free one (tests). There is no standard HJ 212 port: configuration sets it. @defaultValue 0 */
  readonly port?: number;
  /** Interface to listen on; `0.0.0.0` to accept stations from the network. @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Offset of the stations' local time, in which `DataTime` and `QN` are written. @defaultValue 480 (UTC+8) */
  readonly timezoneOffsetMinutes?: number;
  /** Close a connection silent for this long. @defaultValue 900_000 (15 min) */
  readonly idleTimeoutMs?: number;
  /** Close a connection that sent no authenticated packet within this time. @defaultValue 60_000 */
  readonly authTimeoutMs?: number;
  /** Connections at once; more are closed at once. @defaultValue 1_000 */
  readonly maxConnections?: number;
  /** How long `sendCommand` waits for the station's 9011 + 9012. @defaultValue 60_000 */
  readonly commandTimeoutMs?: number;
  /** Packets waiting per connection before it stops reading (TCP backpressure). @defaultValue 64 */
  readonly maxQueuedPackets?: number;
  /** How often split-message timeouts are checked. @defaultValue 5_000 */
  readonly sweepIntervalMs?: number;
  /** How long `close()` waits for packets already received. @defaultValue 5_000 */
  readonly drainTimeoutMs?: number;
  /** Split-message (PNUM/PNO) reassembly limits, per connection. */
  readonly reassembly?: ReassemblyOptions;
  /** Per-peer bad-input budget (garbage, broken frames, failed logins). */
  readonly peerLimit?: PeerLimiterOptions;
  /** Logger clock supervision (limit, cooldown); the logger's time is set (1012) beyond the limit. */
  readonly clockWatch?: ClockWatchOptions;
}

/** What the server needs; the entry point builds it. */
export interface Hj212ServerDeps {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly gateway: IngestGateway;
  readonly logger: Logger;
  /** prom-client registry to register metrics on (never the global default). */
  readonly metricsRegistry: MetricsRegistry;
  readonly options?: Hj212ServerOptions;
  readonly clock?: Clock;
  /** Where non-measurement uploads are kept; in memory when not given (tests, benchmarks). */
  readonly diagnostics?: StationDiagnostics;
}

/** Typed events. The entry point listens to `error`. */
export interface Hj212ServerEvents {
  /** Outcome of every `sendCommand`, including commands that could not be sent; for the caller to record. */
  'command-result': [result: Hj212CommandResult];
  /** The listening socket failed after start. */
  error: [err: Error];
}

export class Hj212Server extends EventEmitter<Hj212ServerEvents> {
  readonly #registry: Registry;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #metrics: Hj212Metrics;
  readonly #limiter: PeerLimiter;
  readonly #commands: PendingCommands;
  readonly #qn: QnGenerator;
  readonly #host: ConnectionHost;
  readonly #options: Required<Omit<Hj212ServerOptions, 'reassembly' | 'peerLimit' | 'clockWatch'>>;
  readonly #connections = new Set<Hj212Connection>();
  /** The connection each station was last seen on. */
  readonly #stationConnections = new Map<string, Hj212Connection>();
  #server: Server | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(deps: Hj212ServerDeps) {
    super();
    const options = deps.options ?? {};
    this.#options = {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      timezoneOffsetMinutes: options.timezoneOffsetMinutes ?? CHINA_OFFSET_MINUTES,
      idleTimeoutMs: options.idleTimeoutMs ?? 900_000,
      authTimeoutMs: options.authTimeoutMs ?? 60_000,
      maxConnections: options.maxConnections ?? 1_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 60_000,
      maxQueuedPackets: options.maxQueuedPackets ?? 64,
      sweepIntervalMs: options.sweepIntervalMs ?? 5_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
    };
    this.#registry = deps.registry;
    this.#log = deps.logger.child({ component: 'hj212' });
    this.#clock = deps.clock ?? systemClock;
    this.#metrics = createHj212Metrics(deps.metricsRegistry);
    this.#limiter = new PeerLimiter(options.peerLimit);
    this.#commands = new PendingCommands(this.#clock);
    this.#qn = new QnGenerator(this.#clock, this.#options.timezoneOffsetMinutes);
    this.#host = {
      registry: deps.registry,
      deps: {
        gateway: deps.gateway,
        parameters: deps.parameters,
        metrics: this.#metrics,
        commands: this.#commands,
        timezoneOffsetMinutes: this.#options.timezoneOffsetMinutes,
        diagnostics: deps.diagnostics ?? new MemoryStationDiagnostics(),
        clockWatch: new ClockWatch(options.clockWatch),
        qn: this.#qn,
        clock: this.#clock,
      },
      limiter: this.#limiter,
      clock: this.#clock,
      log: this.#log,
      authTimeoutMs: this.#options.authTimeoutMs,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      maxQueuedPackets: this.#options.maxQueuedPackets,
      reassembly: options.reassembly ?? {},
      stationSeen: (station, connection) => this.#stationConnections.set(station.id, connection),
      connectionClosed: (connection) => this.#onConnectionClosed(connection),
    };
  }

  /** Starts listening; resolves once the port is bound. */
  async start(): Promise<void> {
    if (this.#closing) throw new Error('HJ 212 server is closed');
    if (this.#server) return;
    const server = createServer((socket) => this.#onConnection(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.emit('error', err));
    this.#sweepTimer = setInterval(() => {
      const now = this.#clock.now();
      for (const connection of this.#connections) connection.sweep(now);
    }, this.#options.sweepIntervalMs);
    this.#sweepTimer.unref();
    const address = this.address();
    this.#log.info({ host: address?.host, port: address?.port }, 'hj212 server listening');
  }

  /** The bound address, once started. */
  address(): { host: string; port: number } | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    return address ? { host: address.address, port: address.port } : undefined;
  }

  /** Stations with a live HJ 212 connection. */
  connectedStations(): string[] {
    return [...this.#stationConnections.keys()];
  }

  /**
   * Sends a sampling-frequency command to a station connected over HJ 212, as CN 1062 (set real-time
   * data interval, `RtdInterval` in seconds). Resolves with the station's 9011/9012 outcome, or with
   * `ok: false` when the station is not connected, the command expired, or no answer came in time.
   * Never rejects; every outcome is also emitted as `command-result`.
   */
  async sendCommand(command: StationCommand): Promise<Hj212CommandResult> {
    const result = await this.#send(command);
    this.#log.info(
      { commandId: result.id, stationId: result.stationId, ok: result.ok, message: result.message },
      'hj212 command result',
    );
    this.emit('command-result', result);
    return result;
  }

  async #send(command: StationCommand): Promise<Hj212CommandResult> {
    if (this.#closing) return this.#commands.notSent(command, 'HJ 212 server is closed');
    const station = this.#registry.station(command.stationId);
    if (!station?.hj212) return this.#commands.notSent(command, 'station has no HJ 212 identity in the registry');
    if (this.#clock.now() >= command.expiresAt) return this.#commands.notSent(command, 'command expired before it could be sent');
    // HJ 212's immediate-measurement command is not mapped yet: say so rather than send an interval command.
    if (command.type === 'measure-now')
      return this.#commands.notSent(command, 'verification measurement is not sent over HJ 212 yet');
    const intervalS =
      command.type === 'set-sampling-interval' ? command.intervalS : (command.intervalS ?? station.samplingIntervalS);
    if (intervalS === undefined || !Number.isInteger(intervalS) || intervalS < 1) {
      return this.#commands.notSent(command, 'sampling interval must be a positive whole number of seconds');
    }
    const connection = this.#stationConnections.get(station.id);
    if (!connection || connection.closed) return this.#commands.notSent(command, 'station is not connected over HJ 212');
    const qn = this.#qn.next();
    const packet = setRealtimeIntervalCommand(
      { qn, st: connection.stOf(station.id) ?? ST_SURFACE_WATER, mn: station.hj212.mn, pw: station.hj212.password },
      intervalS,
      connection.versionOf(station.id),
    );
    const outcome = this.#commands.register(qn, station.hj212.mn, command, intervalS, this.#options.commandTimeoutMs);
    if (!connection.write(packet)) this.#commands.abort(qn, 'connection closed before the command was written');
    this.#log.debug({ commandId: command.id, stationId: station.id, qn, intervalS }, 'hj212 command sent');
    return outcome;
  }

  /** Stops accepting, drains packets already received, ends every connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const errors: unknown[] = [];
    const step = async (fn: () => void | Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    const server = this.#server;
    const listenerClosed = server?.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await step(() => {
      if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    });
    await step(() => {
      for (const connection of this.#connections) connection.stopReading();
    });
    await step(() => this.#drain());
    await step(() => {
      for (const connection of [...this.#connections]) connection.close('server closing');
    });
    await step(() => this.#commands.failAll('HJ 212 server closed'));
    await step(() => listenerClosed);
    this.#log.info('hj212 server closed');
    if (errors.length > 0) throw new AggregateError(errors, 'HJ 212 server close failed');
  }

  async #drain(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.drainTimeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.#connections].map((c) => c.idle())), timeout]);
    clearTimeout(timer);
  }

  #onConnection(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    let refused: 'closing' | 'banned' | 'max-connections' | undefined;
    if (this.#closing) refused = 'closing';
    else if (this.#limiter.isBanned(ip, this.#clock.now())) refused = 'banned';
    else if (this.#connections.size >= this.#options.maxConnections) refused = 'max-connections';
    if (refused) {
      this.#metrics.refusedConnections.inc({ reason: refused });
      this.#log.debug({ ip, reason: refused }, 'hj212 connection refused');
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const connection = new Hj212Connection(socket, this.#host);
    this.#connections.add(connection);
    this.#metrics.connections.set(this.#connections.size);
    this.#log.debug({ peer: connection.peer }, 'hj212 connection opened');
  }

  #onConnectionClosed(connection: Hj212Connection): void {
    this.#connections.delete(connection);
    this.#metrics.connections.set(this.#connections.size);
    for (const [stationId, c] of this.#stationConnections) {
      if (c === connection) this.#stationConnections.delete(stationId);
    }
  }
}
