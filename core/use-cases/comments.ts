import type { HubDeps } from '../deps';
import { ConflictError, NotFoundError, PartnerCallError } from '../errors';
import { hubEvent } from '../events';
import { acceptsEngineerWork, type Escalation } from '../escalation';
import { clearCredentialsProblem, credentialsRefused, recordCredentialsProblem } from './hub-problems';
import { mutateEscalation } from './mutate-escalation';

/**
 * Where a comment goes: to the partner ticket (queued for the forwarder), to it once it opens, or nowhere
 * but the timeline (a partner without an API: an engineer copies it to the partner's portal).
 */
export type CommentDestination = 'partner_ticket' | 'when_ticket_opens' | 'timeline_only';

/**
 * Records an engineer's comment and asks for it to be forwarded.
 * Steps: refuse (409) on a `cancelled` or `closed` escalation (nobody is there to read it); the comment
 * goes into the timeline marked pending (the durable record); `CommentAdded` asks the forwarder to send it.
 * Without a partner ticket yet it stays pending until the incident opens, and the escalation notes that
 * comments wait (so that the opening, and only then, looks for them). For a partner without an API
 * (`manual`) it is kept in the timeline only, and the answer says so.
 * `opts.afterEnd`: the hub's own closing note (cancellation tells the partner), allowed after the end.
 */
export async function addComment(
  deps: Pick<HubDeps, 'store' | 'bus' | 'clock' | 'newId' | 'connectors'>, escalation: Escalation, body: string, actor: string, opts: { afterEnd?: boolean } = {},
): Promise<CommentDestination> {
  if (!opts.afterEnd && !acceptsEngineerWork(escalation.status)) {
    throw new ConflictError(`The escalation is ${escalation.status}: it takes no more comments.`, [{ path: 'status', message: `is ${escalation.status}` }]);
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  // a partner without an API gets nothing from the hub: the comment is not pending for a forwarder
  const manual = escalation.ticketMode === 'manual' || deps.connectors.ticketing(escalation.partnerId)?.mode === 'manual';
  await deps.store.appendTimeline(escalation.escalationId, { at, type: 'comment', actor, detail: { body } }, `comment#${deps.newId()}`, !manual);
  if (manual) {
    await deps.bus.publish([hubEvent('CommentAdded', { version: 1, escalationId: escalation.escalationId, partnerId: escalation.partnerId, caseId: escalation.caseId })]);
    return 'timeline_only';
  }
  if (!escalation.partnerTicket) {
    // a ticket recorded meanwhile needs no note: the forwarder below finds it and sends the comment
    await mutateEscalation(deps.store, escalation.escalationId, (e) => (e.partnerTicket || e.commentsPending ? undefined : { ...e, commentsPending: true }), now, { known: escalation });
  }
  await deps.bus.publish([hubEvent('CommentAdded', { version: 1, escalationId: escalation.escalationId, partnerId: escalation.partnerId, caseId: escalation.caseId })]);
  return escalation.partnerTicket ? 'partner_ticket' : 'when_ticket_opens';
}

/**
 * Forwards every pending comment of an escalation to its partner ticket (the comment forwarder's use case).
 * Steps: read the escalation (no ticket yet: nothing to do, the comments wait); send each pending comment;
 * mark it forwarded. A transient partner failure is thrown so that the queue retries; a refusal is recorded.
 * A 401/403 is the hub's own credentials, not a refusal: the comment stays pending, the escalation carries
 * the `problem` (cleared by the next comment that goes through), and the failure is thrown to be retried.
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
      if (credentialsRefused(err)) {
        // the hub's own credentials, not the partner refusing the comment: it stays pending, engineers see
        // the problem, the alarm metric rises, and the queue tries again (the next comment or a redrive too)
        await recordCredentialsProblem(deps, esc, err, 'forward a comment');
        throw err;
      }
      if (!(err instanceof PartnerCallError) || err.transient) throw err;
      await deps.store.appendTimeline(escalationId, { at, type: 'comment_refused', actor: `partner:${esc.partnerId}`, detail: { error: err.message } }, `refused#${c.key}`);
    }
    await deps.store.markCommentForwarded(escalationId, c.key, at);
  }
  if (sent > 0 && esc.problem) await clearCredentialsProblem(deps, escalationId);
  return sent;
}
