export { AlertsService, type AlertsServiceDeps, type AckSource } from './alerts-service.js';
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
} from './alert-model.js';
export type { AlertFilter } from './alert-store.js';
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
} from './task-model.js';
export type { TaskFilter } from './task-store.js';
export type { StepInput, ProblemInput } from './task-rules.js';
export { AlertKeys } from './keys.js';
export { sectionOf, parseEntry, type LiveEvent, type LoggedEvent } from './event-log.js';
export {
  MqttStationCommander,
  parseCommandAck,
  commandTopic,
  type MqttStationCommanderOptions,
} from './mqtt-station-commander.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER } from './webhook.js';
export type { NotificationPayload, DeliveryRecord } from './notifier.js';
export { TRANSFER_STATUSES, isOpenTransfer, type Transfer, type TransferStatus, type TransferSubject, type TransferTransition } from './transfer-model.js';
export { TransferService, type TransferFilter, type TransferServiceDeps } from './transfer-service.js';
export { Silences, type SilenceInput, type SilenceChange } from './silences.js';
export { finalEnd, windowAt, type Silence, type SilenceMatcher, type WeeklyWindow } from './silence-model.js';
export {
  FEEDBACK_LABELS,
  FALSE_ALARM_CAUSES,
  type FeedbackLabel,
  type FalseAlarmCause,
  type FeedbackEntry,
  type AlertFeedback,
} from './feedback.js';
