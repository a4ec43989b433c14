/**
 * The `email` connector's pure parts: the hub's thread ids (core/mail.ts), its settings checked at start,
 * reading a partner's raw mail (parse.ts: charsets, quoted history, attachments) and what the connector
 * makes of a mail (webhook.ts readMail: allow-list, ticket number, status patterns, comment).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { composeOpening } from '../../connectors/email/compose';
import { mimeOf } from '../../local/mail-mime';
import { EmailSettings } from '../../connectors/email/descriptor';
import { parsePartnerMail, MAIL_TEXT_LIMIT } from '../../connectors/email/parse';
import { stripQuotedHistory } from '../../connectors/email/quoted';
import { emailInbound, senderAllowed } from '../../connectors/email/webhook';
import { buildTicketingRegistry } from '../../connectors/ticketing-registry';
import { parseHubConfig } from '../../core/config';
import { commentMessageId, openingMessageId, refOfMessageId, refsInSubject, threadRootId } from '../../core/mail';
import type { PartnerMail } from '../../core/ports';
import { FakeClock } from '../support/fixtures';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'email', name));

const emailPartner = (over: Record<string, unknown> = {}) => ({
  id: 'microsoft-email', name: 'Microsoft', platforms: ['teams'], connector: 'email', baseUrl: 'https://support.microsoft.com',
  to: 'support@microsoft.com', from: 'escalations@vendor.example', ticketNumberPattern: 'TrackingID#(\\d+)',
  statusPatterns: [{ pattern: 'engineer (?:is|has been) assigned', status: 'in_progress' }, { pattern: 'case (?:is )?(?:resolved|closed)', status: 'resolved' }],
  allowedSenders: ['microsoft.com', 'escalations@partner-desk.example'], ...over,
});
const config = (over: Record<string, unknown> = {}) => parseHubConfig({ partners: [emailPartner(over)] }, {});

describe('the hub\'s thread ids (core/mail.ts)', () => {
  it('derives the same ids for the same escalation and comment, and reads the escalation back from them', () => {
    const open = openingMessageId('hub:esc_01J', 'vendor.example');
    expect(open).toBe('hub=3Aesc_01J.open@vendor.example');
    expect(openingMessageId('hub:esc_01J', 'vendor.example')).toBe(open);
    const comment = commentMessageId('hub:esc_01J', 'hub:esc_01J:comment:c1', 'vendor.example');
    expect(comment).toBe(commentMessageId('hub:esc_01J', 'hub:esc_01J:comment:c1', 'vendor.example'));
    expect(comment).not.toBe(commentMessageId('hub:esc_01J', 'hub:esc_01J:comment:c2', 'vendor.example'));
    expect([open, comment, threadRootId('hub:esc_01J', 'vendor.example')].map(refOfMessageId)).toEqual(['hub:esc_01J', 'hub:esc_01J', 'hub:esc_01J']);
    expect(refOfMessageId(openingMessageId('hub:ünï code', 'x.example'))).toBe('hub:ünï code');
  });

  it('reads nothing from other ids, and finds bracketed refs in a subject whatever its prefixes', () => {
    expect(['3456@example.net', 'open@vendor.example', 'a:b.open@vendor.example', 'x.c-12@vendor.example'].map(refOfMessageId)).toEqual([undefined, undefined, undefined, undefined]);
    expect(refsInSubject('AW: RE: [hub:esc_1] Calls drop [INC42]')).toEqual(['hub:esc_1']);
    expect(refsInSubject('Re: Calls drop')).toEqual([]);
  });
});

describe('email settings, checked at start', () => {
  it.each([
    [{ ticketNumberPattern: 'TrackingID#\\d+' }, /ticketNumberPattern: must have exactly 1 capture group \(it has 0\)/],
    [{ ticketNumberPattern: '(Tracking)ID#(\\d+)' }, /ticketNumberPattern: must have exactly 1 capture group \(it has 2\)/],
    [{ ticketNumberPattern: 'TrackingID#(\\d+' }, /ticketNumberPattern: is not a regular expression/],
    [{ ticketNumberPattern: undefined }, /ticketNumberPattern is required/],
    [{ statusPatterns: [{ pattern: '[', status: 'resolved' }] }, /statusPatterns\.0\.pattern: is not a regular expression/],
    [{ statusPatterns: [{ pattern: 'done', status: 'done' }] }, /statusPatterns\.0\.status/],
    [{ subjectTemplate: '{{summary}}' }, /subjectTemplate: must contain \[\{\{externalRef\}\}\]/],
    [{ allowedSenders: [] }, /allowedSenders must name at least one/],
    [{ allowedSenders: ['not a domain'] }, /allowedSenders\.0: must be a domain/],
    [{ to: 'support' }, /to: must be an e-mail address/],
    [{ from: undefined }, /from is required/],
  ])('%j is refused: %s', (over, message) => {
    expect(() => buildTicketingRegistry(config(over))).toThrow(message);
  });

  it('takes the example profiles\' shape, and a profile without a mail transport builds but cannot send', async () => {
    const c = buildTicketingRegistry(config()).ticketing('microsoft-email')!;
    await expect(c.openIncident({ externalRef: 'hub:esc_x', title: 't', description: 'd', severity: 'high', caseId: 'C', customerId: 'acme' }))
      .rejects.toThrow(/partner microsoft-email: the email connector has no mail transport in this function/);
  });
});

describe('composing the opening mail', () => {
  const settings = EmailSettings.parse(emailPartner({ subjectTemplate: 'Escalation [{{externalRef}}] for {{customerId}}: {{summary}}' }));
  const input = { externalRef: 'hub:esc_c1', title: '[high] Calls drop\r\nBcc: victim@elsewhere.example', description: '', severity: 'high', caseId: 'C-1', customerId: 'contoso' };

  it('fills the subject template, and no text of the escalation can add a header', async () => {
    // one line whichever transport builds the MIME (SES takes the subject as a field)
    expect(composeOpening(settings, input, new Date('2026-12-07T09:00:00Z')).subject).not.toMatch(/[\r\n]/);
    const mail = await simpleParser(await mimeOf(composeOpening(settings, input, new Date('2026-12-07T09:00:00Z'))));
    expect(mail.subject).toBe('Escalation [hub:esc_c1] for contoso: [high] Calls drop Bcc: victim@elsewhere.example');
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('bcc')).toBe(false);
  });

  it('says nothing of an entitlement, a request or findings the engineer did not give', async () => {
    const { text } = await simpleParser(await mimeOf(composeOpening(settings, input, new Date('2026-12-07T09:00:00Z'))));
    expect(text).not.toMatch(/entitlement|Requested by|Findings/);
    expect(text).toContain('Our reference: hub:esc_c1 (please keep [hub:esc_c1] in the subject when you reply)');
  });
});

describe('stripping the quoted history', () => {
  it.each([
    ['Gmail', 'Thanks, looking.\n\nOn Mon, 7 Dec 2026 at 09:00, Hub <hub@vendor.example> wrote:\n> old text\n> more'],
    ['Gmail, wrapped', 'Thanks, looking.\n\nOn Mon, 7 Dec 2026 at 09:00, Vendor Escalations\n<hub@vendor.example> wrote:\n> old text'],
    ['Outlook separator', 'Thanks, looking.\r\n\r\n-----Original Message-----\r\nFrom: Hub\r\nSent: Monday\r\n\r\nold text'],
    ['Outlook header block', 'Thanks, looking.\n\n________________________________\nFrom: Hub <hub@vendor.example>\nSent: Monday, December 7, 2026 9:00 AM\nTo: Support\nSubject: x\n\nold text'],
    ['Outlook, bold headers', 'Thanks, looking.\n\n*From:* Hub <hub@vendor.example>\n*Sent:* Monday\n\nold text'],
    ['Outlook, German', 'Thanks, looking.\n\nVon: Hub <hub@vendor.example>\nGesendet: Montag\n\nold text'],
    ['quoted lines only', '> old text\nThanks, looking.\n> more old text'],
  ])('%s', (_name, text) => {
    expect(stripQuotedHistory(text)).toBe('Thanks, looking.');
  });

  it('keeps a text that only mentions such words', () => {
    const text = 'From: the logs we see a drop at 55 min.\nOn Monday the customer wrote: it happened again.';
    expect(stripQuotedHistory(text)).toBe(text);
  });
});

describe('parsePartnerMail', () => {
  it('decodes ISO-8859-1, windows-1252 and Shift_JIS, ids without brackets, the sender lower-cased, the history stripped', async () => {
    const ack = await parsePartnerMail(fixture('microsoft-ack-iso-8859-1.eml'));
    expect(ack).toEqual({
      messageId: 'DM6PR11MB0001.ack.2512070040001234@microsoft.example',
      inReplyTo: 'hub=3Aesc_ms1.open@vendor.example', references: ['hub=3Aesc_ms1.open@vendor.example'],
      from: 'support@microsoft.com',
      subject: 'RE: [hub:esc_ms1] [high] Teams Rooms drop calls after 55 minutes - TrackingID#2512070040001234',
      text: 'Hello,\n\nThank you for contacting Microsoft Support. We have opened case 2512070040001234 for you.\nOur engineer José will contact you shortly. Grüße aus München.',
      attachments: [], date: '2026-12-07T09:12:00.000Z',
    });
    const status = await parsePartnerMail(fixture('microsoft-status-windows-1252.eml'));
    expect(status.text).toBe('Hi,\n\nAn engineer has been assigned and is working on it. “We’ll need the call logs” – no cost to you (0 €).\n\nCase reference: TrackingID#2512070040001234');
    expect(status.references).toEqual(['hub=3Aesc_ms1.open@vendor.example', 'DM6PR11MB0001.ack.2512070040001234@microsoft.example']);
    const jp = await parsePartnerMail(fixture('partner-reply-shift-jis.eml'));
    expect(jp).toMatchObject({ subject: '[hub:esc_ms2] 調査中', text: 'お問い合わせありがとうございます。\n担当者が調査中です。', from: 'support@microsoft.com', inReplyTo: undefined, references: [] });
  });

  it('lists the attachments of a 5 MB mail without inlining them, and caps a long text with a note', async () => {
    const chunk = (n: number) => Buffer.alloc(1024 * 1024, n);
    const raw = await new MailComposer({
      from: 'Support@Microsoft.com', to: 'hub@vendor.example', subject: 'logs', messageId: '<big@microsoft.example>',
      text: `See the logs.\n${'x'.repeat(MAIL_TEXT_LIMIT + 10)}`,
      attachments: [1, 2, 3, 4, 5].map((n) => ({ filename: `trace-${n}.bin`, content: chunk(n), contentType: 'application/octet-stream' })),
    }).compile().build();
    expect(raw.length).toBeGreaterThan(5 * 1024 * 1024);
    const mail = await parsePartnerMail(raw);
    expect(mail.attachments).toEqual([1, 2, 3, 4, 5].map((n) => ({ filename: `trace-${n}.bin`, contentType: 'application/octet-stream', size: 1024 * 1024 })));
    expect(mail.text.length).toBeLessThan(MAIL_TEXT_LIMIT + 200);
    expect(mail.text).toMatch(/^See the logs\.\nx+\n\[… cut at 20000 characters of 20024; the whole text is in the stored mail\]$/);
    expect(JSON.stringify(mail).length).toBeLessThan(MAIL_TEXT_LIMIT + 1000);
  });

  it('gives a mail without a Message-ID the same id every time (a duplicate stays one)', async () => {
    const raw = Buffer.from('From: support@microsoft.com\r\nSubject: [hub:esc_1] hi\r\n\r\nhello\r\n');
    const [a, b] = [await parsePartnerMail(raw), await parsePartnerMail(raw)];
    expect(a.messageId).toMatch(/^sha256-[0-9a-f]{64}@no-message-id\.invalid$/);
    expect(b.messageId).toBe(a.messageId);
  });
});

describe('reading a partner mail (readMail)', () => {
  const clock = new FakeClock(Date.parse('2026-12-07T10:00:00Z'));
  const read = (mail: Partial<PartnerMail>, context: { ticketNumber?: string; storedAt?: string } = {}) => {
    const inbound = emailInbound(config().partners[0]!, clock);
    return inbound.readMail!({ messageId: 'm@x', references: [], from: 'support@microsoft.com', subject: '', text: '', attachments: [], ...mail }, { ticketId: 'hub:esc_1', ...context });
  };

  it('allows a listed domain and a listed address, not a subdomain, another domain or no sender', () => {
    const allowed = ['microsoft.com', 'escalations@partner-desk.example'];
    expect(['support@microsoft.com', 'escalations@partner-desk.example'].map((a) => senderAllowed(allowed, a))).toEqual([true, true]);
    expect(['support@mail.microsoft.com', 'other@partner-desk.example', 'support@microsoft.com.evil.example', 'microsoft.com', ''].map((a) => senderAllowed(allowed, a)))
      .toEqual([false, false, false, false, false]);
    expect(read({ from: 'support@mail.microsoft.com' })).toEqual({ kind: 'rejected', reason: 'the sender support@mail.microsoft.com is not among the partner\'s allowedSenders' });
  });

  it('takes the tracking number from the subject, else from the text; a new one is the partner\'s acknowledgement', () => {
    expect(read({ subject: 'RE: [hub:esc_1] x - TrackingID#2512070040001234', text: 'TrackingID#999' })).toMatchObject({
      kind: 'update', update: { ticketId: 'hub:esc_1', ticketNumber: '2512070040001234', status: 'open', partnerStatus: 'acknowledged by mail' },
    });
    expect(read({ subject: 'RE: x', text: 'Case reference: trackingid#777' })).toMatchObject({ update: { ticketNumber: '777', status: 'open' } });
    // the number the hub already has: no news, a comment only
    expect(read({ subject: 'TrackingID#777', text: 'We are still looking.' }, { ticketNumber: '777' })).toMatchObject({ update: { ticketNumber: '777', status: null, partnerStatus: 'mail' } });
    expect(read({ subject: 'RE: x', text: 'Hello' })).toMatchObject({ update: { status: null, partnerStatus: 'mail' } });
    expect((read({ text: 'Hello' }) as { update: object }).update).not.toHaveProperty('ticketNumber');
  });

  it('moves the status by the first status pattern that matches the subject or the text', () => {
    expect(read({ text: 'An engineer has been assigned. Once the case is resolved we will tell you.' })).toMatchObject({ update: { status: 'in_progress', partnerStatus: 'engineer has been assigned' } });
    expect(read({ subject: 'Case resolved', text: 'Thanks' })).toMatchObject({ update: { status: 'resolved', partnerStatus: 'Case resolved' } });
  });

  it('makes the comment of the text, the attachments and the stored mail, fitted to what the core keeps', () => {
    const r = read({ text: 'Logs attached.', attachments: [{ filename: 'trace.etl', contentType: 'application/octet-stream', size: 3 * 1024 * 1024 }] }, { storedAt: 's3://hub-mail/in/abc' });
    expect(r).toMatchObject({ update: { comment: 'Logs attached.\n\nAttachments (in the stored mail): trace.etl (application/octet-stream, 3.0 MB)\nStored mail: s3://hub-mail/in/abc' } });
    const long = read({ text: 'y'.repeat(15_000) }, { storedAt: 's3://hub-mail/in/abc' }) as { update: { comment: string } };
    expect(long.update.comment.length).toBeLessThanOrEqual(10_000);
    expect(long.update.comment).toMatch(/\n\[… cut; the whole text is in the stored mail\]\n\nStored mail: s3:\/\/hub-mail\/in\/abc$/);
    expect((read({}) as { update: object }).update).not.toHaveProperty('comment');
  });

  it('takes the Date header as the update\'s time, unless it is ahead of the hub\'s clock', () => {
    expect(read({ date: '2026-12-07T09:12:00.000Z' })).toMatchObject({ update: { updatedAt: '2026-12-07T09:12:00.000Z' } });
    expect(read({ date: '2027-01-01T00:00:00.000Z' })).toMatchObject({ update: { updatedAt: '2026-12-07T10:00:00.000Z' } });
    expect(read({})).toMatchObject({ update: { updatedAt: '2026-12-07T10:00:00.000Z' } });
  });

  it('refuses webhooks: the partner writes mail', () => {
    const inbound = emailInbound(config().partners[0]!, clock);
    expect(inbound.verifyWebhook({ headers: {}, body: '{}', query: {} }, clock.now())).toEqual({ kind: 'rejected', reason: 'partners reached by e-mail send mail, not webhooks' });
  });
});
