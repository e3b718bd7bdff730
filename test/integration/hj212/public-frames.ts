/**
 * Frames from public HJ 212 implementations, verbatim (each checked: length and CRC valid), with what
 * RiverWatch must do with each. Sources:
 *  - L: liruoyu2008/HJ212Interpreter, README.md (HJ 212-2017 frames of a C# parser's examples).
 *  - X: xiaoyao9184/hj-t212-parser, hj-t212-parser/src/test/java/com/xy/format/hbt212/core/T212MapperTest.java
 *    and hj-h212-parser/src/test/resources/AllData/2016-08-24 00.h212 (a real receive log of HJ/T 212-2005
 *    loggers: no QN, numeric pollutant codes, 8013/9015 heartbeats, 2072 alarms).
 *  - A: chenqi92/alltobs-hj212, README.md (HJ 212-2017 surface-water real-time upload, Flag=8);
 *    also domain-facts.md §3.3 example 2.
 * Their dates are years old, so ingest refuses their readings as too old (RW_TS_TOO_OLD, dead-lettered
 * with the reason) and the loggers' clocks (QN) look off: RiverWatch sets them (1012), once per station;
 * those 1012s are checked apart from the answers below.
 */
import type { DiagnosticKind } from '../../../domain/station-diagnostics.js';

export interface PublicFrame {
  readonly source: 'L' | 'X' | 'A';
  readonly frame: string;
  /** CNs answered (1012 clock settings aside). */
  readonly answers: readonly string[];
  /** Dead-letter codes it leaves (sorted). */
  readonly deadLetters: readonly string[];
  readonly diagnostic?: DiagnosticKind;
}

export const PUBLIC_FRAMES: readonly PublicFrame[] = [
  // L: real-time upload (ST=22 air, w01008 is no water code RiverWatch knows): answered, code dead-lettered.
  { source: 'L', frame: '##0162QN=20231008123340461;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008123340;w01008-SampleTime=20231008123340,w01008-Rtd=123.456&&F441', answers: ['9014'], deadLetters: ['RW_HJ212_UNKNOWN_CODE'] },
  // L: a 9011 (the README builds it as the platform's answer): a logger sending it gets nothing back.
  { source: 'L', frame: '##0094QN=20231008125115215;ST=22;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&CC01', answers: [], deadLetters: [] },
  // L: logger restart time (2081): answered and kept.
  { source: 'L', frame: '##0137QN=20231008130452757;ST=22;CN=2081;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008130452;RestartTime=20231007130452&&3AC0', answers: ['9014'], deadLetters: [], diagnostic: 'restart' },
  { source: 'L', frame: '##0162QN=20231008132300648;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008132300;w01008-SampleTime=20231008132300,w01008-Rtd=123.456&&2800', answers: ['9014'], deadLetters: ['RW_HJ212_UNKNOWN_CODE'] },
  // X: HJ/T 212-2005, no QN, no Flag: 060 (NH3-N) is read through Table B.1, 011 (COD) and B01 (flow) are known, untracked.
  { source: 'X', frame: '##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980', answers: [], deadLetters: ['RW_TS_TOO_OLD'] },
  { source: 'X', frame: '##0073ST=32;CN=8013;PW=123456;MN=ZG130182201205;Flag=0;CP=&&HeartbeatTime=120&&0500', answers: [], deadLetters: [] },
  { source: 'X', frame: '##0121ST=32;CN=2011;PW=123456;MN=LD130104000268;CP=&&DataTime=20160823235500;B01-Rtd=4.70,B01-Flag=N;011-Rtd=59.00,011-Flag=N&&B381', answers: [], deadLetters: [] },
  { source: 'X', frame: '##0149ST=32;CN=2011;PW=123456;MN=LD130102000172;CP=&&DataTime=20160823235600;B01-Rtd=12.359,B01-Flag=N;011-Rtd=39.694,011-Flag=N;060-Rtd=2.680,060-Flag=D&&F001', answers: [], deadLetters: ['RW_TS_TOO_OLD'] },
  { source: 'X', frame: '##0144ST=32;CN=2021;PW=123456;MN=ZG130102201215;CP=&&DataTime=20160823235130;SB1-RS=0;SB2-RS=0;SB3-RS=0;SB4-RS=0;SB5-RS=0;SB6-RS=0;SB7-RS=0;SB8-RS=0&&0A00', answers: [], deadLetters: [], diagnostic: 'running-status' },
  { source: 'X', frame: '##0091ST=91;CN=9015;PW=123456;MN=LD130130000155;Flag=0;CP=&&DataTime=20160823234442000;CON-RT=0&&B401', answers: [], deadLetters: [] },
  { source: 'X', frame: '##0247ST=32;CN=2051;PW=123456;MN=LD130103000388;CP=&&DataTime=20160823235000000;011-Cou=77.0,011-Min=22.22,011-Avg=22.22,011-Max=22.22;060-Cou=1.532,060-Min=0.44,060-Avg=0.44,060-Max=0.44;B01-Cou=3468.78,B01-Min=5758.62,B01-Avg=5781.30,B01-Max=5807.56&&5280', answers: [], deadLetters: ['RW_TS_TOO_OLD'] },
  // X: 2005 alarm (2072) asking for an answer (Flag=1): kept, answered 9014 in kind (Flag=0).
  { source: 'X', frame: '##0127QN=20160823235559979;ST=32;CN=2072;PW=123456;MN=ZG130182201401;Flag=1;CP=&&AlarmTime=20160823235559;B01-Ala=16.00,AlarmType=1&&5D80', answers: ['9014'], deadLetters: [], diagnostic: 'alarm' },
  { source: 'X', frame: '##0121ST=32;CN=2011;PW=123456;MN=LD130182000295;CP=&&DataTime=20160823235500;B01-Rtd=4.54,B01-Flag=T;011-Rtd=52.00,011-Flag=N&&C241', answers: [], deadLetters: [] },
  // X: 023 (total chromium) is no code RiverWatch knows: dead-lettered as such, beside the too-old NH3-N.
  { source: 'X', frame: '##0293ST=32;CN=2051;PW=123456;MN=ZG130123000482;CP=&&DataTime=20160823234000;B01-Min=923.70,B01-Avg=974.18,B01-Max=1054.80,B01-Cou=584.51;011-Min=27.20,011-Avg=27.20,011-Max=27.20,011-Cou=15.90;060-Min=0.26,060-Avg=0.26,060-Max=0.26,060-Cou=0.15;023-Min=0.00,023-Avg=0.00,023-Max=0.00,023-Cou=0.00&&F501', answers: [], deadLetters: ['RW_HJ212_UNKNOWN_CODE', 'RW_TS_TOO_OLD'] },
  // X: a flue-gas (ST=31) logger's air codes: none is a water parameter.
  { source: 'X', frame: '##0357ST=31;CN=2011;PW=123456;MN=LD130102000027;CP=&&DataTime=20160823234241000;S02-Rtd=12.36,S02-Flag=N;S08-Rtd=20.797541,S08-Flag=N;S03-Rtd=54.0,S03-Flag=N;S05-Rtd=12.3,S05-Flag=N;B02-Rtd=244.23;02-Rtd=5.46,02-Flag=N;02-ZsRtd=5.55,02-Flag=N;03-Rtd=34.213,03-Flag=N;03-ZsRtd=34.784,03-Flag=N;S01-Rtd=6.2,S01-Flag=N;01-Rtd=3.35,01-Flag=N;01-ZsRtd=3.41,01-Flag=N&&8C41', answers: [], deadLetters: ['RW_HJ212_UNKNOWN_CODE'] },
  // A: surface-water real-time data, Flag=8 (2025 version bits, no answer asked).
  { source: 'A', frame: '##0435QN=20210301111100112;ST=21;CN=2011;PW=123456;MN=ZLDSZ20210127;Flag=8;CP=&&DataTime=20210301111100;w01001-Rtd=8.33,w01001-Flag=N;w01009-Rtd=10.15,w01009-Flag=N;w01010-Rtd=9.7,w01010-Flag=N;w01014-Rtd=1425,w01014-Flag=N;w01003-Rtd=13.10,w01003-Flag=N;w21011-Rtd=0,w21011-Flag=N;w21001-Rtd=3.563168,w21001-Flag=N;w21003-Rtd=0.09055002,w21003-Flag=N;w01019-Rtd=4.102818,w01019-Flag=N;w01008-Rtd=0,w01008-Flag=N;w23002-Rtd=0,w23002-Flag=N&&7d00', answers: [], deadLetters: ['RW_HJ212_UNKNOWN_CODE', 'RW_TS_TOO_OLD'] },
];

/** The MN and PW of a frame. */
export function identityOf(frame: string): { mn: string; pw: string } {
  return { mn: /;MN=([^;]+);/.exec(frame)?.[1] as string, pw: /;PW=([^;]*);/.exec(frame)?.[1] as string };
}
