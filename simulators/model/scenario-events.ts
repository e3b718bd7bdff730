/**
 * Everything a scenario injects, resolved to absolute times and registry
 * ids (built by simulators/scenario/compile-scenario.ts; consumed by the
 * engine and the ground-truth labels).
 */
import type { FaultEvent } from './faults.js';
import type { RainEvent } from './rain.js';
import type { SpillEvent } from './section-water.js';
import type { TrendEvent } from './trend.js';

export interface ScenarioEvents {
  readonly rain: readonly RainEvent[];
  readonly trends: readonly TrendEvent[];
  readonly spills: readonly SpillEvent[];
  readonly faults: readonly FaultEvent[];
}

export const NO_EVENTS: ScenarioEvents = { rain: [], trends: [], spills: [], faults: [] };

/** Start times of every event, sorted: the terminal counts events injected so far. */
export function eventStartTimes(events: ScenarioEvents): number[] {
  return [...events.rain, ...events.trends, ...events.spills, ...events.faults].map((e) => e.startMs).sort((a, b) => a - b);
}
