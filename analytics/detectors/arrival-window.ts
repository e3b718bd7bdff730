/**
 * When a plume from an upstream section passes a section below it (issue 5
 * §6, domain-facts §6): peak travel time t_p = L / U summed over reaches
 * (Registry.downstreamChain); leading edge ≈ 0.89 × t_p (Jobson 1997);
 * spread σ_t = √(2·D_L·L/U³) or a fraction of t_p; the plume passes roughly
 * t_p ± 2σ_t. Pure.
 */
import type { Registry, Section } from '../../domain/index.js';
import type { UpstreamOptions } from '../options.js';

/** Expected passage of a plume at a section, in seconds after it passed the origin. */
export interface ArrivalEstimate {
  readonly distanceKm: number;
  /** t_p: peak travel time. */
  readonly peakS: number;
  /** 0.89 × t_p by default. */
  readonly leadingEdgeS: number;
  readonly sigmaS: number;
  /** Window start: the earlier of the leading edge and t_p − k·σ_t (never negative). */
  readonly fromS: number;
  /** Window end: t_p + k·σ_t. */
  readonly toS: number;
}

/** Arrival window for a channel distance and a peak travel time. */
export function arrivalWindow(distanceKm: number, travelS: number, o: UpstreamOptions): ArrivalEstimate {
  const lengthM = distanceKm * 1000;
  const velocityMps = travelS > 0 ? lengthM / travelS : 0;
  const sigmaS =
    o.spreadMode === 'dispersion' && velocityMps > 0
      ? Math.sqrt((2 * o.dispersionM2s * lengthM) / velocityMps ** 3)
      : o.spreadFraction * travelS;
  const leadingEdgeS = o.leadingEdgeFactor * travelS;
  return {
    distanceKm,
    peakS: travelS,
    leadingEdgeS,
    sigmaS,
    fromS: Math.max(0, Math.min(leadingEdgeS, travelS - o.spreadSigmas * sigmaS)),
    toS: travelS + o.spreadSigmas * sigmaS,
  };
}

export interface DownstreamArrival extends ArrivalEstimate {
  readonly section: Section;
}

/** Arrival estimates at every section below `originSectionId` within `maxTravelMs`, nearest first. */
export function predictArrivals(registry: Registry, originSectionId: string, o: UpstreamOptions): DownstreamArrival[] {
  return registry
    .downstreamChain(originSectionId)
    .filter((link) => link.travelS * 1000 <= o.maxTravelMs)
    .map((link) => ({ section: link.section, ...arrivalWindow(link.distanceKm, link.travelS, o) }));
}
