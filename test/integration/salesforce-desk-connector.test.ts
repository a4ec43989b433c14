/**
 * The `salesforce-desk` connector (the vendor's own Salesforce org as its desk) against its sandbox over
 * HTTP and a captured Outbound Message (test/fixtures/salesforce): the two inbound forms (an Outbound
 * Message checked by its org, a Flow callout by its secret header) read with the desk's mapping; the
 * write-back (`PATCH sobjects/Case/{Id}`, `POST sobjects/CaseComment`) with its token cached and renewed on a
 * 401, Salesforce's error array, `REQUEST_LIMIT_EXCEEDED` and 503, a deleted case; and the automation's
 * entry criteria: the hub's own writes never fire it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMENT_BODY_BYTES, fitCommentBody, salesforceDeskWriter } from '../../connectors/salesforce-desk/desk';
import { startSalesforceDeskSandbox, type SalesforceDeskSandbox } from '../../connectors/salesforce-desk/sandbox';
import { caseId18, toId18, TOKEN_PARAM } from '../../connectors/salesforce-desk/descriptor';
import { FLOW_REPLAY_SECONDS, OUTBOUND_ACK, parseOutboundMessage, readCase, salesforceDeskInbound, SECRET_HEADER } from '../../connectors/salesforce-desk/webhook';
import { parseHubConfig, type DeskProfile } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import type { RawWebhook } from '../../core/ports';
import { runDoctor } from '../../connectors/doctor';
import { failure, flat, startReceiver } from '../support/connector-harness';
import { SF_CREDENTIALS, SF_HUB_USER, SF_MAPPING, SF_ORG, SF_WRITE_BACK } from '../support/desk';

const CALLOUT_SECRET = 'flow-callout-secret';
const OM_TOKEN = 'om-token-0123456789abcdefghij';

function desk(baseUrl: string, over: Record<string, unknown> = {}): DeskProfile {
  return parseHubConfig({
    partners: [{ id: 'microsoft', name: 'Microsoft', platforms: ['teams'], connector: 'manual', baseUrl: 'https://partner.microsoft.com' }],
    desks: [{
      id: 'vendor-salesforce', connector: 'salesforce-desk', baseUrl, credentials: SF_CREDENTIALS, organizationId: SF_ORG, hubUserId: SF_HUB_USER,
      calloutSecret: CALLOUT_SECRET, outboundMessageToken: OM_TOKEN, mapping: SF_MAPPING, writeBack: SF_WRITE_BACK, ...over,
    }],
  }, {}).desks[0]!;
}

let sandbox: SalesforceDeskSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver('/v1/desks/vendor-salesforce/events');
  sandbox = await startSalesforceDeskSandbox({
    ...SF_CREDENTIALS, organizationId: SF_ORG, hubUserId: SF_HUB_USER, mapping: SF_MAPPING, automation: 'outbound-message',
    calloutSecret: CALLOUT_SECRET, outboundMessageToken: OM_TOKEN, webhookUrl: receiver.url, customFields: Object.values(SF_WRITE_BACK),
  });
});
afterAll(async () => { await sandbox.close(); await receiver.close(); });
afterEach(() => { sandbox.settings.automation = 'outbound-message'; });

const caseInput = { Subject: 'Rooms drop out of Teams calls', Description: 'Device logs show media relay timeouts & more', Priority: 'High', Account_External_Id__c: 'acme', Partner_Platform__c: 'teams', Partner_Related__c: false };
/** The last delivery as the hub's route receives it: its headers, body and the endpoint URL's query. */
const lastDelivery = (): RawWebhook => {
  const got = receiver.got.at(-1)!;
  return { headers: flat(got.headers), body: got.body, query: Object.fromEntries(new URL(sandbox.deliveries.at(-1)!.url!).searchParams) };
};
const inbound = (over: Record<string, unknown> = {}) => salesforceDeskInbound(desk(sandbox.baseUrl, over));

describe('salesforce-desk: an Outbound Message', () => {
  it('a case ticked partner-related sends one (SOAP, the mapping\'s fields); the hub reads a flag whose event id is the Notification Id, and answers the Ack', async () => {
    const c = await sandbox.create(caseInput);
    const before = receiver.got.length;
    await sandbox.update(c.Id, { Subject: 'Rooms drop out of Teams calls (all sites)' });
    expect(receiver.got).toHaveLength(before); // not ticked: the automation's entry criteria are not met
    await sandbox.update(c.Id, { Partner_Related__c: true });
    expect(receiver.got).toHaveLength(before + 1);
    const raw = lastDelivery();
    expect(raw.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(inbound().verifyEvent(raw, new Date())).toEqual({ kind: 'ok', deliveryId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const notificationId = sandbox.deliveries.at(-1)!.notificationIds[0];
    expect(inbound().readEvents(raw)).toEqual([{
      kind: 'flag', caseId: c.Id, eventId: notificationId,
      flag: { customerId: 'acme', platform: 'teams', severity: 'high', summary: 'Rooms drop out of Teams calls (all sites)', findings: caseInput.Description },
    }]);
    expect(inbound().acknowledge!(raw)).toEqual({ contentType: 'text/xml; charset=utf-8', body: OUTBOUND_ACK });
    expect(OUTBOUND_ACK).toBe('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>');
  });

  it('from another org: rejected (15 or 18 characters, compared on 15); the 15-character form of this org is taken', async () => {
    const c = await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const raw = lastDelivery();
    expect(String(raw.body)).toContain(c.Id);
    expect(inbound({ organizationId: '00D000000000OTH' }).verifyEvent(raw, new Date())).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/comes from org 00D5g000004SFDC, not this desk's/) });
    expect(inbound({ organizationId: SF_ORG.slice(0, 15) }).verifyEvent(raw, new Date()).kind).toBe('ok');
    const forged = { ...raw, body: String(raw.body).replace(SF_ORG, '00D000000000OTHAAA') };
    expect(inbound().verifyEvent(forged, new Date()).kind).toBe('rejected');
  });

  it('is taken only with the desk\'s outboundMessageToken in the endpoint URL (the org id is no secret): a forged one, with the right org, is rejected', async () => {
    await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const raw = lastDelivery();
    expect(sandbox.deliveries.at(-1)!.url).toBe(`${receiver.url}?${TOKEN_PARAM}=${OM_TOKEN}`);
    expect(inbound().verifyEvent(raw, new Date()).kind).toBe('ok');
    expect(inbound().verifyEvent({ ...raw, query: {} }, new Date())).toEqual({ kind: 'rejected', reason: "no token in the Outbound Message's endpoint URL" });
    expect(inbound().verifyEvent({ ...raw, query: { token: `${OM_TOKEN}x` } }, new Date())).toEqual({ kind: 'rejected', reason: "a wrong token in the Outbound Message's endpoint URL" });
    // not enabled: no token configured, whatever the URL carries
    expect(inbound({ outboundMessageToken: undefined }).verifyEvent(raw, new Date())).toEqual({
      kind: 'rejected', reason: 'Outbound Messages are not enabled for this desk (no outboundMessageToken is configured)',
    });
    // rotation: the previous token is still taken while the endpoint URL is changed
    expect(inbound({ outboundMessageToken: 'om-token-new-0123456789abcdef', previousOutboundMessageTokens: [OM_TOKEN] }).verifyEvent(raw, new Date()).kind).toBe('ok');
    // a token that cannot go in a URL as it is, or is short enough to guess: refused, naming the setting
    expect(() => inbound({ outboundMessageToken: 'short' })).toThrow(/outboundMessageToken: must be 24 to 200 characters/);
    // longer than the route's query takes: refused in the settings, not answered 422 on every Outbound Message
    expect(() => inbound({ outboundMessageToken: 'a'.repeat(201) })).toThrow(/outboundMessageToken: must be 24 to 200 characters/);
    // a desk that could take no event at all: refused, naming what to set
    expect(() => inbound({ calloutSecret: undefined, outboundMessageToken: undefined })).toThrow(/calloutSecret: takes no event: set calloutSecret \(a Flow callout\) or outboundMessageToken/);
    expect(() => inbound({ outboundMessageToken: 'a token with spaces and more than 24' })).toThrow(/outboundMessageToken: must be/);
  });

  it('a Notification sent again (alone, or with another) carries the same event id; a changed body is another delivery', async () => {
    const a = await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const first = sandbox.deliveries.at(-1)!;
    const b = await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const second = sandbox.deliveries.at(-1)!;
    await sandbox.resend(first.notificationIds[0]!, second.notificationIds[0]!);
    const again = lastDelivery();
    expect(inbound().readEvents(again).map((e) => [e.eventId, e.kind === 'flag' && e.caseId])).toEqual([[first.notificationIds[0], a.Id], [second.notificationIds[0], b.Id]]);
    await sandbox.resend(first.notificationIds[0]!);
    const alone = lastDelivery();
    expect(alone.body).toBe(first.body); // Salesforce's retry of the same Notification: the same delivery id
    const id = (raw: RawWebhook) => { const v = inbound().verifyEvent(raw, new Date()); return v.kind === 'ok' ? v.deliveryId : v.kind; };
    expect(id(alone)).toBe(id({ ...alone, body: first.body }));
    expect(id(again)).not.toBe(id(alone));
  });

  it('refuses a document type (no XXE, no entity expansion), XML that is not well formed, and XML that is not an Outbound Message', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE n [<!ENTITY x SYSTEM "file:///etc/passwd">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications><OrganizationId>' + SF_ORG + '</OrganizationId><Notification><Id>04l1</Id><sObject><sf:Id xmlns:sf="u">&x;</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>';
    const xml = (body: string): RawWebhook => ({ headers: { 'content-type': 'text/xml' }, body, query: { token: OM_TOKEN } });
    expect(inbound().verifyEvent(xml(xxe), new Date())).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/declares a document type or entities/) });
    expect(() => inbound().readEvents(xml(xxe))).toThrow(ValidationError);
    expect(inbound().verifyEvent(xml('<notifications><OrganizationId>x</notifications>'), new Date())).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/not well-formed/) });
    expect(inbound().verifyEvent(xml('<a><b>1</b></a>'), new Date())).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/not a Salesforce Outbound Message/) });
    expect(inbound().verifyEvent({ headers: { 'content-type': 'text/plain' }, body: 'hi', query: {} }, new Date())).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/neither an Outbound Message/) });
  });

  it('reads the captured Outbound Message of the fixture (its org, its Notification, the sObject\'s fields by name, entities decoded)', () => {
    const xml = readFileSync(join(__dirname, '..', 'fixtures', 'salesforce', 'outbound-message-account.xml'), 'utf8');
    const om = parseOutboundMessage(xml);
    expect(om).toMatchObject({ OrganizationId: 'ABC90000000gNcmEAE', ActionId: '00190000000PGrlAAG' });
    expect(om.Notification).toEqual([{ Id: '04l9000001olR84AAE', sObject: expect.objectContaining({ Id: '0019000001KwyWtAAJ', BillingCity: 'San Francisco', Name: 'Salesforce.com Inc.' }) }]);
    // the same capture from this desk's org, read with a mapping of the Account's fields
    const raw: RawWebhook = { headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml.replaceAll('ABC90000000gNcmEAE', SF_ORG).replace('Salesforce.com Inc.', 'R&amp;D &#233;'), query: { token: OM_TOKEN } };
    const accounts = inbound({ mapping: { ...SF_MAPPING, customerId: 'BillingPostalCode', platform: 'BillingCountry', summary: 'Name', findings: 'BillingStreet', severity: { field: 'BillingCity', values: { 'San Francisco': 'low' } }, partnerRelated: { field: 'BillingCity', equals: 'San Francisco' } } });
    expect(accounts.verifyEvent(raw, new Date()).kind).toBe('ok');
    // every field read (entities decoded), but an Account is no Case: the hub could never write back to it
    expect(accounts.readEvents(raw)).toEqual([{
      kind: 'unmappable', eventId: '04l9000001olR84AAE', problems: ['caseId: "0019000001KwyWtAAJ" in Id is not a Case id (500…, 15 or 18 characters)'],
    }]);
    const asCase = { ...raw, body: String(raw.body).replaceAll('0019000001KwyWtAAJ', '5009000001KwyWtAAJ') };
    expect(accounts.readEvents(asCase)).toEqual([{
      kind: 'flag', eventId: '04l9000001olR84AAE', caseId: '5009000001KwyWtAAJ',
      flag: { customerId: 'CA 94105', platform: 'United States', summary: 'R&D é', findings: 'The Landmark @ One Market, Suite 300', severity: 'low' },
    }]);
  });
});

describe('salesforce-desk: a Flow callout', () => {
  it('a ticked case calls the hub with its fields as JSON and the desk secret; read as a flag', async () => {
    sandbox.settings.automation = 'flow';
    const c = await sandbox.create({ ...caseInput, Priority: 'Critical', Partner_Related__c: true });
    const raw = lastDelivery();
    expect(raw.headers).toMatchObject({ 'content-type': 'application/json', [SECRET_HEADER]: CALLOUT_SECRET });
    expect(inbound().readEvents(raw)).toEqual([{ kind: 'flag', caseId: c.Id, flag: expect.objectContaining({ severity: 'critical', customerId: 'acme' }) }]);
    // no SOAP Ack for a Flow: the hub's JSON result answers it
    expect(inbound().acknowledge!(raw)).toBeUndefined();
    // a previous secret still works while the Flow's External Credential is rotated
    expect(inbound({ calloutSecret: 'new-secret', previousCalloutSecrets: [CALLOUT_SECRET] }).verifyEvent(raw, new Date()).kind).toBe('ok');
  });

  it('each callout is a delivery of its own (the same body later is the case ticked again, e.g. once its refused flag is fixed); the same body within the replay window is one', async () => {
    sandbox.settings.automation = 'flow';
    await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const raw = lastDelivery();
    const [first, again] = [inbound().verifyEvent(raw, new Date()), inbound().verifyEvent(raw, new Date())];
    expect(first).toEqual({ kind: 'ok', deliveryId: expect.stringMatching(/^flow:/), replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: FLOW_REPLAY_SECONDS / 2 } });
    expect(FLOW_REPLAY_SECONDS).toBe(300);
    expect(again).toMatchObject({ kind: 'ok', replay: first.kind === 'ok' ? first.replay : undefined });
    expect(again.kind === 'ok' && first.kind === 'ok' && again.deliveryId !== first.deliveryId).toBe(true);
    // another body: another replay key
    const other = inbound().verifyEvent({ ...raw, body: String(raw.body).replace('acme', 'acmf') }, new Date());
    expect(other.kind === 'ok' && first.kind === 'ok' && other.replay?.key !== first.replay?.key).toBe(true);
  });

  it('a wrong or missing secret, or a desk with no calloutSecret: rejected; a body that is not one flat object: refused', async () => {
    sandbox.settings.automation = 'flow';
    await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const raw = lastDelivery();
    expect(inbound().verifyEvent({ ...raw, headers: { ...raw.headers, [SECRET_HEADER]: 'guess' } }, new Date())).toEqual({ kind: 'rejected', reason: `a wrong ${SECRET_HEADER} header` });
    expect(inbound().verifyEvent({ ...raw, headers: { 'content-type': 'application/json' } }, new Date())).toEqual({ kind: 'rejected', reason: `no ${SECRET_HEADER} header` });
    expect(inbound({ calloutSecret: undefined }).verifyEvent(raw, new Date())).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/no calloutSecret/) });
    expect(() => inbound().readEvents({ ...raw, body: '{"Case":{"Id":"500"}}' })).toThrow(/one flat JSON object of Case fields/);
  });
});

describe('salesforce-desk: reading a case', () => {
  const record = { Id: '5005g00000AbCdEAAV', Subject: 'S', Description: 'F', Priority: 'High', Account_External_Id__c: 'acme', Partner_Platform__c: 'teams', Partner_Related__c: 'true', LastModifiedById: '005000000000AGTAAA' };
  it('written by the hub\'s user (15 or 18 characters): ignored; not ticked: ignored; a field missing or a priority not mapped: the problems', () => {
    expect(readCase(SF_MAPPING, SF_HUB_USER, { ...record, LastModifiedById: SF_HUB_USER.slice(0, 15) })).toEqual({ kind: 'ignored', reason: "written by the hub (LastModifiedById is the hub's user)" });
    expect(readCase(SF_MAPPING, SF_HUB_USER, { ...record, Partner_Related__c: 'false' })).toEqual({ kind: 'ignored', reason: 'Partner_Related__c is not "true"' });
    expect(readCase(SF_MAPPING, SF_HUB_USER, { ...record, Partner_Related__c: true }).kind).toBe('flag');
    expect(readCase(SF_MAPPING, SF_HUB_USER, { ...record, Priority: 'P9', Account_External_Id__c: '' })).toEqual({
      kind: 'unmappable', caseId: record.Id,
      problems: ['customerId: nothing in Account_External_Id__c', 'severity: "P9" in Priority is none of Critical, High, Medium, Low'],
    });
    // a case id the hub could never write to (the mapping names CaseNumber): noted on the record's Id
    expect(readCase({ ...SF_MAPPING, caseId: 'CaseNumber' }, SF_HUB_USER, { ...record, CaseNumber: '00001001' })).toEqual({
      kind: 'unmappable', caseId: record.Id, problems: ['caseId: "00001001" in CaseNumber is not a Case id (500…, 15 or 18 characters)'],
    });
  });

  it('a case id is kept in its 18-character form (one case, one caseId): from 15 characters the checksum suffix is added; an 18-character one mangled in case is set right', () => {
    // Salesforce's documented examples, and the captured fixture's ids (15 characters → 18)
    expect(['a0D30000001n7Pi', '0019000000B98de', '001A0000006Vm9r', '0019000001KwyWt', '04l9000001olR84'].map(toId18))
      .toEqual(['a0D30000001n7PiEAI', '0019000000B98deAAB', '001A0000006Vm9rIAC', '0019000001KwyWtAAJ', '04l9000001olR84AAE']);
    expect(toId18('0019000001KWYWTAAJ')).toBe('0019000001KwyWtAAJ');
    expect(toId18('0019000001kwywtaaj')).toBe('0019000001KwyWtAAJ');
    expect([toId18('0019000001KwyWt99'), toId18('0019000001KwyWt999'), caseId18('0019000001KwyWtAAJ')]).toEqual([undefined, undefined, undefined]);
    const id18 = record.Id;
    for (const Id of [id18.slice(0, 15), id18, id18.toUpperCase()]) {
      expect(readCase(SF_MAPPING, SF_HUB_USER, { ...record, Id })).toMatchObject({ kind: 'flag', caseId: id18 });
      expect(readCase(SF_MAPPING, SF_HUB_USER, { ...record, Id, Priority: 'P9' })).toMatchObject({ kind: 'unmappable', caseId: id18 });
    }
  });

  it('settings: field names, custom write-back fields and ids are checked, naming the setting', () => {
    expect(() => inbound({ mapping: { ...SF_MAPPING, summary: '/case/subject' } })).toThrow(/mapping\.summary: must be a field API name/);
    expect(() => inbound({ writeBack: { ...SF_WRITE_BACK, statusField: 'Status' } })).toThrow(/writeBack\.statusField: must be a custom field API name/);
    expect(() => inbound({ organizationId: '005000000000001' })).toThrow(ConfigError);
    expect(() => inbound({ hubUserId: 'hub' })).toThrow(/hubUserId: must be a user id/);
  });
});

describe('salesforce-desk: write-back', () => {
  const writer = (over: Record<string, unknown> = {}) => salesforceDeskWriter(desk(sandbox.baseUrl, over));

  it('PATCHes the two custom fields and posts the comment (IsPublished as public); the token is fetched once; the automation does not fire', async () => {
    const c = await sandbox.create({ ...caseInput, Partner_Related__c: true });
    const fired = receiver.got.length;
    const w = writer();
    const tokens = sandbox.tokenRequests;
    await w.writeBack(c.Id, { ticketNumber: 'MS-2409', status: 'open', comment: { body: 'Microsoft opened case MS-2409.', public: true } });
    await w.writeBack(c.Id, { comment: { body: 'engineer-only note', public: false } });
    expect(sandbox.tokenRequests).toBe(tokens + 1);
    expect(sandbox.writes.filter((x) => x.caseId === c.Id).map((x) => x.body)).toEqual([
      { Partner_Ticket_Number__c: 'MS-2409', Partner_Status__c: 'open' },
      { ParentId: c.Id, CommentBody: 'Microsoft opened case MS-2409.', IsPublished: true },
      { ParentId: c.Id, CommentBody: 'engineer-only note', IsPublished: false },
    ]);
    expect(sandbox.find(c.Id)).toMatchObject({ Partner_Ticket_Number__c: 'MS-2409', Partner_Status__c: 'open', LastModifiedById: SF_HUB_USER });
    expect(receiver.got).toHaveLength(fired); // no echo: the entry criteria leave out the hub's user
  });

  it('a case named by its 15 characters (flagged through the API) is written as its 18-character id', async () => {
    const c = await sandbox.create(caseInput);
    await writer().writeBack(c.Id.slice(0, 15), { status: 'open', comment: { body: 'by 15', public: false } });
    expect(sandbox.writes.filter((x) => x.caseId === c.Id).map((x) => x.body)).toEqual([{ Partner_Status__c: 'open' }, { ParentId: c.Id, CommentBody: 'by 15', IsPublished: false }]);
  });

  it('a 401 (the session ended): the token is fetched again and the call made once more', async () => {
    const c = await sandbox.create(caseInput);
    const w = writer();
    await w.writeBack(c.Id, { status: 'open' });
    const tokens = sandbox.tokenRequests;
    sandbox.expireTokens();
    await w.writeBack(c.Id, { status: 'in progress' });
    expect(sandbox.tokenRequests).toBe(tokens + 1);
    expect(sandbox.find(c.Id)!.Partner_Status__c).toBe('in progress');
  });

  it('REQUEST_LIMIT_EXCEEDED (403) and 503: transient, with Retry-After when given; the next write goes through', async () => {
    const c = await sandbox.create(caseInput);
    sandbox.faults.push({ status: 403, headers: { 'retry-after': '30' } });
    expect(await failure(writer().writeBack(c.Id, { status: 'open' }))).toMatchObject({
      transient: true, httpStatus: 403, retryAfterMs: 30_000, message: expect.stringContaining('REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.'),
    });
    sandbox.faults.push({ status: 503 });
    expect(await failure(writer().writeBack(c.Id, { status: 'open' }))).toMatchObject({ transient: true, httpStatus: 503, message: expect.stringContaining('SERVER_UNAVAILABLE') });
    await writer().writeBack(c.Id, { status: 'open' });
    expect(sandbox.find(c.Id)!.Partner_Status__c).toBe('open');
  });

  it('a deleted case (ENTITY_IS_DELETED, or NOT_FOUND on its path): final, saying so; a field the org lacks: final, with Salesforce\'s error; not a Case id: final', async () => {
    const c = await sandbox.create(caseInput);
    sandbox.deleteCase(c.Id);
    expect(await failure(writer().writeBack(c.Id, { status: 'open' }))).toMatchObject({
      transient: false, httpStatus: 404, message: expect.stringMatching(/case 500\w+ no longer exists \(deleted in Salesforce: ENTITY_IS_DELETED: entity is deleted\)/),
    });
    const d = await sandbox.create(caseInput);
    expect(await failure(writer({ writeBack: { ...SF_WRITE_BACK, statusField: 'Partner_State__c' } }).writeBack(d.Id, { status: 'open' }))).toMatchObject({
      transient: false, httpStatus: 400, message: expect.stringContaining("INVALID_FIELD: No such column 'Partner_State__c' on sobject of type Case"),
    });
    expect(await failure(writer().writeBack('12345', { status: 'open' }))).toMatchObject({ transient: false, message: expect.stringMatching(/is not a Salesforce Case id/) });
    // a case that never existed: NOT_FOUND on its own path, from an org that serves the API version
    expect(await failure(writer().writeBack('500000000000NONAA2', { status: 'open' }))).toMatchObject({
      transient: false, httpStatus: 404, message: expect.stringMatching(/case 500000000000NONAA2 no longer exists \(deleted in Salesforce: NOT_FOUND/),
    });
    // whether the org serves the version cannot be told (its answer a 503): retried, never called deleted on a guess
    sandbox.faults.push({ status: 503, errorCode: 'SERVER_UNAVAILABLE', match: (call) => call.method === 'GET' && call.path === '/services/data/v62.0' });
    expect(await failure(writer().writeBack('500000000000NONAA2', { status: 'open' }))).toMatchObject({
      transient: true, httpStatus: 503, message: expect.stringContaining('while telling a deleted case from an API version the org does not serve'),
    });
    // a comment on a deleted case: Salesforce refuses its body (400 ENTITY_IS_DELETED), final as well
    expect(await failure(writer().writeBack(c.Id, { comment: { body: 'late', public: true } }))).toMatchObject({ transient: false, httpStatus: 404 });
  });

  it('the set-up or a moment\'s contention, not the write: retried (UNABLE_TO_LOCK_ROW, INSUFFICIENT_ACCESS…, a 401 with a new token, a refused app, an API version the org does not serve)', async () => {
    const c = await sandbox.create(caseInput);
    const retried = { transient: true, message: expect.stringContaining('kept in the desk-writeback dead-letter queue') };
    sandbox.faults.push({ status: 400, errorCode: 'UNABLE_TO_LOCK_ROW' });
    expect(await failure(writer().writeBack(c.Id, { status: 'open' }))).toMatchObject({ ...retried, httpStatus: 400, message: expect.stringContaining('UNABLE_TO_LOCK_ROW') });
    sandbox.faults.push({ status: 403, errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' });
    expect(await failure(writer().writeBack(c.Id, { status: 'open' }))).toMatchObject({ ...retried, httpStatus: 403, message: expect.stringContaining('INSUFFICIENT_ACCESS_OR_READONLY') });
    const tokens = sandbox.tokenRequests;
    sandbox.faults.push({ status: 401, errorCode: 'INVALID_SESSION_ID' }, { status: 401, errorCode: 'INVALID_SESSION_ID' });
    expect(await failure(writer().writeBack(c.Id, { status: 'open' }))).toMatchObject({ ...retried, httpStatus: 401, message: expect.stringContaining('with a new token') });
    expect(sandbox.tokenRequests).toBe(tokens + 2); // the first token, and the one renewal
    expect(await failure(writer({ credentials: { ...SF_CREDENTIALS, clientSecret: 'wrong' } }).writeBack(c.Id, { status: 'open' }))).toMatchObject({
      ...retried, httpStatus: 400, message: expect.stringContaining('invalid_client: invalid client credentials'),
    });
    // Salesforce answers an unserved version as a missing record (404 NOT_FOUND): the case is not called deleted
    expect(await failure(writer({ apiVersion: '99.0' }).writeBack(c.Id, { status: 'open' }))).toMatchObject({
      ...retried, httpStatus: 404, message: expect.stringContaining('the org does not serve REST API version 99.0 (GET /services/data/v99.0 answers 404)'),
    });
    await writer().writeBack(c.Id, { status: 'open' });
    expect(sandbox.find(c.Id)!.Partner_Status__c).toBe('open');
  });

  it('fields refused for good (a validation rule, a restricted picklist): the comment is still posted, then the refusal reported (final); refused for a moment: nothing posted yet', async () => {
    const c = await sandbox.create(caseInput);
    const update = { ticketNumber: 'MS-1', status: 'resolved', comment: { body: 'Microsoft resolved ticket MS-1.', public: true } };
    const onCase = () => sandbox.comments.filter((x) => x.caseId === c.Id).map((x) => x.body);
    const patch = ({ method }: { method: string }) => method === 'PATCH';
    for (const errorCode of ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']) {
      sandbox.faults.push({ status: 400, errorCode, match: patch });
      expect(await failure(writer().writeBack(c.Id, update))).toMatchObject({
        transient: false, httpStatus: 400, message: expect.stringMatching(new RegExp(`${errorCode}: .*\\(the fields were not written; the comment was posted\\)$`)),
      });
    }
    expect(onCase()).toEqual([update.comment.body, update.comment.body]);
    // a moment's refusal: the queue retries the whole write, so the comment waits for the fields
    sandbox.faults.push({ status: 400, errorCode: 'UNABLE_TO_LOCK_ROW', match: patch });
    expect(await failure(writer().writeBack(c.Id, update))).toMatchObject({ transient: true });
    expect(onCase()).toHaveLength(2);
    // a comment that fails for a moment after refused fields: retried with them (refused again), then posted once
    sandbox.faults.push({ status: 400, errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', match: patch }, { status: 503, match: ({ path }) => path.endsWith('/CaseComment') });
    expect(await failure(writer().writeBack(c.Id, update))).toMatchObject({ transient: true, httpStatus: 503 });
    expect(onCase()).toHaveLength(2);
  });

  it('a comment longer than 4,000 bytes is cut on a character boundary and says so', async () => {
    for (const long of ['é'.repeat(3000), `a${'é'.repeat(3000)}`]) { // 6,000 bytes; the limit falls between a character's bytes in one of them
      const cut = fitCommentBody(long);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(COMMENT_BODY_BYTES);
      expect(Buffer.byteLength(cut)).toBeGreaterThan(COMMENT_BODY_BYTES - 80);
      expect(cut).toMatch(/^a?é+\n\[cut: the comment was longer than the 4,000 bytes Salesforce keeps\]$/);
    }
    const long = 'é'.repeat(3000);
    const cut = fitCommentBody(long);
    expect(fitCommentBody('short')).toBe('short');
    const c = await sandbox.create(caseInput);
    await writer().writeBack(c.Id, { comment: { body: long, public: true } });
    expect(sandbox.comments.filter((x) => x.caseId === c.Id).map((x) => x.body)).toEqual([cut]);
  });

  it('hub doctor: reads the org\'s limits with the app\'s token', async () => {
    const [probe] = writer().setUpProbes!();
    expect(probe && 'run' in probe && (await probe.run())).toMatch(/^GET \/services\/data\/v62\.0\/limits: \d+ of 100000 daily API requests left$/);
  });

  it('hub doctor: the URL to register says where the Outbound Message\'s token goes, never its value', async () => {
    const report = await runDoctor({
      partners: [{ id: 'microsoft', name: 'Microsoft', platforms: ['teams'], connector: 'manual', baseUrl: 'https://partner.microsoft.com' }],
      desks: [{
        id: 'vendor-salesforce', connector: 'salesforce-desk', baseUrl: sandbox.baseUrl, credentials: SF_CREDENTIALS, organizationId: SF_ORG, hubUserId: SF_HUB_USER,
        outboundMessageToken: OM_TOKEN, mapping: SF_MAPPING, writeBack: SF_WRITE_BACK,
      }],
    }, { env: {}, publicUrl: 'https://hub.example.com' });
    const line = report.checks.find((c) => c.partner === 'desk:vendor-salesforce' && c.check === 'webhook URL');
    expect(line?.detail).toBe('register https://hub.example.com/v1/desks/vendor-salesforce/events (as is for the Flow callout\'s Named Credential; an Outbound Message\'s endpoint adds ?token=<outboundMessageToken>)');
    expect(JSON.stringify(report)).not.toContain(OM_TOKEN);
  });
});
