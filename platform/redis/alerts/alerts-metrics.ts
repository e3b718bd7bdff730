/**
 * prom-client metrics of the alerts stage, on an injected registry (the
 * entry point owns the registry and serves /metrics).
 */
import { Counter, Gauge, Histogram, type Registry as MetricsRegistry } from 'prom-client';
import type { Redis } from '../client.js';
import type { RedisKeys } from '../keys.js';

export class AlertsMetrics {
  readonly deliveries: Counter<'channel' | 'outcome'>;
  readonly deliveryFailures: Counter<'channel'>;
  readonly deadlinesMissed: Counter<'kind'>;
  readonly firstNotificationSeconds: Histogram;
  readonly openAlerts: Gauge<'level'>;
  readonly silenced: Counter<'kind'>;

  constructor(register: MetricsRegistry, source: { redis: Redis; keys: RedisKeys }) {
    const registers = [register];
    this.deliveries = new Counter({
      name: 'riverwatch_alert_deliveries_total',
      help: 'Notification deliveries by channel and final outcome (delivered, dead)',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.deliveryFailures = new Counter({
      name: 'riverwatch_alert_delivery_failures_total',
      help: 'Failed notification delivery attempts (each retried attempt counts)',
      labelNames: ['channel'],
      registers,
    });
    this.deadlinesMissed = new Counter({
      name: 'riverwatch_task_deadlines_missed_total',
      help: 'Deadlines missed: on-site arrival (first escalation of a task) and ledger problems (first escalation of a problem)',
      labelNames: ['kind'],
      registers,
    });
    this.firstNotificationSeconds = new Histogram({
      name: 'riverwatch_alert_first_notification_seconds',
      help: 'Time from an alert opening to its first delivered webhook',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.silenced = new Counter({
      name: 'riverwatch_alert_transitions_silenced_total',
      help: 'Alert transitions held back by a silence or maintenance window (recorded, not notified, no task), by kind',
      labelNames: ['kind'],
      registers,
    });
    const { redis, keys } = source;
    this.openAlerts = new Gauge({
      name: 'riverwatch_alerts_open',
      help: 'Alerts not yet resolved, by level (none = data-quality)',
      labelNames: ['level'],
      registers,
      // Read at scrape time from the counts every alert change keeps in Redis, so all processes agree.
      async collect() {
        const counts = await redis.hgetall(keys.activeByLevel());
        this.reset();
        for (const [level, value] of Object.entries(counts)) this.set({ level }, Math.max(0, Number(value)));
      },
    });
  }
}
