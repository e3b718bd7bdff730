/**
 * Prometheus metrics (prom-client). One registry per process, passed to
 * every part; parts create their metrics on it through these factories so
 * the names and labels stay in one place.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry as MetricsRegistry };

export function createMetricsRegistry(defaults = true): Registry {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'riverwatch_process_' });
  return registry;
}

/** Returns the metric of that name on the registry, creating it the first time. */
function once<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function ingestMetrics(registry: Registry) {
  return {
    accepted: once(registry, 'riverwatch_readings_accepted_total', () => new Counter({ name: 'riverwatch_readings_accepted_total', help: 'Readings appended to the readings log, by ingress', labelNames: ['ingress'] as const, registers: [registry] })),
    rejected: once(registry, 'riverwatch_readings_rejected_total', () => new Counter({ name: 'riverwatch_readings_rejected_total', help: 'Refused readings or values, by reason code and ingress', labelNames: ['reason', 'ingress'] as const, registers: [registry] })),
    backpressure: once(registry, 'riverwatch_ingest_backpressure', () => new Gauge({ name: 'riverwatch_ingest_backpressure', help: '1 while ingress pushes back because the readings log is over its high-water mark', registers: [registry] })),
    logLength: once(registry, 'riverwatch_readings_log_length', () => new Gauge({ name: 'riverwatch_readings_log_length', help: 'Entries in the readings log not yet trimmed (not acknowledged by every group)', labelNames: ['partition'] as const, registers: [registry] })),
    consumerLag: once(registry, 'riverwatch_readings_log_lag', () => new Gauge({ name: 'riverwatch_readings_log_lag', help: 'Entries not yet delivered to a consumer group, plus its pending entries', labelNames: ['group', 'partition'] as const, registers: [registry] })),
    appendSeconds: once(registry, 'riverwatch_readings_log_append_seconds', () => new Histogram({ name: 'riverwatch_readings_log_append_seconds', help: 'Time of one write to the readings log (one Redis pipeline; concurrent appends are coalesced into it)', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1], registers: [registry] })),
  };
}

export function storeMetrics(registry: Registry) {
  return {
    written: once(registry, 'riverwatch_store_points_written_total', () => new Counter({ name: 'riverwatch_store_points_written_total', help: 'Readings written to InfluxDB', registers: [registry] })),
    failures: once(registry, 'riverwatch_store_write_failures_total', () => new Counter({ name: 'riverwatch_store_write_failures_total', help: 'Failed InfluxDB writes (retried from the log)', registers: [registry] })),
    writeSeconds: once(registry, 'riverwatch_store_write_seconds', () => new Histogram({ name: 'riverwatch_store_write_seconds', help: 'InfluxDB write latency per batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: [registry] })),
  };
}
