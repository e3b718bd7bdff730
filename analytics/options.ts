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
 */
import { Type, type Static, type TObject, type TProperties } from 'typebox';
import { Value } from 'typebox/value';
import { checkSuddenChangeOptions } from './detectors/sudden-change.js';

const level = (defaultValue: 'blue' | 'yellow' | 'orange' | 'red') =>
  Type.Union([Type.Literal('blue'), Type.Literal('yellow'), Type.Literal('orange'), Type.Literal('red')], {
    default: defaultValue,
  });

const thresholdProps = {
  /** Early-warning band starts at this fraction of an upper limit; for a lower bound (DO) at limit × (2 − f). @defaultValue 0.8 */
  earlyWarningFraction: Type.Number({ default: 0.8, exclusiveMinimum: 0, maximum: 1 }),
  /** pH early-warning band: this many pH units inside 6–9. @defaultValue 0.5 */
  phBandUnits: Type.Number({ default: 0.5, minimum: 0, maximum: 1.5 }),
  /** Raise when this many of the last `raiseWindow` evidence samples reach a level. @defaultValue 2 */
  raiseCount: Type.Integer({ default: 2, minimum: 1 }),
  /** Window (samples) for the M-of-N persistence rule. @defaultValue 3 */
  raiseWindow: Type.Integer({ default: 3, minimum: 1 }),
  /** Confirmation never waits longer than this: the count shrinks for slow series (a 4-h nutrient series confirms on one sample). @defaultValue 3600000 */
  raiseMaxWaitMs: Type.Integer({ default: 3_600_000, minimum: 0 }),
  /** Hysteresis: a level is released only when the value is back below this fraction of its threshold (lower bounds: above threshold × (2 − f)). @defaultValue 0.9 */
  clearFraction: Type.Number({ default: 0.9, exclusiveMinimum: 0, maximum: 1 }),
  /** pH hysteresis in pH units. @defaultValue 0.2 */
  phClearUnits: Type.Number({ default: 0.2, minimum: 0 }),
  /** Consecutive released samples before a level is lowered or cleared. @defaultValue 3 */
  clearCount: Type.Integer({ default: 3, minimum: 1 }),
  /** Clearing never needs longer than this (the count shrinks for slow series). @defaultValue 21600000 */
  clearMaxWaitMs: Type.Integer({ default: 21_600_000, minimum: 0 }),
  /** Red when worse than class V and the exceedance multiple against the target is at least this. @defaultValue 3 */
  severeMultiple: Type.Number({ default: 3, minimum: 0 }),
  /** Red for a lower bound (DO) below this fraction of the class V limit. @defaultValue 0.5 */
  severeLowerBoundFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  /** Red for pH more than this many units outside 6–9. @defaultValue 1 */
  severePhUnits: Type.Number({ default: 1, minimum: 0 }),
  /** A gap longer than this many sampling intervals restarts persistence counting (an open alert stays open). @defaultValue 3 */
  gapResetIntervals: Type.Number({ default: 3, minimum: 1 }),
  /** Raise a provisional blue on the first sample past the limit, before persistence is met. Off: one odd sample must not alarm. @defaultValue false */
  provisional: Type.Boolean({ default: false }),
  /** Also check parameters that do not take part in the section's class (TN in rivers, domain-facts §1.2). @defaultValue false */
  outsideClass: Type.Boolean({ default: false }),
  /**
   * Confirm before escalating (issue 13 §4): a raise past the target that
   * rests on one reading which jumped at least `suspectJumpFactor` × past the
   * series' previous value, with nothing else at the station or section
   * moving, stays a blue "unconfirmed" alert until a re-measurement confirms
   * it (then it takes its level), refutes it (then it clears), or
   * `confirmWithinMs` passes without one (then it is treated as confirmed).
   * @defaultValue true
   */
  confirmSuspect: Type.Boolean({ default: true }),
  /**
   * "Approaching the limit" means getting worse (issue 13 §6): a value in the
   * early-warning band counts only when it is worse than the series' usual
   * level by at least this fraction of the limit. Usual: the median of the
   * last three days (without the last four hours); for DO, pH and temperature
   * the values at the same time of day on the previous days, so a normal
   * dawn or afternoon dip is not a warning. Water that always sits near its
   * limit is one matter for planning, not a daily blue alert. 0 turns it off.
   * @defaultValue 0.1
   */
  earlyWarningMinRiseFraction: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
  /** How far one reading must jump past the previous one to be suspect (upper bounds: value ≥ f × previous; DO: value ≤ previous / f). @defaultValue 3 */
  suspectJumpFactor: Type.Number({ default: 3, minimum: 1 }),
  /** Deadline for the re-measurement of a suspect reading. @defaultValue 7200000 (2 h) */
  confirmWithinMs: Type.Integer({ default: 7_200_000, minimum: 0 }),
};

const trendProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** Mann-Kendall window. @defaultValue 259200000 (72 h) */
  windowMs: Type.Integer({ default: 259_200_000, minimum: 60_000 }),
  /** Samples are averaged into windowMs / maxPoints buckets, so a minute series and a 4-h series cost the same. @defaultValue 96 */
  maxPoints: Type.Integer({ default: 96, minimum: 4, maximum: 1000 }),
  /** Fewest buckets in the window before any decision. @defaultValue 8 */
  minPoints: Type.Integer({ default: 8, minimum: 4 }),
  /** The buckets must also span this fraction of the window (no decision on the rising half of one daily cycle). @defaultValue 0.5 */
  minSpanFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  /** Two-sided significance level. @defaultValue 0.01 */
  alpha: Type.Number({ default: 0.01, exclusiveMinimum: 0, maximum: 0.5 }),
  /** Blue when the projected crossing of the target limit is within this horizon. @defaultValue 172800000 (48 h) */
  horizonMs: Type.Integer({ default: 172_800_000, minimum: 0 }),
  /** Trend-free pre-whitening (Yue et al. 2002) against serial correlation. @defaultValue true */
  prewhiten: Type.Boolean({ default: true }),
  /** Evaluations without the condition before the trend alert clears. @defaultValue 2 */
  clearEvaluations: Type.Integer({ default: 2, minimum: 1 }),
  /** Hysteresis: the condition is released only when the crossing is beyond horizon × this factor. @defaultValue 1.5 */
  clearHorizonFactor: Type.Number({ default: 1.5, minimum: 1 }),
};

const flatLineProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** Samples in a run before a flat line can be reported. @defaultValue 6 */
  minSamples: Type.Integer({ default: 6, minimum: 2 }),
  /** The run must also last this long (12 h; 48 h for CODMn, NH3-N, TP, TN: see PARAMETER_DEFAULTS). @defaultValue 43200000 */
  minDurationMs: Type.Integer({ default: 43_200_000, minimum: 0 }),
  /** "Stuck" = within this many instrument precisions of the run's first value. @defaultValue 0.5 */
  tolerancePrecisions: Type.Number({ default: 0.5, minimum: 0 }),
  /** Values at or below this are not judged (a reading pinned at a detection limit is not a fault). @defaultValue none */
  ignoreAtOrBelow: Type.Optional(Type.Number()),
};

const spikeProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** A jump larger than this many robust scales (1.4826 × MAD of recent steps) that comes straight back. @defaultValue 8 */
  thresholdScales: Type.Number({ default: 8, exclusiveMinimum: 0 }),
  /** "Comes back": the next value is within this fraction of the jump from the value before. @defaultValue 0.5 */
  returnFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  /** Recent steps kept for the robust scale. @defaultValue 30 */
  historySamples: Type.Integer({ default: 30, minimum: 5 }),
  /** Steps needed before spikes are judged. @defaultValue 10 */
  minHistory: Type.Integer({ default: 10, minimum: 3 }),
  /** Only series sampled at least this often: one 4-h analyzer result may be a real short plume (domain-facts §6). @defaultValue 3600000 */
  maxIntervalMs: Type.Integer({ default: 3_600_000, minimum: 0 }),
  /** A spike is always kept out of the pollution checks; the data-quality alert needs this many spikes within `windowMs` (a spiky sensor, not one odd value). @defaultValue 3 */
  raiseCount: Type.Integer({ default: 3, minimum: 1 }),
  /** Spikes are counted over this window; the alert clears once a whole window has passed without one. @defaultValue 86400000 (24 h) */
  windowMs: Type.Integer({ default: 86_400_000, minimum: 60_000 }),
  /** Floor of the robust scale in instrument precisions. @defaultValue 1 */
  minScalePrecisions: Type.Number({ default: 1, minimum: 0 }),
};

const offlineProps = {
  /** Offline after this many sampling intervals without a reading ... @defaultValue 3 */
  intervals: Type.Number({ default: 3, minimum: 1 }),
  /** ... plus this grace. After a (re)start each station gets the full threshold again (no storm). @defaultValue 600000 */
  graceMs: Type.Integer({ default: 600_000, minimum: 0 }),
};

const suddenChangeProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** Watched as operational context, never as an event on their own. @defaultValue ["temp"] */
  contextParameters: Type.Array(Type.String(), { default: ['temp'] }),
  /** Not given to the detector at all. @defaultValue [] */
  ignoredParameters: Type.Array(Type.String(), { default: [] }),
  /** 4-h analyzer parameters: a value identical to the series' previous one is the logger repeating the last result, not a new measurement, and is not given to the detector (otherwise every 4-h result looks like a step). @defaultValue ["codmn", "nh3n", "tp", "tn"] */
  repeatedValuesAreStale: Type.Array(Type.String(), { default: ['codmn', 'nh3n', 'tp', 'tn'] }),
  /** Level of an event with fewer than `multiParameterMin` parameters moving. @defaultValue "yellow" */
  singleParameterLevel: level('yellow'),
  /** Level when several parameters change abruptly together (DESIGN.md: orange). @defaultValue "orange" */
  multiParameterLevel: level('orange'),
  /** Parameters moving together for the multi-parameter level. @defaultValue 2 */
  multiParameterMin: Type.Integer({ default: 2, minimum: 1 }),
  /**
   * A sudden change with the pattern of rain runoff (turbidity up,
   * conductivity not up, ammonia not moving: analytics/runoff.ts) is a blue
   * `runoff` notice, not a pollution alarm (issue 13 §3). @defaultValue true
   */
  runoffNotice: Type.Boolean({ default: true }),
  /** After a runoff notice the station recovers for this long: a change without a pollution marker is part of the rain's passage. @defaultValue 129600000 (36 h) */
  runoffRecoveryMs: Type.Integer({ default: 129_600_000, minimum: 0 }),
  /** Red at a drinking-water or boundary section when a sudden change coincides with a confirmed 劣V value at that station. @defaultValue true */
  sensitiveSectionRed: Type.Boolean({ default: true }),
  /** Passed as-is to the sudden-change detector (its own options, documented with it). @defaultValue {} */
  detector: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
};

const upstreamProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** Upstream alerts at or above this level raise downstream pre-warnings. @defaultValue "yellow" */
  triggerMinLevel: level('yellow'),
  /**
   * Pre-warnings follow changes that travel, not standing conditions (issue
   * 13 §5): an exceedance pre-warns only when its value at onset is worse
   * than the section's usual level (analytics/usual-level.ts; with too little
   * history for one, the value read just before the onset) by at least this
   * fraction of the limit; with neither (the condition was there from the
   * first reading), only from orange up. Sudden changes always pre-warn.
   * 0 = every exceedance. @defaultValue 0.3
   */
  minRiseFraction: Type.Number({ default: 0.3, minimum: 0 }),
  /** An origin alert open longer than this is a standing condition, no longer a plume on its way: its pre-warnings end as if it had cleared. @defaultValue 86400000 (24 h) */
  sourceActiveMaxMs: Type.Integer({ default: 86_400_000, minimum: 0 }),
  /** Kinds of upstream alert that raise pre-warnings. @defaultValue ["exceedance", "sudden-change"] */
  triggerKinds: Type.Array(Type.Union([Type.Literal('exceedance'), Type.Literal('sudden-change'), Type.Literal('trend')]), {
    default: ['exceedance', 'sudden-change'],
  }),
  /** Leading edge ≈ 0.89 × peak travel time (Jobson 1997, domain-facts §6). @defaultValue 0.89 */
  leadingEdgeFactor: Type.Number({ default: 0.89, exclusiveMinimum: 0, maximum: 1 }),
  /** Spread σ_t from longitudinal dispersion √(2·D_L·L/U³), or as a fraction of t_p. @defaultValue "dispersion" */
  spreadMode: Type.Union([Type.Literal('dispersion'), Type.Literal('fraction')], { default: 'dispersion' }),
  /** D_L in m²/s (natural rivers 10–1000). The origin section's value applies to the chain below it (override per section). @defaultValue 50 */
  dispersionM2s: Type.Number({ default: 50, exclusiveMinimum: 0 }),
  /** σ_t = fraction × t_p when spreadMode is "fraction". @defaultValue 0.1 */
  spreadFraction: Type.Number({ default: 0.1, minimum: 0 }),
  /** Arrival window t_p ± k·σ_t. @defaultValue 2 */
  spreadSigmas: Type.Number({ default: 2, minimum: 0 }),
  /** No pre-warning for sections further than this travel time. @defaultValue 259200000 (72 h) */
  maxTravelMs: Type.Integer({ default: 259_200_000, minimum: 0 }),
  /** Downstream "markedly worse": above upstream × (1 + ratio) (lower bounds: below upstream × (1 − ratio)) ... @defaultValue 0.3 */
  markedlyWorseRatio: Type.Number({ default: 0.3, minimum: 0 }),
  /** ... and by at least this fraction of the target limit. @defaultValue 0.1 */
  markedlyWorseMinFractionOfLimit: Type.Number({ default: 0.1, minimum: 0 }),
  /** Upstream values compared: those measured when the water now at the section passed upstream (arrival window run backwards), widened by this. @defaultValue 7200000 */
  lookbackToleranceMs: Type.Integer({ default: 7_200_000, minimum: 0 }),
};

const reorderProps = {
  /** Hold readings this long (event time behind the newest, or arrival time) before releasing them in ts order. @defaultValue 60000 */
  watermarkDelayMs: Type.Integer({ default: 60_000, minimum: 0 }),
  /** Most readings held per section; the oldest are released beyond it. @defaultValue 10000 */
  maxHeld: Type.Integer({ default: 10_000, minimum: 1 }),
};

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
