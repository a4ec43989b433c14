import { nextUpdateDeadline } from '../aging';
import { partnerById, type Needs } from '../deps';
import { decidePartnerUpdate, rankOf } from '../escalation';
import { hubEvent } from '../events';
import { withLogKeys } from '../log';
import type { CommentStore, DeliveryStore, EscalationRecords, InboundUpdate, PartnerIncident, TimelineStore } from '../ports';
import { buildReferral } from '../referral';
import type { InboundMessage } from './ingest-webhook';
import { commentTextKey } from './comments';
import { mutateEscalation } from './mutate-escalation';
import { announceReferral } from './open-partner-incident';

/** How long to wait before trying again a delivery whose ticket the hub has not recorded yet. */
export const UNKNOWN_TICKET_RETRY_MS = 5_000;

/**
 * What applying reaches: the escalations, their timelines (and the hub's own comments), the stored
 * deliveries; and the partners' connectors, to read the incident a thin event names (`refresh`).
 */
export type ApplyDeps = Needs<'config' | 'clock' | 'bus' | 'connectors' | 'log' | 'metrics', EscalationRecords & TimelineStore & CommentStore & DeliveryStore>;

/** A partner's incident as an update to apply (polled, or read for a thin event). */
export const updateOf = (i: PartnerIncident): InboundUpdate => ({
  ticketId: i.id, ticketNumber: i.number, status: i.status, partnerStatus: i.partnerStatus, updatedAt: i.updatedAt,
  ...(i.comment ? { comment: i.comment } : {}), ...(i.refusal !== undefined ? { refusal: i.refusal } : {}),
  ...(i.respondBy !== undefined ? { respondBy: i.respondBy } : {}),
});

/**
 * Applies one delivery's partner updates (the status sync use case).
 * Steps, for each update: find the escalation by partner ticket (one strongly consistent read); decide
 * with the state machine (older updates never move the state back); write conditionally; record every
 * update in the timeline, applied or not, once per delivery. An update for a ticket not recorded yet keeps
 * the delivery due, so it is applied once the ticket is known: looked at again in 5 s, or, when the sweep
 * sent it (`redrive`), when the sweep's backoff says. An update that only names its ticket (`refresh`: a
 * thin webhook) is replaced by the incident read from the partner (`getIncident`); if that read fails, the
 * delivery stays stored and unapplied, and is tried again; for a ticket not recorded it does not wait. A
 * partner's refusal refers the escalation (the same referral, timeline entry and event as the hub's own).
 * Returns what happened to each update.
 */
export async function applyPartnerUpdates(deps: ApplyDeps, msg: InboundMessage, opts: { deferUnknown: boolean } = { deferUnknown: true }): Promise<string[]> {
  const outcomes: string[] = [];
  let waiting = false;
  for (const [i, update] of msg.updates.entries()) {
    const escalationId = await deps.store.findByTicket(msg.partnerId, update.ticketId);
    if (!escalationId) {
      // a thin event carries no state to lose, and may name a request that is not the hub's (TSANet also
      // sends a member the events of requests other members open with it): it is not kept waiting; the
      // state of the hub's own requests comes with their opening and the polls
      if (!update.refresh) waiting = opts.deferUnknown;
      outcomes.push('ticket_unknown');
      continue;
    }
    // one delivery may update several escalations: each update's lines name its own
    outcomes.push(await withLogKeys({ escalationId, partnerId: msg.partnerId }, async () => {
      const read = update.refresh ? await readIncident(deps, msg.partnerId, update.ticketId) : update;
      return read ? applyOne(deps, msg, escalationId, read, `${msg.deliveryId}#${i}`) : 'partner_unknown';
    }));
  }
  const now = deps.clock.now();
  if (!opts.deferUnknown) return outcomes; // polled: no stored delivery behind it
  if (waiting) {
    // the sweep has already set when to look again, growing with each re-drive: do not cut it short
    if (msg.redrive === undefined) await deps.store.deferDelivery(msg.partnerId, msg.deliveryId, new Date(now.getTime() + UNKNOWN_TICKET_RETRY_MS));
  }
  else await deps.store.markDeliveryApplied(msg.partnerId, msg.deliveryId);
  return outcomes;
}

async function applyOne(deps: ApplyDeps, msg: InboundMessage, escalationId: string, update: InboundUpdate, dedupeKey: string): Promise<string> {
  const now = deps.clock.now();
  let reason = 'unmapped_status';
  const status = update.status;
  const r = status === null ? undefined : await mutateEscalation(deps.store, escalationId, (e) => {
    const d = decidePartnerUpdate(e, { status, partnerStatus: update.partnerStatus, updatedAt: update.updatedAt, refusal: update.refusal }, now);
    reason = d.reason;
    if (!d.apply) return undefined;
    // a partner may name its ticket anew (TSANet: its reference until accepted, then the receiver's case
    // number); only a newer update does, so an older one never puts the old number back
    const renamed = update.ticketNumber !== undefined && e.partnerTicket !== null && update.ticketNumber !== e.partnerTicket.number;
    return {
      ...e, status: d.status, partnerUpdatedAt: update.updatedAt, partnerUpdateRank: rankOf(status),
      updateDueBy: nextUpdateDeadline(deps.config, e, now, update.respondBy),
      ...(renamed ? { partnerTicket: { ...e.partnerTicket!, number: update.ticketNumber! } } : {}),
      // the partner refused: the customer is referred with the partner's reason, as when the hub refers
      ...(d.status === 'referred' ? { referral: buildReferral(partnerById(deps.config, e.partnerId), e, update.refusal!) } : {}),
    };
  }, now);
  const applied = r?.changed === true;
  await deps.store.appendTimeline(escalationId, {
    at: now.toISOString(), type: 'partner_update', actor: `partner:${msg.partnerId}`,
    detail: {
      partnerStatus: update.partnerStatus, status, partnerUpdatedAt: update.updatedAt, applied, reason, deliveryId: msg.deliveryId,
      ...(applied && r.before.partnerTicket?.number !== r.after.partnerTicket?.number ? { ticketNumber: r.after.partnerTicket?.number } : {}),
    },
  }, dedupeKey);
  if (update.comment) {
    // a comment the hub itself forwarded, echoed back by the partner, is not recorded a second time
    const echo = await isOwnComment(deps, escalationId, update.comment, r?.after.commentTexts === true);
    await deps.store.appendTimeline(escalationId, {
      at: now.toISOString(), type: echo ? 'partner_comment_echo' : 'partner_comment', actor: `partner:${msg.partnerId}`,
      detail: echo ? { length: update.comment.length } : { body: update.comment },
    }, `${dedupeKey}#comment`);
  }
  if (r?.changed && r.after.status === 'referred') {
    await announceReferral(deps, r.after, `partner:${msg.partnerId}`, { reason: r.after.referral!.reason, partnerStatus: update.partnerStatus }, now, `${dedupeKey}#referred`);
  } else if (r?.changed && r.before.status !== r.after.status) {
    const e = r.after;
    await deps.bus.publish([hubEvent('PartnerStatusChanged', {
      version: 1, escalationId, partnerId: e.partnerId, caseId: e.caseId, from: r.before.status, to: e.status, partnerStatus: update.partnerStatus,
    })]);
  }
  return applied ? 'applied' : reason;
}

/** The incident a thin event names, read from its partner; `undefined` when the partner is no longer configured. */
async function readIncident(deps: ApplyDeps, partnerId: string, ticketId: string): Promise<InboundUpdate | undefined> {
  const connector = deps.connectors.ticketing(partnerId);
  return connector ? updateOf(await connector.getIncident(ticketId)) : undefined;
}

/**
 * Whether `body` is one of the comments the hub recorded for forwarding (engineers' comments,
 * cancellations): one read of the text's mark (`marked`: the escalation keeps them); an older escalation's
 * timeline is read instead.
 */
async function isOwnComment(deps: Needs<never, TimelineStore & CommentStore>, escalationId: string, body: string, marked: boolean): Promise<boolean> {
  const wanted = commentTextKey(body);
  if (marked) return deps.store.isOwnCommentText(escalationId, wanted);
  return (await deps.store.getTimeline(escalationId)).some((t) => t.type === 'comment' && typeof t.detail.body === 'string' && commentTextKey(t.detail.body) === wanted);
}
