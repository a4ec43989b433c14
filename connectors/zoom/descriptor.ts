/** `zoom`: the descriptor (the light part every function may carry) and the connector's own settings (the profile's `collaboration`). */
import * as z from 'zod';
import { defineConnector } from '../kinds';
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

/** Zoom's numeric ids, read as strings (by the HTTP half's answers and the inbound half's events alike). */
export const zoomId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

export const zoom = defineConnector({
  id: 'zoom', kind: 'collaboration', settings: ZoomSettings, example: 'zoom.json',
  secrets: [{ path: 'credentials.clientSecret', form: 'text' }, { path: 'webhookSecret', form: 'text' }],
  summary: 'Zoom meetings through Server-to-Server OAuth; signed webhooks (`x-zm-signature`) with endpoint validation',
});
