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
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../domain/index.js';
import {
  ask,
  CLUSTER_BUS_OFFSET,
  dataNode,
  fieldMap,
  HOST,
  parseInfo,
  portsBelowEphemeral,
  roleOf,
  sentinelNode,
  until,
  type ManagedNode,
  type RedisNode,
  type TopologyOptions,
} from './redis-nodes.js';

export { portsBelowEphemeral, type RedisNode, type TopologyOptions } from './redis-nodes.js';

const execFileAsync = promisify(execFile);

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
          if (roles.filter((r) => r === 'master').length < masterCount) return undefined;
          // Just after `--cluster create` a node meant as a replica can still be an empty master, and a
          // master's replica may not be attached yet: a WAIT there answers 0 (seen in CI). When every node
          // runs, every master must have its replicas online.
          if (running.length < nodes.length) return true;
          for (const [i, n] of running.entries()) {
            if (roles[i] !== 'master') continue;
            const info = fieldMap(parseInfo((await ask(n.port, 'INFO', 'replication')) as string));
            if (Number(info.connected_slaves ?? 0) < replicasPerMaster) return undefined;
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
