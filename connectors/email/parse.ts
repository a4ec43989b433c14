/**
 * `email`, incoming: a partner's raw mail (RFC 5322 bytes, as SES stores it or the local SMTP listener
 * receives it) as the hub reads it (`PartnerMail`), parsed by mailparser: headers and bodies decoded from
 * their charsets (ISO-8859-1, windows-1252, Shift_JIS…), HTML-only mail turned into text, ids without their
 * angle brackets, the sender lower-cased, the quoted history stripped (quoted.ts), the text capped, and
 * attachments listed by name, type and size: their bytes stay in the stored mail, never in the hub's records.
 * Only the function that reads mail imports this module (it carries mailparser).
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import type { PartnerMail } from '../../core/ports';
import { stripQuotedHistory } from './quoted';

/** The most of a mail's text the hub keeps (the rest stays in the stored mail). */
export const MAIL_TEXT_LIMIT = 20_000;

/** Every `<id>` in a header value (In-Reply-To, References), without brackets; a bare id as it is. */
function ids(value: string | string[] | undefined): string[] {
  const all = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => v.match(/<[^<>\s]+>|[^<>\s]+/g) ?? []);
  return all.map((id) => id.replace(/^<|>$/g, '').trim()).filter(Boolean);
}

const firstAddress = (from: AddressObject | undefined): string => (from?.value.find((a) => a.address)?.address ?? '').trim().toLowerCase();

function capped(text: string): string {
  if (text.length <= MAIL_TEXT_LIMIT) return text;
  return `${text.slice(0, MAIL_TEXT_LIMIT)}\n[… cut at ${MAIL_TEXT_LIMIT} characters of ${text.length}; the whole text is in the stored mail]`;
}

export async function parsePartnerMail(raw: Uint8Array): Promise<PartnerMail> {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // no links or HTML made from the text: the hub keeps text only
  const m = await simpleParser(bytes, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const [messageId] = ids(m.messageId);
  const [inReplyTo] = ids(m.inReplyTo);
  return {
    // a mail without one still gets the same id every time it is read: duplicates stay duplicates
    messageId: messageId ?? `sha256-${createHash('sha256').update(bytes).digest('hex')}@no-message-id.invalid`,
    inReplyTo,
    references: ids(m.references),
    from: firstAddress(m.from),
    subject: m.subject ?? '',
    text: capped(stripQuotedHistory(m.text ?? '')),
    attachments: m.attachments.map((a) => ({ filename: a.filename ?? 'unnamed', contentType: a.contentType, size: a.size })),
    date: m.date && !Number.isNaN(m.date.getTime()) ? m.date.toISOString() : undefined,
  };
}
