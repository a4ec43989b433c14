/**
 * TSANet's thin webhooks through the local runtime: the receiving member acts on the sandbox, its signed
 * `note.created` event reaches the hub, and the status sync reads the request by token, so the hub shows
 * the receiver's case number (or its refusal) with no poll in between (API.md, "`tsanet`").
 */
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import type { TsanetSandbox } from '../../connectors/tsanet/sandbox';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { freePort } from '../support/hub-process';
import { uid } from '../support/fixtures';
import { customerToken, engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

let hub: LocalHub;
let sandbox: TsanetSandbox;
beforeAll(async () => {
  const config = parseHubConfig({ partners: [{
    id: 'partner-corp', name: 'Partner Corp', platforms: ['partner-corp'], connector: 'tsanet', sandbox: true,
    baseUrl: `http://127.0.0.1:${await freePort()}`, credentials: { username: 'hub', password: 'pw' }, partnerCompanyId: '2345',
    customFields: { 'Customer Tenant ID': '{{customerId}}' }, submitterContact: { name: 'Escalations', email: 'esc@vendor.example' },
    webhookSecret: 'tsanet-secret',
    // the poller's first run (at start) is its only one in this test: status may come by webhook alone
    pollIntervalSeconds: 86_400,
  }] }, {});
  hub = await startLocalHub({ config, dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500 });
  sandbox = hub.sandboxes.get('partner-corp') as TsanetSandbox;
});
afterAll(() => hub.stop());

const escalation = async (id: string) => (await http(hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() })).json;
const polls = () => sandbox.calls.filter((c) => c.query.includes('updatedAfter')).length;

/** Flags a case for Partner Corp and waits for the collaboration request; answers the escalation id and the request token. */
async function opened() {
  const { json } = await http(hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'contoso', platform: 'partner-corp', severity: 'high', summary: 'Rooms drop calls', findings: 'logs' },
  });
  const ticket = await waitFor('the collaboration request', async () => ((await escalation(json.escalationId)).partnerTicket ?? undefined) as { id: string } | undefined);
  return { escalationId: json.escalationId as string, caseId: json.caseId as string, token: ticket.id };
}

describe('tsanet webhooks through the local runtime', () => {
  it('shows the receiver\'s case number once it approves and its note event arrives, without a poll', async () => {
    const { escalationId, token } = await opened();
    const before = polls();
    sandbox.approve(token, 'PC-2512070001');
    await sandbox.addNote(token, 'Accepted, collecting the media logs');
    // the status sync saves the escalation, then records the update in its timeline: wait for both
    const updates = (x: { timeline: { type: string; detail: Record<string, unknown> }[] }) => x.timeline.filter((t) => t.type === 'partner_update').map((t) => t.detail.partnerStatus);
    const e = await waitFor('the case number and its update', async () => {
      const x = await escalation(escalationId);
      return x.partnerTicket?.number === 'PC-2512070001' && updates(x).length > 0 && x;
    });
    expect(e.status).toBe('in_progress');
    expect(polls()).toBe(before);
    expect(updates(e)).toEqual(['ACCEPTED']);
  });

  it('refers the customer with the receiver\'s reason when it rejects', async () => {
    const { escalationId, caseId, token } = await opened();
    sandbox.reject(token, 'End customer does not have support');
    await sandbox.addNote(token, 'Please ask the customer to open a contract');
    const e = await waitFor('the referral', async () => {
      const x = await escalation(escalationId);
      return x.status === 'referred' && x;
    });
    expect(e.referral.reason).toBe('End customer does not have support');
    const customer = await http(hub.url, 'GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: customerToken('contoso') });
    expect(customer.json.incidents).toEqual([expect.objectContaining({ status: 'referred', referral: e.referral })]);
  });
});
