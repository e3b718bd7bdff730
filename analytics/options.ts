/**
 * Analytics options: one schema with documented defaults (issue 5 §10),
 * overridable per parameter and per section. The defaults are chosen to work
 * for minute-level sensors and 4-hour nutrient cycles alike: counts given in
 * samples are capped by durations (`raiseMaxWaitMs`, `clearMaxWaitMs`), so a
 * slow series is not asked to wait a day for confirmation. The table of every
 * key with its default is docs/analytics.md (a unit test keeps the two equal).
 *
 * Precedence, lowest first: built-in defaults < built-in parameter defaults
 * ({@link PARAMETER_DEFAULTS}) < top-level groups < `parameters[key]` <
 * `sections[id]` < `sections[id].parameters[key]`.
 *
 * The groups and their documented keys: series-options.ts (per parameter
 * series) and section-wide-options.ts (per section); this file composes them.
 */
import { Type, type Static, type TObject, type TProperties } from 'typebox';
import { Value } from 'typebox/value';
import { checkSuddenChangeOptions } from './detectors/sudden-change.js';
import { flatLineProps, spikeProps, thresholdProps, trendProps } from './series-options.js';
import { offlineProps, reorderProps, suddenChangeProps, upstreamProps } from './section-wide-options.js';

function group<P extends TProperties>(props: P): TObject<P> {
  return Type.Object(props, { additionalProperties: false });
}

export const ThresholdOptionsSchema = group(thresholdProps);
export const TrendOptionsSchema = group(trendProps);
export const FlatLineOptionsSchema = group(flatLineProps);
export const SpikeOptionsSchema = group(spikeProps);
export const OfflineOptionsSchema = group(offlineProps);
export const SuddenChangeCompositionSchema = group(suddenChangeProps);
export const UpstreamOptionsSchema = group(upstreamProps);
export const ReorderOptionsSchema = group(reorderProps);

export type ThresholdOptions = Static<typeof ThresholdOptionsSchema>;
export type TrendOptions = Static<typeof TrendOptionsSchema>;
export type FlatLineOptions = Static<typeof FlatLineOptionsSchema>;
export type SpikeOptions = Static<typeof SpikeOptionsSchema>;
export type OfflineOptions = Static<typeof OfflineOptionsSchema>;
export type SuddenChangeCompositionOptions = Static<typeof SuddenChangeCompositionSchema>;
export type UpstreamOptions = Static<typeof UpstreamOptionsSchema>;
export type ReorderOptions = Static<typeof ReorderOptionsSchema>;

const partial = <T extends TObject>(schema: T) => Type.Optional(Type.Partial(schema, { additionalProperties: false }));

const parameterGroups = {
  threshold: partial(ThresholdOptionsSchema),
  trend: partial(TrendOptionsSchema),
  flatLine: partial(FlatLineOptionsSchema),
  spike: partial(SpikeOptionsSchema),
};
const sectionGroups = {
  offline: partial(OfflineOptionsSchema),
  suddenChange: partial(SuddenChangeCompositionSchema),
  upstream: partial(UpstreamOptionsSchema),
  reorder: partial(ReorderOptionsSchema),
};

/** Overrides for one parameter (key = canonical parameter key). */
export const ParameterOverrideSchema = Type.Object(parameterGroups, { additionalProperties: false });
/** Overrides for one section; `parameters` applies inside that section only. */
export const SectionOverrideSchema = Type.Object(
  { ...parameterGroups, ...sectionGroups, parameters: Type.Optional(Type.Record(Type.String(), ParameterOverrideSchema)) },
  { additionalProperties: false },
);

/** The analytics options as configured: every key optional, defaults fill the rest. */
export const AnalyticsOptionsSchema = Type.Object(
  {
    ...parameterGroups,
    ...sectionGroups,
    parameters: Type.Optional(Type.Record(Type.String(), ParameterOverrideSchema)),
    sections: Type.Optional(Type.Record(Type.String(), SectionOverrideSchema)),
  },
  { additionalProperties: false },
);
export type AnalyticsOptionsInput = Static<typeof AnalyticsOptionsSchema>;
export type ParameterOverride = Static<typeof ParameterOverrideSchema>;

/** Options of one (section, parameter) series. */
export interface ParameterOptions {
  readonly threshold: ThresholdOptions;
  readonly trend: TrendOptions;
  readonly flatLine: FlatLineOptions;
  readonly spike: SpikeOptions;
}

/** Options of one section, with its parameters resolved on demand. */
export interface SectionOptions {
  readonly offline: OfflineOptions;
  readonly suddenChange: SuddenChangeCompositionOptions;
  readonly upstream: UpstreamOptions;
  readonly reorder: ReorderOptions;
  parameter(key: string): ParameterOptions;
}

/** Built-in defaults, read from the schemas' `default` keywords (the one source). */
export const DEFAULT_OPTIONS = {
  threshold: Value.Default(ThresholdOptionsSchema, {}) as ThresholdOptions,
  trend: Value.Default(TrendOptionsSchema, {}) as TrendOptions,
  flatLine: Value.Default(FlatLineOptionsSchema, {}) as FlatLineOptions,
  spike: Value.Default(SpikeOptionsSchema, {}) as SpikeOptions,
  offline: Value.Default(OfflineOptionsSchema, {}) as OfflineOptions,
  suddenChange: Value.Default(SuddenChangeCompositionSchema, {}) as SuddenChangeCompositionOptions,
  upstream: Value.Default(UpstreamOptionsSchema, {}) as UpstreamOptions,
  reorder: Value.Default(ReorderOptionsSchema, {}) as ReorderOptions,
} as const;

/**
 * Built-in per-parameter defaults, applied under everything configured.
 * DO: a narrower early-warning band (see below). Nutrients and CODMn come
 * from 4-h wet-chemistry analyzers (domain-facts §2)
 * whose loggers often repeat the last result in every record; at a 0.1 or
 * 0.01 mg/L resolution three equal results in a row are ordinary, so a flat
 * line there needs 48 h (12 analyzer cycles) rather than 12 h.
 */
export const PARAMETER_DEFAULTS: Readonly<Record<string, ParameterOverride>> = {
  // DO swings daily by 1–2 mg/L or more; a band of 20 % above the bound (6.0 for class III, the whole class III
  // range) would raise blue most summer nights. 10 % (5.5 for class III) keeps the band near the limit.
  // DO follows photosynthesis every day: six flat hours cannot be water, so a stuck DO sensor is
  // recognised before its frozen values become the sudden-change baseline (docs/evaluation.md).
  do: { threshold: { earlyWarningFraction: 0.9 }, flatLine: { minDurationMs: 21_600_000 } },
  codmn: { flatLine: { minDurationMs: 172_800_000 } },
  nh3n: { flatLine: { minDurationMs: 172_800_000 } },
  tp: { flatLine: { minDurationMs: 172_800_000 } },
  tn: { flatLine: { minDurationMs: 172_800_000 } },
};

export type OptionsResult = { ok: true; options: AnalyticsOptionsInput } | { ok: false; problems: string[] };

/** Validates configured options; reports every bad key at once, never throws. */
export function parseAnalyticsOptions(raw: unknown): OptionsResult {
  const value = raw ?? {};
  if (!Value.Check(AnalyticsOptionsSchema, value)) {
    const problems = [...Value.Errors(AnalyticsOptionsSchema, value)].map((e) => `${e.instancePath || '/'}: ${e.message}`);
    return { ok: false, problems };
  }
  // The sudden-change detector checks its own options (unknown keys, ranges).
  const problems: string[] = [];
  const detector = (where: string, options: Readonly<Record<string, unknown>> | undefined) => {
    if (options) for (const p of checkSuddenChangeOptions(options)) problems.push(`${where}: ${p}`);
  };
  detector('/suddenChange/detector', value.suddenChange?.detector);
  for (const [id, sec] of Object.entries(value.sections ?? {}))
    detector(`/sections/${id}/suddenChange/detector`, sec.suddenChange?.detector);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options: value };
}

/** Shallow merge that ignores undefined values, so a partial override never blanks a default. */
function merge<T extends object>(base: T, ...overrides: (Partial<T> | undefined)[]): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const o of overrides) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Resolves the options of one section (validated input assumed; see {@link parseAnalyticsOptions}). */
export function resolveSectionOptions(input: AnalyticsOptionsInput | undefined, sectionId: string): SectionOptions {
  const top = input ?? {};
  const sec = top.sections?.[sectionId] ?? {};
  const cache = new Map<string, ParameterOptions>();
  const parameter = (key: string): ParameterOptions => {
    const hit = cache.get(key);
    if (hit) return hit;
    const b = PARAMETER_DEFAULTS[key] ?? {};
    const p = top.parameters?.[key] ?? {};
    const sp = sec.parameters?.[key] ?? {};
    const resolved: ParameterOptions = {
      threshold: merge(DEFAULT_OPTIONS.threshold, b.threshold, top.threshold, p.threshold, sec.threshold, sp.threshold),
      trend: merge(DEFAULT_OPTIONS.trend, b.trend, top.trend, p.trend, sec.trend, sp.trend),
      flatLine: merge(DEFAULT_OPTIONS.flatLine, b.flatLine, top.flatLine, p.flatLine, sec.flatLine, sp.flatLine),
      spike: merge(DEFAULT_OPTIONS.spike, b.spike, top.spike, p.spike, sec.spike, sp.spike),
    };
    cache.set(key, resolved);
    return resolved;
  };
  return {
    offline: merge(DEFAULT_OPTIONS.offline, top.offline, sec.offline),
    suddenChange: merge(DEFAULT_OPTIONS.suddenChange, top.suddenChange, sec.suddenChange),
    upstream: merge(DEFAULT_OPTIONS.upstream, top.upstream, sec.upstream),
    reorder: merge(DEFAULT_OPTIONS.reorder, top.reorder, sec.reorder),
    parameter,
  };
}

/**
 * Samples a persistence rule needs for a series sampled every `intervalMs`:
 * `count`, reduced so that waiting for it never exceeds `maxWaitMs`
 * (count − 1 further intervals), and never below 1.
 */
export function effectiveCount(count: number, maxWaitMs: number, intervalMs: number): number {
  if (!(intervalMs > 0)) return count;
  const byTime = Math.floor(maxWaitMs / intervalMs) + 1;
  return Math.max(1, Math.min(count, byTime));
}
