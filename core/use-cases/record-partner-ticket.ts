import { nextUpdateDeadline } from '../aging';
import type { Needs } from '../deps';
import type { Escalation } from '../escalation';
import { ConflictError } from '../errors';
import { hubEvent } from '../events';
import type { EscalationRecords, TimelineStore } from '../ports';
import { linkPartnerTicket } from '../ticket-links';
import { escalationOr404, mutateEscalation } from './mutate-escalation';

/**
 * Records a partner ticket an engineer opened by hand in the partner's portal.
 * Allowed for `manual` partners, and for any escalation that was `referred` (the engineer opened the
 * incident after all). Refused (409) when a ticket is already recorded, while the hub itself is opening
 * one (that would make two), or when another escalation of the partner holds that ticket number. Steps: link the ticket for webhook look-ups; record it (status `open`);
 * note it in the timeline; announce it.
 */
export async function recordPartnerTicket(
  deps: Needs<'config' | 'clock' | 'bus' | 'log' | 'metrics', EscalationRecords & TimelineStore>, escalationId: string, ticket: { number: string; url?: string | undefined }, actor: string,
): Promise<Escalation> {
  const now = deps.clock.now();
  const current = await escalationOr404(deps, escalationId);
  const check = (e: Escalation) => {
    if (e.partnerTicket) throw new ConflictError(`The escalation already has partner ticket ${e.partnerTicket.number}.`);
    const manual = e.ticketMode === 'manual';
    if (!(manual ? ['requested', 'referred'] : ['referred']).includes(e.status)) {
      throw new ConflictError(manual
        ? `The escalation is ${e.status}; a ticket can no longer be recorded.`
        : `The hub opens this partner's incidents itself (the escalation is ${e.status}); record a ticket by hand only after a referral.`);
    }
  };
  check(current);
  const partnerTicket = { id: ticket.number, number: ticket.number, ...(ticket.url ? { url: ticket.url } : {}) };
  if (!(await linkPartnerTicket(deps, current, partnerTicket.id, partnerTicket.number, actor))) {
    throw new ConflictError(`Partner ticket ${ticket.number} is already recorded for another escalation of ${current.partnerName}.`);
  }
  const r = await mutateEscalation(deps.store, escalationId, (e) => {
    check(e);
    return {
      ...e, status: 'open', partnerTicket, referral: null, openedAt: now.toISOString(), nextAttemptAt: null, leaseUntil: null,
      updateDueBy: nextUpdateDeadline(deps.config, e, now),
    };
  }, now);
  const e = r!.after;
  await deps.store.appendTimeline(escalationId, {
    at: now.toISOString(), type: 'partner_ticket_recorded', actor, detail: { ticketNumber: ticket.number, ...(ticket.url ? { url: ticket.url } : {}) },
  });
  await deps.bus.publish([hubEvent('PartnerTicketRecorded', { version: 1, escalationId, partnerId: e.partnerId, caseId: e.caseId, ticketNumber: ticket.number })]);
  return e;
}
