import type { Needs } from '../deps';
import { acceptsEngineerWork, type Escalation } from '../escalation';
import {
  ConflictError, InvalidSignatureError, NotFoundError, PartnerCallError, PartnerUnavailableError, ValidationError,
} from '../errors';
import { hubEvent } from '../events';
import type { CollaborationEvent, DeliveryStore, EscalationRecords, JointCall, MeetingSubscriptionStore, RawWebhook, TimelineStore } from '../ports';
import { applyLifecycleEvents, requestMeetingSubscription } from './meeting-subscriptions';
import { linkPartnerTicket } from '../ticket-links';
import { deliveryMarks, takeOnce } from './ingest-webhook';

/** Meetings are linked to escalations through the ticket-link items, under this prefix. */
export const meetingLinkId = (meetingId: string) => `meeting:${meetingId}`;

/**
 * Schedules a joint call with the partner on its collaboration connector (Teams or Zoom).
 * Steps: refuse (409) on a `cancelled` or `closed` escalation, and when the profile names no collaboration connector; ask the provider for a meeting
 * with an external id that is stable for this escalation and start time (so a retried request finds the
 * same meeting where the provider supports it); link the meeting to the escalation for its webhooks;
 * record the subscription the provider needs for the meeting's events (Teams: the maintenance schedule
 * creates it, meeting-subscriptions.ts); record it in the timeline; announce `JointCallScheduled`.
 */
export async function scheduleJointCall(
  deps: Needs<'connectors' | 'clock' | 'bus' | 'log' | 'metrics', EscalationRecords & TimelineStore & MeetingSubscriptionStore>, esc: Escalation, opts: { startTime?: string | undefined; durationMinutes?: number | undefined }, actor: string,
): Promise<JointCall> {
  if (!acceptsEngineerWork(esc.status)) {
    throw new ConflictError(`The escalation is ${esc.status}: no joint call can be scheduled for it.`, [{ path: 'status', message: `is ${esc.status}` }]);
  }
  const connector = deps.connectors.collaboration(esc.partnerId);
  if (!connector) throw new ConflictError(`Partner ${esc.partnerName} has no collaboration connector for joint calls.`);
  const now = deps.clock.now();
  const start = opts.startTime ? new Date(opts.startTime) : new Date(Math.ceil((now.getTime() + 15 * 60_000) / 300_000) * 300_000);
  if (start.getTime() < now.getTime() - 5 * 60_000) throw new ValidationError('startTime is in the past.', [{ path: 'startTime', message: 'must not be in the past' }]);
  const durationMinutes = opts.durationMinutes ?? 30;
  const ticket = esc.partnerTicket ? ` (${esc.partnerName} ${esc.partnerTicket.number})` : '';
  const externalId = `${esc.escalationId}-${start.getTime()}`;
  // the same request again (a client retry): answer with the meeting already scheduled for it
  const earlier = (await deps.store.getTimeline(esc.escalationId))
    .find((t) => t.type === 'joint_call_scheduled' && t.detail.externalId === externalId);
  const endsAt = new Date(start.getTime() + durationMinutes * 60_000);
  if (earlier) {
    const d = earlier.detail as { provider: string; meetingId: string; joinUrl: string };
    const call = { provider: d.provider, meetingId: d.meetingId, joinUrl: d.joinUrl };
    await requestMeetingSubscription(deps, esc, call, endsAt); // finishes what a crashed first request left
    return call;
  }
  let call: JointCall;
  try {
    call = await connector.scheduleJointCall({
      externalId,
      subject: `Joint call: case ${esc.caseId}${ticket}`,
      startTime: start.toISOString(),
      durationMinutes,
      agenda: `Joint troubleshooting of case ${esc.caseId}: ${esc.summary}`,
    });
  } catch (err) {
    if (err instanceof PartnerCallError) throw new PartnerUnavailableError(`The meeting provider did not schedule the call: ${err.message}`);
    throw err;
  }
  // a meeting id another escalation holds is recorded and refused (its events stay with the first)
  await linkPartnerTicket(deps, esc, meetingLinkId(call.meetingId), call.meetingId, actor);
  // some providers' events name the meeting only by its join URL (Graph call events)
  await linkPartnerTicket(deps, esc, meetingLinkId(call.joinUrl), call.meetingId, actor);
  await requestMeetingSubscription(deps, esc, call, endsAt);
  await deps.store.appendTimeline(esc.escalationId, {
    at: now.toISOString(), type: 'joint_call_scheduled', actor,
    detail: { provider: call.provider, meetingId: call.meetingId, joinUrl: call.joinUrl, startTime: start.toISOString(), durationMinutes, externalId },
  }, `joint-call#${call.provider}#${call.meetingId}`);
  await deps.bus.publish([hubEvent('JointCallScheduled', {
    version: 1, escalationId: esc.escalationId, partnerId: esc.partnerId, caseId: esc.caseId, provider: call.provider, meetingId: call.meetingId,
  })]);
  return call;
}

export type CollaborationIngestResult =
  | { kind: 'recorded' | 'duplicate'; deliveryId: string; events: number }
  | { kind: 'challenge'; status: number; contentType: string; body: string };

/**
 * Takes a meeting provider's webhook in (`/v1/webhooks/{partnerId}/collaboration`).
 * Steps: answer the provider's handshake (Zoom `endpoint.url_validation`, Graph `validationToken`);
 * verify the signature or client state over the raw bytes; a delivery seen before is acknowledged, not
 * recorded twice; record each meeting event in its escalation's timeline; act on subscription lifecycle
 * notifications (meeting-subscriptions.ts `applyLifecycleEvents`); then remember the delivery (takeOnce:
 * after the work, so a crash half-way is retried, not lost).
 */
export async function ingestCollaborationWebhook(
  deps: Needs<'connectors' | 'clock' | 'log', EscalationRecords & TimelineStore & DeliveryStore & MeetingSubscriptionStore>, partnerId: string, raw: RawWebhook): Promise<CollaborationIngestResult> {
  const connector = deps.connectors.collaboration(partnerId);
  if (!connector) throw new NotFoundError(`No partner "${partnerId}" with a collaboration connector is configured.`);
  const now = deps.clock.now();
  const verdict = connector.verifyWebhook(raw, now);
  if (verdict.kind === 'rejected') throw new InvalidSignatureError(`Webhook rejected: ${verdict.reason}`);
  if (verdict.kind === 'challenge') return verdict;
  const events: CollaborationEvent[] = connector.parseWebhook(raw);
  const key = `collab:${verdict.deliveryId}`;
  // every write below is keyed by the delivery: remembered once all are made, a crash half-way is retried whole
  const taken = await takeOnce(deps, partnerId, deliveryMarks('collab:', verdict), now, async () => {
    let recorded = 0;
    for (const [i, ev] of events.entries()) {
      const escalationId = await deps.store.findByTicket(partnerId, meetingLinkId(ev.meetingId));
      if (!escalationId) continue; // a meeting the hub did not schedule
      await deps.store.appendTimeline(escalationId, {
        at: now.toISOString(), type: 'joint_call_event', actor: `${connector.provider}`,
        detail: { meetingId: ev.meetingId, event: ev.type, eventAt: ev.at, ...ev.detail },
      }, `${key}#${i}`);
      recorded++;
    }
    const lifecycle = connector.lifecycleEvents?.(raw) ?? [];
    if (lifecycle.length) recorded += await applyLifecycleEvents(deps, partnerId, lifecycle, key);
    return recorded;
  });
  return taken.seen
    ? { kind: 'duplicate', deliveryId: verdict.deliveryId, events: events.length }
    : { kind: 'recorded', deliveryId: verdict.deliveryId, events: taken.value };
}
