/**
 * Optimistic transactions on Redis without WATCH: read some keys, decide in
 * TypeScript (the pure rules), then one Lua script applies every write only
 * if the keys still hold what was read. A script is atomic and keeps no
 * connection state, so it is safe on a shared connection and across a
 * reconnect (a WATCH would be lost with the connection).
 */
import type { Redis } from './client.js';

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

let scriptSha: string | undefined;

async function runScript(
  redis: Redis,
  keys: readonly string[],
  expected: readonly (string | null)[],
  commands: readonly RedisCommand[],
): Promise<boolean> {
  const args = [
    String(keys.length),
    ...expected.map((v) => (v === null ? '0' : `1${v}`)),
    JSON.stringify(commands.map((c) => c.map(String))),
  ];
  scriptSha ??= (await redis.script('LOAD', SCRIPT)) as string;
  try {
    return (await redis.evalsha(scriptSha, keys.length, ...keys, ...args)) === 1;
  } catch (err) {
    // After a Redis restart the script cache is empty.
    if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
    scriptSha = (await redis.script('LOAD', SCRIPT)) as string;
    return (await redis.evalsha(scriptSha, keys.length, ...keys, ...args)) === 1;
  }
}

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
  maxAttempts = 50,
): Promise<T> {
  let lastKeys: readonly string[] = [];
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    lastKeys = typeof keys === 'function' ? await keys() : keys;
    const values = lastKeys.length === 0 ? [] : await redis.mget(...lastKeys);
    const plan = await decide(values);
    if (plan === REPLAN) continue;
    if (plan.commands.length === 0) return plan.result;
    if (await runScript(redis, lastKeys, values, plan.commands)) return plan.result;
  }
  throw new ConflictError(lastKeys);
}
