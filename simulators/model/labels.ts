/**
 * Ground truth: what the scenario injected, where and when, as windows per
 * station and parameter (issue 7 §3). The evaluation in the analytics issue
 * scores detections against these. Pure: computed from the compiled events
 * before the run starts.
 */
import { classOfValue, type Registry, type Station } from '../../domain/index.js';
import { sectionBaseline } from './baseline.js';
import type { FaultKind } from './faults.js';
import { noiseSigma } from './parameter-behaviour.js';
import { rainEffectEndMs } from './rain.js';
import type { ScenarioEvents } from './scenario-events.js';
import { SectionWater } from './section-water.js';
import { ceilToStep, formatIsoWithOffset } from './sim-time.js';
import { plumePeakMgL, plumeWindow } from './spill-plume.js';

export type LabelKind = 'spill' | 'rain' | 'trend' | FaultKind;

/** pollution: should raise pollution alerts; natural: a real change that is not pollution; data-quality: sensor or link trouble. */
export type LabelCategory = 'pollution' | 'natural' | 'data-quality';

export interface GroundTruthLabel {
  readonly eventId: string;
  readonly kind: LabelKind;
  readonly category: LabelCategory;
  readonly stationId: string;
  readonly sectionId: string;
  readonly parameter: string;
  readonly startMs: number;
  /** null for an event that lasts until the end of an open-ended run. */
  readonly endMs: number | null;
  readonly start: string;
  readonly end: string | null;
  /** spill: when the peak passes, the change at the peak (parameter unit), and whether it takes the value past the section's target class. */
  readonly peakMs?: number;
  readonly peakDelta?: number;
  readonly exceedsTarget?: boolean;
  /** trend: the full change at the end of the ramp. */
  readonly delta?: number;
  readonly factor?: number;
  /** flag: the HJ 212 flag on the values. */
  readonly flag?: string;
  /** link-loss: when the gateway uploads its backlog (first reading time after the outage). */
  readonly uploadMs?: number;
}

export interface LabelInput {
  readonly registry: Registry;
  readonly stations: readonly Station[];
  readonly events: ScenarioEvents;
  readonly seed: number;
  readonly fromMs: number;
  /** Infinity for an open-ended run. */
  readonly toMs: number;
  readonly tzOffsetMinutes: number;
  readonly samplingIntervalS?: number;
}

const RAIN_PARAMETERS = ['turb', 'tp', 'cond', 'codmn'];

/** Every label overlapping [fromMs, toMs), sorted by start, station, parameter. */
export function groundTruthLabels(input: LabelInput): GroundTruthLabel[] {
  const { registry, events, tzOffsetMinutes } = input;
  const iso = (ms: number): string => formatIsoWithOffset(ms, tzOffsetMinutes);
  const labels: GroundTruthLabel[] = [];
  const add = (
    base: Omit<GroundTruthLabel, 'start' | 'end' | 'endMs' | 'stationId' | 'sectionId'> & { endMs: number },
    station: Station,
  ): void => {
    const endMs = Number.isFinite(base.endMs) ? base.endMs : Number.isFinite(input.toMs) ? input.toMs : null;
    if (base.startMs >= input.toMs || (endMs !== null && endMs < input.fromMs)) return;
    labels.push({
      ...base,
      stationId: station.id,
      sectionId: station.sectionId,
      endMs,
      start: iso(base.startMs),
      end: endMs === null ? null : iso(endMs),
    });
  };
  const bySection = new Map<string, Station[]>();
  for (const s of input.stations) bySection.set(s.sectionId, [...(bySection.get(s.sectionId) ?? []), s]);
  const calmWater = new Map<string, SectionWater>();
  const calmAt = (sectionId: string, ms: number): Record<string, number> | undefined => {
    const section = registry.section(sectionId);
    if (!section) return undefined;
    let water = calmWater.get(sectionId);
    if (!water) {
      water = new SectionWater(section, sectionBaseline(section, input.seed), input.seed);
      calmWater.set(sectionId, water);
    }
    return water.calmValuesAt(ms);
  };

  for (const spill of events.spills) {
    for (const reach of spill.reaches) {
      const section = registry.section(reach.sectionId);
      const stations = bySection.get(reach.sectionId) ?? [];
      if (!section || stations.length === 0) continue;
      const window = plumeWindow(spill, reach);
      const peakMgL = plumePeakMgL(spill, reach);
      const calm = calmAt(reach.sectionId, window.peakMs) ?? {};
      for (const [parameter, perMgL] of Object.entries(spill.effects)) {
        const level = calm[parameter] ?? 0;
        const peakDelta = perMgL * peakMgL;
        // Below one σ of instrument noise no detector can be expected to see it: not a label.
        if (Math.abs(peakDelta) < noiseSigma(parameter, level)) continue;
        const peakClass = classOfValue(parameter, level + peakDelta, section.waterBody);
        const exceedsTarget = peakClass !== undefined && peakClass > section.targetClass;
        for (const station of stations) {
          if (!station.parameters.includes(parameter)) continue;
          add(
            {
              eventId: spill.id,
              kind: 'spill',
              category: 'pollution',
              parameter,
              startMs: window.startMs,
              endMs: window.endMs,
              peakMs: window.peakMs,
              peakDelta,
              exceedsTarget,
            },
            station,
          );
        }
      }
    }
  }

  for (const rain of events.rain) {
    for (const sectionId of rain.sectionIds) {
      for (const station of bySection.get(sectionId) ?? []) {
        for (const parameter of RAIN_PARAMETERS) {
          if (!station.parameters.includes(parameter)) continue;
          add(
            {
              eventId: rain.id,
              kind: 'rain',
              category: 'natural',
              parameter,
              startMs: rain.startMs,
              endMs: rainEffectEndMs(rain),
            },
            station,
          );
        }
      }
    }
  }

  for (const trend of events.trends) {
    for (const sectionId of trend.sectionIds) {
      for (const station of bySection.get(sectionId) ?? []) {
        if (!station.parameters.includes(trend.parameter)) continue;
        add(
          {
            eventId: trend.id,
            kind: 'trend',
            category: 'pollution',
            parameter: trend.parameter,
            startMs: trend.startMs,
            endMs: trend.endMs,
            ...(trend.delta !== undefined ? { delta: trend.delta } : {}),
            ...(trend.factor !== undefined ? { factor: trend.factor } : {}),
          },
          station,
        );
      }
    }
  }

  const stationById = new Map(input.stations.map((s) => [s.id, s]));
  for (const fault of events.faults) {
    const station = stationById.get(fault.stationId);
    if (!station) continue;
    const intervalMs = (input.samplingIntervalS ?? station.samplingIntervalS) * 1000;
    for (const parameter of fault.parameters) {
      if (!station.parameters.includes(parameter)) continue;
      const base = { eventId: fault.id, kind: fault.kind, category: 'data-quality' as const, parameter };
      if (fault.kind === 'spikes') {
        for (const t of fault.spikeTimesMs ?? []) {
          const at = ceilToStep(t, intervalMs);
          add({ ...base, startMs: at, endMs: at }, station);
        }
      } else if (fault.kind === 'link-loss') {
        add({ ...base, startMs: fault.startMs, endMs: fault.endMs, uploadMs: ceilToStep(fault.endMs, intervalMs) }, station);
      } else {
        add(
          { ...base, startMs: fault.startMs, endMs: fault.endMs, ...(fault.flag !== undefined ? { flag: fault.flag } : {}) },
          station,
        );
      }
    }
  }

  return labels.sort(
    (a, b) =>
      a.startMs - b.startMs ||
      a.stationId.localeCompare(b.stationId) ||
      a.parameter.localeCompare(b.parameter) ||
      a.eventId.localeCompare(b.eventId),
  );
}
