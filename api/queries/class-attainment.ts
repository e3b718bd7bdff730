/**
 * Period class attainment of a section from its hourly class points
 * (analytics' `section_class`): how many evaluated hours fell in each class,
 * how many met the target, and how much of the period was evaluated at all.
 * Pure.
 */
import type { TargetClass, WaterClass } from '../../domain/index.js';
import type { SectionClassPoint } from './readings-queries.js';
import type { TimeRange } from './time-range.js';

export interface ClassAttainment {
  /** Class points in the period (one per evaluated hour). */
  readonly evaluated: number;
  /** Hours in the period. */
  readonly periodHours: number;
  /** evaluated / periodHours, 0–1. */
  readonly coverage: number;
  readonly byClass: Readonly<Record<`${WaterClass}`, number>>;
  readonly meetingTarget: number;
  /** meetingTarget / evaluated (0–1), undefined when nothing was evaluated. */
  readonly attainmentRate: number | undefined;
  /** Worst class seen, and when first. */
  readonly worst: { readonly cls: WaterClass; readonly ts: number } | undefined;
}

const HOUR_MS = 3_600_000;

export function classAttainment(points: readonly SectionClassPoint[], target: TargetClass, range: TimeRange): ClassAttainment {
  const byClass: Record<`${WaterClass}`, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 };
  let meetingTarget = 0;
  let worst: { cls: WaterClass; ts: number } | undefined;
  for (const p of points) {
    byClass[`${p.cls}`] += 1;
    if (p.cls <= target) meetingTarget += 1;
    if (!worst || p.cls > worst.cls) worst = { cls: p.cls, ts: p.ts };
  }
  const periodHours = Math.max(1, Math.round((range.toMs - range.fromMs) / HOUR_MS));
  return {
    evaluated: points.length,
    periodHours,
    coverage: Math.min(1, points.length / periodHours),
    byClass,
    meetingTarget,
    attainmentRate: points.length === 0 ? undefined : meetingTarget / points.length,
    worst,
  };
}
