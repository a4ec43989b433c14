/**
 * Tenant isolation and secrets (issue 6, part 6).
 *
 * 1. Every declared route (topology/routes.ts: a new route fails `tsc` until its request is written here) is
 *    called with no token, an expired token, a token signed with another key, an engineer, an admin, a
 *    customer token without `customerId`, the owning customer and another customer. Who is refused (401,
 *    403) follows from the route's declared auth and roles; what the others get is pinned per route.
 *    Bodies answered to anyone but engineers and admins never carry another customer's case, ticket number, escalation id, summary or findings, and bodies answered to
 *    customers never carry findings, timeline, engineer names or contact data.
 * 2. The customer status page: a signed link or session of one case never opens another customer's case.
 * 3. Logs: a full flow (flag with contact e-mail and findings, partner opens, partner webhooks, comments,
 *    joint call, status link, a ServiceNow partner with a password, bad tokens and bad signatures) runs
 *    against the hub as a child process at DEBUG level; no line of its output carries a bearer token, the
 *    JWT key, a webhook secret, a partner token or password, a client secret, a status link, the customer's
 *    e-mail or the findings text.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { signJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { freePort, startHubProcess, writeHubConfig, type HubProcess } from '../support/hub-process';
import { customerToken, engineerToken, http, JWT_SECRET, startE2E, waitFor, type E2E } from '../support/local-hub';
import type { Role } from '../../core/schemas';
import { DECLARED_ROUTES, ROUTE_DECLARATIONS, type RouteDeclaration, type RouteKey } from '../../topology/routes';

jest.setTimeout(120_000);

type Caller = 'none' | 'expired' | 'foreign-key' | 'engineer' | 'admin' | 'customer-no-id' | 'owner' | 'other';
const CALLERS: Caller[] = ['none', 'expired', 'foreign-key', 'engineer', 'admin', 'customer-no-id', 'owner', 'other'];
const tokenOf = (c: Caller): string | undefined => ({
  none: undefined,
  expired: signJwt({ sub: 'eng-1', role: 'engineer' }, JWT_SECRET, -10),
  'foreign-key': signJwt({ sub: 'eng-1', role: 'admin' }, 'not-the-hub-key'),
  engineer: engineerToken(),
  admin: signJwt({ sub: 'admin-1', role: 'admin' }, JWT_SECRET),
  'customer-no-id': signJwt({ sub: 'cust-x', role: 'customer' }, JWT_SECRET),
  owner: customerToken('acme'),
  other: customerToken('umbrella'),
}[c]);

let e2e: E2E;
/** Two customers' cases, opened at the partner, with comments and a partner update. */
interface Tenant { caseId: string; escalationId: string; ticketNumber: string; ticketId: string; summary: string; findings: string; email: string }
const tenants: Record<'acme' | 'umbrella', Tenant> = {} as never;

async function seed(customerId: 'acme' | 'umbrella') {
  const t = {
    caseId: uid(`CASE-${customerId}`), summary: `Summary of ${customerId} ${uid('S')}`,
    findings: `Findings of ${customerId} ${uid('F')}`, email: `${uid('ana')}@${customerId}.example`.toLowerCase(),
  };
  const r = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(),
    body: { caseId: t.caseId, customerId, platform: 'acme', severity: 'high', summary: t.summary, findings: t.findings, customerContact: { name: 'Ana', email: t.email } },
  });
  expect(r.status).toBe(202);
  const esc = await waitFor('open', async () => {
    const g = await http(e2e.hub.url, 'GET', `/v1/escalations/${r.json.escalationId}`, { token: engineerToken() });
    return g.json?.partnerTicket ? g.json : false;
  });
  await http(e2e.hub.url, 'POST', `/v1/escalations/${esc.escalationId}/comments`, { token: engineerToken(), body: { body: `Engineer note for ${customerId}` } });
  await e2e.sandbox.move(esc.partnerTicket.id, 'in_progress', `Partner note for ${customerId}`);
  await waitFor('in_progress', async () => (await http(e2e.hub.url, 'GET', `/v1/escalations/${esc.escalationId}`, { token: engineerToken() })).json.status === 'in_progress');
  tenants[customerId] = { ...t, escalationId: esc.escalationId, ticketNumber: esc.partnerTicket.number, ticketId: esc.partnerTicket.id };
}

beforeAll(async () => {
  e2e = await startE2E();
  await seed('acme');
  await seed('umbrella');
});
afterAll(() => e2e?.stop());

/** A fresh acme escalation, for routes that change it (cancel). */
async function freshAcme() {
  const r = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId: uid('CASE-acme'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 'Throwaway', findings: 'Throwaway findings' },
  });
  return r.json.escalationId as string;
}

interface Call { path: string; body?: unknown; headers?: Record<string, string> }
/** The role each caller's token claims (a token that does not verify claims none). */
const ROLE_OF: Record<Caller, Role | undefined> = {
  none: undefined, expired: undefined, 'foreign-key': undefined, engineer: 'engineer', admin: 'admin', 'customer-no-id': 'customer', owner: 'customer', other: 'customer',
};
/**
 * What the declaration decides (topology/routes.ts): a `jwt` route answers 401 to a caller without a valid
 * token, and a route with roles 403 to a role it does not name (and to a customer token without
 * customerId); `undefined` when the caller gets through to the route's own answer.
 */
function declaredRefusal(key: RouteKey, caller: Caller): number | undefined {
  const d: RouteDeclaration = ROUTE_DECLARATIONS[key];
  if (d.auth === 'jwt' && ROLE_OF[caller] === undefined) return 401;
  if (d.roles && (!d.roles.includes(ROLE_OF[caller]!) || caller === 'customer-no-id')) return 403;
  return undefined;
}
/**
 * Per route: the request (about acme's case) and what a caller who gets through is answered (one status, or
 * per caller). Typed by the declarations: a declared route without its entry fails tsc.
 */
const EXPECT: Record<RouteKey, { call: () => Promise<Call>; answer: number | ((c: Caller) => number) }> = {
  'GET /health': { call: async () => ({ path: '/health' }), answer: 200 },
  'GET /openapi.json': { call: async () => ({ path: '/openapi.json' }), answer: 200 },
  'POST /v1/escalations': {
    // flagging acme's case again: 200 with the existing escalation
    call: async () => ({ path: '/v1/escalations', body: { caseId: tenants.acme.caseId, customerId: 'acme', platform: 'acme', severity: 'high', summary: 'again', findings: 'again' } }),
    answer: 200,
  },
  'GET /v1/escalations': { call: async () => ({ path: `/v1/escalations?caseId=${tenants.acme.caseId}` }), answer: 200 },
  'GET /v1/escalations/{escalationId}': { call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}` }), answer: 200 },
  'GET /v1/escalations/{escalationId}/timeline': { call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/timeline?limit=5` }), answer: 200 },
  'POST /v1/escalations/{escalationId}/comments': { call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/comments`, body: { body: 'a comment' } }), answer: 202 },
  'POST /v1/escalations/{escalationId}/cancel': { call: async () => ({ path: `/v1/escalations/${await freshAcme()}/cancel`, body: { reason: 'test' } }), answer: 200 },
  // the test partner has no collaboration connector: 409 is the engineer's answer (access granted, nothing to call)
  'POST /v1/escalations/{escalationId}/joint-calls': { call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/joint-calls`, body: {} }), answer: 409 },
  // acme's escalation already has its ticket: 409 for engineers
  'POST /v1/escalations/{escalationId}/partner-ticket': { call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/partner-ticket`, body: { number: 'HAND-1' } }), answer: 409 },
  // acme's escalation is open, not referred: 409 for engineers
  'POST /v1/escalations/{escalationId}/retry': { call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/retry`, body: {} }), answer: 409 },
  // the test partner has an API (its status is synced, not typed in): 409 for engineers
  'POST /v1/escalations/{escalationId}/partner-status': {
    call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/partner-status`, body: { status: 'resolved' } }),
    answer: 409,
  },
  // the test partner names no service-health source, so no incident is attached: 404 for engineers
  'POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/confirm': {
    call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/known-incidents/TM000001/confirm`, body: {} }), answer: 404,
  },
  'POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/dismiss': {
    call: async () => ({ path: `/v1/escalations/${tenants.acme.escalationId}/known-incidents/TM000001/dismiss`, body: {} }), answer: 404,
  },
  // another customer's case does not exist for them
  'GET /v1/customer/cases/{caseId}/partner-incidents': {
    call: async () => ({ path: `/v1/customer/cases/${tenants.acme.caseId}/partner-incidents` }),
    answer: (c) => (c === 'owner' ? 200 : 404),
  },
  // partner-wide, no customer's data: engineers read it (the test partner names no source: no items)
  'GET /v1/partners/{partnerId}/known-incidents': { call: async () => ({ path: '/v1/partners/acme-cloud/known-incidents' }), answer: 200 },
  'POST /v1/status-links': { call: async () => ({ path: '/v1/status-links', body: { customerId: 'acme', caseId: tenants.acme.caseId } }), answer: 201 },
  // optional auth: without a customer's token or session the page does not exist (404, never 401/403)
  'GET /status/cases/{caseId}': { call: async () => ({ path: `/status/cases/${tenants.acme.caseId}` }), answer: (c) => (c === 'owner' ? 200 : 404) },
  'GET /v1/admin/dead-letters': { call: async () => ({ path: '/v1/admin/dead-letters' }), answer: 200 },
  'POST /v1/admin/dead-letters/redrive': { call: async () => ({ path: '/v1/admin/dead-letters/redrive', body: {} }), answer: 200 },
  // the doctor's checks fail here (no sandbox behind this hub's partners), but the route answers its report
  'POST /v1/admin/doctor': { call: async () => ({ path: '/v1/admin/doctor', body: {} }), answer: 200 },
  // webhooks take no bearer token: a token of any kind does not stand in for the partner's signature
  'POST /v1/webhooks/{partnerId}': {
    call: async () => ({ path: '/v1/webhooks/acme-cloud', body: { type: 'incident.updated', data: { id: tenants.acme.ticketId, status: 'closed', updatedAt: new Date().toISOString() } } }),
    answer: 401,
  },
  // no collaboration connector on the test partner: 404 for everyone
  'POST /v1/webhooks/{partnerId}/collaboration': {
    call: async () => ({ path: '/v1/webhooks/acme-cloud/collaboration', body: { event: 'meeting.started', payload: {} } }),
    answer: 404,
  },
  // no desk configured: 404 for everyone
  'POST /v1/desks/{deskId}/events': {
    call: async () => ({ path: '/v1/desks/vendor-zendesk/events', body: { ticket: { id: '1' } } }),
    answer: 404,
  },
};
/** The status `caller` must get on `key`: the declaration's refusal, or the route's own answer. */
const expectedStatus = (key: RouteKey, caller: Caller) => {
  const { answer } = EXPECT[key];
  return declaredRefusal(key, caller) ?? (typeof answer === 'number' ? answer : answer(caller));
};

/** What must never reach a caller who is not an engineer or admin. */
function assertNoLeak(caller: Caller, route: string, text: string) {
  const a = tenants.acme;
  const b = tenants.umbrella;
  const where = `${route} as ${caller}`;
  const forbidden: [string, string][] = [
    // nobody outside the engineers sees findings, contact data, engineer names, the timeline, or umbrella's case
    [a.findings, 'acme findings'], [b.findings, 'umbrella findings'], [a.email, 'acme e-mail'], [b.email, 'umbrella e-mail'],
    ['eng-1', 'engineer name'], ['"timeline"', 'timeline'], ['Engineer note', 'engineer comment'], ['Partner note', 'partner comment'],
    [b.caseId, 'umbrella case id'], [b.escalationId, 'umbrella escalation id'], [b.ticketNumber, 'umbrella ticket'], [b.summary, 'umbrella summary'],
    ['findings', 'a findings field'], ['lastError', 'engineer-only field'],
  ];
  if (caller !== 'owner') {
    // only acme's own customers see acme's ticket; no one else sees its ids or summary
    forbidden.push([a.ticketNumber, 'acme ticket'], [a.escalationId, 'acme escalation id'], [a.summary, 'acme summary']);
  }
  for (const [needle, what] of forbidden) {
    if (text.includes(needle)) throw new Error(`${where}: the answer carries ${what} (${needle}): ${text.slice(0, 400)}`);
  }
}

describe('tenant isolation: every route, every kind of caller', () => {
  it('the routes tried are the declared routes, and the topology serves exactly those', () => {
    expect(e2e.hub.topology.routes.map((r) => `${r.method} ${r.path}`)).toEqual(DECLARED_ROUTES.map((r) => r.key));
    expect(Object.keys(EXPECT).sort()).toEqual(DECLARED_ROUTES.map((r) => r.key).sort());
  });

  it('the declaration refuses every caller it should: the matrix is not all pass-through', () => {
    expect(declaredRefusal('POST /v1/status-links', 'owner')).toBe(403);
    expect(declaredRefusal('GET /v1/admin/dead-letters', 'engineer')).toBe(403);
    expect(declaredRefusal('GET /v1/customer/cases/{caseId}/partner-incidents', 'customer-no-id')).toBe(403);
    expect(declaredRefusal('GET /v1/escalations', 'expired')).toBe(401);
    expect(declaredRefusal('GET /status/cases/{caseId}', 'none')).toBeUndefined();
  });

  for (const caller of CALLERS) {
    it(`as ${caller}: the pinned status on every route, and nothing of another tenant`, async () => {
      const results: string[] = [];
      for (const route of DECLARED_ROUTES) {
        const key = route.key;
        const c = await EXPECT[key].call();
        const token = tokenOf(caller);
        const r = await http(e2e.hub.url, route.method, c.path, { ...(token ? { token } : {}), ...(c.body !== undefined ? { body: c.body } : {}), ...(c.headers ? { headers: c.headers } : {}) });
        results.push(`${key}: ${r.status}`);
        expect({ route: key, status: r.status }).toEqual({ route: key, status: expectedStatus(key, caller) });
        if (r.status >= 400 && !route.path.startsWith('/status/')) expect(r.json).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
        if (caller !== 'engineer' && caller !== 'admin' && key !== 'GET /openapi.json') assertNoLeak(caller, key, r.text);
        if (caller === 'owner' && r.status === 200 && route.path.includes('{caseId}')) expect(r.text).toContain(tenants.acme.ticketNumber);
      }
      expect(results.length).toBe(Object.keys(EXPECT).length);
    });
  }

  it("a customer reaches their own case and never the other's, by API or status page", async () => {
    for (const [who, mine, theirs] of [['acme', tenants.acme, tenants.umbrella], ['umbrella', tenants.umbrella, tenants.acme]] as const) {
      const own = await http(e2e.hub.url, 'GET', `/v1/customer/cases/${mine.caseId}/partner-incidents`, { token: customerToken(who) });
      expect(own.status).toBe(200);
      expect(own.json.incidents.map((i: { ticketNumber: string }) => i.ticketNumber)).toEqual([mine.ticketNumber]);
      expect(Object.keys(own.json.incidents[0]).sort()).toEqual(['knownIncidents', 'openedAt', 'partnerId', 'partnerName', 'referral', 'status', 'ticketNumber', 'ticketUrl', 'updatedAt']);
      for (const path of [`/v1/customer/cases/${theirs.caseId}/partner-incidents`, `/status/cases/${theirs.caseId}`]) {
        const r = await http(e2e.hub.url, 'GET', path, { token: customerToken(who) });
        expect({ path, status: r.status }).toEqual({ path, status: 404 });
        for (const s of [theirs.ticketNumber, theirs.escalationId, theirs.summary, theirs.findings, theirs.email]) expect(r.text).not.toContain(s);
      }
      // a customer id that differs only in case is another customer
      const upper = await http(e2e.hub.url, 'GET', `/v1/customer/cases/${mine.caseId}/partner-incidents`, { token: customerToken(who.toUpperCase()) });
      expect(upper.status).toBe(404);
    }
  });

  it("a signed status link or session for one case never opens another customer's case", async () => {
    const link = await http(e2e.hub.url, 'POST', '/v1/status-links', { token: engineerToken(), body: { customerId: 'umbrella', caseId: tenants.umbrella.caseId } });
    expect(link.status).toBe(201);
    const token = new URL(link.json.path as string, 'http://x').searchParams.get('link')!;
    // umbrella's link on acme's page
    const onOther = await fetch(`${e2e.hub.url}/status/cases/${tenants.acme.caseId}?link=${token}`, { redirect: 'manual' });
    expect([401, 404]).toContain(onOther.status);
    const body = await onOther.text();
    expect(body).not.toContain(tenants.acme.ticketNumber);
    // umbrella's session cookie on acme's page
    const session = await fetch(`${e2e.hub.url}/status/cases/${tenants.acme.caseId}`, { headers: { cookie: `hub_status=${token}` } });
    expect(session.status).toBe(404);
    expect(await session.text()).not.toContain(tenants.acme.ticketNumber);
    // and on its own page it works (so the refusals above are about the case, not a broken link)
    const own = await fetch(`${e2e.hub.url}/status/cases/${tenants.umbrella.caseId}`, { headers: { cookie: `hub_status=${token}` } });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain(tenants.umbrella.ticketNumber);
    // a link minted for acme's case but for the wrong customer does not exist
    const wrong = await http(e2e.hub.url, 'POST', '/v1/status-links', { token: engineerToken(), body: { customerId: 'umbrella', caseId: tenants.acme.caseId } });
    expect(wrong.status).toBe(404);
  });
});

describe('secrets never reach the logs', () => {
  let hub: HubProcess | undefined;
  let sandbox: GenericSandbox | undefined;
  afterAll(async () => {
    await hub?.stop().catch(() => undefined);
    await sandbox?.close();
  });

  it('a full flow at DEBUG level logs no token, secret, password, e-mail or findings', async () => {
    const jwtKey = `log-jwt-key-${uid('k')}`;
    const partnerToken = `partner-token-${uid('p')}`;
    const webhookRaw = `webhook-raw-${uid('w')}`;
    const webhookSecret = 'whsec_' + Buffer.from(webhookRaw).toString('base64');
    const snPassword = `sn-password-${uid('pw')}`;
    const zoomClientSecret = `zoom-client-secret-${uid('z')}`;
    const zoomWebhookSecret = `zoom-webhook-secret-${uid('zw')}`;
    const email = `${uid('contact')}@acme.example`.toLowerCase();
    const findings = `Confidential finding ${uid('F')}: the relay at 10.1.2.3 drops sessions`;
    const [zoomPort, snPort] = [await freePort(), await freePort()];
    sandbox = await startGenericSandbox({ token: partnerToken, webhookSecret });
    const configPath = writeHubConfig({
      partners: [
        {
          id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: sandbox.baseUrl,
          credentials: { token: '${ACME_TOKEN}' }, webhookSecret: '${ACME_WEBHOOK_SECRET}', retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 500 },
          collaboration: {
            connector: 'zoom', sandbox: true, baseUrl: `http://127.0.0.1:${zoomPort}/v2`, oauthUrl: `http://127.0.0.1:${zoomPort}/oauth/token`,
            credentials: { accountId: 'acct', clientId: 'client', clientSecret: zoomClientSecret }, webhookSecret: zoomWebhookSecret,
          },
        },
        {
          id: 'sn', name: 'ServiceNow Partner', platforms: ['sn'], connector: 'servicenow', sandbox: true, baseUrl: `http://127.0.0.1:${snPort}`,
          credentials: { username: 'integration', password: snPassword }, retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 500 },
        },
      ],
    });
    hub = await startHubProcess({
      configPath, dataDir: join(mkdtempSync(join(tmpdir(), 'hub-logs-')), 'data'), jwtSecret: jwtKey, sweepIntervalMs: 500,
      env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', ACME_TOKEN: partnerToken, ACME_WEBHOOK_SECRET: webhookSecret },
    });
    sandbox.settings.webhookUrl = `${hub.url}/v1/webhooks/acme-cloud`;
    const eng = signJwt({ sub: 'eng-logs', role: 'engineer' }, jwtKey);
    const cust = signJwt({ sub: 'cust-logs', role: 'customer', customerId: 'acme' }, jwtKey);
    const call = (method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => http(hub!.url, method, path, opts);

    const caseId = uid('CASE');
    const flagged = await call('POST', '/v1/escalations', {
      token: eng,
      body: { caseId, customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Audio drops', findings, customerContact: { name: 'Ana Contact', email }, product: { serialNumber: 'SN-123' } },
    });
    expect(flagged.status).toBe(202);
    const id = flagged.json.escalationId as string;
    const esc = await waitFor('open', async () => { const g = await call('GET', `/v1/escalations/${id}`, { token: eng }); return g.json?.partnerTicket ? g.json : false; });
    expect((await call('POST', `/v1/escalations/${id}/comments`, { token: eng, body: { body: `Please call ${email}` } })).status).toBe(202);
    await sandbox.move(esc.partnerTicket.id, 'in_progress', 'Investigating');
    await waitFor('in_progress', async () => (await call('GET', `/v1/escalations/${id}`, { token: eng })).json.status === 'in_progress');
    // a webhook replayed, one with a wrong signature, one stale
    const body = JSON.stringify({ type: 'incident.updated', data: { id: esc.partnerTicket.id, status: 'awaiting_info', updatedAt: new Date().toISOString() } });
    const ts = Math.floor(Date.now() / 1000);
    const sig = signStandardWebhook(webhookSecret, 'msg_logs_1', ts, body);
    for (let i = 0; i < 2; i++) await call('POST', '/v1/webhooks/acme-cloud', { raw: body, headers: { 'webhook-id': 'msg_logs_1', 'webhook-timestamp': String(ts), 'webhook-signature': sig } });
    expect((await call('POST', '/v1/webhooks/acme-cloud', { raw: body, headers: { 'webhook-id': 'msg_logs_2', 'webhook-timestamp': String(ts), 'webhook-signature': 'v1,' + createHmac('sha256', 'wrong').update(body).digest('base64') } })).status).toBe(401);
    expect((await call('POST', '/v1/webhooks/acme-cloud', { raw: body, headers: { 'webhook-id': 'msg_logs_3', 'webhook-timestamp': String(ts - 3600), 'webhook-signature': signStandardWebhook(webhookSecret, 'msg_logs_3', ts - 3600, body) } })).status).toBe(401);
    // joint call through the zoom sandbox (OAuth with the client secret)
    expect((await call('POST', `/v1/escalations/${id}/joint-calls`, { token: eng, body: { durationMinutes: 30 } })).status).toBe(201);
    // the customer's view, a status link and its use
    expect((await call('GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: cust })).status).toBe(200);
    const link = await call('POST', '/v1/status-links', { token: eng, body: { customerId: 'acme', caseId } });
    expect(link.status).toBe(201);
    const linkToken = new URL(link.json.path as string, 'http://x').searchParams.get('link')!;
    expect((await fetch(`${hub.url}${link.json.path}`, { redirect: 'manual' })).status).toBe(303);
    // a ServiceNow partner (Basic auth with a password)
    const snCase = uid('CASE');
    const sn = await call('POST', '/v1/escalations', { token: eng, body: { caseId: snCase, customerId: 'acme', platform: 'sn', severity: 'low', summary: 'SN case', findings, customerContact: { email } } });
    expect(sn.status).toBe(202);
    await waitFor('the ServiceNow incident', async () => (await call('GET', `/v1/escalations/${sn.json.escalationId}`, { token: eng })).json.partnerTicket);
    // bad tokens, a forbidden role, validation errors that carry the values back to the caller
    await call('GET', `/v1/escalations/${id}`, { token: eng.slice(0, -4) + 'AAAA' });
    await call('GET', `/v1/escalations/${id}`, { token: cust });
    await call('POST', '/v1/escalations', { token: eng, body: { caseId: `${email}`, customerId: 'acme', platform: 'acme', severity: 'urgent', summary: 'x', findings, customerContact: { email } } });
    await call('POST', '/v1/escalations', { token: eng, raw: `{"findings":"${findings}", broken` });
    await call('POST', `/v1/escalations/${id}/cancel`, { token: eng, body: { reason: 'resolved by the customer' } });
    await waitFor('the cancellation comment at the partner', async () => sandbox!.incidents.get(esc.partnerTicket.id)!.comments.some((c) => c.includes('resolved by the customer')));
    await new Promise((r) => setTimeout(r, 1500)); // a few sweeps and queue rounds more
    await hub.stop();

    const out = hub.output();
    const lines = out.split('\n').filter(Boolean);
    // the logs were captured: the flow's own events are there
    expect(out).toContain('escalation requested');
    expect(out).toContain('partner incident opened');
    expect(out).toMatch(/"level":"(DEBUG|INFO|WARN|ERROR)"/); // structured Powertools lines, not only start-up text
    const secrets: Record<string, string> = {
      'engineer bearer token': eng, 'customer bearer token': cust, 'token signature': eng.split('.')[2]!, 'JWT key': jwtKey,
      'partner token': partnerToken, 'webhook secret': webhookSecret, 'webhook secret (base64)': webhookSecret.slice(6), 'webhook secret (raw)': webhookRaw,
      'webhook signature': sig.slice(3), 'ServiceNow password': snPassword, 'ServiceNow Basic credentials': Buffer.from(`integration:${snPassword}`).toString('base64'),
      'Zoom client secret': zoomClientSecret, 'Zoom webhook secret': zoomWebhookSecret, 'status link': linkToken,
      'customer e-mail': email, 'findings text': findings, 'findings marker': findings.split(' ')[2]!,
    };
    const leaks = Object.entries(secrets).flatMap(([what, s]) => lines.filter((l) => l.includes(s)).map((l) => `${what}: ${l.slice(0, 300)}`));
    expect(leaks).toEqual([]);
    console.log(`log capture: ${lines.length} lines at DEBUG, ${Object.keys(secrets).length} secrets checked, none found`);
  });
});
