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
}

export interface DataMappingContext {
  readonly cn: string;
  readonly stationId: string;
  readonly parameters: ParameterTable;
  /** Offset of the station's local time (DataTime has none). @defaultValue 480 (UTC+8) */
  readonly timezoneOffsetMinutes: number;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ITEM_KEY = /^([A-Za-z][A-Za-z0-9]*)-([A-Za-z]+)$/;

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
  const drafts: Draft[] = [];
  let droppedItems = 0;
  if (suffix === undefined) {
    return {
      readings: [],
      unknownCodes: [],
      problems: [{ code: 'RW_INVALID_PAYLOAD', message: `CN ${ctx.cn} is not a data upload` }],
      droppedItems,
    };
  }
  let current: Draft | undefined;
  let sawDataTime = false;
  for (const group of groups) {
    for (const item of group) {
      if (item.key === 'DataTime') {
        sawDataTime = true;
        const ts = parseLocalTime(item.value, ctx.timezoneOffsetMinutes);
        if (ts === undefined) {
          problems.push({ code: 'RW_TS_INVALID', message: `DataTime "${item.value.slice(0, 20)}" is not yyyyMMddHHmmss` });
          current = undefined;
        } else {
          // The parts of a split message each repeat DataTime: one instant is one reading.
          current = drafts.find((d) => d.ts === ts);
          if (!current) {
            current = { ts, values: {}, flags: {} };
            drafts.push(current);
          }
        }
        continue;
      }
      const match = ITEM_KEY.exec(item.key);
      if (!match) {
        problems.push({ code: 'RW_INVALID_PAYLOAD', message: `CP item "${item.key.slice(0, 32)}" is not code-Suffix` });
        continue;
      }
      const code = match[1] as string;
      const itemSuffix = match[2] as string;
      const spec = ctx.parameters.byHj212Code(code);
      if (!spec) {
        unknown.add(code);
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
      if (unknown.size === 0)
        problems.push({ code: 'RW_NO_VALUES', message: `DataTime group carries no -${suffix} value of a known parameter` });
      continue;
    }
    readings.push({ stationId: ctx.stationId, ts: draft.ts, values: draft.values, flags: draft.flags });
  }
  if (!sawDataTime && problems.length === 0) problems.push({ code: 'RW_TS_INVALID', message: 'data upload without DataTime' });
  return { readings, unknownCodes: [...unknown], problems, droppedItems };
}
