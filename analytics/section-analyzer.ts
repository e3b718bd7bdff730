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
 *
 * Only values flagged N or T reach the pollution detectors; flagged,
 * flat-lined and spike values go to data quality only. A reading not newer
 * than its station's last processed one (a redelivery, or a reading later
 * than the reorder buffer's watermark) is counted and ignored, so it can
 * cause neither a false nor a double alert. No I/O: time comes from the
 * injected clock or the caller of {@link SectionAnalyzer.tick}.
 *
 * What one reading goes through is analyze-reading.ts; each kind of
 * condition is decided in its own file (exceedance-condition.ts,
 * sudden-change-condition.ts, trend-condition.ts, drift-condition.ts).
 */
import {
  AppError,
  ParameterTable,
  classOfSet,
  type AlertEvent,
  type Clock,
  type Reading,
  type Registry,
  type Section,
  type SetClass,
} from '../domain/index.js';
import { UpstreamArrivalTracker, type UpstreamTrackerState } from './detectors/upstream.js';
import { analyzeReading, type AnalyzerStats } from './analyze-reading.js';
import { ConditionBook } from './condition-book.js';
import { DriftCondition } from './drift-condition.js';
import { exceedanceConditions } from './exceedance-condition.js';
import { resolveSectionOptions, type AnalyticsOptionsInput } from './options.js';
import { clearEvent, keys, kindOfKey } from './section-alerts.js';
import { SectionScope } from './section-scope.js';
import { StationState, type StationSnapshot, type SuddenChangeFactory } from './station-state.js';
import { suddenChangeFactory } from './sudden-change-factory.js';
import type { SectionView } from './upstream-attribution.js';

export type { AnalyzerStats } from './analyze-reading.js';
export type { SectionView } from './upstream-attribution.js';

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

export class SectionAnalyzer {
  readonly section: Section;
  readonly stats: AnalyzerStats = { processed: 0, stale: 0, unknownStation: 0 };
  readonly #deps: SectionAnalyzerDeps;
  readonly #stations = new Map<string, StationState>();
  readonly #book: ConditionBook;
  readonly #upstream: UpstreamArrivalTracker;
  readonly #scope: SectionScope;
  readonly #drift: DriftCondition;

  constructor(deps: SectionAnalyzerDeps, snapshot?: SectionAnalyzerSnapshot) {
    const section = deps.registry.section(deps.sectionId);
    if (!section) throw new AppError('RW_CONFIG_INVALID', `analytics: unknown section ${deps.sectionId}`);
    this.section = section;
    this.#deps = deps;
    const options = resolveSectionOptions(deps.options, section.id);
    const parameters = deps.parameters ?? new ParameterTable();
    const activeSinceMs = deps.clock.now();
    for (const station of deps.registry.stationsOf(section.id)) {
      const snap = snapshot?.stations[station.id];
      this.#stations.set(
        station.id,
        new StationState(section, station, options, parameters, activeSinceMs, deps.suddenChange ?? suddenChangeFactory, snap),
      );
    }
    this.#book = new ConditionBook(snapshot?.open);
    this.#upstream = new UpstreamArrivalTracker(deps.registry, section, options.upstream, snapshot?.upstream);
    this.#scope = new SectionScope({
      section,
      registry: deps.registry,
      options,
      parameters,
      stations: this.#stations,
      book: this.#book,
      upstream: this.#upstream,
      upstreamView: deps.upstreamView,
    });
    this.#drift = new DriftCondition(this.#scope);
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
        this.#scope.dq(
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
    if (expired) exceedanceConditions(this.#scope, nowMs);
    this.#scope.upstreamEvents(this.#upstream.advance(nowMs));
    return this.#book.drain();
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
    analyzeReading(this.#scope, this.#drift, this.stats, reading);
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
