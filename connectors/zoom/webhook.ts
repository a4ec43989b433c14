/**
 * `zoom` (collaboration), inbound half: Zoom's signed webhooks (endpoint validation, meeting
 * events); see collaboration.ts for the whole protocol. No HTTP client here: the webhook function verifies and
 * parses with this module alone (webhook-registry.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../../core/errors';
import type { Clock, CollaborationConnector, CollaborationEvent, RawWebhook, WebhookVerdict } from '../../core/ports';
import { signedContent, webhookBytes, webhookJson } from '../webhook-body';
import { partnerTime } from '../../core/partner-input';
import { defineWebhookHalf } from '../halves';
import { zoom, zoomId, ZoomSettings } from './descriptor';

export { ZoomSettings };

export const ZOOM_TOLERANCE_SECONDS = 5 * 60;

/** `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`) over the body's bytes, as Zoom signs webhooks. */
export function zoomSignature(secret: string, timestamp: string, body: string | Uint8Array): string {
  return 'v0=' + createHmac('sha256', secret).update(signedContent(`v0:${timestamp}:`, body)).digest('hex');
}

/** The `encryptedToken` of Zoom's endpoint validation: hex HMAC-SHA256(secret, plainToken). */
export function zoomEncryptedToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken).digest('hex');
}

/**
 * The delivery id: a hash of the raw body. Zoom re-sends an undelivered event 5, 20 and 60 minutes later;
 * `x-zm-trackingid` identifies one request (Zoom's forum: unique per delivery) and the timestamp is new on
 * each, so neither is stable across those retries, while the event itself (`event`, `event_ts` in
 * milliseconds, `payload`) is the same body.
 */
export function zoomDeliveryId(body: string | Uint8Array): string {
  return 'zoom:' + createHash('sha256').update(body).digest('hex');
}

export const ZoomWebhookBody = z.object({
  event: z.string().min(1),
  event_ts: z.number().optional(),
  payload: z.looseObject({
    account_id: z.string().optional(),
    plainToken: z.string().optional(),
    object: z.looseObject({
      id: zoomId.optional(),
      uuid: z.string().optional(),
      participant: z.looseObject({ user_id: z.string().optional(), id: z.string().optional(), join_time: z.string().optional(), leave_time: z.string().optional() }).optional(),
    }).optional(),
  }),
});

/** Verifies Zoom webhooks (answering the endpoint validation) and reads meeting events from them. */
export function zoomWebhooks(cfg: ZoomSettings, clock: Clock): Pick<CollaborationConnector, 'provider' | 'verifyWebhook' | 'parseWebhook'> {
  return {
    provider: 'zoom',

    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      const signature = req.headers['x-zm-signature'];
      const ts = req.headers['x-zm-request-timestamp'];
      if (!signature || !ts) return { kind: 'rejected', reason: 'missing x-zm-signature or x-zm-request-timestamp' };
      if (!/^\d{1,12}$/.test(ts)) return { kind: 'rejected', reason: 'x-zm-request-timestamp is not Unix seconds' };
      if (Math.abs(now.getTime() / 1000 - Number(ts)) > ZOOM_TOLERANCE_SECONDS) {
        return { kind: 'rejected', reason: 'x-zm-request-timestamp is outside the five-minute tolerance' };
      }
      const bytes = webhookBytes(req);
      const offered = /^v0=[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature.slice(3), 'hex') : undefined;
      const matches = (secret: string) => {
        const expected = Buffer.from(zoomSignature(secret, ts, bytes).slice(3), 'hex');
        return offered !== undefined && offered.length === expected.length && timingSafeEqual(offered, expected);
      };
      if (![cfg.webhookSecret, ...(cfg.previousWebhookSecrets ?? [])].some(matches)) return { kind: 'rejected', reason: 'x-zm-signature does not match' };

      // authentic: now the endpoint validation can be answered (a body that cannot be read is a 422)
      const json = webhookJson(req, 'The Zoom event body');
      const body = json as { event?: unknown; payload?: { plainToken?: unknown } } | null;
      if (body?.event === 'endpoint.url_validation') {
        const plainToken = body.payload?.plainToken;
        if (typeof plainToken !== 'string' || plainToken.length === 0) return { kind: 'rejected', reason: 'endpoint.url_validation without payload.plainToken' };
        return {
          kind: 'challenge', status: 200, contentType: 'application/json',
          body: JSON.stringify({ plainToken, encryptedToken: zoomEncryptedToken(cfg.webhookSecret, plainToken) }),
        };
      }
      return { kind: 'ok', deliveryId: zoomDeliveryId(bytes) };
    },

    parseWebhook(req: RawWebhook): CollaborationEvent[] {
      const json = webhookJson(req, 'The Zoom event body');
      const parsed = ZoomWebhookBody.safeParse(json);
      if (!parsed.success) throw new ValidationError(`The Zoom event body is not in Zoom's format (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message ?? 'invalid'}).`);
      const { event, event_ts: eventTs, payload } = parsed.data;
      // only meeting events concern joint calls; others (and the validation) carry nothing to record
      if (!event.startsWith('meeting.')) return [];
      const object = payload.object;
      if (!object?.id) throw new ValidationError(`The Zoom ${event} event has no payload.object.id.`);
      // `event_ts` is in milliseconds; one the hub cannot represent (1e20) is refused, not a 500
      const at = eventTs === undefined ? clock.now().toISOString() : partnerTime(eventTs);
      if (at === undefined) throw new ValidationError(`The Zoom ${event} event has an event_ts that is not a time.`, [{ path: 'event_ts', message: 'is not a time' }]);
      const participant = object.participant;
      return [{
        meetingId: object.id,
        type: event,
        at,
        // no names or e-mail addresses: participant identities are personal data
        detail: {
          provider: 'zoom',
          ...(object.uuid ? { meetingUuid: object.uuid } : {}),
          ...(participant?.user_id ? { participantUserId: participant.user_id } : {}),
          ...(participant?.join_time ? { joinTime: participant.join_time } : {}),
          ...(participant?.leave_time ? { leaveTime: participant.leave_time } : {}),
        },
      }];
    },
  };
}

export const zoomInbound = defineWebhookHalf(zoom, (s, _profile, clock) => zoomWebhooks(s, clock));
