/**
 * Calm-water levels of a section, consistent with its GB 3838 target class
 * (domain-facts §1): every class parameter sits inside the target class with
 * room for diurnal swings, wandering and noise. Each section gets its own
 * seeded jitter so sections of one class are not identical.
 */
import { limitFor, type Section, type TargetClass, type WaterBody } from '../../domain/index.js';
import { deriveSeed, Rng } from './prng.js';

export interface SectionBaseline {
  /** Annual mean water temperature, seasonal and diurnal half-amplitudes (°C). */
  readonly tempMeanC: number;
  readonly tempSeasonalAmpC: number;
  readonly tempDiurnalAmpC: number;
  /** DO as a fraction of saturation at the season's temperature, with a floor above the class limit. */
  readonly doSaturationFraction: number;
  readonly doFloorMgL: number;
  /** Half-amplitude of the photosynthesis cycle of DO (mg/L) and pH. */
  readonly doDiurnalAmpMgL: number;
  readonly phMean: number;
  readonly phDiurnalAmp: number;
  readonly condUsCm: number;
  readonly turbNtu: number;
  readonly codmnMgL: number;
  readonly nh3nMgL: number;
  readonly tpMgL: number;
  readonly tnMgL: number;
}

/**
 * Dissolved-oxygen saturation of fresh water at sea level, mg/L (APHA
 * Standard Methods 4500-O polynomial, 0–40 °C).
 */
export function doSaturationMgL(tempC: number): number {
  const t = Math.min(40, Math.max(0, tempC));
  return 14.652 - 0.41022 * t + 0.007991 * t * t - 0.000077774 * t * t * t;
}

/** Upper limit of a class, and of the class below it (0 below class I). */
function band(key: string, cls: TargetClass, body: WaterBody): { low: number; high: number } {
  const high = limitFor(key, cls, body);
  const low = cls > 1 ? limitFor(key, (cls - 1) as TargetClass, body) : undefined;
  const highValue = high && high.kind !== 'range' ? high.value : 0;
  const lowValue = low && low.kind !== 'range' ? low.value : 0;
  return { low: lowValue, high: highValue };
}

/** A level inside the target class band: `low + fraction × (high − low)`. */
function inBand(key: string, cls: TargetClass, body: WaterBody, fraction: number): number {
  const { low, high } = band(key, cls, body);
  return low + fraction * (high - low);
}

const DO_SATURATION_BY_CLASS: Readonly<Record<TargetClass, number>> = { 1: 0.95, 2: 0.86, 3: 0.76, 4: 0.6, 5: 0.45 };

/** Calm-water baseline of a section (deterministic from the seed and the section id). */
export function sectionBaseline(section: Section, seed: number): SectionBaseline {
  const rng = new Rng(deriveSeed(seed, 'baseline', section.id));
  const cls = section.targetClass;
  const body = section.waterBody;
  const latitudeFromTaihu = 31 - section.lat;
  const doLimit = limitFor('do', cls, body);
  const doLimitMgL = doLimit && doLimit.kind === 'lower' ? doLimit.value : 2;
  const doDiurnalAmpMgL = 0.55 + 0.08 * cls + rng.between(-0.05, 0.05) + (body === 'lake' ? 0.15 : 0);
  // Calm water meets its target with a margin: the lower part of the class band, below the
  // early-warning line (80 % of the limit), so a calm scenario raises no pollution alert.
  const nh3nMgL = inBand('nh3n', cls, body, rng.between(0.1, 0.35));
  return {
    // Taihu water is ~17 °C on average, 5–30 °C over the year; warmer and steadier further south.
    tempMeanC: 17 + 0.35 * latitudeFromTaihu + rng.between(-0.5, 0.5),
    tempSeasonalAmpC: Math.max(3, 11 - 0.5 * latitudeFromTaihu),
    tempDiurnalAmpC: (body === 'lake' ? 0.8 : 0.5) + rng.between(-0.1, 0.1),
    doSaturationFraction: DO_SATURATION_BY_CLASS[cls] + rng.between(-0.03, 0.03),
    // Pre-dawn minimum (mean − diurnal − wander − noise) must stay above the class limit.
    doFloorMgL: doLimitMgL + doDiurnalAmpMgL + 1.0,
    doDiurnalAmpMgL,
    phMean: 7.3 + 0.08 * cls + rng.between(-0.15, 0.15),
    phDiurnalAmp: 0.1 + 0.03 * cls,
    condUsCm: (300 + 20 * cls) * rng.between(0.85, 1.15),
    turbNtu: (8 + 3 * cls) * rng.between(0.7, 1.3),
    codmnMgL: inBand('codmn', cls, body, rng.between(0.1, 0.35)),
    nh3nMgL,
    tpMgL: inBand('tp', cls, body, rng.between(0.1, 0.35)),
    // TN counts for lakes only (GB 3838 item 9); rivers of the region carry 1.5–2.5 mg/L.
    tnMgL: body === 'lake' ? inBand('tn', cls, body, rng.between(0.1, 0.35)) : 1.0 + 1.2 * nh3nMgL + rng.between(0, 0.4),
  };
}
