/**
 * Upstream and downstream (issue 5 §6). Two things:
 *
 * 1. Attribution: when a section is markedly worse than the section(s)
 *    upstream (compared at the upstream time the water left them), the
 *    increase is attributed to the reach in between and its jurisdiction (the
 *    section's upstream-side agency).
 * 2. Arrival prediction: when an upstream section alerts, each downstream
 *    section gets a blue upstream-arrival pre-warning with the expected
 *    window. Peak travel time t_p = L / U summed over reaches
 *    (Registry.downstreamChain); leading edge ≈ 0.89 × t_p (Jobson 1997);
 *    spread σ_t = √(2·D_L·L/U³) or a fraction of t_p; the plume passes
 *    roughly t_p ± 2σ_t (domain-facts §6).
 *
 * The arrival window is arrival-window.ts, the attribution verdict
 * reach-attribution.ts; this file is the pre-warning tracker.
 */
import type { AlertEvent, AlertLevel, Registry, Section } from '../../domain/index.js';
import { levelRank } from '../../domain/index.js';
import type { UpstreamOptions } from '../options.js';
import { predictArrivals, type ArrivalEstimate } from './arrival-window.js';

export { arrivalWindow, predictArrivals, type ArrivalEstimate, type DownstreamArrival } from './arrival-window.js';
export { attribute, markedlyWorse, type Attribution } from './reach-attribution.js';

interface Trigger {
  onsetTs: number;
  parameters: string[];
  values: Record<string, number>;
  /** Level of the origin alert (absent in state written before issue 13). */
  level?: AlertLevel;
}

interface Warning {
  fromTs: number;
  peakTs: number;
  toTs: number;
  parameters: string[];
  sourceActive: boolean;
}

/** JSON-safe state of an {@link UpstreamArrivalTracker}. */
export interface UpstreamTrackerState {
  triggers: Record<string, Trigger>;
  warnings: Record<string, Warning>;
}

/**
 * Lives with the origin section's analyzer: turns its own pollution alerts
 * into pre-warnings for the sections downstream, keyed
 * `upstream-arrival:{downstreamSectionId}:{originSectionId}`. A pre-warning
 * stays open while the origin alert lasts and until the tail of the plume
 * has passed (end of the origin alert + t_p + k·σ_t), then clears.
 */
export class UpstreamArrivalTracker {
  readonly #registry: Registry;
  readonly #origin: Section;
  readonly #o: UpstreamOptions;
  #s: UpstreamTrackerState;

  constructor(registry: Registry, origin: Section, options: UpstreamOptions, state?: UpstreamTrackerState) {
    this.#registry = registry;
    this.#origin = origin;
    this.#o = options;
    this.#s = state ? structuredClone(state) : { triggers: {}, warnings: {} };
  }

  /** Feeds one alert event of the origin section; returns pre-warning raises for downstream sections. */
  onOriginEvent(event: AlertEvent, onsetTs: number | undefined): AlertEvent[] {
    if (!this.#o.enabled || event.sectionId !== this.#origin.id) return [];
    if (!(this.#o.triggerKinds as readonly string[]).includes(event.kind)) return [];
    const triggers = this.#s.triggers;
    const wasActive = Object.keys(triggers).length > 0;
    const qualifies =
      event.type === 'raise' &&
      event.level !== undefined &&
      levelRank(event.level) >= levelRank(this.#o.triggerMinLevel as AlertLevel) &&
      this.#travels(event) &&
      (onsetTs ?? event.ts) >= event.ts - this.#o.sourceActiveMaxMs;
    if (qualifies) {
      const previous = triggers[event.key];
      const onset = Math.min(previous?.onsetTs ?? Number.POSITIVE_INFINITY, onsetTs ?? event.ts);
      triggers[event.key] = {
        onsetTs: onset,
        parameters: [...event.parameters],
        values: { ...(event.evidence.values ?? {}) },
        ...(event.level !== undefined ? { level: event.level } : {}),
      };
    } else if (triggers[event.key]) {
      delete triggers[event.key];
    } else {
      return [];
    }
    const keys = Object.keys(triggers);
    if (keys.length > 0) return this.#raiseAll(event.ts, true);
    return wasActive ? this.#raiseAll(event.ts, false) : [];
  }

  /**
   * Whether an origin alert is a change on its way downstream (issue 13 §5):
   * a sudden change always; an exceedance only when its onset value rose
   * markedly above the section's usual level (`evidence.usual`), or, with no
   * usual level known, when it is orange or worse.
   */
  #travels(event: AlertEvent): boolean {
    if (event.kind !== 'exceedance' || this.#o.minRiseFraction <= 0) return true;
    const key = event.parameters[0] ?? '';
    const usual = event.evidence.usual;
    const limit = event.evidence.limit?.[key];
    const onset = (event.evidence.onsetValue as number | undefined) ?? event.evidence.values?.[key];
    if (typeof usual !== 'number' || limit === undefined || onset === undefined)
      return event.level !== undefined && levelRank(event.level) >= levelRank('orange');
    const rise = key === 'do' ? usual - onset : Math.abs(onset - usual);
    return rise >= this.#o.minRiseFraction * limit;
  }

  /** Clears pre-warnings whose window has passed (event time or clock); ends sources active too long to be a plume. */
  advance(nowMs: number): AlertEvent[] {
    const out: AlertEvent[] = [];
    const standing = Object.entries(this.#s.triggers).filter(([, t]) => nowMs - t.onsetTs > this.#o.sourceActiveMaxMs);
    if (standing.length > 0) {
      for (const [key] of standing) delete this.#s.triggers[key];
      // The standing source ends now as far as the plume is concerned: the tail passes t_p + k·σ_t later.
      if (Object.keys(this.#s.triggers).length === 0) out.push(...this.#raiseAll(nowMs, false));
    }
    for (const [sectionId, w] of Object.entries(this.#s.warnings)) {
      if (w.sourceActive || nowMs <= w.toTs) continue;
      delete this.#s.warnings[sectionId];
      out.push(this.#event('clear', sectionId, nowMs, w, 'window passed'));
    }
    return out;
  }

  /** Open pre-warnings (for reconciliation after a warm start). */
  open(): AlertEvent[] {
    return Object.entries(this.#s.warnings).map(([sectionId, w]) => this.#event('raise', sectionId, w.fromTs, w, 'open'));
  }

  snapshot(): UpstreamTrackerState {
    return structuredClone(this.#s);
  }

  #raiseAll(ts: number, sourceActive: boolean): AlertEvent[] {
    const triggers = Object.values(this.#s.triggers);
    const parameters = [...new Set(triggers.flatMap((t) => t.parameters))].sort();
    const onsetTs = Math.min(...triggers.map((t) => t.onsetTs));
    const out: AlertEvent[] = [];
    for (const arrival of predictArrivals(this.#registry, this.#origin.id, this.#o)) {
      const id = arrival.section.id;
      const previous = this.#s.warnings[id];
      let next: Warning;
      if (sourceActive) {
        const start = previous ? Math.min(onsetTs, previous.fromTs - arrival.fromS * 1000) : onsetTs;
        next = {
          fromTs: start + arrival.fromS * 1000,
          peakTs: start + arrival.peakS * 1000,
          toTs: Math.max(previous?.toTs ?? 0, start + arrival.toS * 1000),
          parameters: [...new Set([...(previous?.parameters ?? []), ...parameters])].sort(),
          sourceActive: true,
        };
      } else {
        if (!previous) continue;
        // The source has stopped at `ts`: the tail passes the section t_p + k·σ_t later.
        next = { ...previous, toTs: Math.max(previous.toTs, ts + arrival.toS * 1000), sourceActive: false };
      }
      const changed =
        !previous ||
        previous.fromTs !== next.fromTs ||
        previous.toTs !== next.toTs ||
        previous.sourceActive !== next.sourceActive ||
        previous.parameters.join() !== next.parameters.join();
      this.#s.warnings[id] = next;
      if (changed) out.push(this.#event('raise', id, ts, next, sourceActive ? 'source active' : 'source ended', arrival));
    }
    return out;
  }

  #event(
    type: 'raise' | 'clear',
    sectionId: string,
    ts: number,
    w: Warning,
    reason: string,
    arrival?: ArrivalEstimate,
  ): AlertEvent {
    const origin = this.#origin.id;
    const iso = (ms: number) => new Date(ms).toISOString();
    const message =
      type === 'raise'
        ? `Upstream alert at ${origin} (${w.parameters.join(', ')}) expected at ${sectionId} from ${iso(w.fromTs)} to ${iso(w.toTs)}, peak ${iso(w.peakTs)}`
        : `Upstream plume from ${origin} has passed ${sectionId}`;
    const values: Record<string, number> = {};
    let originLevel: AlertLevel | undefined;
    for (const t of Object.values(this.#s.triggers)) {
      Object.assign(values, t.values);
      if (t.level !== undefined && (originLevel === undefined || levelRank(t.level) > levelRank(originLevel)))
        originLevel = t.level;
    }
    return {
      type,
      key: `upstream-arrival:${sectionId}:${origin}`,
      kind: 'upstream-arrival',
      level: type === 'raise' ? 'blue' : undefined,
      sectionId,
      stationId: undefined,
      parameters: w.parameters,
      ts,
      message,
      evidence: {
        values,
        windowS: Math.round((w.toTs - w.fromTs) / 1000),
        originSectionId: origin,
        // The highest level among the origin's alerts behind it: whether it opens a joint task (alerts/joint-monitoring/task-rules.ts).
        ...(originLevel !== undefined ? { originLevel } : {}),
        sourceActive: w.sourceActive,
        reason,
        ...(arrival
          ? {
              distanceKm: arrival.distanceKm,
              peakTravelS: Math.round(arrival.peakS),
              leadingEdgeS: Math.round(arrival.leadingEdgeS),
              sigmaS: Math.round(arrival.sigmaS),
            }
          : {}),
      },
      arrival: { fromTs: w.fromTs, peakTs: w.peakTs, toTs: w.toTs, originSectionId: origin },
    };
  }
}
