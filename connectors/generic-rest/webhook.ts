/**
 * `generic-rest`, inbound half: the Standard Webhooks the partner sends back (statuses read as mapping.ts says).
 * No HTTP client here: the webhook function verifies and parses with this module alone (webhook-registry.ts).
 */
import * as z from 'zod';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { verifyStandardWebhook } from '../standard-webhooks';
import { webhookJson } from '../webhook-body';
import { defineWebhookHalf } from '../halves';
import { genericRest, GenericRestSettings } from './descriptor';
import { mapGenericStatus } from './mapping';

export { GenericRestSettings };

export const GenericWebhookBody = z.object({
  type: z.string(),
  data: z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    number: z.union([z.string(), z.number()]).transform(String).optional(),
    status: z.string(),
    updatedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO time'),
    comment: z.string().max(10000).optional(),
  }),
});

/** Verifies and parses the partner's webhooks (Standard Webhooks, any of the current and previous secrets). */
export function genericRestWebhooks(s: GenericRestSettings): Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'> {
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  return {
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this partner' };
      const r = verifyStandardWebhook(secrets, req.headers, req.body, now);
      return r.ok ? { kind: 'ok', deliveryId: r.id } : { kind: 'rejected', reason: r.reason };
    },
    parseWebhook(req: RawWebhook): InboundUpdate[] {
      const json = webhookJson(req);
      const { data } = parseOrThrow(GenericWebhookBody, json, 'webhook body');
      return [{
        ticketId: data.id, ...(data.number ? { ticketNumber: data.number } : {}),
        status: mapGenericStatus(data.status), partnerStatus: data.status,
        updatedAt: new Date(data.updatedAt).toISOString(), ...(data.comment ? { comment: data.comment } : {}),
      }];
    },
  };
}

export const genericRestInbound = defineWebhookHalf(genericRest, genericRestWebhooks);
