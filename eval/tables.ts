/** The tables `npm run eval` prints: one line of figures per detector, and the verdict against issue 13's targets. */
import type { EvalMetrics } from './metrics.js';

/** Issue 13's targets, judged out of sample (the pooled score stretches of the folds). */
export const TARGETS = { eventRecall: 0.95, falseAlarmEpisodesPerDay: 0.5, f1: 0.75, medianDelayMin: 5 };
export const pct = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
export const num = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

export function line(name: string, m: EvalMetrics): string {
  return [
    name.padEnd(22),
    pct(m.precision).padStart(6),
    pct(m.recall).padStart(6),
    pct(m.f1).padStart(6),
    `${m.eventsDetected}/${m.events}`.padStart(6),
    `${m.eventsDetectedLenient}/${m.events}`.padStart(8),
    String(m.falseAlarmEpisodes).padStart(5),
    num(m.falseAlarmEpisodesPerDay, 2).padStart(7),
    String(m.falseAlarmRows).padStart(7),
    num(m.medianDelayMin).padStart(7),
    num(m.meanDelayMin).padStart(6),
  ].join(' ');
}

export const HEADER = `${'detector / rows'.padEnd(22)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'events'.padStart(6)} ${'lenient'.padStart(8)} ${'FA ep'.padStart(5)} ${'FA/day'.padStart(7)} ${'FA rows'.padStart(7)} ${'med dly'.padStart(7)} ${'mean'.padStart(6)}`;

export function verdict(m: Pick<EvalMetrics, 'f1' | 'falseAlarmEpisodesPerDay' | 'medianDelayMin'> & { eventRecall: number }): string {
  const ok = (b: boolean): string => (b ? 'met' : 'NOT met');
  return [
    `event recall ${pct(m.eventRecall)} (target ≥ ${TARGETS.eventRecall}): ${ok(m.eventRecall >= TARGETS.eventRecall)}`,
    `false-alarm episodes/day ${num(m.falseAlarmEpisodesPerDay, 2)} (target ≤ ${TARGETS.falseAlarmEpisodesPerDay}): ${ok(m.falseAlarmEpisodesPerDay <= TARGETS.falseAlarmEpisodesPerDay)}`,
    `point F1 ${pct(m.f1)} (target ≥ ${TARGETS.f1}): ${ok(m.f1 >= TARGETS.f1)}`,
    `median delay ${num(m.medianDelayMin)} min (target ≤ ${TARGETS.medianDelayMin}): ${ok(m.medianDelayMin <= TARGETS.medianDelayMin)}`,
  ].join('\n  ');
}
