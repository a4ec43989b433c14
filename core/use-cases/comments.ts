import type { HubDeps } from '../deps';
import { NotFoundError, PartnerCallError } from '../errors';
import { hubEvent } from '../events';
import type { Escalation } from '../escalation';
import { mutateEscalation } from './mutate-escalation';

/**
 * Records an engineer's comment and asks for it to be forwarded.
 * Steps: the comment goes into the timeline marked pending (the durable record); `CommentAdded` asks the
 * forwarder to send it. Without a partner ticket yet it stays pending until the incident opens, and the
 * escalation notes that comments wait (so that the opening, and only then, looks for them).
 */
export async function addComment(deps: Pick<HubDeps, 'store' | 'bus' | 'clock' | 'newId'>, escalation: Escalation, body: string, actor: string): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await deps.store.appendTimeline(escalation.escalationId, { at, type: 'comment', actor, detail: { body } }, `comment#${deps.newId()}`, true);
  if (!escalation.partnerTicket) {
    // a ticket recorded meanwhile needs no note: the forwarder below finds it and sends the comment
    await mutateEscalation(deps.store, escalation.escalationId, (e) => (e.partnerTicket || e.commentsPending ? undefined : { ...e, commentsPending: true }), now, { known: escalation });
  }
  await deps.bus.publish([hubEvent('CommentAdded', { version: 1, escalationId: escalation.escalationId, partnerId: escalation.partnerId, caseId: escalation.caseId })]);
}

/**
 * Forwards every pending comment of an escalation to its partner ticket (the comment forwarder's use case).
 * Steps: read the escalation (no ticket yet: nothing to do, the comments wait); send each pending comment;
 * mark it forwarded. A transient partner failure is thrown so that the queue retries; a refusal is recorded.
 */
export async function forwardComments(deps: HubDeps, escalationId: string): Promise<number> {
  const esc = await deps.store.getEscalation(escalationId);
  if (!esc) throw new NotFoundError(`escalation ${escalationId} not found`);
  if (!esc.partnerTicket) return 0;
  const connector = deps.connectors.ticketing(esc.partnerId);
  // a manual partner has no API: comments stay in the timeline for the engineer to copy
  if (!connector || connector.mode === 'manual') return 0;
  let sent = 0;
  for (const c of await deps.store.listPendingComments(escalationId)) {
    const at = deps.clock.now().toISOString();
    try {
      await connector.addComment(esc.partnerTicket.id, c.body);
      sent++;
    } catch (err) {
      if (!(err instanceof PartnerCallError) || err.transient) throw err;
      await deps.store.appendTimeline(escalationId, { at, type: 'comment_refused', actor: `partner:${esc.partnerId}`, detail: { error: err.message } }, `refused#${c.key}`);
    }
    await deps.store.markCommentForwarded(escalationId, c.key, at);
  }
  return sent;
}
