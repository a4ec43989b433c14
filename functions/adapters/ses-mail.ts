/**
 * The email connector's MailTransport on Amazon SES (v2): the connector composes the whole MIME message
 * (threading headers included), so it goes as `Content.Raw`, byte for byte. `from` must be a verified SES
 * identity (an address, or its domain); the stack grants the sending functions exactly those identities.
 * `relay` is the local transport's setting and means nothing here.
 */
import type { MailTransport } from '../../core/ports';
import { sesSend } from './ses-email';

export function sesMailTransport(): MailTransport {
  return {
    async send({ from, to, raw }) {
      await sesSend({ FromEmailAddress: from, Destination: { ToAddresses: to }, Content: { Raw: { Data: raw } } });
    },
  };
}
