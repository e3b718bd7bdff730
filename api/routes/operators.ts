/**
 * Who is an operator (DESIGN.md "Who uses it": operators run and watch the
 * pipeline). Operators may read and replay the ingest dead letters, which
 * hold raw payloads of every station and of senders that are no station.
 *
 * Agency keys carry no role (api/auth/agency-keys.ts), so the default rule
 * is by level: a key of a national or basin-level agency is an operator key.
 * Those agencies are superiors of every party in their basin and so may see
 * every section anyway; granting them the dead letters leaks nothing beyond
 * their jurisdiction. A deployment can pass another rule (e.g. a list of
 * agency ids, or an operator flag once keys carry one).
 */
import type { AgencyContext } from '../auth/index.js';

export type OperatorPolicy = (context: AgencyContext) => boolean;

/** Keys of national and basin-level agencies are operator keys. */
export const topLevelOperators: OperatorPolicy = ({ agency }) => agency.level === 'national' || agency.level === 'basin';

/** Operators are the keys of exactly these agencies. */
export function operatorAgencies(agencyIds: readonly string[]): OperatorPolicy {
  const set = new Set(agencyIds);
  return ({ agency }) => set.has(agency.id);
}
