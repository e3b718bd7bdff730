/**
 * Current water-quality class of a station (from its latest reading) and of
 * a section (from analytics' hourly `section_class`, or from its stations'
 * latest readings when analytics has nothing recent). GB 3838 single-factor
 * evaluation (domain/gb3838.ts); only N and T values count as evidence
 * (DESIGN.md "Readings over MQTT"). Pure.
 */
import {
  classOfSet,
  classOfValue,
  isClassParameter,
  isEvidence,
  limitFor,
  meetsLimit,
  type ClassLimit,
  type DataFlag,
  type Section,
  type WaterClass,
} from '../../domain/index.js';
import type { SectionClassPoint, StationLatest } from './readings-queries.js';

export interface ParameterReading {
  readonly value: number;
  readonly flag: DataFlag;
  /** Class of this value alone; undefined where GB 3838 gives none (temperature, conductivity, turbidity). */
  readonly cls: WaterClass | undefined;
  /** Limit of the section's target class, if the parameter has one. */
  readonly limit: ClassLimit | undefined;
  /** The value misses the target limit (flagged values never count). */
  readonly exceedsTarget: boolean;
}

export interface StationClass {
  readonly cls: WaterClass | undefined;
  readonly deciding: readonly string[];
  readonly parameters: Readonly<Record<string, ParameterReading>>;
}

export type ClassSource = 'analytics' | 'latest-readings';

export interface SectionCurrentClass {
  readonly cls: WaterClass;
  readonly deciding: readonly string[];
  /** Time of the class point or of the newest reading it was derived from, epoch ms. */
  readonly at: number;
  readonly source: ClassSource;
  readonly meetsTarget: boolean;
}

/** Class of one station's latest reading at its section. */
export function stationClass(latest: StationLatest, section: Section): StationClass {
  const evidence: Record<string, number> = {};
  const parameters: Record<string, ParameterReading> = {};
  for (const [key, value] of Object.entries(latest.values)) {
    const flag = latest.flags[key] ?? 'N';
    const counts = isEvidence(flag);
    if (counts) evidence[key] = value;
    const limit = limitFor(key, section.targetClass, section.waterBody);
    parameters[key] = {
      value,
      flag,
      cls: isClassParameter(key, section.waterBody) ? classOfValue(key, value, section.waterBody) : undefined,
      limit,
      exceedsTarget: counts && limit !== undefined && isClassParameter(key, section.waterBody) && !meetsLimit(value, limit),
    };
  }
  const set = classOfSet(evidence, section.waterBody);
  return { cls: set.cls, deciding: set.deciding, parameters };
}

/** Worst class among station readings; at equal class the deciding parameters merge and the newest time is kept. */
function worstOf(section: Section, stations: readonly StationLatest[]): SectionCurrentClass | undefined {
  let worst: SectionCurrentClass | undefined;
  for (const latest of stations) {
    const { cls, deciding } = stationClass(latest, section);
    if (cls === undefined) continue;
    if (!worst || cls > worst.cls) {
      worst = { cls, deciding, at: latest.ts, source: 'latest-readings', meetsTarget: cls <= section.targetClass };
    } else if (cls === worst.cls) {
      worst = { ...worst, deciding: [...new Set([...worst.deciding, ...deciding])], at: Math.max(worst.at, latest.ts) };
    }
  }
  return worst;
}

/**
 * A section's current class: analytics' point when it is at most `freshMs`
 * old; else the worst class among its stations' readings that are at most
 * `freshMs` old (a station silent for hours does not decide the present);
 * else whichever is newer of analytics' point and the worst of all latest
 * readings (stale, with its time, so a client can show it as such);
 * undefined when there is nothing.
 */
export function sectionCurrentClass(
  section: Section,
  analytics: SectionClassPoint | undefined,
  stations: readonly StationLatest[],
  nowMs: number,
  freshMs: number,
): SectionCurrentClass | undefined {
  const fromAnalytics: SectionCurrentClass | undefined = analytics && {
    cls: analytics.cls,
    deciding: analytics.deciding,
    at: analytics.ts,
    source: 'analytics',
    meetsTarget: analytics.cls <= section.targetClass,
  };
  if (fromAnalytics && nowMs - fromAnalytics.at <= freshMs) return fromAnalytics;
  const fromFresh = worstOf(
    section,
    stations.filter((s) => nowMs - s.ts <= freshMs),
  );
  if (fromFresh) return fromFresh;
  const fromAll = worstOf(section, stations);
  if (fromAnalytics && fromAll) return fromAnalytics.at >= fromAll.at ? fromAnalytics : fromAll;
  return fromAnalytics ?? fromAll;
}
