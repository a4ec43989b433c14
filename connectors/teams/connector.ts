/**
 * `teams` (collaboration): joint calls as Microsoft Teams online meetings through Microsoft Graph.
 *
 * - Token: Entra ID client credentials (`POST {loginUrl}/{tenantId}/oauth2/v2.0/token`), cached until
 *   shortly before it expires; a 401 from Graph drops the cached token and retries once with a new one.
 * - Create: `POST {graphUrl}/users/{organizerUserId}/onlineMeetings/createOrGet` with the request's
 *   `externalId`: Graph answers 201 (created) or 200 (the meeting that already has that externalId), so
 *   a retried request never makes a second meeting.
 * - Webhook: Graph change notifications. `?validationToken=` is echoed as `text/plain`; every
 *   notification in `value[]` must carry the configured `clientState` (Graph signs nothing else when
 *   resource data is not included).
 *
 * Sources: microsoft-graph-docs-contrib `api-reference/v1.0/api/onlinemeeting-createorget.md`,
 * `concepts/changenotifications-for-onlinemeeting.md`, `concepts/webhooks.md`.
 */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import { ValidationError } from '../../core/errors';
import { systemClock, type Clock, type CollaborationConnector, type JointCall, type JointCallRequest } from '../../core/ports';
import { call, expectResponse, partnerClient } from '../partner-http';
import { AccessTokenCache } from '../access-token-cache';
import { parseTeamsSettings, teamsWebhooks } from './webhook';

export { canonicalJson, graphDeliveryId, meetingRef, parseTeamsSettings, TeamsSettings } from './webhook';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  // Entra v2 answers a number; the v1 endpoint and some proxies answer a string
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  token_type: z.string().optional(),
});

const OnlineMeeting = z.object({
  id: z.string().min(1),
  joinWebUrl: z.url(),
  externalId: z.string().optional(),
});

export interface TeamsConnectorOptions { clock?: Clock }

export function teamsConnector(settings: Record<string, unknown>, profile: PartnerProfile, opts: TeamsConnectorOptions = {}): CollaborationConnector {
  const cfg = parseTeamsSettings(settings, profile.id);
  const clock = opts.clock ?? systemClock;
  const login = partnerClient(cfg.loginUrl, {});
  const graph = partnerClient(cfg.graphUrl, {});
  const { tenantId, clientId, clientSecret } = cfg.credentials;

  const tokens = new AccessTokenCache(() => call('get Graph token', async () => {
    const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, scope: GRAPH_SCOPE, grant_type: 'client_credentials' });
    const res = await login.post(`/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, form.toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const answer = expectResponse('get Graph token', res, [200], TokenAnswer);
    return { token: answer.access_token, expiresInSeconds: answer.expires_in };
  }), clock);

  return {
    scheduleJointCall: (req: JointCallRequest): Promise<JointCall> => call('create Teams meeting', async () => {
      const start = Date.parse(req.startTime);
      if (Number.isNaN(start)) throw new ValidationError('startTime is not an ISO time.');
      if (!(req.durationMinutes > 0)) throw new ValidationError('durationMinutes must be positive.');
      // Graph's onlineMeeting has no agenda or body field: the subject is all the meeting shows
      const body = {
        externalId: req.externalId,
        subject: req.subject,
        startDateTime: new Date(start).toISOString(),
        endDateTime: new Date(start + req.durationMinutes * 60_000).toISOString(),
      };
      const res = await tokens.withToken((token) => graph.post(`/users/${encodeURIComponent(cfg.organizerUserId)}/onlineMeetings/createOrGet`, body, {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      }));
      const meeting = expectResponse('create Teams meeting', res, [200, 201], OnlineMeeting);
      return { provider: 'teams', meetingId: meeting.id, joinUrl: meeting.joinWebUrl };
    }),

    ...teamsWebhooks(cfg, clock),
  };
}
