/**
 * Options of the alerts stage (issue 6). One schema with defaults; the type
 * is derived from it. Defaults run on one machine; tests shorten the times.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../domain/index.js';

const Ms = (defaultMs: number, description: string) => Type.Integer({ minimum: 0, default: defaultMs, description });
const HOUR_MS = 3_600_000;

const LevelLiteral = Type.Union([Type.Literal('blue'), Type.Literal('yellow'), Type.Literal('orange'), Type.Literal('red')]);

export const AlertsConfigSchema = Type.Object({
  /** Prefix of every Redis key the alerts stage writes (alerts, tasks, logs, API keys). @defaultValue 'rw' */
  keyPrefix: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_{}-]+$', default: 'rw' }),
  /** BullMQ `prefix` (never ioredis `keyPrefix`, platforms.md §B4). @defaultValue 'rwq' */
  queuePrefix: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_{}-]+$', default: 'rwq' }),
  /** How long a condition must stay cleared before its alert resolves by itself. @defaultValue 15 min */
  autoResolveHoldMs: Ms(15 * 60_000, 'cleared condition hold before auto-resolve'),
  /** Reminder interval while an alert is unacknowledged; 0 turns reminders off. @defaultValue 0 */
  reminderIntervalMs: Ms(0, 'reminder interval while unacknowledged, 0 = off'),
  /** Reminder interval by level (`none` = data-quality), overriding `reminderIntervalMs` (issue 15 §4). @defaultValue {} */
  reminderIntervalMsByLevel: Type.Object(
    {
      red: Type.Optional(Type.Integer({ minimum: 0, description: 'red, ms (0 = no reminders)' })),
      orange: Type.Optional(Type.Integer({ minimum: 0, description: 'orange, ms (0 = no reminders)' })),
      yellow: Type.Optional(Type.Integer({ minimum: 0, description: 'yellow, ms (0 = no reminders)' })),
      blue: Type.Optional(Type.Integer({ minimum: 0, description: 'blue, ms (0 = no reminders)' })),
      none: Type.Optional(Type.Integer({ minimum: 0, description: 'data-quality, ms (0 = no reminders)' })),
    },
    { default: {} },
  ),
  /**
   * From this reminder on, each reminder of an unacknowledged alert also goes one step up the chain above the
   * section's lead agency (alerts/alarms/alert-escalation.ts); 0 = never. @defaultValue 2
   */
  escalateAlertsFromReminder: Type.Integer({ minimum: 0, default: 2 }),
  /**
   * Grouping of first notifications per agency and incident (river): wait this long to collect the alerts of one
   * incident into one webhook; 0 sends each at once (issue 15 §3). On by default: in the first minute of the demo
   * spill (5 alerts at 4 sections, and their joint tasks) jiashan gets 8 webhooks without grouping, 1 with it; 30 s
   * (Alertmanager's group_wait) is a tenth of the 5-minute reading interval, and only openings wait (level raises,
   * acknowledgements, reminders go at once). docs/api.md "Grouped notifications". @defaultValue 30 s
   */
  notifyGroupWaitMs: Ms(30_000, 'wait to collect one incident’s alerts into one notification per agency, 0 = off'),
  /** A group that was sent collects again for at least this long before the next send. @defaultValue 5 min */
  notifyGroupRepeatMs: Ms(5 * 60_000, 'least time between two grouped notifications of one incident to one agency'),
  /** Lowest level at a boundary section that opens a joint-monitoring task. @defaultValue 'yellow' */
  taskMinLevel: { ...LevelLiteral, default: 'yellow' },
  /** Lowest level of the origin alert at which an upstream-arrival pre-warning opens a joint task at the section below (the pre-warning itself is always blue). @defaultValue 'yellow' */
  prewarningTaskMinLevel: { ...LevelLiteral, default: 'yellow' },
  /** Per section id: its own `taskMinLevel` and/or `prewarningTaskMinLevel` (e.g. red only at a section under construction works, blue at a drinking-water intake). @defaultValue {} */
  taskRulesBySection: Type.Record(
    Type.String(),
    Type.Object(
      { taskMinLevel: Type.Optional(LevelLiteral), prewarningTaskMinLevel: Type.Optional(LevelLiteral) },
      { additionalProperties: false },
    ),
    { default: {} },
  ),
  /** On-site arrival deadline after the task opens, by level (policy.md "Joint emergency monitoring"). */
  arrivalDeadlineMs: Type.Object(
    {
      red: Ms(2 * HOUR_MS, 'red'),
      orange: Ms(4 * HOUR_MS, 'orange'),
      yellow: Ms(24 * HOUR_MS, 'yellow'),
      blue: Ms(24 * HOUR_MS, 'blue (pre-warnings without a predicted arrival)'),
    },
    { default: {} },
  ),
  /**
   * Transfer with feedback (issue 18; seed 002: the receiver completes the handling within a prescribed
   * time and reports back): deadlines by the level of the transferred alert or task (`none`: data-quality
   * alerts and tasks without level). A missed one escalates to the lowest common superior of sender and
   * receiver, then one level up per `escalationIntervalMs`.
   */
  transfer: Type.Object(
    {
      /** Accept or refuse within. @defaultValue red 1 h, orange 2 h, yellow 12 h, blue and none 24 h */
      acceptWithinMs: Type.Object(
        { red: Ms(HOUR_MS, 'red'), orange: Ms(2 * HOUR_MS, 'orange'), yellow: Ms(12 * HOUR_MS, 'yellow'), blue: Ms(24 * HOUR_MS, 'blue'), none: Ms(24 * HOUR_MS, 'none') },
        { default: {} },
      ),
      /** Result reported within, counted from the acceptance. @defaultValue red 24 h, orange 48 h, yellow 72 h, blue and none 7 days */
      resultWithinMs: Type.Object(
        { red: Ms(24 * HOUR_MS, 'red'), orange: Ms(48 * HOUR_MS, 'orange'), yellow: Ms(72 * HOUR_MS, 'yellow'), blue: Ms(168 * HOUR_MS, 'blue'), none: Ms(168 * HOUR_MS, 'none') },
        { default: {} },
      ),
    },
    { default: {} },
  ),
  /** Time between escalation steps up the agency tree while a deadline stays missed. @defaultValue 1 h */
  escalationIntervalMs: Ms(HOUR_MS, 'time between escalation steps'),
  /** Post-supervision: how long the water must stay within target before a task closes. @defaultValue 72 h */
  postSupervisionHoldMs: Ms(72 * HOUR_MS, 'post-supervision hold'),
  /** Sampling interval commanded to stations during a task. @defaultValue 60 s */
  raisedSamplingIntervalS: Type.Integer({ minimum: 1, default: 60 }),
  /** A sampling command not acknowledged by then is given up. @defaultValue 2 h */
  commandExpiryMs: Ms(2 * HOUR_MS, 'command expiry'),
  /** How long one send waits for the station's ack before retrying. @defaultValue 10 s */
  commandAckTimeoutMs: Ms(10_000, 'ack wait per send'),
  /** First retry delay of a command; doubles up to `commandRetryMaxMs`. @defaultValue 2 s */
  commandRetryBaseMs: Ms(2_000, 'first command retry delay'),
  commandRetryMaxMs: Ms(60_000, 'longest command retry delay'),
  commandMaxAttempts: Type.Integer({ minimum: 1, default: 200 }),
  webhook: Type.Object(
    {
      /** Attempts per delivery before it goes to the dead letters. @defaultValue 8 */
      attempts: Type.Integer({ minimum: 1, default: 8 }),
      /** Exponential backoff base: 2^(attempt-1) × backoffMs. @defaultValue 1000 */
      backoffMs: Ms(1_000, 'backoff base'),
      timeoutMs: Ms(5_000, 'HTTP timeout per attempt'),
      concurrency: Type.Integer({ minimum: 1, default: 8 }),
    },
    { default: {} },
  ),
  /** BullMQ lock and stalled-check periods; a killed worker's job is retried after about this long. */
  lockDurationMs: Type.Integer({ minimum: 100, default: 30_000 }),
  stalledIntervalMs: Type.Integer({ minimum: 100, default: 30_000 }),
  /** Safety sweep over open alerts and tasks (timers are BullMQ delayed jobs; the sweep re-arms them). @defaultValue 60 s */
  sweepIntervalMs: Ms(60_000, 'sweep interval, 0 = off'),
  /** Entries of the event log pending this long on a dead consumer are claimed by a live one. @defaultValue 30 s */
  dispatchClaimIdleMs: Ms(30_000, 'claim idle'),
  /** Approximate length the event log (live stream and outbox) is trimmed to. @defaultValue 100000 */
  eventLogMaxLen: Type.Integer({ minimum: 1000, default: 100_000 }),
  deliveryLogMaxLen: Type.Integer({ minimum: 100, default: 10_000 }),
  /** Completed jobs are kept this long so that re-adding the same jobId is ignored (platforms.md §A3 #19). @defaultValue 7 days */
  keepCompletedJobsS: Type.Integer({ minimum: 60, default: 7 * 24 * 3600 }),
});

export type AlertsConfig = Static<typeof AlertsConfigSchema>;

/** Deep-partial input for {@link alertsConfig}. */
export type AlertsConfigInput = Partial<Omit<AlertsConfig, 'arrivalDeadlineMs' | 'webhook' | 'transfer'>> & {
  arrivalDeadlineMs?: Partial<AlertsConfig['arrivalDeadlineMs']>;
  transfer?: { acceptWithinMs?: Partial<AlertsConfig['transfer']['acceptWithinMs']>; resultWithinMs?: Partial<AlertsConfig['transfer']['resultWithinMs']> };
  webhook?: Partial<AlertsConfig['webhook']>;
};

/** Fills defaults and validates; throws `RW_CONFIG_INVALID` listing every problem. */
export function alertsConfig(input: AlertsConfigInput = {}): AlertsConfig {
  const value = Value.Default(AlertsConfigSchema, structuredClone(input)) as unknown;
  if (!Value.Check(AlertsConfigSchema, value)) {
    const problems = [...Value.Errors(AlertsConfigSchema, value)].map((e) => `alerts${e.instancePath}: ${e.message}`);
    throw new AppError('RW_CONFIG_INVALID', `alerts configuration is invalid: ${problems.join('; ')}`, { details: problems });
  }
  return value;
}
