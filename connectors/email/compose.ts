/**
 * `email`, outgoing: the hub's mails as fields (core/ports.ts `OutgoingMail`); the transport builds the
 * MIME (nodemailer locally, SES in AWS), so no Lambda bundle carries a MIME composer. Threading (core/mail.ts): the opening mail's Message-ID is
 * derived from the `externalRef`, a comment's from its idempotency key, and a comment replies to the
 * opening (`In-Reply-To`, `References`), so the partner's desk files it in the same ticket and the hub
 * recognises the replies; every mail names the thread's root id first in `References`, which survives a
 * relay that replaces Message-IDs (core/mail.ts).
 */
import { commentMessageId, mailDomain, openingMessageId, threadRootId } from '../../core/mail';
import type { OpenIncidentInput, OutgoingMail } from '../../core/ports';
import { fillPlaceholders } from '../placeholders';
import type { EmailSettings } from './descriptor';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Paragraphs of text as HTML: each kept with its line breaks, nothing interpreted. */
const html = (paragraphs: string[]): string =>
  `<!doctype html><html><body>${paragraphs.map((p) => `<p style="white-space:pre-wrap">${escapeHtml(p)}</p>`).join('')}</body></html>`;

/** A header value on one line: whatever an escalation's text holds, it cannot start another header. */
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').trim();

/** `thread`: the thread's root id (first in `References`), and the message this one replies to, if any. */
function build(s: EmailSettings, mail: { messageId: string; subject: string; paragraphs: string[]; date: Date; thread: { root: string; inReplyTo?: string } }): OutgoingMail {
  const { root, inReplyTo } = mail.thread;
  return {
    from: s.from, to: [s.to], replyTo: s.replyTo, relay: s.smtp,
    subject: oneLine(mail.subject), messageId: mail.messageId, date: mail.date,
    references: [root, ...(inReplyTo ? [inReplyTo] : [])], inReplyTo,
    text: mail.paragraphs.join('\n\n'), html: html(mail.paragraphs),
  };
}

/** What the partner reads first: the summary, severity, the hub's reference, the customer's mandate when given, the findings. */
function openingParagraphs(input: OpenIncidentInput): string[] {
  const request = input.customerRequest;
  const facts = [
    `Severity: ${input.severity}`,
    `Our reference: ${input.externalRef} (please keep [${input.externalRef}] in the subject when you reply)`,
    ...(input.partnerEntitlement ? [`Customer's support entitlement: ${input.partnerEntitlement}`] : []),
    ...(request ? [`Requested by ${request.by} (${request.channel}) at ${request.at}`] : []),
  ];
  return [input.title, facts.join('\n'), ...(input.description ? [`Findings:\n${input.description}`] : [])];
}

/** The mail that opens the incident: its subject from `subjectTemplate` (which carries `[{{externalRef}}]`). */
export function composeOpening(s: EmailSettings, input: OpenIncidentInput, date: Date): OutgoingMail {
  const domain = mailDomain(s.from);
  return build(s, {
    messageId: openingMessageId(input.externalRef, domain), thread: { root: threadRootId(input.externalRef, domain) },
    subject: fillPlaceholders(s.subjectTemplate, input),
    paragraphs: openingParagraphs(input), date,
  });
}

/** A comment: a reply to the opening mail of `externalRef`, with the same Message-ID for every retry of the same comment. */
export function composeComment(s: EmailSettings, externalRef: string, body: string, idempotencyKey: string, date: Date): OutgoingMail {
  const domain = mailDomain(s.from);
  return build(s, {
    messageId: commentMessageId(externalRef, idempotencyKey, domain),
    thread: { root: threadRootId(externalRef, domain), inReplyTo: openingMessageId(externalRef, domain) },
    subject: `Re: [${externalRef}] Update`,
    paragraphs: [body], date,
  });
}
