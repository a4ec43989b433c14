/**
 * Standard Webhooks (https://www.standardwebhooks.com): the hub's own signing scheme, in and out.
 * Signed content is `{id}.{timestamp}.{raw body}`; the key is the base64 part after `whsec_`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { signedContent } from './webhook-body';

export const TOLERANCE_SECONDS = 5 * 60;

const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/** `body`: the bytes sent (text stands for its UTF-8 bytes). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(signedContent(`${id}.${timestamp}.`, body)).digest('base64');
}

export type StandardWebhookResult = { ok: true; id: string } | { ok: false; reason: string };

/**
 * Verifies the headers against any of `secrets` (two at once during rotation), over the raw body's bytes,
 * with a constant-time comparison and a five-minute tolerance either side of `now`. The id is part of the
 * signed content, so deduping on it is deduping on what is signed.
 */
export function verifyStandardWebhook(
  secrets: readonly string[],
  headers: Record<string, string | undefined>,
  body: string | Uint8Array,
  now: Date,
): StandardWebhookResult {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  const skew = Math.abs(now.getTime() / 1000 - Number(ts));
  if (skew > TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is outside the five-minute tolerance' };
  const offered = sigs.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(signStandardWebhook(secret, id, Number(ts), body).slice(3), 'base64');
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return { ok: true, id };
  }
  return { ok: false, reason: 'no signature matches' };
}
