/**
 * Entra ID (Microsoft identity platform) client-credentials tokens for Microsoft Graph, cached
 * (access-token-cache.ts): `POST {loginUrl}/{tenantId}/oauth2/v2.0/token` with the app's id and secret and
 * the `https://graph.microsoft.com/.default` scope. Shared by the connectors that call Graph (teams,
 * microsoft365). Source: learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow.
 */
import * as z from 'zod';
import type { Clock } from '../core/ports';
import { AccessTokenCache } from './access-token-cache';
import { call, expectResponse, partnerClient } from './partner-http';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  // Entra v2 answers a number; the v1 endpoint and some proxies answer a string
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  token_type: z.string().optional(),
});

export interface EntraCredentials { tenantId: string; clientId: string; clientSecret: string }

/** A cache of the app's Graph tokens (one request in flight, refreshed before expiry, dropped on a 401). */
export function graphTokens(loginUrl: string, { tenantId, clientId, clientSecret }: EntraCredentials, clock: Clock): AccessTokenCache {
  const login = partnerClient(loginUrl, {});
  return new AccessTokenCache(() => call('get Graph token', async () => {
    const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, scope: GRAPH_SCOPE, grant_type: 'client_credentials' });
    const res = await login.post(`/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, form.toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const answer = expectResponse('get Graph token', res, [200], TokenAnswer);
    return { token: answer.access_token, expiresInSeconds: answer.expires_in };
  }), clock);
}

/** Whether an `@odata.nextLink` may be followed: only on the Graph host the profile names (it carries the token). */
export const sameOrigin = (next: string | undefined, root: string): string | undefined =>
  next && new URL(next).origin === new URL(root).origin ? next : undefined;
