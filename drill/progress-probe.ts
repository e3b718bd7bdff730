/**
 * Watches every role for signs of work, a few times a second: a counter
 * that goes up (readings accepted, points written, log entries read) or a
 * healthy state (alerts dispatcher caught up). Recovery time after a fault
 * is then "first sign of work after the thing came back" minus "when it came
 * back", read off these timelines.
 */

/** One reading of a target: `epoch` changes when the process was replaced (its counters restart). */
import type { Redis } from '../platform/redis/client.js';
import { RedisKeys } from '../platform/redis/keys.js';
import { groupStates } from './stream-state.js';

export interface ProbeSample {
  readonly epoch: string | number;
  readonly value: number;
}

export interface ProbeTarget {
  readonly name: string;
  /** Current counter, or undefined when it cannot be read (process or dependency down). */
  read(): Promise<ProbeSample | undefined>;
}

export class ProgressProbe {
  readonly #targets: readonly ProbeTarget[];
  readonly #intervalMs: number;
  readonly #progress = new Map<string, number[]>();
  readonly #last = new Map<string, ProbeSample>();
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(targets: readonly ProbeTarget[], intervalMs = 200) {
    this.#targets = targets;
    this.#intervalMs = intervalMs;
    for (const t of targets) this.#progress.set(t.name, []);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  /** First time `name` showed progress at or after `fromMs`. */
  firstProgressAfter(name: string, fromMs: number): number | undefined {
    return this.#progress.get(name)?.find((t) => t >= fromMs);
  }

  /** Resolves with the first progress time at or after `fromMs`, or undefined after `timeoutMs`. */
  async waitForProgress(name: string, fromMs: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.firstProgressAfter(name, fromMs);
      if (at !== undefined || Date.now() > deadline || this.#stopped) return at;
      await sleep(100);
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const startedAt = Date.now();
      await Promise.all(this.#targets.map((t) => this.#poll(t)));
      await sleep(Math.max(0, this.#intervalMs - (Date.now() - startedAt)));
    }
  }

  async #poll(target: ProbeTarget): Promise<void> {
    const sample = await target.read().catch(() => undefined);
    const at = Date.now();
    if (!sample) return;
    const last = this.#last.get(target.name);
    this.#last.set(target.name, sample);
    // A new process counts from zero: its first non-zero value is progress.
    const advanced =
      last === undefined || last.epoch !== sample.epoch ? sample.value > 0 && last !== undefined : sample.value > last.value;
    if (advanced) this.#progress.get(target.name)?.push(at);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Progress of the roles that work on Redis alone, read from Redis: analytics
 * (entries its consumer group has read from the readings log, every
 * partition), and alerts (polls that found its event-log group caught up:
 * no lag, nothing pending; alerts work comes in bursts). `alive` tells
 * whether the alerts process is up (always, for roles in this process).
 */
export function redisSideTargets(
  redis: Redis,
  prefix: string,
  partitions: number,
  alive: () => Promise<boolean> = async () => true,
): ProbeTarget[] {
  const keys = new RedisKeys(prefix);
  let healthyPolls = 0;
  return [
    {
      name: 'analytics',
      read: async () => {
        let read = 0;
        for (let p = 0; p < partitions; p++) {
          const group = (await groupStates(redis, keys.readingsPartition(p))).find((g) => g.name === 'analytics');
          if (!group) return undefined;
          read += group.entriesRead;
        }
        return { epoch: 'redis', value: read };
      },
    },
    {
      name: 'alerts',
      read: async () => {
        if (!(await alive())) return undefined;
        const group = (await groupStates(redis, keys.eventLog()).catch(() => [])).find((g) => g.name === 'alerts-dispatch');
        if (!group || group.caughtUp) healthyPolls++;
        return { epoch: 'alerts', value: healthyPolls };
      },
    },
  ];
}
