/**
 * Transfer routes (issue 18, alerts/transfer-model.ts): an agency transfers
 * an alert or task it can see to the responsible agency of the registry with
 * a reason; the receiver (or one of its superiors) accepts or refuses with a
 * reason, then reports its result, which the sender sees. The transfer ledger
 * lists what an agency sent or received (and what its subordinates did);
 * each transfer carries its history and escalations.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { AppError, type Registry } from '../../domain/index.js';
import { TRANSFER_STATUSES, type Actor, type AlertsService, type Transfer, type TransferService, type TransferStatus } from '../../platform/redis/alerts/index.js';
import { agencyOf, canSeeAlert, canSeeTask, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';
import { ActorSchema } from './alerts.js';

export interface TransfersRoutesOptions {
  readonly service: AlertsService;
  readonly transfers: TransferService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

const EpochMs = Type.Number({ description: 'epoch milliseconds' });
const Details = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]));
const Name = Type.Object({ zh: Type.String(), en: Type.String() });

export const TransferSchema = Type.Object({
  id: Type.String(),
  subject: Type.Object({
    kind: Type.Enum(['alert', 'task']),
    id: Type.String(),
    sectionId: Type.String(),
    riverId: Type.Optional(Type.String()),
    level: Type.Optional(Type.String()),
    summary: Type.String(),
    parameters: Type.Array(Type.String()),
  }),
  fromAgencyId: Type.String(),
  toAgencyId: Type.String(),
  names: Type.Object({ from: Name, to: Name, section: Name, superior: Name }, { description: 'display names, so the receiver needs no access to the section' }),
  reason: Type.String(),
  status: Type.Enum(TRANSFER_STATUSES),
  createdAt: EpochMs,
  acceptDeadline: EpochMs,
  resultDeadline: Type.Optional(EpochMs),
  accepted: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, note: Type.String() })),
  refused: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, reason: Type.String() })),
  result: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, text: Type.String() })),
  superiorId: Type.String({ description: 'lowest common superior of sender and receiver: where a missed deadline goes first' }),
  escalations: Type.Array(Type.Object({ at: EpochMs, toAgencyId: Type.String(), level: Type.Integer(), reason: Type.String() })),
  updatedAt: EpochMs,
  history: Type.Array(Type.Object({ seq: Type.Integer(), type: Type.String(), at: EpochMs, actor: ActorSchema, details: Details })),
});

const errors = { 400: Type.Ref('ErrorBody'), 401: Type.Ref('ErrorBody'), 403: Type.Ref('ErrorBody'), 404: Type.Ref('ErrorBody'), 409: Type.Ref('ErrorBody'), 422: Type.Ref('ErrorBody') };
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const CreateBody = Type.Object({
  toAgencyId: Type.String({ minLength: 1, maxLength: 128, description: 'the responsible agency, from the registry' }),
  reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why the receiver is responsible' }),
  name: Type.Optional(Type.String({ maxLength: 200, description: 'person acting' })),
});
const AnswerBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })), name: Type.Optional(Type.String({ maxLength: 200 })) });
const RefuseBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }), name: Type.Optional(Type.String({ maxLength: 200 })) });
const ResultBody = Type.Object({ result: Type.String({ minLength: 1, maxLength: 4000 }), name: Type.Optional(Type.String({ maxLength: 200 })) });
const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${TRANSFER_STATUSES.join(', ')}` })),
  direction: Type.Optional(Type.Enum(['in', 'out'], { description: 'in: received by the agency (or its subordinates); out: sent by them' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

/** Sender, receiver and their superiors see a transfer (the superiors are also where escalations go). */
export function canSeeTransfer(registry: Registry, agencyId: string, t: Pick<Transfer, 'fromAgencyId' | 'toAgencyId'>): boolean {
  return registry.isSelfOrSuperior(agencyId, t.fromAgencyId) || registry.isSelfOrSuperior(agencyId, t.toAgencyId);
}

export const transfersRoutes: FastifyPluginAsyncTypebox<TransfersRoutesOptions> = async (app, options) => {
  const { service, transfers, registry } = options;
  requireAgencyKey(app, { keys: options.keys, registry });
  const actor = (agencyId: string, name: string | undefined): Actor => ({ kind: 'agency', agencyId, ...(name ? { name } : {}) });
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

  async function visible(agencyId: string, id: string): Promise<Transfer> {
    const t = await transfers.get(id);
    if (!t) throw new AppError('RW_NOT_FOUND', `no transfer ${id}`);
    if (!canSeeTransfer(registry, agencyId, t)) throw new AppError('RW_FORBIDDEN', `transfer ${id} is between other agencies`);
    return t;
  }

  async function answerable(agencyId: string, id: string): Promise<Transfer> {
    const t = await visible(agencyId, id);
    if (!registry.isSelfOrSuperior(agencyId, t.toAgencyId))
      throw new AppError('RW_FORBIDDEN', `only the receiver ${t.toAgencyId} (or its superiors) answers transfer ${id}`);
    return t;
  }

  for (const kind of ['alert', 'task'] as const) {
    app.post(
      `/api/v1/${kind}s/:id/transfers`,
      {
        schema: {
          tags: ['transfers'],
          summary: `Transfer a${kind === 'alert' ? 'n alert' : ' task'} you can see to the responsible agency, with a reason`,
          params: IdParams,
          body: CreateBody,
          response: { 201: TransferSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { agency } = agencyOf(request);
        const { id } = request.params;
        if (kind === 'alert') {
          const alert = await service.getAlert(id);
          if (!alert) throw new AppError('RW_NOT_FOUND', `no alert ${id}`);
          if (!canSeeAlert(registry, agency.id, alert)) throw new AppError('RW_FORBIDDEN', `alert ${id} is outside the jurisdiction of ${agency.id}`);
        } else {
          const task = await service.getTask(id);
          if (!task) throw new AppError('RW_NOT_FOUND', `no task ${id}`);
          if (!canSeeTask(registry, agency.id, task)) throw new AppError('RW_FORBIDDEN', `task ${id} is outside the jurisdiction of ${agency.id}`);
        }
        const t = await transfers.create({
          kind,
          id,
          fromAgencyId: agency.id,
          toAgencyId: request.body.toAgencyId,
          reason: request.body.reason,
          actor: actor(agency.id, request.body.name),
        });
        return reply.code(201).send(view(t));
      },
    );
  }

  app.get(
    '/api/v1/transfers',
    {
      schema: {
        tags: ['transfers'],
        summary: 'The transfer ledger: transfers the agency (or a subordinate) sent or received, newest first',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(TransferSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }), ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const q = request.query;
      const status = q.status
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = (status ?? []).filter((s) => !(TRANSFER_STATUSES as readonly string[]).includes(s));
      if (bad.length > 0) throw new AppError('RW_INVALID_PAYLOAD', `status: ${bad.join(', ')} unknown; use ${TRANSFER_STATUSES.join(', ')}`);
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const { items, total } = await transfers.list({
        ...(status ? { status: status as TransferStatus[] } : {}),
        visible: (t) =>
          q.direction === 'in'
            ? registry.isSelfOrSuperior(agency.id, t.toAgencyId)
            : q.direction === 'out'
              ? registry.isSelfOrSuperior(agency.id, t.fromAgencyId)
              : canSeeTransfer(registry, agency.id, t),
        limit,
        offset,
      });
      return { items: items.map(view), total, limit, offset };
    },
  );

  app.get(
    '/api/v1/transfers/agencies',
    {
      schema: {
        tags: ['transfers'],
        summary: 'Agencies of the registry a transfer may go to (names and hierarchy only, no contacts)',
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ id: Type.String(), name: Name, level: Type.String(), parentId: Type.Optional(Type.String()), ancestors: Type.Array(Type.String()) })),
          }),
          ...errors,
        },
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
    { schema: { tags: ['transfers'], summary: 'One transfer with its history', params: IdParams, response: { 200: TransferSchema, ...errors } } },
    async (request) => view(await visible(agencyOf(request).agency.id, request.params.id)),
  );

  app.post(
    '/api/v1/transfers/:id/accept',
    { schema: { tags: ['transfers'], summary: 'Receiver: accept the transfer (starts the result deadline)', params: IdParams, body: AnswerBody, response: { 200: TransferSchema, ...errors } } },
    async (request) => {
      const { agency } = agencyOf(request);
      await answerable(agency.id, request.params.id);
      return view(await transfers.accept(request.params.id, actor(agency.id, request.body.name), request.body.note ?? ''));
    },
  );

  app.post(
    '/api/v1/transfers/:id/refuse',
    { schema: { tags: ['transfers'], summary: 'Receiver: refuse with a reason; the transfer returns to the sender', params: IdParams, body: RefuseBody, response: { 200: TransferSchema, ...errors } } },
    async (request) => {
      const { agency } = agencyOf(request);
      await answerable(agency.id, request.params.id);
      return view(await transfers.refuse(request.params.id, actor(agency.id, request.body.name), request.body.reason));
    },
  );

  app.post(
    '/api/v1/transfers/:id/result',
    { schema: { tags: ['transfers'], summary: 'Receiver: report the result of the handling back to the sender', params: IdParams, body: ResultBody, response: { 200: TransferSchema, ...errors } } },
    async (request) => {
      const { agency } = agencyOf(request);
      await answerable(agency.id, request.params.id);
      return view(await transfers.reportResult(request.params.id, actor(agency.id, request.body.name), request.body.result));
    },
  );
};
