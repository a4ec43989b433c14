/**
 * Issue 14, item 5, over HTTP on the local runtime: a partner that `requires` the customer's request and
 * entitlement refuses a flag without them (422 naming each), records them for engineers, keeps the generic
 * protocol's create body as documented, and shows neither in the customer's views.
 */
import { uid } from '../support/fixtures';
import { customerToken, engineerToken, http, startE2E, waitFor, type E2E } from '../support/local-hub';

let e2e: E2E;
beforeAll(async () => { e2e = await startE2E({ requires: ['customerRequest', 'partnerEntitlement'] }); });
afterAll(() => e2e.stop());

const customerRequest = { at: '2026-11-25T09:40:00.000Z', by: 'Ana-the-requester', channel: 'portal' };
const ENTITLEMENT = 'PREMIER-CONTRACT-4711';
const flag = (caseId: string, over: Record<string, unknown> = {}) => http(e2e.hub.url, 'POST', '/v1/escalations', {
  token: engineerToken(),
  body: { caseId, customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Audio drops', findings: 'relay logs', ...over },
});

it('refuses a flag without a required field: 422 validation_failed naming it, and nothing is created', async () => {
  const caseId = uid('CASE');
  const neither = await flag(caseId);
  expect(neither.status).toBe(422);
  expect(neither.json.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'customerRequest' }, { path: 'partnerEntitlement' }] });
  const onlyRequest = await flag(caseId, { customerRequest });
  expect(onlyRequest.status).toBe(422);
  expect(onlyRequest.json.error.details).toEqual([{ path: 'partnerEntitlement', message: 'is required by partner "acme-cloud"' }]);
  expect((await http(e2e.hub.url, 'GET', `/v1/escalations?caseId=${caseId}`, { token: engineerToken() })).json).toEqual({ items: [] });
});

it('records both for engineers, sends the generic protocol\'s create body as documented, and shows neither to the customer', async () => {
  const caseId = uid('CASE');
  const created = await flag(caseId, { customerRequest, partnerEntitlement: ENTITLEMENT });
  expect(created.status).toBe(202);
  const id: string = created.json.escalationId;
  const esc = await waitFor('the partner ticket', async () => {
    const r = await http(e2e.hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() });
    return r.json.partnerTicket ? r.json : false;
  });
  expect(esc.timeline.find((t: { type: string }) => t.type === 'escalation_requested').detail)
    .toEqual({ partnerId: 'acme-cloud', severity: 'high', customerRequest, partnerEntitlement: ENTITLEMENT });

  const create = e2e.sandbox.calls.find((c) => c.method === 'POST' && c.path === '/incidents' && c.body.includes(caseId));
  expect(Object.keys(JSON.parse(create!.body)).sort()).toEqual(['caseId', 'customerId', 'description', 'externalRef', 'severity', 'title']);

  const views = [
    await http(e2e.hub.url, 'GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: customerToken('acme') }),
    await http(e2e.hub.url, 'GET', `/status/cases/${caseId}`, { token: customerToken('acme') }),
  ];
  for (const view of views) {
    expect(view.status).toBe(200);
    expect(view.text).toContain(esc.partnerTicket.number); // the view is the case's
    for (const secret of [ENTITLEMENT, customerRequest.by, 'customerRequest', 'partnerEntitlement']) expect(view.text).not.toContain(secret);
  }
});
