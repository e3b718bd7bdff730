/**
 * What a section's alert events say: keys, kinds, messages and evidence.
 * When to raise or clear is decided in analyze-reading.ts and the
 * *-condition.ts files; this file only builds the events (issue 5 §7: parameters, section, station, evidence with
 * values, baseline, limit, window and score).
 */
import {
  classOfSet,
  type AlertEvent,
  type AlertKind,
  type AlertLevel,
  type ClassLimit,
  type ParameterTable,
  type Section,
} from '../domain/index.js';
import { SEVERITY_LEVEL, type Severity, type SuspectReading } from './detectors/threshold.js';
import type { TrendEvaluation } from './detectors/trend.js';
import type { Attribution } from './detectors/upstream.js';
import type { SuddenEvent } from './station-state.js';

/** Stable condition keys (docs/analytics.md "Alert keys and levels"). */
export const keys = {
  exceedance: (sectionId: string, parameter: string) => `exceedance:${sectionId}:${parameter}`,
  trend: (sectionId: string, parameter: string) => `trend:${sectionId}:${parameter}`,
  sudden: (sectionId: string, stationId: string) => `sudden-change:${sectionId}:${stationId}`,
  offline: (stationId: string) => `dq-offline:${stationId}`,
  flag: (stationId: string) => `dq-flag:${stationId}`,
  flat: (stationId: string, parameter: string) => `dq-flat:${stationId}:${parameter}`,
  spike: (stationId: string, parameter: string) => `dq-spike:${stationId}:${parameter}`,
  drift: (stationId: string, parameter: string) => `dq-drift:${stationId}:${parameter}`,
};

/** Kind of a condition from its key (for clears built from a key alone). */
export function kindOfKey(key: string): AlertKind {
  if (key.startsWith('dq-')) return 'data-quality';
  if (key.startsWith('trend:')) return 'trend';
  if (key.startsWith('sudden-change:')) return 'sudden-change';
  if (key.startsWith('upstream-arrival:')) return 'upstream-arrival';
  return 'exceedance';
}

/** A clear: no level, no evidence. */
export function clearEvent(
  key: string,
  kind: AlertKind,
  sectionId: string,
  stationId: string | undefined,
  parameters: string[],
  ts: number,
  message: string,
): AlertEvent {
  return { type: 'clear', key, kind, level: undefined, sectionId, stationId, parameters, ts, message, evidence: {} };
}

export function dataQualityEvent(
  type: 'raise' | 'clear',
  key: string,
  sectionId: string,
  stationId: string,
  parameters: string[],
  ts: number,
  message: string,
  evidence: Record<string, unknown>,
): AlertEvent {
  return { type, key, kind: 'data-quality', level: undefined, sectionId, stationId, parameters, ts, message, evidence };
}

const WORDS = ['', 'approaching the target limit', 'above the target class', 'worse than class V', 'severe'] as const;

export interface ExceedanceInput {
  readonly section: Section;
  readonly stationId: string;
  readonly parameter: string;
  readonly level: Exclude<Severity, 0>;
  readonly value: number | undefined;
  readonly limit: ClassLimit;
  readonly onsetTs: number | undefined;
  readonly peak: { readonly ts: number; readonly value: number } | undefined;
  readonly attribution: Attribution | undefined;
  /** The series' usual level when the condition opened (analytics/usual-level.ts), if known. */
  readonly usual?: number | undefined;
  /** The value when the condition opened. */
  readonly onsetValue?: number | undefined;
  /** A lone reading past the target waiting for its re-measurement: the alert says so and stays blue. */
  readonly suspect?: SuspectReading | undefined;
  readonly ts: number;
  readonly parameters: ParameterTable;
}

/** Raise of `exceedance:{section}:{param}`: early-warning (blue) or exceedance (yellow–red). */
export function exceedanceEvent(i: ExceedanceInput): AlertEvent {
  const { section, parameter: key, value, limit } = i;
  const limitValue =
    limit.kind === 'range' ? (value !== undefined && value > (limit.min + limit.max) / 2 ? limit.max : limit.min) : limit.value;
  const spec = i.parameters.get(key);
  const name = spec ? `${spec.nameEn} (${key})` : key;
  const unit = spec?.unit ? ` ${spec.unit}` : '';
  return {
    type: 'raise',
    key: keys.exceedance(section.id, key),
    kind: i.level === 1 ? 'early-warning' : 'exceedance',
    level: SEVERITY_LEVEL[i.level],
    sectionId: section.id,
    stationId: i.stationId,
    parameters: [key],
    ts: i.ts,
    message: i.suspect
      ? `${name} ${i.suspect.value}${unit} at ${section.id} (${i.stationId}): unconfirmed single reading past the target, re-measurement requested by ${new Date(i.suspect.deadlineTs).toISOString()}`
      : `${name} ${value ?? '?'}${unit} at ${section.id} (${i.stationId}): ${WORDS[i.level]}, limit ${limitValue}${unit}`,
    evidence: {
      values: value === undefined ? {} : { [key]: value },
      limit: { [key]: limitValue },
      windowS: i.onsetTs === undefined ? undefined : Math.round((i.ts - i.onsetTs) / 1000),
      targetClass: section.targetClass,
      class: value === undefined ? undefined : classOfSet({ [key]: value }, section.waterBody).perParameter[key],
      peak: i.peak,
      onsetTs: i.onsetTs,
      ...(i.attribution === undefined ? {} : { attribution: i.attribution }),
      ...(i.usual === undefined ? {} : { usual: i.usual }),
      ...(i.onsetValue === undefined ? {} : { onsetValue: i.onsetValue }),
      // Issue 13 §4: the alerts side asks the station for a verification measurement of this parameter.
      ...(i.suspect === undefined
        ? {}
        : {
            unconfirmed: true,
            suspect: { ts: i.suspect.ts, value: i.suspect.value, level: SEVERITY_LEVEL[i.suspect.severity as 2 | 3 | 4] },
            verify: { stationId: i.stationId, parameter: key, deadlineTs: i.suspect.deadlineTs },
          }),
    },
  };
}

/** Raise of `trend:{section}:{param}` (blue). */
export function trendEvent(
  section: Section,
  stationId: string,
  parameter: string,
  e: TrendEvaluation | undefined,
  ts: number,
): AlertEvent {
  const crossing = e?.crossingTs === undefined ? 'unknown' : new Date(e.crossingTs).toISOString();
  return {
    type: 'raise',
    key: keys.trend(section.id, parameter),
    kind: 'trend',
    level: 'blue',
    sectionId: section.id,
    stationId,
    parameters: [parameter],
    ts,
    message: `${parameter} at ${section.id} (${stationId}): significant trend towards the target limit, projected to cross at ${crossing}`,
    evidence: {
      values: e ? { [parameter]: e.level } : {},
      windowS: e ? Math.round(e.windowMs / 1000) : undefined,
      score: e?.mk.z,
      slopePerHour: e?.slopePerHour,
      p: e?.mk.p,
      s: e?.mk.s,
      n: e?.mk.n,
      projectedCrossingTs: e?.crossingTs,
    },
  };
}

/** Raise of `sudden-change:{section}:{station}`. */
export function suddenEvent(
  section: Section,
  stationId: string,
  ev: SuddenEvent,
  level: AlertLevel,
  values: Record<string, number>,
  ts: number,
  runoff = false,
): AlertEvent {
  return {
    type: 'raise',
    key: keys.sudden(section.id, stationId),
    kind: runoff ? 'runoff' : 'sudden-change',
    level: runoff ? 'blue' : level,
    sectionId: section.id,
    stationId,
    parameters: ev.parameters,
    ts,
    message: runoff
      ? `Runoff at ${stationId}: turbidity up and conductivity diluted, the pattern of rain (not a pollution alarm)`
      : `Sudden change at ${stationId}: ${ev.parameters.join(', ') || 'several signals'} moving together`,
    evidence: {
      values,
      baseline: ev.baseline,
      score: ev.score,
      windowS: Math.round((ts - ev.startTs) / 1000),
      startTs: ev.startTs,
    },
  };
}
