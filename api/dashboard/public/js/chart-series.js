// One parameter's own time series for its chart (issue 15 §6). The readings API answers in columns: one `times`
// array shared by every parameter, with null where a parameter has no value. A nutrient analyser reporting every
// 4 hours next to 5-minute probes is null at 47 of 48 timestamps; drawn on the shared timestamps with gaps kept,
// its points are isolated and nothing shows. Each chart therefore gets only the timestamps where its parameter has
// a value, and a break (null) only where the gap is far longer than that parameter's own sampling interval.

/** A gap longer than this many times the parameter's typical interval is drawn as a break in the line. */
export const GAP_FACTOR = 3;
/** Points are drawn as dots when a chart has at most this many values (otherwise the line alone). */
export const MAX_DOTS = 60;

function median(sorted) {
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @param {number[]} times epoch ms, ascending
 * @param {(number|null)[]} values same length as times
 * @returns {{ xs: number[], ys: (number|null)[], count: number, showDots: boolean }}
 *   xs in epoch seconds (uPlot), ys with null inserted inside gaps; count of real values.
 */
export function parameterSeries(times, values) {
  const ts = [];
  const vs = [];
  for (let i = 0; i < times.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    ts.push(times[i]);
    vs.push(v);
  }
  const steps = [];
  for (let i = 1; i < ts.length; i++) steps.push(ts[i] - ts[i - 1]);
  const typical = median([...steps].sort((a, b) => a - b));
  const xs = [];
  const ys = [];
  for (let i = 0; i < ts.length; i++) {
    if (i > 0 && typical !== undefined && ts[i] - ts[i - 1] > GAP_FACTOR * typical) {
      // A break halfway through the gap: uPlot ends the line at a null.
      xs.push((ts[i - 1] + ts[i]) / 2000);
      ys.push(null);
    }
    xs.push(ts[i] / 1000);
    ys.push(vs[i]);
  }
  return { xs, ys, count: ts.length, showDots: ts.length <= MAX_DOTS };
}
