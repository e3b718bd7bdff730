/**
 * Joint-monitoring task routes: list, detail, on-site steps, the problem
 * ledger (register, progress, close-out). Scoped like alerts; the lead
 * agency sees the task it coordinates. Steps and ledger entries for a party
 * may be recorded by the party itself or by one of its superiors.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, type Registry } from '../../domain/index.js';
import {
  ON_SITE_STEPS,
  TASK_STATUSES,
  TASK_TRANSITION_TYPES,
  taskSummaryOf,
  type AlertsService,
  type Task,
  type TaskStatus,
} from '../../platform/redis/alerts/index.js';
import { agencyOf, canSeeTask, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';
import { ActorSchema, actorFrom, parseList, wire } from './alerts.js';

export interface TasksRoutesOptions {
  readonly service: AlertsService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

const EpochMs = Type.Number({ description: 'epoch milliseconds' });
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

const TaskSummarySchema = Type.Object({
  ...taskCommon,
  stepsDone: Type.Record(Type.String(), Type.Integer()),
  openProblems: Type.Integer(),
});

const TaskDetailSchema = Type.Object({
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
      details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    }),
  ),
});

const ErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) }),
});
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema };

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 160 }) });
const ProblemParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 160 }),
  pid: Type.String({ minLength: 1, maxLength: 32 }),
});
const Name = Type.Optional(Type.String({ maxLength: 200, description: 'name of the person acting' }));

const StepBody = Type.Object({
  step: Type.Enum(ON_SITE_STEPS),
  party: Type.Optional(Type.String({ description: 'party the step belongs to; default: the calling agency' })),
  at: Type.Optional(EpochMs),
  coordinates: Type.Optional(Coordinates),
  attachments: Type.Optional(Refs),
  note: Type.Optional(Type.String({ maxLength: 4000 })),
  name: Name,
});

const ProblemBody = Type.Object({
  description: Type.String({ minLength: 1, maxLength: 4000 }),
  ownerAgencyId: Type.String({ minLength: 1 }),
  measures: Type.String({ maxLength: 4000 }),
  deadline: EpochMs,
  name: Name,
});

const ProgressBody = Type.Object({
  note: Type.String({ minLength: 1, maxLength: 4000 }),
  attachments: Type.Optional(Refs),
  name: Name,
});
const CloseOutBody = Type.Object({
  evidence: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 50 }),
  note: Type.String({ maxLength: 4000 }),
  name: Name,
});

const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${TASK_STATUSES.join(', ')}` })),
  section: Type.Optional(Type.String()),
  river: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

export const tasksRoutes: FastifyPluginAsyncTypebox<TasksRoutesOptions> = async (app, options) => {
  const { service, registry } = options;
  requireAgencyKey(app, { keys: options.keys, registry });

  async function visibleTask(agencyId: string, taskId: string): Promise<Task> {
    const task = await service.getTask(taskId);
    if (!task) throw new AppError('RW_NOT_FOUND', `no task ${taskId}`);
    if (!canSeeTask(registry, agencyId, task))
      throw new AppError('RW_FORBIDDEN', `${agencyId} is neither a party of task ${taskId}, a superior of one, nor its lead`);
    return task;
  }

  /** The party a step is recorded for: given, or the caller when it is a party; the caller must be it or a superior. */
  function partyFor(task: Task, callerId: string, given: string | undefined): string {
    const party = given ?? (task.parties.includes(callerId) ? callerId : undefined);
    if (party === undefined)
      throw new AppError(
        'RW_INVALID_PAYLOAD',
        `name the party: ${callerId} is not itself a party (parties: ${task.parties.join(', ')})`,
      );
    if (!task.parties.includes(party))
      throw new AppError('RW_TASK_NOT_PARTY', `${party} is not a party of task ${task.id} (parties: ${task.parties.join(', ')})`);
    if (!registry.isSelfOrSuperior(callerId, party))
      throw new AppError('RW_FORBIDDEN', `${callerId} may not record steps for ${party}`);
    return party;
  }

  app.get(
    '/api/v1/tasks',
    {
      schema: {
        summary: 'Joint-monitoring tasks visible to the calling agency, newest first',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(TaskSummarySchema),
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const status = parseList<TaskStatus>('status', q.status, TASK_STATUSES);
      const { items, total } = await service.listTasks({
        ...(status ? { status } : {}),
        ...(q.section !== undefined ? { sectionId: q.section } : {}),
        ...(q.river !== undefined ? { riverId: q.river } : {}),
        visible: (task) => canSeeTask(registry, agency.id, task),
        limit,
        offset,
      });
      return { items: wire(items.map(taskSummaryOf)), total, limit, offset };
    },
  );

  app.get(
    '/api/v1/tasks/:id',
    {
      schema: {
        summary: 'One task with steps, ledger and history',
        params: IdParams,
        response: { 200: TaskDetailSchema, ...errors },
      },
    },
    async (request) => wire(await visibleTask(agencyOf(request).agency.id, request.params.id)),
  );

  app.post(
    '/api/v1/tasks/:id/steps',
    {
      schema: {
        summary: 'Record the next on-site step of a party',
        params: IdParams,
        body: StepBody,
        response: { 200: TaskDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const task = await visibleTask(agency.id, request.params.id);
      const b = request.body;
      const party = partyFor(task, agency.id, b.party);
      return wire(
        await service.recordStep(
          task.id,
          {
            party,
            step: b.step,
            ...(b.at !== undefined ? { at: b.at } : {}),
            ...(b.coordinates ? { coordinates: b.coordinates } : {}),
            ...(b.attachments ? { attachments: b.attachments } : {}),
            ...(b.note !== undefined ? { note: b.note } : {}),
          },
          actorFrom(agency.id, b.name),
        ),
      );
    },
  );

  app.post(
    '/api/v1/tasks/:id/problems',
    {
      schema: {
        summary: 'Register a problem in the task ledger',
        params: IdParams,
        body: ProblemBody,
        response: { 200: TaskDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const task = await visibleTask(agency.id, request.params.id);
      const b = request.body;
      if (!registry.agencies.has(b.ownerAgencyId))
        throw new AppError('RW_INVALID_PAYLOAD', `ownerAgencyId: "${b.ownerAgencyId}" is not an agency`);
      return wire(
        await service.registerProblem(
          task.id,
          { description: b.description, ownerAgencyId: b.ownerAgencyId, measures: b.measures, deadline: b.deadline },
          actorFrom(agency.id, b.name),
        ),
      );
    },
  );

  app.post(
    '/api/v1/tasks/:id/problems/:pid/progress',
    {
      schema: {
        summary: 'Add a progress entry to a problem',
        params: ProblemParams,
        body: ProgressBody,
        response: { 200: TaskDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const task = await visibleTask(agency.id, request.params.id);
      const b = request.body;
      return wire(
        await service.addProgress(
          task.id,
          request.params.pid,
          { note: b.note, ...(b.attachments ? { attachments: b.attachments } : {}) },
          actorFrom(agency.id, b.name),
        ),
      );
    },
  );

  app.post(
    '/api/v1/tasks/:id/problems/:pid/close-out',
    {
      schema: {
        summary: 'Close out a problem with evidence',
        params: ProblemParams,
        body: CloseOutBody,
        response: { 200: TaskDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const task = await visibleTask(agency.id, request.params.id);
      const b = request.body;
      return wire(
        await service.closeOutProblem(
          task.id,
          request.params.pid,
          { evidence: b.evidence, note: b.note },
          actorFrom(agency.id, b.name),
        ),
      );
    },
  );
};
