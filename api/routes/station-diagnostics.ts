/**
 * Station diagnostics route (issue 17): what data loggers reported about themselves over HJ 212 (restart
 * times, running status and time, device information, logs, parameters, over-limit sample retention,
 * settings uploaded in answer to queries), newest first, by station and kind. Operators only, as the
 * dead letters (./operators.ts); any other agency key gets 403. An over-limit sample-retention record
 * (HJ 212 3015) carries the ids of the pollution alerts of its station's section active within an hour of
 * its DataTime: the alert the retained sample belongs to.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Registry } from '../../domain/index.js';
import { DIAGNOSTIC_KINDS, type DiagnosticKind, type StationDiagnostic, type StationDiagnostics } from '../../domain/station-diagnostics.js';
import type { AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { operatorRoutes } from './agency-routes.js';
import { topLevelOperators, type OperatorPolicy } from './operators.js';

/** Pollution alerts of a section active at some time in [from, to] (the alerts stage's list). */
export type AlertsActive = (sectionId: string, from: number, to: number) => Promise<readonly { id: string; kind: string; stationId: string | undefined }[]>;

/** How far from a sample-retention record's DataTime an alert may be active and still be its alert. */
export const RETENTION_LINK_WINDOW_MS = 3_600_000;

export interface StationDiagnosticsRoutesOptions {
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
  readonly diagnostics: StationDiagnostics;
  /** Without it, sample-retention records carry no alert ids. */
  readonly alertsActive?: AlertsActive;
  /** @defaultValue {@link topLevelOperators} */
  readonly isOperator?: OperatorPolicy;
}

const DiagnosticSchema = Type.Object({
  stationId: Type.String(),
  kind: Type.Enum([...DIAGNOSTIC_KINDS]),
  command: Type.String({ description: 'HJ 212 CN it came with, e.g. 2081' }),
  requestId: Type.Optional(Type.String({ description: 'HJ 212 QN' })),
  receivedAt: Type.Number({ description: 'epoch ms' }),
  dataTime: Type.Optional(Type.Number({ description: 'its DataTime, epoch ms' })),
  items: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
  alertIds: Type.Optional(
    Type.Array(Type.String(), { description: 'sample-retention only: pollution alerts of the section active within an hour of its DataTime' }),
  ),
});

const Errors = errorResponses(400, 403);

/** `GET /api/v1/diagnostics`, operators only. */
const DiagnosticsRoute = {
  summary: 'What HJ 212 data loggers reported about themselves, newest first (docs/hj212.md)',
  querystring: Type.Object({
    station: Type.Optional(Type.String({ maxLength: 128 })),
    kind: Type.Optional(Type.Enum([...DIAGNOSTIC_KINDS])),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  }),
  response: { 200: Type.Object({ items: Type.Array(DiagnosticSchema) }), ...Errors },
};


export function stationDiagnosticsRoutes(options: StationDiagnosticsRoutesOptions): FastifyPluginAsync {
  const isOperator = options.isOperator ?? topLevelOperators;
  const alertsActive = options.alertsActive;
  /** Links a sample-retention record to its alert(s): same section, pollution kind, active near its DataTime. */
  const withAlerts = async (item: StationDiagnostic): Promise<StationDiagnostic & { alertIds?: string[] }> => {
    if (item.kind !== 'sample-retention' || !alertsActive) return item;
    const sectionId = options.registry.station(item.stationId)?.sectionId;
    const at = item.dataTime ?? item.receivedAt;
    if (!sectionId) return { ...item, alertIds: [] };
    const alerts = await alertsActive(sectionId, at - RETENTION_LINK_WINDOW_MS, at + RETENTION_LINK_WINDOW_MS);
    const ofStation = alerts.filter((a) => a.kind !== 'data-quality' && (a.stationId === undefined || a.stationId === item.stationId));
    return { ...item, alertIds: ofStation.map((a) => a.id) };
  };
  return async (plain) => {
    const app = operatorRoutes(plain, { keys: options.keys, registry: options.registry, isOperator, what: 'station diagnostics' });
    app.get('/api/v1/diagnostics', { schema: DiagnosticsRoute }, async (request) => {
      const q = request.query;
      const items = await options.diagnostics.list({
        limit: q.limit,
        ...(q.station ? { stationId: q.station } : {}),
        ...(q.kind ? { kind: q.kind as DiagnosticKind } : {}),
      });
      return { items: await Promise.all(items.map((item) => withAlerts(item))) };
    });
  };
}
