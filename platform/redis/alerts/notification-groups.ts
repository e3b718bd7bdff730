/**
 * Grouping of first notifications per recipient agency (issue 15 §3;
 * Alertmanager's group_wait / group_interval): the alerts of one incident —
 * opened on one river (a plume travelling downstream raises one section
 * after the other) — go to an agency as one webhook listing the members,
 * after a short wait to collect them; members arriving after a flush wait at
 * least the repeat interval since it. A group of one is delivered as the
 * plain alert notification it would have been (same delivery id).
 *
 * Only openings are grouped — of alerts, and of the joint tasks they open —
 * so an agency hears of a new incident once; level raises,
 * acknowledgements, resolutions, reminders and escalations are about one
 * known alert or task and go at once.
 * Off when `notifyGroupWaitMs` is 0.
 */
import type { Redis } from '../client.js';
import type { Logger } from 'pino';
import type { Clock } from '../../../domain/index.js';
import type { GroupMember, Notifier } from '../../bullmq/notifier.js';
import type { Recipient } from '../../../alerts/alarms/recipients.js';
import { RedisKeys } from '../keys.js';

export interface NotificationGroupsDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly clock: Clock;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly waitMs: number;
  readonly repeatMs: number;
  /** Wakes `flush(agencyId, groupKey)` at `dueAt` (a timer job; idempotent per due). */
  readonly schedule: (agencyId: string, groupKey: string, dueAt: number) => Promise<void>;
}

/** The incident an alert or task belongs to, for grouping: its river (a plume moves along it), else its section. Pure. */
export function groupKeyOf(where: { readonly riverId: string | undefined; readonly sectionId: string }): string {
  // Timer job ids are built from it: keep it free of ':'.
  return (where.riverId ?? where.sectionId).replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** When a group that starts collecting at `now` is sent: after the wait, and not sooner than `repeatMs` after the last send. Pure. */
export function flushDue(now: number, lastFlushAt: number | undefined, waitMs: number, repeatMs: number): number {
  return Math.max(now + waitMs, lastFlushAt === undefined ? 0 : lastFlushAt + repeatMs);
}

export class NotificationGroups {
  readonly #deps: NotificationGroupsDeps;
  readonly #keys: RedisKeys;

  constructor(deps: NotificationGroupsDeps) {
    this.#deps = deps;
    this.#keys = new RedisKeys(deps.prefix);
  }

  get enabled(): boolean {
    return this.#deps.waitMs > 0;
  }

  #key(part: string, agencyId: string, groupKey: string): string {
    return this.#keys.notificationGroup(part, agencyId, groupKey);
  }

  /** Adds an opening to each recipient's group of `groupKey` (idempotent per transition) and arms the group's send. */
  async add(recipients: readonly Recipient[], groupKey: string, content: GroupMember): Promise<void> {
    const { redis, clock, waitMs, repeatMs } = this.#deps;
    const transition = content.transition;
    const member = JSON.stringify(content);
    for (const r of recipients) {
      const now = clock.now();
      await redis.hsetnx(this.#key('m', r.agencyId, groupKey), transition.id, member);
      const last = await redis.get(this.#key('last', r.agencyId, groupKey));
      const due = flushDue(now, last === null ? undefined : Number(last), waitMs, repeatMs);
      // One armed send per group at a time; the flush clears it.
      const armed = await redis.set(this.#key('due', r.agencyId, groupKey), String(due), 'PX', waitMs + repeatMs + 60_000, 'NX');
      const dueAt = armed === 'OK' ? due : Number(await redis.get(this.#key('due', r.agencyId, groupKey)));
      // Scheduling again at the same due is a no-op (job id); it also re-arms after a crash between the two calls.
      await this.#deps.schedule(r.agencyId, groupKey, Number.isFinite(dueAt) ? dueAt : due);
    }
  }

  /** Sends what an agency's group collected: one webhook (the plain alert notification for a group of one). */
  async flush(agencyId: string, groupKey: string): Promise<number> {
    const { redis, clock, notifier, logger } = this.#deps;
    const now = clock.now();
    const members = this.#key('m', agencyId, groupKey);
    const taking = `${members}:sending:${now}`;
    // Take the members atomically: one that arrives meanwhile starts the next group.
    const renamed = await redis
      .multi()
      .exists(members)
      .del(this.#key('due', agencyId, groupKey))
      .set(this.#key('last', agencyId, groupKey), String(now), 'PX', this.#deps.repeatMs + 86_400_000)
      .exec();
    if (!renamed || Number(renamed[0]?.[1]) === 0) return 0;
    await redis.rename(members, taking);
    const collected = Object.values(await redis.hgetall(taking))
      .map((json) => JSON.parse(json) as GroupMember)
      .sort((a, b) => a.transition.at - b.transition.at);
    const recipient: Recipient = { agencyId, role: 'party' };
    if (collected.length === 1) {
      const only = collected[0] as GroupMember;
      await notifier.enqueue(only.transition.id, [recipient], only);
    } else if (collected.length > 1) {
      await notifier.enqueue(`g.${groupKey}.${now}`, [recipient], { type: 'alert-group', groupKey, members: collected });
      logger.info({ agencyId, groupKey, members: collected.length }, 'grouped notification');
    }
    await redis.del(taking);
    return collected.length;
  }
}
