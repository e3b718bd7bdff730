/**
 * Feedback on alerts (issue 15 §5): whether an alert was a real event, a
 * false alarm (and why: rain, sensor, operations, unknown) or a test. The
 * label is what lets a deployment build its own labelled history: stored
 * per alert (the latest label counts; earlier ones stay in its history),
 * exported with the alert's facts, and counted on /metrics by kind, label
 * and cause (counts kept in Redis, so every process reports the same).
 */
import type { Redis } from '../client.js';
import { Gauge, type Registry as MetricsRegistry } from 'prom-client';
import { AppError, type Clock } from '../../../domain/index.js';
import type { Actor, Alert } from '../../../alerts/alarms/alert-model.js';

import { feedbackProblems, feedbackEntry, type FeedbackInput, type FeedbackEntry, type AlertFeedback } from '../../../alerts/alarms/feedback-model.js';
import { RedisKeys } from '../keys.js';
export { FEEDBACK_LABELS, FALSE_ALARM_CAUSES, feedbackProblems, feedbackEntry, type FeedbackLabel, type FalseAlarmCause, type FeedbackInput, type FeedbackEntry, type AlertFeedback } from '../../../alerts/alarms/feedback-model.js';

const RECORD_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
local old = redis.call('GETSET', KEYS[5], ARGV[4])
if old then redis.call('HINCRBY', KEYS[4], old, -1) end
redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
return 1
`;

const countField = (kind: string, e: Pick<FeedbackEntry, 'label' | 'cause'>): string => `${kind}|${e.label}|${e.cause ?? ''}`;

export class FeedbackStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #clock: Clock;

  constructor(deps: { readonly redis: Redis; readonly prefix: string; readonly clock: Clock; readonly metrics?: MetricsRegistry }) {
    this.#redis = deps.redis;
    this.#keys = new RedisKeys(deps.prefix);
    this.#clock = deps.clock;
    if (deps.metrics) {
      const redis = this.#redis;
      const counts = this.#counts();
      new Gauge({
        name: 'riverwatch_alert_feedback',
        help: 'Alerts by the latest feedback label their agency gave (real-event, false-alarm with cause, test), by kind',
        labelNames: ['kind', 'label', 'cause'],
        registers: [deps.metrics],
        async collect() {
          const all = await redis.hgetall(counts);
          this.reset();
          for (const [field, value] of Object.entries(all)) {
            const [kind = '', label = '', cause = ''] = field.split('|');
            if (Number(value) > 0) this.set({ kind, label, cause }, Number(value));
          }
        },
      });
    }
  }

  #current(alertId: string): string {
    return this.#keys.feedback('a', alertId);
  }
  #history(alertId: string): string {
    return this.#keys.feedback('h', alertId);
  }
  /** The count field the alert's current label is counted under. */
  #counted(alertId: string): string {
    return this.#keys.feedback('f', alertId);
  }
  /** Alert ids with feedback, scored by the time of the latest label. */
  #index(): string {
    return this.#keys.feedbackIndex();
  }
  #counts(): string {
    return this.#keys.feedbackCounts();
  }

  /** Records a label for an alert (replacing the current one; the history keeps both). Atomic, so counts stay exact. */
  async record(alert: Pick<Alert, 'id' | 'kind'>, input: FeedbackInput, actor: Actor): Promise<AlertFeedback> {
    const problems = feedbackProblems(input);
    if (problems.length > 0)
      throw new AppError('RW_INVALID_PAYLOAD', `feedback is not valid: ${problems.join('; ')}`, { details: problems });
    const entry = feedbackEntry(input, actor, this.#clock.now());
    const json = JSON.stringify(entry);
    await this.#redis.eval(
      RECORD_SCRIPT,
      5,
      this.#current(alert.id),
      this.#history(alert.id),
      this.#index(),
      this.#counts(),
      this.#counted(alert.id),
      json,
      entry.at,
      alert.id,
      countField(alert.kind, entry),
    );
    return (await this.get(alert.id)) as AlertFeedback;
  }

  async get(alertId: string): Promise<AlertFeedback | undefined> {
    const [current, history] = await Promise.all([
      this.#redis.get(this.#current(alertId)),
      this.#redis.lrange(this.#history(alertId), 0, -1),
    ]);
    if (!current) return undefined;
    return { alertId, current: JSON.parse(current) as FeedbackEntry, history: history.map((h) => JSON.parse(h) as FeedbackEntry) };
  }

  /** Current labels of several alerts (without history). */
  async currentOf(alertIds: readonly string[]): Promise<Map<string, FeedbackEntry>> {
    if (alertIds.length === 0) return new Map();
    const rows = await this.#redis.mget(alertIds.map((id) => this.#current(id)));
    const out = new Map<string, FeedbackEntry>();
    rows.forEach((r, i) => {
      if (r) out.set(alertIds[i] as string, JSON.parse(r) as FeedbackEntry);
    });
    return out;
  }

  /** Ids of alerts labelled between `fromMs` and `toMs` (latest label time), oldest first. */
  async labelledBetween(fromMs: number, toMs: number): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#index(), fromMs, toMs);
  }

  /**
   * Ids of the alerts an export holds: those labelled between `fromMs` and `toMs`; with `unlabelled`, also every
   * alert opened in that period, labelled or not, so that `npm run eval -- --feedback` can tell the unlabelled share.
   */
  async exportIds(fromMs: number, toMs: number, unlabelled: boolean): Promise<string[]> {
    const labelled = await this.labelledBetween(fromMs, toMs);
    if (!unlabelled) return labelled;
    const opened = await this.#redis.zrangebyscore(this.#keys.alertIndex(), fromMs, toMs);
    return [...new Set([...labelled, ...opened])];
  }
}
