/**
 * Silences and maintenance windows (issue 15 §1): an agency says "this
 * station / section / parameter / kind is being serviced, don't page me"
 * from a start to an end, once or on a weekly schedule. A silenced alert is
 * still detected, recorded and shown; it notifies nobody and opens no task
 * while silenced, and notifies once when the silence ends while the
 * condition holds (alerts/silence-gate.ts). Pure types and rules.
 */
import type { AlertKind } from '../../domain/index.js';
import type { Actor } from './alert-model.js';

/** What a silence matches; every given field must match. At least a section or a station (scope is checked on it). */
export interface SilenceMatcher {
  readonly sectionId?: string;
  readonly stationId?: string;
  /** Matches alerts whose parameters include it. */
  readonly parameter?: string;
  readonly kind?: AlertKind;
}

/**
 * A weekly window in the section's local time (China Standard Time, UTC+8, no daylight saving):
 * e.g. calibration on Tuesdays 09:00–11:00 is `{ weekdays: [2], start: '09:00', end: '11:00' }`.
 */
export interface WeeklyWindow {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  readonly weekdays: readonly number[];
  /** `HH:MM`, local. */
  readonly start: string;
  /** `HH:MM`, local, after `start` (a window does not cross midnight). */
  readonly end: string;
}

export interface SilenceAuditEntry {
  readonly at: number;
  readonly actor: Actor;
  readonly action: 'created' | 'changed' | 'ended';
  /** For `changed`: the fields changed, old → new, as text. */
  readonly changes?: Readonly<Record<string, string>>;
}

export interface Silence {
  /** `si-…`; never contains `:` (it is part of BullMQ job ids). */
  readonly id: string;
  /** The agency that created it. */
  readonly agencyId: string;
  readonly matcher: SilenceMatcher;
  /** Epoch ms; the silence (or, when recurring, the period its windows fall in) starts here. */
  readonly startsAt: number;
  /** Epoch ms; exclusive. */
  readonly endsAt: number;
  readonly reason: string;
  readonly recurrence?: WeeklyWindow;
  /** Set when ended by hand before `endsAt`. */
  readonly endedAt?: number;
  readonly createdAt: number;
  readonly history: readonly SilenceAuditEntry[];
}

/** The fields of an alert a silence looks at. */
export interface SilenceTarget {
  readonly sectionId: string;
  readonly stationId: string | undefined;
  readonly parameters: readonly string[];
  readonly kind: AlertKind;
}

/** China Standard Time: the sections' local time (no daylight saving since 1991). */
export const LOCAL_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export function matchesTarget(matcher: SilenceMatcher, alert: SilenceTarget): boolean {
  if (matcher.sectionId !== undefined && matcher.sectionId !== alert.sectionId) return false;
  if (matcher.stationId !== undefined && matcher.stationId !== alert.stationId) return false;
  if (matcher.parameter !== undefined && !alert.parameters.includes(matcher.parameter)) return false;
  if (matcher.kind !== undefined && matcher.kind !== alert.kind) return false;
  return true;
}

/** Minutes after local midnight of `HH:MM`; undefined when malformed. */
export function minutesOf(hhmm: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Problems with a weekly window, empty when it is fine. */
export function windowProblems(w: WeeklyWindow): string[] {
  const problems: string[] = [];
  if (w.weekdays.length === 0 || w.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    problems.push('recurrence.weekdays: give ISO weekdays 1 (Monday) to 7 (Sunday)');
  const start = minutesOf(w.start);
  const end = minutesOf(w.end);
  if (start === undefined) problems.push('recurrence.start: give a local time as HH:MM');
  if (end === undefined) problems.push('recurrence.end: give a local time as HH:MM');
  if (start !== undefined && end !== undefined && end <= start)
    problems.push('recurrence.end: must be after start on the same day (split a window that crosses midnight in two)');
  return problems;
}

/** When the silence stops for good: `endedAt` if ended by hand, else `endsAt`. */
export function finalEnd(s: Silence): number {
  return s.endedAt !== undefined ? Math.min(s.endedAt, s.endsAt) : s.endsAt;
}

/**
 * The window of `s` that holds `at`, as [from, to) epoch ms, or undefined when `s` does not silence at `at`.
 * A one-off silence has one window; a recurring one a window per chosen weekday, cut to [startsAt, final end).
 */
export function windowAt(s: Silence, at: number): { readonly from: number; readonly to: number } | undefined {
  const end = finalEnd(s);
  if (at < s.startsAt || at >= end) return undefined;
  const w = s.recurrence;
  if (!w) return { from: s.startsAt, to: end };
  const local = at + LOCAL_OFFSET_MS;
  const dayStartLocal = Math.floor(local / DAY_MS) * DAY_MS;
  // 1970-01-01 was a Thursday (ISO 4).
  const weekday = ((Math.floor(local / DAY_MS) + 3) % 7) + 1;
  if (!w.weekdays.includes(weekday)) return undefined;
  const from = dayStartLocal + (minutesOf(w.start) ?? 0) * 60_000 - LOCAL_OFFSET_MS;
  const to = dayStartLocal + (minutesOf(w.end) ?? 0) * 60_000 - LOCAL_OFFSET_MS;
  if (at < from || at >= to) return undefined;
  return { from: Math.max(from, s.startsAt), to: Math.min(to, end) };
}

/** Whether `s` silences `alert` at `at`. */
export function silences(s: Silence, alert: SilenceTarget, at: number): boolean {
  return windowAt(s, at) !== undefined && matchesTarget(s.matcher, alert);
}
