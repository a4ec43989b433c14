/** `zendesk`: the descriptor (the light part every function may carry) and the connector's own settings. */
import * as z from 'zod';
import { defineConnector } from '../kinds';

export const ZendeskSettings = z.object({
  credentials: z.object({
    email: z.email({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be an email address') }),
    apiToken: z.string({ error: 'is required' }).min(1, 'is required'),
  }),
  /** The webhook's signing secret, used as-is as the HMAC key. */
  webhookSecret: z.string().min(1).optional(),
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
  /** Optional routing of new tickets. */
  groupId: z.number().int().positive().optional(),
  tags: z.array(z.string().min(1)).default(['escalation-hub']),
  /** Hub comments are public replies (true) or internal notes (false). */
  publicComments: z.boolean().default(true),
});
export type ZendeskSettings = z.infer<typeof ZendeskSettings>;

export const zendesk = defineConnector({
  id: 'zendesk', kind: 'ticketing', settings: ZendeskSettings, example: 'zendesk.json',
  secrets: [{ path: 'credentials.apiToken', form: 'text' }, { path: 'webhookSecret', form: 'text', optional: true }],
  summary: 'Zendesk Support tickets: `Idempotency-Key` and `external_id` against duplicates, signed webhooks back',
});
