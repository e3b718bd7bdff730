/** The alerts workflow on Redis and BullMQ, and (re-exported) the rules and models it runs. */
export * from '../../../alerts/index.js';
export { AlertsService, type AlertsServiceDeps, type AckSource } from './alerts-service.js';
export type { AlertFilter } from './alert-store.js';
export type { TaskFilter } from './task-store.js';
export { RedisKeys } from '../keys.js';
export { sectionOf, parseEntry, type LiveEvent, type LoggedEvent } from './event-log.js';
export {
  MqttStationCommander,
  parseCommandAck,
  commandTopic,
  type MqttStationCommanderOptions,
} from '../../mqtt/station-commander.js';
export type { NotificationPayload, DeliveryRecord } from '../../bullmq/notifier.js';
export { TransferService, type TransferFilter, type TransferServiceDeps } from './transfer-service.js';
export { Silences, type SilenceInput, type SilenceChange } from './silences.js';
