/**
 * Scores the detectors against a deployment's own labels (issue 15 §5,
 * `npm run eval -- --feedback <file>`): per alert kind, detector, parameter,
 * section and month, how many alerts the agencies labelled, how many were
 * real events, false alarms (by cause: rain, sensor, operations, unknown) or
 * tests, the precision real / (real + false) with its Wilson 95 % interval,
 * and the share nobody labelled. Tests count as labelled but are left out of
 * the precision (nobody was meant to act on them). Pure.
 *
 * What feedback cannot give: recall. Only alerts that were raised can be
 * labelled; an event the detectors missed is in no export.
 */
import { FALSE_ALARM_CAUSES, type FalseAlarmCause } from '../alerts/alarms/feedback-model.js';
import type { FeedbackRecord } from './feedback-export.js';

/** The sections' local time (China Standard Time), for the month an alert opened in; as the export's CSV. */
export const MONTH_OFFSET_MIN = 480;

/** z of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** Wilson score interval of `k` successes in `n` trials (Wilson 1927); undefined for n = 0. Pure. */
export function wilsonInterval(k: number, n: number, z = Z95): { readonly low: number; readonly high: number } | undefined {
  if (!(n > 0) || k < 0 || k > n) return undefined;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp the rounding at the ends (k = 0 or k = n give exactly 0 or 1).
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The detector behind an alert, from its condition key (analytics/section-alerts.ts `keys`, and
 * analytics/detectors/upstream.ts), else from its kind: `threshold` (early-warning and exceedance), `sudden-change`,
 * `runoff` (the sudden-change detector's rain pattern, analytics/runoff.ts), `trend`, `upstream`, and the
 * data-quality checks `data-quality/offline|flag|flat|spike|drift` (`data-quality` when only the kind is known).
 */
export function detectorOf(r: Pick<FeedbackRecord, 'kind' | 'key'>): string {
  const prefix = r.key?.split(':')[0];
  if (r.kind === 'runoff') return 'runoff';
  switch (prefix) {
    case 'exceedance':
      return 'threshold';
    case 'trend':
      return 'trend';
    case 'sudden-change':
      return 'sudden-change';
    case 'upstream-arrival':
      return 'upstream';
    case 'dq-offline':
    case 'dq-flag':
    case 'dq-flat':
    case 'dq-spike':
    case 'dq-drift':
      return `data-quality/${prefix.slice(3)}`;
  }
  switch (r.kind) {
    case 'early-warning':
    case 'exceedance':
      return 'threshold';
    case 'upstream-arrival':
      return 'upstream';
    default:
      return r.kind;
  }
}

export interface FeedbackFigures {
  /** Alerts in the group: labelled or not. */
  readonly alerts: number;
  readonly labelled: number;
  readonly realEvents: number;
  readonly falseAlarms: number;
  readonly falseByCause: Readonly<Record<FalseAlarmCause, number>>;
  /** Labelled `test`: counted as labelled, left out of the precision. */
  readonly tests: number;
  readonly unlabelled: number;
  /** real / (real + false); null when neither. */
  readonly precision: number | null;
  /** Wilson 95 % interval of the precision; null when no real or false alarm. */
  readonly precisionLow: number | null;
  readonly precisionHigh: number | null;
  /** unlabelled / alerts; null for an empty group. */
  readonly unlabelledShare: number | null;
}

export interface FeedbackGroup extends FeedbackFigures {
  readonly name: string;
}

export interface FeedbackScore {
  readonly all: FeedbackFigures;
  readonly byKind: readonly FeedbackGroup[];
  readonly byDetector: readonly FeedbackGroup[];
  /** An alert on several parameters (a sudden change) counts once under each. */
  readonly byParameter: readonly FeedbackGroup[];
  readonly bySection: readonly FeedbackGroup[];
  /** Month the alert opened, `YYYY-MM` in the sections' local time (+08:00). */
  readonly byMonth: readonly FeedbackGroup[];
  /** Opening times of the first and last alert, epoch ms; null for an empty file. */
  readonly fromMs: number | null;
  readonly toMs: number | null;
  /** Alerts whose detector came from the kind alone (no condition key: a CSV written before the `key` column). */
  readonly withoutKey: number;
  /** What the file cannot say; printed with the figures. */
  readonly caveats: readonly string[];
}

/** Figures of a set of alerts. Pure. */
export function figuresOf(records: readonly FeedbackRecord[]): FeedbackFigures {
  const falseByCause = Object.fromEntries(FALSE_ALARM_CAUSES.map((c) => [c, 0])) as Record<FalseAlarmCause, number>;
  let realEvents = 0;
  let falseAlarms = 0;
  let tests = 0;
  let unlabelled = 0;
  for (const r of records) {
    if (r.label === 'real-event') realEvents++;
    else if (r.label === 'test') tests++;
    else if (r.label === 'false-alarm') {
      falseAlarms++;
      falseByCause[r.cause ?? 'unknown']++;
    } else unlabelled++;
  }
  const judged = realEvents + falseAlarms;
  const ci = wilsonInterval(realEvents, judged);
  return {
    alerts: records.length,
    labelled: records.length - unlabelled,
    realEvents,
    falseAlarms,
    falseByCause,
    tests,
    unlabelled,
    precision: judged > 0 ? realEvents / judged : null,
    precisionLow: ci ? ci.low : null,
    precisionHigh: ci ? ci.high : null,
    unlabelledShare: records.length > 0 ? unlabelled / records.length : null,
  };
}

function groupBy(records: readonly FeedbackRecord[], keysOf: (r: FeedbackRecord) => readonly string[]): FeedbackGroup[] {
  const groups = new Map<string, FeedbackRecord[]>();
  for (const r of records)
    for (const k of new Set(keysOf(r))) {
      const list = groups.get(k);
      if (list) list.push(r);
      else groups.set(k, [r]);
    }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, rs]) => ({ name, ...figuresOf(rs) }));
}

/** `YYYY-MM` of an epoch-ms time at a UTC offset. */
export function monthOf(ms: number, offsetMin = MONTH_OFFSET_MIN): string {
  return new Date(ms + offsetMin * 60_000).toISOString().slice(0, 7);
}

/** Scores the records of one export. Pure. */
export function scoreFeedback(records: readonly FeedbackRecord[]): FeedbackScore {
  const all = figuresOf(records);
  const withoutKey = records.filter((r) => r.key === undefined).length;
  const caveats = [
    'Recall (how many real events the detectors caught) cannot be computed from feedback: only raised alerts can be ' +
      'labelled, and an event the detectors missed is in no export. For recall, compare with events known from elsewhere ' +
      '(lab samples, incident reports), or see the labelled data sets of `npm run eval` (GECCO, simulated river).',
  ];
  if (records.length > 0 && all.unlabelled === 0)
    caveats.push(
      'No unlabelled alert in the file: either every alert was labelled, or the export left them out (it holds only ' +
        'labelled alerts unless asked with `unlabelled=true`), so the unlabelled share says nothing here.',
    );
  if (all.unlabelled > 0)
    caveats.push(
      'Precision is over the labelled alerts only: if agencies label false alarms more (or less) readily than real ' +
        'events, it is biased; the unlabelled share says how much is unknown.',
    );
  if (withoutKey > 0)
    caveats.push(
      `${withoutKey} alert(s) without a condition key (a CSV written before the \`key\` column): their detector comes ` +
        'from the kind, so the data-quality checks are not told apart.',
    );
  // A loop, not Math.min(...): an export of years may hold more alerts than a call takes arguments.
  let fromMs: number | null = null;
  let toMs: number | null = null;
  for (const r of records) {
    if (fromMs === null || r.openedAt < fromMs) fromMs = r.openedAt;
    if (toMs === null || r.openedAt > toMs) toMs = r.openedAt;
  }
  return {
    all,
    byKind: groupBy(records, (r) => [r.kind]),
    byDetector: groupBy(records, (r) => [detectorOf(r)]),
    byParameter: groupBy(records, (r) => (r.parameters.length > 0 ? r.parameters : ['(none)'])),
    bySection: groupBy(records, (r) => [r.sectionId]),
    byMonth: groupBy(records, (r) => [monthOf(r.openedAt)]),
    fromMs,
    toMs,
    withoutKey,
    caveats,
  };
}

const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(0)}%`);

/** Columns of the printed tables after the name: title and the cell of a group's figures. */
const COLUMNS: readonly [string, (f: FeedbackFigures) => string][] = [
  ['alerts', (f) => String(f.alerts)],
  ['labelled', (f) => String(f.labelled)],
  ['real', (f) => String(f.realEvents)],
  ['false', (f) => String(f.falseAlarms)],
  ...FALSE_ALARM_CAUSES.map((c): [string, (f: FeedbackFigures) => string] => [c, (f) => String(f.falseByCause[c])]),
  ['tests', (f) => String(f.tests)],
  ['precision', (f) => pct(f.precision)],
  [
    '95% CI',
    (f) => (f.precisionLow === null || f.precisionHigh === null ? '' : `${pct(f.precisionLow)}–${pct(f.precisionHigh)}`),
  ],
  ['unlabelled', (f) => pct(f.unlabelledShare)],
];
const cellWidth = (title: string): number => Math.max(title.length, title === '95% CI' ? 9 : 7) + 2;

function row(name: string, f: FeedbackFigures, width: number): string {
  return `  ${name.padEnd(width)}${COLUMNS.map(([title, cell]) => cell(f).padStart(cellWidth(title))).join('')}`;
}

function header(title: string, width: number): string {
  return `  ${title.padEnd(width)}${COLUMNS.map(([t]) => t.padStart(cellWidth(t))).join('')}`;
}

/** The printed report: totals, the five breakdowns, and what cannot be computed. Pure. */
export function formatFeedbackScore(score: FeedbackScore, source: string): string[] {
  const day = (ms: number | null) => (ms === null ? '–' : new Date(ms + MONTH_OFFSET_MIN * 60_000).toISOString().slice(0, 10));
  const lines = [
    `Feedback labels: ${source}`,
    `  ${score.all.alerts} alerts opened ${day(score.fromMs)} → ${day(score.toMs)} (+08:00); ${score.all.labelled} labelled, ${score.all.unlabelled} not`,
    '  precision = real / (real + false), tests left out; 95% CI = Wilson score interval; false alarms by cause',
  ];
  const groups: [string, readonly FeedbackGroup[]][] = [
    ['kind', score.byKind],
    ['detector', score.byDetector],
    ['parameter', score.byParameter],
    ['section', score.bySection],
    ['month', score.byMonth],
  ];
  const width = Math.max(12, ...groups.flatMap(([title, gs]) => [title.length, ...gs.map((g) => g.name.length)])) + 2;
  lines.push('', header('', width), row('all', score.all, width));
  for (const [title, gs] of groups) {
    lines.push('', header(`by ${title}`, width));
    for (const g of gs) lines.push(row(g.name, g, width));
  }
  lines.push('', 'What these labels cannot say:');
  for (const c of score.caveats) lines.push(...wrap(c, 100).map((l, i) => `${i === 0 ? '  - ' : '    '}${l}`));
  return lines;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets its own line). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}
