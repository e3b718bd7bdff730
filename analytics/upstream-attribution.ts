/**
 * Whether an exceedance here came from upstream (issue 5 §6): the values the
 * sections above read when the water now here passed them, compared with
 * what this section reads (detectors/upstream.ts judges the comparison).
 */
import type { ClassLimit } from '../domain/index.js';
import { arrivalWindow } from './detectors/arrival-window.js';
import { attribute, type Attribution } from './detectors/reach-attribution.js';
import type { SectionScope } from './section-scope.js';

/** What a section exposes to the section below it (for attribution). */
export interface SectionView {
  /** The section's values of `parameter` (bucket means, all stations) measured between `fromTs` and `toTs`. */
  valuesBetween(parameter: string, fromTs: number, toTs: number): number[];
}

/**
 * Compares with the upstream section(s) at the times the water now here
 * passed them: the departure window is the arrival window run backwards
 * (onset − (t_p + k·σ_t) … onset − leading edge), widened by the lookback
 * tolerance; the worst upstream value in it is used.
 */
export function attributeToUpstream(
  scope: SectionScope,
  key: string,
  value: number,
  atTs: number,
  limit: ClassLimit,
): Attribution | undefined {
  const lookup = scope.upstreamView;
  const ups = scope.registry.upstreamOf(scope.section.id);
  if (!lookup || ups.length === 0) return undefined;
  const o = scope.options.upstream;
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
  return attribute(scope.registry, scope.section, value, upstream, limit, o);
}
