/**
 * The real sudden-change detector (analytics/detectors/sudden-change.ts) as
 * the analyzer's {@link SuddenChangeFactory}. The detector's own options come
 * from `suddenChange.detector` in the analytics options.
 */
import { SuddenChangeDetector, type SuddenChangeOptions } from './detectors/sudden-change.js';
import type { SuddenChangeFactory } from './station-state.js';

export const suddenChangeFactory: SuddenChangeFactory = {
  create: (signals, options) => new SuddenChangeDetector(signals, options as Partial<SuddenChangeOptions>),
  restore: (snapshot, signals, options) =>
    SuddenChangeDetector.restore(snapshot, signals, options as Partial<SuddenChangeOptions>),
};
