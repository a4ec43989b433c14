/**
 * What a customer sees and how they get in (core/use-cases/customer-view.ts), at the use cases, and at the
 * raw api handler (`makeApiHandler(deps)(event)` with API Gateway v2 events: the dispatcher's role checks
 * and parsing, the status-link route, the status page and the customer route). The e2e tests
 * (status-page, tenant-isolation, openapi-responses) cover the same over HTTP.
 */
import { silentLog, type HubDeps } from '../../core/deps';
import { ConflictError, NotFoundError } from '../../core/errors';
import type { Escalation } from '../../core/escalation';
import type { EscalationStore } from '../../core/ports';
import { hmacStatusLinkSigner, type StatusLinkSigner } from '../../core/status-links';
import { customerIncidents, mintStatusLink, viewCustomerCase, type CustomerViewDeps } from '../../core/use-cases/customer-view';
import { makeApiHandler, type ApiOptions } from '../../functions/api';
import type { HttpEvent } from '../../functions/http';
import { draftEscalation, FakeClock, RecordingBus, RecordingQueue, testConfig } from '../support/fixtures';

const KEY = 'status-link-test-key';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** Two customers' escalations; the store answers a customer's case look-up and counts the look-ups. */
function setup() {
  const escalations: Escalation[] = [
    draftEscalation({ caseId: 'CASE-1', customerId: 'acme', status: 'open', partnerTicket: { id: 't1', number: 'P-1' }, openedAt: new Date(T0).toISOString() }),
    draftEscalation({ caseId: 'CASE-2', customerId: 'umbrella', status: 'open', partnerTicket: { id: 't2', number: 'P-2' } }),
  ];
  const lookups: string[] = [];
  const store: CustomerViewDeps['store'] = {
    listByCustomerCase: async (customerId, caseId) => {
      lookups.push(`${customerId}/${caseId}`);
      return escalations.filter((e) => e.customerId === customerId && e.caseId === caseId);
    },
  };
  const clock = new FakeClock(T0);
  return { deps: { store, clock }, clock, lookups, signer: hmacStatusLinkSigner(KEY) };
}

const grantOf = (signer: StatusLinkSigner, path: string, now: Date) => signer.verify(new URL(path, 'http://hub').searchParams.get('link')!, now);

describe('use cases', () => {
  it('customerIncidents: the customer\'s own case only; a malformed case id costs no look-up', async () => {
    const { deps, lookups } = setup();
    expect((await customerIncidents(deps, 'acme', 'CASE-1')).map((i) => i.ticketNumber)).toEqual(['P-1']);
    expect(await customerIncidents(deps, 'acme', 'CASE-2')).toEqual([]);
    expect(await customerIncidents(deps, 'acme', 'bad case id')).toEqual([]);
    expect(lookups).toEqual(['acme/CASE-1', 'acme/CASE-2']);
    // what a customer sees: no findings, summary, engineer names or escalation id
    expect(Object.keys((await customerIncidents(deps, 'acme', 'CASE-1'))[0]!).sort()).toEqual(['knownIncidents', 'openedAt', 'partnerId', 'partnerName', 'referral', 'status', 'ticketNumber', 'ticketUrl', 'updatedAt']);
  });

  it('mintStatusLink: a link to the customer\'s case that expires after its ttl; refused without a signer or a case', async () => {
    const { deps, signer } = setup();
    const link = await mintStatusLink(deps, signer, { customerId: 'acme', caseId: 'CASE-1', ttlMinutes: 30 });
    expect(link.expiresAt).toBe('2030-01-01T00:30:00.000Z');
    expect(link.path).toMatch(/^\/status\/cases\/CASE-1\?link=/);
    expect(grantOf(signer, link.path, new Date(T0))).toEqual({ customerId: 'acme', caseId: 'CASE-1', exp: T0 / 1000 + 1800 });
    expect(grantOf(signer, link.path, new Date(T0 + 30 * 60_000))).toBeUndefined();
    await expect(mintStatusLink(deps, undefined, { customerId: 'acme', caseId: 'CASE-1', ttlMinutes: 30 })).rejects.toThrow(ConflictError);
    await expect(mintStatusLink(deps, signer, { customerId: 'acme', caseId: 'CASE-2', ttlMinutes: 30 })).rejects.toThrow(NotFoundError);
  });

  it('viewCustomerCase: a link becomes a session for as long as it is valid; a refused link is not a missing case', async () => {
    const { deps, signer, clock } = setup();
    const { path } = await mintStatusLink(deps, signer, { customerId: 'acme', caseId: 'CASE-1', ttlMinutes: 10 });
    const token = new URL(path, 'http://hub').searchParams.get('link')!;
    clock.advance(4 * 60_000);
    expect(await viewCustomerCase(deps, signer, 'CASE-1', { link: token })).toEqual({ kind: 'start_session', session: token, maxAgeSeconds: 360, location: '/status/cases/CASE-1' });
    expect(await viewCustomerCase(deps, signer, 'CASE-2', { link: token })).toEqual({ kind: 'link_refused' });
    expect(await viewCustomerCase(deps, undefined, 'CASE-1', { link: token })).toEqual({ kind: 'link_refused' });
    const seen = await viewCustomerCase(deps, signer, 'CASE-1', { session: token });
    expect(seen).toMatchObject({ kind: 'incidents', caseId: 'CASE-1', incidents: [{ ticketNumber: 'P-1' }] });
    clock.advance(6 * 60_000); // expired
    expect(await viewCustomerCase(deps, signer, 'CASE-1', { link: token })).toEqual({ kind: 'link_refused' });
    expect(await viewCustomerCase(deps, signer, 'CASE-1', { session: token })).toEqual({ kind: 'not_found' });
  });

  it('viewCustomerCase: another customer\'s case, an unknown one and a malformed id all look the same', async () => {
    const { deps, signer } = setup();
    expect(await viewCustomerCase(deps, signer, 'CASE-1', { customerId: 'acme' })).toMatchObject({ kind: 'incidents' });
    for (const [caseId, access] of [['CASE-2', { customerId: 'acme' }], ['CASE-9', { customerId: 'acme' }], ['bad id', { customerId: 'acme' }], ['CASE-1', {}]] as const) {
      expect(await viewCustomerCase(deps, signer, caseId, access)).toEqual({ kind: 'not_found' });
    }
    // a session of one case does not open another, even the same customer's
    const other = (await mintStatusLink(deps, signer, { customerId: 'umbrella', caseId: 'CASE-2', ttlMinutes: 10 })).path;
    expect(await viewCustomerCase(deps, signer, 'CASE-1', { session: new URL(other, 'http://hub').searchParams.get('link')! })).toEqual({ kind: 'not_found' });
  });
});

describe('the raw api handler', () => {
  /** The routes called here read the store's customer look-up only. */
  const handler = (deps: CustomerViewDeps, opts: ApiOptions = { sessionKey: KEY }) => makeApiHandler({
    config: testConfig('http://127.0.0.1:1'), store: deps.store as EscalationStore, clock: deps.clock, bus: new RecordingBus(), queue: new RecordingQueue(),
    connectors: { ticketing: () => undefined, collaboration: () => undefined, serviceHealth: () => undefined }, newId: () => 'id', random: () => 0.5, log: silentLog,
    metrics: { count: () => {}, partnerLatency: () => {} },
  } satisfies HubDeps, opts);
  const event = (routeKey: string, o: { claims?: Record<string, string>; path?: Record<string, string>; query?: Record<string, string>; body?: unknown; cookies?: string[] } = {}) => ({
    version: '2.0', routeKey, rawPath: '/', rawQueryString: '', headers: {}, isBase64Encoded: false,
    ...(o.path ? { pathParameters: o.path } : {}), ...(o.query ? { queryStringParameters: o.query } : {}), ...(o.cookies ? { cookies: o.cookies } : {}),
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    requestContext: { routeKey, authorizer: { jwt: { claims: o.claims ?? {}, scopes: [] } } },
  }) as unknown as HttpEvent;
  const engineer = { sub: 'eng-1', role: 'engineer' };
  const body = (r: { body: string }) => JSON.parse(r.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('POST /v1/status-links: minted for an engineer; the declared roles and body are checked before the use case runs', async () => {
    const { deps, lookups, signer } = setup();
    const api = handler(deps);
    const ok = await api(event('POST /v1/status-links', { claims: engineer, body: { customerId: 'acme', caseId: 'CASE-1' } }));
    expect(ok.statusCode).toBe(201);
    expect(body(ok).expiresAt).toBe('2030-01-01T01:00:00.000Z'); // the declared default ttl: 60 minutes
    expect(grantOf(signer, body(ok).path, new Date(T0))).toMatchObject({ customerId: 'acme', caseId: 'CASE-1' });
    lookups.length = 0;
    const asCustomer = await api(event('POST /v1/status-links', { claims: { sub: 'c', role: 'customer', customerId: 'acme' }, body: { customerId: 'acme', caseId: 'CASE-1' } }));
    expect([asCustomer.statusCode, body(asCustomer).error.code]).toEqual([403, 'forbidden']);
    const invalid = await api(event('POST /v1/status-links', { claims: engineer, body: { customerId: 'acme', caseId: 'CASE-1', ttlMinutes: 1 } }));
    expect([invalid.statusCode, body(invalid).error.details]).toEqual([422, [expect.objectContaining({ path: 'ttlMinutes' })]]);
    expect(lookups).toEqual([]);
    expect((await handler(deps, {})(event('POST /v1/status-links', { claims: engineer, body: { customerId: 'acme', caseId: 'CASE-1' } }))).statusCode).toBe(409);
    expect((await api(event('POST /v1/status-links', { claims: engineer, body: { customerId: 'acme', caseId: 'CASE-2' } }))).statusCode).toBe(404);
  });

  it('GET /status/cases/{caseId}: link → session cookie → page; anyone else 404', async () => {
    const { deps } = setup();
    const api = handler(deps);
    const minted = body(await api(event('POST /v1/status-links', { claims: engineer, body: { customerId: 'acme', caseId: 'CASE-1', ttlMinutes: 5 } })));
    const token = new URL(minted.path, 'http://hub').searchParams.get('link')!;
    const redirect = await api(event('GET /status/cases/{caseId}', { path: { caseId: 'CASE-1' }, query: { link: token } }));
    expect(redirect.statusCode).toBe(303);
    expect(redirect.headers).toMatchObject({ location: '/status/cases/CASE-1', 'set-cookie': `hub_status=${token}; Path=/status/; Max-Age=300; HttpOnly; Secure; SameSite=Strict` });
    const page = await api(event('GET /status/cases/{caseId}', { path: { caseId: 'CASE-1' }, cookies: [`hub_status=${token}`] }));
    expect([page.statusCode, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('P-1');
    const expired = await api(event('GET /status/cases/{caseId}', { path: { caseId: 'CASE-1' }, query: { link: `${token.slice(0, -2)}AA` } }));
    expect(expired.statusCode).toBe(401);
    for (const e of [
      event('GET /status/cases/{caseId}', { path: { caseId: 'CASE-2' }, cookies: [`hub_status=${token}`] }),
      event('GET /status/cases/{caseId}', { path: { caseId: 'CASE-1' }, claims: engineer }),
      event('GET /status/cases/{caseId}', { path: { caseId: 'CASE-2' }, claims: { sub: 'c', role: 'customer', customerId: 'acme' } }),
    ]) expect((await api(e)).statusCode).toBe(404);
  });

  it('GET /v1/customer/cases/{caseId}/partner-incidents: the owner\'s incidents; a customer token without customerId is refused by the dispatcher', async () => {
    const { deps } = setup();
    const api = handler(deps);
    const own = await api(event('GET /v1/customer/cases/{caseId}/partner-incidents', { path: { caseId: 'CASE-1' }, claims: { sub: 'c', role: 'customer', customerId: 'acme' } }));
    expect([own.statusCode, body(own).caseId, body(own).incidents.length]).toEqual([200, 'CASE-1', 1]);
    expect((await api(event('GET /v1/customer/cases/{caseId}/partner-incidents', { path: { caseId: 'CASE-2' }, claims: { sub: 'c', role: 'customer', customerId: 'acme' } }))).statusCode).toBe(404);
    expect((await api(event('GET /v1/customer/cases/{caseId}/partner-incidents', { path: { caseId: 'CASE-1' }, claims: { sub: 'c', role: 'customer' } }))).statusCode).toBe(403);
    expect((await api(event('GET /v1/customer/cases/{caseId}/partner-incidents', { path: { caseId: 'CASE-1' }, claims: engineer }))).statusCode).toBe(403);
  });

  it('answers 404 to a route it does not declare, or that another function answers', async () => {
    const api = handler(setup().deps);
    for (const routeKey of ['GET /nowhere', 'GET /v1/admin/dead-letters', 'POST /v1/webhooks/{partnerId}', 'GET constructor']) {
      const r = await api(event(routeKey, { claims: { sub: 'a', role: 'admin' } }));
      expect([routeKey, r.statusCode, body(r).error.code]).toEqual([routeKey, 404, 'not_found']);
    }
  });
});
