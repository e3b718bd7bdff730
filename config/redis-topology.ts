/**
 * Which Redis every role talks to (issue 16): one setting shape for the three
 * topologies. `RW_REDIS_MODE` picks single (one server at `RW_REDIS_URL`, or a
 * locally started one), sentinel (`RW_REDIS_SENTINEL_MASTER` watched by
 * `RW_REDIS_SENTINELS`) or cluster (seed nodes `RW_REDIS_CLUSTER_NODES`);
 * credentials and TLS apply to whichever it is. Pure: no I/O, no clients
 * (those are built by platform/redis/client-factory.ts).
 */
import type { Config } from './schema.js';

export type RedisMode = 'single' | 'sentinel' | 'cluster';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** What every topology shares: credentials of the data nodes and TLS. */
export interface RedisAuth {
  /** ACL user of the data nodes; empty = the default user. */
  readonly username: string;
  /** Password of the data nodes; empty = none. In single mode credentials in the URL win. */
  readonly password: string;
  /** TLS to every node (and, with Sentinel, to the sentinels); trust is Node's (`NODE_EXTRA_CA_CERTS` adds a CA). */
  readonly tls: boolean;
}

export type RedisTopology =
  | (RedisAuth & { readonly kind: 'single'; readonly url: string })
  | (RedisAuth & {
      readonly kind: 'sentinel';
      readonly masterName: string;
      readonly sentinels: readonly HostPort[];
      readonly sentinelUsername: string;
      readonly sentinelPassword: string;
    })
  | (RedisAuth & { readonly kind: 'cluster'; readonly nodes: readonly HostPort[] });

/**
 * The topology of validated settings. Single mode with an empty URL means "the
 * locally started redis-server": pass its URL as `localUrl`.
 */
export function redisTopology(redis: Config['redis'], localUrl?: string): RedisTopology {
  const auth: RedisAuth = { username: redis.username, password: redis.password, tls: redis.tls };
  switch (redis.mode) {
    case 'sentinel':
      return {
        ...auth,
        kind: 'sentinel',
        masterName: redis.sentinelMaster,
        sentinels: hostList(redis.sentinels),
        sentinelUsername: redis.sentinelUsername,
        sentinelPassword: redis.sentinelPassword,
      };
    case 'cluster':
      return { ...auth, kind: 'cluster', nodes: hostList(redis.clusterNodes) };
    default: {
      const url = redis.url || localUrl;
      if (!url) throw new Error('single Redis without RW_REDIS_URL: pass the URL of the locally started redis-server');
      return { ...auth, kind: 'single', url };
    }
  }
}

/** Problems of the Redis settings taken together, one line each (loadConfig reports them with every other). */
export function redisSettingProblems(redis: Config['redis']): string[] {
  const problems: string[] = [];
  const list = (env: string, text: string, needed: boolean): void => {
    if (text.trim() === '') {
      if (needed) problems.push(`${env}: required when RW_REDIS_MODE=${redis.mode}. List host:port pairs separated by commas.`);
      return;
    }
    for (const entry of text.split(',')) {
      if (parseHostPort(entry) === undefined)
        problems.push(`${env}: "${entry.trim()}" is not host:port (port 1-65535; IPv6 as [addr]:port).`);
    }
  };
  const unused = (env: string, value: string, mode: RedisMode): void => {
    if (value !== '') problems.push(`${env}: only used with RW_REDIS_MODE=${mode}; set RW_REDIS_MODE=${mode} or remove it.`);
  };
  list('RW_REDIS_SENTINELS', redis.sentinels, redis.mode === 'sentinel');
  list('RW_REDIS_CLUSTER_NODES', redis.clusterNodes, redis.mode === 'cluster');
  if (redis.mode !== 'single' && redis.url !== '') {
    problems.push(
      `RW_REDIS_URL: must be empty when RW_REDIS_MODE=${redis.mode} (the ${redis.mode === 'sentinel' ? 'sentinels name the master' : 'seed nodes name the cluster'}); put credentials in RW_REDIS_USERNAME / RW_REDIS_PASSWORD.`,
    );
  }
  if (redis.mode !== 'sentinel') {
    unused('RW_REDIS_SENTINELS', redis.sentinels, 'sentinel');
    unused('RW_REDIS_SENTINEL_USERNAME', redis.sentinelUsername, 'sentinel');
    unused('RW_REDIS_SENTINEL_PASSWORD', redis.sentinelPassword, 'sentinel');
  }
  if (redis.mode !== 'cluster') unused('RW_REDIS_CLUSTER_NODES', redis.clusterNodes, 'cluster');
  // Cluster keys get the prefix inside a {hash tag}; braces in it would end the tag early (Redis Cluster spec, "hash tags").
  if (redis.mode === 'cluster' && /[{}]/.test(redis.prefix)) {
    problems.push(`RW_REDIS_PREFIX="${redis.prefix}": no { } with RW_REDIS_MODE=cluster; RiverWatch adds the hash tags itself.`);
  }
  return problems;
}

/** `host:port,host:port` → addresses; assumes validated text. */
export function hostList(text: string): HostPort[] {
  return text
    .split(',')
    .map(parseHostPort)
    .filter((a): a is HostPort => a !== undefined);
}

/** `host:port` or `[v6]:port`; undefined when malformed. */
export function parseHostPort(entry: string): HostPort | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):([0-9]{1,5})$/.exec(entry.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}
