/**
 * The vendor's Salesforce org as its desk, end to end on the local runtime: a case ticked Partner_Related__c
 * in the Salesforce desk sandbox sends an Outbound Message (or calls the Flow's callout) to `POST
 * /v1/desks/{deskId}/events`; the hub answers the SOAP Ack, flags the case as `POST /v1/escalations` would,
 * the partner (generic-rest sandbox) opens its incident, and the partner ticket number and status come back
 * to the case's custom fields with a published CaseComment. The hub writes as its own user, whom the
 * automation's entry criteria leave out: no echo. A Notification sent again is not flagged twice; a case the
 * mapping cannot read gets an unpublished comment saying why.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { startSalesforceDeskSandbox, type SalesforceDeskSandbox } from '../../connectors/salesforce-desk/sandbox';
import { FLOW_REPLAY_SECONDS, OUTBOUND_ACK, SECRET_HEADER } from '../../connectors/salesforce-desk/webhook';
import { parseHubConfig } from '../../core/config';
import { QUEUES } from '../../core/deps';
import { silentLog } from '../../core/log';
import { openApiDocument } from '../../functions/openapi';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { SF_CREDENTIALS, SF_HUB_USER, SF_MAPPING, SF_ORG, SF_WRITE_BACK } from '../support/desk';
import { engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

const PARTNER_SECRET = 'whsec_' + Buffer.from('test-webhook-secret').toString('base64');
const CALLOUT_SECRET = 'flow-callout-secret';
const OM_TOKEN = 'om-token-0123456789abcdefghij';
let partner: GenericSandbox;
let desk: SalesforceDeskSandbox;
let hub: LocalHub;
/** The hub's clock: the real time, moved on by the test past a replay window (never waited out). */
const clock = { aheadMs: 0, now: () => new Date(Date.now() + clock.aheadMs) };

beforeAll(async () => {
  partner = await startGenericSandbox({ token: 'partner-token', webhookSecret: PARTNER_SECRET });
  desk = await startSalesforceDeskSandbox({
    ...SF_CREDENTIALS, organizationId: SF_ORG, hubUserId: SF_HUB_USER, mapping: SF_MAPPING, automation: 'outbound-message',
    calloutSecret: CALLOUT_SECRET, outboundMessageToken: OM_TOKEN, customFields: Object.values(SF_WRITE_BACK),
  });
  const config = parseHubConfig({
    partners: [{
      id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: partner.baseUrl,
      credentials: { token: 'partner-token' }, webhookSecret: PARTNER_SECRET, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    }],
    desks: [{
      id: 'vendor-salesforce', connector: 'salesforce-desk', baseUrl: desk.baseUrl, credentials: SF_CREDENTIALS, organizationId: SF_ORG,
      hubUserId: SF_HUB_USER, calloutSecret: CALLOUT_SECRET, outboundMessageToken: OM_TOKEN, mapping: SF_MAPPING, writeBack: SF_WRITE_BACK,
    }],
  }, {});
  hub = await startLocalHub({ config, dataDir: mkdtempSync(join(tmpdir(), 'hub-sfdesk-')), jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500, clock });
  partner.settings.webhookUrl = `${hub.url}/v1/webhooks/acme-cloud`;
  desk.settings.webhookUrl = `${hub.url}/v1/desks/vendor-salesforce/events`;
});
afterAll(async () => { await hub?.stop(); await desk?.close(); await partner?.close(); });
afterEach(() => { desk.settings.automation = 'outbound-message'; });

const fields = { Subject: 'Rooms drop out of calls', Description: 'SECRET-FINDINGS: relay timeouts in device logs', Priority: 'High', Account_External_Id__c: 'cust-sf', Partner_Platform__c: 'acme', Partner_Related__c: false };
const deliveriesOf = (caseId: string) => desk.deliveries.filter((d) => d.caseIds.includes(caseId));
const escalationsOf = async (caseId: string) => (await http(hub.url, 'GET', `/v1/escalations?caseId=${caseId}`, { token: engineerToken() })).json.items as { partnerTicket?: { number: string } }[];

it('a ticked case becomes an escalation (the Outbound Message acknowledged); the partner ticket number and status come back to its fields with a published comment; no echo', async () => {
  const c = await desk.create(fields);
  expect(deliveriesOf(c.Id)).toHaveLength(0); // not ticked: the automation does not send
  await desk.update(c.Id, { Partner_Related__c: true });
  expect(deliveriesOf(c.Id).map((d) => [d.status, d.answer])).toEqual([[200, OUTBOUND_ACK]]);
  // the contract declares that answer
  const declared = openApiDocument() as { paths: Record<string, { post: { responses: Record<string, { content: object }> } }> };
  expect(declared.paths['/v1/desks/{deskId}/events']!.post.responses['200']!.content).toHaveProperty('text/xml');

  const escalation = await waitFor('the escalation opened at the partner', async () => {
    const e = (await escalationsOf(c.Id))[0];
    return e?.partnerTicket ? e : false;
  });
  expect(escalation).toMatchObject({ caseId: c.Id, customerId: 'cust-sf', severity: 'high', summary: fields.Subject });
  const number = escalation.partnerTicket!.number;

  const written = await waitFor('the partner ticket number on the case', async () => (desk.find(c.Id)!.Partner_Ticket_Number__c ? desk.find(c.Id)! : false));
  expect(written).toMatchObject({ Partner_Ticket_Number__c: number, Partner_Status__c: expect.any(String), LastModifiedById: SF_HUB_USER });
  const comments = desk.comments.filter((x) => x.caseId === c.Id);
  expect(comments[0]).toMatchObject({ public: true, body: expect.stringContaining(number) });
  for (const x of comments.filter((y) => y.public)) expect(x.body).not.toMatch(/SECRET-FINDINGS|desk:vendor-salesforce/);

  // no echo: the hub's writes are its user's, which the entry criteria leave out
  expect(deliveriesOf(c.Id)).toHaveLength(1);
  // an agent's later edit that leaves the box ticked does not send again either (the box did not change)
  await desk.update(c.Id, { Subject: 'Rooms drop out of calls (all sites)' });
  expect(deliveriesOf(c.Id)).toHaveLength(1);
  expect(await escalationsOf(c.Id)).toHaveLength(1);
});

it('a Notification sent again, alone or with another case\'s, is acknowledged and taken once', async () => {
  // a case the mapping cannot read: each taking of its event writes one note, so a second note is a second taking
  const a = await desk.create({ ...fields, Priority: 'P9', Partner_Related__c: true });
  const first = deliveriesOf(a.Id)[0]!;
  const notes = () => desk.comments.filter((x) => x.caseId === a.Id);
  await waitFor('the note', async () => notes().length > 0);
  const again = await desk.resend(first.notificationIds[0]!); // Salesforce's retry: the same message
  expect([again.status, again.answer]).toEqual([200, OUTBOUND_ACK]);
  const b = await desk.create({ ...fields, Subject: 'Another case', Partner_Related__c: true });
  const batch = await desk.resend(first.notificationIds[0]!, deliveriesOf(b.Id)[0]!.notificationIds[0]!); // batched with another pending one
  expect([batch.status, batch.answer]).toEqual([200, OUTBOUND_ACK]);
  await hub.queues.get(QUEUES.deskWriteback)!.drained();
  expect(notes()).toHaveLength(1);
  await waitFor('the other case\'s escalation', async () => (await escalationsOf(b.Id)).length === 1);
});

it('a case the mapping cannot read: acknowledged, no escalation, and an unpublished comment on the case saying why', async () => {
  const c = await desk.create({ ...fields, Priority: 'P9', Account_External_Id__c: '', Partner_Related__c: true });
  expect(deliveriesOf(c.Id).map((d) => d.status)).toEqual([200]);
  const note = await waitFor('the note on the case', async () => desk.comments.find((x) => x.caseId === c.Id) ?? false);
  expect(note.public).toBe(false);
  expect(note.body).toContain('customerId: nothing in Account_External_Id__c');
  expect(note.body).toContain('severity: "P9" in Priority is none of Critical, High, Medium, Low');
  expect(await escalationsOf(c.Id)).toEqual([]);
});

it('the Flow callout flags a case as well; a callout without the secret, an Outbound Message without the token or from another org, is refused', async () => {
  desk.settings.automation = 'flow';
  const c = await desk.create({ ...fields, Subject: 'Flow-flagged case', Partner_Related__c: true });
  expect(deliveriesOf(c.Id).map((d) => d.status)).toEqual([202]); // the hub's JSON answer (flagged), not the Outbound Message's SOAP Ack
  await waitFor('the escalation', async () => ((await escalationsOf(c.Id)).length === 1 ? true : false));
  const unsigned = await http(hub.url, 'POST', '/v1/desks/vendor-salesforce/events', { raw: deliveriesOf(c.Id)[0]!.body, headers: { 'content-type': 'application/json' } });
  expect(unsigned.status).toBe(401);
  const om = desk.deliveries.find((d) => d.automation === 'outbound-message')!;
  const events = `/v1/desks/vendor-salesforce/events?token=${OM_TOKEN}`;
  expect((await http(hub.url, 'POST', events, { raw: om.body, headers: { 'content-type': 'text/xml' } })).status).toBe(200); // taken with the token: a duplicate, acknowledged
  const foreign = await http(hub.url, 'POST', events, { raw: om.body.replaceAll(SF_ORG, '00D000000000OTHAAA'), headers: { 'content-type': 'text/xml' } });
  expect(foreign.status).toBe(401);
  // the org id is no secret: a forged message of this org without the desk's token is refused
  const forged = await http(hub.url, 'POST', '/v1/desks/vendor-salesforce/events', { raw: om.body.replace(/<sf:Id>\w+</, '<sf:Id>500000000000FRGAA2<'), headers: { 'content-type': 'text/xml' } });
  expect([forged.status, forged.json]).toMatchObject([401, { error: { message: expect.stringMatching(/no token in the Outbound Message's endpoint URL/) } }]);
});

it('a Flow callout sent again at once is one; the same case ticked again later (its refused flag fixed) is taken again, not a duplicate', async () => {
  desk.settings.automation = 'flow';
  // refused (a priority the mapping lacks); the agents untick and tick it again once the hub's set-up is fixed
  const c = await desk.create({ ...fields, Subject: 'Refused, then ticked again', Priority: 'P9', Partner_Related__c: true });
  const notes = () => desk.comments.filter((x) => x.caseId === c.Id);
  const [callout] = deliveriesOf(c.Id);
  expect(JSON.parse(callout!.answer)).toMatchObject({ status: 'not-flagged' });
  const resent = await http(hub.url, 'POST', '/v1/desks/vendor-salesforce/events', { raw: callout!.body, headers: { [SECRET_HEADER]: CALLOUT_SECRET } });
  expect(resent.json).toEqual({ status: 'duplicate' }); // the same body within the replay window
  try {
    clock.aheadMs = (FLOW_REPLAY_SECONDS + 1) * 1000; // the replay window, no more
    await desk.update(c.Id, { Partner_Related__c: false });
    await desk.update(c.Id, { Partner_Related__c: true });
    const again = deliveriesOf(c.Id).at(-1)!;
    expect(again.body).toBe(callout!.body); // the same fields: the same body
    expect(JSON.parse(again.answer)).toMatchObject({ status: 'not-flagged' }); // taken, not a duplicate
    await waitFor('both notes', async () => notes().length === 2);
  } finally {
    clock.aheadMs = 0;
  }
});
