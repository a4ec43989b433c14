import { uid } from '../support/fixtures';
import { customerToken, engineerToken, http, startE2E, waitFor, type E2E } from '../support/local-hub';

let e2e: E2E;
beforeAll(async () => { e2e = await startE2E(); });
afterAll(() => e2e.stop());

const newCase = (over: Record<string, unknown> = {}) => ({
  caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high',
  summary: 'Calls drop after partner-side policy change', findings: 'Device logs show the partner media relay closing sessions.', ...over,
});
const get = (id: string) => http(e2e.hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() });
const escalate = (body: unknown) => http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body });
const openedTicket = (id: string) => waitFor(`escalation ${id} to open`, async () => {
  const r = await get(id);
  return r.json?.partnerTicket?.number ? r.json : false;
});

describe('the local runtime end to end', () => {
  it('flag → open → partner webhook → customer view', async () => {
    const body = newCase();
    const created = await escalate(body);
    expect(created.status).toBe(202);
    const esc = await openedTicket(created.json.escalationId);
    expect(esc.status).toBe('open');
    const incident = e2e.sandbox.incidents.get(esc.partnerTicket.id)!;
    expect(incident.input.description).toContain('media relay');
    expect(incident.externalRef).toBe(`hub:${esc.escalationId}`);

    await e2e.sandbox.move(incident.id, 'in_progress', 'Looking at the relay logs');
    const moved = await waitFor('in_progress', async () => {
      const r = await get(esc.escalationId);
      // the status is written before the partner's comment is recorded: wait for both
      return r.json.status === 'in_progress' && r.json.timeline.some((t: { type: string }) => t.type === 'partner_comment') ? r.json : false;
    });
    expect(moved.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['escalation_requested', 'partner_incident_opened', 'partner_update', 'partner_comment']),
    );

    const view = await http(e2e.hub.url, 'GET', `/v1/customer/cases/${body.caseId}/partner-incidents`, { token: customerToken('acme') });
    expect(view.status).toBe(200);
    expect(view.json.incidents).toEqual([expect.objectContaining({ ticketNumber: incident.number, status: 'in_progress', partnerName: 'Acme Cloud' })]);
    expect(view.text).not.toContain('media relay');
    const other = await http(e2e.hub.url, 'GET', `/v1/customer/cases/${body.caseId}/partner-incidents`, { token: customerToken('umbrella') });
    expect(other.status).toBe(404);
  });

  it('retries a partner that fails twice, then opens exactly one incident', async () => {
    e2e.sandbox.faults.push({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } });
    const created = await escalate(newCase());
    const esc = await openedTicket(created.json.escalationId);
    expect(e2e.sandbox.faults).toHaveLength(0);
    expect(esc.attempts).toBe(3);
    expect([...e2e.sandbox.incidents.values()].filter((i) => i.externalRef === `hub:${esc.escalationId}`)).toHaveLength(1);
    expect(esc.timeline.filter((t: { type: string }) => t.type === 'partner_attempt_failed')).toHaveLength(2);
  });

  it('refers the customer when the partner refuses', async () => {
    e2e.sandbox.faults.push({ status: 400, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const created = await escalate(newCase());
    const referred = await waitFor('referral', async () => {
      const r = await get(created.json.escalationId);
      return r.json.status === 'referred' ? r.json : false;
    });
    expect(referred.referral.reason).toMatch(/HTTP 400/);
    expect(referred.referral.instructions).toMatch(/Acme Cloud/);
    expect(referred.partnerTicket).toBeNull();
  });

  it('refers the customer once the attempts run out', async () => {
    e2e.sandbox.faults.push({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const created = await escalate(newCase());
    const referred = await waitFor('referral', async () => {
      const r = await get(created.json.escalationId);
      return r.json.status === 'referred' ? r.json : false;
    });
    expect(referred.attempts).toBe(3);
    expect(referred.referral.reason).toMatch(/after 3 attempts/);
    e2e.sandbox.faults.length = 0;
  });

  it('forwards comments, including those written before the ticket existed', async () => {
    e2e.sandbox.faults.push({ status: 503 });
    const created = await escalate(newCase());
    const early = await http(e2e.hub.url, 'POST', `/v1/escalations/${created.json.escalationId}/comments`, { token: engineerToken(), body: { body: 'written early' } });
    expect(early.status).toBe(202);
    const esc = await openedTicket(created.json.escalationId);
    await http(e2e.hub.url, 'POST', `/v1/escalations/${esc.escalationId}/comments`, { token: engineerToken(), body: { body: 'written later' } });
    const incident = e2e.sandbox.incidents.get(esc.partnerTicket.id)!;
    await waitFor('both comments at the partner', async () => incident.comments.length === 2);
    expect(incident.comments).toEqual(['written early', 'written later']);
  });

  it('cancels, and tells the partner', async () => {
    const created = await escalate(newCase());
    const esc = await openedTicket(created.json.escalationId);
    const r = await http(e2e.hub.url, 'POST', `/v1/escalations/${esc.escalationId}/cancel`, { token: engineerToken(), body: { reason: 'customer fixed it' } });
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('cancelled');
    const incident = e2e.sandbox.incidents.get(esc.partnerTicket.id)!;
    await waitFor('the cancellation comment', async () => incident.comments.some((c) => c.includes('customer fixed it')));
    const again = await http(e2e.hub.url, 'POST', `/v1/escalations/${esc.escalationId}/cancel`, { token: engineerToken(), body: { reason: 'again' } });
    expect(again.status).toBe(409);
  });

  it('keeps state across a restart on the same data directory', async () => {
    const created = await escalate(newCase());
    const esc = await openedTicket(created.json.escalationId);
    await e2e.restart();
    const r = await get(esc.escalationId);
    expect(r.status).toBe(200);
    expect(r.json.partnerTicket.number).toBe(esc.partnerTicket.number);
  });
});
