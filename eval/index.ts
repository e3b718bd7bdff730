/** Offline evaluation of event detectors on labelled streams (issue 5, `npm run eval`; entry point main.ts). */
export {
  evaluateStream,
  type EvalRange,
  type EvaluateOptions,
  type StreamDetector,
  type StreamEvaluation,
} from './evaluate-stream.js';
export { computeMetrics, runsOf, type EvalMetrics, type EventRun, type MetricsOptions } from './metrics.js';
export { loadGeccoCsv, parseGeccoCsv, type ColumnMapping, type LabelledStream, type StreamRow } from './gecco.js';
export { loadEvalStation, loadParameterExtension, type EvalSignal, type EvalStationConfig } from './eval-config.js';
export { NaiveDetector, type NaiveOptions } from './naive-detector.js';
