/** Shared helpers for the simulator tests: the sample registry and a way to run the engine to the end. */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import type { ReadingPayload, Registry, Station } from '../../../domain/index.js';
import {
  SimulationEngine,
  type ScenarioEvents,
  type StationMessage,
  type StreamOptions,
} from '../../../simulators/model/index.js';
import { readingsTopic } from '../../../domain/index.js';
import { encodeMessage } from '../../../simulators/transports/payload.js';
import { compileScenario, loadScenarioFile, type Scenario } from '../../../simulators/scenario/index.js';

export const registryPath = fileURLToPath(new URL('../../../config/registry.yaml', import.meta.url));

let cached: Registry | undefined;
export function sampleRegistry(): Registry {
  cached ??= loadRegistryFile(registryPath);
  return cached;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function stationsOf(registry: Registry, ids?: readonly string[]): Station[] {
  const all = [...registry.stations.values()];
  return ids === undefined ? all : all.filter((s) => ids.includes(s.id) || ids.includes(s.sectionId));
}

export function shippedScenario(name: string): Scenario {
  const result = loadScenarioFile(name);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.scenario;
}

export function compile(
  scenario: Scenario,
  registry: Registry,
  stations: readonly Station[],
  seed: number,
  fromMs: number,
  toMs: number,
): ScenarioEvents {
  const result = compileScenario({ scenario, registry, stations, seed, fromMs, toMs, nowMs: toMs });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.events;
}

export interface RunOutput {
  readonly messages: StationMessage[];
  /** Readings of every message, flattened, per station, in time order of sending. */
  readonly byStation: Map<string, ReadingPayload[]>;
  /** SHA-256 of every topic and payload, in order. */
  readonly hash: string;
}

/** Runs the engine from `fromMs` to `toMs` and collects everything it would send. */
export function runEngine(input: {
  registry: Registry;
  stations: readonly Station[];
  seed: number;
  fromMs: number;
  toMs: number;
  events: ScenarioEvents;
  stream?: Partial<StreamOptions>;
}): RunOutput {
  const engine = new SimulationEngine(input);
  const messages: StationMessage[] = [];
  const byStation = new Map<string, ReadingPayload[]>();
  const hash = createHash('sha256');
  for (let due = engine.popDue(); due; due = engine.popDue()) {
    for (const m of due.messages) {
      messages.push(m);
      hash.update(readingsTopic(m.sectionId, m.stationId)).update('\n').update(encodeMessage(m)).update('\n');
      const list = byStation.get(m.stationId) ?? [];
      list.push(...m.readings);
      byStation.set(m.stationId, list);
    }
  }
  return { messages, byStation, hash: hash.digest('hex') };
}

/** Epoch ms of a reading's `ts`. */
export function tsOf(reading: ReadingPayload): number {
  return typeof reading.ts === 'number' ? reading.ts : Date.parse(reading.ts);
}

/** Local (UTC+8) hour of day. */
export function localHour(ms: number): number {
  return new Date(ms + 8 * HOUR).getUTCHours();
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
