/**
 * Meeting subscriptions: the hub keeps a provider subscription (Microsoft Graph change notifications) per
 * joint call, so that the meeting's events reach `/v1/webhooks/{partnerId}/collaboration`.
 *
 * Life of one: recorded when the call is scheduled (due now) → created by the maintenance schedule →
 * renewed before it expires → reauthorized or re-created when the provider says so (lifecycle
 * notifications) → deleted once the meeting is over (its end plus a grace period). The record lives in
 * the store; the schedule reads only the records that are due (their own index partition), so its cost
 * grows with the subscriptions to act on, not with history.
 */
import type { HubDeps, Needs } from '../deps';
import type { Escalation } from '../escalation';
import { ConfigError, PartnerCallError, VersionConflictError } from '../errors';
import type { JointCall, MeetingSubscription, MeetingSubscriptionApi, MeetingSubscriptionStore, ProviderSubscription, SubscriptionLifecycleEvent, TimelineStore } from '../ports';

/** What the maintenance reaches: the provider's subscriptions API, the records, the timeline notes. */
type MaintainDeps = Needs<'connectors' | 'clock' | 'log' | 'publicUrl', MeetingSubscriptionStore & TimelineStore>;

/** Meetings overrun: events are still wanted this long after the scheduled end. */
export const SUBSCRIPTION_GRACE_MS = 6 * 3600_000;
/** Renew this long before expiry at most (half the remaining lifetime when that is shorter). */
export const RENEW_AHEAD_MS = 12 * 3600_000;
/** How long one maintenance run holds a record. */
export const SUBSCRIPTION_LEASE_MS = 2 * 60_000;
/** Records the schedule takes per run. */
export const SUBSCRIPTIONS_PER_RUN = 50;
const MAX_BACKOFF_MS = 60 * 60_000;

/** Where the provider posts a partner's meeting events and lifecycle notifications (one route, API.md). */
export function collaborationWebhookUrl(deps: Pick<HubDeps, 'publicUrl'>, partnerId: string): string {
  if (!deps.publicUrl) throw new ConfigError('The hub has no public URL (HUB_PUBLIC_URL), so it cannot create meeting subscriptions.');
  return `${deps.publicUrl.replace(/\/+$/, '')}/v1/webhooks/${encodeURIComponent(partnerId)}/collaboration`;
}

/**
 * Records the subscription a newly scheduled joint call needs (when its provider works by subscriptions).
 * Steps: one conditional put, due now: a retried request finds the record and adds nothing; the
 * maintenance schedule creates the provider's subscription within its next run.
 */
export async function requestMeetingSubscription(deps: Needs<'connectors' | 'clock', MeetingSubscriptionStore>, esc: Escalation, call: JointCall, endsAt: Date): Promise<boolean> {
  if (!deps.connectors.collaboration(esc.partnerId)?.subscriptions) return false;
  const now = deps.clock.now().toISOString();
  return deps.store.createMeetingSubscription({
    partnerId: esc.partnerId, escalationId: esc.escalationId, meetingId: call.meetingId, joinUrl: call.joinUrl,
    action: 'create', dueAt: now, stopAt: new Date(endsAt.getTime() + SUBSCRIPTION_GRACE_MS).toISOString(),
    failures: 0, state: 'active', createdAt: now, updatedAt: now,
  });
}

export type MaintenanceOutcome = 'created' | 'adopted' | 'renewed' | 'reauthorized' | 'kept' | 'ended' | 'skipped' | `failed: ${string}`;

/**
 * The maintenance schedule: acts on every subscription record that is due.
 * Steps, per record: take its lease (another run holding it, or a record no longer due, is skipped);
 * after the stop time delete the provider's subscription and finish the record; otherwise create it
 * (adopting one the provider already has for the same resource and URL, so a crash between create and
 * save does not duplicate), reauthorize it, or extend it to the provider's longest lifetime (never past
 * the stop time); a subscription the provider no longer knows (404) is created again. Then write the
 * record with its next due time. A failure is recorded and retried with exponential backoff.
 */
export async function maintainMeetingSubscriptions(deps: MaintainDeps, limit = SUBSCRIPTIONS_PER_RUN): Promise<Record<string, MaintenanceOutcome>> {
  const now = deps.clock.now();
  const out: Record<string, MaintenanceOutcome> = {};
  for (const d of await deps.store.listMeetingSubscriptionsDue(now, limit)) {
    const key = `${d.partnerId}/${d.meetingId}`;
    const sub = await deps.store.claimMeetingSubscription(d.partnerId, d.meetingId, now, new Date(now.getTime() + SUBSCRIPTION_LEASE_MS));
    if (!sub) { out[key] = 'skipped'; continue; }
    try {
      const { next, outcome } = await maintainOne(deps, sub, now);
      await saveRun(deps, sub, { ...next, leaseUntil: undefined, updatedAt: now.toISOString() });
      out[key] = outcome;
      deps.log.info('meeting subscription maintained', { partnerId: sub.partnerId, escalationId: sub.escalationId, outcome, expiresAt: next.expiresAt });
    } catch (err) {
      const message = err instanceof PartnerCallError || err instanceof ConfigError ? err.message : String(err);
      const failures = sub.failures + 1;
      const wait = Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** (failures - 1), err instanceof PartnerCallError && err.retryAfterMs ? Math.max(err.retryAfterMs, 60_000) : Infinity);
      await saveRun(deps, sub, {
        ...sub, failures, lastError: message.slice(0, 500), leaseUntil: undefined,
        dueAt: new Date(now.getTime() + wait).toISOString(), updatedAt: now.toISOString(),
      });
      out[key] = `failed: ${message.slice(0, 200)}`;
      deps.log.warn('meeting subscription maintenance failed', { partnerId: sub.partnerId, escalationId: sub.escalationId, action: sub.action, failures, error: message });
    }
  }
  return out;
}

/**
 * Saves a run's result unless a lifecycle notification changed the record meanwhile: then the
 * notification's request (reauthorize, create again) stays due now, on top of what the run learnt.
 */
async function saveRun(deps: Needs<never, MeetingSubscriptionStore>, claimed: MeetingSubscription, next: MeetingSubscription) {
  try {
    await deps.store.saveMeetingSubscription(next, { ifRevision: claimed.revision ?? 0 });
  } catch (err) {
    if (!(err instanceof VersionConflictError)) throw err;
    const fresh = await deps.store.getMeetingSubscription(claimed.partnerId, claimed.meetingId);
    if (!fresh) return;
    const requested = fresh.action !== claimed.action && fresh.action !== 'renew';
    await deps.store.saveMeetingSubscription({
      ...next, revision: fresh.revision,
      ...(requested && next.state === 'active' ? { action: fresh.action, dueAt: fresh.dueAt, failures: 0 } : {}),
    });
  }
}

const isGone = (err: unknown) => err instanceof PartnerCallError && err.httpStatus === 404;

/** When to look at a subscription next: before it expires, or at the stop time when it already lasts that long. */
export function nextDue(expiresAt: string, now: Date, stopAt: string): string {
  const exp = Date.parse(expiresAt);
  const stop = Date.parse(stopAt);
  if (exp >= stop - 60_000) return stopAt;
  return new Date(exp - Math.min(RENEW_AHEAD_MS, Math.max(0, (exp - now.getTime()) / 2))).toISOString();
}

async function maintainOne(deps: MaintainDeps, sub: MeetingSubscription, now: Date): Promise<{ next: MeetingSubscription; outcome: MaintenanceOutcome }> {
  const api = deps.connectors.collaboration(sub.partnerId)?.subscriptions;
  const ended = (): MeetingSubscription => ({ ...sub, state: 'ended', dueAt: undefined, failures: 0, lastError: undefined });
  if (!api) return { next: ended(), outcome: 'ended' }; // the partner's provider changed: nothing to keep
  if (now.getTime() >= Date.parse(sub.stopAt)) {
    if (sub.subscriptionId) await api.remove(sub.subscriptionId);
    return { next: ended(), outcome: 'ended' };
  }
  const wanted = new Date(Math.min(now.getTime() + api.maxLifetimeMinutes * 60_000, Date.parse(sub.stopAt))).toISOString();
  const settle = (got: ProviderSubscription, outcome: MaintenanceOutcome) => ({
    next: {
      ...sub, action: 'renew' as const, subscriptionId: got.id, resource: got.resource, expiresAt: got.expiresAt,
      dueAt: nextDue(got.expiresAt, now, sub.stopAt), failures: 0, lastError: undefined,
    },
    outcome,
  });

  if (sub.action === 'create' || !sub.subscriptionId) return create(deps, api, sub, wanted, now).then(({ got, outcome }) => settle(got, outcome));
  if (sub.action === 'reauthorize') {
    try {
      await api.reauthorize(sub.subscriptionId);
    } catch (err) {
      if (!isGone(err)) throw err;
      return create(deps, api, sub, wanted, now).then(({ got, outcome }) => settle(got, outcome));
    }
  }
  const current = sub.expiresAt ? Date.parse(sub.expiresAt) : 0;
  if (Date.parse(wanted) <= current + 60_000) {
    // already lasts until the stop time: nothing to extend
    return settle({ id: sub.subscriptionId, resource: sub.resource ?? '', expiresAt: sub.expiresAt! }, sub.action === 'reauthorize' ? 'reauthorized' : 'kept');
  }
  try {
    return settle(await api.renew(sub.subscriptionId, wanted), sub.action === 'reauthorize' ? 'reauthorized' : 'renewed');
  } catch (err) {
    if (!isGone(err)) throw err;
    return create(deps, api, sub, wanted, now).then(({ got, outcome }) => settle(got, outcome));
  }
}

async function create(deps: MaintainDeps, api: MeetingSubscriptionApi, sub: MeetingSubscription, wanted: string, now: Date) {
  const url = collaborationWebhookUrl(deps, sub.partnerId);
  const resource = api.resourceFor({ meetingId: sub.meetingId, joinUrl: sub.joinUrl });
  const existing = await api.find(resource, url);
  if (existing) {
    // adopt it (an earlier run created it and stopped before saving); extend it if it ends too soon
    const got = Date.parse(existing.expiresAt) < Date.parse(wanted) - 60_000 ? await api.renew(existing.id, wanted) : existing;
    return { got, outcome: 'adopted' as const };
  }
  const got = await api.create({ resource, notificationUrl: url, lifecycleNotificationUrl: url, expiresAt: wanted });
  if (sub.subscriptionId && sub.subscriptionId !== got.id) {
    await deps.store.appendTimeline(sub.escalationId, {
      at: now.toISOString(), type: 'joint_call_subscription_recreated', actor: 'hub',
      detail: { meetingId: sub.meetingId, previousSubscriptionId: sub.subscriptionId, subscriptionId: got.id, expiresAt: got.expiresAt },
    }, `subscription-recreated#${got.id}`);
  }
  return { got, outcome: 'created' as const };
}

/**
 * Applies the provider's lifecycle notifications (already verified: `clientState` matched).
 * Steps, per notification: find the record by subscription id (unknown ones are logged and ignored);
 * `reauthorizationRequired` → reauthorize on the next maintenance run; `subscriptionRemoved` → create it
 * again on the next run, and note the gap in the escalation's timeline; `missed` → note in the timeline
 * that meeting events may have been lost (the provider does not replay them). Answers how many applied.
 */
export async function applyLifecycleEvents(deps: Needs<'clock' | 'log', MeetingSubscriptionStore & TimelineStore>, partnerId: string, events: SubscriptionLifecycleEvent[], deliveryKey: string): Promise<number> {
  const now = deps.clock.now();
  let applied = 0;
  for (const [i, ev] of events.entries()) {
    const sub = await deps.store.findMeetingSubscriptionById(partnerId, ev.subscriptionId);
    if (!sub || sub.state === 'ended') {
      deps.log.info('lifecycle notification for an unknown or finished subscription', { partnerId, lifecycleEvent: ev.event });
      continue;
    }
    const note = (type: string) => deps.store.appendTimeline(sub.escalationId, {
      at: now.toISOString(), type, actor: 'hub',
      detail: { meetingId: sub.meetingId, subscriptionId: ev.subscriptionId, lifecycleEvent: ev.event, ...(ev.at ? { eventAt: ev.at } : {}) },
    }, `${deliveryKey}#lifecycle#${i}`);
    const due = { dueAt: now.toISOString(), failures: 0, lastError: undefined, updatedAt: now.toISOString() };
    if (ev.event === 'reauthorizationRequired') {
      await deps.store.saveMeetingSubscription({ ...sub, ...due, action: sub.action === 'create' ? 'create' : 'reauthorize' });
    } else if (ev.event === 'subscriptionRemoved') {
      await deps.store.saveMeetingSubscription({ ...sub, ...due, action: 'create' });
      await note('joint_call_subscription_removed');
    } else if (ev.event === 'missed') {
      await note('joint_call_events_missed');
    } else {
      deps.log.info('lifecycle notification not acted on', { partnerId, lifecycleEvent: ev.event });
      continue;
    }
    applied++;
  }
  return applied;
}
