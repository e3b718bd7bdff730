/**
 * Confirm before escalating (issue 13 §4): a raise past the target that rests
 * on one reading far out of line with the previous one is held at blue until
 * a re-measurement confirms or refutes it, or its deadline passes. The
 * threshold detector (threshold.ts) keeps the held reading in its state.
 */
import type { DataFlag } from '../../domain/index.js';
import type { ThresholdOptions } from '../options.js';
import type { Severity, ThresholdRule } from './threshold-rule.js';

/** A lone reading past the target waiting for its re-measurement (issue 13 §4). */
export interface SuspectReading {
  readonly ts: number;
  readonly value: number;
  /** The severity it would have raised. */
  readonly severity: Severity;
  /** Treated as confirmed if nothing arrives by then. */
  readonly deadlineTs: number;
}

/** A reading jumped far out of line with the previous one (the direction that worsens the water). */
export function isSuspectJump(
  rule: ThresholdRule,
  previous: number | undefined,
  value: number,
  flag: DataFlag,
  o: Pick<ThresholdOptions, 'confirmSuspect' | 'suspectJumpFactor'>,
): boolean {
  if (!o.confirmSuspect || previous === undefined || flag !== 'N') return false;
  if (rule.kind === 'upper') return previous > 0 ? value >= o.suspectJumpFactor * previous : true;
  if (rule.kind === 'lower') return value > 0 ? previous >= o.suspectJumpFactor * value : true;
  return false; // pH: a jump of units, not a ratio; never held
}
