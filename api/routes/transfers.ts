/**
 * Transfer routes (issue 18, alerts/transfer-model.ts): an agency transfers
 * an alert or task it can see to the responsible agency of the registry with
 * a reason; the receiver (or one of its superiors) accepts or refuses with a
 * reason, then reports its result, which the sender sees. The transfer ledger
 * lists what an agency sent or received (and what its subordinates did);
 * each transfer carries its history and escalations.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Registry } from '../../domain/index.js';
import { TRANSFER_STATUSES, type Alert, type AlertsService, type Task, type Transfer, type TransferService, type TransferStatus } from '../../platform/redis/alerts/index.js';
import type { AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { idParams } from '../schemas/common.js';
import { AnswerBody, CreateBody, RefuseBody, ResultBody, TransferAgencySchema, TransferListQuery, TransferSchema } from '../schemas/transfers.js';
import { actOn, alertSubject, listRoute, taskSubject, type Caller, type Subject } from './acting-on.js';
import { agencyRoutes } from './agency-routes.js';
import { parseList } from './filters.js';

export interface TransfersRoutesOptions {
  readonly service: AlertsService;
  readonly transfers: TransferService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

const errors = errorResponses(400, 403, 404, 409, 422);
const IdParams = idParams(128);

/** Sender, receiver and their superiors see a transfer (the superiors are also where escalations go). */
export function canSeeTransfer(registry: Registry, agencyId: string, t: Pick<Transfer, 'fromAgencyId' | 'toAgencyId'>): boolean {
  return registry.isSelfOrSuperior(agencyId, t.fromAgencyId) || registry.isSelfOrSuperior(agencyId, t.toAgencyId);
}

export const transfersRoutes: FastifyPluginAsync<TransfersRoutesOptions> = async (plain, options) => {
  const { service, transfers, registry } = options;
  const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['transfers'] });
  // An empty name is no name.
  const actor = (caller: Caller, name: string | undefined) => caller.actor(name || undefined);
  const nameOf = (id: string) => {
    const a = registry.agencies.get(id);
    return a ? { zh: a.name.zh, en: a.name.en } : { zh: id, en: id };
  };
  // Readonly arrays of the model are plain arrays on the wire.
  const view = (t: Transfer): Static<typeof TransferSchema> => {
    const section = registry.section(t.subject.sectionId);
    return {
      ...t,
      names: {
        from: nameOf(t.fromAgencyId),
        to: nameOf(t.toAgencyId),
        superior: nameOf(t.superiorId),
        section: section ? { zh: section.name.zh, en: section.name.en } : { zh: t.subject.sectionId, en: t.subject.sectionId },
      },
    } as unknown as Static<typeof TransferSchema>;
  };

  const transfer: Subject<Transfer> = {
    name: 'transfer',
    load: (id) => transfers.get(id),
    visible: (agencyId, t) => canSeeTransfer(registry, agencyId, t),
    outside: (_agencyId, id) => `transfer ${id} is between other agencies`,
  };
  const received: Subject<Transfer> = {
    ...transfer,
    visible: (agencyId, t) => canSeeTransfer(registry, agencyId, t) && registry.isSelfOrSuperior(agencyId, t.toAgencyId),
    outside: (_agencyId, id, t) =>
      t && canSeeTransfer(registry, _agencyId, t)
        ? `only the receiver ${t.toAgencyId} (or its superiors) answers transfer ${id}`
        : `transfer ${id} is between other agencies`,
  };
  const subjects: Record<'alert' | 'task', Subject<Alert | Task>> = { alert: alertSubject(service, registry), task: taskSubject(service, registry) };

  for (const kind of ['alert', 'task'] as const) {
    app.post(
      `/api/v1/${kind}s/:id/transfers`,
      {
        schema: {
          summary: `Transfer a${kind === 'alert' ? 'n alert' : ' task'} you can see to the responsible agency, with a reason`,
          params: IdParams,
          body: CreateBody,
          response: { 201: TransferSchema, ...errors },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const created = await actOn(request, subjects[kind], async (_subject, caller) =>
          view(await transfers.create({ kind, id: request.params.id, fromAgencyId: caller.agencyId, toAgencyId: b.toAgencyId, reason: b.reason, actor: actor(caller, b.name) })),
        );
        return reply.code(201).send(created);
      },
    );
  }

  const summary = 'The transfer ledger: transfers the agency (or a subordinate) sent or received, newest first';
  listRoute(app, '/api/v1/transfers', { summary, querystring: TransferListQuery, item: TransferSchema, errors }, (q, agencyId, page) => {
    const status = parseList<TransferStatus>('status', q.status, TRANSFER_STATUSES);
    // in: received by the agency (or its subordinates); out: sent by them; neither: both.
    const visible = (t: Transfer) =>
      q.direction === 'in'
        ? registry.isSelfOrSuperior(agencyId, t.toAgencyId)
        : q.direction === 'out'
          ? registry.isSelfOrSuperior(agencyId, t.fromAgencyId)
          : canSeeTransfer(registry, agencyId, t);
    return transfers.list({ ...(status ? { status } : {}), visible, ...page });
  }, view);

  app.get(
    '/api/v1/transfers/agencies',
    {
      schema: {
        summary: 'Agencies of the registry a transfer may go to (names and hierarchy only, no contacts)',
        response: { 200: Type.Object({ items: Type.Array(TransferAgencySchema) }), ...errors },
      },
    },
    async () => ({
      items: [...registry.agencies.values()].map((a) => ({
        id: a.id,
        name: { zh: a.name.zh, en: a.name.en },
        level: a.level,
        ...(a.parentId ? { parentId: a.parentId } : {}),
        ancestors: registry.ancestry(a.id).slice(1).map((x) => x.id),
      })),
    }),
  );

  app.get(
    '/api/v1/transfers/:id',
    { schema: { summary: 'One transfer with its history', params: IdParams, response: { 200: TransferSchema, ...errors } } },
    async (request) => actOn(request, transfer, view),
  );

  // The receiver's answers: accept, refuse, report the result.
  const answered = { params: IdParams, response: { 200: TransferSchema, ...errors } };
  app.post(
    '/api/v1/transfers/:id/accept',
    { schema: { summary: 'Receiver: accept the transfer (starts the result deadline)', body: AnswerBody, ...answered } },
    async (request) =>
      actOn(request, received, async (t, caller) => view(await transfers.accept(t.id, actor(caller, request.body.name), request.body.note ?? ''))),
  );
  app.post(
    '/api/v1/transfers/:id/refuse',
    { schema: { summary: 'Receiver: refuse with a reason; the transfer returns to the sender', body: RefuseBody, ...answered } },
    async (request) =>
      actOn(request, received, async (t, caller) => view(await transfers.refuse(t.id, actor(caller, request.body.name), request.body.reason))),
  );
  app.post(
    '/api/v1/transfers/:id/result',
    { schema: { summary: 'Receiver: report the result of the handling back to the sender', body: ResultBody, ...answered } },
    async (request) =>
      actOn(request, received, async (t, caller) => view(await transfers.reportResult(t.id, actor(caller, request.body.name), request.body.result))),
  );
};
