/** `generic-rest`: the connector's own profile settings (schema and validation), apart from its HTTP and webhook halves, so that functions that only validate settings carry nothing else. */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import { parseSettings } from '../settings';

export const GenericRestSettings = z.object({
  credentials: z.object({ token: z.string().min(1, 'credentials.token is required') }),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'webhookSecret must look like whsec_<base64>').optional(),
  /** Extra secrets accepted during rotation. */
  previousWebhookSecrets: z.array(z.string()).optional(),
});
export type GenericRestSettings = z.infer<typeof GenericRestSettings>;

export function genericRestSettings(profile: PartnerProfile): GenericRestSettings {
  return parseSettings(GenericRestSettings, profile, profile.id, 'generic-rest');
}
