/**
 * The HJ 212 packets of /work/shared/reference/domain-facts.md §3.3, verbatim (length and CRC
 * verified there). Shared by the unit and integration tests.
 */
export const REFERENCE_PACKETS = {
  /** 1. Standard's example: set real-time interval (CN 1062), Flag=5. */
  setInterval:
    '##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n',
  /** 2. Surface-water real-time data (CN 2011), Flag=8, lower-case CRC; w01008 and w23002 are not canonical. */
  realtime2011:
    '##0435QN=20210301111100112;ST=21;CN=2011;PW=123456;MN=ZLDSZ20210127;Flag=8;CP=&&DataTime=20210301111100;w01001-Rtd=8.33,w01001-Flag=N;w01009-Rtd=10.15,w01009-Flag=N;w01010-Rtd=9.7,w01010-Flag=N;w01014-Rtd=1425,w01014-Flag=N;w01003-Rtd=13.10,w01003-Flag=N;w21011-Rtd=0,w21011-Flag=N;w21001-Rtd=3.563168,w21001-Flag=N;w21003-Rtd=0.09055002,w21003-Flag=N;w01019-Rtd=4.102818,w01019-Flag=N;w01008-Rtd=0,w01008-Flag=N;w23002-Rtd=0,w23002-Flag=N&&7d00\r\n',
  /** 3. Data acknowledgement (CN 9014), Flag=4. */
  dataAck: '##0087QN=20160801085000001;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&C241\r\n',
  /** 4. Synthetic hourly surface-water data (CN 2061), Flag=5. */
  hourly2061:
    '##0372QN=20240315090005123;ST=21;CN=2061;PW=123456;MN=ZJ330100SW0001;Flag=5;CP=&&DataTime=20240315080000;w01010-Avg=12.6,w01010-Flag=N;w01001-Avg=7.62,w01001-Flag=N;w01009-Avg=8.91,w01009-Flag=N;w01014-Avg=412.5,w01014-Flag=N;w01003-Avg=18.3,w01003-Flag=N;w01019-Avg=3.4,w01019-Flag=N;w21003-Avg=0.512,w21003-Flag=N;w21011-Avg=0.118,w21011-Flag=N;w21001-Avg=2.35,w21001-Flag=N&&D701\r\n',
  /** Third-party acks that verify (§3.3), written without the trailer there; `\r\n` added. */
  thirdPartyAckQnRtn: '##0078QN=20201008154743635;ST=91;CN=9014;PW=123456;MN=SD000001;Flag=9;CP=&&QnRtn=1&&71c0\r\n',
  thirdPartyAck2025: '##0075QN=20260706103512345;ST=91;CN=9014;PW=123456;MN=A110000_0001;Flag=8;CP=&&&&0140\r\n',
} as const;

/** The data segment of a framed packet (between the length and the CRC). */
export function dataSegmentOf(packet: string): string {
  return packet.slice(6, packet.length - 6);
}
