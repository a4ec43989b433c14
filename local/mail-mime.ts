/**
 * A partner mail (core/ports.ts `OutgoingMail`) as nodemailer's message, and as MIME: what the local SMTP
 * transport sends and what tests read back. nodemailer encodes the headers, folds the lines and builds the
 * text and HTML alternatives; in AWS, SES does the same from the same fields (functions/adapters/ses-mail.ts).
 */
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMail } from '../core/ports';

const bracketed = (id: string): string => `<${id}>`;

export function nodemailerMessage(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from, to: mail.to, ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject, messageId: bracketed(mail.messageId), date: mail.date,
    references: mail.references.map(bracketed), ...(mail.inReplyTo ? { inReplyTo: bracketed(mail.inReplyTo) } : {}),
    text: mail.text, html: mail.html,
  };
}

/** The mail's MIME bytes, as the partner's mail server receives them from the local relay. */
export async function mimeOf(mail: OutgoingMail): Promise<Buffer> {
  return new MailComposer(nodemailerMessage(mail)).compile().build();
}
