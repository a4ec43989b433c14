import { nextUpdateDeadline } from '../aging';
import type { Needs } from '../deps';
import { rankOf, type Escalation, type EscalationStatus, type ManualPartnerStatus } from '../escalation';
import { ConflictError } from '../errors';
import { hubEvent } from '../events';
import type { EscalationRecords, TimelineStore } from '../ports';
import { escalationOr404, mutateEscalation } from './mutate-escalation';

/**
 * Records what a partner without an API (connector `manual`) shows in its portal (`POST …/partner-status`):
 * the engineer is the partner's only messenger, so without this its status could never change.
 * Steps: refuse (409) for a partner whose connector syncs status itself, before a partner ticket exists,
 * and on a `cancelled` or `referred` escalation; set the status (a `closed` one may be reopened, as a
 * partner's newer update may), as a partner update at the engineer's time, which also restarts the
 * "partner silent" aging deadline; record it with the engineer's note; announce `PartnerStatusChanged`.
 */
export async function recordManualPartnerStatus(
  deps: Needs<'config' | 'clock' | 'bus' | 'connectors' | 'log', EscalationRecords & TimelineStore>, escalationId: string, input: { status: ManualPartnerStatus; note?: string | undefined }, actor: string,
): Promise<Escalation> {
  const now = deps.clock.now();
  const current = await escalationOr404(deps, escalationId);
  const check = (e: Escalation) => {
    const why = deps.connectors.ticketing(e.partnerId)?.mode !== 'manual' && e.ticketMode !== 'manual' ? `${e.partnerName} has an API: its status is synced`
      : !e.partnerTicket ? 'The escalation has no partner ticket yet'
        : e.status === 'cancelled' || e.status === 'referred' ? `The escalation is ${e.status}` : undefined;
    if (why) throw new ConflictError(`${why}.`, [{ path: 'status', message: why }]);
  };
  check(current);
  let from: EscalationStatus = current.status;
  const r = await mutateEscalation(deps.store, escalationId, (e) => {
    check(e);
    from = e.status;
    return {
      ...e, status: input.status, partnerUpdatedAt: now.toISOString(), partnerUpdateRank: rankOf(input.status),
      updateDueBy: nextUpdateDeadline(deps.config, e, now),
    };
  }, now, { known: current });
  const e = r!.after;
  await deps.store.appendTimeline(escalationId, {
    at: now.toISOString(), type: 'partner_status_recorded', actor,
    detail: { from, status: input.status, ...(input.note ? { note: input.note } : {}) },
  });
  if (from !== input.status) {
    await deps.bus.publish([hubEvent('PartnerStatusChanged', {
      version: 1, escalationId, partnerId: e.partnerId, caseId: e.caseId, from, to: input.status, partnerStatus: input.status,
    })]);
  }
  return e;
}
