/**
 * Dead-letter routes (issue 8 §2, DESIGN.md "Guarantees": bad input is kept
 * for inspection and replay): list by reason, station and source, newest
 * first with a cursor; one letter; counts by reason; replay after the
 * registry or a gateway was fixed. Operators only (who that is:
 * ./operators.ts); any other agency key gets 403.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { AppError, type IngestGateway, type Registry } from '../../domain/index.js';
import type { DeadLetter, DeadLetterStore } from '../../platform/redis/readings/dead-letters.js';
import { replayDeadLetters } from '../../ingest/replay.js';
import { agencyOf, type AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { operatorRoutes } from './agency-routes.js';
import { topLevelOperators, type OperatorPolicy } from './operators.js';

export interface DeadLetterRoutesOptions {
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
  readonly deadLetters: DeadLetterStore;
  /** Where replayed submissions go (the same gateway as MQTT/HTTP ingest). */
  readonly gateway: IngestGateway;
  /** @defaultValue {@link topLevelOperators} */
  readonly isOperator?: OperatorPolicy;
}

const DeadLetterSchema = Type.Object({
  id: Type.String({ description: 'stream entry id; also the paging cursor' }),
  at: Type.Number({ description: 'when it was refused, epoch ms' }),
  source: Type.Enum(['mqtt', 'http', 'hj212', 'replay']),
  code: Type.String({ description: 'reason (docs/errors.md)' }),
  message: Type.String(),
  stationId: Type.Optional(Type.String()),
  peer: Type.Optional(Type.String()),
  index: Type.Optional(Type.Integer({ description: 'position of the refused reading in its batch' })),
  parameter: Type.Optional(Type.String()),
  raw: Type.String({ description: 'payload as received (up to 64 KiB)' }),
  truncated: Type.Boolean(),
  topic: Type.Optional(Type.Object({ sectionId: Type.String(), stationId: Type.String() })),
  authStationId: Type.Optional(Type.String()),
});

const Filter = {
  code: Type.Optional(Type.String({ maxLength: 64, description: 'reason code, e.g. RW_OUT_OF_RANGE' })),
  station: Type.Optional(Type.String({ maxLength: 128 })),
  source: Type.Optional(Type.Enum(['mqtt', 'http', 'hj212', 'replay'])),
};

const StreamId = Type.String({ pattern: '^\\d{1,20}-\\d{1,20}$' });
const Errors = errorResponses(400, 403, 404);

function view(letter: DeadLetter): DeadLetter {
  // Only the fields of the schema, so nothing else stored with a letter leaks out.
  return {
    id: letter.id,
    at: letter.at,
    source: letter.source,
    code: letter.code,
    message: letter.message,
    raw: letter.raw,
    truncated: letter.truncated,
    ...(letter.stationId === undefined ? {} : { stationId: letter.stationId }),
    ...(letter.peer === undefined ? {} : { peer: letter.peer }),
    ...(letter.index === undefined ? {} : { index: letter.index }),
    ...(letter.parameter === undefined ? {} : { parameter: letter.parameter }),
    ...(letter.topic === undefined ? {} : { topic: letter.topic }),
    ...(letter.authStationId === undefined ? {} : { authStationId: letter.authStationId }),
  };
}

export function deadLetterRoutes(options: DeadLetterRoutesOptions): FastifyPluginAsync {
  const isOperator = options.isOperator ?? topLevelOperators;
  const store = options.deadLetters;
  return async (plain) => {
    const app = operatorRoutes(plain, { keys: options.keys, registry: options.registry, isOperator, what: 'dead letters' });

    app.get(
      '/api/v1/dead-letters',
      {
        schema: {
          summary: 'Refused input, newest first; page with `before` = the `next` of the previous page',
          querystring: Type.Object({
            ...Filter,
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            before: Type.Optional(StreamId),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(DeadLetterSchema),
              next: Type.Optional(Type.String({ description: 'cursor of the next (older) page; absent on the last page' })),
            }),
            ...Errors,
          },
        },
      },
      async (request) => {
        const q = request.query;
        // One more than asked tells whether an older page exists.
        const letters = await store.list({
          limit: q.limit + 1,
          ...(q.code ? { code: q.code } : {}),
          ...(q.station ? { stationId: q.station } : {}),
          ...(q.source ? { source: q.source } : {}),
          ...(q.before ? { before: q.before } : {}),
        });
        const items = letters.slice(0, q.limit).map(view);
        const last = items[items.length - 1];
        return { items, ...(letters.length > q.limit && last ? { next: last.id } : {}) };
      },
    );

    app.get(
      '/api/v1/dead-letters/summary',
      {
        schema: {
          summary: 'Dead letters counted by reason',
          response: {
            200: Type.Object({ total: Type.Integer(), byCode: Type.Record(Type.String(), Type.Integer()) }),
            ...Errors,
          },
        },
      },
      async () => {
        const byCode = await store.countByCode();
        return { total: Object.values(byCode).reduce((a, b) => a + b, 0), byCode };
      },
    );

    app.get(
      '/api/v1/dead-letters/:id',
      {
        schema: {
          summary: 'One dead letter',
          params: Type.Object({ id: StreamId }),
          response: { 200: DeadLetterSchema, ...Errors },
        },
      },
      async (request) => {
        const letter = await store.get(request.params.id);
        if (!letter) throw new AppError('RW_NOT_FOUND', `no dead letter ${request.params.id}`);
        return view(letter);
      },
    );

    app.post(
      '/api/v1/dead-letters/replay',
      {
        schema: {
          summary: 'Submit dead letters again through ingest',
          description:
            'Give `ids`, or a filter (code, station, source; newest `limit` letters). Letters whose submission goes through are removed; what is still refused lands in the dead letters again with its (possibly new) reason. HJ 212 frames and truncated payloads are skipped. Repeats are harmless: storage and alerts are idempotent.',
          body: Type.Object({
            ids: Type.Optional(Type.Array(StreamId, { minItems: 1, maxItems: 1000 })),
            ...Filter,
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          }),
          response: {
            200: Type.Object({
              letters: Type.Integer(),
              submissions: Type.Integer(),
              accepted: Type.Integer({ description: 'readings accepted' }),
              stillRefused: Type.Integer(),
              skipped: Type.Integer(),
              failed: Type.Integer(),
              missing: Type.Array(Type.String(), { description: 'ids asked for that do not exist (any more)' }),
            }),
            ...Errors,
          },
        },
      },
      async (request) => {
        const body = request.body;
        const missing: string[] = [];
        let letters: DeadLetter[];
        if (body.ids) {
          letters = [];
          for (const id of new Set(body.ids)) {
            const letter = await store.get(id);
            if (letter) letters.push(letter);
            else missing.push(id);
          }
        } else {
          if (!body.code && !body.station && !body.source) {
            throw new AppError(
              'RW_INVALID_PAYLOAD',
              'give ids, or at least one of code, station, source (replaying everything at once is refused)',
            );
          }
          letters = await store.list({
            limit: body.limit,
            ...(body.code ? { code: body.code } : {}),
            ...(body.station ? { stationId: body.station } : {}),
            ...(body.source ? { source: body.source } : {}),
          });
        }
        const report = await replayDeadLetters(letters, options.gateway, store);
        request.log.info({ ...report, agencyId: agencyOf(request).agency.id }, 'dead letters replayed');
        return { ...report, missing };
      },
    );
  };
}
