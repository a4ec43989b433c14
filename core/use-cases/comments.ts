import { partnerById, type HubDeps } from '../deps';
import { NotFoundError, PartnerCallError } from '../errors';
import { hubEvent } from '../events';
import { REDRIVE_GRACE_MS, type Escalation } from '../escalation';
import { callDeadlineMs, leaseTimes } from '../leases';
import { mutateEscalation } from './mutate-escalation';

/** A comment's text as the echo check compares it: whitespace runs as one space, trimmed. */
export const commentTextKey = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The idempotency key a comment carries to the partner: stable across every retry of that comment. */
export const commentIdempotencyKey = (escalationId: string, commentId: string) => `hub:${escalationId}:comment:${commentId}`;

/**
 * Records an engineer's comment and asks for it to be forwarded.
 * Steps: the comment goes into the timeline as its own pending item (the durable record), with an entry in
 * the open-work index so that the sweep re-drives it if the message below is lost, and a mark of its text
 * (so the partner's echo of it is recognised in one read); `CommentAdded` names the
 * comment and asks the forwarder to send it. Without a partner ticket yet it stays pending until the
 * incident opens, and the escalation notes that comments wait (so that the opening, and only then, looks
 * for them).
 */
export async function addComment(deps: Pick<HubDeps, 'store' | 'bus' | 'clock' | 'newId'>, escalation: Escalation, body: string, actor: string): Promise<void> {
  const now = deps.clock.now();
  const commentId = deps.newId();
  await deps.store.addPendingComment(escalation.escalationId, commentId, { at: now.toISOString(), type: 'comment', actor, detail: { body } }, new Date(now.getTime() + REDRIVE_GRACE_MS), commentTextKey(body));
  if (!escalation.partnerTicket) {
    // a ticket recorded meanwhile needs no note: the forwarder below finds it and sends the comment
    await mutateEscalation(deps.store, escalation.escalationId, (e) => (e.partnerTicket || e.commentsPending ? undefined : { ...e, commentsPending: true }), now, { known: escalation });
  }
  await deps.bus.publish([hubEvent('CommentAdded', { version: 1, escalationId: escalation.escalationId, partnerId: escalation.partnerId, caseId: escalation.caseId, commentId })]);
}

export type ForwardOutcome = 'sent' | 'refused' | 'waiting' | 'parked' | 'not_claimed';

/**
 * Forwards one comment to its partner ticket, at most once however many forwarders hold a message for it
 * (the comment forwarder's use case, and each step of forwardComments).
 * Steps:
 * 1. Read the escalation. No ticket yet: the comment waits (the opening drives it; the sweep is the
 *    backstop). No ticket ever (the escalation ended without one), or a partner without an API: it stays in
 *    the timeline for the engineer and leaves the open-work index.
 * 2. Claim the comment in one conditional write (pending, and no unexpired claim). Another forwarder holds
 *    it, or it was forwarded: done. The claim outlasts the partner call's total deadline (core/leases.ts),
 *    so no second claim can start while this call may still reach the partner.
 * 3. Send it with its idempotency key; mark it forwarded (out of the open-work index). A refusal is
 *    recorded and settles it too; a transient failure gives the claim back and is thrown, so the queue retries.
 */
export async function forwardComment(deps: HubDeps, escalationId: string, commentId: string, known?: Escalation): Promise<ForwardOutcome> {
  const esc = known ?? await deps.store.getEscalation(escalationId);
  if (!esc) throw new NotFoundError(`escalation ${escalationId} not found`);
  const connector = deps.connectors.ticketing(esc.partnerId);
  // a manual partner has no API: comments stay in the timeline for the engineer to copy
  if (!connector || connector.mode === 'manual' || (!esc.partnerTicket && (esc.status !== 'requested' || esc.ticketMode === 'manual'))) {
    await deps.store.deferComment(escalationId, commentId, null);
    return 'parked';
  }
  if (!esc.partnerTicket) return 'waiting';
  const now = deps.clock.now();
  const claimUntil = new Date(now.getTime() + callDeadlineMs(partnerById(deps.config, esc.partnerId)) + leaseTimes(deps).marginMs);
  const claimed = await deps.store.claimComment(escalationId, commentId, now, claimUntil);
  if (!claimed) return 'not_claimed';
  try {
    await connector.addComment(esc.partnerTicket.id, claimed.body, { idempotencyKey: commentIdempotencyKey(escalationId, commentId) });
  } catch (err) {
    if (!(err instanceof PartnerCallError) || err.transient) {
      await deps.store.releaseComment(escalationId, commentId, claimed.token).catch(() => undefined);
      throw err;
    }
    const at = deps.clock.now().toISOString();
    await deps.store.appendTimeline(escalationId, { at, type: 'comment_refused', actor: `partner:${esc.partnerId}`, detail: { error: err.message } }, `refused#T#comment#${commentId}`);
    await deps.store.markCommentForwarded(escalationId, commentId, at);
    return 'refused';
  }
  await deps.store.markCommentForwarded(escalationId, commentId, deps.clock.now().toISOString());
  return 'sent';
}

/**
 * Forwards the escalation's pending comments, oldest first (for a message that names no comment: the
 * opening's `PartnerIncidentOpened`, or an older `CommentAdded`). One query for the pending comments, then
 * each goes through forwardComment, so it is claimed and sent once.
 */
export async function forwardComments(deps: HubDeps, escalationId: string): Promise<number> {
  const esc = await deps.store.getEscalation(escalationId);
  if (!esc) throw new NotFoundError(`escalation ${escalationId} not found`);
  if (!esc.partnerTicket && esc.status === 'requested') return 0;
  let sent = 0;
  for (const c of await deps.store.listPendingComments(escalationId)) {
    if (await forwardComment(deps, escalationId, c.commentId, esc) === 'sent') sent++;
  }
  return sent;
}
