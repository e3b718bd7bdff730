/**
 * Analytics: pure detectors and the per-section analyzer the analytics
 * worker runs (docs/analytics.md). No I/O here.
 */
export {
  SectionAnalyzer,
  type AnalyzerStats,
  type SectionAnalyzerDeps,
  type SectionAnalyzerSnapshot,
  type SectionView,
} from './section-analyzer.js';
export type { SuddenChangeEngine, SuddenChangeFactory, SuddenChangeResult, SuddenChangeSignal } from './station-state.js';
export { ReorderBuffer, sectionHoldLimits, type HoldLimits, type Released } from './reorder-buffer.js';
export { suddenChangeFactory } from './sudden-change-factory.js';
export { SuddenChangeDetector, type SuddenChangeOptions } from './detectors/sudden-change.js';
export {
  AnalyticsOptionsSchema,
  DEFAULT_OPTIONS,
  PARAMETER_DEFAULTS,
  effectiveCount,
  parseAnalyticsOptions,
  resolveSectionOptions,
  type AnalyticsOptionsInput,
  type OptionsResult,
  type ParameterOptions,
  type SectionOptions,
} from './options.js';
export {
  assessValue,
  buildRule,
  ThresholdDetector,
  thresholdApplies,
  SEVERITY_LEVEL,
  type Severity,
  type ThresholdAssessment,
} from './detectors/threshold.js';
export {
  mannKendall,
  senSlope,
  senIntercept,
  timeToLimitMs,
  TrendDetector,
  type MannKendallResult,
  type TrendEvaluation,
} from './detectors/trend.js';
export { FlatLineDetector, FlagTracker, OfflineMonitor, SpikeDetector } from './detectors/data-quality.js';
export {
  arrivalWindow,
  attribute,
  predictArrivals,
  UpstreamArrivalTracker,
  type ArrivalEstimate,
  type Attribution,
} from './detectors/upstream.js';
