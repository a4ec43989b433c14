/** The `jira` connector against its sandbox over HTTP (JSM request API, JQL label search, admin webhooks). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jiraConnector as jiraHalf, jiraLabelFor } from '../../connectors/jira/ticketing';
import { signJiraWebhook } from '../../connectors/jira/webhook';
import { startJiraSandbox, type JiraSandbox } from '../../connectors/jira/sandbox';
import { parseHubConfig, type PartnerProfile } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import { uid } from '../support/fixtures';
import { failure, flat, fullConnector, startReceiver } from '../support/connector-harness';

// the whole connector (partner calls and webhooks), as the registries compose it
const jiraConnector = (p: PartnerProfile) => fullConnector(jiraHalf, p);

const SECRET = 'jira-admin-webhook-secret';

function profile(baseUrl: string, over: Record<string, unknown> = {}): PartnerProfile {
  return parseHubConfig({
    partners: [{
      id: 'initech', name: 'Initech', platforms: ['initech'], connector: 'jira', baseUrl,
      credentials: { email: 'escalations@hub.example', apiToken: 'atl-api-token' }, serviceDeskId: '4', requestTypeId: '17', webhookSecret: SECRET, ...over,
    }],
  }, {}).partners[0]!;
}


let sandbox: JiraSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver('/v1/webhooks/initech');
  sandbox = await startJiraSandbox({ email: 'escalations@hub.example', apiToken: 'atl-api-token', serviceDeskId: '4', requestTypeId: '17', webhookSecret: SECRET, webhookUrl: receiver.url });
});
afterAll(async () => { await sandbox.close(); await receiver.close(); });

const input = (ref = `hub:${uid('esc')}`) => ({ externalRef: ref, title: '[high] Calls drop', description: 'Device logs show ...', severity: 'high', caseId: 'CASE-3001', customerId: 'acme' });

describe('jira connector against its sandbox', () => {
  it('raises a customer request labelled with the hub reference; the number is the issue key', async () => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    const ref = `hub:${uid('esc')}`;
    const opened = await c.openIncident(input(ref));
    expect(opened).toMatchObject({ status: 'in_progress', partnerStatus: 'Waiting for support' });
    expect(opened.number).toMatch(/^SUP-\d+$/);
    expect(opened.url).toBe(`${sandbox.baseUrl}/servicedesk/customer/portal/4/${opened.number}`);
    expect(sandbox.requests.get(opened.id)).toMatchObject({ serviceDeskId: '4', requestTypeId: '17', labels: [jiraLabelFor(ref)], summary: '[high] Calls drop' });
    const body = JSON.parse(sandbox.calls.at(-1)!.body) as Record<string, unknown>;
    expect(body).toEqual({ serviceDeskId: '4', requestTypeId: '17', requestFieldValues: { summary: '[high] Calls drop', description: expect.stringContaining(ref), labels: [jiraLabelFor(ref)] } });
  });

  it('finds the request by its label with JQL after an uncertain attempt, without a second create', async () => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    const ref = `hub:${uid('esc')}`;
    expect(await c.findByExternalRef(ref)).toBeUndefined();
    sandbox.lose.creates = 1;
    expect((await failure(c.openIncident(input(ref)))).transient).toBe(true);
    const found = await c.findByExternalRef(ref);
    expect(found).toMatchObject({ number: expect.stringMatching(/^SUP-/), partnerStatus: 'Waiting for support' });
    expect([...sandbox.requests.values()].filter((r) => r.labels.includes(jiraLabelFor(ref)))).toHaveLength(1);
    const search = sandbox.calls.find((x) => x.path === '/rest/api/3/search/jql' && x.query.includes(encodeURIComponent(jiraLabelFor(ref)).slice(0, 10)))!;
    expect(new URLSearchParams(search.query).get('jql')).toBe(`labels = "${jiraLabelFor(ref)}" ORDER BY created ASC`);
  });

  it('labels through the issue API when the request type has no Labels field (labelVia: issue)', async () => {
    const own = await startJiraSandbox({ email: 'escalations@hub.example', apiToken: 'atl-api-token', serviceDeskId: '4', requestTypeId: '17', labelsOnForm: false });
    try {
      const ref = `hub:${uid('esc')}`;
      expect((await failure(jiraConnector(profile(own.baseUrl)).openIncident(input(ref)))).transient).toBe(false);
      const c = jiraConnector(profile(own.baseUrl, { labelVia: 'issue' }));
      const opened = await c.openIncident(input(ref));
      expect(own.requests.get(opened.id)!.labels).toEqual([jiraLabelFor(ref)]);
      expect((await c.findByExternalRef(ref))!.id).toBe(opened.id);
    } finally {
      await own.close();
    }
  });

  it.each([
    ['Open', 'open'], ['Waiting for support', 'in_progress'], ['In Progress', 'in_progress'], ['Waiting for customer', 'awaiting_info'],
    ['Pending', 'awaiting_info'], ['Resolved', 'resolved'], ['Done', 'resolved'], ['Closed', 'closed'], ['Canceled', 'closed'], ['Escalated to vendor', null],
  ])('maps status "%s" to %s when read back', async (name, status) => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    await sandbox.move(opened.id, name);
    expect(await c.getIncident(opened.id)).toMatchObject({ id: opened.id, number: opened.number, status, partnerStatus: name });
  });

  it('applies the profile statusMap over the defaults', async () => {
    const c = jiraConnector(profile(sandbox.baseUrl, { statusMap: { 'ESCALATED TO VENDOR': 'in_progress', Done: 'closed' } }));
    const opened = await c.openIncident(input());
    await sandbox.move(opened.id, 'Escalated to vendor');
    expect((await c.getIncident(opened.id)).status).toBe('in_progress');
    await sandbox.move(opened.number, 'Done');
    expect((await c.getIncident(opened.number)).status).toBe('closed');
  });

  it('comments on the request publicly', async () => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    await c.addComment(opened.id, 'Logs attached');
    expect(sandbox.requests.get(opened.id)!.comments.map((x) => [x.body, x.public])).toEqual([['Logs attached', true]]);
  });

  it('classifies failures: 429 with Retry-After and 5xx transient, other 4xx final', async () => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '12' } });
    const limited = await failure(c.openIncident(input()));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 12_000 });
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '3' }, match: (x) => x.path === '/rest/api/3/search/jql' });
    expect((await failure(c.findByExternalRef('hub:esc_z'))).retryAfterMs).toBe(3000);
    sandbox.faults.push({ status: 502 });
    expect((await failure(c.getIncident('10000'))).transient).toBe(true);
    sandbox.faults.push({ status: 400 });
    expect((await failure(c.openIncident(input()))).transient).toBe(false);
    const wrongDesk = jiraConnector(profile(sandbox.baseUrl, { serviceDeskId: 99 }));
    expect((await failure(wrongDesk.openIncident(input()))).httpStatus).toBe(404);
    const wrongToken = jiraConnector(profile(sandbox.baseUrl, { credentials: { email: 'escalations@hub.example', apiToken: 'revoked' } }));
    expect((await failure(wrongToken.openIncident(input()))).transient).toBe(false);
  });

  it('treats an answer outside the JSM request format as uncertain, not a crash', async () => {
    const odd = createServer((_req, res) => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"issueKey":"SUP-1"}'); });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    try {
      const err = await failure(jiraConnector(profile(`http://127.0.0.1:${(odd.address() as AddressInfo).port}`)).openIncident(input()));
      expect({ transient: err.transient, unexpected: /unexpected answer/.test(err.message) }).toEqual({ transient: true, unexpected: true });
    } finally {
      await new Promise((r) => odd.close(r));
    }
  });

  it('verifies admin webhooks by X-Hub-Signature over the raw bytes and reads the status from the changelog', async () => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    const before = receiver.got.length;
    await sandbox.move(opened.id, 'Waiting for customer', 'Please send the device logs');
    const hook = receiver.got[before]!;
    const req = { headers: flat(hook.headers), body: hook.body, query: {} };
    expect(c.verifyWebhook(req, new Date())).toEqual({ kind: 'ok', deliveryId: hook.headers['x-atlassian-webhook-identifier'], replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: 600 } });
    const sent = JSON.parse(hook.body) as { timestamp: number };
    expect(c.parseWebhook(req)).toEqual([{
      ticketId: opened.id, ticketNumber: opened.number, status: 'awaiting_info', partnerStatus: 'Waiting for customer',
      updatedAt: new Date(sent.timestamp).toISOString(), comment: 'Please send the device logs',
    }]);
    expect(c.verifyWebhook({ ...req, body: JSON.stringify(JSON.parse(hook.body)) + ' ' }, new Date()).kind).toBe('rejected');
    expect(c.verifyWebhook({ ...req, body: JSON.stringify(JSON.parse(hook.body), null, 2) }, new Date()).kind).toBe('rejected');
    expect(jiraConnector(profile(sandbox.baseUrl, { webhookSecret: 'wrong' })).verifyWebhook(req, new Date()).kind).toBe('rejected');
    expect(jiraConnector(profile(sandbox.baseUrl, { webhookSecret: undefined })).verifyWebhook(req, new Date()).kind).toBe('rejected');
    expect(c.verifyWebhook({ ...req, headers: { ...req.headers, 'x-hub-signature': undefined } }, new Date()).kind).toBe('rejected');
    // the signed body's own timestamp bounds replays: stale after five minutes (configurable), never far in the future
    expect(c.verifyWebhook(req, new Date(sent.timestamp + 5 * 60_000 + 1000)).kind).toBe('rejected');
    expect(c.verifyWebhook(req, new Date(sent.timestamp - 5 * 60_000 - 1000)).kind).toBe('rejected');
    expect(jiraConnector(profile(sandbox.baseUrl, { webhookToleranceSeconds: 3600 })).verifyWebhook(req, new Date(sent.timestamp + 30 * 60_000)).kind).toBe('ok');
  });

  it('keeps an unknown status unmapped and refuses bodies in another format', () => {
    const c = jiraConnector(profile(sandbox.baseUrl));
    const now = Date.now();
    const body = JSON.stringify({
      timestamp: now, webhookEvent: 'jira:issue_updated', issue_event_type_name: 'issue_generic',
      issue: { id: '10042', key: 'SUP-42', fields: { status: { name: 'Vendor triage' }, updated: '2026-11-25T10:00:00.000+0000' } },
      changelog: { id: '10301', items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10001', fromString: 'Waiting for support', to: '10777', toString: 'Vendor triage' }] },
    });
    const req = { headers: { 'x-hub-signature': signJiraWebhook(SECRET, body), 'x-atlassian-webhook-identifier': '0f6b3f6e-5c3b-4a61-9a0e-1a6f3b1c2d3e' }, body, query: {} };
    expect(c.verifyWebhook(req, new Date(now))).toEqual({ kind: 'ok', deliveryId: '0f6b3f6e-5c3b-4a61-9a0e-1a6f3b1c2d3e', replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: 600 } });
    expect(c.parseWebhook(req)).toEqual([{ ticketId: '10042', ticketNumber: 'SUP-42', status: null, partnerStatus: 'Vendor triage', updatedAt: new Date(now).toISOString() }]);
    expect(() => c.parseWebhook({ ...req, body: '{"webhookEvent":"jira:issue_updated"}' })).toThrow(ValidationError);
    expect(() => c.parseWebhook({ ...req, body: JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: '1', key: 'SUP-1', fields: {} } }) })).toThrow(ValidationError);
    expect(() => c.parseWebhook({ ...req, body: 'not json' })).toThrow(ValidationError);
  });

  it('refuses a profile without its fields, naming partner and field', () => {
    expect(() => jiraConnector(profile(sandbox.baseUrl, { serviceDeskId: undefined }))).toThrow(ConfigError);
    expect(() => jiraConnector(profile(sandbox.baseUrl, { serviceDeskId: undefined }))).toThrow('partners[initech] (jira): serviceDeskId: is required');
    expect(() => jiraConnector(profile(sandbox.baseUrl, { requestTypeId: 'abc' }))).toThrow(/requestTypeId: must be a numeric id/);
    expect(() => jiraConnector(profile(sandbox.baseUrl, { credentials: { email: 'escalations@hub.example' } }))).toThrow(/credentials\.apiToken: is required/);
    expect(() => jiraConnector(profile(sandbox.baseUrl, { statusMap: { Triage: 'triaged' } }))).toThrow(/statusMap\.Triage/);
  });

  it('reads the documented create answer, JQL search result and issue_updated webhook', async () => {
    // POST /rest/servicedeskapi/request answer, https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-post
    const created = {
      _expands: ['participant', 'status', 'sla', 'requestType', 'serviceDesk', 'attachment', 'action', 'comment'],
      issueId: '107001', issueKey: 'HELPDESK-1', requestTypeId: '25', serviceDeskId: '10',
      createdDate: { epochMillis: 1444290120000, friendly: 'Monday 14:42 PM', iso8601: '2015-10-08T14:42:00+0700', jira: '2015-10-08T14:42:00.000+0700' },
      reporter: { accountId: '5b10a2844c20165700ede21g', displayName: 'Escalation hub', active: true, timeZone: 'Australia/Sydney', _links: {} },
      requestFieldValues: [{ fieldId: 'summary', label: 'What do you need?', value: 'Request JSD help via REST' }, { fieldId: 'description', label: 'Why do you need this?', value: 'I need a new mouse for my Mac' }],
      currentStatus: { status: 'Waiting for Support', statusCategory: 'NEW', statusDate: { epochMillis: 1444290120000, friendly: 'Today 14:42 PM', iso8601: '2015-10-08T14:42:00+0700', jira: '2015-10-08T14:42:00.000+0700' } },
      _links: { jiraRest: 'https://your-domain.atlassian.net/rest/api/2/issue/107001', web: 'https://your-domain.atlassian.net/servicedesk/customer/portal/10/HELPDESK-1', self: 'https://your-domain.atlassian.net/rest/servicedeskapi/request/107001' },
    };
    // GET /rest/api/3/search/jql answer, https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
    const searched = { issues: [{ expand: '', id: '107001', self: 'https://your-domain.atlassian.net/rest/api/3/issue/107001', key: 'HELPDESK-1', fields: { labels: ['hub-esc_1'], status: { name: 'Waiting for Support' }, updated: '2015-10-08T14:42:00.000+0700' } }], isLast: true };
    const fixture = createServer((req, res) => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(req.url?.startsWith('/rest/api/3/search/jql') ? searched : created));
    });
    await new Promise<void>((r) => fixture.listen(0, '127.0.0.1', r));
    try {
      const c = jiraConnector(profile(`http://127.0.0.1:${(fixture.address() as AddressInfo).port}`));
      const expected = { id: '107001', number: 'HELPDESK-1', url: 'https://your-domain.atlassian.net/servicedesk/customer/portal/10/HELPDESK-1', status: 'in_progress', partnerStatus: 'Waiting for Support', updatedAt: '2015-10-08T07:42:00.000Z' };
      expect(await c.openIncident(input('hub:esc_1'))).toEqual(expected);
      expect(await c.findByExternalRef('hub:esc_1')).toEqual(expected);
    } finally {
      await new Promise((r) => fixture.close(r));
    }
    // jira:issue_updated, https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event
    const now = Date.now();
    const hook = JSON.stringify({
      timestamp: now, webhookEvent: 'jira:issue_updated', issue_event_type_name: 'issue_generic',
      user: { self: 'https://your-domain.atlassian.net/rest/api/2/user?accountId=99:27935d01-92a7-4687-8272-a9b8d3b2ae2e', accountId: '99:27935d01-92a7-4687-8272-a9b8d3b2ae2e', displayName: 'Partner agent', active: true, timeZone: 'Europe/Warsaw', accountType: 'atlassian' },
      issue: { id: '107001', self: 'https://your-domain.atlassian.net/rest/api/2/issue/107001', key: 'HELPDESK-1', fields: {
        summary: 'Request JSD help via REST', labels: ['hub-esc_1'], updated: '2026-11-25T11:00:00.000+0100',
        status: { self: 'https://your-domain.atlassian.net/rest/api/2/status/10003', description: '', name: 'Resolved', id: '10003', statusCategory: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
      } },
      changelog: { id: '10010', items: [
        { field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' },
        { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10001', fromString: 'Waiting for customer', to: '10003', toString: 'Resolved' },
      ] },
    });
    const req = { headers: { 'x-hub-signature': signJiraWebhook(SECRET, hook), 'x-atlassian-webhook-identifier': '9c9b5a2e-1f42-4c3a-8a7a-3f6e0d5c4b21', 'x-atlassian-webhook-flow': 'Primary' }, body: hook, query: {} };
    const c = jiraConnector(profile(sandbox.baseUrl));
    expect(c.verifyWebhook(req, new Date(now))).toEqual({ kind: 'ok', deliveryId: '9c9b5a2e-1f42-4c3a-8a7a-3f6e0d5c4b21', replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: 600 } });
    expect(c.parseWebhook(req)).toEqual([{ ticketId: '107001', ticketNumber: 'HELPDESK-1', status: 'resolved', partnerStatus: 'Resolved', updatedAt: new Date(now).toISOString() }]);
    // without a changelog (e.g. comment_created) the status is the issue's; without a timestamp, issue.fields.updated
    const comment = JSON.parse(hook) as Record<string, unknown>;
    delete comment.changelog; delete comment.timestamp;
    Object.assign(comment, { webhookEvent: 'comment_created', comment: { id: '10044', body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Fixed in 4.1.1' }] }] }, author: { displayName: 'Partner agent' } } });
    expect(c.parseWebhook({ ...req, body: JSON.stringify(comment) })).toEqual([{ ticketId: '107001', ticketNumber: 'HELPDESK-1', status: 'resolved', partnerStatus: 'Resolved', updatedAt: '2026-11-25T10:00:00.000Z', comment: 'Fixed in 4.1.1' }]);
  });
});
