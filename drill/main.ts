/**
 * `npm run drill`: the fault drill of issue 9 §3 (method and figures in
 * docs/drills.md). Everything runs on 127.0.0.1 in a temp folder: real
 * Redis, Mosquitto and InfluxDB, one process per RiverWatch role. Under a
 * steady simulated load (the taipu-spill scenario through MQTT, HTTP and
 * HJ 212 gateways that record every acknowledged reading) it kills each role
 * with SIGKILL several times, stops and restarts InfluxDB, Redis and the
 * broker, kills the broker, and fills the readings log past its high-water
 * mark. Then it compares what was acknowledged with what InfluxDB holds and
 * checks the alerts and tasks, prints the report, and exits 1 when a target
 * is missed (2 on a usage error).
 *
 *   npm run drill -- [--load-s 810] [--span-days 6] [--kills 3] [--high-water 600]
 *                    [--share-group NAME] [--no-reference] [--no-broker-kill] [--keep] [--json FILE]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadRegistryFile } from '../config/index.js';
import { InfluxStore } from '../platform/influx/client.js';
import { AckLedger, type IngressPath } from './ack-ledger.js';
import { Deployment, DRILL_ROLES, type DrillRole } from './deployment.js';
import { FaultRunner } from './faults.js';
import { Hj212Gateways, HttpGateways, MqttGateways } from './gateways.js';
import { LoadDriver } from './load-driver.js';
import { ProgressProbe } from './progress-probe.js';
import { compareWithReference } from './reference-run.js';
import { waitForDrain } from './drain.js';
import { renderReport, type DrillReport, type PathFigures, type Target } from './report.js';
import { REPO_ROOT } from './role-process.js';
import { generateSpillLoad, tsOf } from './spill-load.js';
import { RedisKeys } from '../platform/redis/keys.js';
import { checkAlerts, compareWithStore, metricSum, readAlertsAndTasks, spillExpectations, storedReadings } from './verify.js';
import { USAGE, parseOptions } from './options.js';
const RECOVERY_TARGET_MS = 10_000;
/** RW_INGEST_HIGH_WATER outside the back-pressure phase: the shipped default. */
const NORMAL_HIGH_WATER = 1_000_000;
const BUDGET_MS = 14.5 * 60_000;
/** Simulated day the spill starts on. */
const SPILL_AT_DAY = 2;
/** Simulated days after its start by which the spill has passed the last Taipu section (with margin). */
const SPILL_PASSED_DAYS = 1.5;
/** Mosquitto saves its state every autosave_interval (1 s): what it acknowledged just before a kill -9 may be gone. */
const BROKER_KILL_WINDOW_MS = 2000;

/** Stations per ingress path: the Taipu (where the spill is) over MQTT, the Nanlan over HTTP and HJ 212. */
const PATH_OF: Readonly<Record<string, IngressPath>> = {
  'NL-LC-01': 'http',
  'NL-LC-02': 'http',
  'NL-MH-01': 'http',
  'NL-BD-LC': 'hj212',
  'NL-BD-MH': 'hj212',
  'NL-MH-02': 'hj212',
};
const pathOf = (stationId: string): IngressPath => PATH_OF[stationId] ?? 'mqtt';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    if (options) console.error(options);
    console.error(USAGE);
    return options ? 2 : 0;
  }
  const t0 = Date.now();
  const elapsed = (): string => `+${String(Math.round((Date.now() - t0) / 1000)).padStart(3)} s`;
  const log = (line: string): void => void process.stderr.write(`${elapsed()} ${line}\n`);

  const dir = mkdtempSync(join(tmpdir(), 'riverwatch-drill-'));
  const registry = loadRegistryFile(join(REPO_ROOT, 'config/registry.yaml'));
  const tokens = parseYaml(readFileSync(join(REPO_ROOT, 'config/sample-station-secrets.yaml'), 'utf8')) as Record<string, string>;
  const deployment = new Deployment({ dir, highWater: NORMAL_HIGH_WATER, shareGroup: options.shareGroup, redis: options.redis });
  const ledger = new AckLedger();
  let probe: ProgressProbe | undefined;
  const gateways: { close(): Promise<void> }[] = [];
  let passed = false;

  const budget = setTimeout(() => {
    log(`time budget of ${BUDGET_MS / 60_000} min exceeded: stopping (logs in ${dir})`);
    void deployment.close().finally(() => process.exit(1));
  }, BUDGET_MS);
  budget.unref();
  const onSignal = (): void => {
    log('interrupted: stopping');
    void deployment.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`starting Redis, Mosquitto, InfluxDB and the roles ${DRILL_ROLES.join(', ')} in ${dir}`);
    await deployment.start();
    log(
      `deployment ready (${deployment.redis.description}, mosquitto ${deployment.mosquitto.url}, influxd ${deployment.influx.url}, api ${deployment.apiUrl}, hj212 port ${deployment.hj212Port})`,
    );

    const load = generateSpillLoad({
      registry,
      spanMs: options.spanDays * 86_400_000,
      spillAtMs: SPILL_AT_DAY * 86_400_000,
      endMs: Date.now(),
    });
    const stationsOn = (p: IngressPath): string[] => [...registry.stations.keys()].filter((id) => pathOf(id) === p);
    const mqttGateways = new MqttGateways({
      url: deployment.mosquitto.url,
      stationIds: stationsOn('mqtt'),
      tokens,
      ledger,
      clientIdPrefix: 'drill-gw-',
    });
    const httpGateways = new HttpGateways({ baseUrl: () => deployment.apiUrl, tokens, ledger });
    const hj212Gateways = new Hj212Gateways({
      host: '127.0.0.1',
      port: () => deployment.hj212Port,
      stationIds: stationsOn('hj212'),
      registry,
      ledger,
    });
    await Promise.all([mqttGateways.start(), httpGateways.start(), hj212Gateways.start()]);
    gateways.push(mqttGateways, httpGateways, hj212Gateways);

    probe = new ProgressProbe(deployment.probeTargets(), 200);
    probe.start();
    const logLengths: { at: number; entries: number }[] = [];
    const sampler = setInterval(() => {
      void deployment.metrics('ingest').then((text) => {
        if (text !== undefined) logLengths.push({ at: Date.now(), entries: metricSum(text, 'riverwatch_readings_log_length') });
      });
    }, 1000);
    sampler.unref();

    const driver = new LoadDriver({
      messages: load.messages,
      pathOf,
      gateways: { mqtt: mqttGateways, http: httpGateways, hj212: hj212Gateways },
      durationMs: options.loadS * 1000,
    });
    const loadStartedAt = Date.now();
    driver.start();
    log(
      `load started: up to ${load.readings} readings at ${Math.round(load.readings / options.loadS)} per second (mqtt ${driver.progress.mqtt.total}, http ${driver.progress.http.total}, hj212 ${driver.progress.hj212.total}); ` +
        `the spill starts on simulated day ${SPILL_AT_DAY}, ${Math.round((SPILL_AT_DAY / options.spanDays) * options.loadS)} s in; ingest ${options.shareGroup ? `share group "${options.shareGroup}"` : 'plain subscriptions by section'}`,
    );
    await sleep(20_000);

    const faults = new FaultRunner({ deployment, probe, ledger, log, recoveryWaitMs: 60_000, e2eWaitMs: 30_000 });
    const roleOrder: DrillRole[] = ['ingest', 'store', 'analytics', 'alerts', 'api', 'hj212'];
    // Every round starts with a fresh ingest process, so a fault of the broker does not carry over into the next round.
    for (let round = 1; round <= Math.max(options.kills, 3); round++) {
      if (round <= options.kills) {
        log(`kill -9 round ${round}/${options.kills}`);
        for (const role of roleOrder) {
          await faults.killRole(role, `(${round}/${options.kills})`);
          await sleep(2000);
        }
      }
      if (round === 1) {
        log('InfluxDB: stop (SIGTERM), 15 s down, start');
        await faults.restartService('stop/start InfluxDB', deployment.influx, 15_000, ['store']);
        if (options.brokerKill) {
          await sleep(2000);
          log('Mosquitto: kill -9, 2 s down, start (documented: what it acknowledged in the last ~1 s may be lost)');
          await faults.restartService('kill -9 Mosquitto', deployment.mosquitto, 2000, ['ingest'], true);
        }
      } else if (round === 2 && deployment.redis.single) {
        log('Redis: stop (SIGTERM: AOF flushed), 8 s down, start');
        await faults.restartService('stop/start Redis', deployment.redis.single, 8000, [...DRILL_ROLES]);
      } else if (round === 3) {
        log('Mosquitto: stop (SIGTERM: state saved), 5 s down, start');
        await faults.restartService('restart Mosquitto', deployment.mosquitto, 5000, ['ingest']);
      }
      if (options.redis !== 'single') {
        // On a Cluster the readings log's partition and the workflow's keys may sit on different masters: take turns.
        const key = round % 2 === 1 ? new RedisKeys(deployment.prefix).readingsPartition(0) : new RedisKeys(deployment.prefix).eventLog();
        log(`Redis ${options.redis}: kill -9 of the master holding ${key}; the killed node restarts at once and rejoins as a replica`);
        await sleep(2000);
        await faults.failoverRedis(`(${round}/3)`, key);
      }
      await sleep(2000);
    }
    log(`readings log past its high-water mark (${options.highWater} entries)`);
    const highWater = await faults.fillPastHighWater(options.highWater, NORMAL_HIGH_WATER);
    await sleep(10_000);
    // The spill must have gone down the river before the load stops, or the expected alerts cannot be there.
    const spillPassedAt = loadStartedAt + ((SPILL_AT_DAY + SPILL_PASSED_DAYS) / options.spanDays) * options.loadS * 1000;
    if (Date.now() < spillPassedAt) {
      log(`load goes on until the spill has passed (simulated day ${SPILL_AT_DAY + SPILL_PASSED_DAYS}), ${Math.round((spillPassedAt - Date.now()) / 1000)} s more`);
      await sleep(spillPassedAt - Date.now());
    }
    driver.stop();
    const loadS = Math.round((Date.now() - loadStartedAt) / 1000);
    if (driver.progress.mqtt.dispatched === driver.progress.mqtt.total)
      log(`note: the load ran out before the faults were done; give --span-days more`);
    log('waiting for the load to finish and every acknowledgement to come in');
    await driver.finished();
    log(
      `load stopped after ${loadS} s: ${ledger.ackedCount} of ${ledger.sentCount} readings sent were acknowledged; waiting for the pipeline to drain`,
    );
    const influx = new InfluxStore({ url: deployment.influx.url, api: 'v1', database: deployment.database });
    const stationIds = [...registry.stations.keys()];
    const drain = await waitForDrain(deployment.probeRedis, deployment.prefix, 1, 180_000);
    if (!drain.drained) log(`the pipeline did not drain within 180 s (${drain.detail}); comparing what is there`);
    clearInterval(sampler);
    await probe.close();

    // Readings: acknowledged against stored.
    const comparison = compareWithStore(ledger, await storedReadings(influx, stationIds));
    const inKillWindow = (ackedAt: number): boolean =>
      faults.brokerKills.some((k) => ackedAt <= k && ackedAt >= k - BROKER_KILL_WINDOW_MS);
    const lostInBrokerKillWindow = comparison.lost.filter((r) => r.path === 'mqtt' && inKillWindow(r.ackedAt)).length;
    const paths = {} as Record<IngressPath, PathFigures>;
    for (const p of ['mqtt', 'http', 'hj212'] as const) {
      const acked = [...ledger.acked()].filter((r) => r.path === p);
      const lost = comparison.lost.filter((r) => r.path === p).length;
      paths[p] = {
        stations: stationsOn(p).length,
        sent: driver.progress[p].dispatched,
        acked: acked.length,
        stored: acked.length - lost,
        lost,
      };
    }
    const deadLetters = Number(await deployment.probeRedis.xlen(new RedisKeys(deployment.prefix).readingDeadLetters()).catch(() => -1));

    // Alerts and tasks.
    const { alerts, tasks } = await readAlertsAndTasks(deployment.probeRedis, registry, deployment.prefix);
    const findings = checkAlerts(alerts, tasks);
    const expectations = spillExpectations(alerts, tasks, registry);

    // Stop the drill's deployment before the reference run so the two do not compete for the CPU.
    await Promise.all(gateways.map((g) => g.close()));
    gateways.length = 0;
    for (const role of DRILL_ROLES) await deployment.role(role).stop();
    let reference: DrillReport['reference'];
    if (options.reference) {
      log('reference: the same readings through every role in one process');
      const sent = load.messages.filter((m) => ledger.wasSent(m.stationId, tsOf(m)));
      reference = await compareWithReference({ registry, messages: sent, tokens, redisUrl: deployment.redis.single?.url ?? '', ...(deployment.redis.single ? {} : { redisEnv: deployment.redis.env }), influxUrl: deployment.influx.url }, alerts, tasks);
    }

    // Each lost reading is put down to the last fault injected before the gateway got its acknowledgement.
    const lostByFault = faults.results.map(() => 0);
    for (const r of comparison.lost) {
      const i = faults.results.findLastIndex((f) => f.at <= r.ackedAt);
      if (i >= 0) lostByFault[i] = (lostByFault[i] ?? 0) + 1;
    }
    const unexpectedExits = [...deployment.roles.values()].flatMap((r) => r.unexpectedExits.map(({ tail: _tail, ...e }) => e));
    const hwEnd = highWater.backAt + (faults.pushBack?.drainedAfterMs ?? 60_000);
    const maxLogEntriesOutsideHighWater = Math.max(
      0,
      ...logLengths.filter((l) => l.at < highWater.at || l.at > hwEnd).map((l) => l.entries),
    );
    const slow = faults.results.flatMap((f) =>
      Object.entries(f.recoveryMs)
        .filter(([, ms]) => ms === null || ms > RECOVERY_TARGET_MS)
        .map(([role, ms]) => `${role} after ${f.name}: ${ms === null ? 'no work seen' : `${(ms / 1000).toFixed(1)} s`}`),
    );
    const lostOutside = comparison.lost.length - lostInBrokerKillWindow;
    const pb = faults.pushBack;
    const targets: Target[] = [
      {
        name: 'zero acknowledged readings lost',
        ok: lostOutside === 0,
        detail: `${lostOutside} lost${lostInBrokerKillWindow ? ` (+${lostInBrokerKillWindow} in the Mosquitto kill -9 window, documented limit)` : ''} of ${comparison.acked} acknowledged`,
      },
      {
        name: 'zero duplicated',
        ok:
          comparison.duplicatePoints === 0 &&
          comparison.strays === 0 &&
          findings.overlappingAlerts.length === 0 &&
          findings.reopenedAlerts.length === 0 &&
          findings.duplicateTasks.length === 0,
        detail: `points ${comparison.duplicatePoints} duplicated, ${comparison.strays} unexplained; alerts ${findings.overlappingAlerts.length + findings.reopenedAlerts.length}; tasks ${findings.duplicateTasks.length}`,
      },
      {
        name: `every role working within ${RECOVERY_TARGET_MS / 1000} s of its return`,
        ok: slow.length === 0,
        detail: slow.length === 0 ? `${faults.results.length} faults` : slow.join('; '),
      },
      {
        name: 'expected alerts and tasks present',
        ok: expectations.every((e) => e.ok),
        detail:
          expectations
            .filter((e) => !e.ok)
            .map((e) => e.name)
            .join('; ') || `${expectations.length} expectations met`,
      },
      {
        name: 'ingress pushed back past the high-water mark and drained',
        ok: pb !== undefined && pb.overAfterMs !== null && pb.drainedAfterMs !== null && pb.http503 > 0,
        detail: pb
          ? `over after ${pb.overAfterMs} ms, ${pb.http503} × 503, drained ${pb.drainedAfterMs} ms after restart`
          : 'not run',
      },
      {
        name: 'no role exited on its own',
        ok: unexpectedExits.length === 0,
        detail: unexpectedExits.map((e) => `${e.name} (code ${e.code})`).join(', ') || 'none',
      },
    ];
    const report: DrillReport = {
      startedAt: new Date(t0).toISOString(),
      durationS: (Date.now() - t0) / 1000,
      dir,
      load: { readings: ledger.sentCount, spanDays: options.spanDays, loadS, seed: 7, shareGroup: options.shareGroup, redis: deployment.redis.description },
      paths,
      readings: {
        ...comparison,
        lost: comparison.lost.length,
        lostInBrokerKillWindow,
        lostSample: comparison.lost
          .slice(0, 10)
          .map(
            (r) => `${r.stationId}@${new Date(r.ts).toISOString()} (${r.path}, acked +${Math.round((r.ackedAt - t0) / 1000)} s)`,
          ),
      },
      deadLetters,
      alerts: { ...findings, expectations },
      ...(reference ? { reference } : {}),
      faults: faults.results.map((f, i) => ({ ...f, lost: lostByFault[i] ?? 0 })),
      pushBack: faults.pushBack,
      unexpectedExits,
      maxLogEntriesOutsideHighWater,
      recoveryTargetMs: RECOVERY_TARGET_MS,
      targets,
    };
    console.log(`\n${renderReport(report)}`);
    if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 2));
    passed = targets.every((t) => t.ok);
    return passed ? 0 : 1;
  } catch (err) {
    log(`drill aborted: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    clearTimeout(budget);
    await Promise.all(gateways.map((g) => g.close()));
    await probe?.close();
    await deployment.close();
    if (passed && !options.keep) rmSync(dir, { recursive: true, force: true });
    else log(`logs and data kept in ${dir}`);
  }
}

process.exitCode = await main(process.argv.slice(2));
// Whatever a library left open must not keep the drill past its report.
setTimeout(() => process.exit(), 5000).unref();
