/** Schemas of the alert routes (api/routes/alerts.ts) and the actor every history entry carries. */
import { Type } from 'typebox';
import { ALERT_LEVELS } from '../../domain/index.js';
import { ALERT_STATUSES, ALERT_TRANSITION_TYPES } from '../../platform/redis/alerts/index.js';
import { Details, EpochMs, Paging, PersonName } from './common.js';

export const ActorSchema = Type.Object({
  kind: Type.Enum(['analytics', 'system', 'agency']),
  agencyId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
});

const AlertTransitionSchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  type: Type.Enum(ALERT_TRANSITION_TYPES),
  at: EpochMs,
  actor: ActorSchema,
  level: Type.Optional(Type.Enum(ALERT_LEVELS)),
  fromLevel: Type.Optional(Type.Enum(ALERT_LEVELS)),
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Details),
});

export const AlertSummarySchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  episode: Type.Integer(),
  kind: Type.String(),
  sectionId: Type.String(),
  riverId: Type.Optional(Type.String()),
  stationId: Type.Optional(Type.String()),
  parameters: Type.Array(Type.String()),
  level: Type.Optional(Type.Enum(ALERT_LEVELS)),
  maxLevel: Type.Optional(Type.Enum(ALERT_LEVELS)),
  status: Type.Enum(ALERT_STATUSES),
  clearedAt: Type.Optional(EpochMs),
  firstSeen: EpochMs,
  lastSeen: EpochMs,
  occurrences: Type.Integer(),
  message: Type.String(),
  evidence: Type.Object({}, { additionalProperties: true }),
  arrival: Type.Optional(Type.Object({ fromTs: EpochMs, peakTs: EpochMs, toTs: EpochMs, originSectionId: Type.String() })),
  openedAt: EpochMs,
  updatedAt: EpochMs,
  acknowledged: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema })),
  resolved: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, reason: Type.String() })),
  reminders: Type.Integer(),
});

export const AlertDetailSchema = Type.Object({ ...AlertSummarySchema.properties, history: Type.Array(AlertTransitionSchema) });

export const AlertListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${ALERT_STATUSES.join(', ')}` })),
  level: Type.Optional(Type.String({ description: `comma-separated: ${ALERT_LEVELS.join(', ')}` })),
  section: Type.Optional(Type.String()),
  river: Type.Optional(Type.String()),
  from: Type.Optional(Type.String({ description: 'alerts active at or after: ISO 8601 or epoch ms' })),
  to: Type.Optional(Type.String({ description: 'alerts opened at or before: ISO 8601 or epoch ms' })),
  ...Paging,
});

export const ResolveBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
  name: PersonName,
});
