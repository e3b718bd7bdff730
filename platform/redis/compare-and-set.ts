/**
 * Optimistic transactions on Redis without WATCH: read some keys, decide in
 * TypeScript (the pure rules), then one Lua script applies every write only
 * if the keys still hold what was read. A script is atomic and keeps no
 * connection state, so it is safe on a shared connection and across a
 * reconnect (a WATCH would be lost with the connection).
 */
import { createHash } from 'node:crypto';
import type { Redis } from './client.js';
import { writeReplicated, type ReplicationPolicy } from './replicated-write.js';

const SCRIPT = `
local n = tonumber(ARGV[1])
for i = 1, n do
  local v = redis.call('GET', KEYS[i])
  local expected = ARGV[i + 1]
  if expected == '0' then
    if v then return 0 end
  elseif (not v) or ('1' .. v) ~= expected then
    return 0
  end
end
local cmds = cjson.decode(ARGV[n + 2])
for _, c in ipairs(cmds) do redis.call(unpack(c)) end
return 1
`;

/** One Redis command as its arguments (`['SET', key, value]`). */
export type RedisCommand = readonly (string | number)[];

export interface TransactionPlan<T> {
  /** Writes to apply atomically if the guarded keys are unchanged; none = nothing to write. */
  readonly commands: readonly RedisCommand[];
  readonly result: T;
}

export class ConflictError extends Error {
  constructor(keys: readonly string[]) {
    super(`too many concurrent updates of ${keys.join(', ')}`);
    this.name = 'ConflictError';
  }
}

/** The script's SHA-1, as Redis names it in its script cache. */
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

async function runScript(
  redis: Redis,
  keys: readonly string[],
  expected: readonly (string | null)[],
  commands: readonly RedisCommand[],
  replication: ReplicationPolicy,
): Promise<boolean> {
  const args = [
    String(keys.length),
    ...expected.map((v) => (v === null ? '0' : `1${v}`)),
    JSON.stringify(commands.map((c) => c.map(String))),
  ];
  // With replicas counted on, the script and a WAIT go in one pipeline (platform/redis/replicated-write.ts):
  // a state change is only taken as done once a replica holds it, so a failover cannot take it back after
  // its notifications went out. Without, the script alone.
  const run = async (script: 'sha' | 'text'): Promise<unknown> => {
    if (replication.replicas === 0)
      return script === 'sha' ? redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args) : redis.eval(SCRIPT, keys.length, ...keys, ...args);
    const { results } = await writeReplicated(redis, replication, (p) =>
      script === 'sha' ? p.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args) : p.eval(SCRIPT, keys.length, ...keys, ...args),
    );
    return results[0];
  };
  try {
    return (await run('sha')) === 1;
  } catch (err) {
    // Not in this node's script cache (a restart, a failover, or on a Cluster another node than the last
    // one): EVAL goes to the node that holds the keys and caches the script there.
    if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
    return (await run('text')) === 1;
  }
}

/** How `transact` retries and what it waits for. */
export interface TransactOptions {
  /** Attempts before a `ConflictError`. @defaultValue 50 */
  readonly maxAttempts?: number;
  /**
   * Replicas that must hold the writes before `transact` returns (WAIT); when
   * fewer confirm in time it throws `RW_NOT_REPLICATED` and the caller retries
   * (the writes are idempotent: a repeat finds them applied). @defaultValue none
   */
  readonly replication?: ReplicationPolicy;
}

const NO_REPLICATION: ReplicationPolicy = { replicas: 0, timeoutMs: 0 };

/** Returned by `decide` when the keys it was given no longer fit (e.g. a pointer moved): plan again. */
export const REPLAN = Symbol('replan');

/**
 * Reads the guarded keys (string values), lets `decide` plan the writes, and
 * applies them only if none of the keys changed meanwhile; retries on
 * conflict. `keys` may be a function so that a key can depend on another
 * key's value (read again on every attempt).
 */
export async function transact<T>(
  redis: Redis,
  keys: readonly string[] | (() => Promise<readonly string[]>),
  decide: (
    values: readonly (string | null)[],
  ) => TransactionPlan<T> | typeof REPLAN | Promise<TransactionPlan<T> | typeof REPLAN>,
  options: TransactOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 50;
  const replication = options.replication ?? NO_REPLICATION;
  let lastKeys: readonly string[] = [];
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    lastKeys = typeof keys === 'function' ? await keys() : keys;
    const values = lastKeys.length === 0 ? [] : await redis.mget(...lastKeys);
    const plan = await decide(values);
    if (plan === REPLAN) continue;
    if (plan.commands.length === 0) return plan.result;
    if (await runScript(redis, lastKeys, values, plan.commands, replication)) return plan.result;
  }
  throw new ConflictError(lastKeys);
}
