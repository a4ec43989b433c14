import { QUEUES, type HubDeps } from '../deps';
import { REDRIVE_GRACE_MS } from '../escalation';
import { mutateEscalation } from './mutate-escalation';

/**
 * Re-drives open work that stopped moving (the scheduled sweep).
 * Steps: read the due items of the sparse open-work index (cost grows with open work, not history);
 * for an escalation still `requested`, note the re-drive (which moves it out of the due window) and send
 * it to its partner's queue again; for a stored webhook delivery not yet applied, enqueue it again.
 * Every consumer is idempotent, so a re-drive of work that was merely slow does no harm.
 */
export async function sweep(deps: HubDeps, limit = 200): Promise<{ escalations: number; deliveries: number }> {
  const now = deps.clock.now();
  let escalations = 0;
  let deliveries = 0;
  for (const item of await deps.store.listDue(now, limit)) {
    if (item.kind === 'escalation') {
      const r = await mutateEscalation(deps.store, item.escalationId, (e) => (e.status === 'requested' ? { ...e, redrivenAt: now.toISOString() } : undefined), now)
        .catch(() => undefined);
      if (!r?.changed) continue;
      await deps.queue.send({ queue: QUEUES.partnerWork(r.after.partnerId), body: { escalationId: item.escalationId } });
      escalations++;
    } else {
      await deps.store.deferDelivery(item.partnerId, item.deliveryId, new Date(now.getTime() + REDRIVE_GRACE_MS));
      await deps.queue.send({ queue: QUEUES.inbound, body: { partnerId: item.partnerId, deliveryId: item.deliveryId, updates: item.update } });
      deliveries++;
    }
  }
  if (escalations || deliveries) deps.log.info('sweep re-drove work', { escalations, deliveries });
  return { escalations, deliveries };
}
