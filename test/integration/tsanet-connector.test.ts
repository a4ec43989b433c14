import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signHubSignature } from '../../connectors/hub-signature';
import { startTsanetSandbox, type TsanetSandbox } from '../../connectors/tsanet/sandbox';
import { tsanetConnector as tsanetHalf } from '../../connectors/tsanet/ticketing';
import { ConfigError } from '../../core/errors';
import type { Clock, RawWebhook } from '../../core/ports';
import { flat, failure, fullConnector, startReceiver } from '../support/connector-harness';
import { testConfig } from '../support/fixtures';

const SECRET = 'tsanet-webhook-secret';
const COMPANY = '2345';
/** The sandbox's clock and the connector's, moved by the tests (TSANet times are whole seconds). */
let nowMs = Date.parse('2026-12-01T10:00:00.200Z');
const clock: Clock = { now: () => new Date(nowMs) };

const profile = (baseUrl: string, over: Record<string, unknown> = {}) => testConfig(baseUrl, {
  id: 'microsoft-tsanet', connector: 'tsanet',
  credentials: { username: 'hub-api', password: 'pw' },
  webhookSecret: SECRET, partnerCompanyId: COMPANY,
  customFields: { 'Customer Tenant ID': '{{customerId}}', 102: 'case {{caseId}}' },
  submitterContact: { name: 'Vendor Escalations', email: 'escalations@vendor.example' },
  ...over,
}).partners[0]!;
const connector = (baseUrl: string, over: Record<string, unknown> = {}) => fullConnector(tsanetHalf, profile(baseUrl, over), { clock });
const input = (ref: string) => ({ externalRef: ref, title: 'Teams Rooms drops calls after 55 min', description: 'findings', severity: 'high', caseId: 'C-7', customerId: 'contoso' });

let sandbox: TsanetSandbox;
beforeAll(async () => { sandbox = await startTsanetSandbox({ username: 'hub-api', password: 'pw', clientId: 'cid', clientSecret: 'csecret', partnerCompanyId: COMPANY, webhookSecret: SECRET, now: clock.now }); });
afterAll(() => sandbox.close());

async function serve(handler: RequestListener) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('tsanet connector against its sandbox', () => {
  it('opens a collaboration request on the receiver\'s form, and finds it before any re-create after a lost answer', async () => {
    const c = connector(sandbox.baseUrl);
    const opened = await c.openIncident(input('hub:esc_open'));
    const stored = sandbox.requests.get(opened.id)!;
    // unanswered: the receiver's respondBy comes with it, for aging
    expect(opened).toEqual({ id: stored.token, number: String(stored.id), status: 'open', partnerStatus: 'OPEN', updatedAt: '2026-12-01T10:00:00.000Z', respondBy: '2026-12-01T14:00:00.000Z' });
    expect(stored).toMatchObject({ internalCaseNumber: 'hub:esc_open', documentId: 4711, priority: 'HIGH', customFields: [{ fieldId: 101, value: 'contoso' }, { fieldId: 102, value: 'case C-7' }] });
    expect(await c.findByExternalRef('hub:esc_open')).toEqual(opened);
    expect(await c.findByExternalRef('hub:esc_none')).toBeUndefined();

    sandbox.lose.creates = 1;
    expect((await failure(c.openIncident(input('hub:esc_lost')))).transient).toBe(true);
    const again = await c.openIncident(input('hub:esc_lost'));
    expect([...sandbox.requests.values()].filter((r) => r.internalCaseNumber === 'hub:esc_lost').map((r) => r.token)).toEqual([again.id]);
  });

  it('fills the form with the customer\'s entitlement and request when the engineer gave them', async () => {
    const c = connector(sandbox.baseUrl, { customFields: { 'Customer Tenant ID': '{{partnerEntitlement}}', 102: '{{requestedBy}} by {{requestedVia}} at {{requestedAt}}' } });
    const opened = await c.openIncident({
      ...input('hub:esc_mandate'), partnerEntitlement: 'tenant-8f2c', customerRequest: { by: 'Ana (IT lead)', channel: 'phone', at: '2026-12-01T09:55:00Z' },
    });
    expect(sandbox.requests.get(opened.id)!.customFields).toEqual([{ fieldId: 101, value: 'tenant-8f2c' }, { fieldId: 102, value: 'Ana (IT lead) by phone at 2026-12-01T09:55:00Z' }]);
  });

  it('refuses for good when a required field of the receiver\'s form is left unfilled', async () => {
    const err = await failure(connector(sandbox.baseUrl, { customFields: {} }).openIncident(input('hub:esc_unfilled')));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/requires "Customer Tenant ID"; fill them in the profile's customFields/);
    expect([...sandbox.requests.values()].some((r) => r.internalCaseNumber === 'hub:esc_unfilled')).toBe(false);
  });

  it('maps the receiver\'s answers: accepted with its case number, information requested and answered, rejected, closed', async () => {
    const c = connector(sandbox.baseUrl);
    const a = await c.openIncident(input('hub:esc_accept'));
    sandbox.approve(a.id, 'MS-2512010042');
    const accepted = await c.getIncident(a.id);
    expect(accepted).toMatchObject({ number: 'MS-2512010042', status: 'in_progress', partnerStatus: 'ACCEPTED' });
    expect(accepted.respondBy).toBeUndefined(); // answered

    sandbox.requestInformation(a.id, 'Please send the tenant id and the call ids');
    expect(await c.getIncident(a.id)).toMatchObject({ status: 'awaiting_info', partnerStatus: 'INFORMATION' });
    await c.addComment(a.id, 'Tenant 2432b57b, call ids attached');
    expect(sandbox.requests.get(a.id)).toMatchObject({ informationResponses: ['Tenant 2432b57b, call ids attached'], caseNotes: [] });
    expect(await c.getIncident(a.id)).toMatchObject({ status: 'in_progress', partnerStatus: 'ACCEPTED' });
    await c.addComment(a.id, 'Logs uploaded\nSee the attachment');
    expect(sandbox.requests.get(a.id)!.caseNotes).toMatchObject([{ summary: 'Logs uploaded', description: 'Logs uploaded\nSee the attachment', type: 'USER_PARTNER' }]);
    sandbox.closeRequest(a.id);
    expect(await c.getIncident(a.id)).toMatchObject({ status: 'closed', partnerStatus: 'CLOSED', number: 'MS-2512010042' });

    const r = await c.openIncident(input('hub:esc_reject'));
    sandbox.reject(r.id, 'End customer does not have support');
    // a refusal with the receiver's reason, which the core turns into `referred` (ranked as an ending, `closed`)
    expect(await c.getIncident(r.id)).toMatchObject({ number: r.number, status: 'closed', partnerStatus: 'REJECTED', refusal: 'End customer does not have support' });
  });

  it('verifies the signed thin webhooks over the raw bytes; a note event names its delivery by event and tokens, and asks for the request to be read', async () => {
    const receiver = await startReceiver('/v1/webhooks/microsoft-tsanet');
    sandbox.settings.webhookUrl = receiver.url;
    try {
      const c = connector(sandbox.baseUrl);
      const opened = await c.openIncident(input('hub:esc_hook'));
      await sandbox.addNote(opened.id, 'We are looking at the media relay logs');
      const hook = receiver.got[0]!;
      const note = sandbox.requests.get(opened.id)!.caseNotes[0]!;
      const req: RawWebhook = { headers: flat(hook.headers), body: hook.body, query: {} };
      expect(c.verifyWebhook(req, clock.now())).toEqual({ kind: 'ok', deliveryId: `note.created:${opened.id}:${note.token}` });
      expect(c.parseWebhook(req)).toEqual([{ ticketId: opened.id, status: null, partnerStatus: 'note.created', updatedAt: '2026-12-01T10:00:00Z', refresh: true }]);
      expect(c.verifyWebhook({ ...req, body: hook.body.replace(opened.id, 'another') }, clock.now()).kind).toBe('rejected');
      expect(c.verifyWebhook({ ...req, body: `${hook.body} ` }, clock.now()).kind).toBe('rejected');
      expect(connector(sandbox.baseUrl, { webhookSecret: 'wrong' }).verifyWebhook(req, clock.now())).toEqual({ kind: 'rejected', reason: 'no signature matches' });
      expect(connector(sandbox.baseUrl, { webhookSecret: undefined }).verifyWebhook(req, clock.now()).kind).toBe('rejected');
      expect(c.verifyWebhook({ ...req, headers: {} }, clock.now())).toEqual({ kind: 'rejected', reason: 'missing X-Hub-Signature-256' });
      expect(connector(sandbox.baseUrl, { webhookSecret: 'new', previousWebhookSecrets: [SECRET] }).verifyWebhook(req, clock.now()).kind).toBe('ok');
    } finally {
      sandbox.settings.webhookUrl = undefined;
      await receiver.close();
    }
  });

  it('verifies the payload in its documented shape (Connect_SDK WebhookPayloadParserTest [S15]; signature per https://tsanet.gitbook.io/connect/api-reference/webhooks)', () => {
    const body = '{"eventType":"collaboration-request.created","requestToken":"tok1","timestamp":"2026-01-01T00:00:00Z"}';
    const c = connector(sandbox.baseUrl);
    const req: RawWebhook = { headers: { 'x-hub-signature-256': signHubSignature(SECRET, body) }, body, query: {} };
    // TSANet's last retry comes 370 s after the event [S12]; the body's signed time bounds replays
    expect(c.verifyWebhook(req, new Date('2026-01-01T00:06:10Z'))).toEqual({ kind: 'ok', deliveryId: 'collaboration-request.created:tok1:' });
    expect(c.verifyWebhook(req, new Date('2026-01-01T00:10:01Z')).kind).toBe('rejected');
    expect(c.verifyWebhook(req, new Date('2025-12-31T23:54:59Z')).kind).toBe('rejected');
    expect(signHubSignature(SECRET, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('polls with a cursor that never skips an update made in the same second as the last one seen', async () => {
    const c = connector(sandbox.baseUrl);
    nowMs = Date.parse('2026-12-02T08:00:00.100Z');
    const a = await c.openIncident(input('hub:esc_poll_a'));
    const b = await c.openIncident(input('hub:esc_poll_b'));
    const first = await c.listUpdatedSince!(undefined);
    expect(first.incidents.map((i) => i.id)).toEqual(expect.arrayContaining([a.id, b.id]));

    nowMs = Date.parse('2026-12-02T08:00:00.900Z'); // the same second: its time reads 08:00:00 too
    sandbox.approve(a.id, 'MS-1');
    const second = await c.listUpdatedSince!(first.cursor);
    expect(second.incidents).toEqual([expect.objectContaining({ id: a.id, status: 'in_progress', updatedAt: '2026-12-02T08:00:00.000Z' })]);
    expect((await c.listUpdatedSince!(second.cursor)).incidents).toEqual([]);

    nowMs = Date.parse('2026-12-02T08:00:01.000Z');
    sandbox.closeRequest(b.id);
    const fourth = await c.listUpdatedSince!(second.cursor);
    expect(fourth.incidents).toEqual([expect.objectContaining({ id: b.id, status: 'closed' })]);
    expect(sandbox.calls.filter((x) => x.query.includes('updatedAfter')).at(-1)!.query).toBe('?updatedAfter=2026-12-02T07:59:59Z');

    // what the receiver writes comes with the update, once: a question, a note in the same second, a rejection's reason
    nowMs = Date.parse('2026-12-02T08:00:02.100Z');
    const d = await c.openIncident(input('hub:esc_poll_d'));
    sandbox.requestInformation(d.id, 'Which firmware?');
    const fifth = await c.listUpdatedSince!(fourth.cursor);
    expect(fifth.incidents).toEqual([expect.objectContaining({ id: d.id, status: 'awaiting_info', comment: 'Information requested: Which firmware?' })]);
    nowMs = Date.parse('2026-12-02T08:00:02.800Z');
    await c.addComment(d.id, '4.1.0');
    await sandbox.addNote(d.id, 'Thanks, reproducing');
    const sixth = await c.listUpdatedSince!(fifth.cursor);
    expect(sixth.incidents.map((i) => [i.id, i.partnerStatus, i.comment])).toEqual([[d.id, 'OPEN', 'Thanks, reproducing']]);
    expect((await c.listUpdatedSince!(sixth.cursor)).incidents).toEqual([]);
    nowMs = Date.parse('2026-12-02T08:00:03.000Z');
    sandbox.reject(d.id, 'End customer does not have support');
    const seventh = await c.listUpdatedSince!(sixth.cursor);
    expect(seventh.incidents).toEqual([expect.objectContaining({ id: d.id, status: 'closed', partnerStatus: 'REJECTED', comment: 'Rejected: End customer does not have support' })]);
    expect((await c.listUpdatedSince!(seventh.cursor)).incidents).toEqual([]);
    nowMs = Date.parse('2026-12-01T10:00:00.200Z');
  });

  it('logs in once, keeps the token, and logs in again once when the API answers 401', async () => {
    const c = connector(sandbox.baseUrl);
    const before = sandbox.tokens.requests;
    const opened = await c.openIncident(input('hub:esc_token'));
    await c.getIncident(opened.id);
    expect(sandbox.tokens.requests - before).toBe(1);
    sandbox.tokens.revokeAll();
    expect((await c.getIncident(opened.id)).id).toBe(opened.id);
    expect(sandbox.tokens.requests - before).toBe(2);
    const refused = await failure(connector(sandbox.baseUrl, { credentials: { username: 'hub-api', password: 'wrong' } }).getIncident(opened.id));
    expect({ status: refused.httpStatus, transient: refused.transient }).toEqual({ status: 401, transient: false });
    expect(refused.message).not.toMatch(/wrong/);
  });

  it('logs in with Entra ID client credentials', async () => {
    const c = connector(sandbox.baseUrl, { credentials: { tenantId: 'contoso', clientId: 'cid', clientSecret: 'csecret', audience: 'api://connect', loginUrl: sandbox.baseUrl } });
    await c.openIncident(input('hub:esc_entra'));
    const login = sandbox.calls.filter((x) => x.path === '/contoso/oauth2/v2.0/token').at(-1)!;
    expect(Object.fromEntries(new URLSearchParams(login.body))).toEqual({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'csecret', scope: 'api://connect/.default' });
  });

  it('reads problem details and legacy error bodies into clear errors', async () => {
    const problem = await failure(connector(sandbox.baseUrl, { documentId: 999 }).openIncident(input('hub:esc_problem')));
    expect({ status: problem.httpStatus, transient: problem.transient }).toEqual({ status: 400, transient: false });
    expect(problem.message).toBe('open incident: HTTP 400 validation-error: Validation failed (https://connect2.tsanet.org/problems/validation-error)');

    // the legacy `ErrorResponse` body, https://tsanet.gitbook.io/connect/api-reference/identity [S6]
    const legacy = await serve((req, res) => {
      res.writeHead(req.url === '/v1/login' ? 200 : 400, { 'content-type': 'application/json' });
      res.end(req.url === '/v1/login'
        ? JSON.stringify({ accessToken: 'jwt', tokenType: 'Bearer', expiresIn: 3600 })
        : JSON.stringify({ message: 'Validation failed', validationErrors: [{ field: 'problemSummary', message: 'must not be blank' }] }));
    });
    try {
      const err = await failure(connector(legacy.url, { documentId: 4711 }).openIncident(input('hub:esc_legacy')));
      expect(err.message).toBe('find incident: HTTP 400 Validation failed (problemSummary: must not be blank)');
    } finally { await legacy.close(); }

    // RFC 7807 problem details, the fields Connect_SDK README lists (type, title, status, detail, instance) with
    // its example refusal "422 … (case-update-error): OPEN cases cannot be closed." [S3, github tsanetgit/Connect_SDK]
    const documented = { type: 'https://connect2.tsanet.org/problems/case-update-error', title: 'case-update-error', status: 422, detail: 'OPEN cases cannot be closed.', instance: '/v1/collaboration-requests/tok1/notes' };
    const problems = await serve((req, res) => {
      const login = req.url === '/v1/login';
      const get = req.method === 'GET';
      res.writeHead(login || get ? 200 : 422, { 'content-type': login || get ? 'application/json' : 'application/problem+json' });
      res.end(JSON.stringify(login ? { accessToken: 'jwt', expiresIn: 3600 } : get ? { token: 'tok1', status: 'OPEN', updatedAt: '2026-12-01T09:00:00Z' } : documented));
    });
    try {
      const err = await failure(connector(problems.url).addComment('tok1', 'a note'));
      expect({ status: err.httpStatus, transient: err.transient }).toEqual({ status: 422, transient: false });
      expect(err.message).toBe('add comment: HTTP 422 case-update-error: OPEN cases cannot be closed. (https://connect2.tsanet.org/problems/case-update-error)');
    } finally { await problems.close(); }
  });

  it('classifies failures: 429 with Retry-After and 5xx transient, an answer in another shape transient (uncertain)', async () => {
    const c = connector(sandbox.baseUrl);
    const opened = await c.openIncident(input('hub:esc_faults'));
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '7' }, match: (x) => x.method === 'GET' });
    const limited = await failure(c.getIncident(opened.id));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 7000 });
    sandbox.faults.push({ status: 502, match: (x) => x.method === 'GET' });
    expect((await failure(c.getIncident(opened.id))).transient).toBe(true);
    const odd = await serve((req, res) => {
      res.writeHead(req.url !== '/v1/login' && req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/v1/login' ? { accessToken: 'jwt', expiresIn: 3600 } : req.method === 'GET' ? [] : { unexpected: true }));
    });
    try {
      const err = await failure(connector(odd.url, { documentId: 4711 }).openIncident(input('hub:esc_odd')));
      expect(err.transient).toBe(true);
      expect(err.message).toMatch(/open incident: unexpected answer/);
    } finally { await odd.close(); }
  });

  it('reads a request in its documented shape (https://tsanet.gitbook.io/connect/api-reference/case-responses [S10])', async () => {
    const documented = {
      id: 52311, submitCompanyName: 'Poly', submitCompanyId: 1201, submitterCaseNumber: 'hub:esc_1', receiveCompanyName: 'Microsoft', receiveCompanyId: 2345,
      receiverCaseNumber: null, summary: 'Teams Rooms drops calls', description: '…', direction: 'OUTBOUND', priority: 'HIGH', status: 'ACCEPTED',
      token: '7f1c2a9e-0b6d-4c1e-9f3a-2d5e8b7c6a41', createdAt: '2026-12-01T09:00:00Z', updatedAt: '2026-12-01T09:30:00Z', deletedAt: null,
      responded: true, respondBy: '2026-12-01T13:00:00Z', feedbackRequested: false, reminderSent: false, priorityNote: null, escalationInstructions: null, testCase: false,
      customFields: [{ id: 1, section: 'CONTACT_SECTION', fieldName: 'Customer Tenant ID', value: 'contoso', displayOrder: 0, type: 'STRING' }],
      caseNotes: [], caseResponses: [{ id: 9, type: 'APPROVAL', caseNumber: '2512010040001234', engineerName: 'A. Engineer', engineerPhone: '', engineerEmail: 'a@microsoft.example', nextSteps: 'Collecting logs' }],
    };
    const fixture = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/v1/login' ? { accessToken: 'jwt', expiresIn: 3600 } : { ...documented, status: req.url!.endsWith('x') ? 'ESCALATED' : 'ACCEPTED' }));
    });
    try {
      const c = connector(fixture.url);
      expect(await c.getIncident(documented.token)).toEqual({ id: documented.token, number: '2512010040001234', status: 'in_progress', partnerStatus: 'ACCEPTED', updatedAt: '2026-12-01T09:30:00.000Z' });
      expect(await c.getIncident('x')).toMatchObject({ status: null, partnerStatus: 'ESCALATED' });
    } finally { await fixture.close(); }
  });

  it('refuses a profile without its fields, naming partner and field', () => {
    expect(() => connector(sandbox.baseUrl, { partnerCompanyId: undefined })).toThrow(ConfigError);
    expect(() => connector(sandbox.baseUrl, { partnerCompanyId: undefined })).toThrow('partners[microsoft-tsanet] (tsanet): partnerCompanyId: is required');
    expect(() => connector(sandbox.baseUrl, { submitterContact: undefined })).toThrow(/submitterContact/);
  });
});
