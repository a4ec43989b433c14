/**
 * A sandbox partner that speaks the generic partner protocol (API.md): keeps incidents in memory and
 * sends Standard Webhooks back to the hub when an incident moves. `POST /_sandbox/incidents/{id}/status`
 * `{ "status", "comment"? }` moves one, as a partner's agent would.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender } from '../sandbox';
import { signStandardWebhook } from '../standard-webhooks';
import { genericRest } from './descriptor';

export interface SandboxIncident {
  id: string; number: string; url: string; status: string; updatedAt: string;
  externalRef: string; input: Record<string, unknown>; comments: string[];
}

/**
 * A slow answer: the next matching call's real answer goes out one byte every `byteEveryMs`. A create so
 * answered takes effect (find and get show it) only once the whole answer has gone out, and not at all if
 * the hub hangs up first: the partner of issue 12, whose find came back empty while it was still answering.
 */
export interface SandboxTrickle {
  byteEveryMs: number;
  match?: (call: { method: string; path: string }) => boolean;
}

/** Writes `body` one byte every `byteEveryMs`; `true` when all of it went out, `false` when the client hung up first. */
function trickleOut(res: ServerResponse, status: number, body: string, byteEveryMs: number): Promise<boolean> {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
  return new Promise((resolve) => {
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed) { clearInterval(timer); resolve(false); return; }
      if (i < bytes.length) { res.write(bytes.subarray(i, i + 1)); i++; return; }
      clearInterval(timer);
      res.end(() => resolve(true));
    }, byteEveryMs);
    res.once('close', () => { if (i < bytes.length || !res.writableFinished) { clearInterval(timer); resolve(res.writableFinished); } });
  });
}

export interface GenericSandboxOptions {
  port?: number;
  token: string;
  webhookSecret?: string;
  /** Where to post webhooks (the hub's `/v1/webhooks/{partnerId}`); none are sent without it. */
  webhookUrl?: string;
  numberPrefix?: string;
}


const STATUSES = new Set(['new', 'in_progress', 'awaiting_info', 'resolved', 'closed']);


export async function startGenericSandbox(opts: GenericSandboxOptions) {
  const incidents = new Map<string, SandboxIncident>();
  const calls: { method: string; path: string; body: string; idempotencyKey?: string }[] = [];
  /** `Idempotency-Key`s of the comments added: a repeat is answered again and adds nothing. */
  const commentKeys = new Set<string>();
  const faults: SandboxFault[] = [];
  const trickles: SandboxTrickle[] = [];
  /** Slow answers in progress / finished: `completed` false when the hub hung up first. */
  const trickled: { method: string; path: string; completed?: boolean }[] = [];
  const settings = { webhookUrl: opts.webhookUrl };
  let seq = 10000;
  // ids differ from one start to the next (numbers need not): the hub keeps its data across restarts and
  // never moves a ticket link, so a sandbox that forgot its tickets must not hand out the same ids again
  const run = Date.now().toString(36);
  const prefix = opts.numberPrefix ?? 'SBX';
  const view = ({ id, number, url, status, updatedAt }: SandboxIncident) => ({ id, number, url, status, updatedAt });

  async function notify(inc: SandboxIncident, comment?: string) {
    if (!settings.webhookUrl || !opts.webhookSecret) return;
    const id = `msg_${randomUUID()}`;
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'incident.updated', data: { ...view(inc), ...(comment ? { comment } : {}) } });
    await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(opts.webhookSecret, id, ts, body) },
      body,
      signal: AbortSignal.timeout(5000),
    });
  }

  async function move(id: string, status: string, comment?: string) {
    const inc = incidents.get(id);
    if (!inc) throw new Error(`no incident ${id}`);
    if (!STATUSES.has(status)) throw new Error(`unknown status ${status}`);
    Object.assign(inc, { status, updatedAt: new Date().toISOString() });
    await notify(inc, comment);
    return inc;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    const admin = url.pathname.match(/^\/_sandbox\/incidents\/([^/]+)\/status$/);
    if (admin && req.method === 'POST') {
      try {
        const { status, comment } = JSON.parse(body) as { status: string; comment?: string };
        return send(200, view(await move(decodeURIComponent(admin[1]!), status, comment)));
      } catch (e) {
        return send(400, { error: (e as Error).message });
      }
    }
    if (url.pathname === '/_sandbox/incidents' && req.method === 'GET') return send(200, { items: [...incidents.values()] });
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, { error: 'bad token' });
    const key = req.headers['idempotency-key'];
    const call = { method: req.method ?? 'GET', path: url.pathname, body, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) };
    calls.push(call);
    const fault = await takeFault(faults, call);
    if (fault) {
      if (res.destroyed) return;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return res.end(JSON.stringify({ error: 'scripted failure' }));
    }
    if (url.pathname === '/incidents' && req.method === 'POST') {
      let input: Record<string, unknown>;
      try { input = JSON.parse(body) as Record<string, unknown>; } catch { return send(400, { error: 'body is not JSON' }); }
      if (typeof input.externalRef !== 'string' || typeof input.title !== 'string') return send(400, { error: 'externalRef and title are required' });
      const n = seq++;
      const id = `${n}-${run}`;
      const inc: SandboxIncident = {
        id, number: `${prefix}-${n}`, url: `http://127.0.0.1:${port()}/_sandbox/incidents/${id}`, status: 'new',
        updatedAt: new Date().toISOString(), externalRef: input.externalRef, input, comments: [],
      };
      const slow = trickles.findIndex((t) => !t.match || t.match(call));
      if (slow >= 0) {
        const { byteEveryMs } = trickles.splice(slow, 1)[0]!;
        const record: (typeof trickled)[number] = { method: call.method, path: call.path };
        trickled.push(record);
        record.completed = await trickleOut(res, 201, JSON.stringify(view(inc)), byteEveryMs);
        if (record.completed) incidents.set(id, inc);
        return;
      }
      incidents.set(id, inc);
      return send(201, view(inc));
    }
    if (url.pathname === '/incidents' && req.method === 'GET') {
      const ref = url.searchParams.get('externalRef');
      return send(200, { items: [...incidents.values()].filter((i) => i.externalRef === ref).map(view) });
    }
    const m = url.pathname.match(/^\/incidents\/([^/]+)(\/comments)?$/);
    const inc = m ? incidents.get(decodeURIComponent(m[1]!)) : undefined;
    if (inc && req.method === 'GET' && !m![2]) return send(200, view(inc));
    if (inc && req.method === 'POST' && m![2]) {
      let text: string;
      try { text = String((JSON.parse(body) as { body: unknown }).body); } catch { return send(400, { error: 'body is not JSON' }); }
      const seen = call.idempotencyKey !== undefined && commentKeys.has(`${inc.id}#${call.idempotencyKey}`);
      if (!seen) inc.comments.push(text);
      if (call.idempotencyKey !== undefined) commentKeys.add(`${inc.id}#${call.idempotencyKey}`);
      return send(201, {});
    }
    return send(404, { error: 'not found' });
  };

  const served = await serveSandbox(handle, opts.port);
  const port = () => served.port;
  return {
    baseUrl: served.baseUrl,
    incidents,
    calls,
    /** Scripted failures, answered in order. */
    faults,
    /** Scripted slow answers (creates), taken in order. */
    trickles,
    trickled,
    /** Where webhooks go; may be set once the hub is listening. */
    settings,
    move,
    close: served.close,
  };
}
export type GenericSandbox = Awaited<ReturnType<typeof startGenericSandbox>>;

export const genericSandboxFactory = defineSandbox(genericRest, (s, p, { port, webhookUrl }) => startGenericSandbox({
  port, token: s.credentials.token, numberPrefix: p.id.toUpperCase().slice(0, 4),
  ...(webhookUrl ? { webhookUrl } : {}), ...(s.webhookSecret ? { webhookSecret: s.webhookSecret } : {}),
}));
