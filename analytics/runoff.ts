/**
 * Rain runoff or pollution? (issue 13 §3). Runoff after rain washes soil into
 * the river and dilutes it: turbidity rises several-fold while conductivity
 * falls or holds (rain water carries few ions), and ammonia stays where it
 * was. An effluent or spill carries dissolved load: conductivity rises with
 * it, and ammonia often does. So a sudden change in which turbidity rises
 * or conductivity is diluted, conductivity does not rise, and ammonia does
 * not move is treated as runoff.
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
/** While recovering from runoff, conductivity may come back this far above the (diluted) baseline. */
const RECOVERY_COND_TOLERANCE = 0.1;

/**
 * @param latest the station's latest value of a parameter (any parameter, moving or not)
 */
export function looksLikeRunoff(ev: SuddenEvent, latest: (key: string) => number | undefined): boolean {
  if (ev.parameters.includes('nh3n')) return false;
  const moving = (key: string): { value: number; base: number } | undefined => {
    if (!ev.parameters.includes(key)) return undefined;
    const value = latest(key);
    const base = ev.baseline[key];
    return value === undefined || base === undefined ? undefined : { value, base };
  };
  const turb = moving('turb');
  const cond = moving('cond');
  if (ev.parameters.includes('cond') && cond === undefined) return false;
  // Dissolved load rising with it: an effluent, not rain.
  if (cond && cond.value > cond.base * (1 + COND_TOLERANCE)) return false;
  const washIn = turb !== undefined && turb.value > turb.base;
  const dilution = cond !== undefined && cond.value < cond.base * (1 - COND_TOLERANCE);
  return washIn || dilution;
}

/**
 * After runoff the river recovers for hours: the detector's baseline has
 * followed the diluted, turbid water, so the return to normal is itself a
 * change (conductivity back up, pH and DO settling). Within the recovery
 * period after a runoff notice, a sudden change with no pollution marker
 * (NH3-N not moving, conductivity not more than 10 % above its baseline) is
 * part of the rain's passage too.
 */
export function looksLikeRecovery(ev: SuddenEvent, latest: (key: string) => number | undefined): boolean {
  if (ev.parameters.includes('nh3n')) return false;
  if (!ev.parameters.includes('cond')) return true;
  const cond = latest('cond');
  const base = ev.baseline.cond;
  return cond !== undefined && base !== undefined && cond <= base * (1 + RECOVERY_COND_TOLERANCE);
}
