/**
 * `email`, inbound half: a partner reached by e-mail sends no webhooks; its replies are mail, which the
 * hub matches to an escalation (core/use-cases/ingest-partner-mail.ts) and this half reads:
 * - only from `allowedSenders`: an address exactly, or a domain (the sender's domain equal to it; a
 *   subdomain does not pass, as a partner's desk sends from its own domain and a subdomain may be anyone's
 *   tenant, e.g. a customer's mailbox on a shared provider);
 * - the partner's ticket number: `ticketNumberPattern`'s group, in the subject, else in the text;
 * - the status: the first of `statusPatterns` that matches the subject or the text; none, and a ticket
 *   number the hub did not know yet: the partner acknowledged (`open`); otherwise the mail is a comment
 *   only (`null`: recorded, no status change);
 * - the comment: the text (quoted history stripped), the attachments by name, and where the raw mail is.
 * No mailparser here: the mail arrives parsed (parse.ts), so the bundles that verify webhooks stay small.
 */
import type { PartnerStatus } from '../../core/escalation';
import type { Clock, InboundUpdate, MailContext, MailReading, PartnerMail } from '../../core/ports';
import { defineWebhookHalf } from '../halves';
import type { InboundPorts } from '../kinds';
import { email, type EmailSettings } from './descriptor';

/** The longest comment the core keeps (core/partner-input.ts `partnerText`). */
const COMMENT_LIMIT = 10_000;

const size = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`;

/** Whether `address` (lower-cased) is an allowed sender: listed itself, or its domain is. */
export function senderAllowed(allowed: readonly string[], address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const domain = address.slice(at + 1);
  return allowed.some((a) => (a.includes('@') ? a === address : a === domain));
}

/** The partner's ticket number: the pattern's group in the subject, else in the text. */
function ticketNumberIn(s: EmailSettings, mail: PartnerMail): string | undefined {
  for (const where of [mail.subject, mail.text]) {
    const n = s.ticketNumberPattern.exec(where)?.[1]?.trim();
    if (n) return n;
  }
  return undefined;
}

/** The text, the attachments line and where the raw mail is, fitted to what the core keeps. */
function commentOf(mail: PartnerMail, storedAt: string | undefined): string | undefined {
  const tail = [
    ...(mail.attachments.length ? [`Attachments (in the stored mail): ${mail.attachments.map((a) => `${a.filename} (${a.contentType}, ${size(a.size)})`).join(', ')}`] : []),
    ...(storedAt ? [`Stored mail: ${storedAt}`] : []),
  ].join('\n');
  const room = COMMENT_LIMIT - tail.length - 100;
  const text = mail.text.length <= room ? mail.text : `${mail.text.slice(0, room)}\n[… cut; the whole text is in the stored mail]`;
  return [text, tail].filter(Boolean).join('\n\n') || undefined;
}

/** When the partner wrote: the Date header, unless absent or ahead of the hub's clock (a partner's clock, or a forged header): then now. */
function writtenAt(mail: PartnerMail, now: Date): string {
  return mail.date !== undefined && Date.parse(mail.date) <= now.getTime() ? mail.date : now.toISOString();
}

export function emailMail(s: EmailSettings, clock: Clock): Required<Pick<InboundPorts['ticketing'], 'readMail' | 'allowsSender'>> {
  const allowsSender = (address: string) => senderAllowed(s.allowedSenders, address.toLowerCase());
  return {
    allowsSender,
    readMail(mail: PartnerMail, context: MailContext): MailReading {
      if (!allowsSender(mail.from)) return { kind: 'rejected', reason: `the sender ${mail.from || '(none)'} is not among the partner's allowedSenders` };
      const number = ticketNumberIn(s, mail);
      const both = `${mail.subject}\n${mail.text}`;
      const matched = s.statusPatterns.map((p) => ({ p, m: p.pattern.exec(both) })).find((x) => x.m);
      const [status, partnerStatus]: [PartnerStatus | null, string] = matched
        ? [matched.p.status, matched.m![0].slice(0, 200)]
        : number !== undefined && number !== context.ticketNumber ? ['open', 'acknowledged by mail'] : [null, 'mail'];
      const comment = commentOf(mail, context.storedAt);
      const update: InboundUpdate = {
        ticketId: context.ticketId, status, partnerStatus,
        ...(number !== undefined ? { ticketNumber: number } : {}),
        updatedAt: writtenAt(mail, clock.now()),
        ...(comment ? { comment } : {}),
      };
      return { kind: 'update', update };
    },
  };
}

export const emailInbound = defineWebhookHalf(email, (s, _profile, clock) => ({
  verifyWebhook: () => ({ kind: 'rejected', reason: 'partners reached by e-mail send mail, not webhooks' }),
  parseWebhook: () => [],
  ...emailMail(s, clock),
}));
