/**
 * What the Graph sandboxes (teams, microsoft365) share: Entra ID's client-credentials token endpoint and
 * Graph's error body. For the local runtime and tests only: no bundle imports it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GRAPH_SCOPE, type EntraCredentials } from './entra-token';
import type { SandboxTokens } from './sandbox';

export const graphError = (code: string, message: string) => ({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID() } } });

/**
 * Answers `POST /{tenantId}/oauth2/v2.0/token` as Entra does (form-encoded client credentials, the Graph
 * scope; errors in its AADSTS form); `undefined` for any other request.
 */
export function entraTokenAnswer(req: IncomingMessage, path: string, body: string, app: EntraCredentials, tokens: SandboxTokens): [number, unknown] | undefined {
  const tenant = path.match(/^\/([^/]+)\/oauth2\/v2\.0\/token$/);
  if (!tenant || req.method !== 'POST') return undefined;
  tokens.requests++;
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return [400, { error: 'invalid_request', error_description: 'AADSTS900144: The request body must be form-encoded.' }];
  if (decodeURIComponent(tenant[1]!) !== app.tenantId) return [400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant[1]}' not found.` }];
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'client_credentials') return [400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The app requested an unsupported grant type.' }];
  if (form.get('scope') !== GRAPH_SCOPE) return [400, { error: 'invalid_scope', error_description: 'AADSTS1002012: The provided value for scope is not valid.' }];
  if (form.get('client_id') !== app.clientId || form.get('client_secret') !== app.clientSecret) {
    return [401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }];
  }
  return [200, { token_type: 'Bearer', expires_in: tokens.lifetimeSeconds, ext_expires_in: tokens.lifetimeSeconds, access_token: tokens.issue() }];
}
