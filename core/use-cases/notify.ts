import { QUEUES, type HubDeps, type Needs } from '../deps';
import type { HubEvent } from '../events';
import { renderNotification, subscribersFor, type NotificationChannel, type NotificationEvent } from '../notifications';
import type { EscalationRecords, TimelineStore } from '../ports';

/** A bus event as it reaches the notifier's queue (EventBridge envelope). */
export interface BusEnvelope { id: string; time: string; 'detail-type': string; detail: Record<string, unknown> }
/** One delivery: one event for one subscriber. */
export interface DeliveryMessage { kind: 'delivery'; subscriberId: string; eventId: string; type: NotificationEvent; time: string; detail: Record<string, unknown> }

/**
 * Fans one bus event out to its subscribers: one queue message per subscriber, so a failing subscriber
 * is retried (and dead-lettered) alone and never delays the others or the pipeline.
 */
export async function fanOutNotification(deps: Pick<HubDeps, 'config' | 'queue'>, envelope: BusEnvelope): Promise<number> {
  const subscribers = subscribersFor(deps.config.subscribers, envelope['detail-type']);
  for (const s of subscribers) {
    const message: DeliveryMessage = {
      kind: 'delivery', subscriberId: s.id, eventId: envelope.id, type: envelope['detail-type'] as NotificationEvent, time: envelope.time, detail: envelope.detail,
    };
    await deps.queue.send({ queue: QUEUES.notifications, body: message });
  }
  return subscribers.length;
}

/**
 * Delivers one notification. Steps: find the subscriber (gone from the configuration: drop); read the
 * escalation for customer-safe facts; render; deliver through the subscriber's channel (a failure is
 * thrown so that the queue retries and finally dead-letters it); record the delivery in the timeline once.
 */
export async function deliverNotification(deps: Needs<'config' | 'clock' | 'log', EscalationRecords & TimelineStore>, channel: NotificationChannel, m: DeliveryMessage): Promise<'delivered' | 'dropped'> {
  const subscriber = deps.config.subscribers.find((s) => s.id === m.subscriberId);
  const escalationId = typeof m.detail.escalationId === 'string' ? m.detail.escalationId : undefined;
  const esc = escalationId ? await deps.store.getEscalation(escalationId) : undefined;
  if (!subscriber || !esc) {
    deps.log.warn('notification dropped', { subscriberId: m.subscriberId, escalationId, reason: subscriber ? 'unknown escalation' : 'unknown subscriber' });
    return 'dropped';
  }
  const notification = renderNotification(`${m.eventId}:${subscriber.id}`, m.type, m.time, m.detail, esc);
  await channel.deliver(subscriber, notification);
  await deps.store.appendTimeline(esc.escalationId, {
    at: deps.clock.now().toISOString(), type: 'notification_delivered', actor: 'hub',
    detail: { subscriberId: subscriber.id, channel: subscriber.kind, event: m.type },
  }, `notified#${notification.id}`);
  return 'delivered';
}

/** For tests and tools: the bus event as EventBridge would deliver it. */
export const envelopeOf = (e: HubEvent, id: string, time: string): BusEnvelope => ({ id, time, 'detail-type': e.detailType, detail: e.detail });
