/**
 * Zendesk's webhook signature (`X-Zendesk-Webhook-Signature`: base64 HMAC-SHA256 over
 * `X-Zendesk-Webhook-Signature-Timestamp` + the raw body), shared by the partner-side `zendesk` webhooks and
 * the vendor's own desk (`zendesk-desk`), and by their sandboxes, which sign as Zendesk does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook, WebhookVerdict } from '../../core/ports';
import { replayOf, signedContent, webhookBytes } from '../webhook-body';

export const TOLERANCE_MS = 5 * 60 * 1000;

/** base64 HMAC-SHA256 over `timestamp + body` (the body's bytes), keyed with the signing secret exactly as Zendesk shows it. */
export const signZendeskWebhook = (secret: string, timestamp: string, body: string | Uint8Array): string =>
  createHmac('sha256', secret).update(signedContent(timestamp, body)).digest('base64');

/** Verifies a Zendesk webhook over the raw body against any of `secrets`, within five minutes of `now`. */
export function verifyZendeskSignature(secrets: readonly string[], headers: Record<string, string | undefined>, body: string | Uint8Array, now: Date): { ok: true } | { ok: false; reason: string } {
  const sig = headers['x-zendesk-webhook-signature'];
  const ts = headers['x-zendesk-webhook-signature-timestamp'];
  if (!sig || !ts) return { ok: false, reason: 'missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp' };
  const at = Date.parse(ts);
  if (Number.isNaN(at)) return { ok: false, reason: 'X-Zendesk-Webhook-Signature-Timestamp is not a time' };
  if (Math.abs(now.getTime() - at) > TOLERANCE_MS) return { ok: false, reason: 'the signature timestamp is outside the five-minute tolerance' };
  const offered = Buffer.from(sig.trim(), 'base64');
  for (const secret of secrets) {
    const expected = Buffer.from(signZendeskWebhook(secret, ts, body), 'base64');
    if (offered.length === expected.length && timingSafeEqual(offered, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}

/** The verdict on a Zendesk webhook (any of `secrets`), with its delivery id and the replay guard on what is signed. */
export function zendeskVerdict(secrets: readonly string[], req: RawWebhook, now: Date): WebhookVerdict {
  const bytes = webhookBytes(req);
  const r = verifyZendeskSignature(secrets, req.headers, bytes, now);
  if (!r.ok) return { kind: 'rejected', reason: r.reason };
  // Zendesk keeps the invocation id across retries; without one, the body itself identifies the update.
  // The invocation id is not signed: the signed material (timestamp + body) is deduped too (`replay`).
  const id = req.headers['x-zendesk-webhook-invocation-id']?.trim();
  return {
    kind: 'ok', deliveryId: id || `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    replay: replayOf(TOLERANCE_MS / 1000, req.headers['x-zendesk-webhook-signature-timestamp'] ?? '', bytes),
  };
}
