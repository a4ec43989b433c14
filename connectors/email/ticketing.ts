/**
 * `email`, the sending half: the incident and the engineers' comments as mails to the partner's support
 * address (compose.ts), sent through the `MailTransport` the registry is given (SES in AWS, SMTP locally).
 * - Open: the ticket is the `externalRef` itself (its id and, until the partner's tracking number arrives
 *   in a reply, its number), so a reply finds its escalation by `findByTicket(partnerId, ref)`. Sending is
 *   the hub's act, not a word of the partner: the incident carries no partner status, so the escalation
 *   opens with no partner time to compare with, and the partner's first mail (dated by the partner's own
 *   clock, in whole seconds, often within the second of the opening) is never taken for an older update.
 * - There is no partner API to ask: `findByExternalRef` answers nothing, so an opening whose outcome was
 *   unknown (the send failed after the relay took the mail) is sent again, with the SAME Message-ID:
 *   partners' desks thread it as the same message. `getIncident` refuses; status comes only from replies.
 * - A transport failure is as the transport judged it (a relay's temporary refusal is retried, a final one
 *   is final; one without an answer is transient); no transport at all is a deployment error.
 */
import { ConfigError, PartnerCallError } from '../../core/errors';
import { systemClock, type Clock, type OutgoingMail, type PartnerIncident } from '../../core/ports';
import { defineHttpHalf, type TicketingHalfOptions } from '../halves';
import { composeComment, composeOpening } from './compose';
import { email } from './descriptor';

export interface EmailConnectorOptions extends TicketingHalfOptions { clock?: Clock }

/** `partnerStatus` of an incident the hub has mailed and the partner has not answered yet. */
export const MAIL_SENT = 'mail sent';

export const emailConnector = defineHttpHalf(email, (s, profile, opts: EmailConnectorOptions = {}) => {
  const clock = opts.clock ?? systemClock;
  const transport = opts.mail;

  async function send(what: string, mail: OutgoingMail): Promise<void> {
    if (!transport) {
      throw new ConfigError(`partner ${profile.id}: the email connector has no mail transport in this function (buildTicketingRegistry(config, { mail }) / buildRegistry(config, { mail })); ${what} cannot be sent`);
    }
    try {
      await transport.send(mail);
    } catch (err) {
      const why = `${what}: the mail was not sent (${err instanceof Error ? err.message : String(err)})`;
      // the transport knows whether its relay may take the mail later (SMTP 4xx, SES 429/5xx) or never
      // (SMTP 5xx, SES 4xx); a failure it did not judge (no answer) is transient
      if (err instanceof PartnerCallError) throw new PartnerCallError(why, err.transient, err.httpStatus, err.retryAfterMs);
      throw new PartnerCallError(why, true);
    }
  }

  return {
    openIncident: async (input): Promise<PartnerIncident> => {
      const now = clock.now();
      await send('open incident', composeOpening(s, input, now));
      return { id: input.externalRef, number: input.externalRef, status: null, partnerStatus: MAIL_SENT, updatedAt: now.toISOString() };
    },
    findByExternalRef: async () => undefined,
    setUpProbes: () => [{ check: 'send', notChecked: 'not probed: a test message would land in the partner\'s support desk (send one escalation to check)' }],
    getIncident: async () => {
      throw new PartnerCallError('get incident: a partner reached by e-mail has no API to read an incident from; its replies come in as mail', false);
    },
    // without a key (no caller omits it today) the body stands for the comment: the same text, the same Message-ID
    addComment: (ref, body, o) => send('add comment', composeComment(s, ref, body, o?.idempotencyKey ?? body, clock.now())),
  };
});
