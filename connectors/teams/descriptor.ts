/** `teams`: the descriptor (the light part every function may carry) and the connector's own settings (the profile's `collaboration`). */
import * as z from 'zod';
import { defineConnector } from '../kinds';
import { httpUrlSetting, requiredSetting } from '../settings';

const required = requiredSetting;
const httpUrl = httpUrlSetting;


/** Graph limits `clientState` to 128 characters. */
const CLIENT_STATE_MAX = 128;
export const TeamsSettings = z.object({
  connector: z.literal('teams'),
  graphUrl: httpUrl.default('https://graph.microsoft.com/v1.0'),
  /**
   * Where the hub manages its subscriptions: meeting call events are offered on Graph's beta endpoint only.
   * Default: `graphUrl` with a final `/v1.0` replaced by `/beta`.
   */
  subscriptionsUrl: httpUrl.optional(),
  loginUrl: httpUrl.default('https://login.microsoftonline.com'),
  credentials: z.object({
    tenantId: required('tenantId'),
    clientId: required('clientId'),
    clientSecret: required('clientSecret'),
  }, { error: 'credentials { tenantId, clientId, clientSecret } is required' }),
  /** The Entra object id (or UPN) of the user who organizes the meetings (needs an application access policy). */
  organizerUserId: required('organizerUserId'),
  /** The secret the hub set as `clientState` on its Graph subscriptions; checked on every notification. */
  clientState: required('clientState').max(CLIENT_STATE_MAX, `clientState must be at most ${CLIENT_STATE_MAX} characters (a Graph limit)`),
});
export type TeamsSettings = z.infer<typeof TeamsSettings>;

/** The Graph root the subscriptions live under (see `subscriptionsUrl`). */
export const subscriptionsRoot = (cfg: TeamsSettings) => cfg.subscriptionsUrl ?? cfg.graphUrl.replace(/\/v1\.0\/?$/, '/beta');

export const teams = defineConnector({
  id: 'teams', kind: 'collaboration', settings: TeamsSettings, example: 'microsoft-teams.json',
  secrets: [{ path: 'credentials.clientSecret', form: 'text' }, { path: 'clientState', form: 'text' }],
  summary: 'Microsoft Teams meetings through Graph `createOrGet` (idempotent by `externalId`); meeting events through Graph subscriptions the hub keeps',
});
