/**
 * `zendesk`, inbound half: Zendesk's signed webhooks (see ticketing.ts for the whole protocol; statuses
 * read as mapping.ts says). No HTTP client here: the webhook function verifies and parses with this
 * module alone (webhook-registry.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { replayOf, signedContent, webhookBytes, webhookJson } from '../webhook-body';
import { partnerTime } from '../../core/partner-input';
import { defineWebhookHalf } from '../halves';
import { zendesk, ZendeskSettings } from './descriptor';
import { mapZendeskStatus } from './mapping';

export { ZendeskSettings };

export const TOLERANCE_MS = 5 * 60 * 1000;

/** base64 HMAC-SHA256 over `timestamp + body` (the body's bytes), keyed with the signing secret exactly as Zendesk shows it. */
export const signZendeskWebhook = (secret: string, timestamp: string, body: string | Uint8Array): string =>
  createHmac('sha256', secret).update(signedContent(timestamp, body)).digest('base64');

const scalar = z.union([z.string(), z.number()]).transform(String);

/** A time from a trigger body: ISO 8601 (`{{ticket.updated_at_with_timestamp}}`), or Unix seconds / milliseconds; a representable one. */
const webhookTime = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const t = partnerTime(v);
  if (t === undefined) { ctx.addIssue({ code: 'custom', message: 'is not a time' }); return z.NEVER; }
  return t;
});

export const ZendeskWebhookBody = z.object({
  ticket: z.object({
    id: scalar.refine((s) => /^\d+$/.test(s.trim()), 'is not a ticket id').transform((s) => s.trim()),
    status: scalar.refine((s) => s.trim().length > 0, 'is empty'),
    external_id: scalar.nullable().optional(),
    updated_at: webhookTime,
    status_category: scalar.nullable().optional(),
    comment: z.string().max(10000).optional(),
  }),
});

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

/** Verifies and parses Zendesk webhooks (any of the current and previous signing secrets). */
export function zendeskWebhooks(s: ZendeskSettings): Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'> {
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  return {
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this Zendesk partner' };
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
    },

    parseWebhook(req: RawWebhook): InboundUpdate[] {
      const json = webhookJson(req);
      const { ticket } = parseOrThrow(ZendeskWebhookBody, json, 'Zendesk webhook body');
      const status = ticket.status.trim();
      return [{
        ticketId: ticket.id,
        ticketNumber: ticket.id,
        status: mapZendeskStatus(status, ticket.status_category),
        partnerStatus: status,
        updatedAt: ticket.updated_at,
        ...(ticket.comment ? { comment: ticket.comment } : {}),
      }];
    },
  };
}

export const zendeskInbound = defineWebhookHalf(zendesk, zendeskWebhooks);
