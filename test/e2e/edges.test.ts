import { randomBytes } from 'node:crypto';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { signJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { customerToken, engineerToken, http, JWT_SECRET, startE2E, waitFor, type E2E } from '../support/local-hub';

let e2e: E2E;
let secret: string;
beforeAll(async () => {
  e2e = await startE2E();
  secret = e2e.hub.deps.config.partners[0]!.webhookSecret!;
});
afterAll(() => e2e.stop());

const newCase = () => ({ caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 's', findings: 'f' });

function deliver(body: string, { id = `msg_${randomBytes(6).toString('hex')}`, ts = Math.floor(Date.now() / 1000), key = secret } = {}) {
  return http(e2e.hub.url, 'POST', '/v1/webhooks/acme-cloud', {
    raw: body, headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(key, id, ts, body) },
  });
}

const expectError = (r: { status: number; json: { error?: { code?: string } } | undefined }, status: number, code: string) => {
  expect(r.status).toBe(status);
  expect(r.json?.error?.code).toBe(code);
};

describe('contract edges of the local runtime', () => {
  it('answers health and the OpenAPI document without a token', async () => {
    expect((await http(e2e.hub.url, 'GET', '/health')).json).toEqual({ status: 'ok' });
    const doc = await http(e2e.hub.url, 'GET', '/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/v1/escalations', '/v1/webhooks/{partnerId}']));
  });

  it('answers a request whose head is too large in the contract shape', async () => {
    const r = await http(e2e.hub.url, 'GET', '/health', { headers: { 'x-padding': 'x'.repeat(20 * 1024) } });
    expect(r.status).toBe(431);
    expect(r.json.error.code).toBe('headers_too_large');
  });

  it('refuses missing, forged, expired and wrong-role tokens', async () => {
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { body: newCase() }), 401, 'unauthorized');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: signJwt({ sub: 'x', role: 'engineer' }, 'wrong'), body: newCase() }), 401, 'unauthorized');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: signJwt({ sub: 'x', role: 'engineer' }, JWT_SECRET, -5), body: newCase() }), 401, 'unauthorized');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: customerToken('acme'), body: newCase() }), 403, 'forbidden');
    expectError(await http(e2e.hub.url, 'GET', '/v1/customer/cases/X/partner-incidents', { token: signJwt({ sub: 'c', role: 'customer' }, JWT_SECRET) }), 403, 'forbidden');
    expectError(await http(e2e.hub.url, 'GET', '/v1/customer/cases/X/partner-incidents', { token: engineerToken() }), 403, 'forbidden');
    expectError(await http(e2e.hub.url, 'GET', '/v1/escalations?caseId=X', { token: signJwt({ sub: 'x', role: 'pirate' }, JWT_SECRET) }), 403, 'forbidden');
  });

  it('gives bad input a clear error, never a 500', async () => {
    const t = engineerToken();
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, raw: '{"caseId": ' }), 400, 'invalid_json');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, raw: '' }), 400, 'invalid_json');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, raw: '[1,2]' }), 422, 'validation_failed');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, raw: 'x'.repeat(300 * 1024) }), 413, 'payload_too_large');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, body: { ...newCase(), platform: 'nowhere' } }), 422, 'no_route');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, body: { ...newCase(), platform: undefined, partnerId: 'nobody' } }), 422, 'no_route');
    expectError(await http(e2e.hub.url, 'GET', '/v1/escalations', { token: t }), 422, 'validation_failed');
    expectError(await http(e2e.hub.url, 'GET', '/v1/escalations/esc_nope', { token: t }), 404, 'not_found');
    expectError(await http(e2e.hub.url, 'GET', '/v1/escalations/%E0%A4%A', { token: t }), 404, 'not_found');
    expectError(await http(e2e.hub.url, 'POST', '/v1/escalations/esc_nope/comments', { token: t, body: { body: 'x' } }), 404, 'not_found');
    const { json } = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: t, body: newCase() });
    expectError(await http(e2e.hub.url, 'POST', `/v1/escalations/${json.escalationId}/comments`, { token: t, body: { body: '' } }), 422, 'validation_failed');
    expectError(await http(e2e.hub.url, 'POST', `/v1/escalations/${json.escalationId}/cancel`, { token: t, body: {} }), 422, 'validation_failed');
    expectError(await http(e2e.hub.url, 'GET', '/v1/nowhere', { token: t }), 404, 'not_found');
  });

  it('verifies webhooks over the raw bytes, dedupes deliveries and waits for unknown tickets', async () => {
    const { json } = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body: newCase() });
    const esc = await waitFor('open', async () => {
      const r = await http(e2e.hub.url, 'GET', `/v1/escalations/${json.escalationId}`, { token: engineerToken() });
      return r.json.partnerTicket ? r.json : false;
    });
    const body = JSON.stringify({ type: 'incident.updated', data: { id: esc.partnerTicket.id, status: 'awaiting_info', updatedAt: new Date().toISOString() } });
    const first = await deliver(body, { id: 'msg_same' });
    expect(first.status).toBe(202);
    expect((await deliver(body, { id: 'msg_same' })).json.status).toBe('duplicate');
    // the status sync saves the escalation, then records the update: wait for both
    const timeline = await waitFor('awaiting_info, recorded', async () => {
      const e = (await http(e2e.hub.url, 'GET', `/v1/escalations/${esc.escalationId}`, { token: engineerToken() })).json;
      return e.status === 'awaiting_info' && e.timeline.some((t: { type: string }) => t.type === 'partner_update') && e.timeline;
    });
    expect(timeline.filter((t: { type: string }) => t.type === 'partner_update')).toHaveLength(1);

    expectError(await deliver(body, { key: 'whsec_' + Buffer.from('another').toString('base64') }), 401, 'invalid_signature');
    expectError(await deliver(body, { ts: Math.floor(Date.now() / 1000) + 600 }), 401, 'invalid_signature');
    expectError(await http(e2e.hub.url, 'POST', '/v1/webhooks/acme-cloud', { raw: body }), 401, 'invalid_signature');
    expectError(await http(e2e.hub.url, 'POST', '/v1/webhooks/nobody', { raw: body }), 404, 'not_found');
    expectError(await deliver('{"type": 1}'), 422, 'validation_failed');
    expectError(await deliver('not json'), 422, 'validation_failed');
  });

  it('accepts an update for a ticket it does not know yet and applies it once the ticket is recorded', async () => {
    const ticketId = `T-${randomBytes(3).toString('hex')}`;
    // the partner's time is later than the incident's creation below, so the update is the newest
    const updatedAt = new Date(Date.now() + 60_000).toISOString();
    const r = await deliver(JSON.stringify({ type: 'incident.updated', data: { id: ticketId, status: 'in_progress', updatedAt } }));
    expect(r.status).toBe(202);
    // the ticket becomes known: an escalation is linked to it (as if its create answer arrived late)
    const { json } = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body: newCase() });
    await waitFor('open', async () => (await http(e2e.hub.url, 'GET', `/v1/escalations/${json.escalationId}`, { token: engineerToken() })).json.partnerTicket);
    await e2e.hub.deps.store.putTicketLink('acme-cloud', ticketId, json.escalationId);
    const deferred = (await e2e.hub.deps.store.listDue(new Date(Date.now() + 60_000), 1000)).find((i) => i.kind === 'delivery');
    expect(deferred).toBeDefined();
    await waitFor('the deferred update applied', async () =>
      (await http(e2e.hub.url, 'GET', `/v1/escalations/${json.escalationId}`, { token: engineerToken() })).json.status === 'in_progress', 30000);
  });
});
