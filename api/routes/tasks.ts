/**
 * Joint-monitoring task routes: list, detail, on-site steps, the problem
 * ledger (register, progress, close-out). Scoped like alerts; the lead
 * agency sees the task it coordinates. Steps and ledger entries for a party
 * may be recorded by the party itself or by one of its superiors.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TSchema } from 'typebox';
import { AppError } from '../../domain/index.js';
import { TASK_STATUSES, taskSummaryOf, type Task, type TaskStatus } from '../../platform/redis/alerts/index.js';
import { canSeeTask } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { idParams } from '../schemas/common.js';
import {
  CloseOutBody,
  ProblemBody,
  ProblemParams,
  ProgressBody,
  StepBody,
  TaskDetailSchema,
  TaskListQuery,
  TaskSummarySchema,
} from '../schemas/tasks.js';
import { actOn, listRoute, taskSubject } from './acting-on.js';
import { agencyRoutes } from './agency-routes.js';
import type { AlertsRoutesOptions } from './alerts.js';
import { given, parseList } from './filters.js';

/** The alerts service, the registry and the agency keys, as for the alert routes. */
export type TasksRoutesOptions = AlertsRoutesOptions;

const IdParams = idParams(160);
const errors = errorResponses(400, 403, 404, 409, 422);

/** Options of a route that changes a task and answers it whole. */
function onTask<B extends TSchema, P extends TSchema = typeof IdParams>(summary: string, body: B, params?: P) {
  return { schema: { summary, params: (params ?? IdParams) as P, body, response: { 200: TaskDetailSchema, ...errors } } };
}

export const tasksRoutes: FastifyPluginAsync<TasksRoutesOptions> = async (plain, options) => {
  const { service, registry } = options;
  const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['tasks'] });
  const task = taskSubject(service, registry);

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

  const listDoc = { summary: 'Joint-monitoring tasks visible to the calling agency, newest first', querystring: TaskListQuery, item: TaskSummarySchema, errors };
  listRoute(app, '/api/v1/tasks', listDoc, (q, agencyId, page) => {
    const filters = given({ status: parseList<TaskStatus>('status', q.status, TASK_STATUSES), sectionId: q.section, riverId: q.river });
    return service.listTasks({ ...filters, visible: (t) => canSeeTask(registry, agencyId, t), ...page });
  }, taskSummaryOf);

  app.get(
    '/api/v1/tasks/:id',
    {
      schema: {
        summary: 'One task with steps, ledger and history',
        params: IdParams,
        response: { 200: TaskDetailSchema, ...errors },
      },
    },
    async (request) => actOn(request, task, (t) => t),
  );

  app.post(
    '/api/v1/tasks/:id/steps',
    onTask('Record the next on-site step of a party', StepBody),
    async (request) =>
      actOn(request, task, (t, caller) => {
        const b = request.body;
        const step = {
          party: partyFor(t, caller.agencyId, b.party),
          step: b.step,
          ...given({ at: b.at, coordinates: b.coordinates, attachments: b.attachments, note: b.note }),
        };
        return service.recordStep(t.id, step, caller.actor(b.name));
      }),
  );

  app.post(
    '/api/v1/tasks/:id/problems',
    onTask('Register a problem in the task ledger', ProblemBody),
    async (request) => {
      const { description, ownerAgencyId, measures, deadline, name } = request.body;
      return actOn(request, task, (t, caller) => {
        // Checked after the task's scope, so a caller outside it learns nothing from this answer.
        if (!registry.agencies.has(ownerAgencyId))
          throw new AppError('RW_INVALID_PAYLOAD', `ownerAgencyId: "${ownerAgencyId}" is not an agency`);
        return service.registerProblem(t.id, { description, ownerAgencyId, measures, deadline }, caller.actor(name));
      });
    },
  );

  app.post(
    '/api/v1/tasks/:id/problems/:pid/progress',
    onTask('Add a progress entry to a problem', ProgressBody, ProblemParams),
    async (request) =>
      actOn(request, task, (t, caller) => {
        const b = request.body;
        return service.addProgress(t.id, request.params.pid, { note: b.note, ...given({ attachments: b.attachments }) }, caller.actor(b.name));
      }),
  );

  app.post(
    '/api/v1/tasks/:id/problems/:pid/close-out',
    onTask('Close out a problem with evidence', CloseOutBody, ProblemParams),
    async (request) =>
      actOn(request, task, (t, caller) =>
        service.closeOutProblem(t.id, request.params.pid, { evidence: request.body.evidence, note: request.body.note }, caller.actor(request.body.name)),
      ),
  );
};
