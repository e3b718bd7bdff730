/**
 * Frames of three independent public HJ 212 implementations (public-frames.ts cites each) sent verbatim to
 * the real hj212 role: each is accepted or refused with the right answer and a dead letter naming why.
 * Then the refusals a logger asked to hear about, each answered 9011 with its QnRtn, and the leniencies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPacket, formatCrc, formatLocalTime, hj212Crc } from '../../../ingest/hj212/index.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { registryWith, startSuite, type Suite } from './conformance-env.js';
import { identityOf, PUBLIC_FRAMES } from './public-frames.js';
import { ScriptedLogger } from './scripted-logger.js';

const stations = [...new Map(PUBLIC_FRAMES.map((f) => [identityOf(f.frame).mn, identityOf(f.frame)])).values()].map((id, i) => ({
  id: `PUB-${String(i + 1).padStart(2, '0')}`,
  ...id,
}));
// Leniency and refusal stations: a 24-character password; a 2017 logger for the refusals.
const LONG_PW = 'Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8';
const extra = [
  { id: 'LEN-PW', mn: 'RWLENIENT0000000000000PW', pw: LONG_PW },
  { id: 'REFUSE', mn: 'RWREFUSALS00000000000001', pw: '123456' },
];

let svc: TestServices<{ redis: true }>;
let suite: Suite;

beforeAll(async () => {
  svc = await startServices({ redis: true });
  suite = await startSuite(svc, registryWith([...stations, ...extra]));
});

afterAll(async () => {
  await suite?.rw.close();
  await svc?.close();
});

const stationOfMn = (mn: string): string => [...stations, ...extra].find((s) => s.mn === mn)?.id as string;

describe('frames from public implementations (verbatim)', () => {
  it('covers three independent sources', () => {
    expect(new Set(PUBLIC_FRAMES.map((f) => f.source))).toEqual(new Set(['L', 'X', 'A']));
  });

  it.each(PUBLIC_FRAMES.map((f, i) => ({ ...f, name: `${f.source}${i + 1} ${f.frame.slice(6, 70)}` })))('$name', async (f) => {
    const { mn, pw } = identityOf(f.frame);
    const stationId = stationOfMn(mn);
    const lettersBefore = (await suite.deadLetters(stationId)).length;
    const diagnosticsBefore = (await suite.diagnostics({ stationId })).length;
    const logger = await ScriptedLogger.connect(suite.port, mn, pw);
    try {
      await logger.send(`${f.frame}\r\n`);
      const answers = await logger.finish();
      expect(answers.filter((a) => a.packet.cn !== '1012').map((a) => a.packet.cn)).toEqual(f.answers);
      for (const a of answers) {
        if (a.packet.cn === '1012') expect(a.packet.cp).toMatch(/^SystemTime=\d{14}$/);
        else expect(a.packet.qn).toBe(/QN=(\d+)/.exec(f.frame)?.[1]);
      }
    } finally {
      logger.close();
    }
    const letters = (await suite.deadLetters(stationId)).slice(0, (await suite.deadLetters(stationId)).length - lettersBefore);
    expect(letters.map((l) => l.code).sort()).toEqual(f.deadLetters);
    for (const letter of letters) expect(letter.message.length).toBeGreaterThan(10);
    const diagnostics = await suite.diagnostics({ stationId });
    expect(diagnostics.slice(0, diagnostics.length - diagnosticsBefore).map((d) => d.kind)).toEqual(f.diagnostic ? [f.diagnostic] : []);
  });
});

describe('refusals answered with their QnRtn (the logger asked: Flag=5), and leniencies', () => {
  const { mn, pw } = extra[1] as { mn: string; pw: string };
  const qn = (): string => formatLocalTime(Date.now(), 480, true);
  const body = (fields: string): string => `QN=${qn()};${fields}`;
  // Framed by hand: buildPacket would not write these malformed segments.
  const frame = (data: string): string =>
    `##${String(Buffer.byteLength(data)).padStart(4, '0')}${data}${formatCrc(hj212Crc(Buffer.from(data, 'utf8')))}\r\n`;

  it.each([
    { name: 'QN not digits', data: () => `QN=2024x;ST=21;CN=2011;PW=${pw};MN=${mn};Flag=5;CP=&&&&`, qnRtn: '7' },
    { name: 'ST of three characters', data: () => body(`ST=999;CN=2011;PW=${pw};MN=${mn};Flag=5;CP=&&&&`), qnRtn: '5' },
    { name: 'Flag bit D without PNUM/PNO', data: () => body(`ST=21;CN=2011;PW=${pw};MN=${mn};Flag=7;CP=&&&&`), qnRtn: '6' },
    { name: 'PW over 24 characters', data: () => body(`ST=21;CN=2011;PW=${'x'.repeat(25)};MN=${mn};Flag=5;CP=&&&&`), qnRtn: '3' },
    { name: 'wrong password', data: () => body(`ST=21;CN=2011;PW=654321;MN=${mn};Flag=5;CP=&&&&`), qnRtn: '3' },
    { name: 'unknown MN', data: () => body(`ST=21;CN=2011;PW=${pw};MN=RWNOSUCHMN;Flag=5;CP=&&&&`), qnRtn: '4' },
    { name: 'unknown CN', data: () => body(`ST=21;CN=2099;PW=${pw};MN=${mn};Flag=5;CP=&&&&`), qnRtn: '8' },
  ])('$name: 9011 QnRtn=$qnRtn', async ({ data, qnRtn }) => {
    const logger = await ScriptedLogger.connect(suite.port, mn, pw);
    try {
      const text = data();
      const [answer] = await logger.send(frame(text), 1);
      expect(answer?.packet).toMatchObject({ cn: '9011', st: '91', cp: `QnRtn=${qnRtn}` });
      expect(answer?.packet.qn).toBe(/^QN=(\d+);/.exec(text)?.[1]);
    } finally {
      logger.close();
    }
  });

  it('a bad CRC is answered QnRtn=9', async () => {
    const logger = await ScriptedLogger.connect(suite.port, mn, pw);
    try {
      const good = buildPacket({ qn: qn(), st: '21', cn: '2011', pw, mn, flag: 5, cp: 'DataTime=20240101000000;w01001-Rtd=7' });
      const bad = good.replace(/[0-9A-F]{4}\r\n$/, (crc) => `${crc[0] === '0' ? '1' : '0'}${crc.slice(1)}`);
      const [answer] = await logger.send(bad, 1);
      expect(answer?.packet).toMatchObject({ cn: '9011', cp: 'QnRtn=9' });
    } finally {
      logger.close();
    }
  });

  it.each([
    { name: 'a 24-character PW', station: 0, st: '21', extraItems: 0 },
    { name: 'a letter ST (§6.6.1.2)', station: 1, st: 'A1', extraItems: 0 },
    { name: 'a frame of 2,000 bytes (over the standard\'s 1,024)', station: 1, st: '21', extraItems: 80 },
  ])('accepts $name', async ({ station, st, extraItems }) => {
    const who = extra[station] as { id: string; mn: string; pw: string };
    const now = Date.now();
    const dataTime = formatLocalTime(now - (now % 60_000), 480);
    const padding = Array.from({ length: extraItems }, (_, i) => `;w01018-Rtd=${i}.000000000`).join('');
    const logger = await ScriptedLogger.connect(suite.port, who.mn, who.pw);
    try {
      const q = qn();
      const packet = buildPacket({ qn: q, st, cn: '2011', pw: who.pw, mn: who.mn, flag: 5, cp: `DataTime=${dataTime};w21003-Rtd=0.31${padding}` });
      if (extraItems > 0) expect(Number(packet.slice(2, 6))).toBeGreaterThan(1024);
      const [answer] = await logger.send(packet, 1);
      expect(answer?.packet).toMatchObject({ cn: '9014', qn: q });
    } finally {
      logger.close();
    }
    expect((await suite.readingValues(who.id)).some((r) => r.values.nh3n === 0.31 && r.ts === now - (now % 60_000))).toBe(true);
  });
});
