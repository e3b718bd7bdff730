/**
 * Rain runoff or pollution? (issue 13 §3). Runoff after rain washes soil into
 * the river and dilutes it: turbidity rises several-fold while conductivity
 * falls or holds (rain water carries few ions), and ammonia stays where it
 * was. An effluent or spill carries dissolved load: conductivity rises with
 * it, and ammonia often does. So a sudden change in which turbidity rises,
 * conductivity does not, and ammonia does not move is treated as runoff.
 *
 * What this cannot tell: a spill of clean, particle-laden water (dredging
 * spoil) looks like runoff; the threshold check still judges every
 * parameter against the target, so an exceedance is raised as usual. A
 * rainfall input (a rain gauge as a station parameter) would make the
 * judgement surer; it is not read yet. Pure.
 */
import type { SuddenEvent } from './station-state.js';

/** Conductivity within this fraction above its baseline counts as "not rising". */
const COND_TOLERANCE = 0.02;

/**
 * @param latest the station's latest value of a parameter (any parameter, moving or not)
 */
export function looksLikeRunoff(ev: SuddenEvent, latest: (key: string) => number | undefined): boolean {
  if (!ev.parameters.includes('turb') || ev.parameters.includes('nh3n')) return false;
  const turb = latest('turb');
  const turbBase = ev.baseline.turb;
  if (turb === undefined || turbBase === undefined || turb <= turbBase) return false;
  if (!ev.parameters.includes('cond')) return true;
  const cond = latest('cond');
  const condBase = ev.baseline.cond;
  if (cond === undefined || condBase === undefined) return false;
  return cond <= condBase * (1 + COND_TOLERANCE);
}
