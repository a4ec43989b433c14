/**
 * The email connector's MailTransport on Amazon SES (v2): SES builds the MIME from the mail's fields
 * (`Content.Simple`: subject, text and HTML alternatives, UTF-8), with the threading headers the connector
 * chose (`In-Reply-To`, `References`), so no MIME composer rides in the bundles that send partner mail.
 * SES sets its own `Message-ID` and `Date` whatever a sender gives
 * (https://docs.aws.amazon.com/ses/latest/dg/header-fields.html), so neither is sent; replies still name
 * the escalation through `References`, whose first id is the thread's root (core/mail.ts).
 * `from` must be a verified SES identity (the address, or its domain): the stack grants the sending
 * functions exactly those identities. `relay` is the local transport's setting and means nothing here.
 */
import type { HubConfig } from '../../core/config';
import { PartnerCallError } from '../../core/errors';
import type { MailTransport } from '../../core/ports';
import { buildTicketingRegistry } from '../../connectors/ticketing-registry';
import { sesSend } from './ses-email';

const bracketed = (id: string): string => `<${id}>`;
const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });

/**
 * SES's refusal as the hub's partner-call error, judged by its HTTP status as every partner answer is
 * (throttling and 5xx transient; other 4xx final, e.g. `MessageRejected` for an unverified identity);
 * an error with no answer (the network) is left as it is: the connector counts it transient.
 */
export function sesCallError(err: unknown): unknown {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status === undefined) return err;
  const e = err as Error;
  return new PartnerCallError(`SES ${e.name}: ${e.message}`, status === 429 || status >= 500, status);
}

export function sesMailTransport(): MailTransport {
  return {
    async send(mail) {
      await sesSend({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: mail.to },
        ...(mail.replyTo ? { ReplyToAddresses: [mail.replyTo] } : {}),
        Content: {
          Simple: {
            Subject: utf8(mail.subject),
            Body: { Text: utf8(mail.text), Html: utf8(mail.html) },
            Headers: [
              ...(mail.inReplyTo ? [{ Name: 'In-Reply-To', Value: bracketed(mail.inReplyTo) }] : []),
              ...(mail.references.length ? [{ Name: 'References', Value: mail.references.map(bracketed).join(' ') }] : []),
            ],
          },
        },
      }).catch((err: unknown) => { throw sesCallError(err); });
    },
  };
}

/**
 * The partner calls of the functions that send partner mail (partner worker: the opening mail; comment
 * forwarder: replies in the thread), the email connector sending through SES. One builder, so that a
 * container's later calls ask hubDeps for the same parts.
 */
export const ticketingWithSesMail = Object.assign(
  (config: HubConfig) => buildTicketingRegistry(config, { mail: sesMailTransport() }),
  { connectorSet: buildTicketingRegistry.connectorSet },
);
