/**
 * Rain events: runoff raises turbidity and total phosphorus (particle-bound
 * P washed in) and a little CODMn, dilutes conductivity and cools the water.
 * Response rises during the rain and recedes exponentially afterwards.
 */
import { HOUR_MS } from './sim-time.js';

export interface RainEvent {
  readonly id: string;
  readonly startMs: number;
  readonly endMs: number;
  /** 0–1: 1 is a heavy storm. */
  readonly intensity: number;
  /** Sections that receive the runoff. */
  readonly sectionIds: readonly string[];
}

/** Rise time constant during rain, and recession after it. */
export const RAIN_RISE_MS = 2 * HOUR_MS;
export const RAIN_RECESSION_MS = 12 * HOUR_MS;

/** Relative response per unit of intensity × response (at full response of a storm of intensity 1). */
export const RAIN_EFFECTS = {
  turbFactor: 6,
  tpFactor: 0.3,
  codmnFactor: 0.12,
  condFactor: -0.25,
  tempDeltaC: -0.6,
} as const;

/** Response in [0, 1] of one event at `ms` (0 before it starts). */
export function rainResponse(event: RainEvent, ms: number): number {
  if (ms <= event.startMs) return 0;
  const rise = (t: number): number => 1 - Math.exp(-(t - event.startMs) / RAIN_RISE_MS);
  if (ms <= event.endMs) return rise(ms);
  return rise(event.endMs) * Math.exp(-(ms - event.endMs) / RAIN_RECESSION_MS);
}

/** When the response has fallen below 5 % of its peak (label window end). */
export function rainEffectEndMs(event: RainEvent): number {
  return event.endMs + 3 * RAIN_RECESSION_MS;
}

/** Combined response of several events, capped at 1.5 (overlapping storms). */
export function combinedRainResponse(events: readonly RainEvent[], ms: number): number {
  let total = 0;
  for (const event of events) total += event.intensity * rainResponse(event, ms);
  return Math.min(1.5, total);
}
