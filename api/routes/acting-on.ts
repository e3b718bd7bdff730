/**
 * "Load, check scope, apply, answer": the shape of every route that reads or
 * changes one alert, task or transfer. A record that does not exist is 404,
 * one the calling agency may not see is 403 (DESIGN.md "Guarantees"), then
 * the change is applied as the calling agency and the record answered as it
 * is on the wire.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, type Registry } from '../../domain/index.js';
import type { Actor, Alert, AlertsService, Task } from '../../platform/redis/alerts/index.js';
import { agencyOf, canSeeAlert, canSeeTask } from '../auth/index.js';
import type { Static, TSchema } from 'typebox';
import { pageOf, wire, type Wire } from '../schemas/common.js';
import type { AgencyApp } from './agency-routes.js';

/** One kind of record an agency may or may not see. */
export interface Subject<T> {
  /** Its name in messages: `no alert a-1`. */
  readonly name: string;
  load(id: string): Promise<T | undefined>;
  visible(agencyId: string, record: T): boolean;
  /** The 403 message (`record` is there when it exists). */
  outside(agencyId: string, id: string, record?: T): string;
}

/** The record, or 404 / 403. */
export async function loadVisible<T>(subject: Subject<T>, agencyId: string, id: string): Promise<T> {
  const record = await subject.load(id);
  if (record === undefined) throw new AppError('RW_NOT_FOUND', `no ${subject.name} ${id}`);
  if (!subject.visible(agencyId, record)) throw new AppError('RW_FORBIDDEN', subject.outside(agencyId, id, record));
  return record;
}

/** Who acts: the calling agency and, when given, the person. */
export function actorFrom(agencyId: string, name: string | undefined): Actor {
  return { kind: 'agency', agencyId, ...(name !== undefined ? { name } : {}) };
}

export interface Caller {
  readonly agencyId: string;
  /** The actor for the record's history, with the person's name when the body gives one. */
  actor(name?: string): Actor;
}

/** Load the record `:id` names, check the caller may see it, apply, answer the result on the wire. */
export async function actOn<T, R>(
  request: FastifyRequest & { params: { id: string } },
  subject: Subject<T>,
  apply: (record: T, caller: Caller) => R | Promise<R>,
): Promise<Wire<R>> {
  const caller = callerOf(request);
  const record = await loadVisible(subject, caller.agencyId, request.params.id);
  return wire(await apply(record, caller));
}

/** The calling agency of an authenticated request. */
export function callerOf(request: FastifyRequest): Caller {
  const agencyId = agencyOf(request).agency.id;
  return { agencyId, actor: (name) => actorFrom(agencyId, name) };
}

/** Alerts: seen by the parties of their section and their superiors. */
export function alertSubject(service: AlertsService, registry: Registry): Subject<Alert> {
  return {
    name: 'alert',
    load: (id) => service.getAlert(id),
    visible: (agencyId, alert) => canSeeAlert(registry, agencyId, alert),
    outside: (agencyId, id) => `alert ${id} is at a section where ${agencyId} is not a party`,
  };
}

/** Tasks: seen like alerts, and by their lead and the agencies they were escalated to. */
export function taskSubject(service: AlertsService, registry: Registry): Subject<Task> {
  return {
    name: 'task',
    load: (id) => service.getTask(id),
    visible: (agencyId, task) => canSeeTask(registry, agencyId, task),
    outside: (agencyId, id) => `${agencyId} is neither a party of task ${id}, a superior of one, nor its lead`,
  };
}

/** A name from an optional body read by hand (`{ "name": "duty officer" }`), cut to 200 characters. */
export function optionalName(body: unknown): string | undefined {
  const name = (body as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name.slice(0, 200) : undefined;
}

/** The documentation of a list route: its summary, query string, the schema of one item, its error answers. */
export interface ListDoc<Q extends TSchema, I extends TSchema> {
  readonly summary: string;
  readonly querystring: Q;
  readonly item: I;
  readonly errors: Record<number, TSchema>;
}

/**
 * A list route (`GET` with `limit` and `offset`): the caller's page of what it
 * may see, `{ items, total, limit, offset }`, each item as `view` shows it.
 */
export function listRoute<Q extends TSchema, I extends TSchema, T>(
  app: AgencyApp,
  path: string,
  doc: ListDoc<Q, I>,
  list: (query: Static<Q>, agencyId: string, page: { limit: number; offset: number }) => Promise<{ items: readonly T[]; total: number }>,
  view: (item: T) => unknown,
): void {
  const schema = { summary: doc.summary, querystring: doc.querystring, response: { 200: pageOf(doc.item), ...doc.errors } };
  app.get(path, { schema }, async (request) => {
    const query = request.query as Static<Q> & { limit?: number; offset?: number };
    const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
    const { items, total } = await list(query, agencyOf(request).agency.id, page);
    // The page's type is the generic Static of `doc.item`; the response schema checks and serialises it.
    return { items: items.map(view), total, ...page } as never;
  });
}
