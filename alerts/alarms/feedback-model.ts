/**
 * Operators' feedback on an alert: was it a real event, a false alarm (and
 * why), or a test. The labels feed the detectors' evaluation; the store is
 * platform/redis/alerts/feedback-store.ts.
 */
import type { Actor } from './alert-model.js';

export const FEEDBACK_LABELS = ['real-event', 'false-alarm', 'test'] as const;
export type FeedbackLabel = (typeof FEEDBACK_LABELS)[number];
export const FALSE_ALARM_CAUSES = ['rain', 'sensor', 'operations', 'unknown'] as const;
export type FalseAlarmCause = (typeof FALSE_ALARM_CAUSES)[number];

export interface FeedbackInput {
  readonly label: FeedbackLabel;
  /** Only for `false-alarm`; `unknown` when not given. */
  readonly cause?: FalseAlarmCause;
  readonly note?: string;
}

export interface FeedbackEntry {
  readonly label: FeedbackLabel;
  readonly cause?: FalseAlarmCause;
  readonly note?: string;
  readonly at: number;
  readonly actor: Actor;
}

export interface AlertFeedback {
  readonly alertId: string;
  /** The latest label. */
  readonly current: FeedbackEntry;
  /** Every label given, oldest first. */
  readonly history: readonly FeedbackEntry[];
}

/** Checks an input; the problems, empty when fine. Pure. */
export function feedbackProblems(input: FeedbackInput): string[] {
  const problems: string[] = [];
  if (!(FEEDBACK_LABELS as readonly string[]).includes(input.label))
    problems.push(`label: one of ${FEEDBACK_LABELS.join(', ')}`);
  if (input.cause !== undefined && !(FALSE_ALARM_CAUSES as readonly string[]).includes(input.cause))
    problems.push(`cause: one of ${FALSE_ALARM_CAUSES.join(', ')}`);
  if (input.cause !== undefined && input.label !== 'false-alarm') problems.push('cause: only for a false-alarm label');
  return problems;
}

/** The entry stored for an input: a false alarm always has a cause (`unknown` when not given). Pure. */
export function feedbackEntry(input: FeedbackInput, actor: Actor, at: number): FeedbackEntry {
  return {
    label: input.label,
    ...(input.label === 'false-alarm' ? { cause: input.cause ?? 'unknown' } : {}),
    ...(input.note ? { note: input.note } : {}),
    at,
    actor,
  };
}

/** KEYS: current, history, index, counts, counted field; ARGV: entry JSON, at, alert id, count field. */
