/**
 * The vendor's own desk end to end on the local runtime: a ticket tagged partner_related in the Zendesk
 * desk sandbox fires its trigger at `POST /v1/desks/{deskId}/events`; the hub flags the case as `POST
 * /v1/escalations` would, the partner (generic-rest sandbox) opens its incident, and the partner ticket
 * number comes back to the desk ticket (fields and a public comment) through the desk-writeback queue. The
 * hub's own writes never fire the trigger again (no echo); a ticket the mapping cannot read gets an
 * engineer-only note instead of an escalation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { startZendeskDeskSandbox, type ZendeskDeskSandbox } from '../../connectors/zendesk-desk/sandbox';
import { parseHubConfig } from '../../core/config';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { silentLog } from '../../core/log';
import { DESK_CREDENTIALS, zendeskDesk } from '../support/desk';
import { engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

const SECRET = 'desk-signing-secret';
const PARTNER_SECRET = 'whsec_' + Buffer.from('test-webhook-secret').toString('base64');
let partner: GenericSandbox;
let desk: ZendeskDeskSandbox;
let hub: LocalHub;

beforeAll(async () => {
  partner = await startGenericSandbox({ token: 'partner-token', webhookSecret: PARTNER_SECRET });
  desk = await startZendeskDeskSandbox({ ...DESK_CREDENTIALS, webhookSecret: SECRET, triggerTag: 'partner_related' });
  const config = parseHubConfig({
    partners: [{
      id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: partner.baseUrl,
      credentials: { token: 'partner-token' }, webhookSecret: PARTNER_SECRET, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    }],
    desks: [zendeskDesk(desk.baseUrl, SECRET)],
  }, {});
  hub = await startLocalHub({ config, dataDir: mkdtempSync(join(tmpdir(), 'hub-desk-')), jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500 });
  partner.settings.webhookUrl = `${hub.url}/v1/webhooks/acme-cloud`;
  desk.settings.webhookUrl = `${hub.url}/v1/desks/vendor-zendesk/events`;
});
afterAll(async () => { await hub?.stop(); await desk?.close(); await partner?.close(); });

const ticket = { subject: 'Rooms drop out of calls', description: 'SECRET-FINDINGS: relay timeouts in device logs', priority: 'high', organizationExternalId: 'cust-desk', platform: 'acme' };

it('a tagged ticket becomes an escalation, and the partner ticket number comes back to it; the hub writes never echo', async () => {
  const t = await desk.create(ticket);
  expect(desk.deliveries.filter((d) => d.ticketId === t.id)).toHaveLength(0); // not tagged yet: the trigger does not fire
  await desk.tag(t.id, 'partner_related');
  expect(desk.deliveries.filter((d) => d.ticketId === t.id).map((d) => d.status)).toEqual([202]);

  const escalation = await waitFor('the escalation opened at the partner', async () => {
    const r = await http(hub.url, 'GET', `/v1/escalations?caseId=${t.id}`, { token: engineerToken() });
    const e = r.json?.items?.[0];
    return e?.partnerTicket ? e : false;
  });
  expect(escalation).toMatchObject({ caseId: String(t.id), customerId: 'cust-desk', severity: 'high', summary: ticket.subject });

  const written = await waitFor('the partner ticket number on the desk ticket', async () => {
    const fields = desk.tickets.get(t.id)!.custom_fields;
    return fields.some((f) => f.id === 360000000001) ? fields : false;
  });
  expect(written).toEqual(expect.arrayContaining([{ id: 360000000001, value: escalation.partnerTicket.number }]));
  const comments = desk.comments.filter((c) => c.ticketId === t.id);
  expect(comments[0]).toMatchObject({ public: true, body: expect.stringContaining(escalation.partnerTicket.number) });
  // customer-visible text only: never the findings or who flagged it
  for (const c of comments.filter((x) => x.public)) expect(c.body).not.toMatch(/SECRET-FINDINGS|desk:vendor-zendesk/);
  expect(desk.tickets.get(t.id)!.tags).toContain('hub_synced');

  // no echo: the hub's writes went through the API, which the trigger excludes
  expect(desk.deliveries.filter((d) => d.ticketId === t.id)).toHaveLength(1);
  // an agent's later edit fires the trigger again: acknowledged, and still one escalation for the case
  await desk.tag(t.id, 'vip');
  expect(desk.deliveries.filter((d) => d.ticketId === t.id).map((d) => d.status)).toEqual([202, 200]);
  const listed = await http(hub.url, 'GET', `/v1/escalations?caseId=${t.id}`, { token: engineerToken() });
  expect(listed.json.items).toHaveLength(1);
});

it('a ticket the mapping cannot read: acknowledged, no escalation, and an engineer-only note on the ticket saying why', async () => {
  const t = await desk.create({ ...ticket, priority: 'p9', organizationExternalId: '', tags: ['partner_related'] });
  expect(desk.deliveries.filter((d) => d.ticketId === t.id).map((d) => d.status)).toEqual([200]);
  const note = await waitFor('the note on the ticket', async () => desk.comments.find((c) => c.ticketId === t.id) ?? false);
  expect(note.public).toBe(false);
  expect(note.body).toContain('customerId: nothing at /ticket/organization_external_id');
  expect(note.body).toContain('severity: "p9" at /ticket/priority is none of urgent, high, normal, low');
  const listed = await http(hub.url, 'GET', `/v1/escalations?caseId=${t.id}`, { token: engineerToken() });
  expect(listed.json.items).toEqual([]);
});

it('refuses a desk event that is not signed by the desk, and a desk that is not configured', async () => {
  const bad = await http(hub.url, 'POST', '/v1/desks/vendor-zendesk/events', { raw: '{"ticket":{}}', headers: { 'x-zendesk-webhook-signature': 'AAAA', 'x-zendesk-webhook-signature-timestamp': new Date().toISOString() } });
  expect(bad.status).toBe(401);
  expect((await http(hub.url, 'POST', '/v1/desks/no-such-desk/events', { raw: '{}' })).status).toBe(404);
});

it('a case flagged first through the API, then tagged in its desk: linked to the desk, and the partner ticket number written back at once', async () => {
  const t = await desk.create(ticket);
  const created = await http(hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(),
    body: { caseId: String(t.id), customerId: 'cust-desk', platform: 'acme', severity: 'high', summary: ticket.subject, findings: ticket.description },
  });
  expect(created.status).toBe(202);
  const opened = await waitFor('the partner ticket', async () => {
    const r = await http(hub.url, 'GET', `/v1/escalations/${created.json.escalationId}`, { token: engineerToken() });
    return r.json?.partnerTicket ? r.json : false;
  });
  expect(opened.deskId).toBeNull();
  await desk.tag(t.id, 'partner_related');
  expect(desk.deliveries.filter((d) => d.ticketId === t.id).map((d) => d.status)).toEqual([200]); // already flagged
  const fields = await waitFor('the partner ticket number on the desk ticket', async () => {
    const f = desk.tickets.get(t.id)!.custom_fields;
    return f.some((x) => x.id === 360000000001) ? f : false;
  });
  expect(fields).toEqual(expect.arrayContaining([{ id: 360000000001, value: opened.partnerTicket.number }]));
  const linked = await http(hub.url, 'GET', `/v1/escalations/${created.json.escalationId}`, { token: engineerToken() });
  expect(linked.json.deskId).toBe('vendor-zendesk');
  expect(desk.deliveries.filter((d) => d.ticketId === t.id)).toHaveLength(1); // no echo of the write
});
