import type { RetryPolicy } from '../backoff';
import type { Needs } from '../deps';
import { PROBLEM_PARTNER_CREDENTIALS, type Escalation, type HubProblem } from '../escalation';
import { PartnerCallError } from '../errors';
import type { EscalationRecords, TimelineStore } from '../ports';
import { mutateEscalation } from './mutate-escalation';

/**
 * The partner refused the hub's own credentials (HTTP 401 or 403): the vendor's token is wrong or expired.
 * That is the hub's set-up, not the partner's answer to the incident: never a referral, never a refused
 * comment. The escalation keeps its state and carries a `problem`, and the hub keeps trying.
 */
export const credentialsRefused = (err: unknown): err is PartnerCallError & { httpStatus: 401 | 403 } =>
  err instanceof PartnerCallError && (err.httpStatus === 401 || err.httpStatus === 403);

/**
 * How the hub retries while its credentials are refused: long and capped (1 minute doubling to 1 hour, with
 * jitter), for as long as it lasts, so it recovers on its own once the configuration is fixed.
 */
export const CREDENTIALS_RETRY: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 60_000, maxDelayMs: 60 * 60_000 };

/** The problem after one more refusal: `since` kept from the first one in a row. */
export function credentialsProblem(e: Pick<Escalation, 'problem' | 'partnerName'>, err: PartnerCallError, operation: string, now: Date): HubProblem {
  const same = e.problem?.code === PROBLEM_PARTNER_CREDENTIALS ? e.problem : undefined;
  return {
    code: PROBLEM_PARTNER_CREDENTIALS,
    message: `${e.partnerName} refused the hub's credentials (HTTP ${err.httpStatus}) when it tried to ${operation}: `
      + 'check the partner profile\'s credentials. The hub keeps retrying; the customer is not referred.',
    since: same?.since ?? now.toISOString(),
    failures: (same?.failures ?? 0) + 1,
  };
}

/** Records a credentials problem on an escalation (any state), with the alarm metric and a timeline note. */
export async function recordCredentialsProblem(
  deps: Needs<'clock' | 'log' | 'metrics', EscalationRecords & TimelineStore>, esc: Escalation, err: PartnerCallError, operation: string,
): Promise<HubProblem> {
  const now = deps.clock.now();
  let problem = credentialsProblem(esc, err, operation, now);
  await mutateEscalation(deps.store, esc.escalationId, (e) => {
    problem = credentialsProblem(e, err, operation, now);
    return { ...e, problem, lastError: err.message };
  }, now, { known: esc });
  await noteCredentialsProblem(deps, esc, problem, err, operation);
  return problem;
}

/** The timeline note, the alarm metric and the log line of one refusal of the hub's credentials. */
export async function noteCredentialsProblem(
  deps: Needs<'clock' | 'log' | 'metrics', TimelineStore>, esc: Pick<Escalation, 'escalationId' | 'caseId' | 'partnerId'>,
  problem: HubProblem, err: PartnerCallError, operation: string, extra: Record<string, unknown> = {},
): Promise<void> {
  await deps.store.appendTimeline(esc.escalationId, {
    at: deps.clock.now().toISOString(), type: 'hub_problem', actor: 'hub',
    detail: { code: problem.code, operation, httpStatus: err.httpStatus ?? null, error: err.message, failures: problem.failures, ...extra },
  });
  deps.metrics?.count('HubProblems', esc.partnerId);
  deps.log.error('the partner refused the hub\'s credentials', {
    escalationId: esc.escalationId, caseId: esc.caseId, partnerId: esc.partnerId, operation, httpStatus: err.httpStatus, code: problem.code,
  });
}

/** Clears a credentials problem once a partner call succeeds again (no write when there is none). */
export async function clearCredentialsProblem(deps: Needs<'clock', EscalationRecords>, escalationId: string): Promise<void> {
  const now = deps.clock.now();
  await mutateEscalation(deps.store, escalationId, (e) => (e.problem?.code === PROBLEM_PARTNER_CREDENTIALS ? { ...e, problem: null } : undefined), now);
}
