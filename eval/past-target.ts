/**
 * When a pollution label's parameter went past the section's target class:
 * in the station's readings (first evidence reading past it, and the next
 * reading of the parameter) and in the modelled water itself (noise-free).
 * Used by the river scenario scoring (river-run.ts). Pure.
 */
import { classOfValue, flagOf, isClassParameter, isEvidence, type Reading, type Registry } from '../domain/index.js';
import type { GroundTruthLabel } from '../simulators/index.js';

/** When a pollution label's parameter went past the section's target class, in the water and in the readings. */
export interface PastTarget {
  /** First reading of the parameter past the target (evidence flags only); undefined when no reading was. */
  readonly firstPastTs: number | undefined;
  /** The parameter's next reading after that one (the "one sampling interval" deadline). */
  readonly nextTs: number | undefined;
  /** First minute the modelled water itself (no instrument noise) was past the target; undefined when it never was. */
  readonly waterPastTs: number | undefined;
  /** Median gap between the station's readings of the parameter around the window. */
  readonly intervalMs: number | undefined;
}

/** Finds, per pollution label, the station's first reading past the target class inside the window. */
export class PastTargetTracker {
  readonly #byStation = new Map<string, Tracked[]>();
  readonly #tracked: Tracked[] = [];

  constructor(registry: Registry, labels: readonly GroundTruthLabel[]) {
    labels.forEach((label, index) => {
      if (label.category !== 'pollution') return;
      const section = registry.section(label.sectionId);
      if (!section || !isClassParameter(label.parameter, section.waterBody)) return;
      const t: Tracked = {
        index,
        label,
        target: section.targetClass,
        body: section.waterBody,
        times: [],
        firstPastTs: undefined,
      };
      const list = this.#byStation.get(label.stationId) ?? [];
      list.push(t);
      this.#byStation.set(label.stationId, list);
      this.#tracked.push(t);
    });
  }

  observe(r: Reading): void {
    for (const t of this.#byStation.get(r.stationId) ?? []) {
      const value = r.values[t.label.parameter];
      if (value === undefined) continue;
      const end = t.label.endMs ?? Number.POSITIVE_INFINITY;
      if (r.ts < t.label.startMs - TRACK_MARGIN_MS || r.ts > end + TRACK_MARGIN_MS) continue;
      t.times.push(r.ts);
      if (t.firstPastTs !== undefined || r.ts < t.label.startMs || r.ts > end || !isEvidence(flagOf(r, t.label.parameter)))
        continue;
      const cls = classOfValue(t.label.parameter, value, t.body);
      if (cls !== undefined && cls > t.target) t.firstPastTs = r.ts;
    }
  }

  /** Results; `water` gives the modelled (noise-free) water of a section for the water-past-target time. */
  result(water: (sectionId: string) => ((ms: number) => Readonly<Record<string, number>>) | undefined): Map<number, PastTarget> {
    const out = new Map<number, PastTarget>();
    for (const t of this.#tracked) {
      const gaps = t.times.slice(1).map((ts, i) => ts - (t.times[i] as number));
      const intervalMs = gaps.length > 0 ? medianOf(gaps) : undefined;
      const at = water(t.label.sectionId);
      let waterPastTs: number | undefined;
      const end = t.label.endMs ?? Number.POSITIVE_INFINITY;
      if (at && Number.isFinite(end)) {
        for (let ms = t.label.startMs; ms <= end; ms += WATER_SCAN_STEP_MS) {
          const v = at(ms)[t.label.parameter];
          const cls = v === undefined ? undefined : classOfValue(t.label.parameter, v, t.body);
          if (cls !== undefined && cls > t.target) {
            waterPastTs = ms;
            break;
          }
        }
      }
      if (t.firstPastTs === undefined && waterPastTs === undefined) continue;
      out.set(t.index, {
        firstPastTs: t.firstPastTs,
        nextTs: t.firstPastTs === undefined ? undefined : t.times.find((ts) => ts > (t.firstPastTs as number)),
        waterPastTs,
        intervalMs,
      });
    }
    return out;
  }
}

interface Tracked {
  readonly index: number;
  readonly label: GroundTruthLabel;
  readonly target: number;
  readonly body: 'river' | 'lake';
  readonly times: number[];
  firstPastTs: number | undefined;
}

/** Readings of a labelled parameter kept around its window, for the series' sampling interval. */
const TRACK_MARGIN_MS = 12 * 3_600_000;
const WATER_SCAN_STEP_MS = 60_000;

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
