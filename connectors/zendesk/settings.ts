/** `zendesk`: the connector's own profile settings (schema and validation), apart from its HTTP and webhook halves, so that functions that only validate settings carry nothing else. */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import { parseSettings } from '../settings';

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

export function zendeskSettings(profile: PartnerProfile): ZendeskSettings {
  return parseSettings(ZendeskSettings, profile, profile.id, 'zendesk');
}
