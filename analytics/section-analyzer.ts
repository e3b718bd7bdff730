/**
 * Per-section analytics (issue 5): takes the readings of all stations of one
 * section in event-time order and returns alert events — raise and clear —
 * with stable keys:
 *
 * | key | kind | level |
 * |---|---|---|
 * | `exceedance:{sectionId}:{param}` | early-warning (blue) / exceedance (yellow–red) | threshold ladder |
 * | `trend:{sectionId}:{param}` | trend | blue |
 * | `sudden-change:{sectionId}:{stationId}` | sudden-change | yellow / orange / red |
 * | `upstream-arrival:{downstreamId}:{sectionId}` | upstream-arrival (for the section below) | blue |
 * | `dq-offline:{stationId}`, `dq-flag:{stationId}`, `dq-flat:{stationId}:{param}`, `dq-spike:{stationId}:{param}`, `dq-drift:{stationId}:{param}` | data-quality | none |
 *
 * Only values flagged N or T reach the pollution detectors; flagged,
 * flat-lined and spike values go to data quality only. A reading not newer
 * than its station's last processed one (a redelivery, or a reading later
 * than the reorder buffer's watermark) is counted and ignored, so it can
 * cause neither a false nor a double alert. No I/O: time comes from the
 * injected clock or the caller of {@link SectionAnalyzer.tick}.
 */
import {
  AppError,
  ParameterTable,
  classOfSet,
  flagOf,
  isEvidence,
  isPollutionKind,
  type AlertEvent,
  type AlertLevel,
  type ClassLimit,
  type Clock,
  type Reading,
  type Registry,
  type Section,
  type SetClass,
} from '../domain/index.js';
import type { Severity } from './detectors/threshold.js';
import type { SeriesHistory } from './detectors/trend.js';
import {
  arrivalWindow,
  attribute,
  UpstreamArrivalTracker,
  type Attribution,
  type UpstreamTrackerState,
} from './detectors/upstream.js';
import { ConditionBook } from './condition-book.js';
import { resolveSectionOptions, type AnalyticsOptionsInput, type SectionOptions } from './options.js';
import { clearEvent, dataQualityEvent, exceedanceEvent, keys, kindOfKey, suddenEvent, trendEvent } from './section-alerts.js';
import { StationState, type SeriesState, type StationSnapshot, type SuddenChangeFactory } from './station-state.js';
import { usualLevel } from './usual-level.js';
import { looksLikeRecovery, looksLikeRunoff } from './runoff.js';
import { backInLine, DRIFT_NOW_SPAN_MS, DRIFT_REF_AGE_MS, findDrift, minDriftShift } from './drift.js';
import { suddenChangeFactory } from './sudden-change-factory.js';

/** What a section exposes to the section below it (for attribution). */
export interface SectionView {
  /** The section's values of `parameter` (bucket means, all stations) measured between `fromTs` and `toTs`. */
  valuesBetween(parameter: string, fromTs: number, toTs: number): number[];
}

export interface SectionAnalyzerDeps {
  readonly registry: Registry;
  readonly sectionId: string;
  readonly clock: Clock;
  /** Validated options (parseAnalyticsOptions); defaults when omitted. */
  readonly options?: AnalyticsOptionsInput;
  readonly parameters?: ParameterTable;
  /** Sudden-change detector factory; the real detector when omitted (tests inject a stand-in). */
  readonly suddenChange?: SuddenChangeFactory;
  /** Lookup of other sections' views, for attributing an increase to a reach. */
  readonly upstreamView?: (sectionId: string) => SectionView | undefined;
}

/** JSON-safe state of a section analyzer. */
export interface SectionAnalyzerSnapshot {
  readonly version: 1;
  readonly sectionId: string;
  readonly stations: Record<string, StationSnapshot>;
  readonly open: Record<string, AlertEvent>;
  readonly upstream: UpstreamTrackerState;
}

/** Counters an operator watches (readings ignored and why). */
export interface AnalyzerStats {
  processed: number;
  /** Not newer than the station's last processed reading (redelivery or too late). */
  stale: number;
  unknownStation: number;
}

export class SectionAnalyzer {
  readonly section: Section;
  readonly stats: AnalyzerStats = { processed: 0, stale: 0, unknownStation: 0 };
  readonly #deps: SectionAnalyzerDeps;
  readonly #options: SectionOptions;
  readonly #parameters: ParameterTable;
  readonly #stations = new Map<string, StationState>();
  readonly #book: ConditionBook;
  readonly #upstream: UpstreamArrivalTracker;
  readonly #sensitive: boolean;
  /** Last drift check per station and parameter (in memory: at worst one extra check after a restart). */
  readonly #driftCheckedAt = new Map<string, number>();

  constructor(deps: SectionAnalyzerDeps, snapshot?: SectionAnalyzerSnapshot) {
    const section = deps.registry.section(deps.sectionId);
    if (!section) throw new AppError('RW_CONFIG_INVALID', `analytics: unknown section ${deps.sectionId}`);
    this.section = section;
    this.#deps = deps;
    this.#options = resolveSectionOptions(deps.options, section.id);
    this.#parameters = deps.parameters ?? new ParameterTable();
    this.#sensitive = section.drinkingWater || section.boundary;
    const activeSinceMs = deps.clock.now();
    for (const station of deps.registry.stationsOf(section.id)) {
      const snap = snapshot?.stations[station.id];
      this.#stations.set(
        station.id,
        new StationState(
          section,
          station,
          this.#options,
          this.#parameters,
          activeSinceMs,
          deps.suddenChange ?? suddenChangeFactory,
          snap,
        ),
      );
    }
    this.#book = new ConditionBook(snapshot?.open);
    this.#upstream = new UpstreamArrivalTracker(deps.registry, section, this.#options.upstream, snapshot?.upstream);
  }

  /** Rebuilds an analyzer from {@link snapshot} output (after JSON round trip). Throws on a foreign snapshot. */
  static restore(snapshot: unknown, deps: SectionAnalyzerDeps): SectionAnalyzer {
    const s = snapshot as Partial<SectionAnalyzerSnapshot> | null;
    if (!s || s.version !== 1 || s.sectionId !== deps.sectionId || typeof s.stations !== 'object' || typeof s.open !== 'object') {
      throw new AppError('RW_INTERNAL', `analytics: snapshot is not a version-1 snapshot of section ${deps.sectionId}`);
    }
    return new SectionAnalyzer(deps, s as SectionAnalyzerSnapshot);
  }

  snapshot(): SectionAnalyzerSnapshot {
    return {
      version: 1,
      sectionId: this.section.id,
      stations: Object.fromEntries([...this.#stations].map(([id, st]) => [id, st.snapshot()])),
      open: this.#book.snapshot(),
      upstream: this.#upstream.snapshot(),
    };
  }

  /** Processes readings (event-time order expected) and returns the alert events they caused. */
  process(readings: Reading | readonly Reading[]): AlertEvent[] {
    for (const reading of Array.isArray(readings) ? (readings as readonly Reading[]) : [readings as Reading])
      this.#processOne(reading);
    return this.#book.drain();
  }

  /** Clock tick: offline checks and expiry of downstream pre-warnings. */
  tick(nowMs: number = this.#deps.clock.now()): AlertEvent[] {
    for (const st of this.#stations.values()) {
      const { change, silentMs } = st.offline.check(nowMs);
      if (change === 'raise') {
        this.#dq(
          'raise',
          keys.offline(st.station.id),
          st.station.id,
          [],
          nowMs,
          `Station ${st.station.id} sent nothing for ${Math.round(silentMs / 60_000)} min`,
          {
            lastSeenTs: st.offline.lastSeenTs,
            silentS: Math.round(silentMs / 1000),
            thresholdS: Math.round(st.offline.thresholdMs / 1000),
          },
        );
      }
    }
    // A suspect reading whose re-measurement did not come by its deadline is treated as confirmed.
    let expired = false;
    for (const st of this.#stations.values())
      for (const s of st.series.values()) if (s.threshold?.expireSuspect(nowMs)) expired = true;
    if (expired) this.#exceedanceConditions(nowMs);
    this.#upstreamEvents(this.#upstream.advance(nowMs));
    return this.#book.drain();
  }

  /** Whether another station of the section reads `key` past the target now (it backs up a lone jump here). */
  #pastTargetElsewhere(key: string, stationId: string): boolean {
    for (const other of this.#stations.values()) {
      if (other.station.id === stationId) continue;
      if ((other.series.get(key)?.threshold?.level ?? 0) >= 2) return true;
    }
    return false;
  }

  /**
   * Refills detector windows from historical readings without emitting
   * anything, so a restart neither blinds the detectors nor re-raises what
   * is already open. With `knownOpenKeys` (the alerts side's open keys of
   * this analyzer), returns the events that reconcile it: raises for
   * conditions open here but unknown there, clears for the reverse.
   */
  warmStart(history: readonly Reading[], knownOpenKeys?: ReadonlySet<string>): AlertEvent[] {
    const sorted = [...history].sort((a, b) => a.ts - b.ts);
    this.#book.silent = true;
    try {
      for (const r of sorted) this.#processOne(r);
    } finally {
      this.#book.silent = false;
    }
    if (!knownOpenKeys) return [];
    const open = this.openAlerts();
    const openKeys = new Set(open.map((e) => e.key));
    const out = open.filter((e) => !knownOpenKeys.has(e.key));
    for (const key of knownOpenKeys) {
      if (openKeys.has(key) || !this.#owns(key)) continue;
      out.push(this.#clearOf(key));
    }
    return out;
  }

  /** The latest raise of every condition this analyzer holds open. */
  openAlerts(): AlertEvent[] {
    return this.#book.openEvents();
  }

  /** Section class now (single-factor, GB 3838) from the latest evidence per parameter, worst station per parameter. */
  currentClass(): SetClass & { readonly values: Readonly<Record<string, number>> } {
    const worst: Record<string, number> = {};
    const worstClass: Record<string, number> = {};
    for (const st of this.#stations.values()) {
      for (const s of st.series.values()) {
        if (!s.latest || s.flat.open) continue;
        const single = classOfSet({ [s.key]: s.latest.value }, this.section.waterBody).perParameter[s.key];
        if (single === undefined) continue;
        if (worstClass[s.key] === undefined || single > (worstClass[s.key] as number)) {
          worstClass[s.key] = single;
          worst[s.key] = s.latest.value;
        }
      }
    }
    return { ...classOfSet(worst, this.section.waterBody), values: worst };
  }

  /** This section as seen from the section below it. */
  view(): SectionView {
    return {
      valuesBetween: (parameter, fromTs, toTs) => {
        const values: number[] = [];
        for (const st of this.#stations.values())
          values.push(...(st.series.get(parameter)?.trend?.history.valuesBetween(fromTs, toTs) ?? []));
        return values;
      },
    };
  }

  #processOne(reading: Reading): void {
    if (reading.sectionId !== this.section.id) return;
    const st = this.#stations.get(reading.stationId);
    if (!st) {
      this.stats.unknownStation += 1;
      return;
    }
    if (st.lastTs !== undefined && reading.ts <= st.lastTs) {
      this.stats.stale += 1;
      return;
    }
    st.lastTs = reading.ts;
    this.stats.processed += 1;
    const ts = reading.ts;
    const stationId = st.station.id;

    // Offline means "nothing received" (processing time): a station uploading its backlog after a link
    // outage, or a simulation catching up, is sending even though its readings are old.
    if (st.offline.seen(Math.max(ts, reading.receivedAt)) === 'clear')
      this.#dq('clear', keys.offline(stationId), stationId, [], ts, `Station ${stationId} is sending again`, {});

    const flagChange = st.flags.update(Object.keys(reading.values), reading.flags);
    if (flagChange) {
      const flagged = st.flags.flagged;
      const flaggedKeys = Object.keys(flagged).sort();
      const message =
        flagChange === 'raise'
          ? `Station ${stationId} reports ${flaggedKeys.map((k) => `${k}:${flagged[k]}`).join(', ')}`
          : `Station ${stationId} flags are back to normal`;
      this.#dq(flagChange, keys.flag(stationId), stationId, flaggedKeys, ts, message, { flags: { ...flagged } });
    }

    const evidence: Record<string, number | undefined> = {};
    let thresholdChanged = false;
    for (const key in reading.values) {
      const value = reading.values[key] as number;
      if (!Number.isFinite(value)) continue;
      const series = st.seriesFor(key);
      const intervalMs = series.observe(ts);
      const flag = flagOf(reading, key);
      if (!isEvidence(flag)) continue; // fault/maintenance/calibration: data quality only (DESIGN.md)

      const flat = series.flat.update(ts, value);
      if (flat === 'raise') {
        this.#dq(
          'raise',
          keys.flat(stationId, key),
          stationId,
          [key],
          ts,
          `${key} at ${stationId} stuck at ${value} since ${new Date(series.flat.runStartTs as number).toISOString()}`,
          {
            values: { [key]: value },
            runStartTs: series.flat.runStartTs,
            samples: series.flat.runCount,
          },
        );
        // The stuck sensor's earlier values are not evidence either.
        if (series.threshold?.reset()) thresholdChanged = true;
        series.latest = undefined;
      } else if (flat === 'clear') {
        this.#dq('clear', keys.flat(stationId, key), stationId, [key], ts, `${key} at ${stationId} is moving again`, {
          values: { [key]: value },
        });
      }
      if (series.flat.open) continue;

      const drift = this.#driftCheck(st, series, key, ts);
      if (drift !== 'none') {
        // A drifting sensor's values are data quality only; its history keeps being recorded to see it come back in line.
        series.trend?.history.add(ts, value);
        if (drift === 'raised') {
          if (series.threshold?.reset()) thresholdChanged = true;
          series.latest = undefined;
          this.#trendCondition(key, ts);
        }
        continue;
      }

      const spike = series.spike.update(ts, value, intervalMs);
      if (spike.spikeTs !== undefined) series.threshold?.retract(spike.spikeTs);
      if (spike.change) {
        const message =
          spike.change === 'raise'
            ? `${key} at ${stationId}: ${spike.count} implausible spikes within ${Math.round(this.#options.parameter(key).spike.windowMs / 3_600_000)} h (latest ${spike.spikeValue})`
            : `${key} at ${stationId}: no further spikes`;
        this.#dq(spike.change, keys.spike(stationId, key), stationId, [key], ts, message, {
          values: spike.spikeValue === undefined ? {} : { [key]: spike.spikeValue },
          spikeTs: spike.spikeTs,
          spikes: spike.count,
          scale: spike.scale,
        });
      }

      // A logger repeating the last 4-h analyzer result is not a new measurement for the sudden-change detector.
      const repeat =
        series.latest !== undefined &&
        series.latest.value === value &&
        this.#options.suddenChange.repeatedValuesAreStale.includes(key);
      if (!repeat) evidence[key] = value;
      if (series.latest) {
        series.latest.ts = ts;
        series.latest.value = value;
        series.latest.flag = flag;
      } else series.latest = { ts, value, flag };
      if (series.threshold) {
        const corroborated = st.suddenEvent !== undefined || this.#pastTargetElsewhere(key, stationId);
        const usual = series.trend ? (usualLevel(series, key, ts) ?? null) : undefined;
        if (series.threshold.update({ ts, value, flag, intervalMs, corroborated, usual })) thresholdChanged = true;
      }
      if (series.trend) {
        const t = series.trend.update(ts, value);
        if (t.change) this.#trendCondition(key, ts);
      }
    }

    const suddenChanged = this.#sudden(st, ts, evidence);
    if (thresholdChanged || suddenChanged) this.#exceedanceConditions(ts);
    // A threshold change can turn an ongoing sudden change red (sudden-pollution pattern), so re-judge it too.
    if (suddenChanged || (thresholdChanged && st.suddenEvent)) this.#suddenCondition(st, ts);
    this.#upstreamEvents(this.#upstream.advance(ts));
  }

  /** Feeds the sudden-change engine; returns whether the station's event state changed. */
  #sudden(st: StationState, ts: number, evidence: Record<string, number | undefined>): boolean {
    if (!st.sudden) return false;
    const r = st.sudden.update(ts, evidence);
    const context = this.#options.suddenChange.contextParameters;
    const moving = r.outliers.filter((k) => !context.includes(k));
    if (r.inEvent && !r.ended) {
      const before = st.suddenEvent;
      const parameters = [...new Set([...(before?.parameters ?? []), ...moving])].sort();
      const baseline: Record<string, number> = { ...(before?.baseline ?? {}) };
      for (const k of parameters) if (baseline[k] === undefined && r.baseline[k] !== undefined) baseline[k] = r.baseline[k];
      st.suddenEvent = { startTs: before?.startTs ?? ts, parameters, score: Math.max(before?.score ?? 0, r.score), baseline };
      return !before || before.parameters.length !== parameters.length;
    }
    if (st.suddenEvent) {
      st.suddenEvent = undefined;
      return true;
    }
    return false;
  }

  #suddenCondition(st: StationState, ts: number): void {
    const stationId = st.station.id;
    const ev = st.suddenEvent;
    if (!ev) {
      this.#pollution(
        clearEvent(
          keys.sudden(this.section.id, stationId),
          'sudden-change',
          this.section.id,
          stationId,
          [],
          ts,
          `Sudden change at ${stationId} has ended`,
        ),
        undefined,
      );
      return;
    }
    const o = this.#options.suddenChange;
    let level = (ev.parameters.length >= o.multiParameterMin ? o.multiParameterLevel : o.singleParameterLevel) as AlertLevel;
    const pollution = this.#suddenPollution(st);
    if (pollution) level = 'red';
    const values: Record<string, number> = {};
    for (const k of ev.parameters) {
      const latest = st.series.get(k)?.latest;
      if (latest) values[k] = latest.value;
    }
    const latest = (k: string): number | undefined => st.series.get(k)?.latest?.value;
    const recovering = st.runoffUntilTs !== undefined && ev.startTs <= st.runoffUntilTs;
    const runoff =
      !pollution && o.runoffNotice && (looksLikeRunoff(ev, latest) || (recovering && looksLikeRecovery(ev, latest)));
    if (runoff) st.runoffUntilTs = Math.max(st.runoffUntilTs ?? 0, ts + o.runoffRecoveryMs);
    this.#pollution(suddenEvent(this.section, stationId, ev, level, values, ts, runoff), ev.startTs);
  }

  /** Sudden-pollution pattern at a drinking-water or boundary section: sudden change plus a confirmed 劣V value at the station. */
  #suddenPollution(st: StationState): boolean {
    if (!this.#sensitive || !this.#options.suddenChange.sensitiveSectionRed || !st.suddenEvent) return false;
    for (const s of st.series.values()) if ((s.threshold?.level ?? 0) >= 3) return true;
    return false;
  }

  /** Section-level threshold conditions: worst station per parameter. */
  #exceedanceConditions(ts: number): void {
    const parameters = new Set<string>();
    for (const st of this.#stations.values()) for (const [k, s] of st.series) if (s.threshold) parameters.add(k);
    for (const key of parameters) {
      let worst: { st: StationState; s: SeriesState; level: Severity } | undefined;
      for (const st of this.#stations.values()) {
        const s = st.series.get(key);
        if (!s?.threshold) continue;
        let level = s.threshold.level;
        if (level >= 3 && this.#suddenPollution(st)) level = 4;
        if (!worst || level > worst.level) worst = { st, s, level };
      }
      const condKey = keys.exceedance(this.section.id, key);
      const open = this.#book.get(condKey);
      if (!worst || worst.level === 0) {
        if (open)
          this.#pollution(
            clearEvent(
              condKey,
              open.kind,
              this.section.id,
              undefined,
              [key],
              ts,
              `${key} at ${this.section.id} is back within the target`,
            ),
            undefined,
          );
        continue;
      }
      const det = worst.s.threshold as NonNullable<SeriesState['threshold']>;
      const value = worst.s.latest?.value ?? det.peak?.value;
      const limit = det.rule.targetLimit;
      // The usual level at onset decides whether the condition is a change that travels (pre-warnings, issue 13 §5);
      // judged once, when the condition opens, like the attribution.
      // Without enough history for a usual level, what the water was just before the onset stands in for it.
      const usual = open
        ? (open.evidence.usual as number | undefined)
        : (usualLevel(worst.s, key, det.onsetTs ?? ts) ?? det.preOnsetValue);
      // Attribution is judged once, when the condition opens, and kept while it lasts.
      const attribution = open
        ? (open.evidence.attribution as Attribution | undefined)
        : value === undefined
          ? undefined
          : this.#attribute(key, value, det.onsetTs ?? ts, limit);
      const event = exceedanceEvent({
        section: this.section,
        stationId: worst.st.station.id,
        parameter: key,
        level: worst.level,
        value,
        limit,
        onsetTs: det.onsetTs,
        peak: det.peak,
        attribution,
        usual,
        onsetValue: open ? (open.evidence.onsetValue as number | undefined) : value,
        suspect: det.suspect,
        ts,
        parameters: this.#parameters,
      });
      this.#pollution(event, det.onsetTs);
    }
  }

  /**
   * Compares with the upstream section(s) at the times the water now here
   * passed them: the departure window is the arrival window run backwards
   * (onset − (t_p + k·σ_t) … onset − leading edge), widened by the lookback
   * tolerance; the worst upstream value in it is used.
   */
  #attribute(key: string, value: number, atTs: number, limit: ClassLimit): Attribution | undefined {
    const lookup = this.#deps.upstreamView;
    const ups = this.#deps.registry.upstreamOf(this.section.id);
    if (!lookup || ups.length === 0) return undefined;
    const o = this.#options.upstream;
    const upstream = ups.map((u) => {
      const link = u.downstream as NonNullable<typeof u.downstream>;
      const w = arrivalWindow(link.distanceKm, (link.distanceKm * 1000) / link.velocityMps, o);
      const values =
        lookup(u.id)?.valuesBetween(
          key,
          atTs - w.toS * 1000 - o.lookbackToleranceMs,
          atTs - w.fromS * 1000 + o.lookbackToleranceMs,
        ) ?? [];
      const worst = values.length === 0 ? undefined : limit.kind === 'lower' ? Math.min(...values) : Math.max(...values);
      return { sectionId: u.id, value: worst };
    });
    return attribute(this.#deps.registry, this.section, value, upstream, limit, o);
  }

  /**
   * Drift against the section's other stations (analytics/drift.ts), judged
   * once per trend bucket: 'raised' when a drift starts with this reading,
   * 'open' while it lasts, 'none' otherwise (and when it has just ended).
   */
  #driftCheck(st: StationState, series: SeriesState, key: string, ts: number): 'raised' | 'open' | 'none' {
    const own = series.trend?.history;
    if (!own) return 'none';
    const open = st.drift[key];
    const checkKey = `${st.station.id}:${key}`;
    const last = this.#driftCheckedAt.get(checkKey);
    if (last !== undefined && ts - last < own.bucketMs) return open ? 'open' : 'none';
    this.#driftCheckedAt.set(checkKey, ts);
    const others: SeriesHistory[] = [];
    for (const other of this.#stations.values()) {
      const h = other.series.get(key)?.trend?.history;
      if (other !== st && h && !other.drift[key]) others.push(h);
    }
    if (others.length === 0) return open ? 'open' : 'none';
    const limit = series.threshold?.rule.targetLimit;
    const level = series.latest?.value ?? 0;
    const minShift = minDriftShift(limit, level);
    const stationId = st.station.id;
    if (open) {
      if (!backInLine(own, others, ts, open.refOffset, minShift)) return 'open';
      delete st.drift[key];
      // What the drifting sensor reported must not make a trend now that it is back in line.
      own.dropBetween(open.sinceTs, ts - DRIFT_NOW_SPAN_MS);
      this.#dq('clear', keys.drift(stationId, key), stationId, [key], ts, `${key} at ${stationId} is back in line with the section's other stations`, {});
      return 'none';
    }
    if (st.suddenEvent) return 'none';
    const found = findDrift(own, others, ts, minShift);
    if (!found) return 'none';
    st.drift[key] = { refOffset: found.refOffset, sinceTs: ts - DRIFT_REF_AGE_MS };
    this.#dq(
      'raise',
      keys.drift(stationId, key),
      stationId,
      [key],
      ts,
      `${key} at ${stationId} drifts away from the section's other stations (offset ${found.offset.toFixed(3)}, was ${found.refOffset.toFixed(3)}): check the sensor`,
      { offset: found.offset, refOffset: found.refOffset, minShift },
    );
    return 'raised';
  }

  #trendCondition(key: string, ts: number): void {
    for (const st of this.#stations.values()) {
      const t = st.series.get(key)?.trend;
      if (!t?.open || st.drift[key]) continue;
      this.#pollution(trendEvent(this.section, st.station.id, key, t.evaluate(), ts), undefined);
      return;
    }
    const condKey = keys.trend(this.section.id, key);
    if (this.#book.isOpen(condKey))
      this.#pollution(
        clearEvent(condKey, 'trend', this.section.id, undefined, [key], ts, `Trend of ${key} at ${this.section.id} has ended`),
        undefined,
      );
  }

  #pollution(event: AlertEvent, onsetTs: number | undefined): void {
    if (!this.#book.put(event)) return;
    if (isPollutionKind(event.kind)) this.#upstreamEvents(this.#upstream.onOriginEvent(event, onsetTs));
  }

  #upstreamEvents(events: AlertEvent[]): void {
    for (const e of events) this.#book.put(e);
  }

  #dq(
    type: 'raise' | 'clear',
    key: string,
    stationId: string,
    parameters: string[],
    ts: number,
    message: string,
    evidence: Record<string, unknown>,
  ): void {
    this.#book.put(dataQualityEvent(type, key, this.section.id, stationId, parameters, ts, message, evidence));
  }

  /** Whether a key belongs to this analyzer (for reconciliation). */
  #owns(key: string): boolean {
    const [kind, a, b] = key.split(':');
    if (kind === 'upstream-arrival') return b === this.section.id;
    if (kind?.startsWith('dq-')) return a !== undefined && this.#stations.has(a);
    return a === this.section.id;
  }

  #clearOf(key: string): AlertEvent {
    const kind = kindOfKey(key);
    const sectionId = kind === 'upstream-arrival' ? (key.split(':')[1] as string) : this.section.id;
    return clearEvent(key, kind, sectionId, undefined, [], this.#deps.clock.now(), `Condition ${key} is no longer open`);
  }
}
