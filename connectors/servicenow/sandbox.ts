/**
 * A sandbox ServiceNow instance: the Table API for `incident` (`POST`, `GET` list with `sysparm_query`,
 * `GET`/`PATCH` by `sys_id`), Basic auth, ServiceNow's `{"result": ...}` envelopes with every value a
 * string, and its error body. Agents move incidents with `move(sys_id, state)` (a state code such as `"2"`
 * or a label such as `"In Progress"`), or `POST /_sandbox/incidents/{sys_id}/state` `{ "state", "comment"? }`;
 * when a `webhookSecret` is configured the move is pushed to the hub as a Standard Webhook (the
 * business-rule body documented in `ticketing.ts`), otherwise the hub finds it by polling.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender } from '../sandbox';
import { signStandardWebhook } from '../standard-webhooks';
import { serviceNow } from './descriptor';

export interface ServiceNowRecord { sys_id: string; [field: string]: string }
export interface SandboxJournalEntry { field: 'comments' | 'work_notes'; value: string; at: string }

export interface ServiceNowSandboxOptions {
  port?: number;
  username: string;
  password: string;
  webhookSecret?: string;
  webhookUrl?: string;
}

const STATE_LABELS: Record<string, string> = {
  new: '1', 'in progress': '2', 'on hold': '3', resolved: '6', closed: '7', canceled: '8', cancelled: '8',
};

const snNow = () => new Date().toISOString().slice(0, 19).replace('T', ' ');


/** A small subset of ServiceNow encoded queries: `field=v`, `field!=v`, `field>v`, `field>=v`, `field<v`, `ORDERBY[DESC]field`, joined by `^`. */
function runQuery(rows: ServiceNowRecord[], query: string): ServiceNowRecord[] {
  const parts = query.replace(/\^\^/g, '\uE000').split('^').map((p) => p.replace(/\uE000/g, '^')).filter(Boolean);
  let out = rows;
  const orders: { field: string; desc: boolean }[] = [];
  for (const part of parts) {
    const order = /^ORDERBY(DESC)?(.+)$/.exec(part);
    if (order) { orders.push({ field: order[2]!, desc: Boolean(order[1]) }); continue; }
    const m = /^([a-z_0-9.]+)(>=|<=|!=|=|>|<)(.*)$/.exec(part);
    if (!m) throw new Error(`unsupported query term ${part}`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    out = out.filter((r) => {
      const v = r[field] ?? '';
      switch (op) {
        case '=': return v === value;
        case '!=': return v !== value;
        case '>': return v > value;
        case '>=': return v >= value;
        case '<': return v < value;
        default: return v <= value;
      }
    });
  }
  return [...out].sort((a, b) => {
    for (const { field, desc } of orders) {
      const c = (a[field] ?? '').localeCompare(b[field] ?? '');
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}

export async function startServiceNowSandbox(opts: ServiceNowSandboxOptions) {
  const incidents = new Map<string, ServiceNowRecord>();
  const journal = new Map<string, SandboxJournalEntry[]>();
  const calls: { method: string; path: string; query: string; body: string }[] = [];
  const faults: SandboxFault[] = [];
  const settings: { webhookUrl?: string | undefined } = { webhookUrl: opts.webhookUrl };
  /** The next N creates are carried out, then the connection is cut before the answer (an uncertain attempt). */
  const lose = { creates: 0 };
  let seq = 10001;
  const expectedAuth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;

  const pick = (r: ServiceNowRecord, fields: string | null) =>
    fields ? Object.fromEntries(fields.split(',').map((f) => [f.trim(), r[f.trim()] ?? ''])) : { ...r };

  async function notify(r: ServiceNowRecord, comment?: string) {
    if (!settings.webhookUrl || !opts.webhookSecret) return;
    const id = `msg_${randomUUID()}`;
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'incident.updated',
      data: {
        sys_id: r.sys_id, number: r.number, state: r.state, sys_updated_on: r.sys_updated_on, correlation_id: r.correlation_id,
        ...(comment ? { comment } : {}),
      },
    });
    await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(opts.webhookSecret, id, ts, body) },
      body,
      signal: AbortSignal.timeout(5000),
    });
  }

  function touch(r: ServiceNowRecord) {
    r.sys_updated_on = snNow();
    r.sys_mod_count = String(Number(r.sys_mod_count ?? '0') + 1);
  }

  async function move(sysId: string, state: string, comment?: string) {
    const r = incidents.get(sysId);
    if (!r) throw new Error(`no incident ${sysId}`);
    const code = STATE_LABELS[state.trim().toLowerCase()] ?? state.trim();
    if (!/^-?\d+$/.test(code)) throw new Error(`unknown state ${state}`);
    r.state = code;
    r.incident_state = code;
    if (code === '6') r.resolved_at = snNow();
    if (code === '7') r.closed_at = snNow();
    if (comment) journal.get(sysId)!.push({ field: 'comments', value: comment, at: snNow() });
    touch(r);
    await notify(r, comment);
    return r;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json;charset=UTF-8');
    const fail = (code: number, message: string, detail: string) => send(code, { error: { message, detail }, status: 'failure' });
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);

    const admin = /^\/_sandbox\/incidents\/([^/]+)\/state$/.exec(url.pathname);
    if (admin && req.method === 'POST') {
      try {
        const { state, comment } = JSON.parse(body) as { state: string; comment?: string };
        return send(200, { result: await move(decodeURIComponent(admin[1]!), String(state), comment) });
      } catch (e) {
        return send(400, { error: (e as Error).message });
      }
    }
    if (url.pathname === '/_sandbox/incidents' && req.method === 'GET') return send(200, { result: [...incidents.values()] });

    if (req.headers.authorization !== expectedAuth) return fail(401, 'User Not Authenticated', 'Required to provide Auth information');
    const call = { method: req.method ?? 'GET', path: url.pathname, query: url.search, body };
    calls.push(call);
    const fault = await takeFault(faults, call);
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json;charset=UTF-8', ...fault.headers });
      return res.end(JSON.stringify({ error: { message: fault.status === 429 ? 'Rate limit exceeded' : 'Scripted failure', detail: null }, status: 'failure' }));
    }
    const fields = url.searchParams.get('sysparm_fields');

    if (url.pathname === '/api/now/table/incident' && req.method === 'POST') {
      let input: Record<string, unknown>;
      try { input = JSON.parse(body) as Record<string, unknown>; } catch { return fail(400, 'Exception while reading request', 'The payload is not valid JSON.'); }
      if (typeof input.short_description !== 'string' || !input.short_description) return fail(400, 'Invalid request', 'short_description is mandatory');
      const now = snNow();
      const sysId = randomBytes(16).toString('hex');
      const r: ServiceNowRecord = {
        sys_id: sysId, number: `INC${String(seq++).padStart(7, '0')}`, state: '1', incident_state: '1',
        impact: '3', urgency: '3', priority: '5', active: 'true', opened_at: now, sys_created_on: now, sys_created_by: opts.username,
        sys_updated_on: now, sys_updated_by: opts.username, sys_mod_count: '0', sys_class_name: 'incident', escalation: '0',
        correlation_id: '', correlation_display: '', assignment_group: '', resolved_at: '', closed_at: '', comments: '', work_notes: '',
      };
      for (const [k, v] of Object.entries(input)) if (k !== 'comments' && k !== 'work_notes' && v !== null && typeof v !== 'object') r[k] = String(v);
      r.priority = String(Math.min(5, Math.max(1, Number(r.urgency) + Number(r.impact) - 1)));
      incidents.set(sysId, r);
      journal.set(sysId, []);
      if (lose.creates > 0) { lose.creates--; res.destroy(); return; }
      return send(201, { result: pick(r, fields) }, { location: `http://127.0.0.1:${port()}/api/now/table/incident/${sysId}` });
    }
    if (url.pathname === '/api/now/table/incident' && req.method === 'GET') {
      let rows: ServiceNowRecord[];
      try { rows = runQuery([...incidents.values()], url.searchParams.get('sysparm_query') ?? ''); } catch (e) { return fail(400, 'Invalid query', (e as Error).message); }
      const offset = Number(url.searchParams.get('sysparm_offset') ?? 0);
      const limit = Number(url.searchParams.get('sysparm_limit') ?? 10000);
      const page = rows.slice(offset, offset + limit);
      return send(200, { result: page.map((r) => pick(r, fields)) }, { 'x-total-count': String(rows.length) });
    }
    const one = /^\/api\/now\/table\/incident\/([^/]+)$/.exec(url.pathname);
    const r = one ? incidents.get(decodeURIComponent(one[1]!)) : undefined;
    if (one && !r) return fail(404, 'No Record found', 'Record doesn\'t exist or ACL restricts the record retrieval');
    if (r && req.method === 'GET') return send(200, { result: pick(r, fields) });
    if (r && (req.method === 'PATCH' || req.method === 'PUT')) {
      let input: Record<string, unknown>;
      try { input = JSON.parse(body) as Record<string, unknown>; } catch { return fail(400, 'Exception while reading request', 'The payload is not valid JSON.'); }
      for (const [k, v] of Object.entries(input)) {
        if (k === 'comments' || k === 'work_notes') journal.get(r.sys_id)!.push({ field: k, value: String(v), at: snNow() });
        else if (v !== null && typeof v !== 'object') r[k] = String(v);
      }
      touch(r);
      return send(200, { result: pick(r, fields) });
    }
    return fail(400, 'Invalid request', `${req.method ?? ''} ${url.pathname} is not supported by this sandbox`);
  };

  const served = await serveSandbox(handle, opts.port);
  const port = () => served.port;
  return {
    baseUrl: served.baseUrl,
    incidents,
    journal,
    calls,
    faults,
    settings,
    lose,
    move,
    close: served.close,
  };
}
export type ServiceNowSandbox = Awaited<ReturnType<typeof startServiceNowSandbox>>;

export const serviceNowSandboxFactory = defineSandbox(serviceNow, (s, _p, { port, webhookUrl }) => startServiceNowSandbox({
  port, username: s.credentials.username, password: s.credentials.password,
  ...(webhookUrl ? { webhookUrl } : {}), ...(s.webhookSecret ? { webhookSecret: s.webhookSecret } : {}),
}));
