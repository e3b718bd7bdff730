/** Schemas of the silence routes (api/routes/silences.ts): matcher, weekly window, the silence with its audit trail. */
import { Type } from 'typebox';
import { ALERT_KINDS } from '../../domain/index.js';
import { ActorSchema } from './alerts.js';
import { EpochMs } from './common.js';

export const Time = Type.Union([Type.String(), Type.Number()], { description: 'ISO 8601 with an offset, or epoch milliseconds' });

export const Matcher = Type.Object({
  sectionId: Type.Optional(Type.String({ maxLength: 128 })),
  stationId: Type.Optional(Type.String({ maxLength: 128 })),
  parameter: Type.Optional(Type.String({ maxLength: 64 })),
  kind: Type.Optional(Type.Enum(ALERT_KINDS)),
});

export const Recurrence = Type.Object({
  weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, description: '1 = Monday … 7 = Sunday' }),
  start: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'local time (Asia/Shanghai) HH:MM' }),
  end: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'local time (Asia/Shanghai) HH:MM, after start' }),
});

export const SilenceSchema = Type.Object({
  id: Type.String(),
  agencyId: Type.String(),
  matcher: Matcher,
  startsAt: EpochMs,
  endsAt: EpochMs,
  reason: Type.String(),
  recurrence: Type.Optional(Recurrence),
  endedAt: Type.Optional(EpochMs),
  createdAt: EpochMs,
  history: Type.Array(
    Type.Object({
      at: EpochMs,
      actor: ActorSchema,
      action: Type.Enum(['created', 'changed', 'ended']),
      changes: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  ),
  /** Whether it silences now (inside its period and, when recurring, inside a window). */
  silencingNow: Type.Boolean(),
  /** Alerts it holds back now: recorded and shown, not notified, no task. */
  heldAlertIds: Type.Array(Type.String()),
});

/** The person acting, for the audit trail. */
export const SilenceActor = Type.Optional(Type.String({ maxLength: 200, description: 'the person acting, for the audit trail' }));
