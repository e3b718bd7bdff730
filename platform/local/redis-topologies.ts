/**
 * Starts the Redis topologies that take RiverWatch past one Redis (issue 16):
 * a master with replicas watched by Sentinels, and a Redis Cluster of masters
 * with one replica each. Every node is Debian's `redis-server` run as a child
 * process by platform/local/services.ts (a sentinel is the same binary with
 * `--sentinel`), bound to 127.0.0.1 on a port below the ephemeral range, with
 * its data, config and log in its own folder.
 *
 * ```ts
 * const ha = await startSentinelTopology({ replicas: 2, sentinels: 3 });
 * ha.settings;                   // { mode: 'sentinel', masterName, sentinels: '127.0.0.1:p,…' }
 * const old = await ha.currentMaster();
 * await old.kill();              // kill -9
 * const next = await ha.waitForFailover(old);
 * await ha.close();
 *
 * const cluster = await startClusterTopology({ masters: 3, replicasPerMaster: 1 });
 * cluster.settings;              // { mode: 'cluster', nodes: '127.0.0.1:p,…' }
 * ```
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../../domain/index.js';
import { launch, redisPing, startRedis, type LocalService } from './services.js';

const execFileAsync = promisify(execFile);

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

export interface SentinelTopologyOptions extends TopologyOptions {
  /** @defaultValue 2 */
  readonly replicas?: number;
  /** @defaultValue 3 */
  readonly sentinels?: number;
  /** @defaultValue 'riverwatch' */
  readonly masterName?: string;
  /** Sentinels agreeing that the master is down before a failover. @defaultValue majority of the sentinels */
  readonly quorum?: number;
  /** Sentinel `down-after-milliseconds`: silence before a master counts as down. @defaultValue 1000 */
  readonly downAfterMs?: number;
  /** Sentinel `failover-timeout`. @defaultValue 10000 */
  readonly failoverTimeoutMs?: number;
}

export interface ClusterTopologyOptions extends TopologyOptions {
  /** @defaultValue 3 */
  readonly masters?: number;
  /** @defaultValue 1 */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: silence before a master counts as failing and its replica takes over. @defaultValue 1000 */
  readonly nodeTimeoutMs?: number;
}

/** Settings for RiverWatch's Redis connection (config/redis-topology.ts), as environment variables. */
export type RedisTopologyEnv = Readonly<Record<string, string>>;

export interface SentinelTopology {
  readonly dir: string;
  readonly masterName: string;
  /** The data nodes in start order: `master`, then `replica-1`… (their roles change with failovers). */
  readonly dataNodes: readonly RedisNode[];
  readonly sentinels: readonly RedisNode[];
  /** `RW_REDIS_MODE=sentinel`, `RW_REDIS_SENTINEL_MASTER`, `RW_REDIS_SENTINELS`. */
  readonly env: RedisTopologyEnv;
  /** The data node the sentinels name as master (asks the first sentinel that answers). */
  currentMaster(): Promise<RedisNode>;
  /**
   * Waits until the running sentinels agree on a master other than `former`
   * that answers as master; returns it with the time since the call.
   */
  waitForFailover(former: RedisNode, timeoutMs?: number): Promise<{ master: RedisNode; waitedMs: number }>;
  /** Waits until one master, every running replica linked to it and in sync, every sentinel agreeing. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the folder when the topology created it; idempotent. */
  close(): Promise<void>;
}

export interface ClusterTopology {
  readonly dir: string;
  readonly nodes: readonly RedisNode[];
  /** `RW_REDIS_MODE=cluster`, `RW_REDIS_CLUSTER_NODES` (every node, any of them is a seed). */
  readonly env: RedisTopologyEnv;
  /** The running nodes that are masters now, by `ROLE`. */
  masters(): Promise<RedisNode[]>;
  /** The node serving `key`'s slot as master now. */
  masterFor(key: string): Promise<RedisNode>;
  /** Waits until `cluster_state:ok` on every running node, every slot served, every running replica linked. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Starts a master, its replicas and the sentinels watching it; resolves once the sentinels agree and know each other. */
export async function startSentinelTopology(options: SentinelTopologyOptions = {}): Promise<SentinelTopology> {
  const replicaCount = options.replicas ?? 2;
  const sentinelCount = options.sentinels ?? 3;
  const masterName = options.masterName ?? 'riverwatch';
  const quorum = options.quorum ?? Math.floor(sentinelCount / 2) + 1;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const base = await topologyDir(options.dir, 'riverwatch-sentinel-');
  const nodes: ManagedNode[] = [];
  const close = closer(nodes, base);
  try {
    const ports = await portsBelowEphemeral(1 + replicaCount + sentinelCount);
    const take = (): number => ports.shift() as number;
    const masterPort = take();
    nodes.push(await dataNode('master', base.dir, masterPort, [], options));
    const replicas = await Promise.all(
      Array.from({ length: replicaCount }, (_, i) =>
        dataNode(`replica-${i + 1}`, base.dir, take(), ['--replicaof', HOST, String(masterPort)], options),
      ),
    );
    nodes.push(...replicas);
    const sentinels = await Promise.all(
      Array.from({ length: sentinelCount }, (_, i) =>
        sentinelNode(`sentinel-${i + 1}`, base.dir, take(), options, [
          `sentinel monitor ${masterName} ${HOST} ${masterPort} ${quorum}`,
          `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 10_000}`,
          `sentinel parallel-syncs ${masterName} 1`,
        ]),
      ),
    );
    nodes.push(...sentinels);
    const dataNodes = nodes.filter((n) => !n.name.startsWith('sentinel'));

    const masterFromSentinels = async (): Promise<ManagedNode | undefined> => {
      for (const sentinel of sentinels.filter((s) => s.running)) {
        const reply = (await ask(sentinel.port, 'SENTINEL', 'get-master-addr-by-name', masterName).catch(() => null)) as
          string[] | null;
        if (reply) return dataNodes.find((n) => n.port === Number(reply[1]));
      }
      return undefined;
    };

    const agreedMaster = async (): Promise<ManagedNode | undefined> => {
      const running = sentinels.filter((s) => s.running);
      const named = await Promise.all(
        running.map(async (s) => {
          const reply = (await ask(s.port, 'SENTINEL', 'get-master-addr-by-name', masterName).catch(() => null)) as
            string[] | null;
          return reply ? Number(reply[1]) : undefined;
        }),
      );
      const port = named[0];
      if (port === undefined || named.some((p) => p !== port)) return undefined;
      const node = dataNodes.find((n) => n.port === port);
      if (!node?.running) return undefined;
      return (await roleOf(node.port)) === 'master' ? node : undefined;
    };

    const topology: SentinelTopology = {
      dir: base.dir,
      masterName,
      dataNodes,
      sentinels,
      env: {
        RW_REDIS_MODE: 'sentinel',
        RW_REDIS_SENTINEL_MASTER: masterName,
        RW_REDIS_SENTINELS: sentinels.map((s) => s.address).join(','),
      },
      async currentMaster() {
        const master = await masterFromSentinels();
        if (!master) throw new AppError('RW_SERVICE_START', `no sentinel of ${base.dir} names a master for ${masterName}`);
        return master;
      },
      async waitForFailover(former, timeoutMs = 30_000) {
        const startedAt = performance.now();
        const master = await until(`sentinels to promote a master other than ${former.name}`, timeoutMs, async () => {
          const node = await agreedMaster();
          return node && node !== former ? node : undefined;
        });
        return { master, waitedMs: Math.round(performance.now() - startedAt) };
      },
      async waitUntilReady(timeoutMs = readyTimeoutMs) {
        await until(`the sentinel topology in ${base.dir} to settle`, timeoutMs, async () => {
          const master = await agreedMaster();
          if (!master) return undefined;
          const replicasUp = dataNodes.filter((n) => n.running && n !== master);
          if (!(await replicasInSync(master, replicasUp))) return undefined;
          // Each sentinel must know the replicas and the other sentinels, or a failover finds no quorum or no candidate.
          const running = sentinels.filter((s) => s.running);
          for (const s of running) {
            const info = fieldMap((await ask(s.port, 'SENTINEL', 'master', masterName).catch(() => [])) as string[]);
            if (Number(info['num-slaves']) < replicasUp.length || Number(info['num-other-sentinels']) < running.length - 1)
              return undefined;
            if ((info.flags ?? '').includes('down')) return undefined;
          }
          return true;
        });
      },
      close,
    };
    await topology.waitUntilReady();
    return topology;
  } catch (err) {
    await close(true);
    throw wrapStartError(err, base.dir);
  }
}

/** Starts `masters × (1 + replicasPerMaster)` cluster-mode nodes and joins them with `redis-cli --cluster create`. */
export async function startClusterTopology(options: ClusterTopologyOptions = {}): Promise<ClusterTopology> {
  const masterCount = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const base = await topologyDir(options.dir, 'riverwatch-cluster-');
  const nodes: ManagedNode[] = [];
  const close = closer(nodes, base);
  try {
    // A cluster node also listens on its bus port, port + 10000: both must lie below the ephemeral range.
    const ports = await portsBelowEphemeral(masterCount * (1 + replicasPerMaster), CLUSTER_BUS_OFFSET);
    const clusterArgs = (): string[] => [
      ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000)],
      // A cluster that lost a slot's master and replica still serves the other slots.
      ...['--cluster-require-full-coverage', 'no'],
    ];
    nodes.push(...(await Promise.all(ports.map((port, i) => dataNode(`node-${i + 1}`, base.dir, port, clusterArgs(), options)))));
    await execFileAsync(
      options.cliBinary ?? '/usr/bin/redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
      { timeout: readyTimeoutMs },
    ).catch((err: unknown) => {
      throw new AppError(
        'RW_SERVICE_START',
        `redis-cli --cluster create failed: ${(err as { stdout?: string }).stdout ?? ''}${(err as Error).message}`,
        { cause: err },
      );
    });

    const topology: ClusterTopology = {
      dir: base.dir,
      nodes,
      env: { RW_REDIS_MODE: 'cluster', RW_REDIS_CLUSTER_NODES: nodes.map((n) => n.address).join(',') },
      async masters() {
        const roles = await Promise.all(
          nodes.map(async (n) => (n.running ? await roleOf(n.port).catch(() => undefined) : undefined)),
        );
        return nodes.filter((_, i) => roles[i] === 'master');
      },
      async masterFor(key) {
        for (const n of nodes.filter((x) => x.running)) {
          const slot = (await ask(n.port, 'CLUSTER', 'KEYSLOT', key).catch(() => null)) as number | null;
          if (slot === null) continue;
          const shards = (await ask(n.port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
          const owner = shards.find(([from, to]) => slot >= from && slot <= to);
          const node = owner && nodes.find((x) => x.port === Number(owner[2][1]));
          if (node) return node;
        }
        throw new AppError('RW_SERVICE_START', `no running node of ${base.dir} names the master for ${key}`);
      },
      async waitUntilReady(timeoutMs = readyTimeoutMs) {
        await until(`the cluster in ${base.dir} to settle`, timeoutMs, async () => {
          const running = nodes.filter((n) => n.running);
          for (const n of running) {
            const info = fieldMap(parseInfo((await ask(n.port, 'CLUSTER', 'INFO').catch(() => '')) as string));
            if (info.cluster_state !== 'ok' || info.cluster_slots_ok !== '16384') return undefined;
          }
          const roles = await Promise.all(running.map((n) => roleOf(n.port).catch(() => undefined)));
          for (const [i, n] of running.entries()) {
            if (roles[i] !== 'slave') continue;
            const info = fieldMap(parseInfo((await ask(n.port, 'INFO', 'replication')) as string));
            if (info.master_link_status !== 'up') return undefined;
          }
          // Every master the nodes know (running or not) must have been replaced by a running one.
          return roles.filter((r) => r === 'master').length >= masterCount ? true : undefined;
        });
      },
      close,
    };
    await topology.waitUntilReady();
    return topology;
  } catch (err) {
    await close(true);
    throw wrapStartError(err, base.dir);
  }
}

/** The cluster bus listens on the client port + 10000 (Redis Cluster specification). */
const CLUSTER_BUS_OFFSET = 10_000;
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
interface ManagedNode extends RedisNode {
  /** Stops for good (resumes a frozen process first). */
  close(): Promise<void>;
}

class TopologyNode implements ManagedNode {
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

async function dataNode(
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

async function sentinelNode(
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

async function topologyDir(given: string | undefined, prefix: string): Promise<{ dir: string; owned: boolean }> {
  if (given !== undefined) {
    mkdirSync(given, { recursive: true });
    return { dir: given, owned: false };
  }
  return { dir: await mkdtemp(join(tmpdir(), prefix)), owned: true };
}

/** close(): every node in parallel, then the folder if ours; `keepDir` after a failed start (the logs say why). */
function closer(nodes: ManagedNode[], base: { dir: string; owned: boolean }): (keepDir?: boolean) => Promise<void> {
  let closing: Promise<void> | undefined;
  return (keepDir = false) =>
    (closing ??= (async () => {
      const errors: unknown[] = [];
      await Promise.all(nodes.map((n) => n.close().catch((err: unknown) => errors.push(err))));
      if (base.owned && !keepDir) await rm(base.dir, { recursive: true, force: true }).catch((err: unknown) => errors.push(err));
      if (errors.length > 0) throw new AggregateError(errors, `closing the Redis topology in ${base.dir} failed`);
    })());
}

function wrapStartError(err: unknown, dir: string): AppError {
  if (err instanceof AppError && err.message.includes(dir)) return err;
  return new AppError('RW_SERVICE_START', `Redis topology in ${dir} did not start (logs kept there): ${(err as Error).message}`, {
    cause: err,
  });
}

/** Whether every replica is linked to `master` and has its replication offset. */
async function replicasInSync(master: RedisNode, replicas: readonly RedisNode[]): Promise<boolean> {
  const masterInfo = fieldMap(parseInfo((await ask(master.port, 'INFO', 'replication')) as string));
  const masterOffset = Number(masterInfo.master_repl_offset);
  for (const replica of replicas) {
    const info = fieldMap(parseInfo((await ask(replica.port, 'INFO', 'replication').catch(() => '')) as string));
    if (info.role !== 'slave' || info.master_port !== String(master.port) || info.master_link_status !== 'up') return false;
    if (Number(info.slave_repl_offset) < masterOffset) return false;
  }
  return true;
}

async function roleOf(port: number): Promise<string | undefined> {
  const reply = (await ask(port, 'ROLE')) as unknown[];
  return typeof reply[0] === 'string' ? reply[0] : undefined;
}

/** One command on a short-lived connection that neither retries nor queues. */
async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
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

function parseInfo(text: string): string[] {
  return text.split('\r\n').flatMap((line) => {
    const at = line.indexOf(':');
    return line.startsWith('#') || at < 0 ? [] : [line.slice(0, at), line.slice(at + 1)];
  });
}

/** `[k1, v1, k2, v2, …]` → record. */
function fieldMap(flat: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
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
