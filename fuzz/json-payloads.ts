/**
 * Malformed reading payloads shared by the MQTT and HTTP channels. Every
 * generated payload is bad by construction (at least one reading or value
 * must be refused) and carries the input's marker near its start, so the
 * dead letter holding its raw text can be found again (MQTT) even when the
 * payload is not JSON or not UTF-8.
 */
import type { Station } from '../domain/index.js';
import type { Prng } from './prng.js';

/** Everything a payload generator needs to know about the target. */
export interface PayloadContext {
  /** The station whose topic (MQTT) or token (HTTP) carries the payload. */
  readonly station: Station;
  /** Another registered station (for wrong-topic / forbidden-station cases). */
  readonly otherStation: Station;
  /** Unique marker of this input, e.g. `~FZ00001234~`. */
  readonly marker: string;
  /** A well-formed timestamp inside the "bad inputs" window (never the valid-readings window). */
  readonly badTs: number;
  readonly now: number;
  /** The ingress's payload limit; `oversize` goes past it. */
  readonly maxPayloadBytes: number;
  readonly maxBatch: number;
}

export interface BadPayload {
  readonly kind: PayloadKind;
  readonly body: Buffer;
}

/** Relative frequency of each kind (oversize and deep values are rare: they are large or slow). */
export const PAYLOAD_KIND_WEIGHTS = {
  'invalid-utf8': 6,
  'truncated-json': 8,
  'not-an-object': 4,
  'deep-json-value': 0.5,
  'deep-json-structure': 2,
  'proto-pollution': 6,
  'proto-keys-in-flags': 1,
  'wrong-types': 14,
  'nan-text': 5,
  'huge-number': 5,
  'out-of-range': 5,
  'huge-array': 1,
  'bad-batch-items': 2,
  'huge-field': 1,
  oversize: 0.15,
  'control-chars': 5,
  'unknown-station': 4,
  'wrong-station': 4,
  'bad-timestamp': 8,
  'unknown-parameter': 5,
  'bad-flag': 4,
  empty: 4,
  'duplicate-keys': 3,
} as const;

export type PayloadKind = keyof typeof PAYLOAD_KIND_WEIGHTS;

/** Plausible values per canonical parameter (valid readings and the valid parts of bad ones). */
export const TYPICAL_VALUES: Readonly<Record<string, number>> = {
  ph: 7.3,
  do: 7.1,
  codmn: 3.2,
  nh3n: 0.31,
  tp: 0.081,
  tn: 1.12,
  temp: 18.2,
  cond: 320,
  turb: 12.5,
};

/** A valid reading object of `station` at `ts` (values from TYPICAL_VALUES, jittered). */
export function validReading(prng: Prng, station: Station, ts: number): { stationId: string; ts: number; values: Record<string, number> } {
  const values: Record<string, number> = {};
  for (const key of station.parameters) {
    const typical = TYPICAL_VALUES[key] ?? 1;
    values[key] = Math.round(typical * (0.9 + prng.float() * 0.2) * 1000) / 1000;
  }
  return { stationId: station.id, ts, values };
}

type Json = string;

const q = (text: string): Json => JSON.stringify(text);

/** A reading as JSON text with the marker first; `fields` replace or add members (raw JSON text). */
function readingJson(ctx: PayloadContext, fields: Record<string, Json> = {}, prng?: Prng): Json {
  const param = ctx.station.parameters[0] ?? 'ph';
  const base: Record<string, Json> = {
    fz: q(ctx.marker),
    stationId: q(ctx.station.id),
    ts: String(ctx.badTs),
    values: `{${q(param)}:${TYPICAL_VALUES[param] ?? 1}}`,
    ...fields,
  };
  const members = Object.entries(base).map(([k, v]) => `${q(k)}:${v}`);
  if (prng?.chance(0.3)) members.splice(1, 0, `"seq":${prng.int(0, 1_000_000)}`);
  return `{${members.join(',')}}`;
}

function measured(ctx: PayloadContext, prng: Prng): string {
  return prng.pick(ctx.station.parameters.length > 0 ? ctx.station.parameters : ['ph']);
}

const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];

const GENERATORS: Record<PayloadKind, (prng: Prng, ctx: PayloadContext) => Buffer | string> = {
  'invalid-utf8': (prng, ctx) => {
    // In the station id: MQTT refuses the bytes, HTTP (which decodes leniently) refuses the unknown station.
    const bad = Buffer.from(prng.pick(INVALID_UTF8));
    const [head, tail] = [`{"fz":${q(ctx.marker)},"stationId":"${ctx.station.id}`, `","ts":${ctx.badTs},"values":{"ph":7}}`];
    return Buffer.concat([Buffer.from(head), bad, Buffer.from(tail)]);
  },
  'truncated-json': (prng, ctx) => {
    const full = readingJson(ctx, {}, prng);
    const from = full.indexOf(ctx.marker) + ctx.marker.length + 1;
    return full.slice(0, prng.int(from, full.length - 2));
  },
  'not-an-object': (prng, ctx) =>
    prng.pick([`[${q(ctx.marker)}]`, q(ctx.marker), `[${readingJson(ctx)}]`, `[${q(ctx.marker)},1,null,true]`, `[[${q(ctx.marker)}]]`]),
  'deep-json-value': (prng, ctx) => {
    // A measured parameter's value nested thousands of levels deep (V8's JSON.stringify recurses).
    const depth = prng.int(5_000, 20_000);
    const open = prng.chance(0.5) ? '['.repeat(depth) : '{"a":'.repeat(depth);
    const close = open.startsWith('[') ? ']'.repeat(depth) : `1${'}'.repeat(depth)}`;
    return readingJson(ctx, { values: `{${q(measured(ctx, prng))}:${open}${close}}` });
  },
  'deep-json-structure': (prng, ctx) => {
    const depth = prng.int(1_000, 50_000);
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    return prng.pick([
      `{"fz":${q(ctx.marker)},"readings":[${nested}]}`,
      readingJson(ctx, { stationId: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` }),
      readingJson(ctx, { values: nested }),
    ]);
  },
  'proto-pollution': (prng, ctx) => {
    const param = measured(ctx, prng);
    return prng.pick([
      `{"fz":${q(ctx.marker)},"__proto__":{"stationId":${q(ctx.station.id)},"ts":${ctx.badTs},"values":{${q(param)}:1},"polluted":true}}`,
      readingJson(ctx, { values: `{"__proto__":{"polluted":1},"constructor":1,${q(param)}:${TYPICAL_VALUES[param] ?? 1}}` }),
      readingJson(ctx, { constructor: '{"prototype":{"polluted":true}}', values: '{"prototype":1,"__proto__":2}' }),
      `{"fz":${q(ctx.marker)},"readings":[{"__proto__":{"polluted":1}}],"__proto__":{"readings":[]}}`,
      readingJson(ctx, { stationId: q(prng.pick(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'prototype'])) }),
      readingJson(ctx, { values: `{${q(prng.pick(['__proto__', 'constructor', 'toString', 'valueOf', '__defineGetter__']))}:1}` }),
    ]);
  },
  'proto-keys-in-flags': (prng, ctx) => {
    // A flag for a parameter that has no value must be refused (RW_UNKNOWN_PARAMETER), whatever its name.
    const key = prng.pick(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']);
    return readingJson(ctx, { flags: `{${q(key)}:"M"}` });
  },
  'wrong-types': (prng, ctx) => {
    const param = measured(ctx, prng);
    const field = prng.pick(['stationId', 'ts', 'seq', 'values', 'value', 'flags', 'flag'] as const);
    const choices: Record<typeof field, string[]> = {
      stationId: ['123', '[]', '{}', 'null', 'true', '""', q('X'.repeat(65)), `[${q(ctx.station.id)}]`],
      ts: ['true', '{}', '[]', '-1', '0', '1.5', '"2026-13-45T99:99:99Z"', '"yesterday"', '""', '1e300', 'null', `"${ctx.badTs}"`],
      seq: ['-1', '1.5', '"10"', '1152921504606846976', 'null', '{}', 'true'],
      values: ['[]', '"ph=7"', 'null', '7', 'true', `[{${q(param)}:7}]`],
      value: ['"7.1"', 'null', 'true', '{}', '[]', '[7]', '"  7 "'],
      flags: ['"M"', '[]', '1', 'null', 'true'],
      flag: ['1', '"X"', '"MM"', '""', 'null', '"n"', '["M"]'],
    };
    const text = prng.pick(choices[field]);
    if (field === 'value') return readingJson(ctx, { values: `{${q(param)}:${text}}` });
    if (field === 'flag') return readingJson(ctx, { values: `{${q(param)}:${TYPICAL_VALUES[param] ?? 1}}`, flags: `{${q(param)}:${text}}` });
    return readingJson(ctx, { [field]: text });
  },
  'nan-text': (prng, ctx) => {
    const param = measured(ctx, prng);
    const text = prng.pick(['"NaN"', '"Infinity"', '"-Infinity"', '"nan"', 'NaN', 'Infinity', '-Infinity', '1e400', '-1e400', 'undefined', '0x10', '.5e']);
    return readingJson(ctx, { values: `{${q(param)}:${text}}` });
  },
  'huge-number': (prng, ctx) => {
    const param = measured(ctx, prng);
    return prng.pick([
      readingJson(ctx, { values: `{${q(param)}:${prng.pick(['1e308', '-1e308', '123456789012345678901234567890', '1' + '0'.repeat(400), '-' + '9'.repeat(300)])}}` }),
      readingJson(ctx, { ts: prng.pick(['1e20', '9007199254740993', '99999999999999999999', '-9007199254740991']) }),
      readingJson(ctx, { seq: prng.pick(['9007199254740993', '1e30', '18446744073709551616']) }),
    ]);
  },
  'out-of-range': (prng, ctx) => {
    const param = measured(ctx, prng);
    // Outside every parameter's plausible range (temperature: -5..50; the others: 0.. at most 100,000).
    const value = param === 'temp' ? prng.pick([-6, 51, 1e6]) : prng.pick([-1, -0.001, -1e6, 100_001, 1e7]);
    return readingJson(ctx, { values: `{${q(param)}:${value}}` });
  },
  'huge-array': (prng, ctx) => {
    const n = prng.int(ctx.maxBatch + 1, ctx.maxBatch * 4);
    return `{"fz":${q(ctx.marker)},"readings":[${Array.from({ length: n }, () => '{}').join(',')}]}`;
  },
  'bad-batch-items': (prng, ctx) => {
    const n = prng.int(2, 60);
    const items = Array.from({ length: n }, (_, i) => (i === 0 ? readingJson(ctx, { values: '{}' }) : prng.pick(['{}', '1', 'null', `{"stationId":${q(ctx.otherStation.id)}}`, readingJson(ctx, { ts: '"no"' })])));
    return `{"fz":${q(ctx.marker)},"readings":[${items.join(',')}]}`;
  },
  'huge-field': (prng, ctx) => {
    const size = prng.int(10_000, 200_000);
    const long = q(prng.text(64) + 'x'.repeat(size));
    return prng.pick([
      readingJson(ctx, { stationId: long }),
      readingJson(ctx, { ts: long }),
      readingJson(ctx, { values: `{${long}:1}` }),
      readingJson(ctx, { values: `{${q(measured(ctx, prng))}:${long}}` }),
      readingJson(ctx, { values: `{${Array.from({ length: prng.int(50, 300) }, (_, i) => `"junk${i}":1`).join(',')}}` }),
    ]);
  },
  oversize: (prng, ctx) => readingJson(ctx, { padding: q('p'.repeat(ctx.maxPayloadBytes + prng.int(1, 4096))) }),
  'control-chars': (prng, ctx) => {
    const ch = String.fromCharCode(prng.pick([1, 2, 7, 8, 9, 10, 13, 27, 31, 127]));
    return prng.pick([
      // Unescaped control characters inside a JSON string (invalid JSON, except DEL).
      `{"fz":${q(ctx.marker)},"stationId":"${ctx.station.id}${ch === '\x7f' ? '\x01' : ch}","ts":${ctx.badTs},"values":{"ph":7}}`,
      readingJson(ctx, { stationId: q(`${ctx.station.id}\u0000`) }),
      readingJson(ctx, { values: `{${q(`\u0000${measured(ctx, prng)}`)}:1}` }),
      readingJson(ctx, { ts: q(`2026-01-01T00:00:00${ch}+08:00`) }),
    ]);
  },
  'unknown-station': (prng, ctx) => readingJson(ctx, { stationId: q(`ZZ-${prng.text(prng.int(1, 40))}`) }),
  'wrong-station': (_prng, ctx) => readingJson(ctx, { stationId: q(ctx.otherStation.id) }),
  'bad-timestamp': (prng, ctx) =>
    readingJson(ctx, {
      ts: prng.pick([
        String(ctx.now + 3_600_000),
        String(ctx.now - 40 * 86_400_000),
        q(new Date(ctx.now + 86_400_000).toISOString()),
        q(new Date(ctx.badTs).toISOString().replace('Z', '')),
        q(new Date(ctx.badTs).toISOString().slice(0, 10)),
        String(Math.floor(ctx.badTs / 1000)),
        q('2026-02-30T25:61:00+08:00'),
        q(`${new Date(ctx.badTs).toISOString().slice(0, 19)}+99:99`),
      ]),
    }),
  'unknown-parameter': (prng, ctx) => {
    const key = prng.pick(['xyz', 'PH', 'ph ', 'w01001', 'cod', 'do2', '', prng.text(prng.int(1, 30))]);
    return readingJson(ctx, { values: prng.chance(0.5) ? `{${q(key)}:1}` : `{${q(measured(ctx, prng))}:${TYPICAL_VALUES.ph},${q(key)}:1}` });
  },
  'bad-flag': (prng, ctx) => {
    const param = measured(ctx, prng);
    return readingJson(ctx, { values: `{${q(param)}:${TYPICAL_VALUES[param] ?? 1}}`, flags: `{${q(param)}:${q(prng.pick(['Z', 'n', 'NN', 'X', '0', ' ', 'm']))}}` });
  },
  empty: (prng, ctx) =>
    prng.pick([readingJson(ctx, { values: '{}' }), `{"fz":${q(ctx.marker)},"readings":[]}`, `{"fz":${q(ctx.marker)}}`, `{"fz":${q(ctx.marker)},"readings":[{}]}`]),
  'duplicate-keys': (prng, ctx) => {
    const body = readingJson(ctx);
    return `${body.slice(0, -1)},"stationId":${q(`ZZ-dup-${prng.text(8)}`)}}`;
  },
};

/** One bad payload of a kind chosen by weight among `kinds`. */
export function badPayload(prng: Prng, ctx: PayloadContext, kinds: readonly PayloadKind[]): BadPayload {
  const weights = Object.fromEntries(kinds.map((k) => [k, PAYLOAD_KIND_WEIGHTS[k]])) as Record<PayloadKind, number>;
  const kind = prng.weighted(weights);
  const body = GENERATORS[kind](prng, ctx);
  return { kind, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}
