/**
 * The nodes of the Redis topologies (platform/local/redis-topologies.ts): a
 * redis-server or sentinel started by platform/local/services.ts on a port
 * below the ephemeral range, stopped, killed (any signal) and restarted one by
 * one; and the short probes the topologies use to tell when they have settled.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../../domain/index.js';
import { launch, startRedis, type LocalService } from './services.js';
import { redisPing } from './probes.js';

export const HOST = '127.0.0.1';

/** One redis-server or sentinel of a topology. */
export interface RedisNode {
  /** `master`, `replica-1`, `sentinel-2`, `node-3`: what it was started as (roles change on failover). */
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `host:port`, as settings and `redis-cli` want it. */
  readonly address: string;
  readonly dir: string;
  readonly logFile: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Graceful: SIGTERM, SIGKILL after the stop timeout; resolves once it exited. */
  stop(): Promise<void>;
  /**
   * SIGKILL (default; a crash, resolves once the process is gone) or another
   * signal sent as is: `SIGSTOP` freezes the node (a hung machine: sockets
   * stay open, nothing answers) until `SIGCONT`.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts again on the same port and folder (stops first if running); resolves once it answers PING. */
  restart(): Promise<void>;
}

/** Options common to both topologies. */
export interface TopologyOptions {
  /** Parent folder; omitted = a new temp folder, removed by `close()`. */
  readonly dir?: string;
  /** @defaultValue '/usr/bin/redis-server' */
  readonly binary?: string;
  /** @defaultValue '/usr/bin/redis-cli' */
  readonly cliBinary?: string;
  /** AOF on the data nodes, as production runs. @defaultValue true */
  readonly appendOnly?: boolean;
  /** Limit for the whole topology to come up and settle. @defaultValue 60000 */
  readonly readyTimeoutMs?: number;
  readonly logger?: Logger;
}

/** The cluster bus listens on the client port + 10000 (Redis Cluster specification). */
export const CLUSTER_BUS_OFFSET = 10_000;
/** Lowest port handed out; the kernel's ephemeral range (ip_local_port_range) starts at 32768. */
const PORT_FLOOR = 20_000;
const EPHEMERAL_START = 32_768;

/**
 * `count` distinct ports on 127.0.0.1 that were free a moment ago and lie
 * below the ephemeral range, so that no client's outgoing connection can take
 * one before its server listens (the EADDRINUSE the scale-out test once hit).
 * With `alsoOffset`, port + offset must be free and below the range too.
 */
export async function portsBelowEphemeral(count: number, alsoOffset?: number): Promise<number[]> {
  const top = EPHEMERAL_START - 1 - (alsoOffset ?? 0);
  const chosen: number[] = [];
  for (let attempt = 0; chosen.length < count && attempt < 500; attempt++) {
    const port = PORT_FLOOR + Math.floor(Math.random() * (top - PORT_FLOOR));
    const wanted = alsoOffset === undefined ? [port] : [port, port + alsoOffset];
    if (wanted.some((p) => chosen.includes(p) || chosen.some((c) => alsoOffset !== undefined && c + alsoOffset === p))) continue;
    if ((await Promise.all(wanted.map(canListen))).every(Boolean)) chosen.push(port);
  }
  if (chosen.length < count)
    throw new AppError('RW_SERVICE_START', `found only ${chosen.length} of ${count} free ports between ${PORT_FLOOR} and ${top}`);
  return chosen;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A node plus what its topology needs to manage it. */
export interface ManagedNode extends RedisNode {
  /** Stops for good (resumes a frozen process first). */
  close(): Promise<void>;
}

/** A started LocalService seen as a topology node; a frozen (SIGSTOP) process is resumed before it is stopped. */
export class TopologyNode implements ManagedNode {
  readonly host = HOST;
  #frozen = false;

  constructor(
    readonly name: string,
    private readonly service: LocalService,
    private readonly logger: Logger | undefined,
  ) {}

  get port(): number {
    return this.service.port;
  }
  get address(): string {
    return `${HOST}:${this.service.port}`;
  }
  get dir(): string {
    return this.service.dir;
  }
  get logFile(): string {
    return this.service.logFile;
  }
  get pid(): number | undefined {
    return this.service.pid;
  }
  get running(): boolean {
    return this.service.running;
  }

  async stop(): Promise<void> {
    this.#resume();
    await this.service.stop();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.logger?.info({ node: this.name, port: this.port, pid: this.pid, signal }, 'redis topology node signalled');
    if (signal === 'SIGKILL') {
      this.#frozen = false;
      await this.service.kill();
      return;
    }
    const pid = this.service.pid;
    if (pid === undefined) return;
    process.kill(pid, signal);
    if (signal === 'SIGSTOP') this.#frozen = true;
    if (signal === 'SIGCONT') this.#frozen = false;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.service.start();
  }

  async close(): Promise<void> {
    this.#resume();
    await this.service.close();
  }

  /** A frozen process would sit out SIGTERM until the stop timeout. */
  #resume(): void {
    const pid = this.service.pid;
    if (this.#frozen && pid !== undefined) process.kill(pid, 'SIGCONT');
    this.#frozen = false;
  }
}

/** Starts a redis-server (master, replica or cluster node, by `extraArgs`) in `<parent>/<name>`. */
export async function dataNode(
  name: string,
  parent: string,
  port: number,
  extraArgs: string[],
  options: TopologyOptions,
): Promise<ManagedNode> {
  const service = await startRedis({
    dir: join(parent, name),
    port,
    appendOnly: options.appendOnly ?? true,
    extraArgs,
    ...(options.binary === undefined ? {} : { binary: options.binary }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return new TopologyNode(name, service, options.logger);
}

/** Starts `redis-server <conf> --sentinel` in `<parent>/<name>` with the `monitor` lines in its config. */
export async function sentinelNode(
  name: string,
  parent: string,
  port: number,
  options: TopologyOptions,
  monitor: string[],
): Promise<ManagedNode> {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  // Sentinel rewrites this file with what it learns (replicas, other sentinels, epochs): it must stay writable.
  const confFile = join(dir, 'sentinel.conf');
  writeFileSync(
    confFile,
    [`port ${port}`, `bind ${HOST}`, `dir ${JSON.stringify(dir)}`, 'daemonize no', 'logfile ""', ...monitor, ''].join('\n'),
  );
  const service = await launch(
    { dir, port, ...(options.logger === undefined ? {} : { logger: options.logger }) },
    'redis-sentinel',
    async () => ({
      binary: options.binary ?? '/usr/bin/redis-server',
      installHint: 'apt-get install redis-server (or redis-sentinel)',
      url: `redis://${HOST}:${port}`,
      args: [confFile, '--sentinel'],
      ready: () => redisPing(port),
    }),
  );
  return new TopologyNode(name, service, options.logger);
}

/** `master`, `slave` or `sentinel` (the first element of ROLE). */
export async function roleOf(port: number): Promise<string | undefined> {
  const reply = (await ask(port, 'ROLE')) as unknown[];
  return typeof reply[0] === 'string' ? reply[0] : undefined;
}

/** One command on a short-lived connection that neither retries nor queues. */
export async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    commandTimeout: 1000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** INFO text → `[k1, v1, k2, v2, …]` (section headers dropped). */
export function parseInfo(text: string): string[] {
  return text.split('\r\n').flatMap((line) => {
    const at = line.indexOf(':');
    return line.startsWith('#') || at < 0 ? [] : [line.slice(0, at), line.slice(at + 1)];
  });
}

/** `[k1, v1, k2, v2, …]` → record. */
export function fieldMap(flat: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

/** Polls `attempt` every 100 ms until it returns a value; RW_SERVICE_START naming `what` after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) {
      const why = lastError === undefined ? '' : ` (last error: ${(lastError as Error).message})`;
      throw new AppError('RW_SERVICE_START', `timed out after ${timeoutMs} ms waiting for ${what}${why}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
