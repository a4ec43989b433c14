/** `zoom`: the connector's own profile settings (schema and validation), apart from its HTTP and webhook halves, so that functions that only validate settings carry nothing else. */
import * as z from 'zod';
import { ConfigError } from '../../core/errors';
import { httpUrlSetting, requiredSetting } from '../settings';

const required = requiredSetting;
const httpUrl = httpUrlSetting;

export const ZoomSettings = z.object({
  connector: z.literal('zoom'),
  baseUrl: httpUrl.default('https://api.zoom.us/v2'),
  oauthUrl: httpUrl.default('https://zoom.us/oauth/token'),
  credentials: z.object({
    accountId: required('accountId'),
    clientId: required('clientId'),
    clientSecret: required('clientSecret'),
  }, { error: 'credentials { accountId, clientId, clientSecret } is required' }),
  hostUserId: required('hostUserId').default('me'),
  /** The app's "Secret Token" (Marketplace → Features → Access): the HMAC key for webhooks. */
  webhookSecret: required('webhookSecret'),
  /** Secret tokens still accepted while rotating (validation challenges are answered with the current one). */
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
});
export type ZoomSettings = z.infer<typeof ZoomSettings>;

/** Validates the profile's `collaboration` settings; the ConfigError names the failing field. */
export function parseZoomSettings(settings: unknown, partnerId: string): ZoomSettings {
  const r = ZoomSettings.safeParse(settings);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `partners[${partnerId}].collaboration${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`).join('; '));
  }
  return r.data;
}
