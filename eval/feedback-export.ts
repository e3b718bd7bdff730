/**
 * Reads the feedback export of the API (`GET /api/v1/feedback`, issue 15 §5)
 * for `npm run eval -- --feedback <file>`: the JSON (`{ items }`) or the CSV
 * (`format=csv`), into one record per alert with its latest label. Pure: the
 * caller reads the file.
 *
 * What the scoring needs of an alert: its kind and condition key (which
 * detector raised it: the key, `exceedance:…`, `dq-flat:…`, says it where the
 * kind does not), section, station, parameters, opening time, and the label
 * (none when the export was asked with `unlabelled=true` and nobody labelled it).
 */
import {
  FALSE_ALARM_CAUSES,
  FEEDBACK_LABELS,
  type FalseAlarmCause,
  type FeedbackLabel,
} from '../alerts/alarms/feedback-model.js';

export interface FeedbackRecord {
  readonly alertId: string;
  /** The condition key; absent in a CSV written before the `key` column. */
  readonly key: string | undefined;
  readonly kind: string;
  readonly sectionId: string;
  readonly stationId: string | undefined;
  readonly parameters: readonly string[];
  /** Epoch ms. */
  readonly openedAt: number;
  readonly label: FeedbackLabel | undefined;
  /** Only for a false alarm. */
  readonly cause: FalseAlarmCause | undefined;
}

export interface ParsedExport {
  readonly format: 'json' | 'csv';
  readonly records: FeedbackRecord[];
  /** Rows that could not be read (the rest are scored). */
  readonly problems: string[];
}

/** Reads a JSON or CSV export (told apart by its first character). */
export function parseFeedbackExport(text: string): ParsedExport {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  return body.startsWith('{') || body.startsWith('[') ? parseJson(body) : parseCsv(body);
}

const isLabel = (x: unknown): x is FeedbackLabel => (FEEDBACK_LABELS as readonly unknown[]).includes(x);
const isCause = (x: unknown): x is FalseAlarmCause => (FALSE_ALARM_CAUSES as readonly unknown[]).includes(x);

function record(
  where: string,
  f: {
    alertId: unknown;
    key: unknown;
    kind: unknown;
    sectionId: unknown;
    stationId: unknown;
    parameters: unknown;
    openedAt: unknown;
    label: unknown;
    cause: unknown;
  },
  problems: string[],
): FeedbackRecord | undefined {
  const text = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
  const alertId = text(f.alertId);
  const kind = text(f.kind);
  const sectionId = text(f.sectionId);
  const openedAt = typeof f.openedAt === 'number' ? f.openedAt : Date.parse(text(f.openedAt) ?? '');
  const missing = [
    alertId ? '' : 'alert id',
    kind ? '' : 'kind',
    sectionId ? '' : 'section',
    Number.isFinite(openedAt) ? '' : 'opening time',
  ].filter(Boolean);
  if (missing.length > 0) {
    problems.push(`${where}: no ${missing.join(', ')}`);
    return undefined;
  }
  const label = text(f.label);
  if (label !== undefined && !isLabel(label)) {
    problems.push(`${where}: label ${label} is not one of ${FEEDBACK_LABELS.join(', ')}`);
    return undefined;
  }
  const cause = text(f.cause);
  if (cause !== undefined && !isCause(cause)) {
    problems.push(`${where}: cause ${cause} is not one of ${FALSE_ALARM_CAUSES.join(', ')}`);
    return undefined;
  }
  const parameters = Array.isArray(f.parameters)
    ? f.parameters.filter((p): p is string => typeof p === 'string')
    : (text(f.parameters) ?? '').split(' ').filter(Boolean);
  return {
    alertId: alertId as string,
    key: text(f.key),
    kind: kind as string,
    sectionId: sectionId as string,
    stationId: text(f.stationId),
    parameters,
    openedAt,
    label,
    // The store gives every false alarm a cause (`unknown` when none was said); an older file may not.
    cause: label === 'false-alarm' ? (cause ?? 'unknown') : undefined,
  };
}

function parseJson(body: string): ParsedExport {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { format: 'json', records: [], problems: [`not JSON: ${(err as Error).message}`] };
  }
  const items = Array.isArray(doc) ? doc : (doc as { items?: unknown } | null)?.items;
  if (!Array.isArray(items))
    return { format: 'json', records: [], problems: ['no `items` array: is this the export of GET /api/v1/feedback?'] };
  const records: FeedbackRecord[] = [];
  items.forEach((raw, i) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const feedback = (item.feedback ?? {}) as Record<string, unknown>;
    const r = record(
      `item ${i}`,
      {
        alertId: item.alertId,
        key: item.key,
        kind: item.kind,
        sectionId: item.sectionId,
        stationId: item.stationId,
        parameters: item.parameters,
        openedAt: item.openedAt,
        label: feedback.label,
        cause: feedback.cause,
      },
      problems,
    );
    if (r) records.push(r);
  });
  return { format: 'json', records, problems };
}

/** RFC 4180 rows: quoted fields may hold commas, quotes (doubled) and line breaks. */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Undoes the export's guard against spreadsheet formulas (api/reports/csv.ts `csvField`: a leading `'`). */
const unguard = (v: string | undefined): string | undefined => (v !== undefined && /^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

function parseCsv(body: string): ParsedExport {
  const [header, ...rows] = csvRows(body);
  const problems: string[] = [];
  if (!header) return { format: 'csv', records: [], problems: ['empty file'] };
  const col = new Map(header.map((h, i) => [h.trim(), i]));
  const needed = ['alert_id', 'section', 'kind', 'opened_at', 'label'];
  const absent = needed.filter((h) => !col.has(h));
  if (absent.length > 0)
    return { format: 'csv', records: [], problems: [`no column ${absent.join(', ')}: is this the CSV of GET /api/v1/feedback?`] };
  const get = (row: string[], name: string): string | undefined => {
    const i = col.get(name);
    return i === undefined ? undefined : unguard(row[i]);
  };
  const records: FeedbackRecord[] = [];
  rows.forEach((row, i) => {
    const r = record(
      `row ${i + 2}`,
      {
        alertId: get(row, 'alert_id'),
        key: get(row, 'key'),
        kind: get(row, 'kind'),
        sectionId: get(row, 'section'),
        stationId: get(row, 'station'),
        parameters: get(row, 'parameters'),
        openedAt: get(row, 'opened_at'),
        label: get(row, 'label'),
        cause: get(row, 'cause'),
      },
      problems,
    );
    if (r) records.push(r);
  });
  return { format: 'csv', records, problems };
}
