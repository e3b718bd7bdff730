/**
 * Redis key names of the alerts stage, all under one prefix. Condition keys
 * from analytics contain `:`, which is fine in Redis keys but not in BullMQ
 * job ids; job ids use alert and task ids, which never do.
 */
export class AlertKeys {
  constructor(readonly prefix: string) {}

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
  apiKey(keyId: string): string {
    return `${this.prefix}:apikeys:key:${keyId}`;
  }
  apiKeyIndex(): string {
    return `${this.prefix}:apikeys:idx`;
  }
}
