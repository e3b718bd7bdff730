export { AgencyKeyStore, type AgencyKeyRecord } from '../../platform/redis/agency-keys.js';
export { requireAgencyKey, agencyOf, type AgencyContext, type AgencyAuthOptions } from './agency-auth.js';
export { canSeeAlert, canSeeTask, canSeeEvent } from './scope.js';
