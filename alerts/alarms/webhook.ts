/**
 * Webhook delivery: a JSON POST signed with the agency's secret. The
 * receiver recomputes hex HMAC-SHA256(secret, `${timestamp}.${body}`) and
 * refuses old timestamps (replay); `X-RiverWatch-Delivery` is the same on
 * every retry of one (transition, recipient), so a receiver can drop repeats.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-riverwatch-signature';
export const TIMESTAMP_HEADER = 'x-riverwatch-timestamp';
export const DELIVERY_HEADER = 'x-riverwatch-delivery';

/** Hex HMAC-SHA256 of `${timestampMs}.${body}`. */
export function signWebhook(secret: string, timestampMs: number | string, body: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex');
}

/** Checks a received webhook: signature matches and the timestamp is within `toleranceMs` of `nowMs`. */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  nowMs: number,
  toleranceMs = 5 * 60_000,
): { ok: true } | { ok: false; reason: string } {
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: 'missing signature or timestamp header' };
  const ts = Number(headers.timestamp);
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > toleranceMs) return { ok: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(signWebhook(secret, headers.timestamp, body), 'hex');
  const given = Buffer.from(headers.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}

export interface WebhookResult {
  readonly ok: boolean;
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly durationMs: number;
}

/** POSTs one signed delivery; never throws (the caller decides about retries). */
export async function postWebhook(
  target: { url: string; secret: string },
  delivery: { id: string; attempt: number; body: string; timestampMs: number },
  timeoutMs: number,
): Promise<WebhookResult> {
  const started = performance.now();
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'RiverWatch-Webhook/1',
        [SIGNATURE_HEADER]: signWebhook(target.secret, delivery.timestampMs, delivery.body),
        [TIMESTAMP_HEADER]: String(delivery.timestampMs),
        [DELIVERY_HEADER]: delivery.id,
        'x-riverwatch-attempt': String(delivery.attempt),
      },
      body: delivery.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection goes back to the pool.
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, error: ok ? undefined : `HTTP ${res.status}`, durationMs: performance.now() - started };
  } catch (err) {
    return { ok: false, status: undefined, error: (err as Error).message, durationMs: performance.now() - started };
  }
}
