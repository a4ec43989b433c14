/** `servicenow`: the descriptor (the light part every function may carry) and the connector's own settings. */
import * as z from 'zod';
import { defineConnector } from '../kinds';

export const ServiceNowSettings = z.object({
  credentials: z.object({
    username: z.string({ error: 'is required' }).min(1, 'is required'),
    password: z.string({ error: 'is required' }).min(1, 'is required'),
  }),
  /** `sys_id` or name of the assignment group new incidents go to. */
  assignmentGroup: z.string().min(1).optional(),
  /** Extra fields set on every new incident (e.g. `caller_id`, `category`), as strings. */
  incidentDefaults: z.record(z.string(), z.string()).optional(),
  /** Written to `correlation_display`, and used to poll only the hub's incidents. */
  correlationDisplay: z.string().min(1).max(100).default('escalation-hub'),
  /** The journal field hub comments go to: `comments` (customer-visible) or `work_notes`. */
  commentField: z.enum(['comments', 'work_notes']).default('comments'),
  /** Records per polling call. */
  pollPageSize: z.number().int().min(1).max(1000).default(200),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>').optional(),
  previousWebhookSecrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>')).optional(),
});
export type ServiceNowSettings = z.infer<typeof ServiceNowSettings>;

export const serviceNow = defineConnector({
  id: 'servicenow', kind: 'ticketing', settings: ServiceNowSettings, example: 'servicenow.json',
  secrets: [{ path: 'credentials.password', form: 'text' }, { path: 'webhookSecret', form: 'standard-webhooks', optional: true }],
  summary: 'ServiceNow incidents (Table API): `correlation_id` queried before any re-create; status by polling, or a signed push from a business rule',
});
