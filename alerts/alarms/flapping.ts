/**
 * Flapping (issue 15 §5): a condition raised and cleared more than
 * `flapMaxCycles` times within `flapWindowMs` is marked as flapping, so the
 * desk sees it as a sensor or threshold problem rather than as one more
 * event. Pure; counted from the alert's history (one `cleared` per cycle).
 */
import type { AlertTransition } from './alert-model.js';

export interface FlapOptions {
  /** @defaultValue 1 h */
  readonly windowMs: number;
  /** More cycles than this within the window is flapping. @defaultValue 3 */
  readonly maxCycles: number;
}

export const DEFAULT_FLAP: FlapOptions = { windowMs: 3_600_000, maxCycles: 3 };

/** Raise–clear cycles within the window ending at `now`. */
export function flapCycles(history: readonly Pick<AlertTransition, 'type' | 'at'>[], now: number, windowMs: number): number {
  return history.filter((h) => h.type === 'cleared' && h.at > now - windowMs && h.at <= now).length;
}

export function isFlapping(
  history: readonly Pick<AlertTransition, 'type' | 'at'>[],
  now: number,
  options: FlapOptions = DEFAULT_FLAP,
): boolean {
  return flapCycles(history, now, options.windowMs) > options.maxCycles;
}
