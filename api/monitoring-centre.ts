/**
 * The monitoring-centre API in one list of route plugins for `buildApp`
 * (api/app.ts): registry, readings, exports and dead letters (issue 8), the
 * alert, task and live-event routes of the alerts stage (issue 6) when its
 * service is given, and the dashboard. Wiring only; the entry point builds
 * the dependencies and starts the hub.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Clock, IngestGateway, ParameterTable, Registry } from '../domain/index.js';
import type { AlertsService, TransferService } from '../platform/redis/alerts/index.js';
import type { DeadLetterStore } from '../platform/redis/readings/dead-letters.js';
import type { StationDiagnostics } from '../domain/station-diagnostics.js';
import type { AgencyKeyStore } from './auth/index.js';
import { dashboardPlugin, type DashboardOptions } from './dashboard/plugin.js';
import type { LiveEventHub } from '../platform/redis/live-events.js';
import { liveEventsRoute } from './routes/live-events.js';
import type { InfluxReader } from './queries/readings-queries.js';
import type { RangeLimits } from './queries/time-range.js';
import { alertsRoutes } from './routes/alerts.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { exportRoutes } from './routes/exports.js';
import type { OperatorPolicy } from './routes/operators.js';
import { readingsRoutes } from './routes/readings.js';
import { registryRoutes } from './routes/registry.js';
import { stationDiagnosticsRoutes } from './routes/station-diagnostics.js';
import { alertEscalationsRoutes } from './routes/alert-escalations.js';
import { feedbackRoutes } from './routes/feedback.js';
import { silencesRoutes } from './routes/silences.js';
import { tasksRoutes } from './routes/tasks.js';
import { transfersRoutes } from './routes/transfers.js';

export interface MonitoringCentreDeps {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly keys: AgencyKeyStore;
  readonly influx: InfluxReader;
  readonly deadLetters: DeadLetterStore;
  /** For dead-letter replay. */
  readonly gateway: IngestGateway;
  /** HJ 212 station diagnostics; without it there is no `/api/v1/diagnostics`. */
  readonly diagnostics?: StationDiagnostics;
  /** The alerts stage (workers may run elsewhere: `workers: false`); without it the alert and task routes are absent. */
  readonly alerts?: AlertsService;
  /** Transfers with feedback (issue 18); with `alerts`, adds the transfer routes. */
  readonly transfers?: TransferService;
  /** The live-event hub (started by the caller); without it there is no `/api/v1/events`. */
  readonly hub?: LiveEventHub;
  readonly clock?: Clock;
  /** Offset of local time from UTC (config `hj212.tzOffsetMin`). @defaultValue 480 */
  readonly tzOffsetMin?: number;
  readonly isOperator?: OperatorPolicy;
  readonly limits?: Partial<RangeLimits>;
  /** Serve the dashboard under `/`. @defaultValue true */
  readonly dashboard?: boolean | DashboardOptions;
}

export function monitoringCentrePlugins(deps: MonitoringCentreDeps): FastifyPluginAsync[] {
  const { registry, keys } = deps;
  const common = {
    registry,
    keys,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.tzOffsetMin === undefined ? {} : { tzOffsetMin: deps.tzOffsetMin }),
  };
  const plugins: FastifyPluginAsync[] = [
    registryRoutes({ registry, keys, parameters: deps.parameters, ...(deps.isOperator ? { isOperator: deps.isOperator } : {}) }),
    readingsRoutes({ ...common, influx: deps.influx, ...(deps.limits ? { limits: deps.limits } : {}) }),
    exportRoutes({
      ...common,
      parameters: deps.parameters,
      influx: deps.influx,
      ...(deps.alerts ? { alerts: deps.alerts } : {}),
    }),
    deadLetterRoutes({
      registry,
      keys,
      deadLetters: deps.deadLetters,
      gateway: deps.gateway,
      ...(deps.isOperator ? { isOperator: deps.isOperator } : {}),
    }),
  ];
  const alertsService = deps.alerts;
  if (deps.diagnostics) {
    plugins.push(
      stationDiagnosticsRoutes({
        registry,
        keys,
        diagnostics: deps.diagnostics,
        ...(deps.isOperator ? { isOperator: deps.isOperator } : {}),
        ...(alertsService
          ? {
              alertsActive: async (sectionId: string, from: number, to: number) =>
                (await alertsService.listAlerts({ sectionId, from, to, limit: 100, offset: 0 })).items,
            }
          : {}),
      }),
    );
  }
  const service = deps.alerts;
  if (service) {
    plugins.push(async (app) => {
      await app.register(alertsRoutes, { service, registry, keys });
    });
    plugins.push(async (app) => {
      await app.register(tasksRoutes, { service, registry, keys });
    });
    const transfers = deps.transfers;
    if (transfers)
      plugins.push(async (app) => {
        await app.register(transfersRoutes, { service, transfers, registry, keys });
      });
    plugins.push(async (app) => {
      await app.register(silencesRoutes, { service, registry, keys });
    });
    plugins.push(async (app) => {
      await app.register(feedbackRoutes, { service, registry, keys });
    });
    plugins.push(async (app) => {
      await app.register(alertEscalationsRoutes, { service, registry, keys });
    });
  }
  const hub = deps.hub;
  if (hub) {
    plugins.push(async (app) => {
      await app.register(liveEventsRoute, { hub, registry, keys });
    });
  }
  if (deps.dashboard !== false)
    plugins.push(dashboardPlugin(deps.dashboard === true || deps.dashboard === undefined ? {} : deps.dashboard));
  return plugins;
}
