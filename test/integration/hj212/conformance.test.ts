/**
 * HJ 212 conformance (issue 17): every Appendix C example (appendix-c.ts: C.1–C.50, one verbatim, the rest
 * reconstructed — see its header) sent by a scripted data logger over TCP to the real hj212 role on a real
 * Redis, answered as the standard's sequence says (9011/9012/9013/9014, 1012, 1062), with the readings,
 * statuses and logs it carries landing where an operator finds them: the readings log, the dead letters
 * (none here) and the station diagnostics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalTime, type Hj212CommandResult } from '../../../ingest/hj212/index.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { APPENDIX_C, type ExampleContext } from './appendix-c.js';
import { registryWith, startSuite, type Suite, type SuiteStation } from './conformance-env.js';
import { ScriptedLogger } from './scripted-logger.js';

const TZ = 480;
const stationOf = (i: number): SuiteStation => {
  const example = APPENDIX_C[i];
  return {
    id: `STD-C${String(i + 1).padStart(2, '0')}`,
    mn: example?.mn ?? `010000A8900016F000169D${String(i + 1).padStart(2, '0')}`,
    pw: example?.pw ?? '100000',
  };
};

let svc: TestServices<{ redis: true }>;
let suite: Suite;

beforeAll(async () => {
  svc = await startServices({ redis: true });
  suite = await startSuite(svc, registryWith(APPENDIX_C.map((_, i) => stationOf(i))));
});

afterAll(async () => {
  await suite?.rw.close();
  await svc?.close();
});

let lastQnMs = 0;
function contextFor(logger: ScriptedLogger, stationId: string): ExampleContext {
  const now = Date.now();
  const floor = (ms: number, step: number): number => now - ((now + TZ * 60_000) % step) - ms;
  const nextMs = (offset: number): number => {
    lastQnMs = Math.max(Date.now() + offset, lastQnMs + 1);
    return lastQnMs;
  };
  let commandSeq = 0;
  return {
    logger,
    qn: () => formatLocalTime(nextMs(0), TZ, true),
    qnOff: (offsetMs) => formatLocalTime(Date.now() + offsetMs, TZ, true),
    t: {
      rtd: formatLocalTime(floor(0, 1000), TZ),
      min: formatLocalTime(floor(0, 600_000), TZ),
      hour: formatLocalTime(floor(3_600_000, 3_600_000), TZ),
      day: formatLocalTime(floor(86_400_000, 86_400_000), TZ),
    },
    sendInterval: (intervalS): Promise<Hj212CommandResult> =>
      suite.server.sendCommand({
        id: `conf-${stationId}-${++commandSeq}`,
        stationId,
        sectionId: 'tp-jinze',
        type: 'set-sampling-interval',
        intervalS,
        expiresAt: Date.now() + 60_000,
      }),
  };
}

describe('HJ 212-2017 Appendix C, C.1–C.50, against the real server', () => {
  it('has fifty examples, C.1 to C.50, one of them verbatim (C.6)', () => {
    expect(APPENDIX_C.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => `C.${i + 1}`));
    expect(APPENDIX_C.filter((e) => e.verbatim).map((e) => e.id)).toEqual(['C.6']);
  });

  it.each(APPENDIX_C.map((example, i) => ({ ...example, index: i })))('$id $title', async (example) => {
    const station = stationOf(example.index);
    const logger = await ScriptedLogger.connect(suite.port, station.mn, station.pw);
    try {
      await example.run(contextFor(logger, station.id));
      const answers = await logger.finish();
      expect(answers.map((a) => a.packet.cn)).toEqual(example.answers);
      expect(logger.badFrames).toBe(0);
      // Every answer is addressed to the logger that sent the exchange.
      for (const a of answers) expect([a.packet.mn, a.packet.pw]).toEqual([station.mn, station.pw]);
    } finally {
      logger.close();
    }
    const readings = await suite.readingValues(station.id);
    expect(readings.reduce((n, r) => n + Object.keys(r.values).length, 0)).toBe(example.values ?? 0);
    if (example.values) expect(new Set(readings.flatMap((r) => Object.keys(r.values)))).toEqual(new Set(['nh3n', 'ph']));
    const diagnostics = await suite.diagnostics({ stationId: station.id });
    expect(diagnostics.map((d) => d.kind).sort()).toEqual([...(example.diagnostics ?? [])].sort());
    expect(await suite.deadLetters(station.id)).toEqual([]);
  });

  it('counts the logger time settings on /metrics: one for a drifting clock (C.3), two on request (C.4, C.48)', async () => {
    expect(await suite.metric('riverwatch_hj212_clock_corrections_total', { reason: 'drift' })).toBe(1);
    expect(await suite.metric('riverwatch_hj212_clock_corrections_total', { reason: 'request' })).toBe(2);
  });
});
