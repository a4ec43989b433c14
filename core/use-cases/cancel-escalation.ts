import type { Needs } from '../deps';
import { canCancel, type Escalation } from '../escalation';
import { ConflictError, NotFoundError } from '../errors';
import { hubEvent } from '../events';
import type { CommentStore, EscalationRecords, TimelineStore } from '../ports';
import { addComment } from './comments';
import { mutateEscalation } from './mutate-escalation';

/**
 * Cancels an escalation. Steps: move it to `cancelled` (refused from a final state); record why;
 * if a partner ticket is open, tell the partner through a forwarded comment.
 */
export async function cancelEscalation(
  deps: Needs<'clock' | 'bus' | 'newId' | 'connectors', EscalationRecords & TimelineStore & CommentStore>, escalationId: string, reason: string, actor: string): Promise<Escalation> {
  const now = deps.clock.now();
  let refusedFrom: string | undefined;
  const r = await mutateEscalation(deps.store, escalationId, (e) => {
    if (!canCancel(e.status)) { refusedFrom = e.status; return undefined; }
    return { ...e, status: 'cancelled', leaseUntil: null, nextAttemptAt: null };
  }, now);
  if (!r) throw new NotFoundError(`No escalation ${escalationId}.`);
  if (refusedFrom !== undefined) throw new ConflictError(`The escalation is already ${refusedFrom}.`);
  const e = r.after;
  await deps.store.appendTimeline(escalationId, { at: now.toISOString(), type: 'escalation_cancelled', actor, detail: { reason } });
  await deps.bus.publish([hubEvent('EscalationCancelled', { version: 1, escalationId, partnerId: e.partnerId, caseId: e.caseId })]);
  if (e.partnerTicket) await addComment(deps, e, `The vendor has cancelled this escalation: ${reason}`, actor, { afterEnd: true });
  return e;
}
