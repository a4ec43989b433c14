/**
 * A sandbox of the vendor's own Zendesk (the desk): tickets in memory, the hub's `PUT
 * /api/v2/tickets/{id}.json` (Basic `{email}/token:{apiToken}`) recorded and applied, and one trigger as
 * README "Connect your support desk" creates it: on a ticket created or updated with the partner-related
 * tag, **not via the API** (Zendesk's `current_via_id is_not 5`: so the hub's own writes never fire it),
 * it POSTs the trigger's JSON body (placeholders rendered as Zendesk renders them: strings, tags as one
 * space-separated string) to the hub, signed as Zendesk signs.
 *
 * Agents (`/_sandbox`, via the web): `POST /_sandbox/tickets` `{ subject, description, priority,
 * organizationExternalId, platform, tags? }`, `POST /_sandbox/tickets/{id}/tags` `{ tags }`,
 * `POST /_sandbox/tickets/{id}/delete`; `GET /_sandbox/tickets` lists tickets, comments, the hub's writes
 * and the trigger's deliveries. `GET /api/v2/users/me.json` answers the API user (401 for other
 * credentials, as every API call). `faults` script the answers to the hub's calls (429 with `Retry-After`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { jsonSender, readBody, serveSandbox, takeFault, type SandboxFault } from '../sandbox';
import { signZendeskWebhook } from '../zendesk/signature';
import { zendeskDesk } from './descriptor';

export interface DeskTicket {
  id: number; subject: string; description: string; priority: string; status: string; tags: string[];
  organization_external_id: string; platform: string; custom_fields: { id: number; value: unknown }[];
  via: { channel: 'web' | 'api' }; updated_at: string;
}
export interface DeskSandboxOptions {
  port?: number; email: string; apiToken: string; webhookSecret: string; webhookUrl?: string;
  /** The tag that marks a ticket partner-related (the trigger's condition). */
  triggerTag: string;
}

const zdNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startZendeskDeskSandbox(opts: DeskSandboxOptions) {
  const tickets = new Map<number, DeskTicket>();
  const comments: { ticketId: number; body: string; public: boolean }[] = [];
  const writes: { ticketId: number; body: unknown }[] = [];
  const deliveries: { ticketId: number; status: number | undefined; body: string }[] = [];
  const faults: SandboxFault[] = [];
  const settings: { webhookUrl?: string | undefined } = { webhookUrl: opts.webhookUrl };
  const expectedAuth = `Basic ${Buffer.from(`${opts.email}/token:${opts.apiToken}`).toString('base64')}`;
  let seq = 5001;
  let invocation = 9_000_000;

  /** The trigger: fires on an update with the tag, unless the update came through the API (the hub). */
  async function trigger(t: DeskTicket) {
    if (t.via.channel === 'api' || !t.tags.includes(opts.triggerTag) || !settings.webhookUrl) return;
    const body = JSON.stringify({
      ticket: {
        id: String(t.id), title: t.subject, description: t.description, priority: t.priority, tags: t.tags.join(' '),
        organization_external_id: t.organization_external_id, platform: t.platform,
      },
    });
    const ts = zdNow();
    const delivery = { ticketId: t.id, status: undefined as number | undefined, body };
    deliveries.push(delivery);
    const res = await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-zendesk-webhook-invocation-id': String(invocation++),
        'x-zendesk-webhook-signature-timestamp': ts,
        'x-zendesk-webhook-signature': signZendeskWebhook(opts.webhookSecret, ts, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    delivery.status = res.status;
  }

  /** An agent's change in the web interface: applied, then the trigger runs (as Zendesk runs triggers after each update). */
  async function agentUpdate(id: number, change: (t: DeskTicket) => void) {
    const t = tickets.get(id);
    if (!t) throw new Error(`no ticket ${id}`);
    change(t);
    t.via = { channel: 'web' };
    t.updated_at = zdNow();
    await trigger(t);
    return t;
  }

  async function create(input: Record<string, unknown>) {
    const id = seq++;
    const str = (k: string) => (typeof input[k] === 'string' ? input[k] : '');
    tickets.set(id, {
      id, subject: str('subject'), description: str('description'), priority: str('priority') || 'normal', status: 'open',
      tags: Array.isArray(input.tags) ? input.tags.map(String) : [], organization_external_id: str('organizationExternalId'),
      platform: str('platform'), custom_fields: [], via: { channel: 'web' }, updated_at: zdNow(),
    });
    return agentUpdate(id, () => {});
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json; charset=utf-8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sandbox/')) {
      try {
        const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
        if (url.pathname === '/_sandbox/tickets' && req.method === 'GET') return send(200, { tickets: [...tickets.values()], comments, writes, deliveries });
        if (url.pathname === '/_sandbox/tickets' && req.method === 'POST') return send(201, { ticket: await create(input) });
        const tags = /^\/_sandbox\/tickets\/(\d+)\/tags$/.exec(url.pathname);
        if (tags && req.method === 'POST') {
          const add = Array.isArray(input.tags) ? input.tags.map(String) : [];
          return send(200, { ticket: await agentUpdate(Number(tags[1]), (t) => { t.tags = [...new Set([...t.tags, ...add])]; }) });
        }
        const del = /^\/_sandbox\/tickets\/(\d+)\/delete$/.exec(url.pathname);
        if (del && req.method === 'POST') return send(200, { deleted: tickets.delete(Number(del[1])) });
        return send(404, { error: 'no such sandbox route' });
      } catch (e) {
        return send(400, { error: (e as Error).message });
      }
    }
    if (req.headers.authorization !== expectedAuth) return send(401, { error: "Couldn't authenticate you" });
    const fault = await takeFault(faults, { method: req.method ?? 'GET', path: url.pathname });
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      return res.end(JSON.stringify(fault.status === 429
        ? { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' }
        : { error: 'ScriptedFailure', description: `Sandbox answered ${fault.status}` }));
    }
    // the API user (hub doctor's read): the credentials were accepted above
    if (url.pathname === '/api/v2/users/me.json' && req.method === 'GET') return send(200, { user: { id: 361, email: opts.email, role: 'admin', name: 'Partner escalation hub' } });
    const one = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(url.pathname);
    const t = one ? tickets.get(Number(one[1])) : undefined;
    if (one && !t) return send(404, { error: 'RecordNotFound', description: 'Not found' });
    if (t && req.method === 'GET') return send(200, { ticket: t });
    if (t && req.method === 'PUT') {
      let input: { ticket?: { custom_fields?: { id: number; value: unknown }[]; comment?: { body?: unknown; public?: unknown }; additional_tags?: unknown[] } };
      try { input = JSON.parse(body) as typeof input; } catch { return send(400, { error: 'Unprocessable Entity', description: 'Invalid JSON' }); }
      writes.push({ ticketId: t.id, body: input });
      for (const f of input.ticket?.custom_fields ?? []) {
        t.custom_fields = [...t.custom_fields.filter((c) => c.id !== f.id), { id: f.id, value: f.value }];
      }
      const c = input.ticket?.comment;
      if (c && typeof c.body === 'string') comments.push({ ticketId: t.id, body: c.body, public: c.public !== false });
      t.tags = [...new Set([...t.tags, ...(input.ticket?.additional_tags ?? []).map(String)])];
      t.via = { channel: 'api' };
      t.updated_at = zdNow();
      await trigger(t); // runs as after any update: its conditions exclude updates via the API
      return send(200, { ticket: t, audit: { ticket_id: t.id, created_at: t.updated_at, events: [] } });
    }
    return send(404, { error: 'InvalidEndpoint', description: 'Not found' });
  };

  const served = await serveSandbox(handle, opts.port);
  return {
    baseUrl: served.baseUrl, tickets, comments, writes, deliveries, faults, settings, create,
    tag: (id: number, ...add: string[]) => agentUpdate(id, (t) => { t.tags = [...new Set([...t.tags, ...add])]; }),
    /** An agent sets the ticket's status (the Sandbox contract's `move`). */
    move: (id: string, status: string) => agentUpdate(Number(id), (t) => { t.status = status; }),
    close: served.close,
  };
}
export type ZendeskDeskSandbox = Awaited<ReturnType<typeof startZendeskDeskSandbox>>;

export const zendeskDeskSandbox = defineSandbox(zendeskDesk, (s, _desk, { port, webhookUrl }) => startZendeskDeskSandbox({
  port, email: s.credentials.email, apiToken: s.credentials.apiToken, webhookSecret: s.webhookSecret,
  triggerTag: s.mapping.partnerRelated.contains, ...(webhookUrl ? { webhookUrl } : {}),
}));
