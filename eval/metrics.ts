/**
 * Figures for an online event detector against labelled rows (issue 5,
 * "Evaluation"):
 *
 * - point-wise precision, recall and F1 over rows (the GECCO challenge score);
 * - event recall: labelled event runs with at least one alarm row *inside*
 *   the run (strict, as the issue says); a lenient variant also counts an
 *   alarm that starts within `lenientAfterMs` after the run ends, reported
 *   separately and labelled as such;
 * - false-alarm episodes: maximal runs of alarm rows that overlap no labelled
 *   row, per day of data;
 * - detection delay: minutes from a run's first row to its first alarm row
 *   inside the run (detected runs only).
 *
 * Pure; a range restricts every figure to rows [from, to).
 */

export interface EventRun {
  /** Row index of the first and last labelled row. */
  readonly first: number;
  readonly last: number;
}

export interface EvalMetrics {
  readonly rows: number;
  readonly days: number;
  readonly labelledRows: number;
  readonly alarmRows: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly events: number;
  readonly eventsDetected: number;
  readonly eventRecall: number;
  /** Runs detected inside or within `lenientAfterMs` after their end. */
  readonly eventsDetectedLenient: number;
  readonly falseAlarmEpisodes: number;
  readonly falseAlarmEpisodesPerDay: number;
  readonly falseAlarmRows: number;
  /** Median / mean delay in minutes over detected runs; NaN when none. */
  readonly medianDelayMin: number;
  readonly meanDelayMin: number;
  /** Indices (in the range's run list) of the runs without an alarm inside. */
  readonly missedEvents: readonly number[];
}

export interface MetricsOptions {
  readonly from?: number;
  readonly to?: number;
  /** @defaultValue 600000 (10 min) */
  readonly lenientAfterMs?: number;
}

/** Maximal runs of `true` in flags[from, to). */
export function runsOf(flags: readonly boolean[], from = 0, to = flags.length): EventRun[] {
  const runs: EventRun[] = [];
  let start = -1;
  for (let i = from; i < to; i++) {
    if (flags[i]) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push({ first: start, last: i - 1 });
      start = -1;
    }
  }
  if (start >= 0) runs.push({ first: start, last: to - 1 });
  return runs;
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Computes every figure for alarms against labels over rows with timestamps `ts`. */
export function computeMetrics(
  ts: readonly number[],
  labels: readonly boolean[],
  alarms: readonly boolean[],
  options: MetricsOptions = {},
): EvalMetrics {
  const from = Math.max(0, options.from ?? 0);
  const to = Math.min(ts.length, labels.length, alarms.length, options.to ?? ts.length);
  const lenientAfterMs = options.lenientAfterMs ?? 600_000;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let labelled = 0;
  let alarmed = 0;
  for (let i = from; i < to; i++) {
    const l = labels[i] === true;
    const a = alarms[i] === true;
    if (l) labelled++;
    if (a) alarmed++;
    if (l && a) tp++;
    else if (a) fp++;
    else if (l) fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  const runs = runsOf(labels, from, to);
  const delays: number[] = [];
  const missed: number[] = [];
  let lenient = 0;
  runs.forEach((run, k) => {
    let firstAlarm = -1;
    for (let i = run.first; i <= run.last; i++) {
      if (alarms[i]) {
        firstAlarm = i;
        break;
      }
    }
    if (firstAlarm >= 0) {
      delays.push(((ts[firstAlarm] as number) - (ts[run.first] as number)) / 60_000);
      lenient++;
      return;
    }
    missed.push(k);
    const endTs = ts[run.last] as number;
    for (let i = run.last + 1; i < to && (ts[i] as number) - endTs <= lenientAfterMs; i++) {
      if (alarms[i]) {
        lenient++;
        break;
      }
    }
  });

  const episodes = runsOf(alarms as boolean[], from, to);
  let faEpisodes = 0;
  let faRows = 0;
  for (const ep of episodes) {
    let overlaps = false;
    for (let i = ep.first; i <= ep.last && !overlaps; i++) overlaps = labels[i] === true;
    if (!overlaps) {
      faEpisodes++;
      faRows += ep.last - ep.first + 1;
    }
  }
  const days = to > from ? ((ts[to - 1] as number) - (ts[from] as number)) / 86_400_000 : 0;
  return {
    rows: to - from,
    days,
    labelledRows: labelled,
    alarmRows: alarmed,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision,
    recall,
    f1,
    events: runs.length,
    eventsDetected: delays.length,
    eventRecall: runs.length === 0 ? 0 : delays.length / runs.length,
    eventsDetectedLenient: lenient,
    falseAlarmEpisodes: faEpisodes,
    falseAlarmEpisodesPerDay: days > 0 ? faEpisodes / days : 0,
    falseAlarmRows: faRows,
    medianDelayMin: median(delays),
    meanDelayMin: delays.length === 0 ? Number.NaN : delays.reduce((s, d) => s + d, 0) / delays.length,
    missedEvents: missed,
  };
}
