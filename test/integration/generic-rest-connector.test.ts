import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { genericRestConnector as genericRestHalf } from '../../connectors/generic-rest/ticketing';
import type { PartnerProfile } from '../../core/config';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { ConfigError, ValidationError } from '../../core/errors';
import { testConfig } from '../support/fixtures';
import { failure, fullConnector } from '../support/connector-harness';

// the whole connector (partner calls and webhooks), as the registries compose it
const genericRestConnector = (p: PartnerProfile) => fullConnector(genericRestHalf, p);

let sandbox: GenericSandbox;
beforeAll(async () => { sandbox = await startGenericSandbox({ token: 'partner-token' }); });
afterAll(() => sandbox.close());

const connector = () => genericRestConnector(testConfig(sandbox.baseUrl).partners[0]!);
const input = { externalRef: 'hub:esc_1', title: 'Calls drop', description: 'findings', severity: 'high', caseId: 'C-1', customerId: 'acme' };

describe('generic-rest connector against its sandbox', () => {
  it('opens, finds by externalRef, gets and comments', async () => {
    const c = connector();
    const opened = await c.openIncident({ ...input, externalRef: 'hub:esc_open' });
    expect(opened).toMatchObject({ status: 'open', partnerStatus: 'new' });
    expect(await c.findByExternalRef('hub:esc_open')).toEqual(opened);
    expect(await c.findByExternalRef('hub:esc_none')).toBeUndefined();
    await sandbox.move(opened.id, 'awaiting_info');
    expect((await c.getIncident(opened.id)).status).toBe('awaiting_info');
    await c.addComment(opened.id, 'hello partner');
    expect(sandbox.incidents.get(opened.id)!.comments).toEqual(['hello partner']);
  });

  it('classifies failures: 429 and 5xx are transient with Retry-After, other 4xx final', async () => {
    const c = connector();
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '7' } });
    const limited = await failure(c.openIncident(input));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 7000 });
    sandbox.faults.push({ status: 502 });
    expect((await failure(c.openIncident(input))).transient).toBe(true);
    sandbox.faults.push({ status: 422 });
    expect((await failure(c.openIncident(input))).transient).toBe(false);
    const wrongToken = genericRestConnector({ ...testConfig(sandbox.baseUrl).partners[0]!, credentials: { token: 'nope' } });
    expect((await failure(wrongToken.openIncident(input))).httpStatus).toBe(401);
  });

  it('treats a refused connection, and an answer in the wrong shape, as transient (uncertain)', async () => {
    const closed = genericRestConnector(testConfig('http://127.0.0.1:1').partners[0]!);
    expect((await failure(closed.openIncident(input))).transient).toBe(true);
    const odd = createServer((_req, res) => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"unexpected": true}'); });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const weird = genericRestConnector(testConfig(`http://127.0.0.1:${(odd.address() as AddressInfo).port}`).partners[0]!);
    const err = await failure(weird.openIncident(input));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/unexpected answer/);
    await new Promise((r) => odd.close(r));
  });

  it('verifies Standard Webhooks and parses the update; unknown statuses are kept unmapped', () => {
    const profile = testConfig(sandbox.baseUrl).partners[0]!;
    const c = genericRestConnector(profile);
    const body = JSON.stringify({ type: 'incident.updated', data: { id: 42, number: 'ACME-42', status: 'escalated_to_l3', updatedAt: '2026-11-25T10:00:00Z' } });
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(profile.webhookSecret!, 'msg_1', ts, body) };
    expect(c.verifyWebhook({ headers, body, query: {} }, new Date())).toEqual({ kind: 'ok', deliveryId: 'msg_1' });
    expect(c.verifyWebhook({ headers, body: body + ' ', query: {} }, new Date()).kind).toBe('rejected');
    expect(c.parseWebhook({ headers, body, query: {} })).toEqual([
      { ticketId: '42', ticketNumber: 'ACME-42', status: null, partnerStatus: 'escalated_to_l3', updatedAt: '2026-11-25T10:00:00.000Z' },
    ]);
    expect(() => c.parseWebhook({ headers, body: '{"data": {}}', query: {} })).toThrow(ValidationError);
  });

  it('refuses a profile without a token or with a malformed webhook secret, naming the field', () => {
    const p = testConfig(sandbox.baseUrl).partners[0]!;
    expect(() => genericRestConnector({ ...p, credentials: {} })).toThrow(ConfigError);
    expect(() => genericRestConnector({ ...p, webhookSecret: 'plain' })).toThrow(/webhookSecret/);
  });
});
