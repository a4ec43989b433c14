/** `tsanet`: the descriptor (the light part every function may carry) and the connector's own settings (API.md, "`tsanet`"). */
import * as z from 'zod';
import { defineConnector } from '../kinds';

const required = z.string({ error: 'is required' }).min(1, 'is required');
/** TSANet ids are numbers; a string is taken as written (an `${ENV}` reference resolves to one). */
const companyId = z.union([z.string().min(1, 'is required'), z.number().int().positive()]).transform(String);

/** Connect password login: `POST /v1/login`. */
const PasswordLogin = z.object({ username: required, password: required });
/** Entra ID client credentials (TSANet's production API accounts): a token for `<audience>/.default`. */
const EntraLogin = z.object({
  tenantId: required, clientId: required, clientSecret: required, audience: required,
  loginUrl: z.url().default('https://login.microsoftonline.com'),
});

export const TsanetSettings = z.object({
  credentials: z.union([PasswordLogin, EntraLogin], { error: 'must be { username, password } or { tenantId, clientId, clientSecret, audience }' }),
  /** The receiving member's TSANet company id. */
  partnerCompanyId: companyId.optional().refine((v) => v !== undefined, 'is required'),
  /** The receiver's intake form; read from `GET /v1/forms/company/{partnerCompanyId}` when not set. */
  documentId: companyId.optional(),
  /** `{ "<label or fieldId>": "<value, {{placeholders}} allowed>" }` for the receiver's required form fields. */
  customFields: z.record(z.string(), z.string()).default({}),
  submitterContact: z.object({ name: required, email: z.email('must be an email address'), phone: z.string().min(1).optional() }),
  /** The `secret` TSANet answered when the webhook subscription was created. */
  webhookSecret: z.string().min(1).optional(),
  /** Extra secrets accepted during rotation. */
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
});
export type TsanetSettings = z.infer<typeof TsanetSettings>;

export const tsanet = defineConnector({
  id: 'tsanet', kind: 'ticketing', settings: TsanetSettings, example: 'microsoft-tsanet.json',
  secrets: [{ path: 'credentials.password', form: 'text', optional: true }, { path: 'credentials.clientSecret', form: 'text', optional: true }, { path: 'webhookSecret', form: 'text', optional: true }],
  summary: 'TSANet Connect collaboration requests: found by `internalCaseNumber` before any re-create, the receiver\'s form filled from the profile; status by polling `updatedAfter` and signed thin webhooks (the request then read by token); a rejection refers with the receiver\'s reason',
});
