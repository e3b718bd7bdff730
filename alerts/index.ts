/** The alerts stage's rules and models: alarms (alerts/alarms/) and joint monitoring (alerts/joint-monitoring/). Their Redis/BullMQ runtime is platform/redis/alerts/. */
export { alertsConfig, AlertsConfigSchema, type AlertsConfig, type AlertsConfigInput } from './config.js';
export {
  ALERT_STATUSES,
  ALERT_TRANSITION_TYPES,
  NOTIFIED_ALERT_TRANSITIONS,
  summaryOf,
  type Actor,
  type Alert,
  type AlertStatus,
  type AlertSummary,
  type AlertTransition,
  type AlertTransitionType,
} from './alarms/alert-model.js';
export {
  ON_SITE_STEPS,
  TASK_STATUSES,
  TASK_TRANSITION_TYPES,
  taskSummaryOf,
  type OnSiteStep,
  type Problem,
  type StepRecord,
  type Task,
  type TaskStatus,
  type TaskSummary,
  type TaskTransition,
} from './joint-monitoring/task-model.js';
export type { StepInput } from './joint-monitoring/on-site-steps.js';
export type { ProblemInput } from './joint-monitoring/problem-ledger.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER } from './alarms/webhook.js';
export { TRANSFER_STATUSES, isOpenTransfer, type Transfer, type TransferStatus, type TransferSubject, type TransferTransition } from './joint-monitoring/transfer-model.js';
export { finalEnd, windowAt, type Silence, type SilenceMatcher, type WeeklyWindow } from './alarms/silence-model.js';
export {
  FEEDBACK_LABELS,
  FALSE_ALARM_CAUSES,
  type FeedbackLabel,
  type FalseAlarmCause,
  type FeedbackEntry,
  type AlertFeedback,
} from './alarms/feedback-model.js';
