/**
 * Options that hold for a whole section (offline checks, how sudden changes
 * become alerts, upstream pre-warnings, the reorder buffer): overridable per
 * section, not per parameter. Made into schemas, composed, defaulted and
 * resolved in options.ts; every key with its default is listed in
 * docs/analytics.md.
 */
import { Type } from 'typebox';

const level = (defaultValue: 'blue' | 'yellow' | 'orange' | 'red') =>
  Type.Union([Type.Literal('blue'), Type.Literal('yellow'), Type.Literal('orange'), Type.Literal('red')], {
    default: defaultValue,
  });

/** Offline check (detectors/data-quality.ts). */
export const offlineProps = {
  /** Offline after this many sampling intervals without a reading ... @defaultValue 3 */
  intervals: Type.Number({ default: 3, minimum: 1 }),
  /** ... plus this grace. After a (re)start each station gets the full threshold again (no storm). @defaultValue 600000 */
  graceMs: Type.Integer({ default: 600_000, minimum: 0 }),
};

/** How sudden changes become alerts (sudden-change-condition.ts); `detector` holds the detector's own options. */
export const suddenChangeProps = {
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

/** Upstream attribution and downstream pre-warnings (detectors/upstream.ts). */
export const upstreamProps = {
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

/** Reorder buffer (reorder-buffer.ts). */
export const reorderProps = {
  /** Hold readings this long (event time behind the newest, or arrival time) before releasing them in ts order. @defaultValue 60000 */
  watermarkDelayMs: Type.Integer({ default: 60_000, minimum: 0 }),
  /** Most readings held per section; the oldest are released beyond it. @defaultValue 10000 */
  maxHeld: Type.Integer({ default: 10_000, minimum: 1 }),
  /**
   * ... and at most this many per station of the section (so a section holds at most this times its stations):
   * a station reporting every minute or less often has one reading in a 60 s hold; ten cover a 6 s cadence.
   * Beyond it the oldest held readings of the section are released, in order. @defaultValue 10
   */
  maxHeldPerStation: Type.Integer({ default: 10, minimum: 1 }),
};
