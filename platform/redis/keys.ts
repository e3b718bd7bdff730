/**
 * The key book: every Redis key RiverWatch writes, all under one prefix, in
 * one place (BullMQ's own keys are under the queue prefix, `queuePrefix` in
 * the alerts settings). Condition keys from analytics contain `:`, which is
 * fine in Redis keys but not in BullMQ job ids; job ids use alert and task
 * ids, which never do.
 */
export class RedisKeys {
  /**
   * Keys laid out for Redis Cluster: the prefix is a hash tag (`{rw}`), so
   * every key of the alerts workflow (alerts, tasks, event log, notifications,
   * silences, transfers, feedback, groups, API keys), which Lua scripts and
   * BullMQ flows touch together, is in one slot; each readings-log partition
   * gets a tag of its own (`rw:readings:{3}`) so partitions spread over the
   * masters. On a single server or Sentinel the prefix is plain (`rw`).
   */
  readonly clusterLayout: boolean;
  readonly #readingsHead: string;

  constructor(readonly prefix: string) {
    this.clusterLayout = /^\{[^{}]+\}$/.test(prefix);
    this.#readingsHead = this.clusterLayout ? `${prefix.slice(1, -1)}:readings:{` : `${prefix}:readings:`;
  }

  // Readings (ingest, store, analytics).

  /** Stream of one readings-log partition. */
  readingsPartition(partition: number): string {
    return this.clusterLayout ? `${this.#readingsHead}${partition}}` : `${this.#readingsHead}${partition}`;
  }
  /** The partition number of a readings-log stream key, or NaN. */
  partitionOf(streamKey: string): number {
    if (!streamKey.startsWith(this.#readingsHead)) return Number.NaN;
    const rest = streamKey.slice(this.#readingsHead.length);
    return Number(this.clusterLayout ? (rest.endsWith('}') ? rest.slice(0, -1) : 'x') : rest);
  }
  /** Refused input (stream), listed and replayed from the API. */
  readingDeadLetters(): string {
    return `${this.prefix}:deadletters`;
  }
  /** Station diagnostics of one kind (capped stream). */
  diagnostics(kind: string): string {
    return `${this.prefix}:diagnostics:${kind}`;
  }
  /** Analytics state snapshots (hash section → snapshot). */
  analyticsSnapshots(): string {
    return `${this.prefix}:analytics:snapshots`;
  }

  // Alerts, tasks, notifications.

  /** Current alert pointer of a condition: JSON `{ alertId, episode }`. */
  condition(conditionKey: string): string {
    return `${this.prefix}:alerts:cond:${conditionKey}`;
  }
  alert(alertId: string): string {
    return `${this.prefix}:alerts:alert:${alertId}`;
  }
  /** Event ids already applied to a condition (sorted set by event time, trimmed). */
  seenEvents(conditionKey: string): string {
    return `${this.prefix}:alerts:seen:${conditionKey}`;
  }
  /** All alerts, scored by opening time. */
  alertIndex(): string {
    return `${this.prefix}:alerts:idx:all`;
  }
  /** Ids of alerts not yet resolved. */
  activeAlerts(): string {
    return `${this.prefix}:alerts:idx:active`;
  }
  /** Hash level → number of active alerts (`none` for data-quality). */
  activeByLevel(): string {
    return `${this.prefix}:alerts:active-by-level`;
  }
  /** The event log: live stream for the dashboard and outbox for the dispatcher. */
  eventLog(): string {
    return `${this.prefix}:alerts:events`;
  }
  task(taskId: string): string {
    return `${this.prefix}:tasks:task:${taskId}`;
  }
  taskByAlert(alertId: string): string {
    return `${this.prefix}:tasks:by-alert:${alertId}`;
  }
  /** The task not yet closed for a condition key (relapse reopens it instead of a second task). */
  taskByCondition(conditionKey: string): string {
    return `${this.prefix}:tasks:by-cond:${conditionKey}`;
  }
  /** The task not yet closed for a section: further qualifying alerts of the section attach to it. */
  openTaskBySection(sectionId: string): string {
    return `${this.prefix}:tasks:by-section:${sectionId}`;
  }
  taskIndex(): string {
    return `${this.prefix}:tasks:idx:all`;
  }
  openTasks(): string {
    return `${this.prefix}:tasks:idx:open`;
  }
  /** Delivery record per (transition, recipient). */
  delivery(deliveryId: string): string {
    return `${this.prefix}:notify:delivery:${deliveryId}`;
  }
  deliveryLog(): string {
    return `${this.prefix}:notify:log`;
  }
  deadLetters(): string {
    return `${this.prefix}:notify:dead`;
  }
  firstNotified(alertId: string): string {
    return `${this.prefix}:notify:first:${alertId}`;
  }
  commandAck(commandId: string): string {
    return `${this.prefix}:commands:ack:${commandId}`;
  }
  /** Feedback keys of an alert: `a` latest entry, `h` history, `f` flags; `idx` and `counts` overall. */
  feedback(part: 'a' | 'h' | 'f', alertId: string): string {
    return `${this.prefix}:feedback:${part}:${alertId}`;
  }
  feedbackIndex(): string {
    return `${this.prefix}:feedback:idx`;
  }
  feedbackCounts(): string {
    return `${this.prefix}:feedback:counts`;
  }
  /** A notification group's state (`part`: members, timer, …) per agency and group key. */
  notificationGroup(part: string, agencyId: string, groupKey: string): string {
    return `${this.prefix}:groups:${part}:${agencyId}:${groupKey}`;
  }
  silence(id: string): string {
    return `${this.prefix}:silences:s:${id}`;
  }
  silenceIndex(): string {
    return `${this.prefix}:silences:idx`;
  }
  /** Notifications held back by a silence, and the silences holding an alert. */
  silenceHeld(id: string): string {
    return `${this.prefix}:silences:held:${id}`;
  }
  silenceHeldBy(alertId: string): string {
    return `${this.prefix}:silences:held-by:${alertId}`;
  }
  transfer(id: string): string {
    return `${this.prefix}:transfers:t:${id}`;
  }
  transferIndex(): string {
    return `${this.prefix}:transfers:idx`;
  }
  openTransfers(): string {
    return `${this.prefix}:transfers:open`;
  }
  transferBySubject(kind: string, id: string): string {
    return `${this.prefix}:transfers:by-subject:${kind}:${id}`;
  }

  // API.

  apiKey(keyId: string): string {
    return `${this.prefix}:apikeys:key:${keyId}`;
  }
  apiKeyIndex(): string {
    return `${this.prefix}:apikeys:idx`;
  }
}
