/**
 * `tsanet`, inbound half: TSANet Connect's webhooks (PARTNERS.md 1.7). They are thin —
 * `{ eventType, requestToken, noteToken?, timestamp }` for `collaboration-request.created` and
 * `note.created` — and signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`.
 * No HTTP client here (the webhook function has none): a verified event becomes one update that asks the
 * hub to read the request (`refresh`), which the status sync does by token before applying it (API.md:
 * "the hub fetches the request by token"). The note's text, and what the receiver wrote with a state,
 * still come with the poll (`listUpdatedSince`), which records each once; so does every status change
 * that sends no event (approval, rejection, information request and closure have none [S12]).
 */
import * as z from 'zod';
import { partnerTime } from '../../core/partner-input';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { verifyHubSignature } from '../hub-signature';
import { webhookBytes, webhookJson } from '../webhook-body';
import { defineWebhookHalf } from '../halves';
import { tsanet, type TsanetSettings } from './descriptor';

/** TSANet retries a delivery after 10 s, 60 s and 300 s [S12]: the last retry is 370 s after the event. */
const MAX_AGE_MS = 10 * 60 * 1000;
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/** An event without its (optional) time: the update's time is a placeholder, replaced by the request's. */
const EVENT_TIME_UNKNOWN = '1970-01-01T00:00:00Z';

/** `WebhookPayload` [S15]. */
export const TsanetWebhookBody = z.object({
  eventType: z.string().min(1).max(100),
  requestToken: z.string().min(1).max(200),
  noteToken: z.string().min(1).max(200).nullish(),
  timestamp: z.string().optional(),
});

/** Verifies TSANet's signed webhooks (any of the current and previous secrets) and reads the request each names. */
export function tsanetWebhooks(s: TsanetSettings): Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'> {
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  return {
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this TSANet partner' };
      const signature = req.headers['x-hub-signature-256'];
      if (!signature) return { kind: 'rejected', reason: 'missing X-Hub-Signature-256' };
      if (!verifyHubSignature(secrets, signature, webhookBytes(req))) return { kind: 'rejected', reason: 'no signature matches' };
      // no delivery id and no signed time: the event is its identity (TSANet retries send the same body),
      // and the id is read from the signed body itself, so it needs no replay guard of its own
      const b = parseOrThrow(TsanetWebhookBody, webhookJson(req), 'TSANet webhook body');
      // the body's (signed) time bounds replays, as far back as TSANet's last retry
      const at = b.timestamp === undefined ? undefined : partnerTime(b.timestamp);
      if (b.timestamp !== undefined && at === undefined) return { kind: 'rejected', reason: 'the webhook timestamp is not a time' };
      const age = at === undefined ? 0 : now.getTime() - Date.parse(at);
      if (age > MAX_AGE_MS || -age > FUTURE_TOLERANCE_MS) return { kind: 'rejected', reason: 'the webhook timestamp is outside the tolerance' };
      return { kind: 'ok', deliveryId: `${b.eventType}:${b.requestToken}:${b.noteToken ?? ''}` };
    },
    parseWebhook(req: RawWebhook): InboundUpdate[] {
      const b = parseOrThrow(TsanetWebhookBody, webhookJson(req), 'TSANet webhook body');
      // only the ticket counts: the status, its name and time are the request's, read on applying
      return [{ ticketId: b.requestToken, status: null, partnerStatus: b.eventType, updatedAt: b.timestamp ?? EVENT_TIME_UNKNOWN, refresh: true }];
    },
  };
}

export const tsanetInbound = defineWebhookHalf(tsanet, tsanetWebhooks);
