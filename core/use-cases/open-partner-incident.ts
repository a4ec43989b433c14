import { nextUpdateDeadline } from '../aging';
import { backoffDelayMs } from '../backoff';
import { partnerById, QUEUES, type Needs } from '../deps';
import { decidePartnerUpdate, rankOf, type Escalation } from '../escalation';
import { PartnerCallError } from '../errors';
import { ATTEMPT_LEASE_MS, callDeadlineMs, leaseTimes } from '../leases';
import { correlationKeys } from '../log';
import { buildReferral } from '../referral';
import { hubEvent } from '../events';
import type { CommentStore, EscalationRecords, PartnerIncident, TimelineStore } from '../ports';
import { linkPartnerTicket } from '../ticket-links';
import { credentialsProblem, credentialsRefused, CREDENTIALS_RETRY, noteCredentialsProblem } from './hub-problems';
import { mutateEscalation } from './mutate-escalation';

export { ATTEMPT_LEASE_MS };

/** The reference the partner keeps for an escalation: stable across every attempt. */
export const externalRefOf = (escalationId: string) => `hub:${escalationId}`;

/** What opening reaches: the partner's connector, the escalation and its timeline, the comments waiting on the ticket. */
type OpenDeps = Needs<
  'config' | 'connectors' | 'clock' | 'bus' | 'queue' | 'random' | 'log' | 'metrics' | 'leases', EscalationRecords & TimelineStore & CommentStore
>;

export type OpenOutcome = 'opened' | 'retry_scheduled' | 'referred' | 'skipped';

/**
 * Opens the partner incident for one escalation (the partner worker's use case).
 * Steps:
 * 1. Take the attempt lease in one conditional write (no read first), which also counts the attempt; skip
 *    the escalation unless it is `requested`, not leased by another attempt and due (EscalationRecords.claimAttempt).
 * 2. The lease moves the due time later, so the open-work index entry is left as it is (no index writes).
 * 3. After any earlier attempt, find the incident by `externalRef` before creating one, so an attempt
 *    whose answer was lost (timeout, crash before the save) never yields a second incident.
 *    Before each partner call, make sure the lease outlasts the call's total deadline (core/leases.ts),
 *    renewing it if not, fenced by the attempt count: an attempt that lost its lease makes no call. So no
 *    second attempt can start while this one may still create; and its own writes below are fenced the
 *    same way (a stale attempt never clears a newer attempt's lease).
 * 4. Success: link the ticket (a ticket id another escalation holds is recorded and refused, then retried
 *    like a transient failure), record it (status `open`, or the partner's newer status), tell the bus.
 * 5. Transient failure: schedule the next attempt with backoff and jitter (never sooner than Retry-After),
 *    or refer the customer after the last attempt. Any other 4xx: refer at once.
 * 6. But 401/403 (the partner refuses the hub's own credentials): stay `requested` with a `problem` for
 *    engineers, raise the alarm metric, and try again after a long, capped backoff, for as long as it
 *    lasts (the attempt is not counted against `retry.maxAttempts`); the ticket aging threshold still runs.
 */
export async function openPartnerIncident(deps: OpenDeps, escalationId: string): Promise<OpenOutcome> {
  const now = deps.clock.now();
  const lease = leaseTimes(deps);
  const claimed = await deps.store.claimAttempt(escalationId, now, new Date(now.getTime() + lease.attemptMs), new Date(now.getTime() + 100));
  if (!claimed) return 'skipped';
  let esc: Escalation = claimed;
  deps.log.appendKeys(correlationKeys(esc));
  const partner = partnerById(deps.config, esc.partnerId);
  const connector = deps.connectors.ticketing(esc.partnerId);
  if (!partner || !connector) {
    return refer(deps, esc, `Partner "${esc.partnerId}" is no longer configured.`);
  }
  let incident: PartnerIncident | undefined;
  /** Whether the lease outlasts one more partner call (renewed if need be); `false`: the lease is lost. */
  const holdLease = async (): Promise<boolean> => {
    const t = deps.clock.now();
    const needUntil = t.getTime() + callDeadlineMs(partner) + lease.marginMs;
    if (esc.leaseUntil !== null && Date.parse(esc.leaseUntil) >= needUntil) return true;
    const renewed = await deps.store.renewAttempt(escalationId, esc.attempts, t, new Date(needUntil));
    if (!renewed) return false;
    esc = renewed;
    return true;
  };
  const timed = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    if (!await holdLease()) throw new LeaseLost();
    const started = Date.now();
    try {
      const r = await call();
      deps.metrics?.partnerLatency(esc.partnerId, operation, Date.now() - started, true);
      return r;
    } catch (err) {
      deps.metrics?.partnerLatency(esc.partnerId, operation, Date.now() - started, false);
      deps.metrics?.count('PartnerCallErrors', esc.partnerId);
      throw err;
    }
  };
  try {
    const ref = externalRefOf(escalationId);
    if (esc.attempts > 1) incident = await timed('find', () => connector.findByExternalRef(ref));
    if (!incident) {
      const findings = (await deps.store.getCaseDetails(esc))?.findings ?? '';
      incident = await timed('open', () => connector.openIncident({
        externalRef: ref,
        title: `[${esc.severity}] ${esc.summary}`,
        description: findings,
        severity: esc.severity,
        caseId: esc.caseId,
        customerId: esc.customerId,
        ...esc.mandate,
      }));
    }
  } catch (err) {
    if (err instanceof LeaseLost) {
      deps.log.warn('attempt lease lost before a partner call; another attempt carries on', { attempt: esc.attempts });
      return 'skipped';
    }
    if (!(err instanceof PartnerCallError)) throw err;
    // the partner refused the hub's own credentials: the hub's problem, not a reason to refer the customer
    if (credentialsRefused(err)) return holdForCredentials(deps, esc, err);
    deps.log.warn('partner attempt failed', { attempt: esc.attempts, httpStatus: err.httpStatus, transient: err.transient });
    if (err.transient && esc.attempts < partner.retry.maxAttempts) {
      return scheduleRetry(deps, esc, err, partner.retry);
    }
    // the customer reads the reason: the partner's status, not its raw answer (that stays in lastError)
    const answer = err.httpStatus ? `HTTP ${err.httpStatus}` : 'no answer';
    const reason = err.transient
      ? `${partner.name} did not accept the incident after ${esc.attempts} attempts (last: ${answer}).`
      : `${partner.name} refused the incident (${answer}).`;
    return refer(deps, esc, reason, err.message);
  }
  // a ticket id another escalation holds (a partner reusing its ids) is recorded and refused, never moved
  if (!(await linkPartnerTicket(deps, esc, incident.id, incident.number, `partner:${esc.partnerId}`))) {
    const err = new PartnerCallError(`open: the partner answered with ticket ${incident.number} (id ${incident.id}), which another escalation already holds`, true);
    if (esc.attempts < partner.retry.maxAttempts) return scheduleRetry(deps, esc, err, partner.retry);
    return refer(deps, esc, `${partner.name} answered with a ticket number that is already in use for another case.`, err.message);
  }
  await recordOpened(deps, esc, incident);
  deps.metrics?.count('EscalationsOpened', esc.partnerId);
  deps.log.info('partner incident opened', { ticketNumber: incident.number, attempts: esc.attempts });
  return 'opened';
}

/** This attempt no longer holds the escalation (a later attempt claimed it, or it ended meanwhile). */
class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/** Whether `e` is still held by the attempt that claimed `mine` (the attempt count is the fencing token). */
const stillMine = (e: Escalation, mine: Escalation) => e.status === 'requested' && e.attempts === mine.attempts;

/**
 * Records the ticket (already linked for webhook look-ups) on the escalation, starting from the claimed
 * item (no read unless something changed it meanwhile). The timeline's `partner_incident_opened` entry is
 * derived from `opening` (core/timeline.ts): no write of its own.
 */
async function recordOpened(deps: OpenDeps, esc: Escalation, incident: PartnerIncident): Promise<void> {
  const now = deps.clock.now();
  const ticket = { id: incident.id, number: incident.number, ...(incident.url ? { url: incident.url } : {}) };
  const r = await mutateEscalation(deps.store, esc.escalationId, (e) => {
    if (e.partnerTicket) return undefined;
    const base: Escalation = {
      ...e, partnerTicket: ticket, openedAt: now.toISOString(), leaseUntil: null, nextAttemptAt: null, lastError: null,
      opening: { partnerStatus: incident.partnerStatus, attempts: e.attempts }, problem: null,
      updateDueBy: nextUpdateDeadline(deps.config, e, now, incident.respondBy),
    };
    if (e.status !== 'requested') return base; // cancelled meanwhile: keep the state, remember the ticket
    const opened: Escalation = { ...base, status: 'open' };
    // the partner may already report more than "new" (even its refusal, found after a lost answer); apply it like any other update
    if (incident.status !== null) {
      const d = decidePartnerUpdate(opened, { status: incident.status, partnerStatus: incident.partnerStatus, updatedAt: incident.updatedAt, refusal: incident.refusal }, now);
      if (d.apply) {
        return {
          ...opened, status: d.status, partnerUpdatedAt: incident.updatedAt, partnerUpdateRank: rankOf(incident.status),
          ...(d.status === 'referred' ? { referral: buildReferral(partnerById(deps.config, e.partnerId), e, incident.refusal!) } : {}),
        };
      }
    }
    return opened;
  }, now, { known: esc });
  // comments added before the ticket existed wait in the timeline (older items do not say: look)
  const pending = r?.after.commentsPending === false ? [] : await deps.store.listPendingComments(esc.escalationId);
  await deps.bus.publish([hubEvent('PartnerIncidentOpened', {
    version: 1, escalationId: esc.escalationId, partnerId: esc.partnerId, caseId: esc.caseId,
    ticketNumber: incident.number, pendingComments: pending.length,
  })]);
  if (r?.changed && r.before.status !== 'referred' && r.after.status === 'referred') {
    await announceReferral(deps, esc, `partner:${esc.partnerId}`, { reason: r.after.referral!.reason, partnerStatus: incident.partnerStatus }, now);
  }
}

/**
 * The partner refused the hub's credentials. `esc` as claimed. The attempt is given back (a refusal at the
 * door opened nothing at the partner, and it must not use up `retry.maxAttempts` for when it is fixed).
 */
async function holdForCredentials(deps: OpenDeps, esc: Escalation, err: PartnerCallError): Promise<OpenOutcome> {
  const now = deps.clock.now();
  let problem = credentialsProblem(esc, err, 'open the incident', now);
  const delayMs = backoffDelayMs(CREDENTIALS_RETRY, problem.failures, err.retryAfterMs, deps.random());
  const nextAttemptAt = new Date(now.getTime() + delayMs).toISOString();
  const r = await mutateEscalation(deps.store, esc.escalationId, (e) => {
    if (!stillMine(e, esc)) return undefined;
    problem = credentialsProblem(e, err, 'open the incident', now);
    return { ...e, attempts: Math.max(0, e.attempts - 1), leaseUntil: null, nextAttemptAt, lastError: err.message, problem };
  }, now, { known: esc });
  if (!r?.changed) return 'skipped';
  await noteCredentialsProblem(deps, esc, problem, err, 'open the incident', { nextAttemptAt });
  await deps.queue.send({ queue: QUEUES.partnerWork(esc.partnerId), body: { escalationId: esc.escalationId }, delayMs });
  return 'retry_scheduled';
}

/** `esc`: the escalation as the claim wrote it (the save starts from it). */
async function scheduleRetry(deps: OpenDeps, esc: Escalation, err: PartnerCallError, policy: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number }): Promise<OpenOutcome> {
  const now = deps.clock.now();
  const delayMs = backoffDelayMs(policy, esc.attempts, err.retryAfterMs, deps.random());
  const nextAttemptAt = new Date(now.getTime() + delayMs).toISOString();
  const r = await mutateEscalation(deps.store, esc.escalationId, (e) => (stillMine(e, esc)
    ? { ...e, leaseUntil: null, nextAttemptAt, lastError: err.message }
    : undefined), now, { known: esc });
  if (!r?.changed) return 'skipped';
  await deps.store.appendTimeline(esc.escalationId, {
    at: now.toISOString(), type: 'partner_attempt_failed', actor: 'hub',
    detail: { attempt: esc.attempts, httpStatus: err.httpStatus ?? null, error: err.message, nextAttemptAt },
  });
  await deps.queue.send({ queue: QUEUES.partnerWork(esc.partnerId), body: { escalationId: esc.escalationId }, delayMs });
  return 'retry_scheduled';
}

/** No partner incident could be opened: the customer is referred to the partner with the findings. `esc` as claimed. */
async function refer(deps: OpenDeps, esc: Escalation, reason: string, partnerAnswer?: string): Promise<OpenOutcome> {
  const now = deps.clock.now();
  const referral = buildReferral(partnerById(deps.config, esc.partnerId), esc, reason);
  const r = await mutateEscalation(deps.store, esc.escalationId, (e) => (stillMine(e, esc)
    ? { ...e, status: 'referred', referral, leaseUntil: null, nextAttemptAt: null, lastError: partnerAnswer ?? reason, problem: null }
    : undefined), now, { known: esc });
  if (!r?.changed) return 'skipped';
  await announceReferral(deps, esc, 'hub', { reason, ...(partnerAnswer ? { partnerAnswer } : {}) }, now);
  return 'referred';
}

/**
 * A referral made (by the hub, or by the partner refusing the incident): in the timeline, counted, and on
 * the bus, the same whoever made it, so that subscribers and the customer view follow either alike.
 * `dedupeKey`: the timeline entry's, where the caller may run twice for the same referral.
 */
export async function announceReferral(
  deps: Needs<'bus' | 'log' | 'metrics', TimelineStore>, esc: Pick<Escalation, 'escalationId' | 'partnerId' | 'caseId'>,
  actor: string, detail: { reason: string } & Record<string, unknown>, now: Date, dedupeKey?: string,
): Promise<void> {
  await deps.store.appendTimeline(esc.escalationId, { at: now.toISOString(), type: 'escalation_referred', actor, detail }, dedupeKey);
  deps.log.warn('escalation referred', { referredBy: actor });
  deps.metrics?.count('EscalationsReferred', esc.partnerId);
  await deps.bus.publish([hubEvent('EscalationReferred', { version: 1, escalationId: esc.escalationId, partnerId: esc.partnerId, caseId: esc.caseId, reason: detail.reason })]);
}
