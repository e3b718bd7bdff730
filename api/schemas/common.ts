/**
 * Schema pieces every route folder uses: times, bilingual names, ids in the
 * path, paging, and the type view between the readonly domain and the wire.
 * The error answer is not here: it is `ErrorBody` in api/errors.ts.
 */
import { Type, type TSchema } from 'typebox';

export const EpochMs = Type.Number({ description: 'epoch milliseconds' });

/** A display name in both languages of the registry. */
export const Name = Type.Object({ zh: Type.String(), en: Type.String() });

/** Path parameter `:id` of a record (alert, task, transfer, silence). */
export function idParams(maxLength: number) {
  return Type.Object({ id: Type.String({ minLength: 1, maxLength }) });
}

/** The name of the person acting, kept in the record's history. */
export const PersonName = Type.Optional(Type.String({ maxLength: 200, description: 'name of the person acting' }));

/** `limit` and `offset` of a list, optional (defaults applied by the route). */
export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

/** A page of a list: the items, how many there are in all, and the paging asked for. */
export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}

/** Free-form details of a history entry. */
export const Details = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]));

/** The domain types are deeply readonly; response schemas' static types are mutable. Same shape, so this is only a type view. */
export type Wire<T> = T extends readonly (infer U)[]
  ? Wire<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Wire<T[K]> }
    : T;
export function wire<T>(value: T): Wire<T> {
  return value as Wire<T>;
}
