/**
 * Starts real Redis, Mosquitto and InfluxDB 1.x servers as child processes in
 * a folder on a given or free port: used by the integration-test harness
 * (test/harness/services.ts) and by `riverwatch start` on a machine without
 * running services. Never touches the machine's default instances: every
 * server binds 127.0.0.1 on its own port, keeps its data in `dir`, and writes
 * its output to `<dir>/<kind>.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../domain/index.js';
import { renderMosquittoConf, type MosquittoConfOptions } from '../mqtt/mosquitto-config.js';
import { trackChild } from './child-processes.js';
import { influxPing, logTail, mqttConnack, ownsListeningPort, redisPing, sleep } from './probes.js';
import { renderInfluxConf } from './influx-conf.js';

export type LocalServiceKind = 'redis' | 'redis-sentinel' | 'mosquitto' | 'influx';

/** A server running as a child process; `start()` after `stop()` reuses its port and folder. */
export interface LocalService {
  readonly kind: LocalServiceKind;
  /** `redis://…`, `mqtt://…` or `http://…` on 127.0.0.1. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  /** Process id while running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Milliseconds the last start took until the server answered. */
  readonly lastStartMs: number | undefined;
  /** Starts again after `stop()`/`kill()` on the same port and folder; resolves once the server answers. */
  start(): Promise<void>;
  /** Graceful: SIGTERM, wait for exit, SIGKILL after the stop timeout. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), resolves once the process is gone. */
  kill(): Promise<void>;
  /** Stops for good; idempotent. */
  close(): Promise<void>;
}

/** Options shared by the three starters. */
export interface LocalServiceOptions {
  /** Folder for data, config and log; created when missing. */
  readonly dir: string;
  /** Port on 127.0.0.1; omitted = a free one. */
  readonly port?: number;
  /** Path of the server binary (Debian package path by default). */
  readonly binary?: string;
  /** @defaultValue 20000 */
  readonly startTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. @defaultValue 10000 */
  readonly stopTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface RedisOptions extends LocalServiceOptions {
  /** Append-only file (what production runs). @defaultValue true */
  readonly appendOnly?: boolean;
  /** @defaultValue 'everysec' */
  readonly appendFsync?: 'always' | 'everysec' | 'no';
  /** More `--name value` arguments (replication, cluster mode; platform/local/redis-topologies.ts). */
  readonly extraArgs?: readonly string[];
}

export interface MosquittoOptions extends LocalServiceOptions {
  readonly passwordFile?: string;
  readonly aclFile?: string;
  /** Overrides of the shipped configuration (platform/mqtt/mosquitto-config.ts). */
  readonly config?: Omit<
    MosquittoConfOptions,
    'port' | 'bindAddress' | 'persistenceLocation' | 'logDest' | 'runAsUser' | 'passwordFile' | 'aclFile'
  >;
}

export interface InfluxOptions extends LocalServiceOptions {
  /** Port of influxd's RPC (backup/restore) listener, 8088 by default in influxd; here a free one. */
  readonly rpcPort?: number;
}

/** Starts `redis-server` (no daemon, no RDB snapshots, noeviction) and waits until PING answers. */
export async function startRedis(options: RedisOptions): Promise<LocalService> {
  const appendOnly = options.appendOnly ?? true;
  return launch(options, 'redis', async (port) => ({
    binary: options.binary ?? '/usr/bin/redis-server',
    installHint: 'apt-get install redis-server',
    url: `redis://127.0.0.1:${port}`,
    args: [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--daemonize', 'no'],
      ...['--appendonly', appendOnly ? 'yes' : 'no', '--appendfsync', options.appendFsync ?? 'everysec'],
      ...['--save', '', '--maxmemory-policy', 'noeviction', '--logfile', ''],
      ...(options.extraArgs ?? []),
    ],
    ready: () => redisPing(port),
  }));
}

/** Starts Mosquitto with the shipped configuration bound to 127.0.0.1, persisting into `dir`; waits for a CONNACK. */
export async function startMosquitto(options: MosquittoOptions): Promise<LocalService> {
  return launch(options, 'mosquitto', async (port) => {
    const confFile = join(options.dir, 'mosquitto.conf');
    const conf = renderMosquittoConf({
      ...options.config,
      port,
      bindAddress: '127.0.0.1',
      persistenceLocation: options.dir,
      logDest: 'stderr',
      // As root Mosquitto would switch to user `mosquitto`, who cannot write a private temp folder.
      ...(process.getuid?.() === 0 ? { runAsUser: 'root' } : {}),
      ...(options.passwordFile === undefined ? {} : { passwordFile: options.passwordFile }),
      ...(options.aclFile === undefined ? {} : { aclFile: options.aclFile }),
    });
    writeFileSync(confFile, conf);
    return {
      binary: options.binary ?? '/usr/sbin/mosquitto',
      installHint: 'apt-get install mosquitto',
      url: `mqtt://127.0.0.1:${port}`,
      args: ['-c', confFile],
      ready: () => mqttConnack(port),
    };
  });
}

/** Starts Debian's influxd 1.x with a generated config (HTTP only, auth off) and waits until /ping answers 204. */
export async function startInflux(options: InfluxOptions): Promise<LocalService> {
  let rpcPort = options.rpcPort;
  return launch(options, 'influx', async (port) => {
    rpcPort ??= await freePort();
    const confFile = join(options.dir, 'influxdb.conf');
    writeFileSync(confFile, renderInfluxConf(options.dir, port, rpcPort));
    return {
      binary: options.binary ?? '/usr/bin/influxd',
      installHint: 'apt-get install influxdb',
      url: `http://127.0.0.1:${port}`,
      args: ['run', '-config', confFile],
      ready: () => influxPing(port),
    };
  });
}

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}


/** What `launch` spawns and how it tells the server is ready. */
export interface LaunchSpec {
  readonly binary: string;
  readonly args: readonly string[];
  readonly url: string;
  readonly installHint: string;
  readonly ready: () => Promise<boolean>;
}

/** Picks a port (retrying on a lost race for a free one), writes config, spawns and waits until ready. */
export async function launch(
  options: LocalServiceOptions,
  kind: LocalServiceKind,
  build: (port: number) => Promise<LaunchSpec>,
): Promise<LocalService> {
  mkdirSync(options.dir, { recursive: true });
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const service = new ChildService(kind, options, port, await build(port));
    try {
      await service.start();
      return service;
    } catch (err) {
      await service.close();
      const portTaken = /address already in use/i.test(logTail(service.logFile));
      if (!portTaken || attempt >= attempts) throw err;
    }
  }
}

class ChildService implements LocalService {
  readonly logFile: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #closed = false;
  #lastStartMs: number | undefined;

  constructor(
    readonly kind: LocalServiceKind,
    private readonly options: LocalServiceOptions,
    readonly port: number,
    private readonly spec: LaunchSpec,
  ) {
    this.logFile = join(options.dir, `${kind}.log`);
  }

  get url(): string {
    return this.spec.url;
  }
  get dir(): string {
    return this.options.dir;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  get running(): boolean {
    return this.#child !== undefined;
  }
  get lastStartMs(): number | undefined {
    return this.#lastStartMs;
  }

  async start(): Promise<void> {
    if (this.#closed) throw new AppError('RW_SERVICE_START', `${this.kind} on port ${this.port} was closed; start a new one`);
    if (this.#child) return;
    const startedAt = performance.now();
    appendFileSync(
      this.logFile,
      `\n# riverwatch ${new Date().toISOString()}: ${this.spec.binary} ${this.spec.args.map((a) => (a === '' ? '""' : a)).join(' ')}\n`,
    );
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.spec.binary, this.spec.args, { cwd: this.dir, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    let exitInfo: string | undefined;
    let spawnError: Error | undefined;
    this.#exited = new Promise((resolve) => {
      child.once('error', (err) => {
        spawnError = err;
        resolve();
      });
      child.once('exit', (code, signal) => {
        exitInfo = signal === null ? `exit code ${code}` : `signal ${signal}`;
        resolve();
      });
    });
    this.#exited = this.#exited.then(() => {
      if (this.#child === child) this.#child = undefined;
    });
    this.#child = child;
    trackChild(child);

    const deadline = startedAt + (this.options.startTimeoutMs ?? 20_000);
    while (spawnError === undefined && exitInfo === undefined) {
      // The listener must be our child's: after a lost race for a free port another server may answer the probe.
      if ((await this.spec.ready().catch(() => false)) && ownsListeningPort(child.pid, this.port)) {
        this.#lastStartMs = Math.round(performance.now() - startedAt);
        this.options.logger?.info(
          { kind: this.kind, port: this.port, pid: child.pid, startMs: this.#lastStartMs },
          'local service started',
        );
        return;
      }
      if (performance.now() > deadline) break;
      await sleep(25);
    }
    await this.kill();
    throw this.#startError(spawnError, exitInfo);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.#exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    // An uncleared timer would keep the caller's process alive for the whole stop timeout.
    clearTimeout(timer);
    if (timedOut) {
      this.options.logger?.warn({ kind: this.kind, port: this.port, timeoutMs }, 'local service ignored SIGTERM; killing');
      await this.kill();
    }
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.stop();
  }

  #startError(spawnError: Error | undefined, exitInfo: string | undefined): AppError {
    const what = `${this.kind} (${this.spec.binary}) on 127.0.0.1:${this.port}`;
    if ((spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      const message = `${what}: binary not found; install it (${this.spec.installHint}) or pass its path as \`binary\``;
      return new AppError('RW_SERVICE_START', message, { cause: spawnError });
    }
    const reason = spawnError
      ? spawnError.message
      : exitInfo
        ? `exited (${exitInfo})`
        : `did not answer within ${this.options.startTimeoutMs ?? 20_000} ms`;
    const tail = logTail(this.logFile);
    return new AppError(
      'RW_SERVICE_START',
      `${what} did not start: ${reason}. Log ${this.logFile} ends with:\n${tail}\n` +
        `Check that the port is free and ${this.dir} is writable; the package is installed with \`${this.spec.installHint}\`.`,
      { cause: spawnError, details: tail.split('\n') },
    );
  }
}
