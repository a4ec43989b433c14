import { agingDeadline } from '../aging';
import type { Needs } from '../deps';
import { canRetryOpening, PROBLEM_PARTNER_CREDENTIALS, type Escalation } from '../escalation';
import { ConflictError, NotFoundError } from '../errors';
import { hubEvent } from '../events';
import type { EscalationRecords, ServiceHealthStore, TimelineStore } from '../ports';
import { suggestKnownIncidents } from './known-incident-matches';
import { externalRefOf } from './open-partner-incident';
import { mutateEscalation } from './mutate-escalation';

/**
 * An engineer asks the hub to try opening the partner incident again (`POST …/retry`): after a referral
 * (say, the partner was down for longer than the retries lasted), or at once while the hub waits out a
 * problem of its own set-up (the credentials were fixed: no need to wait for the next try).
 * Steps: refuse (409, naming the state) anything but a `referred` escalation without a partner ticket, or
 * a `requested` one with a problem; move it back to `requested` (the same escalation, so the same
 * `externalRef`: after any earlier attempt the worker finds the incident before creating one, never a
 * second incident), with its referral cleared, a fresh attempt budget and a fresh ticket deadline for
 * aging; record it; announce `EscalationRequested`, which queues it for its partner's worker (if that
 * announcement fails, the open-work index lets the sweep drive it); watch the partner's incidents again
 * and attach those active now (known-incident-matches.ts).
 */
export async function retryOpening(
  deps: Needs<'config' | 'clock' | 'bus' | 'log' | 'connectors', EscalationRecords & TimelineStore & ServiceHealthStore>, escalationId: string, actor: string,
): Promise<Escalation> {
  const now = deps.clock.now();
  let refused: string | undefined;
  let from: Escalation['status'] = 'referred';
  const r = await mutateEscalation(deps.store, escalationId, (e) => {
    from = e.status;
    const waitingOnProblem = e.status === 'requested' && e.problem?.code === PROBLEM_PARTNER_CREDENTIALS;
    if (!(canRetryOpening(e.status) || waitingOnProblem)) {
      refused = `The escalation is ${e.status}, not referred: it cannot try again to open the partner incident.`;
      return undefined;
    }
    if (e.partnerTicket) {
      refused = `The escalation has partner ticket ${e.partnerTicket.number}.`;
      return undefined;
    }
    if (waitingOnProblem) return { ...e, nextAttemptAt: null, leaseUntil: null };
    const ticketDueBy = agingDeadline(deps.config, e.partnerId, e.severity, now, 'ticketWithinMinutes');
    return {
      ...e, status: 'requested', referral: null, problem: null, leaseUntil: null, nextAttemptAt: null, redrivenAt: null,
      // an attempt before means "find before create" on the next one (attempts > 1): keep that, restart the budget
      attempts: e.attempts > 0 ? 1 : 0,
      ticketDueBy, agedFor: (e.agedFor ?? []).filter((k) => k !== 'ticket'),
    };
  }, now);
  if (!r) throw new NotFoundError(`No escalation ${escalationId}.`);
  if (refused) throw new ConflictError(refused, [{ path: 'status', message: `is ${from}` }]);
  const e = r.after;
  await deps.store.appendTimeline(escalationId, {
    at: now.toISOString(), type: 'escalation_retried', actor, detail: { from, externalRef: externalRefOf(escalationId) },
  });
  try {
    await deps.bus.publish([hubEvent('EscalationRequested', { version: 1, escalationId, partnerId: e.partnerId, caseId: e.caseId })]);
  } catch (err) {
    deps.log.error('could not publish EscalationRequested; the sweep will drive it', { escalationId, error: String(err) });
  }
  // open again: it watches its partner's incidents again (the poller let it go when it found it referred)
  return suggestKnownIncidents(deps, e);
}
