import type { Escalation } from './escalation';
import type { TimelineEntry } from './ports';

/**
 * Timeline entries that are facts of the escalation item itself, so they cost no write of their own:
 * the request (who flagged it, when) and the hub opening the partner incident (ticket, attempts, the
 * partner's status then). Each has the dedupe key under which older versions stored it as an entry, so
 * that a store reading such an older item shows it once.
 */
export function derivedTimeline(e: Escalation): { dedupeKey: string; entry: TimelineEntry }[] {
  const out: { dedupeKey: string; entry: TimelineEntry }[] = [{
    dedupeKey: 'requested',
    entry: { at: e.createdAt, type: 'escalation_requested', actor: e.createdBy, detail: { partnerId: e.partnerId, severity: e.severity } },
  }];
  if (e.opening && e.partnerTicket && e.openedAt) {
    out.push({
      dedupeKey: `opened#${e.partnerTicket.id}`,
      entry: {
        at: e.openedAt, type: 'partner_incident_opened', actor: `partner:${e.partnerId}`,
        detail: { ticketId: e.partnerTicket.id, ticketNumber: e.partnerTicket.number, partnerStatus: e.opening.partnerStatus, attempts: e.opening.attempts },
      },
    });
  }
  return out;
}
