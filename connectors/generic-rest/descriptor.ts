/** `generic-rest`: the descriptor (the light part every function may carry) and the connector's own settings. */
import * as z from 'zod';
import { defineConnector } from '../kinds';

export const GenericRestSettings = z.object({
  credentials: z.object({ token: z.string().min(1, 'credentials.token is required') }),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'webhookSecret must look like whsec_<base64>').optional(),
  /** Extra secrets accepted during rotation. */
  previousWebhookSecrets: z.array(z.string()).optional(),
});
export type GenericRestSettings = z.infer<typeof GenericRestSettings>;

export const genericRest = defineConnector({
  id: 'generic-rest', kind: 'ticketing', settings: GenericRestSettings, example: 'generic-rest.json',
  secrets: [{ path: 'credentials.token', form: 'text' }, { path: 'webhookSecret', form: 'standard-webhooks', optional: true }],
  summary: "the hub's own partner protocol: REST incidents found by `externalRef` before any re-create, Standard Webhooks back",
});
