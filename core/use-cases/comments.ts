import { partnerById, type Needs } from '../deps';
import { ConflictError, NotFoundError, PartnerCallError } from '../errors';
import { hubEvent } from '../events';
import { acceptsEngineerWork, REDRIVE_GRACE_MS, type Escalation } from '../escalation';
import { callDeadlineMs, leaseTimes } from '../leases';
import { correlationKeys } from '../log';
import type { CommentRef, CommentStore, EscalationRecords, TimelineStore } from '../ports';
import { clearCredentialsProblem, credentialsRefused, recordCredentialsProblem } from './hub-problems';
import { mutateEscalation } from './mutate-escalation';

/** A comment's text as the echo check compares it: whitespace runs as one space, trimmed. */
export const commentTextKey = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The idempotency key a comment carries to the partner: stable across every retry of that comment. */
export const commentIdempotencyKey = (escalationId: string, commentId: string) => `hub:${escalationId}:comment:${commentId}`;

/**
 * Where a comment goes: to the partner ticket (queued for the forwarder), to it once it opens, or nowhere
 * but the timeline (a partner without an API: an engineer copies it to the partner's portal).
 */
export type CommentDestination = 'partner_ticket' | 'when_ticket_opens' | 'timeline_only';

/**
 * Records an engineer's comment and asks for it to be forwarded.
 * Steps: refuse (409) on a `cancelled` or `closed` escalation (nobody is there to read it); the comment
 * goes into the timeline as its own pending item at its time-ordered key (the durable record), with an
 * entry in the open-work index so that the sweep re-drives it if the message below is lost, and a mark of
 * its text (so the partner's echo of it is recognised in one read); `CommentAdded` names the comment (id
 * and time) and asks the forwarder to send it. Without a partner ticket yet it stays pending until the
 * incident opens, and the escalation notes that comments wait (so that the opening, and only then, looks
 * for them). For a partner without an API (`manual`) it is kept in the timeline only (not pending, nothing
 * to re-drive), and the answer says so.
 * `opts.afterEnd`: the hub's own closing note (cancellation tells the partner), allowed after the end.
 */
export async function addComment(
  deps: Needs<'bus' | 'clock' | 'newId' | 'connectors', EscalationRecords & TimelineStore & CommentStore>, escalation: Escalation, body: string, actor: string, opts: { afterEnd?: boolean } = {},
): Promise<CommentDestination> {
  if (!opts.afterEnd && !acceptsEngineerWork(escalation.status)) {
    throw new ConflictError(`The escalation is ${escalation.status}: it takes no more comments.`, [{ path: 'status', message: `is ${escalation.status}` }]);
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const commentId = deps.newId();
  const added = hubEvent('CommentAdded', { version: 1, escalationId: escalation.escalationId, partnerId: escalation.partnerId, caseId: escalation.caseId, commentId, commentAt: at });
  // a partner without an API gets nothing from the hub: the comment is not pending for a forwarder
  const manual = escalation.ticketMode === 'manual' || deps.connectors.ticketing(escalation.partnerId)?.mode === 'manual';
  if (manual) {
    // the same time-ordered key as a pending comment's (a dedupe claim, then the entry)
    await deps.store.appendTimeline(escalation.escalationId, { at, type: 'comment', actor, detail: { body } }, `comment#${commentId}`);
    await deps.bus.publish([added]);
    return 'timeline_only';
  }
  await deps.store.addPendingComment(escalation.escalationId, commentId, { at, type: 'comment', actor, detail: { body } }, new Date(now.getTime() + REDRIVE_GRACE_MS), commentTextKey(body));
  if (!escalation.partnerTicket) {
    // a ticket recorded meanwhile needs no note: the forwarder below finds it and sends the comment
    await mutateEscalation(deps.store, escalation.escalationId, (e) => (e.partnerTicket || e.commentsPending ? undefined : { ...e, commentsPending: true }), now, { known: escalation });
  }
  await deps.bus.publish([added]);
  return escalation.partnerTicket ? 'partner_ticket' : 'when_ticket_opens';
}

export type ForwardOutcome = 'sent' | 'refused' | 'waiting' | 'parked' | 'not_claimed';

/** What forwarding reaches: the partner's connector, and the escalation, its timeline and its comments. */
export type ForwardDeps = Needs<'config' | 'connectors' | 'clock' | 'log' | 'metrics' | 'leases', EscalationRecords & TimelineStore & CommentStore>;

/**
 * Forwards one comment to its partner ticket, at most once however many forwarders hold a message for it
 * (the comment forwarder's use case, and each step of forwardComments). `comment` names its item
 * (commentRef(commentId, commentAt) for a message that names the comment).
 * Steps:
 * 1. Read the escalation. No ticket yet: the comment waits (the opening drives it; the sweep is the
 *    backstop). No ticket ever (the escalation ended without one), or a partner without an API: it stays in
 *    the timeline for the engineer and leaves the open-work index.
 * 2. Claim the comment in one conditional write (pending, and no unexpired claim). Another forwarder holds
 *    it, or it was forwarded: done. The claim outlasts the partner call's total deadline (core/leases.ts),
 *    so no second claim can start while this call may still reach the partner.
 * 3. Send it with its idempotency key; mark it forwarded (out of the open-work index). A refusal is
 *    recorded and settles it too; a transient failure gives the claim back and is thrown, so the queue
 *    retries. A 401/403 is the hub's own credentials, not a refusal: the claim is given back, the comment
 *    stays pending, the escalation carries the `problem` (cleared by the next comment that goes through),
 *    and the failure is thrown to be retried.
 */
export async function forwardComment(deps: ForwardDeps, escalationId: string, comment: CommentRef): Promise<ForwardOutcome> {
  const esc = await deps.store.getEscalation(escalationId);
  if (!esc) throw new NotFoundError(`escalation ${escalationId} not found`);
  deps.log.appendKeys(correlationKeys(esc));
  const outcome = await forwardOne(deps, esc, comment);
  if (outcome === 'sent' && esc.problem) await clearCredentialsProblem(deps, escalationId);
  return outcome;
}

async function forwardOne(deps: ForwardDeps, esc: Escalation, comment: CommentRef): Promise<ForwardOutcome> {
  const { escalationId } = esc;
  const connector = deps.connectors.ticketing(esc.partnerId);
  // a manual partner has no API: comments stay in the timeline for the engineer to copy
  if (!connector || connector.mode === 'manual' || (!esc.partnerTicket && (esc.status !== 'requested' || esc.ticketMode === 'manual'))) {
    await deps.store.deferComment(escalationId, comment, null);
    return 'parked';
  }
  if (!esc.partnerTicket) return 'waiting';
  const now = deps.clock.now();
  const claimUntil = new Date(now.getTime() + callDeadlineMs(partnerById(deps.config, esc.partnerId)) + leaseTimes(deps).marginMs);
  const claimed = await deps.store.claimComment(escalationId, comment, now, claimUntil);
  if (!claimed) return 'not_claimed';
  try {
    await connector.addComment(esc.partnerTicket.id, claimed.body, { idempotencyKey: commentIdempotencyKey(escalationId, comment.commentId) });
  } catch (err) {
    // a transient failure, or the hub's own credentials (not the partner refusing the comment), leaves it
    // pending: the claim is given back and the queue tries again (the sweep too); for the credentials,
    // engineers also see the problem and the alarm metric rises
    if (credentialsRefused(err) || !(err instanceof PartnerCallError) || err.transient) {
      await deps.store.releaseComment(escalationId, comment, claimed.token).catch(() => undefined);
      if (credentialsRefused(err)) await recordCredentialsProblem(deps, esc, err, 'forward a comment');
      throw err;
    }
    const at = deps.clock.now().toISOString();
    await deps.store.appendTimeline(escalationId, { at, type: 'comment_refused', actor: `partner:${esc.partnerId}`, detail: { error: err.message } }, `refused#${comment.key}`);
    await deps.store.markCommentForwarded(escalationId, comment, at);
    return 'refused';
  }
  await deps.store.markCommentForwarded(escalationId, comment, deps.clock.now().toISOString());
  return 'sent';
}

/**
 * Forwards the escalation's pending comments, oldest first (for a message that names no comment: the
 * opening's `PartnerIncidentOpened`, or an older `CommentAdded`). One query for the pending comments, then
 * each goes through the same steps as forwardComment, so it is claimed and sent once.
 */
export async function forwardComments(deps: ForwardDeps, escalationId: string): Promise<number> {
  const esc = await deps.store.getEscalation(escalationId);
  if (!esc) throw new NotFoundError(`escalation ${escalationId} not found`);
  deps.log.appendKeys(correlationKeys(esc));
  if (!esc.partnerTicket && esc.status === 'requested') return 0;
  let sent = 0;
  for (const c of await deps.store.listPendingComments(escalationId)) {
    if (await forwardOne(deps, esc, c) === 'sent') sent++;
  }
  if (sent > 0 && esc.problem) await clearCredentialsProblem(deps, escalationId);
  return sent;
}
