/**
 * The labelled-alerts export as CSV (issue 15 §5): one row per alert with
 * its latest label, times in the sections' local time, names in the asked
 * language. Pure.
 */
import type { Registry } from '../../domain/index.js';
import type { Alert, FeedbackEntry } from '../../platform/redis/alerts/index.js';
import { isFlapping } from '../../alerts/alarms/flapping.js';
import { csvField, isoWithOffset } from './csv.js';

/** China Standard Time, the sections' local time, for exported times. */
const OFFSET_MIN = 480;

const CSV_HEADER = [
  'alert_id',
  'section',
  'section_name',
  'station',
  'kind',
  'max_level',
  'parameters',
  'opened_at',
  'resolved_at',
  'resolve_reason',
  'label',
  'cause',
  'note',
  'labelled_by',
  'labelled_at',
  'key',
];

/** One alert of a history or an export, with its latest label. */
export function labelled(alert: Alert, feedback: FeedbackEntry | undefined) {
  return {
    alertId: alert.id,
    key: alert.key,
    kind: alert.kind,
    sectionId: alert.sectionId,
    ...(alert.stationId !== undefined ? { stationId: alert.stationId } : {}),
    parameters: [...alert.parameters],
    ...(alert.maxLevel !== undefined ? { maxLevel: alert.maxLevel } : {}),
    status: alert.status,
    openedAt: alert.openedAt,
    ...(alert.resolved ? { resolvedAt: alert.resolved.at, resolveReason: alert.resolved.reason } : {}),
    message: alert.message,
    evidence: alert.evidence,
    ...(alert.arrival ? { arrival: alert.arrival } : {}),
    flapping: isFlapping(alert.history, alert.updatedAt),
    ...(feedback ? { feedback } : {}),
  };
}

export type LabelledAlert = ReturnType<typeof labelled>;

/** RFC 4180 CSV of labelled alerts, header first. */
export function feedbackCsv(items: readonly LabelledAlert[], registry: Registry, lang: 'zh' | 'en'): string {
  const time = (ms: number | undefined) => (ms === undefined ? '' : isoWithOffset(ms, OFFSET_MIN));
  let csv = `${CSV_HEADER.join(',')}\r\n`;
  for (const i of items) {
    const section = registry.section(i.sectionId);
    const by = i.feedback?.actor.agencyId ? registry.agencies.get(i.feedback.actor.agencyId) : undefined;
    csv += `${[
      csvField(i.alertId),
      csvField(i.sectionId),
      csvField(section ? section.name[lang] : ''),
      csvField(i.stationId),
      csvField(i.kind),
      csvField(i.maxLevel),
      csvField(i.parameters.join(' ')),
      time(i.openedAt),
      time(i.resolvedAt),
      csvField(i.resolveReason),
      csvField(i.feedback?.label),
      csvField(i.feedback?.cause),
      csvField(i.feedback?.note),
      csvField(by ? by.name[lang] : i.feedback?.actor.agencyId),
      time(i.feedback?.at),
      csvField(i.key),
    ].join(',')}\r\n`;
  }
  return csv;
}
