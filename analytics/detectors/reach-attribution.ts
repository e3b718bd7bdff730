/**
 * Attribution (issue 5 §6): when a section is markedly worse than the
 * section(s) upstream (compared at the upstream time the water left them),
 * the increase is attributed to the reach in between and its jurisdiction
 * (the section's upstream-side agency). Which upstream values are compared
 * is chosen by the analyzer (../upstream-attribution.ts). Pure.
 */
import type { ClassLimit, Registry, Section } from '../../domain/index.js';
import type { UpstreamOptions } from '../options.js';

/** Result of comparing a section with its upstream section(s) for one parameter. */
export interface Attribution {
  /** `reach`: markedly worse than every upstream section with data; `upstream`: it came from upstream; `unknown`: no upstream data. */
  readonly verdict: 'reach' | 'upstream' | 'unknown';
  readonly upstream: readonly { readonly sectionId: string; readonly value: number | undefined }[];
  /** For `reach`: the reach(es) and the jurisdiction responsible for it. */
  readonly reach?: { readonly fromSectionIds: readonly string[]; readonly toSectionId: string; readonly agencyId: string };
}

/** Whether `down` is markedly worse than `up` for a limit of this kind. */
export function markedlyWorse(down: number, up: number, limit: ClassLimit, o: UpstreamOptions): boolean {
  if (limit.kind === 'upper')
    return down > up * (1 + o.markedlyWorseRatio) && down - up >= o.markedlyWorseMinFractionOfLimit * limit.value;
  if (limit.kind === 'lower')
    return down < up * (1 - o.markedlyWorseRatio) && up - down >= o.markedlyWorseMinFractionOfLimit * limit.value;
  return false;
}

/**
 * Compares a section's value with its upstream sections' values (each taken
 * near the time the water passed them). Undefined for pH (no meaningful
 * "markedly worse" ratio) and for sections without upstream sections.
 */
export function attribute(
  registry: Registry,
  section: Section,
  value: number,
  upstream: readonly { sectionId: string; value: number | undefined }[],
  limit: ClassLimit,
  o: UpstreamOptions,
): Attribution | undefined {
  if (limit.kind === 'range' || upstream.length === 0) return undefined;
  const known = upstream.filter((u): u is { sectionId: string; value: number } => u.value !== undefined);
  if (known.length === 0) return { verdict: 'unknown', upstream };
  if (known.every((u) => markedlyWorse(value, u.value, limit, o))) {
    // The reach just above a section lies on the section's upstream side (for a boundary section, the upstream jurisdiction).
    const agencyId = registry.section(section.id)?.upstreamAgencyId ?? section.upstreamAgencyId;
    return {
      verdict: 'reach',
      upstream,
      reach: { fromSectionIds: known.map((u) => u.sectionId), toSectionId: section.id, agencyId },
    };
  }
  return { verdict: 'upstream', upstream };
}
