/**
 * Timing settings of the analytics worker (worker.ts): how often it
 * checkpoints and ticks, how much history warms a section up, and when a
 * read means the consumer is behind the log.
 */
export interface AnalyticsWorkerSettings {
  /** Checkpoint (and acknowledge) at most this often. @defaultValue 5000 */
  readonly checkpointIntervalMs: number;
  /**
   * Checkpoint at most this often while behind the log (a read came back full). Catching up
   * changes every section, so each checkpoint rewrites them all (~0.5 MB of JSON per section of 40
   * stations); every 5 s that was a quarter of the whole job's garbage in the peer bench (issue 14).
   * A crash re-analyses at most this much backlog, which is idempotent. @defaultValue 30000
   */
  readonly checkpointBehindMs: number;
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
  checkpointBehindMs: 30_000,
  tickIntervalMs: 15_000,
  warmHistoryMs: 2 * 86_400_000,
};
