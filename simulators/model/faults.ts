/**
 * Sensor and link faults of one station (issue 7): flat line, drift,
 * isolated spikes, fault/maintenance flags, station offline, gateway link
 * loss with a later backlog upload.
 */
import type { DataFlag } from '../../domain/index.js';

export type FaultKind = 'flatline' | 'drift' | 'spikes' | 'flag' | 'offline' | 'link-loss';

export const FAULT_KINDS: readonly FaultKind[] = ['flatline', 'drift', 'spikes', 'flag', 'offline', 'link-loss'];

export interface FaultEvent {
  readonly id: string;
  readonly kind: FaultKind;
  readonly stationId: string;
  /** Parameters affected (all of the station's for offline and link-loss). */
  readonly parameters: readonly string[];
  readonly startMs: number;
  readonly endMs: number;
  /** drift: change per day, in the parameter's unit. */
  readonly ratePerDay?: number;
  /** spikes: instants (sorted) at which the next reading is hit, and the multiplier. */
  readonly spikeTimesMs?: readonly number[];
  readonly spikeFactor?: number;
  /** flag: the HJ 212 flag set on the affected values. */
  readonly flag?: DataFlag;
  /** link-loss: readings per backlog message (the contract allows up to 1000). */
  readonly batchSize?: number;
}

export function isActive(fault: FaultEvent, ms: number): boolean {
  return ms >= fault.startMs && ms < fault.endMs;
}
