/**
 * Maps HJ 212 pollutant data uploads (CN 2011 real-time, 2051 minute, 2061 hourly, 2031 daily) to
 * reading payloads in the JSON reading shape (DESIGN.md "Readings over MQTT"), so they enter the
 * same validation as MQTT and HTTP readings.
 *
 * A reading carries one value per parameter: `-Rtd` for real-time data, `-Avg` for minute, hourly and
 * daily data. `-Min`, `-Max`, `-Cou` and other items (`-EFlag`, `-SampleTime`, `Zs…`) are not carried;
 * they are counted in `droppedItems` (HJ 212 §3.1 item suffixes). Unknown pollutant codes are reported,
 * never guessed (§3.6 caution on mislabelled codes).
 */
import type { ErrorCode } from '../../domain/errors.js';
import type { ParameterTable } from '../../domain/parameters.js';
import type { ReadingPayload } from '../../domain/ports.js';
import { parseLocalTime } from './local-time.js';
import type { CpGroups } from './packet.js';
import { resolvePollutantCode, UNTRACKED_WATER_CODES } from './pollutant-codes.js';

/** The value item each data CN carries into a reading. */
export const DATA_UPLOAD_CNS: Readonly<Record<string, 'Rtd' | 'Avg'>> = {
  '2011': 'Rtd',
  '2051': 'Avg',
  '2061': 'Avg',
  '2031': 'Avg',
};

/** Whether a CN is a pollutant data upload this module maps. */
export function isDataUpload(cn: string): boolean {
  return DATA_UPLOAD_CNS[cn] !== undefined;
}

/** Something in the CP that could not become part of a reading. */
export interface DataProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface DataUploadMapping {
  /** One reading per distinct `DataTime` that carried at least one value of a known parameter. */
  readonly readings: ReadingPayload[];
  /** Pollutant codes with no parameter (each once). */
  readonly unknownCodes: string[];
  /** Everything else refused: bad DataTime, non-numeric value, item outside a DataTime group. */
  readonly problems: DataProblem[];
  /** Items deliberately not carried (Min/Max/Cou, other suffixes). */
  readonly droppedItems: number;
  /** Recognised HJ 212-2017 codes RiverWatch does not track (COD, flow, ...), each once. */
  readonly untrackedCodes: string[];
}

export interface DataMappingContext {
  readonly cn: string;
  readonly stationId: string;
  readonly parameters: ParameterTable;
  /** Offset of the station's local time (DataTime has none). @defaultValue 480 (UTC+8) */
  readonly timezoneOffsetMinutes: number;
  /** The station's own code table (registry `hj212.codes`), over the built-in 2005 table. */
  readonly stationCodes?: Readonly<Record<string, string>> | undefined;
  /**
   * DataTime of the earlier parts of a split message: a later part may carry only pollutant items
   * (HJ 212-2017 C.49/C.50 split uploads); they belong to this time.
   */
  readonly inheritedDataTime?: string | undefined;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// Code: letters and digits; HJ/T 212-2005 codes may be all digits (`011-Rtd`).
const ITEM_KEY = /^([A-Za-z0-9]+)-([A-Za-z]+)$/;

interface Draft {
  ts: number;
  values: Record<string, number>;
  flags: Record<string, string>;
}

/** Maps the CP groups of a data upload to reading payloads. Pure. */
export function mapDataUpload(groups: CpGroups, ctx: DataMappingContext): DataUploadMapping {
  const suffix = DATA_UPLOAD_CNS[ctx.cn];
  const problems: DataProblem[] = [];
  const unknown = new Set<string>();
  const untracked = new Set<string>();
  const drafts: Draft[] = [];
  let droppedItems = 0;
  if (suffix === undefined) {
    return {
      readings: [],
      unknownCodes: [],
      problems: [{ code: 'RW_INVALID_PAYLOAD', message: `CN ${ctx.cn} is not a data upload` }],
      droppedItems,
      untrackedCodes: [],
    };
  }
  let current: Draft | undefined;
  let sawDataTime = false;
  const startAt = (text: string): void => {
    sawDataTime = true;
    // 2005 loggers write DataTime with milliseconds (yyyyMMddHHmmsszzz): accepted.
    const ts = parseLocalTime(text, ctx.timezoneOffsetMinutes);
    if (ts === undefined) {
      problems.push({ code: 'RW_TS_INVALID', message: `DataTime "${text.slice(0, 20)}" is not yyyyMMddHHmmss` });
      current = undefined;
      return;
    }
    // The parts of a split message each repeat DataTime: one instant is one reading.
    current = drafts.find((d) => d.ts === ts);
    if (!current) {
      current = { ts, values: {}, flags: {} };
      drafts.push(current);
    }
  };
  const firstKey = groups[0]?.[0]?.key;
  if (ctx.inheritedDataTime !== undefined && firstKey !== 'DataTime') startAt(ctx.inheritedDataTime);
  for (const group of groups) {
    for (const item of group) {
      if (item.key === 'DataTime') {
        startAt(item.value);
        continue;
      }
      const match = ITEM_KEY.exec(item.key);
      if (!match) {
        problems.push({ code: 'RW_INVALID_PAYLOAD', message: `CP item "${item.key.slice(0, 32)}" is not code-Suffix` });
        continue;
      }
      const sent = match[1] as string;
      const itemSuffix = match[2] as string;
      const code = resolvePollutantCode(sent, ctx.stationCodes);
      const spec = ctx.parameters.byHj212Code(code);
      if (!spec) {
        if (UNTRACKED_WATER_CODES.has(code)) {
          untracked.add(code);
          droppedItems++;
        } else unknown.add(sent);
        continue;
      }
      if (!current) {
        // Items after a refused DataTime are covered by that problem; only report a missing DataTime.
        if (!sawDataTime) problems.push({ code: 'RW_TS_INVALID', message: `${item.key} comes before any DataTime` });
        continue;
      }
      if (itemSuffix === suffix) {
        if (NUMBER.test(item.value)) current.values[spec.key] = Number(item.value);
        else problems.push({ code: 'RW_NOT_FINITE', message: `${item.key}="${item.value.slice(0, 20)}" is not a number` });
      } else if (itemSuffix === 'Flag') {
        current.flags[spec.key] = item.value;
      } else {
        droppedItems++;
      }
    }
  }
  const readings: ReadingPayload[] = [];
  for (const draft of drafts) {
    // A flag without its value says nothing about the water; do not send it on its own.
    for (const key of Object.keys(draft.flags)) {
      if (!(key in draft.values)) {
        delete draft.flags[key];
        droppedItems++;
      }
    }
    if (Object.keys(draft.values).length === 0) {
      if (unknown.size === 0 && untracked.size === 0)
        problems.push({ code: 'RW_NO_VALUES', message: `DataTime group carries no -${suffix} value of a known parameter` });
      continue;
    }
    readings.push({ stationId: ctx.stationId, ts: draft.ts, values: draft.values, flags: draft.flags });
  }
  if (!sawDataTime && problems.length === 0) problems.push({ code: 'RW_TS_INVALID', message: 'data upload without DataTime' });
  return { readings, unknownCodes: [...unknown], problems, droppedItems, untrackedCodes: [...untracked] };
}
