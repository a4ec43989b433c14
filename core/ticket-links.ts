/**
 * Partner ticket → escalation links (`PTKT#<partnerId>#<ticketId>`), which route webhooks and meeting events
 * to an escalation. A link is written once and never moved: a partner that reuses its ticket ids (a restarted
 * sandbox, a migrated instance) or a number typed in twice must not send one customer's updates to another.
 */
import type { Needs } from './deps';
import type { EscalationRecords, TimelineStore } from './ports';
import type { Escalation } from './escalation';
import { TicketLinkConflictError } from './errors';

/**
 * Links `ticketId` to the escalation (idempotent for the same escalation). When another escalation holds it,
 * the link is left as it is, the conflict is recorded (timeline entry `partner_ticket_conflict`, a warning,
 * the `PartnerTicketConflicts` metric) and `false` is answered: the caller refuses what it was recording.
 */
export async function linkPartnerTicket(
  deps: Needs<'clock' | 'log' | 'metrics', EscalationRecords & TimelineStore>, esc: Pick<Escalation, 'escalationId' | 'partnerId' | 'caseId'>, ticketId: string, ticketNumber: string, actor: string,
): Promise<boolean> {
  try {
    await deps.store.putTicketLink(esc.partnerId, ticketId, esc.escalationId);
    return true;
  } catch (err) {
    if (!(err instanceof TicketLinkConflictError)) throw err;
    const now = deps.clock.now();
    deps.log.warn('partner ticket already linked to another escalation: link refused', {
      escalationId: esc.escalationId, caseId: esc.caseId, partnerId: esc.partnerId, ticketId, linkedTo: err.linkedTo,
    });
    deps.metrics?.count('PartnerTicketConflicts', esc.partnerId);
    await deps.store.appendTimeline(esc.escalationId, {
      at: now.toISOString(), type: 'partner_ticket_conflict', actor,
      detail: { ticketId, ticketNumber, linkedTo: err.linkedTo, action: 'refused' },
    }, `ticket-conflict#${ticketId}#${now.toISOString()}`);
    return false;
  }
}
