/**
 * A sandbox Zendesk Support account: `POST /api/v2/tickets.json` (with `Idempotency-Key` replay and the
 * `x-idempotency-lookup` header), `GET /api/v2/tickets.json?external_id=`, `GET|PUT /api/v2/tickets/{id}.json`,
 * Basic `{email}/token:{apiToken}` auth, Zendesk's ticket JSON and error bodies. Agents move tickets with
 * `move(id, status)` (`new`, `open`, `pending`, `hold`, `solved`, `closed`, or a configured custom status
 * name) or `POST /_sandbox/tickets/{id}/status` `{ "status", "comment"? }`; with a `webhookSecret` the move
 * is sent to the hub as the trigger webhook API.md fixes, signed as Zendesk signs.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender } from '../sandbox';
import { signZendeskWebhook } from './webhook';
import { zendesk } from './descriptor';

export interface ZendeskTicket {
  id: number; url: string; external_id: string | null; subject: string; raw_subject: string; description: string;
  priority: string | null; status: string; type: string | null; tags: string[]; group_id: number | null;
  custom_status_id: number | null; created_at: string; updated_at: string; [field: string]: unknown;
}
export interface ZendeskComment { ticketId: number; body: string; public: boolean; at: string }

export interface ZendeskSandboxOptions {
  port?: number;
  email: string;
  apiToken: string;
  webhookSecret?: string;
  webhookUrl?: string;
  /** Custom ticket statuses by agent label, with their status category. */
  customStatuses?: Record<string, 'new' | 'open' | 'pending' | 'hold' | 'solved'>;
}

const STATUSES = new Set(['new', 'open', 'pending', 'hold', 'solved', 'closed']);
const IDEMPOTENCY_TTL_MS = 2 * 3600_000;
const zdNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);


export async function startZendeskSandbox(opts: ZendeskSandboxOptions) {
  const tickets = new Map<number, ZendeskTicket>();
  const comments: ZendeskComment[] = [];
  const calls: { method: string; path: string; query: string; body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const faults: SandboxFault[] = [];
  const settings: { webhookUrl?: string | undefined } = { webhookUrl: opts.webhookUrl };
  const lose = { creates: 0 };
  const idempotency = new Map<string, { digest: string; status: number; body: unknown; at: number }>();
  const custom = new Map(Object.entries(opts.customStatuses ?? { 'Waiting on partner': 'hold' }).map(([name, cat], i) => [name.toLowerCase(), { id: 36000000 + i, name, cat }]));
  const customLabel = new Map<number, string>();
  let seq = 1001;
  let invocation = 8_000_000;
  const expectedAuth = `Basic ${Buffer.from(`${opts.email}/token:${opts.apiToken}`).toString('base64')}`;

  async function notify(t: ZendeskTicket, comment?: string) {
    if (!settings.webhookUrl || !opts.webhookSecret) return;
    const label = t.custom_status_id !== null ? customLabel.get(t.custom_status_id) : undefined;
    // the trigger body of API.md: placeholders render as strings, `{{ticket.status}}` as its display name
    const body = JSON.stringify({
      ticket: {
        id: String(t.id), status: label ?? capitalise(t.status), external_id: t.external_id ?? '', updated_at: t.updated_at,
        ...(label ? { status_category: t.status } : {}), ...(comment ? { comment } : {}),
      },
    });
    const ts = zdNow();
    await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-zendesk-account-id': '9001',
        'x-zendesk-webhook-id': '01GZ3B4WQTBZK1FF3QQ2Q3Z3XY',
        'x-zendesk-webhook-invocation-id': String(invocation++),
        'x-zendesk-webhook-signature-timestamp': ts,
        'x-zendesk-webhook-signature': signZendeskWebhook(opts.webhookSecret, ts, body),
      },
      body,
      signal: AbortSignal.timeout(5000),
    });
  }

  async function move(ticketId: string, status: string, comment?: string) {
    const t = tickets.get(Number(ticketId));
    if (!t) throw new Error(`no ticket ${ticketId}`);
    const key = status.trim().toLowerCase();
    const cs = custom.get(key);
    if (!STATUSES.has(key) && !cs) throw new Error(`unknown status ${status}`);
    t.status = cs ? cs.cat : key;
    t.custom_status_id = cs ? cs.id : null;
    if (cs) customLabel.set(cs.id, cs.name);
    t.updated_at = zdNow();
    if (comment) comments.push({ ticketId: t.id, body: comment, public: true, at: t.updated_at });
    await notify(t, comment);
    return t;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json; charset=utf-8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    const admin = /^\/_sandbox\/tickets\/([^/]+)\/status$/.exec(url.pathname);
    if (admin && req.method === 'POST') {
      try {
        const { status, comment } = JSON.parse(body) as { status: string; comment?: string };
        return send(200, { ticket: await move(decodeURIComponent(admin[1]!), String(status), comment) });
      } catch (e) {
        return send(400, { error: (e as Error).message });
      }
    }
    if (url.pathname === '/_sandbox/tickets' && req.method === 'GET') return send(200, { tickets: [...tickets.values()], comments });

    if (req.headers.authorization !== expectedAuth) return send(401, { error: "Couldn't authenticate you" });
    const call = { method: req.method ?? 'GET', path: url.pathname, query: url.search, body, headers: req.headers };
    calls.push(call);
    const fault = await takeFault(faults, call);
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      return res.end(JSON.stringify(fault.status === 429
        ? { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' }
        : { error: 'ScriptedFailure', description: `Sandbox answered ${fault.status}` }));
    }

    if (url.pathname === '/api/v2/tickets.json' && req.method === 'POST') {
      const key = req.headers['idempotency-key'];
      const digest = createHash('sha256').update(body).digest('hex');
      const prior = typeof key === 'string' ? idempotency.get(key) : undefined;
      if (prior && Date.now() - prior.at < IDEMPOTENCY_TTL_MS) {
        if (prior.digest !== digest) return send(400, { error: 'IdempotentRequestError', description: 'The idempotency key was already used with a different request' });
        return send(prior.status, prior.body, { 'x-idempotency-lookup': 'hit' });
      }
      let input: { ticket?: Record<string, unknown> };
      try { input = JSON.parse(body) as typeof input; } catch { return send(400, { error: 'Unprocessable Entity', description: 'Invalid JSON' }); }
      const tk = input.ticket;
      const first = tk?.comment as { body?: unknown } | undefined;
      if (!tk || typeof first?.body !== 'string' || !first.body) {
        return send(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description: 'Description: cannot be blank', error: 'BlankValue' }] } });
      }
      const id = seq++;
      const now = zdNow();
      const subject = typeof tk.subject === 'string' ? tk.subject : first.body.slice(0, 60);
      const t: ZendeskTicket = {
        url: `http://127.0.0.1:${port()}/api/v2/tickets/${id}.json`, id, external_id: typeof tk.external_id === 'string' ? tk.external_id : null,
        via: { channel: 'api', source: { from: {}, to: {}, rel: null } }, created_at: now, updated_at: now, generated_timestamp: Math.floor(Date.now() / 1000),
        type: typeof tk.type === 'string' ? tk.type : null, subject, raw_subject: subject, description: first.body,
        priority: typeof tk.priority === 'string' ? tk.priority : null, status: 'new', recipient: null, requester_id: 90001, submitter_id: 90001,
        assignee_id: null, organization_id: null, group_id: typeof tk.group_id === 'number' ? tk.group_id : null, collaborator_ids: [], follower_ids: [],
        email_cc_ids: [], forum_topic_id: null, problem_id: null, has_incidents: false, is_public: true, due_at: null,
        tags: Array.isArray(tk.tags) ? tk.tags.map(String) : [], custom_fields: [], satisfaction_rating: null, sharing_agreement_ids: [], custom_status_id: null,
        fields: [], followup_ids: [], ticket_form_id: 360000000001, brand_id: 360000000002, allow_channelback: false, allow_attachments: true, from_messaging_channel: false,
      };
      tickets.set(id, t);
      const answer = { ticket: t, audit: { id: id * 10, ticket_id: id, created_at: now, author_id: 90001, metadata: { system: {}, custom: {} }, events: [] } };
      if (typeof key === 'string') idempotency.set(key, { digest, status: 201, body: answer, at: Date.now() });
      if (lose.creates > 0) { lose.creates--; res.destroy(); return; }
      return send(201, answer, { location: t.url, ...(typeof key === 'string' ? { 'x-idempotency-lookup': 'miss' } : {}) });
    }
    if (url.pathname === '/api/v2/tickets.json' && req.method === 'GET') {
      const ext = url.searchParams.get('external_id');
      const list = [...tickets.values()].filter((t) => ext === null || t.external_id === ext);
      return send(200, { tickets: list, next_page: null, previous_page: null, count: list.length });
    }
    const one = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(url.pathname);
    const t = one ? tickets.get(Number(one[1])) : undefined;
    if (one && !t) return send(404, { error: 'RecordNotFound', description: 'Not found' });
    if (t && req.method === 'GET') return send(200, { ticket: t });
    if (t && req.method === 'PUT') {
      let input: { ticket?: { comment?: { body?: unknown; public?: unknown }; status?: unknown } };
      try { input = JSON.parse(body) as typeof input; } catch { return send(400, { error: 'Unprocessable Entity', description: 'Invalid JSON' }); }
      const c = input.ticket?.comment;
      if (c && typeof c.body === 'string') comments.push({ ticketId: t.id, body: c.body, public: c.public !== false, at: zdNow() });
      if (typeof input.ticket?.status === 'string' && STATUSES.has(input.ticket.status)) t.status = input.ticket.status;
      t.updated_at = zdNow();
      return send(200, { ticket: t, audit: { id: Date.now(), ticket_id: t.id, created_at: t.updated_at, author_id: 90001, events: [] } });
    }
    return send(404, { error: 'InvalidEndpoint', description: 'Not found' });
  };

  const served = await serveSandbox(handle, opts.port);
  const port = () => served.port;
  return {
    baseUrl: served.baseUrl,
    tickets,
    comments,
    calls,
    faults,
    settings,
    lose,
    move,
    close: served.close,
  };
}
export type ZendeskSandbox = Awaited<ReturnType<typeof startZendeskSandbox>>;

export const zendeskSandboxFactory = defineSandbox(zendesk, (s, _p, { port, webhookUrl }) => startZendeskSandbox({
  port, email: s.credentials.email, apiToken: s.credentials.apiToken,
  ...(webhookUrl ? { webhookUrl } : {}), ...(s.webhookSecret ? { webhookSecret: s.webhookSecret } : {}),
}));
