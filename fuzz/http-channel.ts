/**
 * HTTP channel: malformed bodies with a valid station token, bad or missing
 * credentials, unsupported content types, junk headers, other paths and
 * methods, and requests Node's HTTP parser must refuse (sent raw over TCP),
 * interleaved with valid readings. Every request comes from its own loopback
 * address (127.<n>.x.y) so its dead letters are found by the peer address,
 * including a 413 whose raw body is not kept. Requests with a station token
 * are paced under the API's per-credential rate limit (600 per minute).
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Station } from '../domain/index.js';
import { badPayload, validReading, type PayloadKind } from './json-payloads.js';
import { loopbackAddress } from './loopback-address.js';
import { pool, sampleOf, sleep, type BadInput, type Ledger, type RefusedBeforeIngest } from './ledger.js';
import type { Prng } from './prng.js';
import type { TimeWindows } from './time-windows.js';

export interface HttpChannelOptions {
  readonly apiUrl: string;
  readonly stations: readonly Station[];
  readonly tokens: Readonly<Record<string, string>>;
  readonly ledger: Ledger;
  readonly windows: TimeWindows;
  readonly prng: Prng;
  readonly count: number;
  /** Whether input `index` is a valid reading (deterministic interleaving). */
  readonly isValid: (index: number) => boolean;
  readonly kinds: readonly PayloadKind[];
  readonly maxPayloadBytes: number;
  readonly maxBatch: number;
  readonly stop: () => boolean;
  /** First octet after 127 of the source addresses. @defaultValue 1 */
  readonly addressOctet?: number;
  readonly concurrency?: number;
}

const MODE_WEIGHTS = { body: 70, auth: 10, 'content-type': 6, headers: 6, raw: 5, path: 3 } as const;
type Mode = keyof typeof MODE_WEIGHTS;

/** Requests per minute per token the fuzzer allows itself (the API allows 600). */
const PER_TOKEN_PER_MINUTE = 540;

interface Answer {
  readonly status?: number;
  readonly body: string;
  readonly error?: string;
}

function send(url: URL, localAddress: string, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Answer> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, localAddress, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false, timeout: 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4_000_000) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ status: res.statusCode, body: '', error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ body: '', error: err.message }));
    req.end(body);
  });
}

function sendRaw(url: URL, localAddress: string, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve(status ? { status: Number(status), body: text.slice(0, 2000) } : { body: '', error: 'closed without an answer' });
    });
    socket.end(bytes);
  });
}

/** Paces requests per token under the API's rate limit. */
class TokenPacer {
  readonly #nextAt = new Map<string, number>();
  async acquire(token: string): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.#nextAt.get(token) ?? 0);
    this.#nextAt.set(token, slot + 60_000 / PER_TOKEN_PER_MINUTE);
    if (slot > now) await sleep(slot - now);
  }
}

function rawRequests(prng: Prng, token: string, body: string): string[] {
  const head = 'POST /api/v1/readings HTTP/1.1\r\nHost: fuzz\r\n';
  return [
    'GARBAGE\r\n\r\n',
    `${head}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    `${head}Content-Length: -1\r\n\r\n`,
    `${head}Content-Length: abc\r\n\r\n`,
    `${head}Content-Length: 3\r\nContent-Length: 7\r\n\r\nabcdefg`,
    `${head}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    `${head}X-A: a\u0000b\r\n\r\n`,
    `${head}X-Big: ${'a'.repeat(prng.int(17_000, 40_000))}\r\n\r\n`,
    'POST /api/v1/readings HTTP/9.9\r\nHost: fuzz\r\n\r\n',
    'POST  /api/v1/readings  HTTP/1.1\r\nHost: fuzz\r\n\r\n',
    `${head}BadHeaderWithoutColon\r\n\r\n`,
    `${head}X-Folded: a\r\n  continued\r\n\r\n`,
    `POST /api/v1/readings?${'q'.repeat(prng.int(20_000, 100_000))} HTTP/1.1\r\nHost: fuzz\r\n\r\n`,
    `${head}Content-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length + 100}\r\n\r\n${body}`,
    '\r\n\r\n\r\n',
    `${head}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`.replace('HTTP/1.1', 'HTTP/1.1\u0001'),
  ];
}

/** Judges an answer to a bad input; `pre` lists statuses that mean "refused before ingest" for this mode. */
function judge(input: BadInput, answer: Answer, pre: Partial<Record<number, RefusedBeforeIngest>>, strict401: boolean): void {
  const status = answer.status;
  if (status !== undefined) input.status = status;
  if (status === undefined) {
    input.failure = `no HTTP answer: ${answer.error ?? 'unknown'}`;
    return;
  }
  if (status >= 500) {
    input.failure = `HTTP ${status} ${answer.body.slice(0, 160)}`;
    return;
  }
  const refused = pre[status];
  if (refused) {
    input.refusedBeforeIngest = refused;
    return;
  }
  if (strict401) {
    input.failure = `HTTP ${status} for a request without a valid station token (expected 401)`;
    return;
  }
  if (status === 202) {
    let rejected: unknown[] = [];
    try {
      rejected = (JSON.parse(answer.body) as { rejected?: unknown[] }).rejected ?? [];
    } catch {
      input.failure = `202 with a body that is not JSON: ${answer.body.slice(0, 80)}`;
      return;
    }
    if (rejected.length === 0) input.failure = 'bad input accepted whole (202, nothing rejected)';
    return;
  }
  if (![400, 403, 413, 422].includes(status)) input.failure = `unexpected HTTP ${status} ${answer.body.slice(0, 160)}`;
}

export async function runHttpChannel(o: HttpChannelOptions): Promise<void> {
  const { ledger, prng, windows } = o;
  const url = new URL(o.apiUrl);
  const pacer = new TokenPacer();
  const octet = o.addressOctet ?? 1;
  const modeWeights = { ...MODE_WEIGHTS } as Record<Mode, number>;
  await pool(
    o.count,
    o.concurrency ?? 24,
    async (index) => {
      const { id, marker } = ledger.markerFor('http', index);
      const ip = loopbackAddress(octet, index);
      const station = prng.pick(o.stations);
      const token = o.tokens[station.id] as string;
      const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      if (o.isValid(index)) {
        const reading = validReading(prng, station, windows.nextValid());
        const record = ledger.addValid({ channel: 'http', stationId: station.id, ts: reading.ts, acknowledged: false });
        await pacer.acquire(token);
        const answer = await send(url, ip, 'POST', '/api/v1/readings', bearer, Buffer.from(JSON.stringify(reading)));
        if (answer.status === 202 && /"accepted":1\b/.test(answer.body)) record.acknowledged = true;
        else record.problem = `HTTP ${answer.status ?? answer.error} ${answer.body.slice(0, 120)}`;
        return;
      }
      const other = prng.pick(o.stations.filter((s) => s.id !== station.id));
      const ctx = { station, otherStation: other, marker, badTs: windows.nextBad(), now: Date.now(), maxPayloadBytes: o.maxPayloadBytes, maxBatch: o.maxBatch };
      const mode = prng.weighted(modeWeights);
      if (mode === 'auth') {
        const body = Buffer.from(JSON.stringify({ fz: marker, ...validReading(prng, station, ctx.badTs) }));
        const variant = prng.pick([
          {},
          { authorization: 'Bearer' },
          { authorization: `Bearer ${prng.text(prng.int(1, 64))}` },
          { authorization: `Basic ${Buffer.from(`${station.id}:${token}`).toString('base64')}` },
          { authorization: `Bearer ${token} extra` },
          { authorization: `Bearer ${token.slice(0, -1)}` },
          { authorization: `Bearer ${'A'.repeat(prng.int(1_000, 12_000))}` },
          { authorization: token },
          { 'x-api-key': token },
        ] as Record<string, string>[]);
        const path = prng.chance(0.2) ? `/api/v1/readings?token=${encodeURIComponent(token)}` : '/api/v1/readings';
        const input = ledger.addBad({ id, channel: 'http', kind: 'auth', peerIp: ip, sample: `${JSON.stringify(variant).slice(0, 80)} ${path.length > 20 ? '?token=' : ''}` });
        judge(input, await send(url, ip, 'POST', path, { 'content-type': 'application/json', ...variant }, body), { 401: 'http-401' }, true);
        return;
      }
      if (mode === 'raw') {
        const options = rawRequests(prng, token, JSON.stringify({ fz: marker, stationId: station.id }));
        const choice = prng.int(0, options.length - 1);
        const bytes = Buffer.from(options[choice] as string, 'latin1');
        const input = ledger.addBad({ id, channel: 'http', kind: `raw-request-${choice}`, peerIp: ip, sample: sampleOf(bytes, 90) });
        // Requests that carry the station token count against its rate limit.
        if ((options[choice] as string).includes(token)) await pacer.acquire(token);
        const answer = await sendRaw(url, ip, bytes);
        if (answer.status === undefined) input.refusedBeforeIngest = 'http-parser';
        else judge(input, answer, { 400: 'http-parser', 413: 'http-parser', 414: 'http-parser', 431: 'http-parser', 505: 'http-parser', 404: 'http-404', 415: 'http-415', 401: 'http-401' }, false);
        return;
      }
      const { kind, body } = badPayload(prng, ctx, o.kinds);
      let headers: Record<string, string> = bearer;
      let method = 'POST';
      let path = '/api/v1/readings';
      let label: string = kind;
      const pre: Partial<Record<number, RefusedBeforeIngest>> = {};
      if (mode === 'content-type') {
        const type = prng.pick(['text/plain', '', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json', 'application/json; charset=latin1', 'APPLICATION/JSON', 'application/jsonx', 'text/json', '*/*']);
        headers = { authorization: bearer.authorization, ...(type ? { 'content-type': type } : {}) };
        label = `${type || '(none)'} + ${kind}`;
        pre[415] = 'http-415';
      } else if (mode === 'headers') {
        const variant = prng.pick(['x-forwarded-for', 'many', 'big', 'encoding', 'expect', 'duplicate-auth'] as const);
        const extra: Record<string, string> =
          variant === 'x-forwarded-for'
            ? { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6', forwarded: 'for=6.6.6.6' }
            : variant === 'many'
              ? Object.fromEntries(Array.from({ length: prng.int(50, 150) }, (_, i) => [`x-junk-${i}`, prng.text(prng.int(1, 40))]))
              : variant === 'big'
                ? { 'x-junk': 'j'.repeat(prng.int(4_000, 12_000)) }
                : variant === 'encoding'
                  ? { 'content-encoding': prng.pick(['gzip', 'deflate', 'br', 'x-nonsense']) }
                  : variant === 'expect'
                    ? { expect: '100-continue' }
                    : { 'x-authorization': `Bearer ${o.tokens[other.id] as string}` };
        headers = { ...bearer, ...extra };
        label = `${variant} + ${kind}`;
        pre[431] = 'http-parser';
        pre[415] = 'http-415';
      } else if (mode === 'path') {
        [method, path] = prng.pick([
          ['GET', '/api/v1/readings'],
          ['PUT', '/api/v1/readings'],
          ['DELETE', '/api/v1/readings'],
          ['POST', '/api/v1/readings/extra'],
          ['POST', '//api/v1/readings'],
          ['POST', '/api/v1/readings?x=%ZZ&__proto__[a]=1'],
          ['POST', '/api/v1/readings/..%2f..%2fetc%2fpasswd'],
          ['POST', '/API/V1/READINGS'],
        ]);
        label = `${method} ${path} + ${kind}`;
        // Not the readings route: refused by routing (404/405), or by another route's auth, schema or body limit (401/400/413).
        Object.assign(pre, { 404: 'http-404', 405: 'http-404', 401: 'http-404', 400: 'http-404', 413: 'http-404' });
      }
      await pacer.acquire(token);
      const input = ledger.addBad({ id, channel: 'http', kind: `${mode}: ${label}`, peerIp: ip, marker, sample: sampleOf(body) });
      judge(input, await send(url, ip, method, path, headers, body), pre, false);
    },
    o.stop,
  );
}
