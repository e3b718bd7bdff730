/**
 * Severity ladder of one series against its GB 3838 target (issue 5 §2):
 * the thresholds a value is judged by, with the narrower release intervals
 * for hysteresis. The state machine that applies them is threshold.ts.
 *
 * Severity ladder (DESIGN.md "Alert levels"): 1 early-warning band → blue,
 * 2 target exceeded → yellow, 3 worse than class V → orange, 4 severe → red.
 * A value exactly on a threshold is on the safe side of it ("on the limit =
 * within", GB 3838 uses ≤ / ≥). DO is a lower bound, so "approaching" means
 * falling towards it; pH is bounded on both sides (6–9, so outside is 劣V).
 */
import {
  classOfValue,
  exceedanceMultiple,
  isClassParameter,
  limitFor,
  type AlertLevel,
  type ClassLimit,
  type DataFlag,
  type TargetClass,
  type WaterBody,
  type WaterClass,
} from '../../domain/index.js';
import type { ThresholdOptions } from '../options.js';

/** 0 none, 1 early-warning band, 2 target exceeded, 3 worse than V, 4 severe. */
export type Severity = 0 | 1 | 2 | 3 | 4;

/** Pollution level of each severity. */
export const SEVERITY_LEVEL: Readonly<Record<Exclude<Severity, 0>, AlertLevel>> = {
  1: 'blue',
  2: 'yellow',
  3: 'orange',
  4: 'red',
};

/** The series a detector watches: one parameter at a section with a target class. */
export interface ThresholdTarget {
  readonly key: string;
  readonly targetClass: TargetClass;
  readonly waterBody: WaterBody;
}

/** Safe intervals per severity 1..4: a value outside [lo, hi] has at least that severity. */
interface Ladder {
  readonly lo: readonly [number, number, number, number];
  readonly hi: readonly [number, number, number, number];
}

/** Compiled thresholds of one series. */
export interface ThresholdRule {
  readonly kind: 'upper' | 'lower' | 'range';
  readonly targetLimit: ClassLimit;
  readonly raise: Ladder;
  /** Hysteresis: to be released from a severity a value must be inside these (narrower) intervals. */
  readonly release: Ladder;
}

const INF = Number.POSITIVE_INFINITY;

/** Whether GB 3838 gives this parameter a limit that takes part in the section's class (or `outsideClass` asks for it). */
export function thresholdApplies(target: ThresholdTarget, options: ThresholdOptions): boolean {
  if (!limitFor(target.key, target.targetClass, target.waterBody)) return false;
  return options.outsideClass || isClassParameter(target.key, target.waterBody);
}

/** Builds the severity ladder; undefined when GB 3838 sets no limit for the parameter. */
export function buildRule(target: ThresholdTarget, o: ThresholdOptions): ThresholdRule | undefined {
  const t = limitFor(target.key, target.targetClass, target.waterBody);
  const v = limitFor(target.key, 5, target.waterBody);
  if (!t || !v) return undefined;
  if (t.kind === 'range' && v.kind === 'range') {
    const lo = [t.min + o.phBandUnits, t.min, v.min, v.min - o.severePhUnits] as const;
    const hi = [t.max - o.phBandUnits, t.max, v.max, v.max + o.severePhUnits] as const;
    const release = {
      lo: lo.map((x) => x + o.phClearUnits) as unknown as Ladder['lo'],
      hi: hi.map((x) => x - o.phClearUnits) as unknown as Ladder['hi'],
    };
    return { kind: 'range', targetLimit: t, raise: { lo, hi }, release };
  }
  if (t.kind === 'upper' && v.kind === 'upper') {
    const hi = [o.earlyWarningFraction * t.value, t.value, v.value, Math.max(v.value, (1 + o.severeMultiple) * t.value)] as const;
    const lo = [-INF, -INF, -INF, -INF] as const;
    return {
      kind: 'upper',
      targetLimit: t,
      raise: { lo, hi },
      release: { lo, hi: hi.map((x) => x * o.clearFraction) as unknown as Ladder['hi'] },
    };
  }
  if (t.kind === 'lower' && v.kind === 'lower') {
    const lo = [t.value * (2 - o.earlyWarningFraction), t.value, v.value, o.severeLowerBoundFraction * v.value] as const;
    const hi = [INF, INF, INF, INF] as const;
    return {
      kind: 'lower',
      targetLimit: t,
      raise: { lo, hi },
      release: { lo: lo.map((x) => x * (2 - o.clearFraction)) as unknown as Ladder['lo'], hi },
    };
  }
  return undefined;
}

/** Highest severity whose safe interval `value` is outside of (on a threshold = inside). */
function severityOn(ladder: Ladder, value: number, sides: 'both' | 'high' | 'low'): Severity {
  for (let s = 4; s >= 1; s--) {
    const lo = ladder.lo[s - 1] as number;
    const hi = ladder.hi[s - 1] as number;
    if ((sides !== 'low' && value > hi) || (sides !== 'high' && value < lo)) return s as Severity;
  }
  return 0;
}

/** Per-reading assessment (class, worse than target, exceedance multiple, severity). */
export interface ThresholdAssessment {
  readonly value: number;
  readonly cls: WaterClass | undefined;
  readonly worseThanTarget: boolean;
  /** (C − L)/L against the target; undefined for DO and pH (domain-facts §1.2). */
  readonly multiple: number | undefined;
  readonly severity: Severity;
}

/**
 * Severity a value is evidence of. T ("above the measuring range", read as
 * "at least this high") counts only towards the high side: it can show an
 * upper limit exceeded, never a lower bound (DO) breached.
 */
export function raiseSeverity(rule: ThresholdRule, value: number, flag: DataFlag): Severity {
  if (flag === 'T') return rule.kind === 'lower' ? 0 : severityOn(rule.raise, value, 'high');
  return severityOn(rule.raise, value, 'both');
}

/**
 * Severity a value does NOT release (hysteresis). A T value cannot show that an
 * upper-bounded value came back down, so it releases nothing there.
 */
export function holdSeverity(rule: ThresholdRule, value: number, flag: DataFlag): Severity {
  if (flag === 'T' && rule.kind !== 'lower') return 4;
  return severityOn(rule.release, value, 'both');
}

/** Assesses one value against a target (pure; the analyzer uses it for the section class too). */
export function assessValue(
  target: ThresholdTarget,
  rule: ThresholdRule,
  value: number,
  flag: DataFlag = 'N',
): ThresholdAssessment {
  const cls = classOfValue(target.key, value, target.waterBody);
  return {
    value,
    cls,
    worseThanTarget: cls !== undefined && cls > target.targetClass,
    multiple: exceedanceMultiple(target.key, value, target.targetClass, target.waterBody),
    severity: raiseSeverity(rule, value, flag),
  };
}

/**
 * "Approaching the limit" means getting worse (issue 13 §6): a band value
 * (severity 1) no worse than the series' usual level by at least
 * `minRiseFraction` of the limit is not approaching anything, so severity 0.
 * `usual` is null while too little history is kept to know it, undefined
 * where no history is kept at all (then the band alone decides).
 */
export function approachingSeverity(
  rule: ThresholdRule,
  sev: Severity,
  value: number,
  usual: number | null | undefined,
  minRiseFraction: number,
): Severity {
  const f = minRiseFraction;
  if (sev !== 1 || usual === undefined || f <= 0) return sev;
  // Approaching means getting worse; without a usual level yet, nothing shows that it is.
  if (usual === null) return 0;
  const t = rule.targetLimit;
  let rise: number;
  let scale: number;
  if (t.kind === 'upper') [rise, scale] = [value - usual, t.value];
  else if (t.kind === 'lower') [rise, scale] = [usual - value, t.value];
  else if (t.kind === 'range') {
    const towardsMax = value > (t.min + t.max) / 2;
    [rise, scale] = [towardsMax ? value - usual : usual - value, t.max - t.min];
  } else return sev;
  return rise >= f * scale ? sev : 0;
}
