/**
 * A spill travelling downstream (domain-facts §6): the pulse is advected at
 * the reach velocity (peak travel time t_p = Σ L/U over the reaches) and
 * spreads by longitudinal dispersion (time spread σ_t² = Σ 2·D_L·L/U³), so
 * the peak falls as t^-1/2. At a section the concentration–time curve is
 * the "frozen cloud" Gaussian that conserves mass: ∫ C·Q dt = M.
 * A release lasting T is the Gaussian convolved with a top hat (difference
 * of two normal CDFs); first-order decay k multiplies by e^{-k·t_p}.
 */
import type { Registry, Section } from '../../domain/index.js';

export interface Hydraulics {
  /** Longitudinal dispersion coefficient D_L, m²/s (natural rivers 10–1000). */
  readonly dispersionM2s: number;
  /** Mean wetted cross-section A, m²; discharge Q = U·A. */
  readonly crossSectionM2: number;
  /** Velocity used where the registry gives none (a spill below the last section's link). */
  readonly defaultVelocityMps: number;
}

/** Defaults for a lowland river of the Taihu plain (about 150 m wide, 3–4 m deep). */
export const DEFAULT_HYDRAULICS: Hydraulics = { dispersionM2s: 50, crossSectionM2: 500, defaultVelocityMps: 0.4 };

/** Where a spill's plume passes one section. */
export interface PlumeReach {
  readonly sectionId: string;
  /** Channel distance from the release point, km. */
  readonly distanceKm: number;
  /** Peak travel time t_p from the release, seconds. */
  readonly travelS: number;
  /** Time spread σ_t at the section, seconds. */
  readonly sigmaS: number;
  /** Discharge at the section, m³/s. */
  readonly dischargeM3s: number;
}

export interface SpillRelease {
  readonly startMs: number;
  /** 0 for an instantaneous slug. */
  readonly durationMs: number;
  readonly massKg: number;
  /** First-order decay rate, per day (0 for a conservative substance). */
  readonly decayPerDay: number;
}

/** Distance floor: a section right at the outfall still sees a mixed plume. */
const MIN_DISTANCE_KM = 0.2;

/** Route from a river position (km from the source) to every section downstream of it, nearest first. */
export function routeSpill(
  registry: Registry,
  riverId: string,
  positionKm: number,
  hydraulicsOf: (riverId: string) => Hydraulics,
): { ok: true; reaches: PlumeReach[] } | { ok: false; problem: string } {
  const river = registry.rivers.get(riverId);
  if (!river) return { ok: false, problem: `river "${riverId}" is not in the registry` };
  const sections = river.sectionIds.map((id) => registry.section(id)).filter((s): s is Section => s !== undefined);
  const firstBelow = sections.find((s) => s.positionKm >= positionKm);
  if (!firstBelow) return { ok: false, problem: `no section of river ${riverId} lies at or below ${positionKm} km` };
  const above = [...sections].reverse().find((s) => s.positionKm < positionKm);
  const firstHydraulics = hydraulicsOf(riverId);
  const velocityMps =
    above?.downstream?.sectionId === firstBelow.id
      ? above.downstream.velocityMps
      : (firstBelow.downstream?.velocityMps ?? firstHydraulics.defaultVelocityMps);
  const reaches: PlumeReach[] = [];
  let distanceKm = Math.max(MIN_DISTANCE_KM, firstBelow.positionKm - positionKm);
  let travelS = (distanceKm * 1000) / velocityMps;
  let varianceS2 = (2 * firstHydraulics.dispersionM2s * distanceKm * 1000) / velocityMps ** 3;
  reaches.push({
    sectionId: firstBelow.id,
    distanceKm,
    travelS,
    sigmaS: Math.sqrt(varianceS2),
    dischargeM3s: velocityMps * firstHydraulics.crossSectionM2,
  });
  let current: Section | undefined = firstBelow;
  const seen = new Set<string>([firstBelow.id]);
  while (current?.downstream) {
    const link: NonNullable<Section['downstream']> = current.downstream;
    const next = registry.section(link.sectionId);
    if (!next || seen.has(next.id)) break;
    seen.add(next.id);
    // The reach takes the hydraulics of the river it belongs to (the upstream section's river).
    const h = hydraulicsOf(current.riverId);
    distanceKm += link.distanceKm;
    travelS += (link.distanceKm * 1000) / link.velocityMps;
    varianceS2 += (2 * h.dispersionM2s * link.distanceKm * 1000) / link.velocityMps ** 3;
    reaches.push({
      sectionId: next.id,
      distanceKm,
      travelS,
      sigmaS: Math.sqrt(varianceS2),
      dischargeM3s: link.velocityMps * hydraulicsOf(next.riverId).crossSectionM2,
    });
    current = next;
  }
  return { ok: true, reaches };
}

/** Error function, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/** Concentration of the spilled substance at the section, mg/L (= g/m³). */
export function plumeConcentrationMgL(release: SpillRelease, reach: PlumeReach, ms: number): number {
  const tS = (ms - release.startMs) / 1000;
  if (tS <= 0) return 0;
  const massG = release.massKg * 1000;
  const decay = Math.exp(-(release.decayPerDay / 86400) * reach.travelS);
  const sigma = reach.sigmaS;
  const durationS = release.durationMs / 1000;
  if (durationS <= 0) {
    const z = (tS - reach.travelS) / sigma;
    return (massG / (reach.dischargeM3s * sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * z * z) * decay;
  }
  const rateGs = massG / durationS;
  const fraction = normalCdf((tS - reach.travelS) / sigma) - normalCdf((tS - durationS - reach.travelS) / sigma);
  return Math.max(0, (rateGs / reach.dischargeM3s) * fraction * decay);
}

/** Peak concentration at the section, mg/L. */
export function plumePeakMgL(release: SpillRelease, reach: PlumeReach): number {
  return plumeConcentrationMgL(release, reach, plumePeakMs(release, reach));
}

/** When the peak passes the section. */
export function plumePeakMs(release: SpillRelease, reach: PlumeReach): number {
  return release.startMs + reach.travelS * 1000 + release.durationMs / 2;
}

/** How many σ_t either side of the peak the label window spans (C above ~4 % of its peak). */
export const PLUME_WINDOW_SIGMAS = 2.5;

/** Window in which the plume passes the section: [t_p − 2.5σ, t_p + T + 2.5σ] after the release. */
export function plumeWindow(release: SpillRelease, reach: PlumeReach): { startMs: number; peakMs: number; endMs: number } {
  const spreadMs = PLUME_WINDOW_SIGMAS * reach.sigmaS * 1000;
  const arrivalMs = release.startMs + reach.travelS * 1000;
  return {
    startMs: Math.round(Math.max(release.startMs, arrivalMs - spreadMs)),
    peakMs: Math.round(plumePeakMs(release, reach)),
    endMs: Math.round(arrivalMs + release.durationMs + spreadMs),
  };
}
