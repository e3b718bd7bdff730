/**
 * The escalation chain of an unacknowledged alert (issue 15 §4): while an
 * alert stays open (not acknowledged), it is re-notified on a schedule per
 * level (`reminderIntervalMs`, overridden per level by
 * `reminderIntervalMsByLevel`), and from reminder `escalateAlertsFromReminder`
 * on each reminder also goes one step up the chain: the superiors of the
 * section's lead agency, nearest first. Acknowledging stops both (the
 * reminder timer checks the status). Pure.
 */
import type { AlertLevel, Registry } from '../../domain/index.js';
import type { AlertsConfig } from '../config.js';
import { alertRecipients, type Recipient } from './recipients.js';

type EscalationConfig = Pick<AlertsConfig, 'reminderIntervalMs' | 'reminderIntervalMsByLevel' | 'escalateAlertsFromReminder'>;

/** Interval between reminders of an alert at `level` (data-quality: `none`); 0 = no reminders. */
export function reminderIntervalFor(level: AlertLevel | undefined, config: EscalationConfig): number {
  return config.reminderIntervalMsByLevel[level ?? 'none'] ?? config.reminderIntervalMs;
}

/** The superiors of the section's lead agency, nearest first: where an unacknowledged alert climbs. */
export function alertEscalationChain(registry: Registry, sectionId: string): string[] {
  const section = registry.section(sectionId);
  if (!section) return [];
  const lead = registry.leadAgency(registry.partiesOf(section));
  return lead ? registry.ancestry(lead.id).slice(1).map((a) => a.id) : [];
}

/** How many chain steps reminder `n` (1-based) has reached. */
export function escalationSteps(n: number, config: EscalationConfig): number {
  const from = config.escalateAlertsFromReminder;
  return from === 0 || n < from ? 0 : n - from + 1;
}

/** Recipients of reminder `n`: the alert's usual recipients, then the chain steps reached so far. */
export function reminderRecipients(registry: Registry, sectionId: string, n: number, config: EscalationConfig): Recipient[] {
  const base = alertRecipients(registry, sectionId);
  const steps = alertEscalationChain(registry, sectionId).slice(0, escalationSteps(n, config));
  return [...base, ...steps.filter((id) => !base.some((r) => r.agencyId === id)).map((agencyId) => ({ agencyId, role: 'escalation' as const }))];
}

/** The plan shown to people: each future reminder's time and who it adds, until acknowledged. */
export function escalationPlan(
  alert: { readonly sectionId: string; readonly level: AlertLevel | undefined; readonly openedAt: number; readonly reminders: number; readonly status: string },
  registry: Registry,
  config: EscalationConfig,
): { intervalMs: number; chain: string[]; next: { reminder: number; at: number; adds: string | undefined }[] } {
  const intervalMs = reminderIntervalFor(alert.level, config);
  const chain = alertEscalationChain(registry, alert.sectionId);
  if (alert.status !== 'open' || intervalMs === 0) return { intervalMs, chain, next: [] };
  const next = [];
  // The reminders still ahead that climb, and the first one in any case.
  for (let n = alert.reminders + 1; n <= alert.reminders + 1 + chain.length && next.length < chain.length + 1; n++) {
    const steps = escalationSteps(n, config);
    const adds = steps > escalationSteps(n - 1, config) ? chain[steps - 1] : undefined;
    if (n === alert.reminders + 1 || adds !== undefined) next.push({ reminder: n, at: alert.openedAt + n * intervalMs, adds });
  }
  return { intervalMs, chain, next };
}

/** When an alert's timer must fire next: end of its auto-resolve hold once cleared, its next reminder while open. */
export function alertDueTimes(
  alert: { readonly status: string; readonly clearedAt?: number | undefined; readonly openedAt: number; readonly reminders: number; readonly level?: AlertLevel | undefined },
  config: EscalationConfig & { readonly autoResolveHoldMs: number },
): number[] {
  if (alert.status === 'resolved') return [];
  const dues: number[] = [];
  if (alert.clearedAt !== undefined) dues.push(alert.clearedAt + config.autoResolveHoldMs);
  const reminderMs = reminderIntervalFor(alert.level, config);
  if (alert.status === 'open' && reminderMs > 0) dues.push(alert.openedAt + (alert.reminders + 1) * reminderMs);
  return dues;
}
