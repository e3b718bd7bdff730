/**
 * "Acknowledged means replicated" (issue 16; DESIGN.md: where Redis has
 * replicas, durable means held by a replica too). Redis replicates
 * asynchronously: a master killed right after answering a write can take it
 * along, and the replica promoted in its place never saw it (the Sentinel
 * failover test loses dozens of answered appends that way). `WAIT n timeout`
 * blocks until n replicas hold every earlier write of the connection it is
 * sent on, or the timeout passes; it does not make the write durable on its
 * own, but a write it confirmed survives the loss of the master.
 *
 * The writes and the WAIT go in one pipeline, so they share one connection
 * and one round trip; on a Redis Cluster the pipeline's keys must share a
 * slot, and the WAIT then goes to that slot's master.
 */
import type { ChainableCommander } from 'ioredis';
import { AppError } from '../../domain/index.js';
import type { RedisClient } from './client-factory.js';
import { isCluster } from './client.js';

/** How many replicas must hold a write before it is acknowledged, and for how long to wait for them. */
export interface ReplicationPolicy {
  /** Replicas that must confirm; 0 = no waiting (one server, or replicas not counted on). @defaultValue 0 */
  readonly replicas: number;
  /** Longest wait for them; past it the write is refused with `RW_NOT_REPLICATED`. @defaultValue 1000 */
  readonly timeoutMs: number;
}

/** What a confirmed write took. */
export interface ReplicatedResult {
  /** The pipeline's results of the commands `build` queued, in order (the WAIT's reply left out). */
  readonly results: unknown[];
  /** Replicas that confirmed (WAIT's answer); `undefined` when the policy asks for none. */
  readonly replicas: number | undefined;
  /** From the call to the answer, WAIT included (and any wait for the connection). */
  readonly elapsedMs: number;
}

/**
 * Sends the commands `build` queues on a pipeline, followed by
 * `WAIT policy.replicas policy.timeoutMs` when the policy asks for replicas,
 * and resolves once enough replicas hold them. Throws the first command error
 * as is, and `AppError('RW_NOT_REPLICATED')` when fewer replicas confirmed or
 * when the connection changed while the answer was outstanding: a WAIT resent
 * on a new connection after a reconnect would count a fresh connection's
 * (empty) writes and confirm nothing. The caller answers that like back
 * pressure: no acknowledgement, the sender retries, and a repeat is harmless
 * (DESIGN.md "Guarantees": storage and alerts are idempotent).
 */
export async function writeReplicated(
  client: RedisClient,
  policy: ReplicationPolicy,
  build: (pipeline: ChainableCommander) => void,
): Promise<ReplicatedResult> {
  const pipeline = client.pipeline();
  build(pipeline);
  const queued = pipeline.length;
  if (queued === 0) return { results: [], replicas: undefined, elapsedMs: 0 };
  const waiting = policy.replicas > 0;
  if (waiting) pipeline.wait(policy.replicas, policy.timeoutMs);

  const startedAt = performance.now();
  // Connection losses before the pipeline leaves the offline queue do not matter; count only those after.
  await untilReady(client);
  const generation = connectionGeneration(client);
  const replies = await pipeline.exec();
  const elapsedMs = Math.round(performance.now() - startedAt);
  if (!replies) throw new AppError('RW_NOT_REPLICATED', 'the pipeline was discarded before Redis answered');
  const commandError = replies.slice(0, queued).find(([err]) => err)?.[0];
  if (commandError) {
    // A pipeline ending in WAIT (no key) is not redirected by ioredis as a whole after a failover: it surfaces
    // MOVED/ASK instead and keeps the stale slot map. Refresh it, so the sender's retry reaches the new master.
    if (isCluster(client) && /^(MOVED|ASK) /.test(commandError.message)) client.refreshSlotsCache();
    throw commandError;
  }
  const results = replies.slice(0, queued).map(([, value]) => value);
  if (!waiting) return { results, replicas: undefined, elapsedMs };

  const [waitError, confirmed] = replies[queued] ?? [new Error('no answer to WAIT'), 0];
  if (generation !== connectionGeneration(client)) {
    throw new AppError(
      'RW_NOT_REPLICATED',
      `the Redis connection changed while waiting for ${policy.replicas} replica(s); not acknowledged, retry`,
    );
  }
  if (waitError) {
    throw new AppError('RW_NOT_REPLICATED', `WAIT for ${policy.replicas} replica(s) failed: ${waitError.message}`, {
      cause: waitError,
    });
  }
  const count = Number(confirmed);
  if (count < policy.replicas) {
    throw new AppError(
      'RW_NOT_REPLICATED',
      `${count} of ${policy.replicas} Redis replica(s) confirmed the write within ${policy.timeoutMs} ms; not acknowledged, retry later`,
      { details: [`replicas=${count}`, `wanted=${policy.replicas}`, `timeoutMs=${policy.timeoutMs}`] },
    );
  }
  return { results, replicas: count, elapsedMs };
}

/**
 * Counts a client's lost connections: `close` of a Redis (it reconnects on a
 * new socket), `-node` of a Cluster (its node connections are replaced, not
 * reconnected). Equal counts before and after a pipeline mean one connection
 * carried it.
 */
const generations = new WeakMap<RedisClient, { count: number }>();

function connectionGeneration(client: RedisClient): number {
  let state = generations.get(client);
  if (!state) {
    const counter = { count: 0 };
    state = counter;
    generations.set(client, counter);
    const bump = (): void => void counter.count++;
    if ('isCluster' in client && client.isCluster) client.on('-node', bump);
    client.on('close', bump);
  }
  return state.count;
}

/** Resolves once the client is connected (a command would wait the same in the offline queue). */
async function untilReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') return void (await client.connect());
  if (client.status === 'end') throw new AppError('RW_NOT_REPLICATED', 'the Redis client was closed');
  await new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = (): void => {
      client.off('ready', onReady);
      reject(new AppError('RW_NOT_REPLICATED', 'the Redis client was closed'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}
