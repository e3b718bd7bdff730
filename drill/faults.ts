/**
 * The faults the drill injects, each recorded with when it happened, when
 * the killed role or stopped dependency was back, and how long each affected
 * role then took to do work again (ProgressProbe):
 *
 * - `kill -9` of a role process, restarted after a short delay;
 * - InfluxDB, Redis, Mosquitto stopped gracefully (SIGTERM) and started again;
 * - Mosquitto killed with SIGKILL (labelled apart: it persists its queue only
 *   every autosave_interval, so this one may lose what it acknowledged last);
 * - the readings log filled past its high-water mark by stopping the store
 *   writer and analytics, until ingress pushes back, then letting it drain.
 */
import type { LocalService } from '../platform/local/services.js';
import type { AckLedger } from './ack-ledger.js';
import { DRILL_ROLES, type Deployment, type DrillRole } from './deployment.js';
import type { ProgressProbe } from './progress-probe.js';
import { metricSum } from './verify.js';

export type FaultKind =
  | 'kill -9 role'
  | 'stop/start InfluxDB'
  | 'stop/start Redis'
  | 'kill -9 Redis master'
  | 'restart Mosquitto'
  | 'kill -9 Mosquitto'
  | 'high-water';

export interface FaultResult {
  readonly name: string;
  readonly kind: FaultKind;
  /** When the fault was injected, epoch ms. */
  readonly at: number;
  /** When the role was started again / the dependency answered again. */
  readonly backAt: number;
  /** Role restarts: from spawn to "RiverWatch ready". */
  readonly readyMs?: number;
  /** Per affected role: from `backAt` to its first work; null when none within the wait. */
  readonly recoveryMs: Readonly<Record<string, number | null>>;
  readonly notes: readonly string[];
}

/** What the high-water phase showed. */
export interface PushBackResult {
  readonly highWater: number;
  /** From stopping the consumers to every ingress pushing back, ms (null: never). */
  readonly overAfterMs: number | null;
  /** Log entries when the consumers came back. */
  readonly entriesAtPeak: number;
  readonly http503: number;
  readonly retryAfterS: readonly number[];
  /** HJ 212 data responses withheld (the data loggers resend). */
  readonly hj212Withheld: number;
  /** Readings the broker acknowledged to gateways but ingest had not taken yet (queued in the broker), at the peak. */
  readonly brokerHeldPeak: number;
  /** Longest time a gateway waited for an acknowledgement during the phase, per path, ms. */
  readonly longestAckWaitMs: Readonly<Record<string, number>>;
  /** From the consumers' restart until no ingress pushes back any more, ms (null: not within the wait). */
  readonly drainedAfterMs: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Recovery entry for "a reading published over MQTT after the fault reached the readings log". */
export const MQTT_E2E = 'mqtt→log';

export class FaultRunner {
  readonly results: FaultResult[] = [];
  pushBack: PushBackResult | undefined;
  /** When a Mosquitto killed with SIGKILL had exited (for attributing losses). */
  readonly brokerKills: number[] = [];
  readonly #deployment: Deployment;
  readonly #probe: ProgressProbe;
  readonly #ledger: AckLedger;
  readonly #log: (line: string) => void;
  readonly #recoveryWaitMs: number;
  readonly #e2eWaitMs: number;

  constructor(deps: {
    deployment: Deployment;
    probe: ProgressProbe;
    ledger: AckLedger;
    log: (line: string) => void;
    recoveryWaitMs?: number;
    e2eWaitMs?: number;
  }) {
    this.#deployment = deps.deployment;
    this.#probe = deps.probe;
    this.#ledger = deps.ledger;
    this.#log = deps.log;
    this.#recoveryWaitMs = deps.recoveryWaitMs ?? 30_000;
    this.#e2eWaitMs = deps.e2eWaitMs ?? 30_000;
  }

  /** kill -9 a role, start it again after `downMs`, wait until it works again. */
  async killRole(role: DrillRole, label: string, downMs = 2000): Promise<FaultResult> {
    const proc = this.#deployment.role(role);
    const at = Date.now();
    await proc.kill9();
    await sleep(downMs);
    const backAt = Date.now();
    const notes: string[] = [];
    await proc.start().catch((err: unknown) => notes.push(`restart failed: ${(err as Error).message.split('\n')[0]}`));
    const readyAt = proc.readyAt.at(-1);
    const [recoveryMs, e2e] = await Promise.all([
      this.#recovery([role], backAt),
      role === 'ingest' ? this.#mqttEndToEnd(backAt) : undefined,
    ]);
    if (e2e !== undefined) recoveryMs[MQTT_E2E] = e2e;
    return this.#record({
      name: `kill -9 ${role} ${label}`,
      kind: 'kill -9 role',
      at,
      backAt,
      ...(readyAt && readyAt >= backAt ? { readyMs: readyAt - backAt } : {}),
      recoveryMs,
      notes,
    });
  }

  /** Stops a service (SIGTERM, or SIGKILL when `crash`), starts it again after `downMs`, waits for the roles that need it. */
  async restartService(
    kind: Exclude<FaultKind, 'kill -9 role' | 'high-water' | 'kill -9 Redis master'>,
    service: LocalService,
    downMs: number,
    affected: readonly DrillRole[],
    crash = false,
  ): Promise<FaultResult> {
    const at = Date.now();
    if (crash) {
      await service.kill();
      // The window ends when the broker is gone: PUBACKs it sent in its last milliseconds count too.
      this.brokerKills.push(Date.now());
    } else await service.stop();
    await sleep(downMs);
    await service.start();
    const backAt = Date.now();
    const [recoveryMs, e2e] = await Promise.all([
      this.#recovery(affected, backAt),
      service.kind === 'mosquitto' ? this.#mqttEndToEnd(backAt) : undefined,
    ]);
    if (e2e !== undefined) recoveryMs[MQTT_E2E] = e2e;
    const notes = service.lastStartMs === undefined ? [] : [`${service.kind} answered ${service.lastStartMs} ms after its start`];
    return this.#record({ name: kind, kind, at, backAt, recoveryMs, notes });
  }

  /**
   * Sentinel or Cluster: kill -9 of the master (on a Cluster the one serving
   * `key`'s slot). `at` is the kill, `backAt` the promotion of a replica; every
   * role is timed from the promotion. The killed node is restarted at once (a
   * supervisor's job) and rejoins as a replica: on a Cluster the promoted
   * replica has none of its own until then, so WAIT 1 refuses its writes.
   */
  async failoverRedis(label: string, key: string): Promise<FaultResult> {
    const step = await this.#deployment.redis.killMaster(key);
    const notes = [`${step.former} killed, ${step.successor} promoted ${step.promotedAt - step.killedAt} ms later`];
    const rejoined = step.rejoin().then(
      () => notes.push(`${step.former} back as a replica ${Date.now() - step.killedAt} ms after the kill`),
      (err: unknown) => notes.push(`${step.former} did not rejoin: ${(err as Error).message.split('\n')[0]}`),
    );
    const [recoveryMs, e2e] = await Promise.all([this.#recovery(DRILL_ROLES, step.promotedAt), this.#mqttEndToEnd(step.promotedAt)]);
    if (e2e !== undefined) recoveryMs[MQTT_E2E] = e2e;
    await rejoined;
    return this.#record({ name: `kill -9 Redis master ${label}`, kind: 'kill -9 Redis master', at: step.killedAt, backAt: step.promotedAt, recoveryMs, notes });
  }

  /**
   * Restarts the ingress roles (ingest, api, hj212) with RW_INGEST_HIGH_WATER
   * lowered to `highWater` so the mark is reached in seconds, stops the store
   * writer and analytics until every ingress pushes back, holds that for
   * `holdMs`, starts them again and measures the drain; then restarts the
   * ingress roles with `restoreHighWater`.
   */
  async fillPastHighWater(
    highWater: number,
    restoreHighWater: number,
    holdMs = 10_000,
    maxWaitMs = 150_000,
  ): Promise<FaultResult> {
    const d = this.#deployment;
    const ingressRoles: DrillRole[] = ['ingest', 'api', 'hj212'];
    const restartIngress = async (value: number): Promise<void> => {
      await Promise.all(
        ingressRoles.map(async (role) => {
          const proc = d.role(role);
          proc.setEnv({ RW_INGEST_HIGH_WATER: String(value) });
          await proc.stop();
          await proc.start();
        }),
      );
    };
    const gauge = async (role: DrillRole): Promise<number | undefined> => {
      const text = await d.metrics(role);
      return text === undefined ? undefined : metricSum(text, 'riverwatch_ingest_backpressure');
    };
    const accepted = async (): Promise<number> =>
      metricSum((await d.metrics('ingest')) ?? '', 'riverwatch_readings_accepted_total', { name: 'ingress', value: 'mqtt' });
    const withheld = async (): Promise<number> =>
      metricSum((await d.metrics('hj212')) ?? '', 'riverwatch_hj212_withheld_answers_total');
    const logLength = async (): Promise<number> => metricSum((await d.metrics('ingest')) ?? '', 'riverwatch_readings_log_length');

    this.#log(`  restarting ingest, api and hj212 (SIGTERM) with RW_INGEST_HIGH_WATER=${highWater}`);
    await restartIngress(highWater);
    const at = Date.now();
    const acceptedAtStart = await accepted();
    const withheldAtStart = await withheld();
    const pushBacksBefore = this.#ledger.pushBacks.length;
    await Promise.all([d.role('store').stop(), d.role('analytics').stop()]);
    this.#log(`  store and analytics stopped (SIGTERM); waiting for the readings log to pass ${highWater} entries`);
    let overAt: number | undefined;
    let brokerHeldPeak = 0;
    const mqttAcksSince = (): number => this.#ledger.ackTimes('mqtt').filter((t) => t >= at).length;
    while (Date.now() - at < maxWaitMs) {
      const flags = await Promise.all(ingressRoles.map(gauge));
      brokerHeldPeak = Math.max(brokerHeldPeak, mqttAcksSince() - ((await accepted()) - acceptedAtStart));
      if (flags.every((f) => f === 1)) {
        overAt = Date.now();
        break;
      }
      await sleep(250);
    }
    const notes: string[] = [];
    if (overAt === undefined) notes.push(`ingress did not push back within ${maxWaitMs / 1000} s`);
    else {
      this.#log(`  every ingress pushes back after ${((overAt - at) / 1000).toFixed(1)} s; holding ${holdMs / 1000} s`);
      const holdUntil = Date.now() + holdMs;
      while (Date.now() < holdUntil) {
        brokerHeldPeak = Math.max(brokerHeldPeak, mqttAcksSince() - ((await accepted()) - acceptedAtStart));
        await sleep(250);
      }
    }
    const entriesAtPeak = await logLength();
    const hj212Withheld = (await withheld()) - withheldAtStart;
    await Promise.all([d.role('store').start(), d.role('analytics').start()]);
    const backAt = Date.now();
    // Drained = no ingress pushing back, and it stays so for 5 s (a burst of held-back input can push the log over again).
    let drainedAt: number | undefined;
    let belowSince: number | undefined;
    while (Date.now() - backAt < maxWaitMs) {
      const flags = await Promise.all(ingressRoles.map(gauge));
      if (flags.every((f) => f === 0)) belowSince ??= Date.now();
      else belowSince = undefined;
      if (belowSince !== undefined && Date.now() - belowSince >= 5000) {
        drainedAt = belowSince;
        break;
      }
      await sleep(250);
    }
    const recoveryMs = await this.#recovery(['store', 'analytics', 'ingest', 'api', 'hj212'], backAt);
    const pushBacks = this.#ledger.pushBacks.slice(pushBacksBefore);
    const longestAckWaitMs: Record<string, number> = {};
    for (const r of this.#ledger.acked()) {
      if (r.ackedAt < at || r.sentAt > backAt) continue;
      longestAckWaitMs[r.path] = Math.max(longestAckWaitMs[r.path] ?? 0, r.ackedAt - r.sentAt);
    }
    this.pushBack = {
      highWater,
      overAfterMs: overAt === undefined ? null : overAt - at,
      entriesAtPeak,
      http503: pushBacks.filter((p) => p.status === 503).length,
      retryAfterS: [...new Set(pushBacks.map((p) => p.retryAfterS).filter((s): s is number => s !== undefined))],
      hj212Withheld,
      brokerHeldPeak,
      longestAckWaitMs,
      drainedAfterMs: drainedAt === undefined ? null : drainedAt - backAt,
    };
    const result = this.#record({ name: 'readings log past high-water', kind: 'high-water', at, backAt, recoveryMs, notes });
    this.#log(`  restarting ingest, api and hj212 (SIGTERM) with RW_INGEST_HIGH_WATER=${restoreHighWater}`);
    await restartIngress(restoreHighWater);
    return result;
  }

  /**
   * End to end over MQTT: from `backAt` until a reading a gateway first published after it is in
   * the readings log. Counters alone can mislead after a broker restart: messages queued for ingest
   * before it are delivered even when new ones are not.
   */
  async #mqttEndToEnd(backAt: number): Promise<number | null> {
    const deadline = Date.now() + this.#e2eWaitMs;
    while (Date.now() < deadline) {
      const readings = await this.#deployment.newestLogReadings(200).catch(() => []);
      if (readings.some((r) => r.source === 'mqtt' && (this.#ledger.firstSentAt(r.stationId, r.ts) ?? 0) >= backAt))
        return Date.now() - backAt;
      await sleep(200);
    }
    return null;
  }

  async #recovery(roles: readonly DrillRole[], backAt: number): Promise<Record<string, number | null>> {
    const out: Record<string, number | null> = {};
    await Promise.all(
      roles.map(async (role) => {
        const at = await this.#probe.waitForProgress(role, backAt, this.#recoveryWaitMs);
        out[role] = at === undefined ? null : at - backAt;
      }),
    );
    return out;
  }

  #record(result: FaultResult): FaultResult {
    this.results.push(result);
    const recovery = Object.entries(result.recoveryMs)
      .map(([role, ms]) => `${role} ${ms === null ? 'no work seen' : `${(ms / 1000).toFixed(1)} s`}`)
      .join(', ');
    this.#log(
      `  ${result.name}: back after ${((result.backAt - result.at) / 1000).toFixed(1)} s; working again: ${recovery}${result.notes.length ? ` (${result.notes.join('; ')})` : ''}`,
    );
    return result;
  }
}
