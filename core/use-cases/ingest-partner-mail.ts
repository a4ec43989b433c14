import { createHash } from 'node:crypto';
import { mailDomain, refOfMessageId, refsInSubject } from '../mail';
import type { Needs } from '../deps';
import { ValidationError } from '../errors';
import { withLogKeys } from '../log';
import type { DeliveryStore, EscalationRecords, MailReceipt, MailVerdicts, PartnerMail, TicketingConnector, TimelineStore } from '../ports';
import { takeDelivery, type InboundMessage } from './ingest-webhook';

export type MailOutcome =
  | { kind: 'accepted' | 'duplicate'; partnerId: string; escalationId: string; deliveryId: string }
  | { kind: 'dropped'; reason: string };

export type MailDeps = Needs<'config' | 'connectors' | 'clock' | 'queue' | 'log', EscalationRecords & TimelineStore & DeliveryStore>;

/** The verdicts that must pass: SES's `GRAY`, `PROCESSING_FAILED` and `DISABLED` are no pass (nothing vouches for the mail). */
const VERDICTS: readonly (keyof MailVerdicts)[] = ['spf', 'dkim', 'spam', 'virus'];

/** Why the receipt's verdicts refuse the mail; `undefined` when all pass, or there are none (the local listener gives none). */
export function failedVerdicts(verdicts: MailVerdicts | undefined): string | undefined {
  if (!verdicts) return undefined;
  const failed = VERDICTS.filter((v) => verdicts[v] !== 'PASS');
  return failed.length ? `the receipt's verdicts do not pass: ${failed.map((v) => `${v} ${verdicts[v]}`).join(', ')}` : undefined;
}

interface Matched { partnerId: string; escalationId: string; ref: string; connector: TicketingConnector }
type Match = { found: Matched } | { found?: undefined; named: Matched[]; reason: string };

/** How many of the references a mail names are looked up (to record a forged thread on each): a mail cannot make the hub read more. */
const MAX_REFS_LOOKED_UP = 5;

/**
 * The escalation a mail is about: its `[externalRef]` in the subject, or the hub's Message-IDs in
 * `In-Reply-To` / `References`, looked up among the partners whose connector reads mail. Refs that
 * disagree (subject and thread, or the thread with itself) are a forged thread: the escalations they name
 * are answered, to record the drop on each.
 */
async function matchEscalation(deps: MailDeps, mail: PartnerMail): Promise<Match> {
  const inSubject = [...new Set(refsInSubject(mail.subject))];
  const inThread = [...new Set([mail.inReplyTo, ...mail.references].map((id) => id && refOfMessageId(id)).filter((r): r is string => !!r))];
  const refs = [...new Set([...inSubject, ...inThread])];
  const readers = deps.config.partners.flatMap((p) => {
    const connector = deps.connectors.ticketing(p.id);
    return connector?.readMail ? [{ partnerId: p.id, connector }] : [];
  });
  const found = (await Promise.all(refs.slice(0, MAX_REFS_LOOKED_UP).flatMap((ref) => readers.map(async (r) => {
    const escalationId = await deps.store.findByTicket(r.partnerId, ref);
    return escalationId === undefined ? [] : [{ ...r, ref, escalationId }];
  })))).flat();
  if (refs.length === 0) return { named: [], reason: 'the mail names no escalation (no [hub:…] in the subject, no hub Message-ID in its thread headers)' };
  if (refs.length > 1) {
    const what = inSubject.length > 1 ? 'its subject names several escalations' : inThread.length > 1 ? 'its thread headers name several escalations' : 'its subject and its thread headers name different escalations';
    return { named: found, reason: `forged thread: ${what} (${refs.slice(0, MAX_REFS_LOOKED_UP).join(', ')}${refs.length > MAX_REFS_LOOKED_UP ? ', …' : ''})` };
  }
  const [only] = found;
  return only ? { found: only } : { named: [], reason: `no escalation of a partner reached by e-mail has the reference ${refs[0]!}` };
}

/**
 * Takes a partner's mail in (the mail-inbound function in AWS, the local SMTP listener).
 * Steps: match the mail to an escalation (matchEscalation); refuse it unless the receipt's verdicts all
 * pass, the sender is allowed for that escalation's partner (a sender allowed only for another partner is
 * a forged thread), and its connector reads it; then the same path as a webhook: the Message-ID is the
 * delivery id (the same mail twice is a duplicate), and status sync applies it in order (takeDelivery).
 * A dropped mail is never applied but always recorded: on the timeline of each escalation it names
 * (`partner_mail_dropped`: sender, subject, reason, where the raw mail is; never the body), and in a warning.
 */
export async function ingestPartnerMail(deps: MailDeps, mail: PartnerMail, receipt: MailReceipt): Promise<MailOutcome> {
  const match = await matchEscalation(deps, mail);
  if (!match.found) return dropped(deps, mail, receipt, match.named, match.reason);
  const m = match.found;
  return withLogKeys({ escalationId: m.escalationId, partnerId: m.partnerId }, async () => {
    const refused = failedVerdicts(receipt.verdicts) ?? forgedSender(deps, mail, m);
    if (refused) return dropped(deps, mail, receipt, [m], refused);
    const esc = await deps.store.getEscalation(m.escalationId);
    let reading;
    try {
      reading = m.connector.readMail!(mail, { ticketId: m.ref, ticketNumber: esc?.partnerTicket?.number, storedAt: receipt.storedAt });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      reading = { kind: 'rejected' as const, reason: err.message };
    }
    if (reading.kind === 'rejected') return dropped(deps, mail, receipt, [m], reading.reason);
    const message: InboundMessage = { partnerId: m.partnerId, deliveryId: mailDeliveryId(mail.messageId), updates: [reading.update] };
    const kind = await takeDelivery(deps, message, deps.clock.now());
    deps.log.info('partner mail taken in', { outcome: kind, deliveryId: message.deliveryId, storedAt: receipt.storedAt });
    return { kind, partnerId: m.partnerId, escalationId: m.escalationId, deliveryId: message.deliveryId };
  });
}

/** The delivery id of a mail: its Message-ID, or a digest of one too long to be a store key (RFC 5322 bounds only the line). */
export const mailDeliveryId = (messageId: string): string =>
  (messageId.length <= 250 ? `mail:${messageId}` : `mail:sha256-${createHash('sha256').update(messageId).digest('hex')}`);

/** A sender allowed for another partner but not for the one whose escalation the mail names: its thread is forged. */
function forgedSender(deps: MailDeps, mail: PartnerMail, m: Matched): string | undefined {
  if (m.connector.allowsSender?.(mail.from) !== false) return undefined;
  const other = deps.config.partners.find((p) => p.id !== m.partnerId && deps.connectors.ticketing(p.id)?.allowsSender?.(mail.from));
  return other ? `forged thread: the sender is allowed for partner ${other.id}, but the mail names an escalation of partner ${m.partnerId}` : undefined;
}

async function dropped(deps: MailDeps, mail: PartnerMail, receipt: MailReceipt, on: Matched[], reason: string): Promise<MailOutcome> {
  const at = deps.clock.now().toISOString();
  for (const m of on) {
    await deps.store.appendTimeline(m.escalationId, {
      at, type: 'partner_mail_dropped', actor: 'hub',
      detail: { from: mail.from.slice(0, 320), subject: mail.subject.slice(0, 500), reason, messageId: mail.messageId.slice(0, 1000), ...(receipt.storedAt ? { storedAt: receipt.storedAt } : {}) },
    }, `mail-dropped:${mailDeliveryId(mail.messageId)}`);
  }
  // the sender's domain only: an address is contact data, which logs never carry
  deps.log.warn('partner mail dropped', {
    reason, messageId: mail.messageId, senderDomain: mailDomain(mail.from), storedAt: receipt.storedAt, escalationIds: on.map((m) => m.escalationId),
  });
  return { kind: 'dropped', reason };
}
