/**
 * Loader for the GECCO 2018 Industrial Challenge water-quality file
 * (../shared/data/gecco2018/README.md): one row per minute, a row number, a
 * `Time` column, one column per signal (`NA` for a gap) and the `EVENT` label.
 * `Time` is local time at the German supplier; the file spans August and
 * September 2016, all in CEST, so it is read as UTC+02:00.
 */
import { readFileSync } from 'node:fs';

/** One row of a replayed stream. */
export interface StreamRow {
  readonly ts: number;
  readonly values: Record<string, number | undefined>;
}

/** A labelled stream: `labels[i]` is true when `rows[i]` belongs to a marked event. */
export interface LabelledStream {
  readonly rows: StreamRow[];
  readonly labels: boolean[];
}

/** Which CSV column feeds which parameter key. */
export interface ColumnMapping {
  readonly key: string;
  readonly column: string;
}

const LOCAL_OFFSET = '+02:00';

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Parses the CSV text; throws on a missing column or an unreadable time (the file is trusted evaluation data). */
export function parseGeccoCsv(text: string, mapping: readonly ColumnMapping[]): LabelledStream {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const header = (lines[0] ?? '').split(',').map(unquote);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`GECCO file has no column ${name} (columns: ${header.join(', ')})`);
    return i;
  };
  const timeCol = col('Time');
  const eventCol = col('EVENT');
  const cols = mapping.map((m) => ({ key: m.key, i: col(m.column) }));
  const rows: StreamRow[] = [];
  const labels: boolean[] = [];
  for (let n = 1; n < lines.length; n++) {
    const cells = (lines[n] as string).split(',');
    const time = unquote(cells[timeCol] ?? '');
    const ts = Date.parse(`${time.replace(' ', 'T')}${LOCAL_OFFSET}`);
    if (!Number.isFinite(ts)) throw new Error(`GECCO file line ${n + 1}: unreadable time "${time}"`);
    const values: Record<string, number | undefined> = {};
    for (const c of cols) {
      const raw = unquote(cells[c.i] ?? '');
      const v = raw === '' || raw === 'NA' ? Number.NaN : Number(raw);
      values[c.key] = Number.isFinite(v) ? v : undefined;
    }
    rows.push({ ts, values });
    labels.push(unquote(cells[eventCol] ?? '').toUpperCase() === 'TRUE');
  }
  return { rows, labels };
}

/** Reads and parses a GECCO CSV file. */
export function loadGeccoCsv(path: string, mapping: readonly ColumnMapping[]): LabelledStream {
  return parseGeccoCsv(readFileSync(path, 'utf8'), mapping);
}
