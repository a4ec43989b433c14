/** `jira`: the connector's own profile settings (schema and validation), apart from its HTTP and webhook halves, so that functions that only validate settings carry nothing else. */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import { parseSettings } from '../settings';
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

export function jiraSettings(profile: PartnerProfile): JiraSettings {
  return parseSettings(JiraSettings, profile, profile.id, 'jira');
}
