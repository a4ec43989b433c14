/**
 * `sha256=<hex HMAC-SHA256(secret, raw body)>`, the GitHub-style signature that Jira's admin webhooks
 * (`X-Hub-Signature`) and TSANet Connect's (`X-Hub-Signature-256`) both send: signed and checked over the
 * body's bytes exactly as received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { signedContent } from './webhook-body';

/** `sha256=` + hex HMAC-SHA256 of the raw body's bytes, keyed with the webhook secret. */
export const signHubSignature = (secret: string, body: string | Uint8Array): string => `sha256=${createHmac('sha256', secret).update(signedContent(body)).digest('hex')}`;

/** Whether `header` is the signature of `body` under any of `secrets` (hex in either case; constant-time compare). */
export function verifyHubSignature(secrets: readonly string[], header: string | undefined, body: string | Uint8Array): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec((header ?? '').trim());
  if (!m) return false;
  const offered = Buffer.from(m[1]!.toLowerCase(), 'hex');
  return secrets.some((secret) => {
    const expected = Buffer.from(signHubSignature(secret, body).slice(7), 'hex');
    return expected.length === offered.length && timingSafeEqual(expected, offered);
  });
}
