/**
 * `zendesk`, inbound half: Zendesk's signed webhooks (see ticketing.ts for the whole protocol; statuses
 * read as mapping.ts says). No HTTP client here: the webhook function verifies and parses with this
 * module alone (webhook-registry.ts).
 */
import * as z from 'zod';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { webhookJson } from '../webhook-body';
import { partnerTime } from '../../core/partner-input';
import { defineWebhookHalf } from '../halves';
import { zendesk, ZendeskSettings } from './descriptor';
import { zendeskVerdict } from './signature';
import { mapZendeskStatus } from './mapping';

export { ZendeskSettings };
export { signZendeskWebhook, TOLERANCE_MS, verifyZendeskSignature } from './signature';

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

/** Verifies and parses Zendesk webhooks (any of the current and previous signing secrets). */
export function zendeskWebhooks(s: ZendeskSettings): Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'> {
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  return {
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this Zendesk partner' };
      return zendeskVerdict(secrets, req, now);
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
