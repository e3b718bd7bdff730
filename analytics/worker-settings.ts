/**
 * Timing settings of the analytics worker (worker.ts): how often it
 * checkpoints and ticks, how much history warms a section up, and when a
 * read means the consumer is behind the log.
 */
export interface AnalyticsWorkerSettings {
  /** Checkpoint (and acknowledge) at most this often. @defaultValue 5000 */
  readonly checkpointIntervalMs: number;
  /** Offline checks, quiet-section drains and pre-warning expiry. @defaultValue 15000 */
  readonly tickIntervalMs: number;
  /** History read to warm-start a section without a checkpoint. @defaultValue 2 days */
  readonly warmHistoryMs: number;
  /**
   * A read returning this many entries means the consumer is behind the log; offline checks wait
   * until it has caught up, or unread readings would look like silent stations. @defaultValue 500
   */
  readonly fullReadEntries: number;
}

export const DEFAULT_WORKER_SETTINGS: AnalyticsWorkerSettings = {
  fullReadEntries: 500,
  checkpointIntervalMs: 5000,
  tickIntervalMs: 15_000,
  warmHistoryMs: 2 * 86_400_000,
};
