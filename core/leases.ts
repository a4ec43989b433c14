/**
 * Time limits that keep partner work single: a partner call has a total deadline, and whoever holds a
 * lease (an opening attempt, a comment's forwarder) only starts a call that ends, deadline included,
 * before its lease does. So a second holder can never start while the first can still reach the partner.
 */
import type { HubDeps } from './deps';
import type { PartnerProfile } from './config';

/** How long one partner call may take in all (waiting for a connection slot, connecting, the whole answer). */
export const PARTNER_CALL_DEADLINE_MS = 10_000;

/** How long one opening attempt holds an escalation at first (it makes at most a find and a create). */
export const ATTEMPT_LEASE_MS = 30_000;

/** What a lease must have left beyond a partner call's deadline: the store writes around the call. */
export const LEASE_MARGIN_MS = 5_000;

/** A partner call's total deadline: the partner profile's `timeoutMs`. */
export const callDeadlineMs = (partner: Pick<PartnerProfile, 'timeoutMs'> | undefined): number => partner?.timeoutMs ?? PARTNER_CALL_DEADLINE_MS;

/** The lease lengths in force (tests shorten them through `deps.leases`). */
export function leaseTimes(deps: Pick<HubDeps, 'leases'>): { attemptMs: number; marginMs: number } {
  return { attemptMs: deps.leases?.attemptMs ?? ATTEMPT_LEASE_MS, marginMs: deps.leases?.marginMs ?? LEASE_MARGIN_MS };
}
