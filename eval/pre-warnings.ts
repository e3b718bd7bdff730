/**
 * Downstream pre-warnings (upstream-arrival) of the simulated scenarios: for
 * each spill, the first pre-warning of every section it reaches against the
 * labelled arrival, and what triggered each pre-warning upstream. Pure;
 * definitions in docs/evaluation.md.
 */
import { isOriginPollution, type AlertEpisode } from './alert-episodes.js';
import type { ScenarioRun } from './river-run.js';
import type { Explanation, ExplainedEpisode, LabelDetection } from './river-scoring.js';

/** Pre-warning of one downstream section for one spill. */
export interface PreWarning {
  readonly eventId: string;
  readonly sectionId: string;
  /** Earliest labelled window start at the section (plume above ~4 % of its peak). */
  readonly arrivalMs: number;
  readonly peakMs: number | undefined;
  readonly firstPastMs: number | undefined;
  readonly waterPastMs: number | undefined;
  /** First upstream-arrival raise for the section after the spill's first label. */
  readonly warnedTs: number | undefined;
  readonly originSectionId: string | undefined;
  /** Predicted window of the last raise issued before the arrival (or of the first raise), and its origin. */
  readonly predicted:
    { readonly fromTs: number; readonly peakTs: number; readonly toTs: number; readonly originSectionId: string } | undefined;
  /** First origin pollution alert of the section itself. */
  readonly ownAlertTs: number | undefined;
}

/** For each spill, every section it reaches below the first section that alerted. */
export function preWarnings(
  run: ScenarioRun,
  episodes: readonly AlertEpisode[],
  spills: readonly LabelDetection[],
): PreWarning[] {
  const out: PreWarning[] = [];
  const byEvent = new Map<string, LabelDetection[]>();
  for (const d of spills) byEvent.set(d.label.eventId, [...(byEvent.get(d.label.eventId) ?? []), d]);
  for (const [eventId, list] of byEvent) {
    const bySection = new Map<string, LabelDetection[]>();
    for (const d of list) bySection.set(d.label.sectionId, [...(bySection.get(d.label.sectionId) ?? []), d]);
    const sections = [...bySection.entries()]
      .map(([sectionId, ds]) => ({ sectionId, ds, arrivalMs: Math.min(...ds.map((d) => d.label.startMs)) }))
      .sort((a, b) => a.arrivalMs - b.arrivalMs);
    const eventStart = sections[0]?.arrivalMs ?? run.fromMs;
    const origin = sections.find((s) => s.ds.some((d) => d.detectedTs !== undefined));
    for (const s of sections) {
      if (!origin || s.arrivalMs <= origin.arrivalMs) continue;
      const warnings = episodes
        .filter(
          (e) => e.sectionId === s.sectionId && e.kinds.includes('upstream-arrival') && (e.closeTs ?? Infinity) >= eventStart,
        )
        .flatMap((e) => e.raises.filter((r) => r.ts >= eventStart - 86_400_000))
        .sort((a, b) => a.ts - b.ts);
      const first = warnings[0];
      const beforeArrival = warnings.filter((r) => r.ts <= s.arrivalMs);
      const chosen = beforeArrival[beforeArrival.length - 1] ?? first;
      const own = episodes.find(
        (e) =>
          e.sectionId === s.sectionId && isOriginPollution(e) && e.openTs >= eventStart && (e.closeTs ?? Infinity) > eventStart,
      );
      const pasts = s.ds.map((d) => d.pastTarget?.firstPastTs).filter((t): t is number => t !== undefined);
      const waters = s.ds.map((d) => d.pastTarget?.waterPastTs).filter((t): t is number => t !== undefined);
      out.push({
        eventId,
        sectionId: s.sectionId,
        arrivalMs: s.arrivalMs,
        peakMs: s.ds[0]?.label.peakMs,
        firstPastMs: pasts.length > 0 ? Math.min(...pasts) : undefined,
        waterPastMs: waters.length > 0 ? Math.min(...waters) : undefined,
        warnedTs: first?.ts,
        originSectionId: first?.arrival?.originSectionId,
        predicted: chosen?.arrival ? { ...chosen.arrival } : undefined,
        ownAlertTs: own?.openTs,
      });
    }
  }
  return out;
}

/**
 * Puts each upstream-arrival pre-warning episode down to the origin episode that triggered it (an origin
 * pollution episode of the pre-warning's origin section open when the pre-warning opened), and so to that
 * episode's explanation. `unmatched`: no such origin episode found.
 */
export function preWarningCauses(
  explained: readonly ExplainedEpisode[],
  episodes: readonly AlertEpisode[],
): Record<Explanation | 'unmatched', number> {
  const out: Record<Explanation | 'unmatched', number> = {
    pollution: 0,
    natural: 0,
    'data-quality': 0,
    'fault-only': 0,
    none: 0,
    unmatched: 0,
  };
  for (const w of episodes) {
    if (!w.kinds.includes('upstream-arrival')) continue;
    const origin = w.raises[0]?.arrival?.originSectionId;
    const cause = explained
      .filter(
        (x) =>
          x.episode.sectionId === origin &&
          x.episode.openTs <= w.openTs &&
          (x.episode.closeTs === undefined || x.episode.closeTs >= w.openTs),
      )
      .sort((a, b) => rank(a.explanation) - rank(b.explanation))[0];
    out[cause ? cause.explanation : 'unmatched'] += 1;
  }
  return out;
}

/** When several origin episodes could have triggered a pre-warning, a real event explains it first. */
function rank(e: Explanation): number {
  return ['pollution', 'natural', 'data-quality', 'fault-only', 'none'].indexOf(e);
}
