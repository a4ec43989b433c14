/** `jira`: the descriptor (the light part every function may carry) and the connector's own settings. */
import * as z from 'zod';
import { defineConnector } from '../kinds';
import { PARTNER_STATUSES } from '../../core/escalation';

const id = z.union([z.string().regex(/^\d+$/, 'must be a numeric id'), z.number().int().positive()]).transform(String);
export const JiraSettings = z.object({
  credentials: z.object({
    email: z.email({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be an email address') }),
    apiToken: z.string({ error: 'is required' }).min(1, 'is required'),
  }),
  serviceDeskId: id.optional().refine((v) => v !== undefined, 'is required'),
  requestTypeId: id.optional().refine((v) => v !== undefined, 'is required'),
  webhookSecret: z.string().min(1).optional(),
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
  /** Status name (any case) → hub status, over the defaults. */
  statusMap: z.record(z.string(), z.enum(PARTNER_STATUSES)).optional(),
  labelVia: z.enum(['request', 'issue']).default('request'),
  /** Raise the request for this customer (account id or email) instead of the API user. */
  raiseOnBehalfOf: z.string().min(1).optional(),
  /** How old a webhook's `timestamp` may be. Jira retries failed deliveries for longer than five minutes. */
  webhookToleranceSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(300),
});
export type JiraSettings = z.infer<typeof JiraSettings>;

export const jira = defineConnector({
  id: 'jira', kind: 'ticketing', settings: JiraSettings, example: 'jira.json',
  secrets: [{ path: 'credentials.apiToken', form: 'text' }, { path: 'webhookSecret', form: 'text', optional: true }],
  summary: 'Jira Service Management requests: a hub label searched with JQL before any re-create, signed admin webhooks back',
});
