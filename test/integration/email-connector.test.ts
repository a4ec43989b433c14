/**
 * The `email` connector end to end in the hub, with an in-memory mail transport and dynalite: the opening
 * mail and the comments as the partner receives them (parsed back with mailparser: threading headers,
 * subject, body), then the partner's replies (real .eml fixtures) taken in by ingestPartnerMail and
 * applied by status sync (applyPartnerUpdates): the tracking number renames the ticket, status patterns
 * move the status, the text enters the timeline; and every mail the hub must not apply is dropped and
 * recorded: failed verdicts, a disallowed sender, forged threads, no reference, a duplicate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parsePartnerMail } from '../../connectors/email/parse';
import { mimeOf } from '../../local/mail-mime';
import { buildRegistry } from '../../connectors/registry';
import { parseHubConfig } from '../../core/config';
import { silentLog, type HubDeps, type Log } from '../../core/deps';
import { PartnerCallError } from '../../core/errors';
import { commentMessageId, openingMessageId, threadRootId } from '../../core/mail';
import type { MailReceipt, MailTransport } from '../../core/ports';
import { applyPartnerUpdates } from '../../core/use-cases/apply-partner-updates';
import { addComment, commentIdempotencyKey, forwardComments } from '../../core/use-cases/comments';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { ingestPartnerMail, MailBeforeTicketError } from '../../core/use-cases/ingest-partner-mail';
import type { InboundMessage } from '../../core/use-cases/ingest-webhook';
import { openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue } from '../support/fixtures';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'email', name));

/** Keeps what the hub sent; `failNext` makes the next send fail as a relay would. */
class MemoryTransport implements MailTransport {
  readonly sent: Parameters<MailTransport['send']>[0][] = [];
  failNext = false;
  /** Makes the next send fail as a transport that judged the refusal (an SMTP 5xx, an SES 4xx) does. */
  refuseNext: PartnerCallError | undefined;
  async send(message: Parameters<MailTransport['send']>[0]) {
    if (this.failNext) { this.failNext = false; throw new Error('421 4.7.0 try again later'); }
    if (this.refuseNext) { const e = this.refuseNext; this.refuseNext = undefined; throw e; }
    this.sent.push(message);
  }
  /** The n-th sent mail (from the end with a negative n) as the partner's mail client reads it. */
  read(n = -1) { return mimeOf(this.sent.at(n)!).then((raw) => simpleParser(raw)); }
}

const partner = (id: string, over: Record<string, unknown>) => ({
  id, name: id, connector: 'email', baseUrl: 'https://support.example', from: 'escalations@vendor.example',
  statusPatterns: [{ pattern: 'engineer (?:is|has been) assigned', status: 'in_progress' }, { pattern: 'case (?:is )?(?:resolved|closed)', status: 'resolved' }],
  retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 }, ...over,
});
const config = parseHubConfig({
  partners: [
    partner('microsoft-email', { platforms: ['teams'], to: 'support@microsoft.com', replyTo: 'microsoft@escalations-in.vendor.example', ticketNumberPattern: 'TrackingID#(\\d+)', allowedSenders: ['microsoft.com'] }),
    partner('zoom-email', { platforms: ['zoom'], to: 'support@zoom.us', ticketNumberPattern: 'Ticket #(\\d+)', allowedSenders: ['zoom.us'] }),
  ],
}, {});

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let deps: HubDeps;
const transport = new MemoryTransport();
const clock = new FakeClock(Date.parse('2026-12-07T09:00:00.000Z'));
const queue = new RecordingQueue();
const warnings: { message: string; extra: Record<string, unknown> | undefined }[] = [];
const log: Log = { ...silentLog, warn: (message, extra) => { warnings.push({ message, extra }); } };
/** The ids the next escalations and comments get (the fixtures name `esc_ms1`). */
const ids: string[] = [];

beforeAll(async () => {
  dynamo = await startDynalite('memory');
  deps = {
    config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE), bus: new RecordingBus(), queue, clock,
    connectors: buildRegistry(config, { mail: transport }), newId: () => ids.shift() ?? `c_${Math.random().toString(36).slice(2)}`, random: () => 0.5, log,
  };
});
afterAll(() => dynamo.close());

/** Flags an escalation for `platform` with the id `escalationId` and lets the partner worker open it (the opening mail). */
async function opened(escalationId: string, platform = 'teams', over: Record<string, unknown> = {}) {
  ids.push(escalationId);
  const { escalation } = await flagEscalation(deps, {
    caseId: `CASE-${escalationId}`, customerId: 'contoso', platform, severity: 'high', summary: 'Teams Rooms drop calls after 55 minutes',
    findings: 'Calls drop at 55:00 on every Teams Rooms device; trace ids attached to our case.', ...over,
  }, 'eng-1');
  expect(await openPartnerIncident(deps, escalation.escalationId)).toBe('opened');
  return (await deps.store.getEscalation(escalation.escalationId))!;
}

/** Takes a raw mail in and applies what it queued, as the mail-inbound function and status sync do. */
async function receive(raw: Uint8Array, receipt: MailReceipt = { storedAt: 's3://hub-mail/inbound/1' }) {
  const before = queue.messages.length;
  const outcome = await ingestPartnerMail(deps, await parsePartnerMail(raw), receipt);
  for (const m of queue.messages.slice(before)) await applyPartnerUpdates(deps, m.body as InboundMessage);
  return outcome;
}

const timeline = async (escalationId: string) => deps.store.getTimeline(escalationId);
const dropsOf = async (escalationId: string) => (await timeline(escalationId)).filter((t) => t.type === 'partner_mail_dropped').map((t) => t.detail);

/** A reply a partner's desk might write, built with nodemailer (headers as a real client writes them). */
const reply = (over: { from?: string; subject: string; text: string; messageId: string; inReplyTo?: string; references?: string[]; date?: Date }) => new MailComposer({
  from: over.from ?? 'Support@Microsoft.com', to: 'microsoft@escalations-in.vendor.example', subject: over.subject, text: over.text,
  messageId: `<${over.messageId}>`, date: over.date ?? new Date('2026-12-07T09:20:00Z'),
  ...(over.inReplyTo ? { inReplyTo: `<${over.inReplyTo}>` } : {}), ...(over.references ? { references: over.references.map((r) => `<${r}>`) } : {}),
}).compile().build();

describe('email: what the partner receives', () => {
  it('opens with a mail whose subject carries [externalRef], with the customer\'s request and entitlement; comments reply in its thread, a retry with the same Message-ID', async () => {
    const esc = await opened('esc_send1', 'teams', { partnerEntitlement: 'Premier contract 4711', customerRequest: { by: 'Ana (IT lead)', channel: 'phone', at: '2026-12-07T08:55:00Z' } });
    expect(esc).toMatchObject({ status: 'open', partnerTicket: { id: 'hub:esc_send1', number: 'hub:esc_send1' } });
    expect(transport.sent.at(-1)).toMatchObject({ from: 'escalations@vendor.example', to: ['support@microsoft.com'] });
    const open = await transport.read();
    expect(open.messageId).toBe(`<${openingMessageId('hub:esc_send1', 'vendor.example')}>`);
    expect(open.subject).toBe('[hub:esc_send1] [high] Teams Rooms drop calls after 55 minutes');
    expect(open.replyTo?.text).toBe('microsoft@escalations-in.vendor.example');
    expect(open.inReplyTo).toBeUndefined();
    expect(open.references).toBe(`<${threadRootId('hub:esc_send1', 'vendor.example')}>`);
    expect(open.text).toContain('Severity: high');
    expect(open.text).toContain('Customer\'s support entitlement: Premier contract 4711');
    expect(open.text).toContain('Requested by Ana (IT lead) (phone) at 2026-12-07T08:55:00Z');
    expect(open.text).toContain('Findings:\nCalls drop at 55:00 on every Teams Rooms device');
    expect(open.html).toContain('Customer&#39;s support entitlement: Premier contract 4711');

    ids.push('c_first');
    await addComment(deps, esc, 'Customer <b>confirms</b> the drop on 3 rooms.', 'eng-1');
    expect(await forwardComments(deps, esc.escalationId)).toBe(1);
    const comment = await transport.read();
    const commentId = commentMessageId('hub:esc_send1', commentIdempotencyKey(esc.escalationId, 'c_first'), 'vendor.example');
    expect(comment.messageId).toBe(`<${commentId}>`);
    expect(comment.inReplyTo).toBe(`<${openingMessageId('hub:esc_send1', 'vendor.example')}>`);
    expect(comment.references).toEqual([`<${threadRootId('hub:esc_send1', 'vendor.example')}>`, `<${openingMessageId('hub:esc_send1', 'vendor.example')}>`]);
    expect(comment.subject).toBe('Re: [hub:esc_send1] Update');
    expect(comment.text).toBe('Customer <b>confirms</b> the drop on 3 rooms.');
    expect(comment.html).toContain('Customer &#60;b&#62;confirms&#60;/b&#62;');

    // the same comment sent again (its forwarding was retried) is the same message
    const connector = deps.connectors.ticketing('microsoft-email')!;
    await connector.addComment('hub:esc_send1', 'again', { idempotencyKey: commentIdempotencyKey(esc.escalationId, 'c_first') });
    expect((await transport.read()).messageId).toBe(`<${commentId}>`);
  });

  it('a relay that refuses for now is a transient failure (the worker retries), one that refuses for good is final; findByExternalRef has nothing to ask, getIncident refuses', async () => {
    const connector = deps.connectors.ticketing('microsoft-email')!;
    transport.failNext = true;
    const err = await connector.openIncident({ externalRef: 'hub:esc_fail', title: 't', description: 'd', severity: 'low', caseId: 'C', customerId: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCallError);
    expect(err).toMatchObject({ transient: true, message: 'open incident: the mail was not sent (421 4.7.0 try again later)' });
    // a refusal the transport judged final (an SMTP 5xx) stays final
    transport.refuseNext = new PartnerCallError('smtp relay 127.0.0.1:2526: 550 5.1.1 mailbox unknown', false);
    await expect(connector.openIncident({ externalRef: 'hub:esc_fail', title: 't', description: 'd', severity: 'low', caseId: 'C', customerId: 'c' }))
      .rejects.toMatchObject({ transient: false, message: 'open incident: the mail was not sent (smtp relay 127.0.0.1:2526: 550 5.1.1 mailbox unknown)' });
    expect(await connector.findByExternalRef('hub:esc_fail')).toBeUndefined();
    await expect(connector.getIncident('hub:esc_fail')).rejects.toMatchObject({ transient: false, message: expect.stringMatching(/no API to read an incident/) });
  });
});

describe('email: the partner\'s replies', () => {
  it('full flow: the acknowledgement renames the ticket to the tracking number, an Outlook reply moves the status; both texts in the timeline', async () => {
    const esc = await opened('esc_ms1');
    clock.advance(30 * 60_000); // 09:30, after the fixtures' Date headers

    const ack = await receive(fixture('microsoft-ack-iso-8859-1.eml'), { storedAt: 's3://hub-mail/inbound/ack', verdicts: { spf: 'PASS', dkim: 'PASS', spam: 'PASS', virus: 'PASS' } });
    expect(ack).toEqual({ kind: 'accepted', partnerId: 'microsoft-email', escalationId: 'esc_ms1', deliveryId: 'mail:DM6PR11MB0001.ack.2512070040001234@microsoft.example' });
    expect(await deps.store.getEscalation('esc_ms1')).toMatchObject({ status: 'open', partnerTicket: { id: 'hub:esc_ms1', number: '2512070040001234' } });

    clock.advance(15 * 60_000);
    expect(await receive(fixture('microsoft-status-windows-1252.eml'), { storedAt: 's3://hub-mail/inbound/status' })).toMatchObject({ kind: 'accepted' });
    expect(await deps.store.getEscalation('esc_ms1')).toMatchObject({ status: 'in_progress', partnerTicket: { number: '2512070040001234' } });

    const entries = await timeline(esc.escalationId);
    expect(entries.filter((t) => t.type === 'partner_update').map((t) => t.detail)).toEqual([
      expect.objectContaining({ status: 'open', partnerStatus: 'acknowledged by mail', applied: true, ticketNumber: '2512070040001234' }),
      expect.objectContaining({ status: 'in_progress', partnerStatus: 'engineer has been assigned', applied: true }),
    ]);
    expect(entries.filter((t) => t.type === 'partner_comment').map((t) => t.detail.body)).toEqual([
      'Hello,\n\nThank you for contacting Microsoft Support. We have opened case 2512070040001234 for you.\nOur engineer José will contact you shortly. Grüße aus München.\n\nStored mail: s3://hub-mail/inbound/ack',
      'Hi,\n\nAn engineer has been assigned and is working on it. “We’ll need the call logs” – no cost to you (0 €).\n\nCase reference: TrackingID#2512070040001234\n\nStored mail: s3://hub-mail/inbound/status',
    ]);

    // the same mail again (SES retried, or the partner sent it twice): acknowledged, not applied again
    expect(await receive(fixture('microsoft-ack-iso-8859-1.eml'))).toEqual({ ...ack, kind: 'duplicate' });
    expect((await timeline(esc.escalationId)).filter((t) => t.type === 'partner_comment')).toHaveLength(2);
  });

  it('matches a reply by the thread root in its References when the relay replaced the hub\'s Message-IDs (SES does)', async () => {
    const esc = await opened('esc_ses');
    // the opening as SES delivered it had SES's own id: the reply names that one, and the root it kept
    const r = await receive(await reply({
      subject: 'RE: Teams Rooms drop calls TrackingID#2512070040009999', text: 'Case opened.', messageId: 'ses-reply@microsoft.example',
      inReplyTo: '0100018c-ses-id@email.amazonses.com', references: [threadRootId('hub:esc_ses', 'vendor.example'), '0100018c-ses-id@email.amazonses.com'],
    }));
    expect(r).toMatchObject({ kind: 'accepted', escalationId: esc.escalationId });
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ partnerTicket: { number: '2512070040009999' } });
  });

  it('a reply whose tracking number fails the partner-input checks is dropped, not applied', async () => {
    const esc = await opened('esc_badnumber');
    const r = await receive(await reply({ subject: `RE: [hub:esc_badnumber] TrackingID#${'9'.repeat(300)}`, text: 'hi', messageId: 'bad-number@microsoft.example' }));
    expect(r).toEqual({ kind: 'dropped', reason: 'The partner mail is not valid: ticketNumber is not a valid identifier' });
    expect(await dropsOf(esc.escalationId)).toEqual([expect.objectContaining({ messageId: 'bad-number@microsoft.example' })]);
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ partnerTicket: { number: 'hub:esc_badnumber' } });
  });

  it('a reply ahead of its ticket (the autoresponder quicker than the worker) is thrown, to be taken again, never dropped', async () => {
    ids.push('esc_early');
    await flagEscalation(deps, { caseId: 'CASE-esc_early', customerId: 'contoso', platform: 'teams', severity: 'high', summary: 'Calls drop', findings: 'f' }, 'eng-1');
    const mail = await reply({ subject: 'RE: [hub:esc_early] Calls drop TrackingID#7770001', text: 'Received.', messageId: 'early@microsoft.example' });
    await expect(receive(mail)).rejects.toBeInstanceOf(MailBeforeTicketError);
    expect(await dropsOf('esc_early')).toEqual([]);
    expect(await openPartnerIncident(deps, 'esc_early')).toBe('opened');
    expect(await receive(mail)).toMatchObject({ kind: 'accepted', escalationId: 'esc_early' });
    expect(await deps.store.getEscalation('esc_early')).toMatchObject({ partnerTicket: { number: '7770001' } });
  });

  it('sending is no partner update: an acknowledgement dated by the partner\'s clock, in whole seconds and a little behind the hub\'s, still renames the ticket', async () => {
    clock.advance(777); // the opening at .777 of a second
    const esc = await opened('esc_quick');
    expect(esc).toMatchObject({ status: 'open', partnerUpdatedAt: null });
    const r = await receive(await reply({ subject: 'RE: [hub:esc_quick] x TrackingID#7770002', text: 'Received.', messageId: 'quick@microsoft.example', date: new Date(clock.now().getTime() - 3000) }));
    expect(r).toMatchObject({ kind: 'accepted' });
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ status: 'open', partnerTicket: { number: '7770002' } });
  });

  it('a Message-ID too long to be a store key is deduplicated by its digest', async () => {
    await opened('esc_longid');
    const long = `${'x'.repeat(600)}@microsoft.example`;
    const mail = await reply({ subject: 'RE: [hub:esc_longid] hi', text: 'hello', messageId: long });
    const first = await receive(mail);
    expect(first).toMatchObject({ kind: 'accepted', deliveryId: expect.stringMatching(/^mail:sha256-[0-9a-f]{64}$/) });
    expect(await receive(mail)).toEqual({ ...first, kind: 'duplicate' });
  });

  it('a reply with attachments: listed in the comment, never inlined', async () => {
    const esc = await opened('esc_attach');
    const raw = await new MailComposer({
      from: 'support@microsoft.com', to: 'hub@vendor.example', subject: 'RE: [hub:esc_attach] logs TrackingID#5550001', text: 'Logs attached.',
      messageId: '<attach.1@microsoft.example>', date: new Date(clock.now()),
      attachments: [1, 2, 3, 4, 5].map((n) => ({ filename: `trace-${n}.etl`, content: Buffer.alloc(1024 * 1024, n), contentType: 'application/octet-stream' })),
    }).compile().build();
    expect(await receive(raw, { storedAt: 's3://hub-mail/inbound/big' })).toMatchObject({ kind: 'accepted' });
    const [body] = (await timeline(esc.escalationId)).filter((t) => t.type === 'partner_comment').map((t) => String(t.detail.body));
    expect(body).toBe(`Logs attached.\n\nAttachments (in the stored mail): ${[1, 2, 3, 4, 5].map((n) => `trace-${n}.etl (application/octet-stream, 1.0 MB)`).join(', ')}\nStored mail: s3://hub-mail/inbound/big`);
  });

  it('drops and records a mail whose verdicts do not all pass (GRAY and PROCESSING_FAILED are no pass)', async () => {
    const esc = await opened('esc_verdict');
    const mail = (id: string) => reply({ subject: 'RE: [hub:esc_verdict] x TrackingID#123', text: 'hello', messageId: id });
    const fail = await receive(await mail('v1@microsoft.example'), { storedAt: 's3://hub-mail/inbound/v1', verdicts: { spf: 'PASS', dkim: 'PASS', spam: 'PASS', virus: 'FAIL' } });
    expect(fail).toEqual({ kind: 'dropped', reason: 'the receipt\'s verdicts do not pass: virus FAIL' });
    const gray = await receive(await mail('v2@microsoft.example'), { verdicts: { spf: 'GRAY', dkim: 'PASS', spam: 'PROCESSING_FAILED', virus: 'PASS' } });
    expect(gray).toEqual({ kind: 'dropped', reason: 'the receipt\'s verdicts do not pass: spf GRAY, spam PROCESSING_FAILED' });
    expect(await dropsOf(esc.escalationId)).toEqual([
      { from: 'support@microsoft.com', subject: 'RE: [hub:esc_verdict] x TrackingID#123', reason: 'the receipt\'s verdicts do not pass: virus FAIL', messageId: 'v1@microsoft.example', storedAt: 's3://hub-mail/inbound/v1' },
      expect.objectContaining({ messageId: 'v2@microsoft.example', reason: 'the receipt\'s verdicts do not pass: spf GRAY, spam PROCESSING_FAILED' }),
    ]);
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ partnerTicket: { number: 'hub:esc_verdict' } });
  });

  it('drops and records a mail from a sender the partner does not allow', async () => {
    const esc = await opened('esc_sender');
    const r = await receive(await reply({ from: 'attacker@evil.example', subject: 'RE: [hub:esc_sender] case resolved TrackingID#666', text: 'closed', messageId: 's1@evil.example' }));
    expect(r).toEqual({ kind: 'dropped', reason: 'the sender attacker@evil.example is not among the partner\'s allowedSenders' });
    expect(await dropsOf(esc.escalationId)).toEqual([expect.objectContaining({ from: 'attacker@evil.example', reason: r.kind === 'dropped' ? r.reason : '' })]);
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ status: 'open', partnerTicket: { number: 'hub:esc_sender' } });
  });

  it('drops forged threads, recorded on each escalation they name: subject and thread disagree, or a partner\'s sender names another partner\'s escalation', async () => {
    const a = await opened('esc_forge_a');
    const b = await opened('esc_forge_b');
    const r = await receive(await reply({
      subject: 'RE: [hub:esc_forge_a] case resolved', text: 'done', messageId: 'f1@microsoft.example',
      inReplyTo: openingMessageId('hub:esc_forge_b', 'vendor.example'),
    }));
    expect(r).toEqual({ kind: 'dropped', reason: 'forged thread: its subject and its thread headers name different escalations (hub:esc_forge_a, hub:esc_forge_b)' });
    expect(await dropsOf(a.escalationId)).toEqual([expect.objectContaining({ messageId: 'f1@microsoft.example' })]);
    expect(await dropsOf(b.escalationId)).toEqual([expect.objectContaining({ messageId: 'f1@microsoft.example' })]);

    const zoom = await opened('esc_forge_zoom', 'zoom');
    const z = await receive(await reply({ subject: 'Re: your ticket', text: 'case resolved', messageId: 'f2@microsoft.example', references: [openingMessageId('hub:esc_forge_zoom', 'vendor.example')] }));
    expect(z).toEqual({ kind: 'dropped', reason: 'forged thread: the sender is allowed for partner microsoft-email, but the mail names an escalation of partner zoom-email' });
    expect(await dropsOf(zoom.escalationId)).toEqual([expect.objectContaining({ messageId: 'f2@microsoft.example' })]);
    for (const e of [a, b, zoom]) expect((await deps.store.getEscalation(e.escalationId))!.status).toBe('open');
  });

  it('drops a mail that names no escalation, with a warning that carries no body and no address', async () => {
    warnings.length = 0;
    expect(await receive(fixture('rfc5322-appendix-a2-reply.eml'), { storedAt: 's3://hub-mail/inbound/a2' })).toEqual({
      kind: 'dropped', reason: 'the mail names no escalation (no [hub:…] in the subject, no hub Message-ID in its thread headers)',
    });
    expect(await receive(await reply({ subject: 'RE: [hub:esc_unknown] x', text: 'hi', messageId: 'u1@microsoft.example' }))).toEqual({
      kind: 'dropped', reason: 'no escalation of a partner reached by e-mail has the reference hub:esc_unknown',
    });
    expect(warnings[0]).toEqual({ message: 'partner mail dropped', extra: expect.objectContaining({ messageId: '3456@example.net', senderDomain: 'example.net', storedAt: 's3://hub-mail/inbound/a2', escalationIds: [] }) });
    expect(JSON.stringify(warnings)).not.toMatch(/mary@example\.net|This is a reply/);
  });
});
