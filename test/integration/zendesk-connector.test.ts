/** The `zendesk` connector against its sandbox over HTTP (Tickets API, Idempotency-Key, signed trigger webhooks). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zendeskConnector as zendeskHalf } from '../../connectors/zendesk/ticketing';
import { signZendeskWebhook } from '../../connectors/zendesk/webhook';
import { startZendeskSandbox, type ZendeskSandbox } from '../../connectors/zendesk/sandbox';
import { parseHubConfig, type PartnerProfile } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import { uid } from '../support/fixtures';
import { failure, flat, fullConnector, startReceiver } from '../support/connector-harness';

// the whole connector (partner calls and webhooks), as the registries compose it
const zendeskConnector = (p: PartnerProfile) => fullConnector(zendeskHalf, p);

const SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';

function profile(baseUrl: string, over: Record<string, unknown> = {}): PartnerProfile {
  return parseHubConfig({
    partners: [{
      id: 'globex', name: 'Globex', platforms: ['globex'], connector: 'zendesk', baseUrl,
      credentials: { email: 'escalations@hub.example', apiToken: 'zd-api-token' }, webhookSecret: SECRET, ...over,
    }],
  }, {}).partners[0]!;
}


let sandbox: ZendeskSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver('/v1/webhooks/globex');
  sandbox = await startZendeskSandbox({ email: 'escalations@hub.example', apiToken: 'zd-api-token', webhookSecret: SECRET, webhookUrl: receiver.url });
});
afterAll(async () => { await sandbox.close(); await receiver.close(); });

const input = (ref = `hub:${uid('esc')}`) => ({ externalRef: ref, title: '[high] Calls drop', description: 'Device logs show ...', severity: 'high', caseId: 'CASE-2001', customerId: 'acme' });

describe('zendesk connector against its sandbox', () => {
  it('opens a ticket with Idempotency-Key and external_id; the number is the ticket id', async () => {
    const c = zendeskConnector(profile(sandbox.baseUrl, { groupId: 360001234567 }));
    const ref = `hub:${uid('esc')}`;
    const opened = await c.openIncident({ ...input(ref), severity: 'critical' });
    expect(opened).toMatchObject({ status: 'open', partnerStatus: 'new', url: `${sandbox.baseUrl}/agent/tickets/${opened.id}` });
    expect(opened.number).toBe(opened.id);
    const call = sandbox.calls.at(-1)!;
    expect(call.headers['idempotency-key']).toBe(ref);
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from('escalations@hub.example/token:zd-api-token').toString('base64')}`);
    expect(sandbox.tickets.get(Number(opened.id))).toMatchObject({ external_id: ref, priority: 'urgent', type: 'incident', group_id: 360001234567, tags: ['escalation-hub'] });
  });

  it('after a lost answer: the retried create is replayed by its key, and find returns the same ticket', async () => {
    const c = zendeskConnector(profile(sandbox.baseUrl));
    const ref = `hub:${uid('esc')}`;
    expect(await c.findByExternalRef(ref)).toBeUndefined();
    sandbox.lose.creates = 1;
    expect((await failure(c.openIncident(input(ref)))).transient).toBe(true);
    const found = await c.findByExternalRef(ref);
    const again = await c.openIncident(input(ref));
    expect(again.id).toBe(found!.id);
    expect([...sandbox.tickets.values()].filter((t) => t.external_id === ref)).toHaveLength(1);
    expect(new URLSearchParams(sandbox.calls.find((x) => x.method === 'GET' && x.query.includes('external_id'))!.query).get('external_id')).toBeTruthy();
  });

  it.each([
    ['new', 'open'], ['open', 'in_progress'], ['pending', 'awaiting_info'], ['hold', 'awaiting_info'], ['solved', 'resolved'], ['closed', 'closed'],
  ])('maps status %s to %s when read back', async (zd, status) => {
    const c = zendeskConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    await sandbox.move(opened.id, zd);
    expect(await c.getIncident(opened.id)).toMatchObject({ id: opened.id, status, partnerStatus: zd });
  });

  it('forwards comments as public replies (or internal notes) and answers 404 for an unknown ticket', async () => {
    const c = zendeskConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    await c.addComment(opened.id, 'Logs attached');
    await zendeskConnector(profile(sandbox.baseUrl, { publicComments: false })).addComment(opened.id, 'note');
    expect(sandbox.comments.filter((x) => x.ticketId === Number(opened.id)).map((x) => [x.body, x.public])).toEqual([['Logs attached', true], ['note', false]]);
    const missing = await failure(c.getIncident('999999'));
    expect({ transient: missing.transient, status: missing.httpStatus }).toEqual({ transient: false, status: 404 });
  });

  it('classifies failures: 429 with Retry-After and 5xx transient, other 4xx final', async () => {
    const c = zendeskConnector(profile(sandbox.baseUrl));
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '93' } });
    const limited = await failure(c.openIncident(input()));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 93_000 });
    sandbox.faults.push({ status: 500 });
    expect((await failure(c.findByExternalRef('hub:x'))).transient).toBe(true);
    sandbox.faults.push({ status: 422 });
    expect((await failure(c.openIncident(input()))).transient).toBe(false);
    const wrong = zendeskConnector(profile(sandbox.baseUrl, { credentials: { email: 'escalations@hub.example', apiToken: 'revoked' } }));
    expect((await failure(wrong.openIncident(input()))).httpStatus).toBe(401);
  });

  it('treats an answer outside the ticket format as uncertain, not a crash', async () => {
    const odd = createServer((_req, res) => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"ticket":{"id":"abc"}}'); });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    try {
      const err = await failure(zendeskConnector(profile(`http://127.0.0.1:${(odd.address() as AddressInfo).port}`)).openIncident(input()));
      expect({ transient: err.transient, unexpected: /unexpected answer/.test(err.message) }).toEqual({ transient: true, unexpected: true });
    } finally {
      await new Promise((r) => odd.close(r));
    }
  });

  it('verifies the trigger webhook as Zendesk signs it, over the raw bytes', async () => {
    const c = zendeskConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    const before = receiver.got.length;
    await sandbox.move(opened.id, 'pending', 'Please send the device logs');
    const hook = receiver.got[before]!;
    const req = { headers: flat(hook.headers), body: hook.body, query: {} };
    expect(c.verifyWebhook(req, new Date())).toEqual({ kind: 'ok', deliveryId: hook.headers['x-zendesk-webhook-invocation-id'], replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: 300 } });
    expect(c.parseWebhook(req)).toEqual([{
      ticketId: opened.id, ticketNumber: opened.id, status: 'awaiting_info', partnerStatus: 'Pending',
      updatedAt: expect.stringMatching(/Z$/), comment: 'Please send the device logs',
    }]);
    expect(c.verifyWebhook({ ...req, body: JSON.stringify(JSON.parse(hook.body)) + '\n' }, new Date()).kind).toBe('rejected');
    expect(c.verifyWebhook({ ...req, body: JSON.stringify(JSON.parse(hook.body), null, 2) }, new Date()).kind).toBe('rejected');
    expect(c.verifyWebhook(req, new Date(Date.now() + 5 * 60_000 + 2000)).kind).toBe('rejected');
    expect(c.verifyWebhook(req, new Date(Date.now() - 5 * 60_000 - 2000)).kind).toBe('rejected');
    expect(zendeskConnector(profile(sandbox.baseUrl, { webhookSecret: 'another-signing-secret' })).verifyWebhook(req, new Date()).kind).toBe('rejected');
    expect(zendeskConnector(profile(sandbox.baseUrl, { webhookSecret: 'new-secret', previousWebhookSecrets: [SECRET] })).verifyWebhook(req, new Date()).kind).toBe('ok');
    expect(zendeskConnector(profile(sandbox.baseUrl, { webhookSecret: undefined })).verifyWebhook(req, new Date()).kind).toBe('rejected');
    const unsigned = { ...req, headers: { ...req.headers, 'x-zendesk-webhook-signature': undefined } };
    expect(c.verifyWebhook(unsigned, new Date()).kind).toBe('rejected');
  });

  it('maps a custom status by its category, keeps unknown statuses unmapped, refuses other bodies', async () => {
    const c = zendeskConnector(profile(sandbox.baseUrl));
    const opened = await c.openIncident(input());
    const before = receiver.got.length;
    await sandbox.move(opened.id, 'Waiting on partner');
    const hook = receiver.got[before]!;
    expect(c.parseWebhook({ headers: flat(hook.headers), body: hook.body, query: {} })[0]).toMatchObject({ status: 'awaiting_info', partnerStatus: 'Waiting on partner' });
    expect((await c.getIncident(opened.id)).status).toBe('awaiting_info');

    const body = JSON.stringify({ ticket: { id: 35436, status: 'Escalated to L3', external_id: 'hub:esc_x', updated_at: '2026-11-25T10:00:00Z', via: 'api' } });
    const ts = new Date().toISOString();
    const headers = { 'x-zendesk-webhook-signature': signZendeskWebhook(SECRET, ts, body), 'x-zendesk-webhook-signature-timestamp': ts };
    expect(c.verifyWebhook({ headers, body, query: {} }, new Date())).toEqual({ kind: 'ok', deliveryId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: 300 } });
    expect(c.parseWebhook({ headers, body, query: {} })).toEqual([
      { ticketId: '35436', ticketNumber: '35436', status: null, partnerStatus: 'Escalated to L3', updatedAt: '2026-11-25T10:00:00.000Z' },
    ]);
    expect(() => c.parseWebhook({ headers, body: '{"event":"ticket.updated","id":123}', query: {} })).toThrow(ValidationError);
    expect(() => c.parseWebhook({ headers, body: '{"ticket":{"id":"12","status":"open","updated_at":"not a time"}}', query: {} })).toThrow(ValidationError);
    expect(() => c.parseWebhook({ headers, body: '<xml/>', query: {} })).toThrow(ValidationError);
  });

  it('refuses a profile without its credentials, naming partner and field', () => {
    expect(() => zendeskConnector(profile(sandbox.baseUrl, { credentials: { email: 'escalations@hub.example' } }))).toThrow(ConfigError);
    expect(() => zendeskConnector(profile(sandbox.baseUrl, { credentials: { email: 'escalations@hub.example' } }))).toThrow('partners[globex] (zendesk): credentials.apiToken: is required');
    expect(() => zendeskConnector(profile(sandbox.baseUrl, { credentials: { email: 'not-an-email', apiToken: 't' } }))).toThrow(/credentials\.email: must be an email address/);
  });

  it('reads a ticket in the documented shape', async () => {
    // Show Ticket, https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#show-ticket
    const recorded = { ticket: {
      url: 'https://globex.zendesk.com/api/v2/tickets/35436.json', id: 35436, external_id: 'hub:esc_01JD3Z6B3Q9X2M7Y8K4W5V6T7R',
      via: { channel: 'api', source: { from: {}, to: {}, rel: null } }, created_at: '2026-11-25T10:00:00Z', updated_at: '2026-11-25T10:42:17Z',
      generated_timestamp: 1764067337, type: 'incident', subject: '[high] Calls drop', raw_subject: '[high] Calls drop', description: 'Device logs show ...',
      priority: 'high', status: 'hold', recipient: null, requester_id: 20978392, submitter_id: 76872, assignee_id: 235323, organization_id: 509974,
      group_id: 98738, collaborator_ids: [35334, 234], follower_ids: [35334, 234], email_cc_ids: [], forum_topic_id: null, problem_id: null,
      has_incidents: false, is_public: true, due_at: null, tags: ['escalation-hub'], custom_fields: [{ id: 27642, value: '745' }],
      satisfaction_rating: null, sharing_agreement_ids: [], custom_status_id: 123, fields: [], followup_ids: [], ticket_form_id: 360000000001,
      brand_id: 360000000002, allow_channelback: false, allow_attachments: true, from_messaging_channel: false,
    } };
    const fixture = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }); res.end(JSON.stringify(recorded)); });
    await new Promise<void>((r) => fixture.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}`;
      expect(await zendeskConnector(profile(base)).getIncident('35436')).toEqual({
        id: '35436', number: '35436', url: `${base}/agent/tickets/35436`, status: 'awaiting_info', partnerStatus: 'hold', updatedAt: '2026-11-25T10:42:17.000Z',
      });
    } finally {
      await new Promise((r) => fixture.close(r));
    }
  });
});
