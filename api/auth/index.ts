export { AgencyKeyStore, type AgencyKeyRecord } from '../../platform/redis/agency-keys.js';
export { requireAgencyKey, agencyOf, type AgencyContext, type AgencyAuthOptions } from './agency-auth.js';
export { canSeeAlert, canSeeTask, canSeeEvent } from './scope.js';
export { ALERTS_ERROR_STATUS, errorResponse, alertsErrorHandler, type ErrorBody } from './error-status.js';
