/**
 * `zoom` (collaboration): joint calls as Zoom meetings.
 *
 * - Token: Server-to-Server OAuth (`POST {oauthUrl}?grant_type=account_credentials&account_id=…`,
 *   Basic `clientId:clientSecret`), cached until shortly before it expires (Zoom issues no refresh
 *   token); a 401 from the API drops the cached token and retries once with a new one.
 * - Create: `POST {baseUrl}/users/{hostUserId}/meetings` `{ topic, type: 2, start_time, duration,
 *   agenda }` → `id` (a number, returned as a string) and `join_url`.
 * - Duplicates: Zoom has no idempotency key. Within one process, calls for the same `externalId` share
 *   one result (and one request in flight). The agenda carries a marker `[hub-ref:<externalId>]`; after
 *   an *uncertain* failure (network error, timeout, 5xx, unreadable answer: the meeting may exist) the next
 *   try for that externalId first lists the host's upcoming meetings and reuses the one bearing the
 *   marker. Across processes the hub itself must store the meeting before it answers and look it up
 *   before it schedules again (API.md: "a call is scheduled once per request even when retried").
 * - Webhook: `x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:{x-zm-request-timestamp}:{raw body}")>`,
 *   checked over the raw bytes in constant time, the timestamp within five minutes either way. A signed
 *   `endpoint.url_validation` is answered with `{ plainToken, encryptedToken: hex HMAC-SHA256(secret, plainToken) }`.
 *
 * Sources: zoom/webhook-sample `index.js` (which signs re-serialized JSON: here the raw body is used),
 * developers.zoom.us "Using webhooks" (validation, 3 s answer, retries after 5, 20 and 60 minutes).
 */
import * as z from 'zod';
import { PartnerCallError, ValidationError } from '../../core/errors';
import { systemClock, type Clock, type JointCall, type JointCallRequest } from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { zoom, zoomId } from './descriptor';
import { AccessTokenCache } from '../access-token-cache';

/** Zoom's documented limits on the meeting fields. */
const TOPIC_MAX = 200;
const AGENDA_MAX = 2000;
/** How many externalIds the in-process cache remembers. */
const SCHEDULED_CACHE_MAX = 1000;

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  token_type: z.string().optional(),
});

const CreatedMeeting = z.object({ id: zoomId, join_url: z.url() });
const MeetingList = z.object({
  meetings: z.array(z.object({ id: zoomId, join_url: z.url().optional(), agenda: z.string().optional() })).default([]),
  next_page_token: z.string().optional(),
});

/** The marker that lets a later try recognize a meeting it created before an uncertain failure. */
export const refMarker = (externalId: string) => `[hub-ref:${externalId}]`;

/** Zoom's `start_time` in UTC: `yyyy-MM-ddTHH:mm:ssZ` (no milliseconds). */
const zoomTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A failure after which the meeting may nevertheless exist at Zoom (a 429 or another 4xx means it does not). */
const uncertain = (err: unknown) => !(err instanceof PartnerCallError) || (err.transient && err.httpStatus !== 429);

export interface ZoomConnectorOptions { clock?: Clock }

export const zoomConnector = defineHttpHalf(zoom, (cfg, _profile, opts: ZoomConnectorOptions = {}) => {
  const clock = opts.clock ?? systemClock;
  const oauth = partnerClient(cfg.oauthUrl, {});
  const api = partnerClient(cfg.baseUrl, {});
  const basic = Buffer.from(`${cfg.credentials.clientId}:${cfg.credentials.clientSecret}`).toString('base64');
  const hostPath = `/users/${encodeURIComponent(cfg.hostUserId)}/meetings`;

  const tokens = new AccessTokenCache(() => call('get Zoom token', async () => {
    const res = await oauth.post('', null, {
      params: { grant_type: 'account_credentials', account_id: cfg.credentials.accountId },
      headers: { authorization: `Basic ${basic}` },
    });
    const answer = expectResponse('get Zoom token', res, [200], TokenAnswer);
    return { token: answer.access_token, expiresInSeconds: answer.expires_in };
  }), clock);

  // Zoom answers 401 (code 124) for an expired or revoked token, before doing anything: tokens.withToken retries once
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** The host's upcoming meeting that carries `externalId`'s marker, if any (after an uncertain attempt). */
  async function findByExternalId(externalId: string): Promise<JointCall | undefined> {
    const marker = refMarker(externalId);
    let pageToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await tokens.withToken((token) => api.get(hostPath, {
        params: { type: 'upcoming', page_size: 300, ...(pageToken ? { next_page_token: pageToken } : {}) }, headers: bearer(token),
      }));
      const list = expectResponse('find Zoom meeting', res, [200], MeetingList);
      const hit = list.meetings.find((m) => m.agenda?.includes(marker) && m.join_url);
      if (hit) return { provider: 'zoom', meetingId: hit.id, joinUrl: hit.join_url! };
      if (!list.next_page_token) return undefined;
      pageToken = list.next_page_token;
    }
    return undefined;
  }

  async function create(req: JointCallRequest): Promise<JointCall> {
    const start = Date.parse(req.startTime);
    if (Number.isNaN(start)) throw new ValidationError('startTime is not an ISO time.');
    if (!(req.durationMinutes > 0)) throw new ValidationError('durationMinutes must be positive.');
    const marker = refMarker(req.externalId);
    const body = {
      topic: req.subject.slice(0, TOPIC_MAX),
      type: 2,
      start_time: zoomTime(start),
      timezone: 'UTC',
      duration: Math.round(req.durationMinutes),
      agenda: `${req.agenda.slice(0, AGENDA_MAX - marker.length - 2)}\n\n${marker}`,
    };
    const res = await tokens.withToken((token) => api.post(hostPath, body, { headers: { ...bearer(token), 'content-type': 'application/json' } }));
    const meeting = expectResponse('create Zoom meeting', res, [201, 200], CreatedMeeting);
    return { provider: 'zoom', meetingId: meeting.id, joinUrl: meeting.join_url };
  }

  /** Per externalId: the call in flight or its result; and which ones failed uncertainly before. */
  const scheduled = new Map<string, Promise<JointCall>>();
  const maybeCreated = new Set<string>();

  return {
    provider: zoom.id,
    // S2S OAuth, then the host's upcoming meetings: the read every retry after an uncertain failure makes
    setUpProbes: () => [
      { check: 'token', run: async () => { await tokens.get(); return 'Server-to-Server OAuth token issued'; } },
      { check: 'read', run: () => call('list Zoom meetings', async () => { await findByExternalId('hub:doctor'); return 'the host\'s upcoming meetings listed'; }) },
    ],
    scheduleJointCall(req: JointCallRequest): Promise<JointCall> {
      const known = scheduled.get(req.externalId);
      if (known) return known;
      const attempt = call('schedule Zoom meeting', async () => {
        if (maybeCreated.has(req.externalId)) {
          const found = await findByExternalId(req.externalId);
          if (found) return found;
        }
        return create(req);
      });
      scheduled.set(req.externalId, attempt);
      // a long-running local process: keep the most recent results only (Map keeps insertion order)
      if (scheduled.size > SCHEDULED_CACHE_MAX) scheduled.delete(scheduled.keys().next().value!);
      attempt.then(
        () => maybeCreated.delete(req.externalId),
        (err: unknown) => {
          scheduled.delete(req.externalId);
          if (uncertain(err)) maybeCreated.add(req.externalId);
        },
      );
      return attempt;
    },
  };
});
