/** HJ 212: the codec and the protocol rules (framer, packets, CRC, data mapping, responses). The TCP server is platform/hj212/. */
export type { Hj212CommandResult } from './commands.js';
export { hj212Crc, formatCrc, parseCrc } from './crc.js';
export { Hj212Framer, HJ212_MAX_DATA_BYTES, HJ212_LENIENT_MAX_DATA_BYTES, type FrameEvent, type FrameErrorReason } from './framer.js';
export {
  parsePacket,
  parseCp,
  formatCp,
  buildPacket,
  buildDataSegment,
  frameDataSegment,
  maskPassword,
  looseEcho,
  wantsAnswer,
  isSplit,
  FLAG_ANSWER,
  FLAG_SPLIT,
  FLAG_VERSION_2017,
  FLAG_VERSION_2025,
  type Hj212Packet,
  type Hj212PacketFields,
  type CpItem,
  type CpGroups,
  type ParseResult,
} from './packet.js';
export {
  mapDataUpload,
  isDataUpload,
  DATA_UPLOAD_CNS,
  type DataUploadMapping,
  type DataProblem,
  type DataMappingContext,
} from './data.js';
export {
  dataResponse,
  requestResponse,
  executionResult,
  notificationResponse,
  setTimeCommand,
  replyFlag,
  setRealtimeIntervalCommand,
  ST_SURFACE_WATER,
  ST_SYSTEM_INTERACTION,
  type RequestEcho,
  type CommandTarget,
} from './responses.js';
export { QN_RTN, EXE_RTN, describeQnRtn, describeExeRtn, type QnRtn, type ExeRtn } from './return-codes.js';
export { Reassembler, lastDataTime, type ReassemblyOptions, type SplitPart } from './reassembly.js';
export { ClockWatch, type ClockWatchOptions } from './clock-watch.js';
export { HJ212_2005_CODES, UNTRACKED_WATER_CODES, resolvePollutantCode } from './pollutant-codes.js';
export { DIAGNOSTIC_CNS } from './station-handlers.js';
export { PeerLimiter, type PeerLimiterOptions } from './peer-limiter.js';
export { QnGenerator } from './qn.js';
export { formatLocalTime, parseLocalTime, CHINA_OFFSET_MINUTES } from './local-time.js';
