/** Schemas of the joint-monitoring task routes (api/routes/tasks.ts): task, steps, ledger, bodies. */
import { Type } from 'typebox';
import { ON_SITE_STEPS, TASK_STATUSES, TASK_TRANSITION_TYPES } from '../../platform/redis/alerts/index.js';
import { ActorSchema } from './alerts.js';
import { Details, EpochMs, Paging, PersonName } from './common.js';

const Refs = Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
  maxItems: 50,
  description: 'attachment references (file ids or URLs)',
});
const Coordinates = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
});

const StepRecordSchema = Type.Object({
  step: Type.Enum(ON_SITE_STEPS),
  at: EpochMs,
  recordedAt: EpochMs,
  actor: ActorSchema,
  coordinates: Type.Optional(Coordinates),
  attachments: Type.Array(Type.String()),
  note: Type.Optional(Type.String()),
});

const EscalationSchema = Type.Object({
  at: EpochMs,
  toAgencyId: Type.String(),
  level: Type.Integer(),
  reason: Type.Enum(['arrival-deadline', 'problem-deadline']),
  agencyIds: Type.Array(Type.String()),
  problemId: Type.Optional(Type.String()),
});

const ProblemSchema = Type.Object({
  id: Type.String(),
  description: Type.String(),
  ownerAgencyId: Type.String(),
  measures: Type.String(),
  deadline: EpochMs,
  status: Type.Enum(['open', 'closed']),
  registeredAt: EpochMs,
  registeredBy: ActorSchema,
  progress: Type.Array(
    Type.Object({ at: EpochMs, actor: ActorSchema, note: Type.String(), attachments: Type.Array(Type.String()) }),
  ),
  closeOut: Type.Optional(
    Type.Object({ at: EpochMs, actor: ActorSchema, evidence: Type.Array(Type.String()), note: Type.String() }),
  ),
  escalationLevel: Type.Integer(),
});

const SamplingOutcome = Type.Object({ at: EpochMs, acked: Type.Array(Type.String()), failed: Type.Array(Type.String()) });

const taskCommon = {
  id: Type.String(),
  status: Type.Enum(TASK_STATUSES),
  trigger: Type.Enum(['boundary-alert', 'upstream-arrival']),
  conditionKey: Type.String({ description: 'condition of the alert that opened the task' }),
  conditionKeys: Type.Array(Type.String(), { description: 'every condition attached, the opening one first' }),
  alertIds: Type.Array(Type.String(), {
    description: 'alerts attached (one task per section and incident), first one opened it',
  }),
  activeAlertIds: Type.Array(Type.String(), {
    description: 'attached alerts whose condition is raised now; empty = water back within target (conditionCleared)',
  }),
  sectionId: Type.String(),
  riverId: Type.Optional(Type.String()),
  level: Type.Optional(Type.String()),
  parties: Type.Array(Type.String()),
  coordinatorId: Type.String(),
  openedAt: EpochMs,
  arrivalDeadline: EpochMs,
  escalations: Type.Array(EscalationSchema),
  escalationLevel: Type.Integer(),
  conditionCleared: Type.Boolean(),
  hold: Type.Optional(Type.Object({ startedAt: EpochMs, until: EpochMs, seq: Type.Integer() })),
  reopenCount: Type.Integer(),
  sampling: Type.Object({
    stationIds: Type.Array(Type.String()),
    epoch: Type.Integer(),
    raised: Type.Optional(SamplingOutcome),
    restored: Type.Optional(SamplingOutcome),
  }),
  closedAt: Type.Optional(EpochMs),
  updatedAt: EpochMs,
};

export const TaskSummarySchema = Type.Object({
  ...taskCommon,
  stepsDone: Type.Record(Type.String(), Type.Integer()),
  openProblems: Type.Integer(),
});

export const TaskDetailSchema = Type.Object({
  ...taskCommon,
  steps: Type.Record(Type.String(), Type.Array(StepRecordSchema)),
  problems: Type.Array(ProblemSchema),
  history: Type.Array(
    Type.Object({
      id: Type.String(),
      seq: Type.Integer(),
      type: Type.Enum(TASK_TRANSITION_TYPES),
      at: EpochMs,
      actor: ActorSchema,
      details: Details,
    }),
  ),
});

export const ProblemParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 160 }),
  pid: Type.String({ minLength: 1, maxLength: 32 }),
});

export const StepBody = Type.Object({
  step: Type.Enum(ON_SITE_STEPS),
  party: Type.Optional(Type.String({ description: 'party the step belongs to; default: the calling agency' })),
  at: Type.Optional(EpochMs),
  coordinates: Type.Optional(Coordinates),
  attachments: Type.Optional(Refs),
  note: Type.Optional(Type.String({ maxLength: 4000 })),
  name: PersonName,
});

export const ProblemBody = Type.Object({
  description: Type.String({ minLength: 1, maxLength: 4000 }),
  ownerAgencyId: Type.String({ minLength: 1 }),
  measures: Type.String({ maxLength: 4000 }),
  deadline: EpochMs,
  name: PersonName,
});

export const ProgressBody = Type.Object({
  note: Type.String({ minLength: 1, maxLength: 4000 }),
  attachments: Type.Optional(Refs),
  name: PersonName,
});
export const CloseOutBody = Type.Object({
  evidence: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 50 }),
  note: Type.String({ maxLength: 4000 }),
  name: PersonName,
});

export const TaskListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${TASK_STATUSES.join(', ')}` })),
  section: Type.Optional(Type.String()),
  river: Type.Optional(Type.String()),
  ...Paging,
});
