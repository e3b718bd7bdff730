/**
 * Alert events (raise / clear per stable key) folded into episodes: one
 * episode per condition from its first raise to its clear, the way a
 * monitoring centre sees one alert updated while it lasts (DESIGN.md
 * "Guarantees"). Used to score the simulated scenarios and to compare the
 * pipeline with the offline harness. Pure.
 */
import { isAlertLevel, levelRank, type AlertEvent, type AlertKind, type AlertLevel } from '../domain/index.js';

/** One raise inside an episode: what the condition said at that time. */
export interface EpisodeRaise {
  readonly ts: number;
  readonly kind: AlertKind;
  readonly level: AlertLevel | undefined;
  readonly parameters: readonly string[];
  /** Evidence values and limits of the raise (what the alert showed). */
  readonly values: Readonly<Record<string, number>>;
  readonly limit: Readonly<Record<string, number>>;
  readonly arrival?: AlertEvent['arrival'];
  /** For a pre-warning: the level of the origin alert behind it (decides whether it opens a joint task). */
  readonly originLevel?: AlertLevel;
}

export interface AlertEpisode {
  readonly key: string;
  readonly sectionId: string;
  readonly stationId: string | undefined;
  readonly openTs: number;
  /** Undefined while still open at the end of the run. */
  readonly closeTs: number | undefined;
  readonly raises: readonly EpisodeRaise[];
  /** Kinds and parameters over every raise of the episode. */
  readonly kinds: readonly AlertKind[];
  readonly parameters: readonly string[];
  readonly maxLevel: AlertLevel | undefined;
}

/** Kinds that judge the water at the section itself (not data quality, not a pre-warning for a section below). */
export const ORIGIN_POLLUTION_KINDS: readonly AlertKind[] = ['early-warning', 'exceedance', 'sudden-change', 'trend'];

export function isOriginPollution(e: Pick<AlertEpisode, 'kinds'>): boolean {
  return e.kinds.some((k) => ORIGIN_POLLUTION_KINDS.includes(k));
}

interface Open {
  key: string;
  sectionId: string;
  stationId: string | undefined;
  openTs: number;
  raises: EpisodeRaise[];
}

/** Folds events (in emission order) into episodes, ordered by opening time. */
export function episodesOf(events: readonly AlertEvent[]): AlertEpisode[] {
  const open = new Map<string, Open>();
  const done: AlertEpisode[] = [];
  const close = (o: Open, closeTs: number | undefined): void => {
    const kinds = [...new Set(o.raises.map((r) => r.kind))];
    const parameters = [...new Set(o.raises.flatMap((r) => r.parameters))].sort();
    let maxLevel: AlertLevel | undefined;
    for (const r of o.raises)
      if (r.level !== undefined && (maxLevel === undefined || levelRank(r.level) > levelRank(maxLevel))) maxLevel = r.level;
    done.push({ ...o, closeTs, kinds, parameters, maxLevel });
  };
  for (const e of events) {
    const o = open.get(e.key);
    if (e.type === 'clear') {
      if (o) {
        close(o, e.ts);
        open.delete(e.key);
      }
      continue;
    }
    const raise: EpisodeRaise = {
      ts: e.ts,
      kind: e.kind,
      level: e.level,
      parameters: e.parameters,
      values: e.evidence.values ?? {},
      limit: e.evidence.limit ?? {},
      ...(isAlertLevel(e.evidence.originLevel) ? { originLevel: e.evidence.originLevel } : {}),
      ...(e.arrival ? { arrival: e.arrival } : {}),
    };
    if (o) o.raises.push(raise);
    else open.set(e.key, { key: e.key, sectionId: e.sectionId, stationId: e.stationId, openTs: e.ts, raises: [raise] });
  }
  for (const o of open.values()) close(o, undefined);
  return done.sort((a, b) => a.openTs - b.openTs || a.key.localeCompare(b.key));
}

/**
 * Per-row alarm flags from episodes: row i is alarmed when an episode is open
 * at its time (open ≤ ts < close), the same convention as the offline
 * harness (the row that ends an event is not alarmed).
 */
export function alarmsFromEpisodes(
  ts: readonly number[],
  episodes: readonly Pick<AlertEpisode, 'openTs' | 'closeTs'>[],
): boolean[] {
  const alarms = new Array<boolean>(ts.length).fill(false);
  const sorted = [...episodes].sort((a, b) => a.openTs - b.openTs);
  let i = 0;
  for (const ep of sorted) {
    const end = ep.closeTs ?? Number.POSITIVE_INFINITY;
    while (i < ts.length && (ts[i] as number) < ep.openTs) i++;
    for (let j = i; j < ts.length && (ts[j] as number) < end; j++) alarms[j] = true;
  }
  return alarms;
}
