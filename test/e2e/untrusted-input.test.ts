/**
 * Partner data is untrusted, and so is every byte of a request (issue 12, items 5, 8 and 16), over HTTP
 * against the local runtime: a partner answering with a `javascript:` or `data:` ticket URL; webhook bodies
 * signed over bytes that are not UTF-8 (Latin-1 declared, invalid UTF-8 undeclared); lone surrogates that
 * strict JSON clients cannot read; and the inputs that used to make a 500 (prototype keys, out-of-range
 * times in signed bodies, control characters after a status link).
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { signJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { http, waitFor } from '../support/local-hub';

const JWT = `untrusted-${uid('jwt')}`;
const SECRET = 'whsec_' + Buffer.from('untrusted-webhook-secret').toString('base64');
const ZOOM_SECRET = 'untrusted-zoom-secret';
const ZENDESK_SECRET = 'untrusted-zendesk-secret';
const eng = () => signJwt({ sub: 'eng-untrusted', role: 'engineer' }, JWT);
const cust = () => signJwt({ sub: 'cust-acme', role: 'customer', customerId: 'acme' }, JWT);

/** A generic-rest partner whose answers the test chooses (the `url` of the incidents it opens). */
let partnerUrl = 'https://partner.example/incidents/1';
let nextId = 1000;
let partner: Server;
let hub: LocalHub;

beforeAll(async () => {
  const incidents = new Map<string, Record<string, unknown>>();
  partner = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      const u = new URL(req.url ?? '/', 'http://partner');
      if (req.method === 'POST' && u.pathname === '/incidents') {
        const id = String(nextId++);
        const incident = { id, number: `UNT-${id}`, url: partnerUrl, status: 'new', updatedAt: new Date().toISOString() };
        incidents.set(id, incident);
        return send(201, incident);
      }
      if (req.method === 'GET' && u.pathname === '/incidents') return send(200, { items: [] });
      const m = /^\/incidents\/(\w+)$/.exec(u.pathname);
      if (m && incidents.has(m[1]!)) return send(200, incidents.get(m[1]!));
      if (/\/comments$/.test(u.pathname)) return send(201, {});
      return send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
  const config = parseHubConfig({
    partners: [
      {
        id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl,
        credentials: { token: 'partner-token' }, webhookSecret: SECRET, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
        collaboration: { connector: 'zoom', credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' }, webhookSecret: ZOOM_SECRET },
      },
      {
        id: 'zd', name: 'Zendesk partner', platforms: ['zd'], connector: 'zendesk', baseUrl: 'https://partner.example',
        credentials: { email: 'hub@vendor.example', apiToken: 't' }, webhookSecret: ZENDESK_SECRET,
      },
    ],
  }, {});
  hub = await startLocalHub({ config, dataDir: mkdtempSync(join(tmpdir(), 'hub-untrusted-')), jwtSecret: JWT, log: silentLog, sweepIntervalMs: 500 });
});
afterAll(async () => {
  await hub?.stop();
  await new Promise((r) => partner?.close(r));
});

const newCase = (over: Record<string, unknown> = {}) => ({
  caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Untrusted partner data', findings: 'f', ...over,
});
async function flagAndOpen(over: Record<string, unknown> = {}) {
  const body = newCase(over);
  const r = await http(hub.url, 'POST', '/v1/escalations', { token: eng(), body });
  expect(r.status).toBe(202);
  const opened = await waitFor('the escalation to open', async () => {
    const g = await http(hub.url, 'GET', `/v1/escalations/${r.json.escalationId}`, { token: eng() });
    return g.json?.status === 'open' ? g.json : false;
  });
  return { ...opened, caseId: body.caseId };
}

/** POSTs raw bytes (fetch would re-encode a string as UTF-8). */
async function postBytes(path: string, bytes: Buffer, headers: Record<string, string>) {
  const res = await fetch(hub.url + path, { method: 'POST', headers, body: bytes });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

/** Signs `body` (bytes) as Standard Webhooks: over `id.ts.` followed by the bytes exactly. */
function standardHeaders(bytes: Buffer, id = `msg_${uid('u')}`, ts = Math.floor(Date.now() / 1000)) {
  const key = Buffer.from(SECRET.slice(6), 'base64');
  const sig = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${ts}.`), bytes])).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` };
}

const expect4xx = (r: { status: number; json?: { error?: { code?: unknown; message?: unknown } } }) => {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(typeof r.json?.error?.code).toBe('string');
  expect(typeof r.json?.error?.message).toBe('string');
};

describe('partner ticket URLs (item 5)', () => {
  it.each(['javascript:alert(document.cookie)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', ' JavaScript:alert(1)', 'vbscript:msgbox(1)'])(
    'a partner URL %s is not stored, returned to the customer, or linked on the status page', async (url) => {
      partnerUrl = url;
      try {
        const e = await flagAndOpen();
        expect(e.partnerTicket.number).toMatch(/^UNT-/);
        expect(e.partnerTicket.url).toBeUndefined();
        expect((await hub.deps.store.getEscalation(e.escalationId))!.partnerTicket).toEqual({ id: e.partnerTicket.id, number: e.partnerTicket.number });
        expect(JSON.stringify(await hub.deps.store.getTimeline(e.escalationId)).toLowerCase()).not.toMatch(/javascript:|data:text|vbscript:/);
        const view = await http(hub.url, 'GET', `/v1/customer/cases/${e.caseId}/partner-incidents`, { token: cust() });
        expect(view.status).toBe(200);
        expect(view.json.incidents[0].ticketUrl).toBeNull();
        const page = await http(hub.url, 'GET', `/status/cases/${e.caseId}`, { token: cust() });
        expect(page.status).toBe(200);
        expect(page.text).toContain(e.partnerTicket.number);
        expect(page.text.toLowerCase()).not.toMatch(/javascript:|data:text|vbscript:/);
      } finally {
        partnerUrl = 'https://partner.example/incidents/1';
      }
    });

  it('an https URL from the partner is kept and linked', async () => {
    const e = await flagAndOpen();
    expect(e.partnerTicket.url).toBe('https://partner.example/incidents/1');
    const page = await http(hub.url, 'GET', `/status/cases/${e.caseId}`, { token: cust() });
    expect(page.text).toContain('href="https://partner.example/incidents/1"');
  });

  it('a bad URL already stored (before this fix) is neither returned to the customer nor linked', async () => {
    const e = await flagAndOpen();
    const stored = (await hub.deps.store.getEscalation(e.escalationId))!;
    await hub.deps.store.saveEscalation({ ...stored, partnerTicket: { ...stored.partnerTicket!, url: 'javascript:alert(1)' }, version: stored.version + 1 });
    const view = await http(hub.url, 'GET', `/v1/customer/cases/${e.caseId}/partner-incidents`, { token: cust() });
    expect(view.json.incidents[0].ticketUrl).toBeNull();
    const page = await http(hub.url, 'GET', `/status/cases/${e.caseId}`, { token: cust() });
    expect(page.text).not.toContain('javascript:');
  });
});

describe('webhook bodies are verified over the bytes as received (item 8)', () => {
  it('a correctly signed Latin-1 body (charset declared) is accepted and read as Latin-1', async () => {
    const e = await flagAndOpen();
    const body = Buffer.from(JSON.stringify({ type: 'incident.updated', data: { id: e.partnerTicket.id, status: 'in_progress', updatedAt: new Date().toISOString(), comment: 'Café crème, señor' } }), 'latin1');
    expect(body.includes(Buffer.from('é', 'utf8'))).toBe(false); // really Latin-1 bytes
    const r = await postBytes('/v1/webhooks/acme-cloud', body, { 'content-type': 'application/json; charset=ISO-8859-1', ...standardHeaders(body) });
    expect(r.status).toBe(202);
    const comment = await waitFor('the comment', async () => {
      const g = await http(hub.url, 'GET', `/v1/escalations/${e.escalationId}`, { token: eng() });
      return g.json.timeline.find((t: { type: string }) => t.type === 'partner_comment');
    });
    expect(comment.detail.body).toBe('Café crème, señor');
  });

  it('a correctly signed body that is not valid UTF-8 (no charset declared) is refused, never stored with U+FFFD', async () => {
    const e = await flagAndOpen();
    const body = Buffer.concat([
      Buffer.from(`{"type":"incident.updated","data":{"id":"${e.partnerTicket.id}","status":"resolved","updatedAt":"${new Date().toISOString()}","comment":"bad `),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}}'),
    ]);
    const r = await postBytes('/v1/webhooks/acme-cloud', body, { 'content-type': 'application/json', ...standardHeaders(body) });
    expect4xx(r);
    expect(r.status).not.toBe(401); // the signature is right: the body is what is refused
    const g = await http(hub.url, 'GET', `/v1/escalations/${e.escalationId}`, { token: eng() });
    expect(g.json.status).toBe('open');
    expect(g.text).not.toContain('\uFFFD');
  });

  it('a signature computed over the UTF-8 re-encoding of such a body does not match', async () => {
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1
    const id = `msg_${uid('u')}`;
    const ts = Math.floor(Date.now() / 1000);
    const overText = signStandardWebhook(SECRET, id, ts, body.toString('utf8'));
    const r = await postBytes('/v1/webhooks/acme-cloud', body, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': overText });
    expect(r.status).toBe(401);
  });

  it('the engineer API refuses a body that is not UTF-8 as invalid JSON', async () => {
    const r = await postBytes('/v1/escalations', Buffer.concat([Buffer.from('{"caseId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), {
      'content-type': 'application/json', authorization: `Bearer ${eng()}`,
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_json');
  });

  it('lone surrogates from a partner are stored so that a strict JSON client can read the answer', async () => {
    const e = await flagAndOpen();
    const raw = `{"type":"incident.updated","data":{"id":"${e.partnerTicket.id}","status":"in_progress","updatedAt":"${new Date().toISOString()}","comment":"half \\ud83d and \\ude00 alone"}}`;
    const bytes = Buffer.from(raw);
    expect((await postBytes('/v1/webhooks/acme-cloud', bytes, { 'content-type': 'application/json', ...standardHeaders(bytes) })).status).toBe(202);
    const text = await waitFor('the comment', async () => {
      const g = await http(hub.url, 'GET', `/v1/escalations/${e.escalationId}`, { token: eng() });
      return g.json.timeline.some((t: { type: string }) => t.type === 'partner_comment') ? g.text : false;
    });
    // a strict parser (Rust serde_json, Go with DisallowInvalidUTF8…) refuses \ud83d without its pair
    expect(text).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\udc)|\\ud[c-f][0-9a-f]{2}/i);
    expect(JSON.parse(text).timeline.find((t: { type: string }) => t.type === 'partner_comment').detail.body).toBe('half \uFFFD and \uFFFD alone');
  });
});

describe('inputs that used to make a 500 (item 16)', () => {
  it.each([
    ['constructor', { constructor: 'y' }],
    ['__proto__', JSON.parse('{"__proto__": "y"}')],
    ['prototype', { prototype: 'y' }],
    ['hasOwnProperty', { hasOwnProperty: 'y' }],
    ['toString', { toString: 'y' }],
  ])('product with a %s key is a 4xx', async (_k, product) => {
    const r = await http(hub.url, 'POST', '/v1/escalations', { token: eng(), raw: JSON.stringify({ ...newCase(), product }) });
    expect4xx(r);
  });

  it('prototype keys in customerContact are a 4xx too', async () => {
    const r = await http(hub.url, 'POST', '/v1/escalations', { token: eng(), body: { ...newCase(), customerContact: { constructor: 'x', name: 'Ana' } } });
    expect4xx(r);
  });

  const zoom = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return http(hub.url, 'POST', '/v1/webhooks/acme-cloud/collaboration', {
      raw: body, headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${createHmac('sha256', ZOOM_SECRET).update(`v0:${ts}:${body}`).digest('hex')}` },
    });
  };
  it.each(['1e20', '-1e20', '8640000000000001', '1.7976931348623157e308'])('a signed Zoom event_ts of %s is a 4xx', async (ts) => {
    expect4xx(await zoom(`{"event":"meeting.started","event_ts":${ts},"payload":{"account_id":"a","object":{"id":85012345678,"uuid":"u"}}}`));
  });

  const zendesk = (body: string) => {
    const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return http(hub.url, 'POST', '/v1/webhooks/zd', {
      raw: body, headers: { 'x-zendesk-webhook-signature': createHmac('sha256', ZENDESK_SECRET).update(ts + body).digest('base64'), 'x-zendesk-webhook-signature-timestamp': ts, 'x-zendesk-webhook-invocation-id': uid('inv') },
    });
  };
  it.each(['1e20', '"99999999999999999"', '-1e20', '"1e20"', '"+275761-01-01T00:00:00Z"'])('a signed Zendesk updated_at of %s is a 4xx', async (at) => {
    expect4xx(await zendesk(`{"ticket":{"id":"35436","status":"open","updated_at":${at}}}`));
  });

  it.each(['%0A', '%0D%0A', '%0D', '%00', '%09x', '%20', '%7F'])('a valid status link with %s appended is refused, not a 500', async (suffix) => {
    const e = await flagAndOpen();
    const link = await http(hub.url, 'POST', '/v1/status-links', { token: eng(), body: { customerId: 'acme', caseId: e.caseId } });
    expect(link.status).toBe(201);
    const ok = await fetch(hub.url + link.json.path, { redirect: 'manual' });
    expect(ok.status).toBe(303);
    const r = await fetch(hub.url + link.json.path + suffix, { redirect: 'manual' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    // and the cookie, were one set, carries nothing but the token's own characters
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});
