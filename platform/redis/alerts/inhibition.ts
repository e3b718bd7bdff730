/**
 * Inhibition by data quality (issue 15 §2): a pollution alert raised from a
 * station's readings while that station is offline, reports fault flags
 * (D, F, B …; M and C are maintenance, handled as a silence), or has the
 * alert's parameter stuck or spiking, is doubtful: it is still notified
 * (someone must look), but it does not climb the escalation chain, and the
 * desk shows why it is doubtful.
 *
 * A section-level alert also inhibits the station-level duplicates of its
 * condition: a station's sudden change in a parameter whose exceedance is
 * already open at the section is held back (as by a silence: recorded and
 * shown, not notified, no task) until that exceedance clears, and is
 * notified then if it still holds (`inhibit.{alertId}`, silences.ts).
 */
import type { Redis } from '../client.js';
import { isPollutionKind } from '../../../domain/index.js';
import type { AlertSummary } from '../../../alerts/alarms/alert-model.js';
import type { AlertStore } from './alert-store.js';
import type { RedisKeys } from '../keys.js';

export type DoubtReason = 'offline' | 'fault-flags' | 'flat-line' | 'spikes';

/** An open data-quality condition of a station, as the alerts store holds it. */
export interface StationFault {
  readonly key: string;
  readonly evidence: { readonly flags?: unknown };
}

const MAINTENANCE = new Set(['M', 'C']);

/** Data-quality condition keys that can make `alert` doubtful (analytics/section-alerts.ts `keys`). Pure. */
export function faultKeysFor(alert: Pick<AlertSummary, 'stationId' | 'parameters'>): string[] {
  if (alert.stationId === undefined) return [];
  const s = alert.stationId;
  return [`dq-offline:${s}`, `dq-flag:${s}`, ...alert.parameters.flatMap((p) => [`dq-flat:${s}:${p}`, `dq-spike:${s}:${p}`])];
}

/** Why `alert` is doubtful given its station's open data-quality conditions; undefined when it is not. Pure. */
export function doubtFrom(
  alert: Pick<AlertSummary, 'kind' | 'stationId' | 'parameters'>,
  faults: readonly StationFault[],
): DoubtReason | undefined {
  if (!isPollutionKind(alert.kind) || alert.stationId === undefined) return undefined;
  for (const f of faults) {
    const type = f.key.split(':')[0];
    if (type === 'dq-offline') return 'offline';
    if (type === 'dq-flat') return 'flat-line';
    if (type === 'dq-spike') return 'spikes';
    if (type === 'dq-flag') {
      // Only a fault flag on one of the alert's own parameters puts it in doubt.
      const flags = Object.entries((f.evidence.flags ?? {}) as Record<string, string>);
      if (flags.some(([p, x]) => alert.parameters.includes(p) && !MAINTENANCE.has(x))) return 'fault-flags';
    }
  }
  return undefined;
}

/** Condition keys of the section-level alerts that inhibit `alert` (its section's exceedances of its parameters). Pure. */
export function inhibitorKeysFor(alert: Pick<AlertSummary, 'kind' | 'sectionId' | 'stationId' | 'parameters'>): string[] {
  if (alert.kind !== 'sudden-change' || alert.stationId === undefined) return [];
  return alert.parameters.map((p) => `exceedance:${alert.sectionId}:${p}`);
}

/** Hold id of an inhibition by the section-level alert `alertId`. */
export const inhibitionId = (alertId: string): string => `inhibit.${alertId}`;

export class Inhibition {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #alerts: AlertStore;

  constructor(deps: { readonly redis: Redis; readonly keys: RedisKeys; readonly alerts: AlertStore }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#alerts = deps.alerts;
  }

  /** The open section-level alert that inhibits `alert` now, if any. */
  async inhibitorOf(alert: Pick<AlertSummary, 'kind' | 'sectionId' | 'stationId' | 'parameters'>): Promise<string | undefined> {
    const keys = inhibitorKeysFor(alert);
    if (keys.length === 0) return undefined;
    const pointers = await this.#redis.mget(keys.map((k) => this.#keys.condition(k)));
    const ids = pointers.flatMap((p) => (p ? [(JSON.parse(p) as { alertId: string }).alertId] : []));
    const open = (await this.#alerts.getMany(ids)).find((a) => a.status !== 'resolved' && a.clearedAt === undefined);
    return open?.id;
  }

  /** Why an alert is doubtful now, from the open data-quality alerts of its station. */
  async doubtOf(alert: Pick<AlertSummary, 'kind' | 'stationId' | 'parameters'>): Promise<DoubtReason | undefined> {
    const keys = faultKeysFor(alert);
    if (keys.length === 0 || !isPollutionKind(alert.kind)) return undefined;
    const pointers = await this.#redis.mget(keys.map((k) => this.#keys.condition(k)));
    const ids = pointers.flatMap((p) => (p ? [(JSON.parse(p) as { alertId: string }).alertId] : []));
    const open = (await this.#alerts.getMany(ids)).filter((a) => a.status !== 'resolved' && a.clearedAt === undefined);
    return doubtFrom(alert, open.map((a) => ({ key: a.key, evidence: { flags: a.evidence.flags } })));
  }
}
