/**
 * HJ 212-2017 Appendix C ("通讯命令示例"), C.1–C.50, as scripted exchanges between a data logger and
 * RiverWatch. HONESTY NOTE: the Appendix C text itself was not found in the public corpus searched (code,
 * docs, pages). Only C.6's packet is verbatim: the standard's 1062 example
 * `QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80`
 * as copied by public implementations (domain-facts.md §3.3 example 1; its CRC is checked in
 * test/unit/hj212/crc.test.ts). Every other example is RECONSTRUCTED from the standard's command table
 * (domain-facts.md §3.4: CN, fields, QnRtn/ExeRtn) and the cues of issue 17 (C.4 is the 1013 time-calibration
 * request, C.49/C.50 the split uploads, each part with its own QN and 9014); numbering and field values are
 * ours. Times are "now", so ingest's time window accepts the readings and no logger clock looks off.
 * Packets are framed with their CRC by `buildPacket` (length and CRC as the standard computes them).
 *
 * Where the platform starts an exchange with a command RiverWatch does not issue (1000, 1011, 1061, ...),
 * the example scripts the logger's side of the standard's sequence (9011, its upload, 9012): RiverWatch
 * answers what a platform answers (nothing to 9011/9012/uploads without Flag A; 9014 to uploads with A).
 */
import type { DiagnosticKind } from '../../../domain/station-diagnostics.js';
import { parseLocalTime, type Hj212CommandResult } from '../../../ingest/hj212/index.js';
import type { Answer, ScriptedLogger } from './scripted-logger.js';

export interface ExampleContext {
  readonly logger: ScriptedLogger;
  /** A fresh QN at platform time (station local time). */
  qn(): string;
  /** A QN `offsetMs` off the platform's clock (a drifting logger). */
  qnOff(offsetMs: number): string;
  /** DataTimes: now (real-time), this 10-minute, last hour, yesterday. */
  readonly t: { readonly rtd: string; readonly min: string; readonly hour: string; readonly day: string };
  /** The platform sends 1062 (RtdInterval) to this example's station. */
  sendInterval(intervalS: number): Promise<Hj212CommandResult>;
}

export interface AppendixExample {
  readonly id: string;
  readonly title: string;
  readonly verbatim: boolean;
  /** Runs the logger's script; returns anything it wants to check beyond the answers. */
  run(ctx: ExampleContext): Promise<void>;
  /** CNs RiverWatch answers with, in order (the whole exchange). */
  readonly answers: readonly string[];
  /** Values the example's readings carry in the readings log (tracked parameters only). */
  readonly values?: number;
  readonly diagnostics?: readonly DiagnosticKind[];
  /** Station MN and PW (C.6 uses the standard example's). */
  readonly mn?: string;
  readonly pw?: string;
}

const POLLUTANTS = ['w01018', 'w21003', 'w01001'] as const; // COD (untracked), NH3-N, pH
const VALUE: Record<string, string> = { w01018: '50.1', w21003: '1.21', w01001: '7.12' };

export const rtdCp = (t: string): string => [`DataTime=${t}`, ...POLLUTANTS.map((c) => `${c}-Rtd=${VALUE[c]},${c}-Flag=N`)].join(';');
export const statCp = (t: string, codes: readonly string[] = POLLUTANTS): string =>
  [`DataTime=${t}`, ...codes.map((c) => `${c}-Cou=1.0,${c}-Min=${VALUE[c]},${c}-Avg=${VALUE[c]},${c}-Max=${VALUE[c]},${c}-Flag=N`)].join(';');

/** The logger's side of a platform command: 9011 (QnRtn), an optional upload, 9012 (ExeRtn). */
async function loggerSide(
  ctx: ExampleContext,
  upload?: { cn: string; cp: string; flag?: number; answers?: number },
  codes: { qnRtn?: number; exeRtn?: number } = {},
): Promise<Answer[]> {
  const platformQn = ctx.qn();
  await ctx.logger.send({ qn: platformQn, st: '91', cn: '9011', flag: 4, cp: `QnRtn=${codes.qnRtn ?? 1}` });
  const answers = upload ? await ctx.logger.send({ qn: platformQn, cn: upload.cn, flag: upload.flag ?? 4, cp: upload.cp }, upload.answers ?? 0) : [];
  await ctx.logger.send({ qn: platformQn, st: '91', cn: '9012', flag: 4, cp: `ExeRtn=${codes.exeRtn ?? 1}` });
  return answers;
}

/** A logger's first packet on a connection (running status, ST=32, no answer asked): the platform now knows where to reach it. */
async function login(ctx: ExampleContext): Promise<void> {
  await ctx.logger.send({ qn: ctx.qn(), cn: '2021', flag: 4, cp: `DataTime=${ctx.t.rtd};SB1-RS=1` });
  await ctx.logger.sync();
}

/** An upload the logger starts, Flag=5: answered 9014 echoing its QN. */
async function upload(ctx: ExampleContext, cn: string, cp: string): Promise<void> {
  const qn = ctx.qn();
  const [answer] = await ctx.logger.send({ qn, cn, flag: 5, cp }, 1);
  expectEcho(answer, '9014', qn);
}

export function expectEcho(answer: Answer | undefined, cn: string, qn: string): void {
  if (answer?.packet.cn !== cn || answer.packet.qn !== qn || answer.packet.st !== '91')
    throw new Error(`expected ${cn} echoing QN ${qn} with ST=91, got ${answer?.data ?? 'nothing'}`);
}

/** The 1012 the platform sends: SystemTime within a minute of now, answer asked; the logger then answers it. */
async function expectSetTime(ctx: ExampleContext, answer: Answer | undefined, polId?: string): Promise<void> {
  const match = /^(?:PolId=([^;]+);)?SystemTime=(\d{14})$/.exec(answer?.packet.cp ?? '');
  if (answer?.packet.cn !== '1012' || !match || (answer.packet.flag & 1) !== 1 || match[1] !== polId)
    throw new Error(`expected 1012 SystemTime (PolId ${polId}), got ${answer?.data ?? 'nothing'}`);
  const systemMs = parseLocalTime(match[2] as string, 480);
  if (systemMs === undefined || Math.abs(systemMs - Date.now()) > 60_000) throw new Error(`SystemTime ${match[2]} is not the platform time`);
  await ctx.logger.send({ qn: answer.packet.qn, st: '91', cn: '9011', flag: 4, cp: 'QnRtn=1' });
  await ctx.logger.send({ qn: answer.packet.qn, st: '91', cn: '9012', flag: 4, cp: 'ExeRtn=1' });
}

const notIssued = (id: string, cn: string, title: string): AppendixExample => ({
  id,
  title: `${title} (${cn}: RiverWatch does not issue it; the logger's 9011 + 9012 are taken and not answered)`,
  verbatim: false,
  run: async (ctx) => void (await loggerSide(ctx)),
  answers: [],
});

const queried = (id: string, cn: string, title: string, cp: (ctx: ExampleContext) => string, kind: DiagnosticKind): AppendixExample => ({
  id,
  title: `${title} (${cn}: the logger's 9011, its upload (Flag=4) and 9012; the upload is kept as ${kind})`,
  verbatim: false,
  run: async (ctx) => void (await loggerSide(ctx, { cn, cp: cp(ctx) })),
  answers: [],
  diagnostics: [kind],
});

const uploaded = (id: string, cn: string, title: string, cp: (ctx: ExampleContext) => string, effect: { values?: number; kind?: DiagnosticKind }): AppendixExample => ({
  id,
  title: `${title} (${cn}, Flag=5: 9014 echoing its QN)`,
  verbatim: false,
  run: (ctx) => upload(ctx, cn, cp(ctx)),
  answers: ['9014'],
  ...(effect.values === undefined ? {} : { values: effect.values }),
  ...(effect.kind === undefined ? {} : { diagnostics: [effect.kind] }),
});

const history = (id: string, cn: string, title: string, cp: (ctx: ExampleContext) => string, effect: { values?: number; kind?: DiagnosticKind }): AppendixExample => ({
  id,
  title: `${title} (${cn} on request: 9011, upload Flag=5 answered 9014, 9012)`,
  verbatim: false,
  run: async (ctx) => void (await loggerSide(ctx, { cn, cp: cp(ctx), flag: 5, answers: 1 })),
  answers: ['9014'],
  ...(effect.values === undefined ? {} : { values: effect.values }),
  ...(effect.kind === undefined ? {} : { diagnostics: [effect.kind] }),
});

export const APPENDIX_C: readonly AppendixExample[] = [
  notIssued('C.1', '1000', 'set timeout and retries'),
  queried('C.2', '1011', 'get logger time', (c) => `PolId=w01018;SystemTime=${c.t.rtd}`, 'logger-setting'),
  {
    id: 'C.3',
    title: 'set logger time (1012): the platform sets a logger whose QN is an hour ahead; the logger answers 9011 + 9012',
    verbatim: false,
    run: async (ctx) => {
      const qn = ctx.qnOff(3_600_000);
      const [ack, set] = await ctx.logger.send({ qn, cn: '2011', flag: 5, cp: rtdCp(ctx.t.rtd) }, 2);
      expectEcho(ack, '9014', qn);
      await expectSetTime(ctx, set);
    },
    answers: ['9014', '1012'],
    values: 2,
  },
  {
    id: 'C.4',
    title: 'time-calibration request (1013, Flag=5): 9013, then 1012 with the platform time and the PolId',
    verbatim: false,
    run: async (ctx) => {
      const qn = ctx.qn();
      const [note, set] = await ctx.logger.send({ qn, cn: '1013', flag: 5, cp: 'PolId=w01018' }, 2);
      expectEcho(note, '9013', qn);
      await expectSetTime(ctx, set, 'w01018');
    },
    answers: ['9013', '1012'],
  },
  queried('C.5', '1061', 'get real-time data interval', () => 'RtdInterval=30', 'logger-setting'),
  {
    id: 'C.6',
    title: 'set real-time data interval (1062): the standard example byte for byte (QN aside); 9011 QnRtn=1, 9012 ExeRtn=1',
    verbatim: true,
    mn: '010000A8900016F000169DC0',
    pw: '100000',
    run: async (ctx) => {
      await login(ctx);
      const result = ctx.sendInterval(30);
      const command = await ctx.logger.waitFor((a) => a.packet.cn === '1062');
      const expected = `QN=${command.packet.qn};ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&`;
      if (command.data !== expected) throw new Error(`1062 is ${command.data}, not ${expected}`);
      await ctx.logger.send({ qn: command.packet.qn, st: '91', cn: '9011', flag: 4, cp: 'QnRtn=1' });
      await ctx.logger.send({ qn: command.packet.qn, st: '91', cn: '9012', flag: 4, cp: 'ExeRtn=1' });
      const outcome = await result;
      if (!outcome.ok || outcome.qnRtn !== 1 || outcome.exeRtn !== 1) throw new Error(`1062 outcome ${JSON.stringify(outcome)}`);
    },
    answers: ['1062'],
    diagnostics: ['running-status'],
  },
  queried('C.7', '1063', 'get minute data interval', () => 'MinInterval=10', 'logger-setting'),
  notIssued('C.8', '1064', 'set minute data interval'),
  notIssued('C.9', '1072', 'set logger password'),
  uploaded('C.10', '2011', 'real-time data upload', (c) => rtdCp(c.t.rtd), { values: 2 }),
  {
    id: 'C.11',
    title: 'real-time data on request (2011: 9011, uploads with Flag=4 not answered, 9012)',
    verbatim: false,
    run: async (ctx) => void (await loggerSide(ctx, { cn: '2011', cp: rtdCp(ctx.t.rtd) })),
    answers: [],
    values: 2,
  },
  {
    id: 'C.12',
    title: 'stop real-time data (2012): the logger answers 9013; nothing more',
    verbatim: false,
    run: async (ctx) => void (await ctx.logger.send({ qn: ctx.qn(), st: '91', cn: '9013', flag: 4, cp: '' })),
    answers: [],
  },
  uploaded('C.13', '2021', 'equipment running status upload', (c) => `DataTime=${c.t.rtd};SB1-RS=1;SB2-RS=0`, { kind: 'running-status' }),
  queried('C.14', '2021', 'equipment running status on request', (c) => `DataTime=${c.t.rtd};SB1-RS=1`, 'running-status'),
  {
    id: 'C.15',
    title: 'stop running status (2022): the logger answers 9013; nothing more',
    verbatim: false,
    run: async (ctx) => void (await ctx.logger.send({ qn: ctx.qn(), st: '91', cn: '9013', flag: 4, cp: '' })),
    answers: [],
  },
  uploaded('C.16', '2031', 'daily data upload', (c) => statCp(c.t.day), { values: 2 }),
  history('C.17', '2031', 'daily history data', (c) => statCp(c.t.day), { values: 2 }),
  uploaded('C.18', '2041', 'daily equipment running time upload', (c) => `DataTime=${c.t.day};SB1-RT=23.5;SB2-RT=12.0`, { kind: 'running-time' }),
  history('C.19', '2041', 'daily equipment running time history', (c) => `DataTime=${c.t.day};SB1-RT=23.5`, { kind: 'running-time' }),
  uploaded('C.20', '2051', 'minute data upload', (c) => statCp(c.t.min), { values: 2 }),
  history('C.21', '2051', 'minute history data', (c) => statCp(c.t.min), { values: 2 }),
  uploaded('C.22', '2061', 'hourly data upload', (c) => statCp(c.t.hour), { values: 2 }),
  history('C.23', '2061', 'hourly history data', (c) => statCp(c.t.hour), { values: 2 }),
  uploaded('C.24', '2081', 'logger restart time upload', (c) => `DataTime=${c.t.rtd};RestartTime=${c.t.min}`, { kind: 'restart' }),
  notIssued('C.25', '3011', 'zero/span calibration'),
  notIssued('C.26', '3012', 'immediate sampling'),
  notIssued('C.27', '3013', 'cleaning/back-blow'),
  notIssued('C.28', '3014', 'comparison sampling'),
  uploaded('C.29', '3015', 'over-limit sample retention record', (c) => `DataTime=${c.t.rtd};VaseNo=1`, { kind: 'sample-retention' }),
  notIssued('C.30', '3016', 'set sampling period'),
  queried('C.31', '3017', 'get sampling period', () => 'PolId=w01018;CstartTime=000000;CTime=2', 'logger-setting'),
  queried('C.32', '3018', 'get sample-out time', () => 'PolId=w01018;Stime=10', 'logger-setting'),
  queried('C.33', '3019', 'get device unique id', () => 'PolId=w01018;w01018-SN=010000A8900016F000169DC0', 'device-info'),
  uploaded('C.34', '3020', 'logger log upload (UTF-8 text)', (c) => `DataTime=${c.t.rtd};PolId=w01018;i11001-Info=//仪器自检完成 self-check done//`, { kind: 'log' }),
  queried('C.35', '3020', 'logger log on request', (c) => `DataTime=${c.t.rtd};PolId=w01018;i11001-Info=//restart//`, 'log'),
  uploaded('C.36', '3020', 'instrument status upload', (c) => `DataTime=${c.t.rtd};PolId=w01018;i12001-Info=0;i12002-Info=1`, { kind: 'device-info' }),
  queried('C.37', '3020', 'instrument status on request', (c) => `DataTime=${c.t.rtd};PolId=w01018;i12001-Info=0`, 'device-info'),
  uploaded('C.38', '3020', 'instrument parameters upload', (c) => `DataTime=${c.t.rtd};PolId=w01018;i13004-Info=2.0;i13005-Info=1.5`, { kind: 'parameter' }),
  queried('C.39', '3020', 'instrument parameters on request', (c) => `DataTime=${c.t.rtd};PolId=w01018;i13004-Info=2.0`, 'parameter'),
  notIssued('C.40', '3021', 'set instrument parameters'),
  {
    id: 'C.41',
    title: 'request response (9011) from a logger: matches no command, not answered',
    verbatim: false,
    run: async (ctx) => void (await ctx.logger.send({ qn: ctx.qn(), st: '91', cn: '9011', flag: 4, cp: 'QnRtn=1' })),
    answers: [],
  },
  {
    id: 'C.42',
    title: 'execution result (9012) from a logger: not answered',
    verbatim: false,
    run: async (ctx) => void (await ctx.logger.send({ qn: ctx.qn(), st: '91', cn: '9012', flag: 4, cp: 'ExeRtn=1' })),
    answers: [],
  },
  {
    id: 'C.43',
    title: 'notification response (9013) from a logger: not answered',
    verbatim: false,
    run: async (ctx) => void (await ctx.logger.send({ qn: ctx.qn(), st: '91', cn: '9013', flag: 4, cp: '' })),
    answers: [],
  },
  {
    id: 'C.44',
    title: 'data response (9014) from a logger: not answered',
    verbatim: false,
    run: async (ctx) => void (await ctx.logger.send({ qn: ctx.qn(), st: '91', cn: '9014', flag: 4, cp: '' })),
    answers: [],
  },
  {
    id: 'C.45',
    title: 'history request with no data: 9011 QnRtn=1, 9012 ExeRtn=100; not answered',
    verbatim: false,
    run: async (ctx) => void (await loggerSide(ctx, undefined, { exeRtn: 100 })),
    answers: [],
  },
  {
    id: 'C.46',
    title: 'a command the logger refuses: 9011 QnRtn=2; not answered',
    verbatim: false,
    run: async (ctx) => void (await loggerSide(ctx, undefined, { qnRtn: 2 })),
    answers: [],
  },
  {
    id: 'C.47',
    title: 'set real-time interval (1062) the logger cannot apply: 9011 QnRtn=1, 9012 ExeRtn=2; the platform records the failure',
    verbatim: false,
    run: async (ctx) => {
      await login(ctx);
      const result = ctx.sendInterval(60);
      const command = await ctx.logger.waitFor((a) => a.packet.cn === '1062');
      await ctx.logger.send({ qn: command.packet.qn, st: '91', cn: '9011', flag: 4, cp: 'QnRtn=1' });
      await ctx.logger.send({ qn: command.packet.qn, st: '91', cn: '9012', flag: 4, cp: 'ExeRtn=2' });
      const outcome = await result;
      if (outcome.ok || outcome.exeRtn !== 2) throw new Error(`1062 outcome ${JSON.stringify(outcome)}`);
    },
    answers: ['1062'],
    diagnostics: ['running-status'],
  },
  {
    id: 'C.48',
    title: 'time-calibration request without answer asked (1013, Flag=4): 1012 only',
    verbatim: false,
    run: async (ctx) => {
      const [set] = await ctx.logger.send({ qn: ctx.qn(), cn: '1013', flag: 4, cp: '' }, 1);
      await expectSetTime(ctx, set);
    },
    answers: ['1012'],
  },
  {
    id: 'C.49',
    title: 'split minute upload (2051, Flag=7, PNUM=2): each part its own QN, DataTime and 9014, sent after the previous 9014',
    verbatim: false,
    run: async (ctx) => {
      for (const [pno, codes] of [[1, ['w01018', 'w21003']], [2, ['w01001']]] as const) {
        const qn = ctx.qn();
        const [ack] = await ctx.logger.send({ qn, cn: '2051', flag: 7, pnum: 2, pno, cp: statCp(ctx.t.min, codes) }, 1);
        expectEcho(ack, '9014', qn);
      }
    },
    answers: ['9014', '9014'],
    values: 2,
  },
  {
    id: 'C.50',
    title: 'split hourly upload (2061, PNUM=3): later parts carry no DataTime; each part its own QN and 9014',
    verbatim: false,
    run: async (ctx) => {
      const parts = [statCp(ctx.t.hour, ['w01018']), statCp(ctx.t.hour, ['w21003']).replace(/^DataTime=\d+;/, ''), statCp(ctx.t.hour, ['w01001']).replace(/^DataTime=\d+;/, '')];
      for (const [i, cp] of parts.entries()) {
        const qn = ctx.qn();
        const [ack] = await ctx.logger.send({ qn, cn: '2061', flag: 7, pnum: 3, pno: i + 1, cp }, 1);
        expectEcho(ack, '9014', qn);
      }
    },
    answers: ['9014', '9014', '9014'],
    values: 2,
  },
];
