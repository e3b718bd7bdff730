/**
 * The water at one section at any instant: season, diurnal cycles
 * (temperature; DO and pH following photosynthesis, highest mid-afternoon),
 * slow wandering, rain, slow trends and passing spills. A pure function of
 * time; the instruments that sample it add their own noise and faults.
 */
import type { Section } from '../../domain/index.js';
import { doSaturationMgL, type SectionBaseline } from './baseline.js';
import { behaviourOf } from './parameter-behaviour.js';
import { deriveSeed } from './prng.js';
import { combinedRainResponse, RAIN_EFFECTS, type RainEvent } from './rain.js';
import { dayOfYear, solarHour } from './sim-time.js';
import { wander } from './smooth-noise.js';
import { plumeConcentrationMgL, type PlumeReach, type SpillRelease } from './spill-plume.js';
import { applyTrend, type TrendEvent } from './trend.js';

/** A spill as the water model needs it: release, the change per mg/L of spilled substance, and its route. */
export interface SpillEvent extends SpillRelease {
  readonly id: string;
  /** Change of each parameter per mg/L of the spilled substance (e.g. nh3n 0.8, do -0.3, cond 40). */
  readonly effects: Readonly<Record<string, number>>;
  readonly reaches: readonly PlumeReach[];
}

/** Events that change a section's water. */
export interface SectionInfluences {
  readonly rain: readonly RainEvent[];
  readonly trends: readonly TrendEvent[];
  readonly spills: readonly { readonly spill: SpillEvent; readonly reach: PlumeReach }[];
}

export const NO_INFLUENCES: SectionInfluences = { rain: [], trends: [], spills: [] };

/** Hour of the day (solar) at which photosynthesis lifts DO and pH most, and the water is warmest. */
const PHOTOSYNTHESIS_PEAK_H = 15;
const TEMPERATURE_PEAK_H = 16;
/** Day of the year when water is warmest (late July). */
const WARMEST_DAY = 205;

export type WaterValues = Record<string, number>;

export class SectionWater {
  readonly section: Section;
  readonly baseline: SectionBaseline;
  readonly #influences: SectionInfluences;
  readonly #wanderKeys = new Map<string, number>();
  #cacheMs = Number.NaN;
  #cache: WaterValues = {};

  constructor(section: Section, baseline: SectionBaseline, seed: number, influences: SectionInfluences = NO_INFLUENCES) {
    this.section = section;
    this.baseline = baseline;
    this.#influences = influences;
    for (const key of ['temp', 'ph', 'do', 'cond', 'turb', 'codmn', 'nh3n', 'tp', 'tn']) {
      this.#wanderKeys.set(key, deriveSeed(seed, 'wander', section.id, key));
    }
  }

  /** All modelled parameters at `ms`, events included. Do not mutate the result. */
  valuesAt(ms: number): Readonly<WaterValues> {
    if (ms !== this.#cacheMs) {
      this.#cache = this.#compute(ms, true);
      this.#cacheMs = ms;
    }
    return this.#cache;
  }

  /** The water without any scenario event (rain, trend, spill): for ground truth. */
  calmValuesAt(ms: number): WaterValues {
    return this.#compute(ms, false);
  }

  #wander(key: string, ms: number): number {
    return wander(this.#wanderKeys.get(key) ?? 0, ms);
  }

  #compute(ms: number, withEvents: boolean): WaterValues {
    const b = this.baseline;
    const season = Math.cos((2 * Math.PI * (dayOfYear(ms) - WARMEST_DAY)) / 365.25);
    const hour = solarHour(ms, this.section.lon);
    const photo = Math.cos((2 * Math.PI * (hour - PHOTOSYNTHESIS_PEAK_H)) / 24);
    const warm = Math.cos((2 * Math.PI * (hour - TEMPERATURE_PEAK_H)) / 24);
    const relative = (key: string, level: number): number =>
      level * (1 + (behaviourOf(key)?.wanderRel ?? 0) * this.#wander(key, ms));
    const absolute = (key: string, level: number): number => level + (behaviourOf(key)?.wanderAbs ?? 0) * this.#wander(key, ms);

    const seasonTempC = b.tempMeanC + b.tempSeasonalAmpC * season;
    const doMean = Math.max(doSaturationMgL(seasonTempC) * b.doSaturationFraction, b.doFloorMgL);
    const v: WaterValues = {
      temp: absolute('temp', seasonTempC + b.tempDiurnalAmpC * warm),
      ph: absolute('ph', b.phMean + b.phDiurnalAmp * photo),
      do: absolute('do', doMean + b.doDiurnalAmpMgL * photo),
      cond: relative('cond', b.condUsCm),
      turb: relative('turb', b.turbNtu),
      codmn: relative('codmn', b.codmnMgL),
      nh3n: relative('nh3n', b.nh3nMgL),
      tp: relative('tp', b.tpMgL),
      tn: relative('tn', b.tnMgL),
    };
    if (withEvents) this.#applyEvents(v, ms);
    return clampWater(v);
  }

  #applyEvents(v: WaterValues, ms: number): void {
    const inf = this.#influences;
    if (inf.rain.length > 0) {
      const r = combinedRainResponse(inf.rain, ms);
      if (r > 0) {
        v.turb = (v.turb as number) * (1 + RAIN_EFFECTS.turbFactor * r);
        v.tp = (v.tp as number) * (1 + RAIN_EFFECTS.tpFactor * r);
        v.codmn = (v.codmn as number) * (1 + RAIN_EFFECTS.codmnFactor * r);
        v.cond = (v.cond as number) * (1 + RAIN_EFFECTS.condFactor * r);
        v.temp = (v.temp as number) + RAIN_EFFECTS.tempDeltaC * r;
      }
    }
    for (const trend of inf.trends) {
      const current = v[trend.parameter];
      if (current !== undefined) v[trend.parameter] = applyTrend(trend, current, ms);
    }
    for (const { spill, reach } of inf.spills) {
      const c = plumeConcentrationMgL(spill, reach, ms);
      if (c <= 0) continue;
      for (const [key, perMgL] of Object.entries(spill.effects)) {
        const current = v[key];
        if (current !== undefined) v[key] = current + perMgL * c;
      }
    }
  }
}

function clampWater(v: WaterValues): WaterValues {
  for (const key of Object.keys(v)) v[key] = Math.max(0, v[key] as number);
  v.ph = Math.min(14, v.ph as number);
  v.do = Math.max(0.05, v.do as number);
  return v;
}
