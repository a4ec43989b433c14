/**
 * The `zendesk-desk` connector (the vendor's own Zendesk as its desk) against its sandbox over HTTP: the
 * trigger webhook verified (a good signature, a tampered body, a replay, an old timestamp) and read with
 * the desk's mapping; the write-back (`PUT /api/v2/tickets/{id}.json`), 429 with `Retry-After`, a deleted
 * ticket; and the trigger's conditions: the hub's own writes never fire it.
 */
import { zendeskDeskWriter } from '../../connectors/zendesk-desk/desk';
import { startZendeskDeskSandbox, type ZendeskDeskSandbox } from '../../connectors/zendesk-desk/sandbox';
import { readDeskEvent, zendeskDeskInbound } from '../../connectors/zendesk-desk/webhook';
import { signZendeskWebhook } from '../../connectors/zendesk/signature';
import { parseHubConfig, type DeskProfile } from '../../core/config';
import { ConfigError } from '../../core/errors';
import type { RawWebhook } from '../../core/ports';
import { failure, flat, startReceiver } from '../support/connector-harness';

const SECRET = 'desk-signing-secret';
const EMAIL = 'hub-api@vendor.example';
const TOKEN = 'desk-api-token';
/** The mapping of API.md "The vendor's own support desk", word for word. */
export const API_MD_MAPPING = {
  caseId: '/ticket/id',
  customerId: '/ticket/organization_external_id',
  platform: '/ticket/platform',
  severity: { pointer: '/ticket/priority', values: { urgent: 'critical', high: 'high', normal: 'medium', low: 'low' } },
  summary: '/ticket/title',
  findings: '/ticket/description',
  partnerRelated: { pointer: '/ticket/tags', contains: 'partner_related' },
};

function desk(baseUrl: string, over: Record<string, unknown> = {}): DeskProfile {
  return parseHubConfig({
    partners: [{ id: 'microsoft', name: 'Microsoft', platforms: ['teams'], connector: 'manual', baseUrl: 'https://partner.microsoft.com' }],
    desks: [{
      id: 'vendor-zendesk', connector: 'zendesk-desk', baseUrl, credentials: { email: EMAIL, apiToken: TOKEN }, webhookSecret: SECRET,
      mapping: API_MD_MAPPING, writeBack: { ticketNumberField: 360000000001, statusField: '360000000002' }, ...over,
    }],
  }, {}).desks[0]!;
}

let sandbox: ZendeskDeskSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver('/v1/desks/vendor-zendesk/events');
  sandbox = await startZendeskDeskSandbox({ email: EMAIL, apiToken: TOKEN, webhookSecret: SECRET, webhookUrl: receiver.url, triggerTag: 'partner_related' });
});
afterAll(async () => { await sandbox.close(); await receiver.close(); });

const ticketInput = { subject: 'Rooms drop out of Teams calls', description: 'Device logs show media relay timeouts', priority: 'urgent', organizationExternalId: 'acme', platform: 'teams' };
const lastDelivery = (): RawWebhook => { const got = receiver.got.at(-1)!; return { headers: flat(got.headers), body: got.body, query: {} }; };

describe('zendesk-desk: the trigger webhook', () => {
  const inbound = () => zendeskDeskInbound(desk(sandbox.baseUrl));

  it('a ticket tagged partner_related fires the trigger, signed; the hub reads it as a flag with the mapping of API.md', async () => {
    const before = receiver.got.length;
    const t = await sandbox.create(ticketInput);
    expect(receiver.got).toHaveLength(before); // created without the tag: the trigger's condition is not met
    await sandbox.tag(t.id, 'partner_related');
    expect(receiver.got).toHaveLength(before + 1);
    const raw = lastDelivery();
    const verdict = inbound().verifyEvent(raw, new Date());
    expect(verdict).toMatchObject({ kind: 'ok', deliveryId: expect.stringMatching(/^\d+$/) });
    expect(inbound().readEvents(raw)).toEqual([{
      kind: 'flag', caseId: String(t.id),
      flag: { customerId: 'acme', platform: 'teams', severity: 'critical', summary: ticketInput.subject, findings: ticketInput.description },
    }]);
  });

  it('a tampered body, a wrong secret, an old timestamp are rejected; a replay carries the same replay key', async () => {
    const t = await sandbox.create({ ...ticketInput, tags: ['partner_related'] });
    const raw = lastDelivery();
    expect(JSON.parse(String(raw.body))).toMatchObject({ ticket: { id: String(t.id) } });
    const ok = inbound().verifyEvent(raw, new Date());
    expect(ok.kind).toBe('ok');
    expect(inbound().verifyEvent({ ...raw, body: String(raw.body).replace('acme', 'evil') }, new Date())).toMatchObject({ kind: 'rejected', reason: 'no signature matches' });
    expect(zendeskDeskInbound(desk(sandbox.baseUrl, { webhookSecret: 'another' })).verifyEvent(raw, new Date()).kind).toBe('rejected');
    const later = new Date(Date.parse(raw.headers['x-zendesk-webhook-signature-timestamp']!) + 6 * 60_000);
    expect(inbound().verifyEvent(raw, later)).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/tolerance/) });
    // the same signed bytes under a new invocation id: the replay key (what the hub dedupes on) is the same
    const again = inbound().verifyEvent({ ...raw, headers: { ...raw.headers, 'x-zendesk-webhook-invocation-id': '1' } }, new Date());
    expect(again.kind === 'ok' && ok.kind === 'ok' && again.replay?.key).toBe(ok.kind === 'ok' && ok.replay?.key);
  });

  it('not partner-related: ignored; a field missing or a severity not mapped: the problems, with the case id', () => {
    const m = desk(sandbox.baseUrl).mapping as typeof API_MD_MAPPING & { severity: { values: Record<string, 'critical'> } };
    const body = (over: Record<string, unknown>) => ({ ticket: { id: '77', title: 'S', description: 'F', priority: 'high', tags: 'vip partner_related', organization_external_id: 'acme', platform: 'teams', ...over } });
    expect(readDeskEvent(m, body({ tags: 'vip partner_related_not' }))).toMatchObject({ kind: 'ignored' });
    expect(readDeskEvent(m, body({ tags: ['partner_related'] })).kind).toBe('flag');
    expect(readDeskEvent(m, body({ priority: 'p1', organization_external_id: '' }))).toEqual({
      kind: 'unmappable', caseId: '77',
      problems: ['customerId: nothing at /ticket/organization_external_id', 'severity: "p1" at /ticket/priority is none of urgent, high, normal, low'],
    });
    expect(readDeskEvent(m, { ticket: { tags: 'partner_related' } })).toMatchObject({ kind: 'unmappable', problems: expect.arrayContaining(['caseId: nothing at /ticket/id']) });
  });

  it('settings: a pointer that is not one, or a severity mapped to no hub severity, stops the hub naming the field', () => {
    expect(() => zendeskDeskInbound(desk(sandbox.baseUrl, { mapping: { ...API_MD_MAPPING, caseId: 'ticket.id' } }))).toThrow(ConfigError);
    expect(() => zendeskDeskInbound(desk(sandbox.baseUrl, { mapping: { ...API_MD_MAPPING, severity: { pointer: '/p', values: { urgent: 'sev1' } } } })))
      .toThrow(/desks\[vendor-zendesk\] \(zendesk-desk\): mapping\.severity\.values\.urgent/);
  });
});

describe('zendesk-desk: write-back', () => {
  const writer = () => zendeskDeskWriter(desk(sandbox.baseUrl));

  it('writes the number and status to the configured fields, the comment as public or internal, tagged hub_synced; the trigger does not fire', async () => {
    const t = await sandbox.create({ ...ticketInput, tags: ['partner_related'] });
    const fired = receiver.got.length;
    await writer().writeBack(String(t.id), { ticketNumber: 'MS-2409', status: 'open', comment: { body: 'We opened MS-2409 with Microsoft.', public: true } });
    await writer().writeBack(String(t.id), { comment: { body: 'engineer-only note', public: false } });
    expect(sandbox.writes.filter((w) => w.ticketId === t.id).map((w) => w.body)).toEqual([
      { ticket: { custom_fields: [{ id: 360000000001, value: 'MS-2409' }, { id: 360000000002, value: 'open' }], comment: { body: 'We opened MS-2409 with Microsoft.', public: true }, additional_tags: ['hub_synced'] } },
      { ticket: { comment: { body: 'engineer-only note', public: false }, additional_tags: ['hub_synced'] } },
    ]);
    expect(sandbox.tickets.get(t.id)!.tags).toEqual(['partner_related', 'hub_synced']);
    expect(sandbox.comments.filter((c) => c.ticketId === t.id).map((c) => c.public)).toEqual([true, false]);
    expect(receiver.got).toHaveLength(fired); // no echo: the trigger excludes updates via the API
  });

  it('429: a transient failure carrying Retry-After; the next write goes through', async () => {
    const t = await sandbox.create(ticketInput);
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '7' } });
    const err = await failure(writer().writeBack(String(t.id), { status: 'in_progress' }));
    expect(err).toMatchObject({ transient: true, httpStatus: 429, retryAfterMs: 7000 });
    await writer().writeBack(String(t.id), { status: 'in_progress' });
    expect(sandbox.tickets.get(t.id)!.custom_fields).toEqual([{ id: 360000000002, value: 'in_progress' }]);
  });

  it('a deleted ticket: a final failure that says so (never retried), and a wrong credential is final too', async () => {
    const t = await sandbox.create(ticketInput);
    await fetch(`${sandbox.baseUrl}/_sandbox/tickets/${t.id}/delete`, { method: 'POST' });
    const err = await failure(writer().writeBack(String(t.id), { status: 'open' }));
    expect(err).toMatchObject({ transient: false, httpStatus: 404, message: expect.stringMatching(/ticket \d+ no longer exists \(deleted in Zendesk\)/) });
    const denied = await failure(zendeskDeskWriter(desk(sandbox.baseUrl, { credentials: { email: EMAIL, apiToken: 'wrong' } })).writeBack('5001', { status: 'open' }));
    expect(denied).toMatchObject({ transient: false, httpStatus: 401 });
  });

  it('signs as Zendesk documents: base64 HMAC-SHA256 over timestamp + body', () => {
    // the documented construction, computed independently of the connector
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(signZendeskWebhook('s', '2026-01-01T00:00:00Z', '{}')).toBe(createHmac('sha256', 's').update('2026-01-01T00:00:00Z{}').digest('base64'));
  });
});
