/**
 * A sensor drifting against its neighbours (issue 13 §3). Where a section has
 * two or more stations measuring a parameter, the water they see moves
 * together; one instrument creeping away from the others while they stay put
 * is the instrument, not the water: a data-quality alert, not a trend or an
 * exceedance.
 *
 * From the bucketed histories the trend detector keeps (45-minute means):
 * the station's and the others' level now (last `nowSpanMs`) and a day ago
 * (`refAgeMs` back, over `nowSpanMs`); the station's change against the
 * median change of the others. A drift is a one-sided change of at least
 * `minShift` that built up slowly: six hours ago a part, not all, of it was
 * already there (a spill reaching one bank jumps; a drift creeps). It ends
 * when the station is back in line with the others (its offset to them within
 * half of `minShift` of what it was before the drift). Pure.
 */
import { median } from 'simple-statistics';
import type { ClassLimit } from '../domain/index.js';
import type { SeriesHistory } from './detectors/trend.js';

const HOUR_MS = 3_600_000;
/** Level "now": the mean of the buckets over this span. */
export const DRIFT_NOW_SPAN_MS = 2 * HOUR_MS;
/** Reference: the same span this long ago. */
export const DRIFT_REF_AGE_MS = 24 * HOUR_MS;
/** "Built up slowly": the one-sided shift this long ago was … */
const SLOW_LOOKBACK_MS = 6 * HOUR_MS;
/** … at least this fraction of the shift now, and at most this one. */
const SLOW_MIN = 0.15;
const SLOW_MAX = 0.85;
/** The others moved at most this fraction of the station's change. */
const OTHERS_MAX = 0.3;

/** Level of a series over [toTs − span, toTs], or undefined without buckets there. */
function levelAt(h: SeriesHistory, toTs: number): number | undefined {
  const v = h.valuesBetween(toTs - DRIFT_NOW_SPAN_MS, toTs);
  return v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length;
}

/** Station's offset to the others' median level at a time; undefined without data. */
export function offsetAt(own: SeriesHistory, others: readonly SeriesHistory[], ts: number): number | undefined {
  const mine = levelAt(own, ts);
  const theirs = others.map((o) => levelAt(o, ts)).filter((v): v is number => v !== undefined);
  return mine === undefined || theirs.length === 0 ? undefined : mine - median(theirs);
}

/** The smallest one-sided shift that counts as a drift: 10 % of the limit (pH: of 6–9); without a limit, 10 % of the level. */
export function minDriftShift(limit: ClassLimit | undefined, level: number, fraction = 0.1): number {
  if (limit?.kind === 'range') return fraction * (limit.max - limit.min);
  if (limit) return fraction * limit.value;
  return fraction * Math.abs(level);
}

export interface DriftFinding {
  /** The station's offset to the others before the drift (what "back in line" means). */
  readonly refOffset: number;
  /** Its offset now. */
  readonly offset: number;
}

/**
 * A slow one-sided drift at `ts`, or undefined. `minShift` from
 * {@link minDriftShift}.
 */
export function findDrift(
  own: SeriesHistory,
  others: readonly SeriesHistory[],
  ts: number,
  minShift: number,
): DriftFinding | undefined {
  if (others.length === 0 || !(minShift > 0)) return undefined;
  const refTs = ts - DRIFT_REF_AGE_MS;
  const ownNow = levelAt(own, ts);
  const ownRef = levelAt(own, refTs);
  if (ownNow === undefined || ownRef === undefined) return undefined;
  const othersChange = others
    .map((o) => {
      const now = levelAt(o, ts);
      const ref = levelAt(o, refTs);
      return now === undefined || ref === undefined ? undefined : now - ref;
    })
    .filter((v): v is number => v !== undefined);
  if (othersChange.length === 0) return undefined;
  const ownChange = ownNow - ownRef;
  const theirs = median(othersChange);
  if (Math.abs(ownChange) < minShift || Math.abs(theirs) > OTHERS_MAX * Math.abs(ownChange)) return undefined;
  const refOffset = offsetAt(own, others, refTs);
  const offset = offsetAt(own, others, ts);
  const earlier = offsetAt(own, others, ts - SLOW_LOOKBACK_MS);
  if (refOffset === undefined || offset === undefined || earlier === undefined) return undefined;
  const shift = offset - refOffset;
  const part = (earlier - refOffset) / shift;
  if (!(Math.abs(shift) >= minShift) || !(part >= SLOW_MIN && part <= SLOW_MAX)) return undefined;
  return { refOffset, offset };
}

/** Whether a drifting station is back in line with the others. */
export function backInLine(own: SeriesHistory, others: readonly SeriesHistory[], ts: number, refOffset: number, minShift: number): boolean {
  const offset = offsetAt(own, others, ts);
  return offset !== undefined && Math.abs(offset - refOffset) < minShift / 2;
}
