/**
 * GB 3838-2002 surface-water classes (Table 1), single-factor evaluation
 * (环办[2011]22号) and exceedance multiples. Pure; see
 * shared/reference/domain-facts.md §1 for sources.
 */

/** Water-quality class: 1–5 are classes I–V; 6 is "劣V" (worse than V). */
export type WaterClass = 1 | 2 | 3 | 4 | 5 | 6;
export type TargetClass = 1 | 2 | 3 | 4 | 5;
export type WaterBody = 'river' | 'lake';

export const CLASS_LABELS: Record<WaterClass, { zh: string; en: string }> = {
  1: { zh: 'Ⅰ类', en: 'I' },
  2: { zh: 'Ⅱ类', en: 'II' },
  3: { zh: 'Ⅲ类', en: 'III' },
  4: { zh: 'Ⅳ类', en: 'IV' },
  5: { zh: 'Ⅴ类', en: 'V' },
  6: { zh: '劣Ⅴ类', en: 'worse than V' },
};

type Limits = readonly [number, number, number, number, number];

interface BoundRule {
  readonly kind: 'upper' | 'lower';
  readonly river: Limits;
  readonly lake: Limits;
  /** Whether the parameter takes part in the class of a river / lake section. */
  readonly inRiverClass: boolean;
  readonly inLakeClass: boolean;
}

// GB 3838-2002 Table 1. DO class I is "90 % saturation (or 7.5)": 7.5 is used.
const RULES: Readonly<Record<string, BoundRule>> = {
  do: { kind: 'lower', river: [7.5, 6, 5, 3, 2], lake: [7.5, 6, 5, 3, 2], inRiverClass: true, inLakeClass: true },
  codmn: { kind: 'upper', river: [2, 4, 6, 10, 15], lake: [2, 4, 6, 10, 15], inRiverClass: true, inLakeClass: true },
  nh3n: { kind: 'upper', river: [0.15, 0.5, 1.0, 1.5, 2.0], lake: [0.15, 0.5, 1.0, 1.5, 2.0], inRiverClass: true, inLakeClass: true },
  // Table 1 item 8: TP differs for lakes/reservoirs (湖、库).
  tp: { kind: 'upper', river: [0.02, 0.1, 0.2, 0.3, 0.4], lake: [0.01, 0.025, 0.05, 0.1, 0.2], inRiverClass: true, inLakeClass: true },
  // Item 9: TN is evaluated for lakes/reservoirs only; for rivers it is reported apart.
  tn: { kind: 'upper', river: [0.2, 0.5, 1.0, 1.5, 2.0], lake: [0.2, 0.5, 1.0, 1.5, 2.0], inRiverClass: false, inLakeClass: true },
};

/** pH 6–9 for every class, so pH outside it can only be 劣V (domain-facts §1.2). */
const PH_MIN = 6;
const PH_MAX = 9;

/** Parameters that take part in a section's class for the given water body. */
export function isClassParameter(key: string, body: WaterBody): boolean {
  if (key === 'ph') return true;
  const rule = RULES[key];
  if (!rule) return false;
  return body === 'river' ? rule.inRiverClass : rule.inLakeClass;
}

/** A limit of a parameter for one class: `value` is the bound, `kind` its direction. */
export type ClassLimit =
  | { readonly kind: 'upper' | 'lower'; readonly value: number }
  | { readonly kind: 'range'; readonly min: number; readonly max: number };

/** The limit a value must meet to be in `cls` (I–V), or undefined where GB 3838 sets none. */
export function limitFor(key: string, cls: TargetClass, body: WaterBody): ClassLimit | undefined {
  if (key === 'ph') return { kind: 'range', min: PH_MIN, max: PH_MAX };
  const rule = RULES[key];
  if (!rule) return undefined;
  const value = (body === 'river' ? rule.river : rule.lake)[cls - 1];
  return value === undefined ? undefined : { kind: rule.kind, value };
}

/** Whether `value` meets `limit` (a value exactly on a limit belongs to that class). */
export function meetsLimit(value: number, limit: ClassLimit): boolean {
  switch (limit.kind) {
    case 'upper':
      return value <= limit.value;
    case 'lower':
      return value >= limit.value;
    case 'range':
      return value >= limit.min && value <= limit.max;
  }
}

/**
 * Class of one value, or undefined when GB 3838 gives the parameter no class
 * (temperature, conductivity, turbidity; TN in rivers is still classed here on
 * its own, use {@link isClassParameter} to decide whether it counts).
 */
export function classOfValue(key: string, value: number, body: WaterBody): WaterClass | undefined {
  if (key === 'ph') return value >= PH_MIN && value <= PH_MAX ? 1 : 6;
  const rule = RULES[key];
  if (!rule) return undefined;
  const limits = body === 'river' ? rule.river : rule.lake;
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i] as number;
    if (rule.kind === 'upper' ? value <= limit : value >= limit) return (i + 1) as WaterClass;
  }
  return 6;
}

export interface SetClass {
  /** Worst class among the participating values; undefined if none took part. */
  readonly cls: WaterClass | undefined;
  /** Parameters that decided the class (all at the worst class). */
  readonly deciding: readonly string[];
  readonly perParameter: Readonly<Record<string, WaterClass>>;
}

/** Single-factor evaluation: the worst class among participating parameters decides. */
export function classOfSet(values: Readonly<Record<string, number>>, body: WaterBody): SetClass {
  const perParameter: Record<string, WaterClass> = {};
  let worst: WaterClass | undefined;
  for (const [key, value] of Object.entries(values)) {
    if (!isClassParameter(key, body) || !Number.isFinite(value)) continue;
    const cls = classOfValue(key, value, body);
    if (cls === undefined) continue;
    perParameter[key] = cls;
    if (worst === undefined || cls > worst) worst = cls;
  }
  const deciding = worst === undefined ? [] : Object.keys(perParameter).filter((k) => perParameter[k] === worst);
  return { cls: worst, deciding, perParameter };
}

/**
 * Exceedance multiple 超标倍数 against a target class: (C − L)/L for upper
 * bounds, 0 when within the limit, undefined for parameters without one
 * (WT, pH and DO get no multiple: domain-facts §1.2).
 */
export function exceedanceMultiple(key: string, value: number, target: TargetClass, body: WaterBody): number | undefined {
  const limit = limitFor(key, target, body);
  if (!limit || limit.kind !== 'upper') return undefined;
  if (value <= limit.value) return 0;
  return (value - limit.value) / limit.value;
}

/** Whether a class is worse than a section's target. */
export function worseThanTarget(cls: WaterClass, target: TargetClass): boolean {
  return cls > target;
}
