/** Schemas of the feedback routes (api/routes/feedback.ts): labels, their history, labelled alerts. */
import { Type } from 'typebox';
import { FALSE_ALARM_CAUSES, FEEDBACK_LABELS } from '../../platform/redis/alerts/index.js';
import { ActorSchema } from './alerts.js';
import { EpochMs, PersonName } from './common.js';

const EntrySchema = Type.Object({
  label: Type.Enum(FEEDBACK_LABELS),
  cause: Type.Optional(Type.Enum(FALSE_ALARM_CAUSES)),
  note: Type.Optional(Type.String()),
  at: EpochMs,
  actor: ActorSchema,
});
export const FeedbackSchema = Type.Object({ alertId: Type.String(), current: EntrySchema, history: Type.Array(EntrySchema) });

/** One alert of a history or an export, with its latest label. */
export const LabelledAlertSchema = Type.Object({
  alertId: Type.String(),
  key: Type.String(),
  kind: Type.String(),
  sectionId: Type.String(),
  stationId: Type.Optional(Type.String()),
  parameters: Type.Array(Type.String()),
  maxLevel: Type.Optional(Type.String()),
  status: Type.String(),
  openedAt: EpochMs,
  resolvedAt: Type.Optional(EpochMs),
  resolveReason: Type.Optional(Type.String()),
  message: Type.String(),
  evidence: Type.Object({}, { additionalProperties: true }),
  arrival: Type.Optional(Type.Object({}, { additionalProperties: true })),
  /** Raised and cleared more than 3 times within the hour before its last change (alerts/flapping.ts). */
  flapping: Type.Boolean(),
  feedback: Type.Optional(EntrySchema),
});

export const FeedbackBody = Type.Object({
  label: Type.Enum(FEEDBACK_LABELS),
  cause: Type.Optional(Type.Enum(FALSE_ALARM_CAUSES)),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
  name: PersonName,
});

export const FeedbackExportQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'ISO 8601 or epoch ms; default 90 days ago' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601 or epoch ms; default now' })),
  section: Type.Optional(Type.String()),
  format: Type.Optional(Type.Enum(['json', 'csv'], { default: 'json' })),
  lang: Type.Optional(Type.Enum(['zh', 'en'], { default: 'zh' })),
  unlabelled: Type.Optional(Type.Boolean({ description: 'also every alert opened in the period, labelled or not' })),
});

export const AlertHistoryQuery = Type.Object({
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
