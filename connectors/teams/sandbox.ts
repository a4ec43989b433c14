/**
 * A sandbox Microsoft Graph + Entra ID on one port, for the `teams` collaboration connector:
 *
 * - `POST /{tenantId}/oauth2/v2.0/token` (client credentials, form-encoded) issues bearer tokens;
 * - `POST [/v1.0]/users/{organizerUserId}/onlineMeetings/createOrGet` creates a meeting (201) or returns
 *   the one with that `externalId` (200), and checks the bearer token it issued;
 * - `GET /l/meetup-join/...` is a tiny page standing in for the Teams join link;
 * - `move(meetingId, 'CallStarted' | 'CallEnded' | 'CallRosterUpdate')` posts a change notification in
 *   Graph's shape (resource named by the join URL, properties in `resourceData`, as without
 *   `includeResourceData`) with the configured `clientState` to `settings.webhookUrl`;
 * - `validate()` performs Graph's `?validationToken=` handshake against the webhook URL;
 * - `POST|GET [/v1.0|/beta]/subscriptions`, `GET|PATCH|DELETE /subscriptions/{id}` and
 *   `POST /subscriptions/{id}/reauthorize` keep change-notification subscriptions as Graph does: a new one
 *   is accepted only after its `notificationUrl` (and `lifecycleNotificationUrl`) answered the
 *   `validationToken` handshake, lives at most three days, and stops receiving at its expiry. `move()`
 *   delivers to every live subscription on the meeting (with that subscription's id and `clientState`);
 *   `lifecycle(subscriptionId, event)` posts a lifecycle notification (`reauthorizationRequired`,
 *   `subscriptionRemoved` — which also deletes it —, `missed`) to its `lifecycleNotificationUrl`.
 *
 * Point `loginUrl` at `baseUrl` and `graphUrl` at `baseUrl` (or `baseUrl + '/v1.0'`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../core/ports';
import { defineSandbox } from '../halves';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender, escapeHtml, SandboxTokens } from '../sandbox';
import { entraTokenAnswer, graphError } from '../entra-sandbox';
import { meetingRef } from './webhook';
import { teams } from './descriptor';

export interface TeamsSandboxOptions {
  port?: number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  organizerUserId: string;
  clientState: string;
  webhookUrl?: string;
  /** Lifetime of issued tokens (Entra: about an hour). */
  tokenLifetimeSeconds?: number;
  /**
   * `move()` on a meeting nobody subscribed to posts to `webhookUrl` as if subscribed (default `true`: the
   * connector's own tests); `false` is Graph: no subscription, no notification.
   */
  deliverWithoutSubscription?: boolean;
  /** The sandbox's time (subscription expiry); default the system clock. */
  clock?: Clock;
}

/** Graph's longest lifetime of a meeting call events subscription: three days. */
export const SANDBOX_SUBSCRIPTION_MAX_MS = 3 * 24 * 3600_000;

export interface SandboxSubscription {
  id: string; resource: string; changeType: string; notificationUrl: string; lifecycleNotificationUrl?: string;
  clientState?: string; expirationDateTime: string; includeResourceData: boolean; creationDateTime: string;
  /** How often it was reauthorized (POST /subscriptions/{id}/reauthorize). */
  reauthorized: number;
}

export interface SandboxDelivery { kind: 'change' | 'lifecycle'; subscriptionId: string; url: string; status: number; event: string }

export interface SandboxMeeting {
  id: string; externalId: string; organizerUserId: string; subject: string;
  startDateTime: string; endDateTime: string; creationDateTime: string; joinWebUrl: string;
}

const CALL_EVENTS: Record<string, string> = {
  CallStarted: 'Microsoft.Communication.CallStarted', started: 'Microsoft.Communication.CallStarted',
  CallEnded: 'Microsoft.Communication.CallEnded', ended: 'Microsoft.Communication.CallEnded',
  CallRosterUpdate: 'Microsoft.Communication.CallRosterUpdate', roster: 'Microsoft.Communication.CallRosterUpdate',
};



export async function startTeamsSandbox(opts: TeamsSandboxOptions) {
  const meetings = new Map<string, SandboxMeeting>();
  const tokens = new SandboxTokens('sbx-graph-', opts.tokenLifetimeSeconds ?? 3599);
  const calls: { method: string; path: string; body: string }[] = [];
  const faults: SandboxFault[] = [];
  const settings = { webhookUrl: opts.webhookUrl, deliverWithoutSubscription: opts.deliverWithoutSubscription ?? true };
  const clock = opts.clock ?? systemClock;
  const subscriptions = new Map<string, SandboxSubscription>();
  const deliveries: SandboxDelivery[] = [];
  const live = (x: SandboxSubscription) => Date.parse(x.expirationDateTime) > clock.now().getTime();
  const subView = (x: SandboxSubscription) => ({
    '@odata.context': 'https://graph.microsoft.com/beta/$metadata#subscriptions/$entity',
    id: x.id, resource: x.resource, changeType: x.changeType, clientState: null, notificationUrl: x.notificationUrl,
    lifecycleNotificationUrl: x.lifecycleNotificationUrl ?? null, expirationDateTime: x.expirationDateTime,
    includeResourceData: x.includeResourceData, creatorId: opts.clientId, applicationId: opts.clientId,
    latestSupportedTlsVersion: 'v1_2', notificationUrlAppId: null,
  });
  /** The join URL a subscription's resource names (the filter form or `onlineMeetings(joinWebUrl='…')`). */
  const joinUrlOf = (resource: string) => meetingRef({ subscriptionId: '-', resource })?.joinWebUrl;

  const view = (m: SandboxMeeting) => ({
    '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#onlineMeetings/$entity",
    id: m.id, creationDateTime: m.creationDateTime, startDateTime: m.startDateTime, endDateTime: m.endDateTime,
    joinWebUrl: m.joinWebUrl, subject: m.subject, externalId: m.externalId, isBroadcast: false,
    participants: { organizer: { role: 'presenter', identity: { user: { id: m.organizerUserId } } }, attendees: [] },
  });

  /** Posts a notification body to the hub as Graph would; returns the hub's status. */
  async function notify(body: string): Promise<number> {
    if (!settings.webhookUrl) throw new Error('no webhookUrl is set');
    const res = await fetch(settings.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
    return res.status;
  }

  /** Builds the change notification Graph sends for a meeting call event. */
  function notification(m: SandboxMeeting, eventType: string, over: { clientState?: string | undefined; subscription?: SandboxSubscription } = {}) {
    const resource = `communications/onlineMeetings?$filter=joinWebUrl+eq+'${m.joinWebUrl}'`;
    const roster = eventType.endsWith('CallRosterUpdate')
      ? { 'activeParticipants@joined': [{ id: 'User', identity: { User: { Id: randomUUID(), DisplayName: 'Sandbox Engineer', TenantId: opts.tenantId } } }], 'activeParticipants@exited': [] }
      : {};
    return {
      value: [{
        subscriptionId: over.subscription?.id ?? randomUUID(),
        clientState: over.clientState ?? (over.subscription ? over.subscription.clientState : opts.clientState),
        changeType: 'updated',
        tenantId: opts.tenantId,
        resource,
        subscriptionExpirationDateTime: over.subscription?.expirationDateTime ?? new Date(clock.now().getTime() + 3 * 86400_000).toISOString(),
        resourceData: {
          '@odata.type': '#Microsoft.Graph.onlineMeeting', '@odata.id': resource, id: resource,
          eventType, eventDateTime: new Date().toISOString(), state: eventType.endsWith('CallEnded') ? 'inactive' : 'active', ...roster,
        },
        organizationId: opts.tenantId,
      }],
    };
  }

  async function post(url: string, body: string): Promise<number> {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
      return res.status;
    } catch {
      return 0; // unreachable: Graph would retry, then drop it
    }
  }

  /**
   * Emits a meeting call event (`CallStarted`, `CallEnded`, `CallRosterUpdate`) for meeting `id`: one
   * notification to each live subscription on the meeting; `status` is the last answer (0: none sent).
   */
  async function move(id: string, status: string) {
    const m = meetings.get(id);
    if (!m) throw new Error(`no meeting ${id}`);
    const eventType = CALL_EVENTS[status];
    if (!eventType) throw new Error(`unknown meeting event ${status} (use CallStarted, CallEnded or CallRosterUpdate)`);
    const subs = [...subscriptions.values()].filter((x) => live(x) && joinUrlOf(x.resource) === m.joinWebUrl);
    if (subs.length === 0) {
      if (!settings.deliverWithoutSubscription || !settings.webhookUrl) return { status: 0, body: '', delivered: 0 };
      const body = JSON.stringify(notification(m, eventType));
      return { status: await notify(body), body, delivered: 1 };
    }
    let last = { status: 0, body: '' };
    for (const sub of subs) {
      const body = JSON.stringify(notification(m, eventType, { subscription: sub }));
      const code = await post(sub.notificationUrl, body);
      deliveries.push({ kind: 'change', subscriptionId: sub.id, url: sub.notificationUrl, status: code, event: eventType });
      last = { status: code, body };
    }
    return { ...last, delivered: subs.length };
  }

  /**
   * Posts a lifecycle notification for a subscription to its `lifecycleNotificationUrl` (else its
   * `notificationUrl`), as Graph does; `subscriptionRemoved` also deletes the subscription.
   */
  async function lifecycle(subscriptionId: string, event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed', over: { clientState?: string } = {}) {
    const sub = subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    if (event === 'subscriptionRemoved') subscriptions.delete(subscriptionId);
    const url = sub.lifecycleNotificationUrl ?? sub.notificationUrl;
    const body = JSON.stringify({ value: [{
      subscriptionId, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: opts.tenantId,
      clientState: over.clientState ?? sub.clientState, lifecycleEvent: event,
    }] });
    const status = await post(url, body);
    deliveries.push({ kind: 'lifecycle', subscriptionId, url, status, event });
    return { status, body };
  }

  /** Graph's handshake on a URL a subscription names: 200, text/plain, the token echoed, within 10 s. */
  async function handshake(target: string): Promise<boolean> {
    try {
      const url = new URL(target);
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
      url.searchParams.set('validationToken', token);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(10_000) });
      return res.status === 200 && (await res.text()) === token && (res.headers.get('content-type') ?? '').startsWith('text/plain');
    } catch {
      return false;
    }
  }

  /** The subscription routes; `undefined` when the path is not one of them. */
  async function subscriptionRoute(method: string, path: string, body: string): Promise<{ status: number; body?: unknown } | undefined> {
    const m = path.match(/^(?:\/v1\.0|\/beta)?\/subscriptions(?:\/([^/]+))?(\/reauthorize)?$/);
    if (!m) return undefined;
    const id = m[1] ? decodeURIComponent(m[1]) : undefined;
    const now = clock.now().getTime();
    for (const x of [...subscriptions.values()]) if (!live(x)) subscriptions.delete(x.id); // Graph deletes expired subscriptions
    const input = (): Record<string, unknown> | undefined => { try { return JSON.parse(body || '{}') as Record<string, unknown>; } catch { return undefined; } };
    const expiry = (v: unknown): number | string => {
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isNaN(t)) return 'expirationDateTime is required and must be a time.';
      if (t <= now) return 'Subscription expiration can only be in the future.';
      if (t > now + SANDBOX_SUBSCRIPTION_MAX_MS) return `Subscription expiration can only be ${SANDBOX_SUBSCRIPTION_MAX_MS / 60_000} minutes in the future.`;
      return t;
    };
    if (!id && method === 'GET') return { status: 200, body: { value: [...subscriptions.values()].filter(live).map(subView) } };
    if (!id && method === 'POST') {
      const b = input();
      if (!b) return { status: 400, body: graphError('BadRequest', 'The request body is not JSON.') };
      for (const f of ['changeType', 'notificationUrl', 'resource'] as const) {
        if (typeof b[f] !== 'string' || !b[f]) return { status: 400, body: graphError('InvalidRequest', `${f} is required.`) };
      }
      const exp = expiry(b.expirationDateTime);
      if (typeof exp === 'string') return { status: 400, body: graphError('InvalidRequest', exp) };
      const joinUrl = joinUrlOf(b.resource as string);
      if (!joinUrl || ![...meetings.values()].some((x) => x.joinWebUrl === joinUrl)) {
        return { status: 404, body: graphError('ResourceNotFound', 'The resource names no online meeting this sandbox knows (use the meeting\'s joinWebUrl).') };
      }
      if (typeof b.clientState === 'string' && b.clientState.length > 128) return { status: 400, body: graphError('InvalidRequest', 'clientState is longer than 128 characters.') };
      const lifecycleUrl = typeof b.lifecycleNotificationUrl === 'string' ? b.lifecycleNotificationUrl : undefined;
      if (!lifecycleUrl && exp > now + 3600_000) {
        return { status: 400, body: graphError('InvalidRequest', 'lifecycleNotificationUrl is required for a subscription that expires in more than an hour.') };
      }
      for (const url of new Set([b.notificationUrl as string, ...(lifecycleUrl ? [lifecycleUrl] : [])])) {
        if (!(await handshake(url))) {
          return { status: 400, body: graphError('InvalidRequest', 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.') };
        }
      }
      const sub: SandboxSubscription = {
        id: randomUUID(), resource: b.resource as string, changeType: b.changeType as string, notificationUrl: b.notificationUrl as string,
        ...(lifecycleUrl ? { lifecycleNotificationUrl: lifecycleUrl } : {}),
        ...(typeof b.clientState === 'string' ? { clientState: b.clientState } : {}),
        expirationDateTime: new Date(exp).toISOString(), includeResourceData: b.includeResourceData === true,
        creationDateTime: new Date(now).toISOString(), reauthorized: 0,
      };
      subscriptions.set(sub.id, sub);
      return { status: 201, body: subView(sub) };
    }
    const sub = id ? subscriptions.get(id) : undefined;
    if (!sub || !live(sub)) return { status: 404, body: graphError('ResourceNotFound', `The object was not found (subscription ${id}).`) };
    if (m[2]) {
      if (method !== 'POST') return { status: 405, body: graphError('MethodNotAllowed', 'Use POST.') };
      sub.reauthorized++;
      return { status: 204 };
    }
    if (method === 'GET') return { status: 200, body: subView(sub) };
    if (method === 'DELETE') { subscriptions.delete(sub.id); return { status: 204 }; }
    if (method === 'PATCH') {
      const b = input();
      const exp = expiry(b?.expirationDateTime);
      if (typeof exp === 'string') return { status: 400, body: graphError('InvalidRequest', exp) };
      sub.expirationDateTime = new Date(exp).toISOString();
      return { status: 200, body: subView(sub) };
    }
    return { status: 405, body: graphError('MethodNotAllowed', `${method} is not allowed here.`) };
  }

  /** Graph's subscription handshake: `POST {webhookUrl}?validationToken=...`, expecting the token back as text/plain. */
  async function validate(token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`) {
    if (!settings.webhookUrl) throw new Error('no webhookUrl is set');
    const url = new URL(settings.webhookUrl);
    url.searchParams.set('validationToken', token);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return { ok: res.status === 200 && text === token && (res.headers.get('content-type') ?? '').startsWith('text/plain'), status: res.status, body: text, token };
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    if (url.pathname === '/_sandbox/meetings' && req.method === 'GET') return send(200, { items: [...meetings.values()] });
    if (url.pathname === '/_sandbox/subscriptions' && req.method === 'GET') return send(200, { items: [...subscriptions.values()].filter(live), deliveries });
    if (url.pathname.startsWith('/l/meetup-join/') && req.method === 'GET') {
      const m = [...meetings.values()].find((x) => new URL(x.joinWebUrl).pathname === url.pathname);
      res.writeHead(m ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(m ? `<!doctype html><title>Sandbox Teams meeting</title><p>Sandbox Teams meeting ${escapeHtml(m.subject)} (${m.startDateTime})</p>` : '<p>No such meeting</p>');
    }

    const call = { method: req.method ?? 'GET', path: url.pathname, body };
    calls.push(call);
    const fault = await takeFault(faults, call);
    if (fault) {
      return send(fault.status, graphError(fault.status === 429 ? 'TooManyRequests' : 'ScriptedFailure', 'scripted failure'), fault.headers);
    }

    const token = entraTokenAnswer(req, url.pathname, body, opts, tokens);
    if (token) return send(...token);

    if (!tokens.accepts(req.headers.authorization)) return send(401, graphError('InvalidAuthenticationToken', 'Access token is empty, expired or not issued by this sandbox.'));

    const subRoute = await subscriptionRoute(req.method ?? 'GET', url.pathname, body);
    if (subRoute) {
      if (subRoute.body === undefined) { res.writeHead(subRoute.status); return res.end(); }
      return send(subRoute.status, subRoute.body);
    }

    const create = url.pathname.match(/^(?:\/v1\.0)?\/users\/([^/]+)\/onlineMeetings\/createOrGet$/);
    if (create && req.method === 'POST') {
      const userId = decodeURIComponent(create[1]!);
      if (userId !== opts.organizerUserId) {
        return send(403, graphError('Forbidden', 'No application access policy found for this app (sandbox: only the configured organizer).'));
      }
      let input: Record<string, unknown>;
      try { input = JSON.parse(body) as Record<string, unknown>; } catch { return send(400, graphError('BadRequest', 'The request body is not JSON.')); }
      if (typeof input.externalId !== 'string' || input.externalId.length === 0) return send(400, graphError('BadRequest', 'externalId is required.'));
      const existing = [...meetings.values()].find((m) => m.organizerUserId === userId && m.externalId === input.externalId);
      if (existing) return send(200, view(existing));
      const hasStart = typeof input.startDateTime === 'string';
      const hasEnd = typeof input.endDateTime === 'string';
      if (hasEnd && !hasStart) return send(400, graphError('BadRequest', 'endDateTime requires startDateTime.'));
      const start = hasStart ? Date.parse(input.startDateTime as string) : Date.now();
      const end = hasEnd ? Date.parse(input.endDateTime as string) : start + 3600_000;
      if (Number.isNaN(start) || Number.isNaN(end) || end < start) return send(400, graphError('BadRequest', 'startDateTime and endDateTime must be times, the end not before the start.'));
      const thread = randomBytes(18).toString('base64url');
      const id = `MSo${randomBytes(30).toString('base64url')}`;
      const meeting: SandboxMeeting = {
        id, externalId: input.externalId, organizerUserId: userId,
        subject: typeof input.subject === 'string' ? input.subject : '',
        startDateTime: new Date(start).toISOString(), endDateTime: new Date(end).toISOString(), creationDateTime: new Date().toISOString(),
        joinWebUrl: `http://127.0.0.1:${port()}/l/meetup-join/19%3ameeting_${thread}%40thread.v2/0?context=%7b%22Tid%22%3a%22${opts.tenantId}%22%7d`,
      };
      meetings.set(id, meeting);
      return send(201, view(meeting));
    }
    return send(404, graphError('ResourceNotFound', `No route for ${req.method} ${url.pathname} in the sandbox.`));
  };

  const served = await serveSandbox(handle, opts.port);
  const port = () => served.port;
  return {
    baseUrl: served.baseUrl,
    meetings,
    calls,
    faults,
    settings,
    /** How many token requests were made (caching checks). */
    get tokenRequests() { return tokens.requests; },
    /** Revokes every issued token: the next API call answers 401. */
    revokeTokens: () => tokens.revokeAll(),
    move,
    lifecycle,
    subscriptions,
    deliveries,
    validate,
    notification,
    notify,
    close: served.close,
  };
}
export type TeamsSandbox = Awaited<ReturnType<typeof startTeamsSandbox>>;

/** Starts from the profile's `collaboration` settings (the same ones the connector validates). */
export const teamsSandboxFactory = defineSandbox(teams, (s, _p, { port, webhookUrl }) => startTeamsSandbox({
  port, ...s.credentials, organizerUserId: s.organizerUserId, clientState: s.clientState, ...(webhookUrl ? { webhookUrl } : {}),
  // as Graph: meeting events reach the hub only through the subscriptions it creates
  deliverWithoutSubscription: false,
}), (s) => s.graphUrl);
