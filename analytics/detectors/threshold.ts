/**
 * Target-class check per series (issue 5 §2): class of each value against the
 * section's GB 3838 target, an early-warning band below the limit, M-of-N
 * persistence before raising and hysteresis before lowering or clearing, so
 * a value hovering at the limit raises once and does not flap.
 *
 * The severity ladder and how one value is judged against it are
 * threshold-rule.ts; a lone reading held for its re-measurement is
 * suspect-reading.ts. This file is the state machine of one series.
 */
import type { DataFlag } from '../../domain/index.js';
import { effectiveCount, type ThresholdOptions } from '../options.js';
import {
  approachingSeverity,
  buildRule,
  holdSeverity,
  raiseSeverity,
  type Severity,
  type ThresholdRule,
  type ThresholdTarget,
} from './threshold-rule.js';
import { isSuspectJump, type SuspectReading } from './suspect-reading.js';

export {
  assessValue,
  buildRule,
  holdSeverity,
  raiseSeverity,
  SEVERITY_LEVEL,
  thresholdApplies,
  type Severity,
  type ThresholdAssessment,
  type ThresholdRule,
  type ThresholdTarget,
} from './threshold-rule.js';
export type { SuspectReading } from './suspect-reading.js';

/** One evidence sample of a series. */
export interface ThresholdSample {
  readonly ts: number;
  readonly value: number;
  /** N or T only: other flags are not evidence and must not reach the detector. */
  readonly flag: DataFlag;
  /** The series' sampling interval (estimated), for the duration caps and gap rule. */
  readonly intervalMs: number;
  /**
   * The series' usual level at this time (analyzer: recent median, or the
   * same time on previous days); `null` while too little history is kept to
   * know it (then no band value counts as approaching); undefined where no
   * history is kept at all (then the band alone decides).
   */
  readonly usual?: number | null;
  /** Something else backs this reading up (the station's other parameters are changing, another station reads past the target): never suspect. */
  readonly corroborated?: boolean;
}

/** A change of the confirmed level. */
export interface ThresholdChange {
  readonly from: Severity;
  readonly to: Severity;
  /** First sample of the episode (for travel-time predictions and evidence). */
  readonly onsetTs: number | undefined;
  /** Samples counted / needed (raise) or released samples (clear). */
  readonly count: number;
  readonly needed: number;
  /** How a suspect reading was settled by this change, if it was. */
  readonly suspect?: 'held' | 'confirmed' | 'refuted' | 'deadline';
}

/** JSON-safe detector state. */
export interface ThresholdState {
  level: Severity;
  /** Persistence window, oldest first: sample times and their severities. */
  windowTs: number[];
  windowSev: Severity[];
  lastTs: number | undefined;
  onsetTs: number | undefined;
  releaseRun: number;
  releaseMax: Severity;
  peak: { ts: number; value: number; sev: Severity } | undefined;
  /** The previous evidence value (absent in state written before issue 13). */
  lastValue?: number;
  /** The evidence value just before the current episode's onset: what the water was before it changed. */
  preOnsetValue?: number;
  suspect?: SuspectReading;
}

const initialState = (): ThresholdState => ({
  level: 0,
  windowTs: [],
  windowSev: [],
  lastTs: undefined,
  onsetTs: undefined,
  releaseRun: 0,
  releaseMax: 0,
  peak: undefined,
});

/** Persistence and hysteresis state machine of one series (one station, one parameter). */
export class ThresholdDetector {
  readonly target: ThresholdTarget;
  readonly rule: ThresholdRule;
  readonly #o: ThresholdOptions;
  #s: ThresholdState;

  /** Throws if the parameter has no GB 3838 limit; check {@link thresholdApplies} first. */
  constructor(target: ThresholdTarget, options: ThresholdOptions, state?: ThresholdState) {
    const rule = buildRule(target, options);
    if (!rule) throw new Error(`no GB 3838 limit for ${target.key}`);
    this.target = target;
    this.rule = rule;
    this.#o = options;
    this.#s = state ? structuredClone(state) : initialState();
  }

  /** Confirmed severity (0 = no open condition). */
  get level(): Severity {
    return this.#s.level;
  }

  get onsetTs(): number | undefined {
    return this.#s.onsetTs;
  }

  /** The value read just before the current episode began (undefined for an episode that began with the first reading). */
  get preOnsetValue(): number | undefined {
    return this.#s.onsetTs === undefined ? undefined : this.#s.preOnsetValue;
  }

  /** The reading waiting for its re-measurement, if any (the level is held at blue meanwhile). */
  get suspect(): SuspectReading | undefined {
    return this.#s.suspect;
  }

  /** Worst value of the current episode. */
  get peak(): { readonly ts: number; readonly value: number } | undefined {
    return this.#s.peak;
  }

  /** Feeds one evidence sample; returns the change of the confirmed level, if any. */
  update(sample: ThresholdSample): ThresholdChange | undefined {
    const levelBefore = this.#s.level;
    const change = this.#update(sample);
    if (change || this.#s.level === levelBefore) return change;
    // Only the deadline moved the level (the sample itself changed nothing more).
    return { from: levelBefore, to: this.#s.level, onsetTs: this.#s.onsetTs, count: 1, needed: 1, suspect: 'deadline' };
  }

  #update(sample: ThresholdSample): ThresholdChange | undefined {
    const o = this.#o;
    const s = this.#s;
    const rawSev = raiseSeverity(this.rule, sample.value, sample.flag);
    const sev = approachingSeverity(this.rule, rawSev, sample.value, sample.usual, o.earlyWarningMinRiseFraction);
    // A long gap breaks persistence: samples before it do not confirm samples after it.
    if (s.lastTs !== undefined && sample.ts - s.lastTs > o.gapResetIntervals * sample.intervalMs) this.#clearWindow();
    s.lastTs = sample.ts;
    const previousValue = s.lastValue;
    s.lastValue = sample.value;

    // A reading after the deadline comes too late to settle a suspect one: the deadline confirmed it (event time,
    // so a replay and a live run agree). The reading then counts as itself (it may start the release).
    if (s.suspect && sample.ts > s.suspect.deadlineTs) this.expireSuspect(s.suspect.deadlineTs);
    // The next reading settles a suspect one: past the target too, it confirms it; back below, it refutes it.
    let settled: ThresholdChange['suspect'];
    if (s.suspect) {
      const suspect = s.suspect;
      s.suspect = undefined;
      if (sev >= 2) {
        settled = 'confirmed';
        // The re-measurement confirms the exceedance, and as much of its severity as it shows itself.
        const i = s.windowTs.indexOf(suspect.ts);
        if (i >= 0) s.windowSev[i] = Math.min(s.windowSev[i] as Severity, sev) as Severity;
      } else {
        settled = 'refuted';
        this.retract(suspect.ts);
        if (s.peak?.ts === suspect.ts) s.peak = undefined;
      }
    }

    const needed = effectiveCount(o.raiseCount, o.raiseMaxWaitMs, sample.intervalMs);
    // The early-warning band is never raised on one reading of a slow series: the next one must show it too.
    const bandNeeded = Math.max(needed, Math.min(o.earlyWarningMinCount, o.raiseCount));
    const windowSize = Math.max(bandNeeded, o.raiseWindow - o.raiseCount + needed);
    s.windowTs.push(sample.ts);
    s.windowSev.push(sev);
    while (s.windowTs.length > windowSize) {
      s.windowTs.shift();
      s.windowSev.shift();
    }

    // atLeast[l] = samples in the window with severity ≥ l
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    for (const w of s.windowSev) {
      if (w >= 1) a1++;
      if (w >= 2) a2++;
      if (w >= 3) a3++;
      if (w >= 4) a4++;
    }
    // The episode starts at the first non-zero sample; it is forgotten only once the whole window is quiet.
    if (s.level === 0 && a1 === 0) {
      s.onsetTs = undefined;
      s.peak = undefined;
    } else if (s.onsetTs === undefined) {
      s.onsetTs = sample.ts;
      s.preOnsetValue = previousValue;
    }
    if (
      sev > 0 &&
      (s.peak === undefined || sev > s.peak.sev || (sev === s.peak.sev && this.#moreExtreme(sample.value, s.peak.value)))
    ) {
      s.peak = { ts: sample.ts, value: sample.value, sev };
    }

    let confirmed: Severity = 0;
    let count = 0;
    if (a4 >= needed) [confirmed, count] = [4, a4];
    else if (a3 >= needed) [confirmed, count] = [3, a3];
    else if (a2 >= needed) [confirmed, count] = [2, a2];
    else if (a1 >= bandNeeded) [confirmed, count] = [1, a1];
    if (o.provisional && s.level === 0 && confirmed === 0 && sev >= 2) [confirmed, count] = [1, 1];

    if (settled === 'refuted') {
      // The suspect reading is forgotten: the level is what the remaining evidence shows, at once.
      const from = s.level;
      s.level = confirmed;
      if (confirmed === 0) {
        s.onsetTs = undefined;
        s.peak = undefined;
      }
      return { from, to: confirmed, onsetTs: s.onsetTs, count, needed, suspect: 'refuted' };
    }
    if (
      confirmed >= 2 &&
      s.level < 2 &&
      count === 1 &&
      !sample.corroborated &&
      isSuspectJump(this.rule, previousValue, sample.value, sample.flag, o)
    ) {
      // One reading far out of line with the last: suspect, not proof. Blue until it is re-measured.
      s.suspect = { ts: sample.ts, value: sample.value, severity: confirmed, deadlineTs: sample.ts + o.confirmWithinMs };
      const from = s.level;
      s.level = 1;
      return { from, to: 1, onsetTs: s.onsetTs, count, needed, suspect: 'held' };
    }
    if (confirmed > s.level) {
      const from = s.level;
      s.level = confirmed;
      s.releaseRun = 0;
      s.releaseMax = 0;
      const why = { count, needed: confirmed === 1 ? bandNeeded : needed, ...(settled ? { suspect: settled } : {}) };
      return { from, to: confirmed, onsetTs: s.onsetTs, ...why };
    }
    if (s.level === 0) return undefined;

    let hold = holdSeverity(this.rule, sample.value, sample.flag);
    // In the band but no worse than usual: not approaching any more, so a blue level is released like below the band.
    if (rawSev === 1 && sev === 0 && hold === 1) hold = 0;
    if (hold < s.level) {
      s.releaseRun += 1;
      s.releaseMax = Math.max(s.releaseMax, hold) as Severity;
    } else {
      s.releaseRun = 0;
      s.releaseMax = 0;
    }
    const clearNeeded = effectiveCount(o.clearCount, o.clearMaxWaitMs, sample.intervalMs);
    if (s.releaseRun < clearNeeded) return undefined;

    const from = s.level;
    const released = s.releaseRun;
    s.level = s.releaseMax;
    this.#clearWindow();
    s.releaseRun = 0;
    s.releaseMax = 0;
    const onsetTs = s.onsetTs;
    if (s.level === 0) {
      s.onsetTs = undefined;
      s.peak = undefined;
    }
    return { from, to: s.level, onsetTs, count: released, needed: clearNeeded };
  }

  /**
   * No re-measurement of the suspect reading by its deadline: it is treated
   * as confirmed and the level it would have raised applies (a station that
   * cannot measure again must not hide a real spill).
   */
  expireSuspect(nowMs: number): ThresholdChange | undefined {
    const suspect = this.#s.suspect;
    if (!suspect || nowMs < suspect.deadlineTs) return undefined;
    this.#s.suspect = undefined;
    const from = this.#s.level;
    if (suspect.severity <= from) return undefined;
    this.#s.level = suspect.severity;
    return { from, to: suspect.severity, onsetTs: this.#s.onsetTs, count: 1, needed: 1, suspect: 'deadline' };
  }

  /**
   * Forgets a sample already counted (an isolated implausible spike found by
   * data quality one sample later), so it cannot help confirm a raise.
   */
  retract(ts: number): void {
    const i = this.#s.windowTs.indexOf(ts);
    if (i < 0) return;
    this.#s.windowTs.splice(i, 1);
    this.#s.windowSev.splice(i, 1);
  }

  /** Drops all evidence (e.g. the sensor turned out to be stuck); returns the change if a level was open. */
  reset(): ThresholdChange | undefined {
    const from = this.#s.level;
    const onsetTs = this.#s.onsetTs;
    this.#s = { ...initialState(), lastTs: this.#s.lastTs };
    return from === 0 ? undefined : { from, to: 0, onsetTs, count: 0, needed: 0 };
  }

  #clearWindow(): void {
    this.#s.windowTs = [];
    this.#s.windowSev = [];
  }

  snapshot(): ThresholdState {
    return structuredClone(this.#s);
  }

  #moreExtreme(a: number, b: number): boolean {
    if (this.rule.kind === 'lower') return a < b;
    if (this.rule.kind === 'upper') return a > b;
    return Math.abs(a - 7.5) > Math.abs(b - 7.5);
  }
}
