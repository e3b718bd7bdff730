/**
 * Slow changes of a parameter at a section over hours to days (e.g. an
 * ammonia deterioration): ramps linearly from 0 to `delta` (added) or to
 * `factor` (multiplied) over the ramp, holds, then stops.
 */
export interface TrendEvent {
  readonly id: string;
  readonly parameter: string;
  readonly sectionIds: readonly string[];
  readonly startMs: number;
  readonly rampMs: number;
  /** End of the hold; Infinity to hold until the run ends. */
  readonly endMs: number;
  readonly delta?: number;
  readonly factor?: number;
}

/** Ramp progress in [0, 1] at `ms`, 0 outside the event. */
export function trendProgress(event: TrendEvent, ms: number): number {
  if (ms < event.startMs || ms >= event.endMs) return 0;
  return event.rampMs <= 0 ? 1 : Math.min(1, (ms - event.startMs) / event.rampMs);
}

/** Applies a trend to a level. */
export function applyTrend(event: TrendEvent, value: number, ms: number): number {
  const p = trendProgress(event, ms);
  if (p === 0) return value;
  let out = value;
  if (event.factor !== undefined) out *= 1 + (event.factor - 1) * p;
  if (event.delta !== undefined) out += event.delta * p;
  return out;
}
