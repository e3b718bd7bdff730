/** The pure simulation model: water, instruments, faults, spills, labels, engine. */
export { SimulationEngine, type EngineOptions, type Due } from './engine.js';
export {
  StationStream,
  DEFAULT_STREAM_OPTIONS,
  MAX_BATCH_READINGS,
  type StationMessage,
  type StreamOptions,
} from './station-stream.js';
export { SectionWater, type SectionInfluences, type SpillEvent, type WaterValues } from './section-water.js';
export { sectionBaseline, doSaturationMgL, type SectionBaseline } from './baseline.js';
export { groundTruthLabels, type GroundTruthLabel, type LabelCategory, type LabelKind, type LabelInput } from './labels.js';
export {
  routeSpill,
  plumeConcentrationMgL,
  plumePeakMgL,
  plumePeakMs,
  plumeWindow,
  DEFAULT_HYDRAULICS,
  PLUME_WINDOW_SIGMAS,
  type Hydraulics,
  type PlumeReach,
  type SpillRelease,
} from './spill-plume.js';
export { type FaultEvent, type FaultKind, FAULT_KINDS } from './faults.js';
export { type RainEvent } from './rain.js';
export { type TrendEvent } from './trend.js';
export { type ScenarioEvents, NO_EVENTS } from './scenario-events.js';
export { BASIC_PARAMETERS, NUTRIENT_PARAMETERS, behaviourOf, noiseSigma } from './parameter-behaviour.js';
export { Rng, deriveSeed } from './prng.js';
export { formatIsoWithOffset, parseDurationMs, solarHour } from './sim-time.js';
