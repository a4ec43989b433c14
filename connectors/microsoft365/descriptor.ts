/** `microsoft365`: the descriptor and the source's settings (the profile's `serviceHealth`). */
import * as z from 'zod';
import { defineConnector } from '../kinds';
import { httpUrlSetting, pollIntervalSetting, requiredSetting } from '../settings';

export const Microsoft365Settings = z.object({
  source: z.literal('microsoft365'),
  graphUrl: httpUrlSetting.default('https://graph.microsoft.com/v1.0'),
  loginUrl: httpUrlSetting.default('https://login.microsoftonline.com'),
  /** An app registration with the application permission `ServiceHealth.Read.All` (admin consent). */
  credentials: z.object({
    tenantId: requiredSetting('tenantId'),
    clientId: requiredSetting('clientId'),
    clientSecret: requiredSetting('clientSecret'),
  }, { error: 'credentials { tenantId, clientId, clientSecret } is required' }),
  /** Graph's `service` names (`Microsoft Teams`, `Exchange Online`); none: every service. Case-insensitive. */
  services: z.array(z.string().min(1)).default([]),
  /** Which `classification`s count (Graph: `incident`, `advisory`); case-insensitive. */
  classifications: z.array(z.string().min(1)).default(['incident', 'advisory']),
  pollIntervalSeconds: pollIntervalSetting,
});
export type Microsoft365Settings = z.infer<typeof Microsoft365Settings>;

export const microsoft365 = defineConnector({
  id: 'microsoft365', kind: 'serviceHealth', settings: Microsoft365Settings, example: 'microsoft365-service-health.json',
  secrets: [{ path: 'credentials.clientSecret', form: 'text' }],
  summary: 'Microsoft 365 service health (Graph `admin/serviceAnnouncement/issues`, application token): the tenant\'s open issues of the named services, enum values compared case-insensitively',
});
