/**
 * A sandbox Zoom (OAuth + REST API v2 + webhooks) on one port, for the `zoom` collaboration connector:
 *
 * - `POST /oauth/token?grant_type=account_credentials&account_id=…` with Basic `clientId:clientSecret`
 *   issues bearer tokens (Server-to-Server OAuth);
 * - `POST [/v2]/users/{userId}/meetings` creates a meeting (`me` or the configured host), `GET` lists the
 *   host's meetings, `GET [/v2]/meetings/{id}` reads one; every API call checks the bearer token it issued;
 * - `GET /j/{id}` is a tiny page standing in for the join link;
 * - `move(meetingId, 'meeting.started' | 'meeting.ended' | 'meeting.participant_joined' | 'meeting.participant_left')`
 *   posts a signed event to `settings.webhookUrl`; `validate()` runs the `endpoint.url_validation` check.
 *
 * Point `oauthUrl` at `baseUrl + '/oauth/token'` and `baseUrl` (connector) at `baseUrl` or `baseUrl + '/v2'`.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender, escapeHtml, SandboxTokens } from '../sandbox';
import { zoomEncryptedToken, zoomSignature } from './webhook';
import { zoom } from './descriptor';

export interface ZoomSandboxOptions {
  port?: number;
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** The host besides `me` whose meetings may be created. */
  hostUserId?: string;
  webhookSecret: string;
  webhookUrl?: string;
  tokenLifetimeSeconds?: number;
}

export interface SandboxZoomMeeting {
  id: number; uuid: string; host_id: string; topic: string; type: number; start_time: string; duration: number;
  timezone: string; agenda: string; created_at: string; join_url: string; start_url: string; password: string; status: 'waiting' | 'started' | 'finished';
}

const EVENTS = new Set(['meeting.started', 'meeting.ended', 'meeting.participant_joined', 'meeting.participant_left']);


export async function startZoomSandbox(opts: ZoomSandboxOptions) {
  const meetings = new Map<number, SandboxZoomMeeting>();
  const tokens = new SandboxTokens('sbx-zoom-', opts.tokenLifetimeSeconds ?? 3599);
  const calls: { method: string; path: string; body: string }[] = [];
  const faults: SandboxFault[] = [];
  const settings = { webhookUrl: opts.webhookUrl };
  const hostId = `sbx${randomBytes(8).toString('hex')}`;
  /** Creates that succeed but whose answer is lost (the connection is cut), as after a timeout. */
  let answersToLose = 0;

  /** Signs and posts a body as Zoom does; `over` forges headers for negative tests. */
  async function post(body: string, over: { timestamp?: string; secret?: string } = {}) {
    if (!settings.webhookUrl) throw new Error('no webhookUrl is set');
    const ts = over.timestamp ?? String(Math.floor(Date.now() / 1000));
    const res = await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-zm-request-timestamp': ts,
        'x-zm-signature': zoomSignature(over.secret ?? opts.webhookSecret, ts, body),
        'x-zm-trackingid': `v=2.0&s=${randomUUID()}`,
        'user-agent': 'Zoom Marketplace/1.0a',
      },
      body,
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, body: await res.text() };
  }

  /** The event body Zoom sends for a meeting (`event_ts` in milliseconds). */
  function eventBody(m: SandboxZoomMeeting, event: string): string {
    const now = new Date();
    const participant = event.startsWith('meeting.participant_')
      ? { participant: { user_id: String(randomInt(16_000_000, 17_000_000)), user_name: 'Sandbox Engineer', id: '', email: '', [event.endsWith('joined') ? 'join_time' : 'leave_time']: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } }
      : {};
    return JSON.stringify({
      event,
      payload: {
        account_id: opts.accountId,
        object: {
          id: m.id, uuid: m.uuid, host_id: m.host_id, topic: m.topic, type: m.type, start_time: m.start_time,
          timezone: m.timezone, duration: m.duration, ...(event === 'meeting.ended' ? { end_time: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}), ...participant,
        },
      },
      event_ts: now.getTime(),
    });
  }

  /** Emits a meeting event (`meeting.started`, `meeting.ended`, `meeting.participant_joined|left`) for meeting `id`. */
  async function move(id: string, status: string) {
    const m = meetings.get(Number(id));
    if (!m) throw new Error(`no meeting ${id}`);
    const event = status.startsWith('meeting.') ? status : `meeting.${status}`;
    if (!EVENTS.has(event)) throw new Error(`unknown meeting event ${status}`);
    if (event === 'meeting.started') m.status = 'started';
    if (event === 'meeting.ended') m.status = 'finished';
    const body = eventBody(m, event);
    return { ...(await post(body)), sent: body };
  }

  /** Zoom's endpoint check: a signed `endpoint.url_validation`; `ok` when the answer carries the right encryptedToken. */
  async function validate() {
    const plainToken = randomBytes(16).toString('base64url');
    const res = await post(JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: 'endpoint.url_validation' }));
    let answer: { plainToken?: unknown; encryptedToken?: unknown } = {};
    try { answer = JSON.parse(res.body) as typeof answer; } catch { /* not JSON: not ok */ }
    return { ok: res.status === 200 && answer.plainToken === plainToken && answer.encryptedToken === zoomEncryptedToken(opts.webhookSecret, plainToken), ...res };
  }

  const zoomError = (code: number, message: string) => ({ code, message });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json;charset=UTF-8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    if (url.pathname === '/_sandbox/meetings' && req.method === 'GET') return send(200, { items: [...meetings.values()] });
    const join = url.pathname.match(/^\/j\/(\d+)$/);
    if (join && req.method === 'GET') {
      const m = meetings.get(Number(join[1]));
      res.writeHead(m ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(m ? `<!doctype html><title>Sandbox Zoom meeting</title><p>Sandbox Zoom meeting ${m.id}: ${escapeHtml(m.topic)} (${m.start_time})</p>` : '<p>No such meeting</p>');
    }

    const call = { method: req.method ?? 'GET', path: url.pathname, body };
    calls.push(call);
    const fault = await takeFault(faults, call);
    if (fault) {
      return send(fault.status, zoomError(fault.status === 429 ? 429 : 0, fault.status === 429 ? "You have reached the maximum per-second rate limit for this API. Try again later." : 'scripted failure'), fault.headers);
    }

    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      tokens.requests++;
      const auth = req.headers.authorization ?? '';
      const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
      if (basic !== `${opts.clientId}:${opts.clientSecret}`) return send(400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
      if (url.searchParams.get('grant_type') !== 'account_credentials') return send(400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
      if (url.searchParams.get('account_id') !== opts.accountId) return send(400, { reason: 'Invalid account_id', error: 'invalid_request' });
      return send(200, { access_token: tokens.issue(), token_type: 'bearer', expires_in: tokens.lifetimeSeconds, scope: 'meeting:write:meeting:admin meeting:read:list_meetings:admin', api_url: `http://127.0.0.1:${port()}` });
    }

    if (!tokens.accepts(req.headers.authorization)) return send(401, zoomError(124, 'Invalid access token.'));

    const userMeetings = url.pathname.match(/^(?:\/v2)?\/users\/([^/]+)\/meetings$/);
    if (userMeetings) {
      const userId = decodeURIComponent(userMeetings[1]!);
      if (userId !== 'me' && userId !== opts.hostUserId && userId !== hostId) return send(404, zoomError(1001, `User does not exist: ${userId}.`));
      if (req.method === 'GET') {
        const list = [...meetings.values()].filter((m) => url.searchParams.get('type') !== 'upcoming' || m.status !== 'finished');
        return send(200, {
          page_size: 300, total_records: list.length, next_page_token: '',
          meetings: list.map(({ uuid, id, host_id, topic, type, start_time, duration, timezone, agenda, created_at, join_url }) => ({ uuid, id, host_id, topic, type, start_time, duration, timezone, agenda, created_at, join_url })),
        });
      }
      if (req.method === 'POST') {
        let input: Record<string, unknown>;
        try { input = JSON.parse(body) as Record<string, unknown>; } catch { return send(400, zoomError(300, 'Request Body should be a valid JSON object.')); }
        const topic = typeof input.topic === 'string' ? input.topic : '';
        if (topic.length > 200) return send(400, zoomError(300, 'Validation Failed. topic: size must be between 0 and 200.'));
        const type = input.type ?? 2;
        if (![1, 2, 3, 8].includes(type as number)) return send(400, zoomError(300, `Invalid meeting type: ${String(type)}.`));
        if (type === 2 && (typeof input.start_time !== 'string' || Number.isNaN(Date.parse(input.start_time)))) return send(400, zoomError(300, 'Invalid start_time.'));
        if (input.duration !== undefined && (!Number.isInteger(input.duration) || (input.duration as number) <= 0)) return send(400, zoomError(300, 'Invalid duration.'));
        const agenda = typeof input.agenda === 'string' ? input.agenda : '';
        if (agenda.length > 2000) return send(400, zoomError(300, 'Validation Failed. agenda: size must be between 0 and 2000.'));
        let id: number;
        do { id = randomInt(80_000_000_000, 89_999_999_999); } while (meetings.has(id));
        const password = randomBytes(4).toString('hex');
        const m: SandboxZoomMeeting = {
          id, uuid: randomBytes(16).toString('base64'), host_id: hostId, topic, type: type as number,
          start_time: typeof input.start_time === 'string' ? new Date(input.start_time).toISOString().replace(/\.\d{3}Z$/, 'Z') : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          duration: (input.duration as number | undefined) ?? 60, timezone: typeof input.timezone === 'string' ? input.timezone : 'UTC', agenda,
          created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          join_url: `http://127.0.0.1:${port()}/j/${id}?pwd=${password}`, start_url: `http://127.0.0.1:${port()}/s/${id}?zak=${randomBytes(12).toString('base64url')}`,
          password, status: 'waiting',
        };
        meetings.set(id, m);
        if (answersToLose > 0) { answersToLose--; res.destroy(); return; }
        const { status: _status, ...view } = m;
        return send(201, { ...view, settings: { join_before_host: false, waiting_room: true } });
      }
    }
    const one = url.pathname.match(/^(?:\/v2)?\/meetings\/(\d+)$/);
    if (one && req.method === 'GET') {
      const m = meetings.get(Number(one[1]));
      return m ? send(200, m) : send(404, zoomError(3001, `Meeting does not exist: ${one[1]}.`));
    }
    return send(404, zoomError(0, `No route for ${req.method} ${url.pathname} in the sandbox.`));
  };

  const served = await serveSandbox(handle, opts.port);
  const port = () => served.port;
  return {
    baseUrl: served.baseUrl,
    meetings,
    calls,
    faults,
    settings,
    get tokenRequests() { return tokens.requests; },
    /** Revokes every issued token: the next API call answers 401 (code 124). */
    revokeTokens: () => tokens.revokeAll(),
    /** The next `n` meeting creates take effect but their answers are lost (an uncertain outcome for the caller). */
    loseNextAnswers: (n = 1) => { answersToLose = n; },
    move,
    validate,
    eventBody,
    post,
    close: served.close,
  };
}
export type ZoomSandbox = Awaited<ReturnType<typeof startZoomSandbox>>;

/** Starts from the profile's `collaboration` settings (the same ones the connector validates). */
export const zoomSandboxFactory = defineSandbox(zoom, (s, _p, { port, webhookUrl }) => startZoomSandbox({
  port, ...s.credentials, hostUserId: s.hostUserId, webhookSecret: s.webhookSecret, ...(webhookUrl ? { webhookUrl } : {}),
}), (s) => s.baseUrl);
