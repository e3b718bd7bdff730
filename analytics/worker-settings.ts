/**
 * Timing settings of the analytics worker (worker.ts): how often it
 * checkpoints and ticks, how much history warms a section up, and when a
 * read means the consumer is behind the log.
 */
export interface AnalyticsWorkerSettings {
  /** Checkpoint (and acknowledge) at most this often. @defaultValue 5000 */
  readonly checkpointIntervalMs: number;
  /**
   * Largest share of the worker's time checkpoints may take: after one whose snapshots and their
   * serialisation took d ms the next waits at least d / share (and at least checkpointIntervalMs, at
   * most checkpointMaxIntervalMs). The wait for Redis is not counted: a failover can stretch it. Catching up dirties every
   * section, and each checkpoint rewrote them all: ~25 MB of JSON every 5 s for the peer bench's
   * 2,000 stations, a quarter of the whole job's garbage (issue 14). A small deployment
   * (checkpoints of a few ms) keeps the 5 s; a crash re-analyses what the last one did not cover,
   * which is idempotent. @defaultValue 0.01
   */
  readonly checkpointMaxShare: number;
  /** Longest wait between checkpoints however costly they are (bounds what a crash re-analyses). @defaultValue 30000 */
  readonly checkpointMaxIntervalMs: number;
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
  checkpointMaxShare: 0.01,
  checkpointMaxIntervalMs: 30_000,
  tickIntervalMs: 15_000,
  warmHistoryMs: 2 * 86_400_000,
};
