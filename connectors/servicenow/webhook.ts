/**
 * `servicenow`, inbound half: state mapping, times, and the optional Standard Webhooks push from a
 * business rule (see ticketing.ts for the whole protocol). No HTTP client here: the webhook function
 * verifies and parses with this module alone (webhook-registry.ts).
 */
import * as z from 'zod';
import type { PartnerStatus } from '../../core/escalation';
import { ValidationError } from '../../core/errors';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { verifyStandardWebhook } from '../standard-webhooks';
import { webhookJson } from '../webhook-body';
import { defineWebhookHalf } from '../halves';
import { serviceNow, ServiceNowSettings } from './descriptor';

export { ServiceNowSettings };

export const SERVICENOW_STATES: Record<string, PartnerStatus> = {
  '1': 'open', '2': 'in_progress', '3': 'awaiting_info', '6': 'resolved', '7': 'closed', '8': 'closed',
};
/** `null` for a state code the hub has no mapping for (recorded, never applied). */
export const mapServiceNowState = (state: string): PartnerStatus | null =>
  Object.hasOwn(SERVICENOW_STATES, state.trim()) ? SERVICENOW_STATES[state.trim()]! : null;

/** ServiceNow's internal date-time format, always UTC: `YYYY-MM-DD HH:mm:ss`. */
export const SN_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
export function fromServiceNowTime(value: string): string {
  const m = SN_TIME.exec(value.trim());
  const iso = m ? `${m[1]}T${m[2]}Z` : value;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ValidationError(`"${value}" is not a ServiceNow date-time`);
  return new Date(t).toISOString();
}
export const toServiceNowTime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

const scalar = z.union([z.string(), z.number()]).transform(String);
/** A `sys_updated_on` value: ServiceNow's own format, or any time `Date.parse` reads. */
export const snTime = z.string().refine((s) => SN_TIME.test(s.trim()) || !Number.isNaN(Date.parse(s)), 'is not a ServiceNow date-time');

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
