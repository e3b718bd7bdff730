/**
 * What the parts of one section analyzer share: the section, its options,
 * its stations' detector state and the book of open conditions, with the
 * two ways a condition enters the book (pollution, which may pre-warn the
 * sections below, and data quality, which never does). The analyzer
 * (section-analyzer.ts) builds one per section; the condition files
 * (exceedance-condition.ts, sudden-change-condition.ts, trend-condition.ts,
 * drift-condition.ts) and analyze-reading.ts work on it. No I/O.
 */
import { isPollutionKind, type AlertEvent, type ParameterTable, type Registry, type Section } from '../domain/index.js';
import type { ConditionBook } from './condition-book.js';
import type { UpstreamArrivalTracker } from './detectors/upstream.js';
import type { SectionOptions } from './options.js';
import { dataQualityEvent } from './section-alerts.js';
import type { StationState } from './station-state.js';
import type { SectionView } from './upstream-attribution.js';

export class SectionScope {
  readonly section: Section;
  readonly registry: Registry;
  readonly options: SectionOptions;
  readonly parameters: ParameterTable;
  readonly stations: ReadonlyMap<string, StationState>;
  readonly book: ConditionBook;
  readonly upstream: UpstreamArrivalTracker;
  /** Lookup of other sections' views, for attributing an increase to a reach. */
  readonly upstreamView: ((sectionId: string) => SectionView | undefined) | undefined;
  /** A drinking-water or boundary section (the sudden-pollution pattern turns red there). */
  readonly sensitive: boolean;

  constructor(
    parts: Pick<
      SectionScope,
      'section' | 'registry' | 'options' | 'parameters' | 'stations' | 'book' | 'upstream' | 'upstreamView'
    >,
  ) {
    this.section = parts.section;
    this.registry = parts.registry;
    this.options = parts.options;
    this.parameters = parts.parameters;
    this.stations = parts.stations;
    this.book = parts.book;
    this.upstream = parts.upstream;
    this.upstreamView = parts.upstreamView;
    this.sensitive = parts.section.drinkingWater || parts.section.boundary;
  }

  /** Puts a pollution event in the book; a change there may raise or end pre-warnings downstream. */
  pollution(event: AlertEvent, onsetTs: number | undefined): void {
    if (!this.book.put(event)) return;
    if (isPollutionKind(event.kind)) this.upstreamEvents(this.upstream.onOriginEvent(event, onsetTs));
  }

  upstreamEvents(events: AlertEvent[]): void {
    for (const e of events) this.book.put(e);
  }

  /** Puts a data-quality event in the book (no level, never pre-warns). */
  dq(
    type: 'raise' | 'clear',
    key: string,
    stationId: string,
    parameters: string[],
    ts: number,
    message: string,
    evidence: Record<string, unknown>,
  ): void {
    this.book.put(dataQualityEvent(type, key, this.section.id, stationId, parameters, ts, message, evidence));
  }

  /** Whether another station of the section reads `key` past the target now (it backs up a lone jump here). */
  pastTargetElsewhere(key: string, stationId: string): boolean {
    for (const other of this.stations.values()) {
      if (other.station.id === stationId) continue;
      if ((other.series.get(key)?.threshold?.level ?? 0) >= 2) return true;
    }
    return false;
  }
}
