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
import { ValidationError } from '../../core/errors';
import {
  systemClock, type Clock, type JointCall, type JointCallRequest, type MeetingSubscriptionApi, type ProviderSubscription,
} from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { subscriptionsRoot, teams } from './descriptor';
import { graphTokens, sameOrigin } from '../entra-token';

/** Graph: a subscription to meeting call events lasts at most three days; ask a little less. */
export const MEETING_SUBSCRIPTION_MAX_MINUTES = 4230;

/** The Graph resource of one meeting's call events (Graph's own form; its notifications name the meeting the same way). */
export const meetingCallEventsResource = (joinWebUrl: string) => `/communications/onlineMeetings/?$filter=JoinWebUrl eq '${joinWebUrl}'`;

const Subscription = z.looseObject({
  id: z.string().min(1),
  resource: z.string(),
  expirationDateTime: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expirationDateTime is not a time'),
  notificationUrl: z.string().optional(),
});
const SubscriptionList = z.looseObject({ value: z.array(Subscription), '@odata.nextLink': z.string().optional() });
const toProvider = (s: z.infer<typeof Subscription>): ProviderSubscription => ({
  id: s.id, resource: s.resource, expiresAt: new Date(Date.parse(s.expirationDateTime)).toISOString(), notificationUrl: s.notificationUrl,
});
/** Graph may answer the resource without the leading slash or with other spacing: compare what matters. */
const sameResource = (a: string, b: string) => a.replace(/^\//, '').replace(/\s+/g, ' ').toLowerCase() === b.replace(/^\//, '').replace(/\s+/g, ' ').toLowerCase();

const OnlineMeeting = z.object({
  id: z.string().min(1),
  joinWebUrl: z.url(),
  externalId: z.string().optional(),
});

export interface TeamsConnectorOptions { clock?: Clock }

export const teamsConnector = defineHttpHalf(teams, (cfg, _profile, opts: TeamsConnectorOptions = {}) => {
  const clock = opts.clock ?? systemClock;
  const graph = partnerClient(cfg.graphUrl, {});
  const tokens = graphTokens(cfg.loginUrl, cfg.credentials, clock);

  const subs = partnerClient(subscriptionsRoot(cfg), {});
  const authed = (token: string) => ({ headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

  /**
   * Graph subscriptions (`/subscriptions`, on the beta endpoint for meeting call events): created with
   * `changeType: updated`, the hub's webhook as `notificationUrl` and `lifecycleNotificationUrl`, the
   * profile's `clientState`, no resource data. Graph validates both URLs with a `validationToken`
   * handshake before it answers 201.
   */
  const subscriptions: MeetingSubscriptionApi = {
    maxLifetimeMinutes: MEETING_SUBSCRIPTION_MAX_MINUTES,
    resourceFor: (m) => meetingCallEventsResource(m.joinUrl),

    find: (resource, notificationUrl) => call('list Graph subscriptions', async () => {
      let path: string | undefined = '/subscriptions';
      for (let page = 0; path && page < 20; page++) {
        const res = await tokens.withToken((token) => subs.get(path!, authed(token)));
        const list = expectResponse('list Graph subscriptions', res, [200], SubscriptionList);
        // Graph lists live subscriptions only (an expired one is deleted)
        const hit = list.value.find((s) => sameResource(s.resource, resource) && s.notificationUrl === notificationUrl);
        if (hit) return toProvider(hit);
        const next = list['@odata.nextLink'];
        // the next link is absolute: follow it only on the same host
        path = sameOrigin(next, subscriptionsRoot(cfg));
      }
      return undefined;
    }),

    create: (input) => call('create Graph subscription', async () => {
      const body = {
        changeType: 'updated', notificationUrl: input.notificationUrl, lifecycleNotificationUrl: input.lifecycleNotificationUrl,
        resource: input.resource, expirationDateTime: input.expiresAt, clientState: cfg.clientState, includeResourceData: false,
      };
      const res = await tokens.withToken((token) => subs.post('/subscriptions', body, authed(token)));
      return toProvider(expectResponse('create Graph subscription', res, [201, 200], Subscription));
    }),

    renew: (id, expiresAt) => call('renew Graph subscription', async () => {
      const res = await tokens.withToken((token) => subs.patch(`/subscriptions/${encodeURIComponent(id)}`, { expirationDateTime: expiresAt }, authed(token)));
      return toProvider(expectResponse('renew Graph subscription', res, [200], Subscription));
    }),

    reauthorize: (id) => call('reauthorize Graph subscription', async () => {
      const res = await tokens.withToken((token) => subs.post(`/subscriptions/${encodeURIComponent(id)}/reauthorize`, undefined, authed(token)));
      expectResponse('reauthorize Graph subscription', res, [200, 204], z.unknown());
    }),

    remove: (id) => call('delete Graph subscription', async () => {
      const res = await tokens.withToken((token) => subs.delete(`/subscriptions/${encodeURIComponent(id)}`, authed(token)));
      expectResponse('delete Graph subscription', res, [204, 200, 404], z.unknown());
    }),
  };

  return {
    provider: teams.id,
    subscriptions,
    // client credentials at Entra, then the hub's own Graph subscriptions listed (a read it makes anyway)
    setUpProbes: () => [
      { check: 'token', run: async () => { await tokens.get(); return 'client-credentials token issued'; } },
      { check: 'read', run: async () => { await subscriptions.find('hub:doctor', 'hub:doctor'); return 'Graph subscriptions listed'; } },
    ],
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
  };
});
