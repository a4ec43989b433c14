import { QUEUES, type Needs } from '../deps';
import { pendingAging, redriveDueAt, REDRIVE_GRACE_MS, type AgingCheck } from '../escalation';
import { hubEvent } from '../events';
import type { CommentStore, DeliveryStore, EscalationRecords, OpenWork, TimelineStore } from '../ports';
import { mutateEscalation } from './mutate-escalation';

/** The longest a stored delivery waits between two re-drives by the sweep. */
export const DELIVERY_REDRIVE_MAX_DELAY_MS = 15 * 60_000;

/**
 * How long after its `redrives`-th re-drive (0 for the first) the sweep looks at a stored delivery again:
 * the grace period, doubled at every re-drive, up to 15 minutes. A delivery waits in a long queue behind a
 * burst, or fails in status sync every time (its copies end in the dead-letter queue): either way, sending
 * it again every minute only adds to the pile. Pending comments are re-driven on the same schedule.
 */
export const redriveDelayMs = (redrives: number): number => Math.min(REDRIVE_GRACE_MS * 2 ** Math.min(redrives, 20), DELIVERY_REDRIVE_MAX_DELAY_MS);
/** The same back-off, for stored deliveries (its first name). */
export const deliveryRedriveDelayMs = redriveDelayMs;

/**
 * Re-drives open work that stopped moving, and reports escalations that aged past a threshold
 * (the scheduled sweep).
 * Steps: read the due items of the sparse open-work index (its cost grows with open work, not history).
 * For an escalation: in one conditional write, note a re-drive (when it is still `requested` past its
 * next attempt, lease and grace) and mark each aging threshold it crossed as reported (so each fires once,
 * not on every sweep); then send the re-drive to its partner's queue, and record and announce
 * `EscalationAged` per threshold. For a stored webhook delivery not yet applied: enqueue it again, and look
 * again after a delay that doubles with every re-drive (redriveDelayMs). For a comment still pending past
 * its grace period (its `CommentAdded` was lost, or its forwarder crashed): the same, to the comment queue,
 * naming the comment; the forwarder claims it, so a comment re-driven while it is being sent goes once.
 * Every consumer is idempotent, so re-driving work that was merely slow does no harm.
 */
export async function sweep(
  deps: Needs<'clock' | 'queue' | 'bus' | 'log' | 'metrics', OpenWork & EscalationRecords & TimelineStore & CommentStore & DeliveryStore>, limit = 200): Promise<{ escalations: number; aged: number; deliveries: number; comments: number }> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  let escalations = 0;
  let aged = 0;
  let deliveries = 0;
  let comments = 0;
  for (const item of await deps.store.listDue(now, limit)) {
    if (item.kind === 'comment') {
      await deps.store.deferComment(item.escalationId, item.comment, new Date(now.getTime() + redriveDelayMs(item.redrives)), item.redrives + 1);
      // named as CommentAdded names it: by id and time, which give its timeline item's key
      await deps.queue.send({ queue: QUEUES.comments, body: { escalationId: item.escalationId, commentId: item.comment.commentId, commentAt: item.commentAt } });
      comments++;
      continue;
    }
    if (item.kind === 'delivery') {
      const redrive = item.redrives + 1;
      await deps.store.deferDelivery(item.partnerId, item.deliveryId, new Date(now.getTime() + redriveDelayMs(item.redrives)), redrive);
      await deps.queue.send({ queue: QUEUES.inbound, body: { partnerId: item.partnerId, deliveryId: item.deliveryId, updates: item.update, redrive } });
      deliveries++;
      continue;
    }
    let redrive = false;
    let crossed: AgingCheck[] = [];
    const r = await mutateEscalation(deps.store, item.escalationId, (e) => {
      const redriveAt = redriveDueAt(e);
      redrive = redriveAt !== null && redriveAt <= nowIso;
      crossed = pendingAging(e).filter((a) => a.deadline <= nowIso);
      if (!redrive && crossed.length === 0) return undefined;
      return { ...e, ...(redrive ? { redrivenAt: nowIso } : {}), agedFor: [...(e.agedFor ?? []), ...crossed.map((a) => a.key)] };
    }, now).catch((err) => {
      deps.log.warn('sweep could not update an escalation', { escalationId: item.escalationId, error: String(err) });
      return undefined;
    });
    if (!r?.changed) continue;
    const e = r.after;
    if (redrive) {
      await deps.queue.send({ queue: QUEUES.partnerWork(e.partnerId), body: { escalationId: e.escalationId } });
      escalations++;
    }
    for (const a of crossed) {
      await deps.store.appendTimeline(e.escalationId, {
        at: nowIso, type: 'escalation_aged', actor: 'hub',
        detail: { threshold: a.threshold, deadline: a.deadline, severity: e.severity, status: e.status },
      }, `aged#${a.key}`);
      await deps.bus.publish([hubEvent('EscalationAged', {
        version: 1, escalationId: e.escalationId, partnerId: e.partnerId, caseId: e.caseId,
        threshold: a.threshold, severity: e.severity, deadline: a.deadline,
      })]);
      deps.metrics?.count('EscalationsAged', e.partnerId);
      deps.log.warn('escalation aged past a threshold', { escalationId: e.escalationId, caseId: e.caseId, partnerId: e.partnerId, threshold: a.threshold });
      aged++;
    }
  }
  if (escalations || aged || deliveries || comments) deps.log.info('sweep', { escalations, aged, deliveries, comments });
  return { escalations, aged, deliveries, comments };
}
