/**
 * Shared fixtures for the analytics unit tests: a two-section river, a
 * reading builder, a seeded noise source, and a tiny sudden-change stand-in
 * honouring the contract of analytics/detectors/sudden-change.ts (written by
 * another helper), so the analyzer's composition is tested on its own.
 */
import { Registry, type Agency, type DataFlag, type Reading, type Section, type Station } from '../../../domain/index.js';
import type {
  SuddenChangeEngine,
  SuddenChangeFactory,
  SuddenChangeResult,
  SuddenChangeSignal,
} from '../../../analytics/index.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);

const agency = (id: string, parentId: string | undefined, level: Agency['level']): Agency => ({
  id,
  level,
  parentId,
  name: { zh: id, en: id },
  contacts: [],
  webhook: undefined,
});

const section = (id: string, over: Partial<Section>): Section => ({
  id,
  name: { zh: id, en: id },
  riverId: 'r',
  positionKm: 0,
  lat: 0,
  lon: 0,
  targetClass: 3,
  waterBody: 'river',
  upstreamAgencyId: 'county-a',
  downstreamAgencyId: 'county-a',
  boundary: false,
  drinkingWater: false,
  downstream: undefined,
  ...over,
});

export const ALL_PARAMETERS = ['temp', 'ph', 'do', 'cond', 'turb', 'codmn', 'nh3n', 'tp', 'tn'];

const station = (id: string, sectionId: string, samplingIntervalS = 300): Station => ({
  id,
  sectionId,
  name: { zh: id, en: id },
  parameters: ALL_PARAMETERS,
  samplingIntervalS,
  hj212: undefined,
  tokenSha256: undefined,
});

/**
 * `up` (county A, class III) → 30 km at 0.5 m/s (t_p = 16.7 h, domain-facts §6)
 * → `bnd` (boundary A | B, class III) → 20 km at 0.5 m/s → `down` (county B).
 */
export function testRegistry(): Registry {
  return new Registry({
    agencies: [agency('city', undefined, 'city'), agency('county-a', 'city', 'county'), agency('county-b', 'city', 'county')],
    rivers: [{ id: 'r', name: { zh: 'r', en: 'r' }, sectionIds: ['up', 'bnd', 'down'] }],
    sections: [
      section('up', { downstream: { sectionId: 'bnd', distanceKm: 30, velocityMps: 0.5 } }),
      section('bnd', {
        positionKm: 30,
        boundary: true,
        upstreamAgencyId: 'county-a',
        downstreamAgencyId: 'county-b',
        downstream: { sectionId: 'down', distanceKm: 20, velocityMps: 0.5 },
      }),
      section('down', { positionKm: 50, upstreamAgencyId: 'county-b', downstreamAgencyId: 'county-b' }),
    ],
    stations: [station('UP-1', 'up'), station('BND-1', 'bnd'), station('BND-2', 'bnd'), station('DOWN-1', 'down')],
  });
}

/** Deterministic PRNG in [0, 1) (mulberry32), so tests never depend on luck. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic noise in [-1, 1) (LCG), so tests never depend on luck. */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

export const CALM = { temp: 18.2, ph: 7.6, do: 7.4, cond: 420, turb: 12, codmn: 3.2, nh3n: 0.35, tp: 0.08, tn: 1.2 } as const;
const JITTER: Record<string, number> = {
  temp: 0.2,
  ph: 0.05,
  do: 0.2,
  cond: 6,
  turb: 1,
  codmn: 0.2,
  nh3n: 0.03,
  tp: 0.008,
  tn: 0.05,
};
const DECIMALS: Record<string, number> = { temp: 1, ph: 2, do: 2, cond: 0, turb: 1, codmn: 1, nh3n: 2, tp: 3, tn: 2 };

/** Rounds a value to the parameter's instrument resolution, as a real logger reports it. */
export function rounded(key: string, value: number): number {
  const d = DECIMALS[key] ?? 3;
  return Number(value.toFixed(d));
}

/** A calm reading with jitter, optionally overridden. */
export function calmReading(
  stationId: string,
  sectionId: string,
  ts: number,
  rnd: () => number,
  over: Partial<Record<string, number>> = {},
  flags: Record<string, DataFlag> = {},
): Reading {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(CALM)) values[k] = rounded(k, over[k] ?? v + (JITTER[k] ?? 0) * rnd());
  return { stationId, sectionId, ts, values, flags, source: 'replay', receivedAt: ts };
}

/** A reading with exactly these values. */
export function reading(
  stationId: string,
  sectionId: string,
  ts: number,
  values: Record<string, number>,
  flags: Record<string, DataFlag> = {},
): Reading {
  return { stationId, sectionId, ts, values, flags, source: 'replay', receivedAt: ts };
}

interface StandInState {
  history: Record<string, number[]>;
  recent: boolean[];
  inEvent: boolean;
  eventLength: number;
  pending: Record<string, number[]>;
}

/**
 * Sudden-change stand-in: per quality signal, a value is an outlier when it
 * is more than 3 × max(precision, range) from the median of its last 12
 * non-outlier values; an event starts when 2 of the last 3 samples hold an
 * outlier and ends after 3 quiet samples, or by re-baselining after 24
 * outlier samples in a row (the history is replaced by the recent values).
 */
const TIMEOUT = 24;

export class StandInSuddenChange implements SuddenChangeEngine {
  readonly #signals: SuddenChangeSignal[];
  #s: StandInState;

  constructor(signals: SuddenChangeSignal[], state?: StandInState) {
    this.#signals = signals;
    this.#s = state ? structuredClone(state) : { history: {}, recent: [], inEvent: false, eventLength: 0, pending: {} };
  }

  update(ts: number, values: Record<string, number | undefined>): SuddenChangeResult {
    const s = this.#s;
    const outliers: string[] = [];
    const baseline: Record<string, number> = {};
    for (const sig of this.#signals) {
      const v = values[sig.key];
      if (v === undefined || sig.role !== 'quality') continue;
      const h = (s.history[sig.key] ??= []);
      const pending = (s.pending[sig.key] ??= []);
      if (h.length >= 6) {
        const sorted = [...h].sort((a, b) => a - b);
        const med = sorted[sorted.length >> 1] as number;
        const range = (sorted[sorted.length - 1] as number) - (sorted[0] as number);
        baseline[sig.key] = med;
        if (Math.abs(v - med) > 3 * Math.max(sig.precision, range)) {
          outliers.push(sig.key);
          pending.push(v);
          continue;
        }
      }
      h.push(v);
      if (h.length > 12) h.shift();
    }
    s.recent.push(outliers.length > 0);
    if (s.recent.length > 3) s.recent.shift();
    const count = s.recent.filter(Boolean).length;
    let started = false;
    let ended = false;
    if (!s.inEvent && count >= 2) {
      s.inEvent = true;
      started = true;
      s.eventLength = 0;
    }
    if (s.inEvent) {
      s.eventLength = outliers.length > 0 ? s.eventLength + 1 : 0;
      const quiet = s.recent.every((r) => !r) && s.recent.length === 3;
      if (s.eventLength >= TIMEOUT) {
        for (const [k, p] of Object.entries(s.pending)) if (p.length > 0) s.history[k] = p.slice(-12);
        s.recent = [];
      }
      if (quiet || s.eventLength >= TIMEOUT) {
        s.inEvent = false;
        ended = true;
        s.pending = {};
        s.eventLength = 0;
      }
    }
    if (!s.inEvent && !ended) s.pending = {};
    return { ts, score: count / 3, outliers, inEvent: s.inEvent, started, ended, baseline };
  }

  snapshot(): unknown {
    return structuredClone(this.#s);
  }
}

export const standInFactory: SuddenChangeFactory = {
  create: (signals) => new StandInSuddenChange(signals),
  restore: (snapshot, signals) => new StandInSuddenChange(signals, snapshot as StandInState),
};
