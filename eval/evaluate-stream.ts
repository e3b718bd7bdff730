/**
 * Replays a labelled stream through a detector, online: one `update` per row
 * in order, the row's alarm is the detector's `inEvent` right after that row
 * (no look-ahead). Generic over the detector so the same harness serves the
 * GECCO file, the naive baseline and, later, the simulated river scenarios.
 */
import { computeMetrics, type EvalMetrics, type MetricsOptions } from './metrics.js';
import type { StreamRow } from './gecco.js';

/** What the harness needs from a detector. */
export interface StreamDetector {
  update(ts: number, values: Record<string, number | undefined>): { readonly inEvent: boolean };
}

/** A named slice of the stream to report separately (rows [from, to)). */
export interface EvalRange {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface StreamEvaluation {
  /** One alarm flag per row. */
  readonly alarms: boolean[];
  /** Figures over the whole stream. */
  readonly metrics: EvalMetrics;
  /** Figures per requested range, from the same continuous run. */
  readonly ranges: Record<string, EvalMetrics>;
  /** Wall time of the replay (detector only). */
  readonly replayMs: number;
}

export interface EvaluateOptions extends Pick<MetricsOptions, 'lenientAfterMs'> {
  readonly ranges?: readonly EvalRange[];
  /** Clock for timing the replay (injected; performance.now by default). */
  readonly nowMs?: () => number;
}

/** Replays `rows` through a fresh detector from `detectorFactory` and scores the alarms against `labels`. */
export function evaluateStream(
  rows: readonly StreamRow[],
  labels: readonly boolean[],
  detectorFactory: () => StreamDetector,
  options: EvaluateOptions = {},
): StreamEvaluation {
  if (rows.length !== labels.length) throw new RangeError(`rows (${rows.length}) and labels (${labels.length}) differ in length`);
  const now = options.nowMs ?? (() => performance.now());
  const detector = detectorFactory();
  const alarms = new Array<boolean>(rows.length);
  const t0 = now();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as StreamRow;
    alarms[i] = detector.update(row.ts, row.values).inEvent;
  }
  const replayMs = now() - t0;
  const ts = rows.map((r) => r.ts);
  const metricsOptions = options.lenientAfterMs === undefined ? {} : { lenientAfterMs: options.lenientAfterMs };
  const ranges: Record<string, EvalMetrics> = {};
  for (const r of options.ranges ?? [])
    ranges[r.name] = computeMetrics(ts, labels, alarms, { ...metricsOptions, from: r.from, to: r.to });
  return { alarms, metrics: computeMetrics(ts, labels, alarms, metricsOptions), ranges, replayMs };
}
