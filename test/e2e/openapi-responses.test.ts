/**
 * The OpenAPI document says what the hub really answers: every declared route is called on the running
 * local hub, for a success and for an error, and each answer is validated (ajv, JSON Schema 2020-12 as
 * OpenAPI 3.1 uses) against the schema the served document gives for that route, status and content type.
 * An answer that gains, loses or renames a field without its schema fails here.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { startStatuspageSandbox, type StatuspageSandbox } from '../../connectors/statuspage/sandbox';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import type { ZoomSandbox } from '../../connectors/zoom/sandbox';
import { startZendeskDeskSandbox, type ZendeskDeskSandbox } from '../../connectors/zendesk-desk/sandbox';
import { signZendeskWebhook } from '../../connectors/zendesk/signature';
import { zoomSignature } from '../../connectors/zoom/webhook';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { signJwt } from '../../local/jwt';
import { DECLARED_ROUTES, type RouteKey } from '../../topology/routes';
import { uid } from '../support/fixtures';
import { freePort } from '../support/hub-process';
import { customerToken, engineerToken, JWT_SECRET, waitFor } from '../support/local-hub';

jest.setTimeout(60_000);

const WEBHOOK_SECRET = 'whsec_' + Buffer.from('openapi-test-secret').toString('base64');
const ZOOM_SECRET = 'zoom-secret-token';
const adminToken = () => signJwt({ sub: 'admin-1', role: 'admin' }, JWT_SECRET);

let hub: LocalHub;
let sandbox: GenericSandbox;
let statusPage: StatuspageSandbox;
let outageId: string;
let desk: ZendeskDeskSandbox;
const DESK_SECRET = 'desk-secret';
let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

interface Answer { status: number; type: string; text: string }
async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(hub.url + path, {
    method, redirect: 'manual',
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), 'content-type': 'application/json', ...opts.headers },
    ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  return { status: res.status, type: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), text: await res.text() };
}

/** A JSON pointer into the served document, as a URI fragment. */
const pointer = (...parts: string[]) => '#/' + parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

/** The problems of `answer` against the document's answer for the route and status ([] when it conforms). */
function problems(route: RouteKey, answer: Answer): string[] {
  const [method, path] = route.split(' ') as [string, string];
  const responses = doc.paths[path]?.[method.toLowerCase()]?.responses;
  if (!responses) return [`${route} is not in the document`];
  const status = String(answer.status) in responses ? String(answer.status) : 'default';
  const described = responses[status]!;
  if (!described.content) return answer.text === '' ? [] : [`${route} ${answer.status}: the document describes no body, got ${answer.text.slice(0, 100)}`];
  if (!(answer.type in described.content)) return [`${route} ${answer.status}: ${answer.type} is not one of ${Object.keys(described.content).join(', ')}`];
  if (answer.type !== 'application/json') return [];
  const validate = ajv.getSchema(`openapi.json${pointer('paths', path, method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema')}`)!;
  if (validate(JSON.parse(answer.text))) return [];
  return [`${route} ${answer.status}: ${ajv.errorsText(validate.errors)} in ${answer.text.slice(0, 300)}`];
}

/** What each route was answered, by route: filled by the calls below, checked at the end. */
const seen = new Map<RouteKey, Answer[]>();
async function expectConforms(route: RouteKey, answer: Promise<Answer> | Answer, status: number): Promise<Answer> {
  const a = await answer;
  expect({ route, status: a.status }).toEqual({ route, status });
  expect(problems(route, a)).toEqual([]);
  seen.set(route, [...(seen.get(route) ?? []), a]);
  return a;
}

beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: 'partner-token', webhookSecret: WEBHOOK_SECRET });
  statusPage = await startStatuspageSandbox();
  // there before the hub starts: its first poll (at start) stores it, and escalations flagged then get it as a suggestion
  outageId = statusPage.start({ name: 'Meetings outage' }).id;
  const zoomPort = await freePort();
  desk = await startZendeskDeskSandbox({ email: 'hub@vendor.example', apiToken: 'desk-token', webhookSecret: DESK_SECRET, triggerTag: 'partner_related' });
  hub = await startLocalHub({
    config: parseHubConfig({ partners: [
      {
        id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: sandbox.baseUrl,
        credentials: { token: 'partner-token' }, webhookSecret: WEBHOOK_SECRET, retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 50 },
        serviceHealth: { source: 'statuspage', url: statusPage.baseUrl },
      },
      {
        id: 'zoom', name: 'Zoom', platforms: ['zoom'], connector: 'manual', baseUrl: 'https://zoom.example', portalUrl: 'https://support.zoom.com',
        collaboration: {
          connector: 'zoom', sandbox: true, baseUrl: `http://127.0.0.1:${zoomPort}/v2`, oauthUrl: `http://127.0.0.1:${zoomPort}/oauth/token`,
          credentials: { accountId: 'acct', clientId: 'client', clientSecret: 'secret' }, webhookSecret: ZOOM_SECRET,
        },
      },
    ], desks: [{
      id: 'vendor-zendesk', connector: 'zendesk-desk', baseUrl: desk.baseUrl, credentials: { email: 'hub@vendor.example', apiToken: 'desk-token' }, webhookSecret: DESK_SECRET,
      mapping: {
        caseId: '/ticket/id', customerId: '/ticket/org', platform: '/ticket/platform', severity: { pointer: '/ticket/priority', values: { high: 'high' } },
        summary: '/ticket/title', findings: '/ticket/description', partnerRelated: { pointer: '/ticket/tags', contains: 'partner_related' },
      },
      writeBack: { ticketNumberField: 1, statusField: 2 },
    }] }, {}),
    dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 200,
  });
  sandbox.settings.webhookUrl = `${hub.url}/v1/webhooks/acme-cloud`;
  const served = await call('GET', '/openapi.json');
  doc = JSON.parse(served.text) as typeof doc;
  ajv.addSchema(doc as object, 'openapi.json');
});
afterAll(async () => {
  await hub?.stop();
  await sandbox?.close();
  await statusPage?.close();
  await desk?.close();
});

const flag = (platform: string, caseId = uid('CASE')) => call('POST', '/v1/escalations', {
  token: engineerToken(), body: { caseId, customerId: 'acme', platform, severity: 'high', summary: 'Audio drops', findings: 'logs attached' },
});
const get = async (id: string) => JSON.parse((await call('GET', `/v1/escalations/${id}`, { token: engineerToken() })).text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A desk trigger delivery, signed as Zendesk signs (a fresh invocation id each). */
const deskEvent = (ticket: Record<string, unknown>, secret = DESK_SECRET) => {
  const body = JSON.stringify({ ticket: { title: 'Audio drops', description: 'logs', priority: 'high', org: 'acme', platform: 'acme', tags: 'partner_related', ...ticket } });
  const ts = new Date().toISOString();
  return call('POST', '/v1/desks/vendor-zendesk/events', {
    raw: body, headers: { 'x-zendesk-webhook-signature-timestamp': ts, 'x-zendesk-webhook-signature': signZendeskWebhook(secret, ts, body), 'x-zendesk-webhook-invocation-id': uid('inv') },
  });
};

describe('every route answers what the OpenAPI document says, for a success and an error', () => {
  it('desk events: flagged, already flagged, not flagged, ignored, duplicate; a bad signature, an unknown desk', async () => {
    const id = String(Date.now() % 1_000_000_000);
    const route = 'POST /v1/desks/{deskId}/events';
    await expectConforms(route, deskEvent({ id }), 202);
    await expectConforms(route, deskEvent({ id }), 200);
    await expectConforms(route, deskEvent({ id: `${id}1`, priority: 'p9' }), 200);
    await expectConforms(route, deskEvent({ id: `${id}2`, tags: 'other' }), 200);
    const ts = new Date().toISOString();
    const body = JSON.stringify({ ticket: { id: `${id}3`, tags: 'other' } });
    const headers = { 'x-zendesk-webhook-signature-timestamp': ts, 'x-zendesk-webhook-signature': signZendeskWebhook(DESK_SECRET, ts, body), 'x-zendesk-webhook-invocation-id': 'same' };
    await call('POST', '/v1/desks/vendor-zendesk/events', { raw: body, headers });
    expect(JSON.parse((await expectConforms(route, call('POST', '/v1/desks/vendor-zendesk/events', { raw: body, headers }), 200)).text)).toEqual({ status: 'duplicate' });
    await expectConforms(route, deskEvent({ id }, 'wrong-secret'), 401);
    await expectConforms(route, call('POST', '/v1/desks/no-such-desk/events', { raw: '{}' }), 404);
  });

  let opened: { escalationId: string; caseId: string; ticketId: string };
  let manual: { escalationId: string; caseId: string };

  it('escalations: flag, list, read, timeline, comment, cancel', async () => {
    const caseId = uid('CASE');
    const created = JSON.parse((await expectConforms('POST /v1/escalations', flag('acme', caseId), 202)).text);
    await expectConforms('POST /v1/escalations', flag('acme', caseId), 200);
    await expectConforms('POST /v1/escalations', call('POST', '/v1/escalations', { token: engineerToken(), body: { caseId } }), 422);
    const esc = await waitFor('the partner ticket', async () => { const e = await get(created.escalationId); return e.partnerTicket ? e : false; });
    opened = { escalationId: esc.escalationId, caseId, ticketId: esc.partnerTicket.id };

    await expectConforms('GET /v1/escalations', call('GET', `/v1/escalations?caseId=${caseId}`, { token: engineerToken() }), 200);
    await expectConforms('GET /v1/escalations', call('GET', '/v1/escalations', { token: engineerToken() }), 422);
    await expectConforms('POST /v1/escalations/{escalationId}/comments', call('POST', `/v1/escalations/${esc.escalationId}/comments`, { token: engineerToken(), body: { body: 'a note' } }), 202);
    await expectConforms('POST /v1/escalations/{escalationId}/comments', call('POST', '/v1/escalations/esc_nothing/comments', { token: engineerToken(), body: { body: 'x' } }), 404);
    await expectConforms('GET /v1/escalations/{escalationId}', call('GET', `/v1/escalations/${esc.escalationId}`, { token: engineerToken() }), 200);
    await expectConforms('GET /v1/escalations/{escalationId}', call('GET', '/v1/escalations/esc_nothing', { token: engineerToken() }), 404);
    await expectConforms('GET /v1/escalations/{escalationId}/timeline', call('GET', `/v1/escalations/${esc.escalationId}/timeline?limit=1`, { token: engineerToken() }), 200);
    await expectConforms('GET /v1/escalations/{escalationId}/timeline', call('GET', `/v1/escalations/${esc.escalationId}/timeline?before=nonsense`, { token: engineerToken() }), 400);

    const other = JSON.parse((await flag('acme')).text);
    await expectConforms('POST /v1/escalations/{escalationId}/cancel', call('POST', `/v1/escalations/${other.escalationId}/cancel`, { token: engineerToken(), body: { reason: 'not needed' } }), 200);
    await expectConforms('POST /v1/escalations/{escalationId}/cancel', call('POST', `/v1/escalations/${other.escalationId}/cancel`, { token: engineerToken(), body: {} }), 422);
  });

  it('a referred escalation is retried', async () => {
    sandbox.faults.push({ status: 400, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const created = JSON.parse((await flag('acme')).text);
    await waitFor('the referral', async () => (await get(created.escalationId)).status === 'referred');
    await expectConforms('POST /v1/escalations/{escalationId}/retry', call('POST', `/v1/escalations/${created.escalationId}/retry`, { token: engineerToken() }), 200);
    await expectConforms('POST /v1/escalations/{escalationId}/retry', call('POST', `/v1/escalations/${opened.escalationId}/retry`, { token: engineerToken(), body: {} }), 409);
  });

  it('a manual partner: ticket and status typed in, a joint call, its webhooks', async () => {
    const caseId = uid('CASE');
    const created = JSON.parse((await flag('zoom', caseId)).text);
    manual = { escalationId: created.escalationId, caseId };
    await expectConforms('GET /v1/escalations/{escalationId}', call('GET', `/v1/escalations/${created.escalationId}`, { token: engineerToken() }), 200);
    const path = (what: string) => `/v1/escalations/${created.escalationId}/${what}`;
    await expectConforms('POST /v1/escalations/{escalationId}/partner-status', call('POST', path('partner-status'), { token: engineerToken(), body: { status: 'resolved' } }), 409);
    await expectConforms('POST /v1/escalations/{escalationId}/partner-ticket', call('POST', path('partner-ticket'), { token: engineerToken(), body: { number: 'ZM-1', url: 'https://support.zoom.com/ZM-1' } }), 200);
    await expectConforms('POST /v1/escalations/{escalationId}/partner-ticket', call('POST', path('partner-ticket'), { token: engineerToken(), body: { number: 'ZM-2' } }), 409);
    await expectConforms('POST /v1/escalations/{escalationId}/partner-status', call('POST', path('partner-status'), { token: engineerToken(), body: { status: 'in_progress', note: 'seen' } }), 200);
    await expectConforms('POST /v1/escalations/{escalationId}/comments', call('POST', path('comments'), { token: engineerToken(), body: { body: 'copy me' } }), 202);

    const joint = JSON.parse((await expectConforms('POST /v1/escalations/{escalationId}/joint-calls', call('POST', path('joint-calls'), { token: engineerToken() }), 201)).text);
    await expectConforms('POST /v1/escalations/{escalationId}/joint-calls', call('POST', `/v1/escalations/${opened.escalationId}/joint-calls`, { token: engineerToken(), body: {} }), 409);

    const zoom = hub.sandboxes.get('zoom/collaboration') as ZoomSandbox;
    const zoomPost = (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      return call('POST', '/v1/webhooks/zoom/collaboration', { raw: body, headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(ZOOM_SECRET, ts, body) } });
    };
    const started = zoom.eventBody(zoom.meetings.get(Number(joint.meetingId))!, 'meeting.started');
    await expectConforms('POST /v1/webhooks/{partnerId}/collaboration', zoomPost(started), 200);
    await expectConforms('POST /v1/webhooks/{partnerId}/collaboration', zoomPost(started), 200); // the duplicate
    await expectConforms('POST /v1/webhooks/{partnerId}/collaboration', zoomPost(JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'abc' }, event_ts: Date.now() })), 200);
    await expectConforms('POST /v1/webhooks/{partnerId}/collaboration', call('POST', '/v1/webhooks/zoom/collaboration', { raw: started }), 401);
  });

  it('partner status webhooks: accepted, duplicate, refused', async () => {
    const body = JSON.stringify({ type: 'incident.updated', data: { id: opened.ticketId, status: 'in_progress', updatedAt: new Date().toISOString() } });
    const ts = Math.floor(Date.now() / 1000);
    const id = uid('msg');
    const signed = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(WEBHOOK_SECRET, id, ts, body) };
    await expectConforms('POST /v1/webhooks/{partnerId}', call('POST', '/v1/webhooks/acme-cloud', { raw: body, headers: signed }), 202);
    await expectConforms('POST /v1/webhooks/{partnerId}', call('POST', '/v1/webhooks/acme-cloud', { raw: body, headers: signed }), 200);
    await expectConforms('POST /v1/webhooks/{partnerId}', call('POST', '/v1/webhooks/acme-cloud', { raw: body, headers: { ...signed, 'webhook-signature': 'v1,AAAA' } }), 401);
  });

  it('a partner\'s known incidents: listed, and 404 for an unknown partner', async () => {
    await expectConforms('GET /v1/partners/{partnerId}/known-incidents', call('GET', '/v1/partners/acme-cloud/known-incidents', { token: engineerToken() }), 200);
    await expectConforms('GET /v1/partners/{partnerId}/known-incidents', call('GET', '/v1/partners/no-such-partner/known-incidents', { token: engineerToken() }), 404);
  });

  it('a known partner incident on an escalation: confirmed, dismissed, and 404 for one not attached', async () => {
    await waitFor('the incident polled', async () => JSON.parse((await call('GET', '/v1/partners/acme-cloud/known-incidents', { token: engineerToken() })).text).items.length > 0);
    const created = JSON.parse((await flag('acme')).text);
    const path = (id: string, verdict: string) => `/v1/escalations/${created.escalationId}/known-incidents/${id}/${verdict}`;
    await expectConforms('POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/confirm', call('POST', path(outageId, 'confirm'), { token: engineerToken() }), 200);
    await expectConforms('POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/confirm', call('POST', path('no-such-incident', 'confirm'), { token: engineerToken() }), 404);
    await expectConforms('POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/dismiss', call('POST', path(outageId, 'dismiss'), { token: engineerToken(), body: {} }), 200);
    await expectConforms('POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/dismiss', call('POST', path(outageId, 'dismiss'), { token: engineerToken(), body: { why: 'x' } }), 422);
  });

  it('customers: their incidents, a status link, the status page', async () => {
    await expectConforms('GET /v1/customer/cases/{caseId}/partner-incidents', call('GET', `/v1/customer/cases/${manual.caseId}/partner-incidents`, { token: customerToken('acme') }), 200);
    await expectConforms('GET /v1/customer/cases/{caseId}/partner-incidents', call('GET', `/v1/customer/cases/${manual.caseId}/partner-incidents`, { token: customerToken('umbrella') }), 404);
    const link = JSON.parse((await expectConforms('POST /v1/status-links', call('POST', '/v1/status-links', { token: engineerToken(), body: { customerId: 'acme', caseId: manual.caseId } }), 201)).text);
    await expectConforms('POST /v1/status-links', call('POST', '/v1/status-links', { token: engineerToken(), body: { customerId: 'umbrella', caseId: manual.caseId } }), 404);
    await expectConforms('GET /status/cases/{caseId}', call('GET', link.path as string), 303);
    await expectConforms('GET /status/cases/{caseId}', call('GET', `/status/cases/${manual.caseId}`, { token: customerToken('acme') }), 200);
    await expectConforms('GET /status/cases/{caseId}', call('GET', `/status/cases/${manual.caseId}?link=forged.link`), 401);
    await expectConforms('GET /status/cases/{caseId}', call('GET', `/status/cases/${manual.caseId}`), 404);
  });

  it('operators: dead letters and their redrive', async () => {
    await expectConforms('GET /v1/admin/dead-letters', call('GET', '/v1/admin/dead-letters', { token: adminToken() }), 200);
    await expectConforms('GET /v1/admin/dead-letters', call('GET', '/v1/admin/dead-letters?queue=nope', { token: adminToken() }), 404);
    await expectConforms('POST /v1/admin/dead-letters/redrive', call('POST', '/v1/admin/dead-letters/redrive', { token: adminToken() }), 200);
    await expectConforms('POST /v1/admin/dead-letters/redrive', call('POST', '/v1/admin/dead-letters/redrive', { token: engineerToken(), body: {} }), 403);
  });

  it('operators: the doctor\'s report', async () => {
    await expectConforms('POST /v1/admin/doctor', call('POST', '/v1/admin/doctor', { token: adminToken() }), 200);
    await expectConforms('POST /v1/admin/doctor', call('POST', '/v1/admin/doctor', { token: engineerToken() }), 403);
  });

  it('service routes: health and this document (they have no error of their own)', async () => {
    await expectConforms('GET /health', call('GET', '/health'), 200);
    await expectConforms('GET /openapi.json', call('GET', '/openapi.json'), 200);
  });

  it('every declared route was checked, with an error wherever a route has one', () => {
    const unchecked = DECLARED_ROUTES.map((r) => r.key).filter((k) => !seen.has(k));
    expect(unchecked).toEqual([]);
    const withoutError = DECLARED_ROUTES.map((r) => r.key).filter((k) => !seen.get(k)!.some((a) => a.status >= 400));
    expect(withoutError).toEqual(['GET /health', 'GET /openapi.json']);
  });
});

describe('the validation itself', () => {
  it('refuses an answer that drifts from its schema: a field added, a field missing, a wrong type', async () => {
    const answer = await call('GET', `/v1/escalations?caseId=${uid('CASE')}`, { token: engineerToken() });
    expect(problems('GET /v1/escalations', answer)).toEqual([]);
    const drift = (body: unknown) => problems('GET /v1/escalations', { ...answer, text: JSON.stringify(body) });
    const esc = await get(JSON.parse((await flag('zoom')).text).escalationId);
    const { timeline: _t, findings: _f, manual: _m, timelineBefore: _b, ...view } = esc;
    expect(drift({ items: [view] })).toEqual([]);
    expect(drift({ items: [{ ...view, extra: 1 }] })).not.toEqual([]);
    const { summary: _s, ...noSummary } = view;
    expect(drift({ items: [noSummary] })).not.toEqual([]);
    expect(drift({ items: [{ ...view, attempts: 'two' }] })).not.toEqual([]);
    expect(drift({ items: [{ ...view, createdAt: 'yesterday' }] })).not.toEqual([]);
    expect(drift(view)).not.toEqual([]); // an escalation where the list belongs
    // an error body in the contract's shape, and one that is not
    expect(problems('GET /v1/escalations', { status: 404, type: 'application/json', text: JSON.stringify({ error: { code: 'not_found', message: 'x' } }) })).toEqual([]);
    expect(problems('GET /v1/escalations', { status: 404, type: 'application/json', text: JSON.stringify({ message: 'x' }) })).not.toEqual([]);
    // the status page's HTML where the document says JSON, and JSON where it says HTML
    expect(problems('GET /v1/escalations', { status: 200, type: 'text/html', text: '<p>' })).not.toEqual([]);
    expect(problems('GET /status/cases/{caseId}', { status: 200, type: 'application/json', text: '{}' })).not.toEqual([]);
  });
});
