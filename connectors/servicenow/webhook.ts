/**
 * `servicenow`, inbound half: the optional Standard Webhooks push from a business rule (see ticketing.ts
 * for the whole protocol; states and times read as mapping.ts says). No HTTP client here: the webhook
 * function verifies and parses with this module alone (webhook-registry.ts).
 */
import * as z from 'zod';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { verifyStandardWebhook } from '../standard-webhooks';
import { webhookJson } from '../webhook-body';
import { defineWebhookHalf } from '../halves';
import { serviceNow, ServiceNowSettings } from './descriptor';
import { fromServiceNowTime, mapServiceNowState, snTime } from './mapping';

export { ServiceNowSettings };

const scalar = z.union([z.string(), z.number()]).transform(String);

export const ServiceNowPushBody = z.object({
  type: z.string().min(1),
  data: z.object({
    sys_id: z.string().min(1),
    number: z.string().min(1).optional(),
    state: scalar,
    sys_updated_on: snTime,
    correlation_id: z.string().optional(),
    comment: z.string().max(10000).optional(),
  }),
});

/** Verifies and parses the Standard Webhooks push (any of the current and previous secrets). */
export function serviceNowWebhooks(s: ServiceNowSettings): Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'> {
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  return {
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this ServiceNow partner (status comes by polling)' };
      const r = verifyStandardWebhook(secrets, req.headers, req.body, now);
      return r.ok ? { kind: 'ok', deliveryId: r.id } : { kind: 'rejected', reason: r.reason };
    },

    parseWebhook(req: RawWebhook): InboundUpdate[] {
      const json = webhookJson(req);
      const { data } = parseOrThrow(ServiceNowPushBody, json, 'ServiceNow webhook body');
      return [{
        ticketId: data.sys_id,
        ...(data.number ? { ticketNumber: data.number } : {}),
        status: mapServiceNowState(data.state),
        partnerStatus: data.state,
        updatedAt: fromServiceNowTime(data.sys_updated_on),
        ...(data.comment ? { comment: data.comment } : {}),
      }];
    },
  };
}

export const serviceNowInbound = defineWebhookHalf(serviceNow, serviceNowWebhooks);
