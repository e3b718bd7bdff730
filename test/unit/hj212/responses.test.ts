import { describe, expect, it } from 'vitest';
import {
  dataResponse,
  executionResult,
  notificationResponse,
  setTimeCommand,
  EXE_RTN,
  Hj212Framer,
  parsePacket,
  QN_RTN,
  requestResponse,
  setRealtimeIntervalCommand,
} from '../../../ingest/hj212/index.js';
import { REFERENCE_PACKETS } from './reference-packets.js';

const upload = { qn: '20160801085000001', pw: '123456', mn: '010000A8900016F000169DC0', flag: 5 };

function frameOk(text: string): void {
  const events = new Hj212Framer().push(Buffer.from(text));
  expect(events.map((e) => e.kind)).toEqual(['packet']);
}

describe('responses', () => {
  it('9014 echoing the QN of a Flag=5 upload is the reference ack byte for byte (§3.3 example 3)', () => {
    expect(dataResponse(upload)).toBe(REFERENCE_PACKETS.dataAck);
  });

  it('keeps the sender version bits: a Flag=9 upload gets Flag=8', () => {
    expect(dataResponse({ ...upload, flag: 9 })).toContain(';Flag=8;');
  });

  it('omits QN when the request had none', () => {
    const text = dataResponse({ ...upload, qn: undefined });
    expect(text).toContain('##');
    expect(text).not.toContain('QN=');
    frameOk(text);
  });

  it.each([
    [QN_RTN.passwordError, 'QnRtn=3'],
    [QN_RTN.mnError, 'QnRtn=4'],
    [QN_RTN.ready, 'QnRtn=1'],
  ])('9011 carries QnRtn %s', (code, cp) => {
    const text = requestResponse(upload, code);
    const parsed = parsePacket(text.slice(6, -6));
    expect(parsed.ok && parsed.value).toMatchObject({ qn: upload.qn, st: '91', cn: '9011', flag: 4, cp });
    frameOk(text);
  });

  it('9012 carries ExeRtn', () => {
    const text = executionResult(upload, EXE_RTN.failed);
    expect(text).toContain('CN=9012;');
    expect(text).toContain('CP=&&ExeRtn=2&&');
    frameOk(text);
  });

  it('1062 set real-time interval is the standard example byte for byte (§3.3 example 1)', () => {
    const text = setRealtimeIntervalCommand(
      { qn: '20160801085857223', st: '32', mn: '010000A8900016F000169DC0', pw: '100000' },
      30,
    );
    expect(text).toBe(REFERENCE_PACKETS.setInterval);
  });

  it.each([0, -5, 1.5])('refuses RtdInterval %s', (intervalS) => {
    expect(() => setRealtimeIntervalCommand({ qn: '1', st: '21', mn: 'm', pw: 'p' }, intervalS)).toThrow(RangeError);
  });
});

describe('notification response and set time', () => {
  it.each([
    { flag: 5, want: 4 },
    { flag: 9, want: 8 },
    { flag: 1, want: 0 },
    { flag: 0, want: 0 },
    { flag: 7, want: 4 },
  ])('9013 to Flag=$flag answers Flag=$want (version bits kept, A and D cleared)', ({ flag, want }) => {
    const text = notificationResponse({ ...upload, flag });
    expect(text).toContain(`;ST=91;CN=9013;PW=123456;MN=010000A8900016F000169DC0;Flag=${want};CP=&&&&`);
    expect(text).toContain(`QN=${upload.qn};`);
    frameOk(text);
  });

  it('1012 carries SystemTime (and PolId when given) and asks for an answer', () => {
    const target = { qn: '20240101000000001', st: '21', mn: 'M1', pw: '123456' };
    expect(setTimeCommand(target, '20240101080000', 4)).toContain(';CN=1012;PW=123456;MN=M1;Flag=5;CP=&&SystemTime=20240101080000&&');
    expect(setTimeCommand(target, '20240101080000', 9, 'w01018')).toContain(';Flag=9;CP=&&PolId=w01018;SystemTime=20240101080000&&');
    frameOk(setTimeCommand(target, '20240101080000', 4));
  });
});

describe('1062 in the station\'s protocol version', () => {
  const target = { qn: '20160801085857223', st: '32', mn: '010000A8900016F000169DC0', pw: '100000' };
  it.each([
    { version: undefined, flag: 5 },
    { version: 4, flag: 5 },
    { version: 8, flag: 9 },
    { version: 0, flag: 1 },
  ])('version bits $version: Flag=$flag', ({ version, flag }) => {
    expect(setRealtimeIntervalCommand(target, 30, version)).toContain(`;Flag=${flag};CP=&&RtdInterval=30&&`);
  });
});
