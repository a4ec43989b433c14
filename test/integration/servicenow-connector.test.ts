/** The `servicenow` connector against its sandbox over HTTP (Table API wire format, Standard Webhooks push). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serviceNowConnector as serviceNowHalf } from '../../connectors/servicenow/ticketing';
import { startServiceNowSandbox, type ServiceNowSandbox } from '../../connectors/servicenow/sandbox';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { parseHubConfig, type PartnerProfile } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import { uid } from '../support/fixtures';
import { failure, flat, fullConnector, startReceiver } from '../support/connector-harness';

// the whole connector (partner calls and webhooks), as the registries compose it
const serviceNowConnector = (p: PartnerProfile) => fullConnector(serviceNowHalf, p);

const SECRET = 'whsec_' + Buffer.from('servicenow-business-rule-secret').toString('base64');

function profile(baseUrl: string, over: Record<string, unknown> = {}): PartnerProfile {
  return parseHubConfig({
    partners: [{
      id: 'acme-itsm', name: 'Acme ITSM', platforms: ['acme'], connector: 'servicenow', baseUrl,
      credentials: { username: 'hub.integration', password: 's3cret!' }, webhookSecret: SECRET, assignmentGroup: 'Partner Escalations', ...over,
    }],
  }, {}).partners[0]!;
}


let sandbox: ServiceNowSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver('/v1/webhooks/acme-itsm');
  sandbox = await startServiceNowSandbox({ username: 'hub.integration', password: 's3cret!', webhookSecret: SECRET, webhookUrl: receiver.url });
});
afterAll(async () => { await sandbox.close(); await receiver.close(); });

const input = (ref = `hub:${uid('esc')}`) => ({ externalRef: ref, title: '[high] Calls drop in Teams Rooms', description: 'Device logs show ...', severity: 'high', caseId: 'CASE-1001', customerId: 'acme' });

describe('servicenow connector against its sandbox', () => {
  it('opens an incident with correlation_id, urgency/impact and assignment group, as strings', async () => {
    const c = serviceNowConnector(profile(sandbox.baseUrl));
    const ref = `hub:${uid('esc')}`;
    const opened = await c.openIncident({ ...input(ref), severity: 'critical' });
    expect(opened).toMatchObject({ status: 'open', partnerStatus: '1' });
    expect(opened.number).toMatch(/^INC\d{7}$/);
    expect(opened.url).toContain(`incident.do%3Fsys_id%3D${opened.id}`);
    const rec = sandbox.incidents.get(opened.id)!;
    expect(rec).toMatchObject({ correlation_id: ref, correlation_display: 'escalation-hub', urgency: '1', impact: '1', priority: '1', assignment_group: 'Partner Escalations' });
    expect(rec.description).toContain('CASE-1001');
    const auth = sandbox.calls.at(-1)!;
    expect(auth).toMatchObject({ method: 'POST', path: '/api/now/table/incident' });
  });

  it('finds the incident after an uncertain attempt instead of opening a second one', async () => {
    const c = serviceNowConnector(profile(sandbox.baseUrl));
    const ref = `hub:${uid('esc')}`;
    expect(await c.findByExternalRef(ref)).toBeUndefined();
    sandbox.lose.creates = 1; // created at the partner, answer lost
    const lost = await failure(c.openIncident(input(ref)));
    expect(lost.transient).toBe(true);
    const found = await c.findByExternalRef(ref);
    expect(found).toMatchObject({ status: 'open', partnerStatus: '1' });
    expect([...sandbox.incidents.values()].filter((r) => r.correlation_id === ref)).toHaveLength(1);
    const query = new URLSearchParams(sandbox.calls.at(-1)!.query);
    expect(query.get('sysparm_query')).toBe(`correlation_id=${ref}^ORDERBYsys_created_on`);
  });

  it.each([
    ['1', 'open'], ['2', 'in_progress'], ['3', 'awaiting_info'], ['6', 'resolved'], ['7', 'closed'], ['8', 'closed'], ['-2', null], ['42', null],
  ])('maps state %s to %s when read back', async (state, status) => {
    const c = serviceNowConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    await sandbox.move(opened.id, state);
    expect(await c.getIncident(opened.id)).toMatchObject({ id: opened.id, number: opened.number, status, partnerStatus: state });
  });

  it('adds comments to the customer-visible journal, or to work notes when configured', async () => {
    const opened = await serviceNowConnector(profile(sandbox.baseUrl)).openIncident(input());
    await serviceNowConnector(profile(sandbox.baseUrl)).addComment(opened.id, 'Logs attached');
    await serviceNowConnector(profile(sandbox.baseUrl, { commentField: 'work_notes' })).addComment(opened.id, 'internal');
    expect(sandbox.journal.get(opened.id)!.map((j) => [j.field, j.value])).toEqual([['comments', 'Logs attached'], ['work_notes', 'internal']]);
    expect((await failure(serviceNowConnector(profile(sandbox.baseUrl)).addComment('0123456789abcdef0123456789abcdef', 'x'))).httpStatus).toBe(404);
  });

  it('polls by sys_updated_on: each change once, including a change in the same second as the last poll', async () => {
    const own = await startServiceNowSandbox({ username: 'hub.integration', password: 's3cret!' });
    try {
      const c = serviceNowConnector(profile(own.baseUrl));
      const a = await c.openIncident(input());
      const b = await c.openIncident(input());
      const first = await c.listUpdatedSince!(undefined);
      expect(first.incidents.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
      expect((await c.listUpdatedSince!(first.cursor)).incidents).toEqual([]);
      await own.move(a.id, 'In Progress');
      const second = await c.listUpdatedSince!(first.cursor);
      expect(second.incidents).toEqual([expect.objectContaining({ id: a.id, status: 'in_progress', partnerStatus: '2' })]);
      await own.move(a.id, '6');
      const third = await c.listUpdatedSince!(second.cursor);
      expect(third.incidents).toEqual([expect.objectContaining({ id: a.id, status: 'resolved' })]);
      expect((await c.listUpdatedSince!(third.cursor)).incidents).toEqual([]);
      const q = new URLSearchParams(own.calls.at(-1)!.query).get('sysparm_query')!;
      expect(q).toMatch(/^correlation_display=escalation-hub\^sys_updated_on>=\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\^ORDERBYsys_updated_on$/);
      // incidents not opened by the hub are not polled
      own.incidents.set('foreign', { ...own.incidents.get(a.id)!, sys_id: 'foreign', correlation_display: 'other-tool', sys_updated_on: '2999-01-01 00:00:00' });
      expect((await c.listUpdatedSince!(third.cursor)).incidents).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('classifies failures: 429 with Retry-After (seconds or date) and 5xx transient, other 4xx final', async () => {
    const c = serviceNowConnector(profile(sandbox.baseUrl));
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '7', 'x-ratelimit-limit': '100' } });
    const limited = await failure(c.openIncident(input()));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 7000 });
    sandbox.faults.push({ status: 429, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
    const dated = await failure(c.findByExternalRef('hub:x'));
    expect(dated.retryAfterMs).toBeGreaterThan(50_000);
    sandbox.faults.push({ status: 503 });
    expect((await failure(c.getIncident('x'))).transient).toBe(true);
    sandbox.faults.push({ status: 400 });
    expect((await failure(c.openIncident(input()))).transient).toBe(false);
    const wrong = serviceNowConnector(profile(sandbox.baseUrl, { credentials: { username: 'hub.integration', password: 'nope' } }));
    const refused = await failure(wrong.openIncident(input()));
    expect({ transient: refused.transient, status: refused.httpStatus }).toEqual({ transient: false, status: 401 });
    expect(refused.message).not.toContain('nope');
  });

  it('treats an answer outside the Table API format as uncertain (transient), not a crash', async () => {
    const odd = createServer((_req, res) => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"result":{"sys_id":"","state":"1"}}'); });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    try {
      const err = await failure(serviceNowConnector(profile(`http://127.0.0.1:${(odd.address() as AddressInfo).port}`)).openIncident(input()));
      expect(err.transient).toBe(true);
      expect(err.message).toMatch(/unexpected answer/);
    } finally {
      await new Promise((r) => odd.close(r));
    }
  });

  it('verifies the business-rule push over the raw bytes and parses it', async () => {
    const c = serviceNowConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    const before = receiver.got.length;
    await sandbox.move(opened.id, '3', 'Waiting for your logs');
    const push = receiver.got[before]!;
    const req = { headers: flat(push.headers), body: push.body, query: {} };
    const verdict = c.verifyWebhook(req, new Date());
    expect(verdict).toEqual({ kind: 'ok', deliveryId: push.headers['webhook-id'] });
    expect(c.parseWebhook(req)).toEqual([{
      ticketId: opened.id, ticketNumber: opened.number, status: 'awaiting_info', partnerStatus: '3',
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/), comment: 'Waiting for your logs',
    }]);
    const reserialised = JSON.stringify(JSON.parse(push.body), null, 1);
    expect(c.verifyWebhook({ ...req, body: reserialised }, new Date()).kind).toBe('rejected');
    expect(c.verifyWebhook({ ...req, body: push.body.replace('"3"', '"6"') }, new Date()).kind).toBe('rejected');
    expect(c.verifyWebhook(req, new Date(Date.now() + 6 * 60_000)).kind).toBe('rejected');
    expect(c.verifyWebhook(req, new Date(Date.now() - 6 * 60_000)).kind).toBe('rejected');
    const other = serviceNowConnector(profile(sandbox.baseUrl, { webhookSecret: 'whsec_' + Buffer.from('another').toString('base64') }));
    expect(other.verifyWebhook(req, new Date()).kind).toBe('rejected');
    expect(serviceNowConnector(profile(sandbox.baseUrl, { webhookSecret: undefined })).verifyWebhook(req, new Date())).toEqual({ kind: 'rejected', reason: expect.stringMatching(/no webhookSecret/) });
  });

  it('keeps an unknown state unmapped and refuses a body in another format', () => {
    const c = serviceNowConnector(profile(sandbox.baseUrl));
    const body = JSON.stringify({ type: 'incident.updated', data: { sys_id: '46d44b5fa9fe1981014de1c0fea9f3f4', number: 'INC0010007', state: '-2', sys_updated_on: '2026-11-25 10:15:02' } });
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_sn_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(SECRET, 'msg_sn_1', ts, body) };
    expect(c.verifyWebhook({ headers, body, query: {} }, new Date()).kind).toBe('ok');
    expect(c.parseWebhook({ headers, body, query: {} })).toEqual([
      { ticketId: '46d44b5fa9fe1981014de1c0fea9f3f4', ticketNumber: 'INC0010007', status: null, partnerStatus: '-2', updatedAt: '2026-11-25T10:15:02.000Z' },
    ]);
    expect(() => c.parseWebhook({ headers, body: '{"result": {"state": "2"}}', query: {} })).toThrow(ValidationError);
    expect(() => c.parseWebhook({ headers, body: 'state=2', query: {} })).toThrow(ValidationError);
    expect(() => c.parseWebhook({ headers, body: JSON.stringify({ type: 'incident.updated', data: { sys_id: 'x', state: '2', sys_updated_on: 'yesterday' } }), query: {} })).toThrow(ValidationError);
  });

  it('refuses a profile without credentials or with a malformed secret, naming partner and field', () => {
    expect(() => serviceNowConnector(profile(sandbox.baseUrl, { credentials: { password: 'x' } }))).toThrow(ConfigError);
    expect(() => serviceNowConnector(profile(sandbox.baseUrl, { credentials: { password: 'x' } }))).toThrow('partners[acme-itsm] (servicenow): credentials.username: is required');
    expect(() => serviceNowConnector(profile(sandbox.baseUrl, { webhookSecret: 'plain' }))).toThrow(/webhookSecret: must look like whsec_/);
    expect(() => serviceNowConnector(profile(sandbox.baseUrl, { commentField: 'notes' }))).toThrow(/commentField/);
  });

  it('reads a Table API record in the documented shape (strings, reference fields as {link, value})', async () => {
    // shape of GET /api/now/table/incident/{sys_id}: ServiceNow/ServiceNowDocs markdown/api-reference/rest-apis/c_TableAPI.md
    const recorded = { result: {
      parent: '', made_sla: 'true', caused_by: '', watch_list: '', upon_reject: 'cancel', sys_updated_on: '2026-11-25 10:15:02', child_incidents: '0',
      hold_reason: '4', approval_history: '', number: 'INC0010007', resolved_by: '', sys_updated_by: 'partner.agent', opened_by: { link: 'https://acme.service-now.com/api/now/table/sys_user/6816f79cc0a8016401c5a33be04be441', value: '6816f79cc0a8016401c5a33be04be441' },
      user_input: '', sys_created_on: '2026-11-25 10:00:00', sys_domain: { link: 'https://acme.service-now.com/api/now/table/sys_user_group/global', value: 'global' }, state: '3',
      sys_created_by: 'hub.integration', knowledge: 'false', order: '', calendar_stc: '', closed_at: '', cmdb_ci: '', delivery_plan: '', impact: '2', active: 'true',
      business_service: '', priority: '2', sys_domain_path: '/', rfc: '', time_worked: '', expected_start: '', opened_at: '2026-11-25 10:00:00', business_duration: '',
      group_list: '', work_end: '', caller_id: '', reopened_time: '', resolved_at: '', approval_set: '', subcategory: '', work_notes: '', short_description: '[high] Calls drop',
      close_code: '', correlation_display: 'escalation-hub', delivery_task: '', work_start: '', assignment_group: { link: 'https://acme.service-now.com/api/now/table/sys_user_group/8a4dde73c6112278017a6a4baf547aa7', value: '8a4dde73c6112278017a6a4baf547aa7' },
      additional_assignee_list: '', business_stc: '', description: 'Device logs show ...', calendar_duration: '', close_notes: '', notify: '1', service_offering: '', sys_class_name: 'incident',
      closed_by: '', follow_up: '', parent_incident: '', sys_id: '46d44b5fa9fe1981014de1c0fea9f3f4', contact_type: '', reopened_by: '', incident_state: '3', urgency: '1', problem_id: '',
      company: '', reassignment_count: '0', activity_due: '', assigned_to: '', severity: '3', comments: '', approval: 'not requested', sla_due: '', comments_and_work_notes: '',
      due_date: '', sys_mod_count: '4', reopen_count: '0', sys_tags: '', escalation: '0', upon_approval: 'proceed', correlation_id: 'hub:esc_01JD3Z6B3Q9X2M7Y8K4W5V6T7R',
      location: '', category: 'inquiry',
    } };
    const fixture = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' }); res.end(JSON.stringify(recorded)); });
    await new Promise<void>((r) => fixture.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}`;
      expect(await serviceNowConnector(profile(base)).getIncident('46d44b5fa9fe1981014de1c0fea9f3f4')).toEqual({
        id: '46d44b5fa9fe1981014de1c0fea9f3f4', number: 'INC0010007', url: `${base}/nav_to.do?uri=incident.do%3Fsys_id%3D46d44b5fa9fe1981014de1c0fea9f3f4`,
        status: 'awaiting_info', partnerStatus: '3', updatedAt: '2026-11-25T10:15:02.000Z',
      });
    } finally {
      await new Promise((r) => fixture.close(r));
    }
  });
});
