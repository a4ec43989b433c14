/**
 * What a customer sees of their case, and how they are let in: the partner incidents of one case (API and
 * status page), signed status links minted by engineers, and the status page's access decisions (a
 * customer token, a link that becomes a session, or the session). An invalid case id, an unknown case and
 * another customer's case all answer the same "not found": existence is never revealed.
 */
import { customerIncidentView } from '../escalation';
import { ConflictError, NotFoundError } from '../errors';
import type { Clock, EscalationStore } from '../ports';
import type { CustomerIncidentAnswer } from '../responses';
import { CaseIdParam } from '../schemas';
import type { StatusLinkSigner } from '../status-links';

export interface CustomerViewDeps { store: Pick<EscalationStore, 'listByCustomerCase'>; clock: Clock }

/** The customer's partner incidents of one case; none (`[]`) when the case is not theirs, unknown or malformed. */
export async function customerIncidents(deps: CustomerViewDeps, customerId: string, caseId: string): Promise<CustomerIncidentAnswer[]> {
  if (!CaseIdParam.safeParse(caseId).success) return [];
  return (await deps.store.listByCustomerCase(customerId, caseId)).map(customerIncidentView);
}

/** `GET /v1/customer/cases/{caseId}/partner-incidents`: the customer's incidents, or NotFoundError. */
export async function requireCustomerIncidents(deps: CustomerViewDeps, customerId: string, caseId: string): Promise<CustomerIncidentAnswer[]> {
  const incidents = await customerIncidents(deps, customerId, caseId);
  if (incidents.length === 0) throw new NotFoundError(`No case ${caseId} with partner incidents.`);
  return incidents;
}

/** The address of a case's status page. */
export const statusPagePath = (caseId: string) => `/status/cases/${encodeURIComponent(caseId)}`;

/**
 * Mints a link to a customer's status page, valid for `ttlMinutes`. Only for a case of that customer that
 * has partner incidents (a link to nothing is refused, 404); ConflictError when no signer is configured.
 */
export async function mintStatusLink(
  deps: CustomerViewDeps, signer: StatusLinkSigner | undefined, req: { customerId: string; caseId: string; ttlMinutes: number },
): Promise<{ path: string; expiresAt: string }> {
  if (!signer) throw new ConflictError('Status links are not enabled: no session key is configured.');
  if ((await deps.store.listByCustomerCase(req.customerId, req.caseId)).length === 0) {
    throw new NotFoundError(`Customer ${req.customerId} has no case ${req.caseId} with partner incidents.`);
  }
  const exp = Math.floor(deps.clock.now().getTime() / 1000) + req.ttlMinutes * 60;
  return {
    path: `${statusPagePath(req.caseId)}?link=${signer.sign({ customerId: req.customerId, caseId: req.caseId, exp })}`,
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}

/** How the status page's caller presents themselves; any may be absent. */
export interface CaseAccess {
  /** The customer id of a valid customer bearer token. */
  customerId?: string | undefined;
  /** A signed link (`?link=`). */
  link?: string | undefined;
  /** The session cookie a link became. */
  session?: string | undefined;
}

export type CustomerCaseView =
  | { kind: 'not_found' }
  /** The link has expired, is not one the hub signed, or is for another case. */
  | { kind: 'link_refused' }
  /** A valid link: it becomes a session (the same token) for as long as it stays valid. */
  | { kind: 'start_session'; session: string; maxAgeSeconds: number; location: string }
  | { kind: 'incidents'; caseId: string; incidents: CustomerIncidentAnswer[] };

/** The status page's decision: who the caller is, whether they may see the case, and what they see. */
export async function viewCustomerCase(deps: CustomerViewDeps, signer: StatusLinkSigner | undefined, caseId: string, access: CaseAccess): Promise<CustomerCaseView> {
  if (!CaseIdParam.safeParse(caseId).success) return { kind: 'not_found' };
  const now = deps.clock.now();
  const grantFor = (token: string) => {
    const grant = signer?.verify(token, now);
    return grant?.caseId === caseId ? grant : undefined;
  };
  if (access.link !== undefined) {
    const grant = grantFor(access.link);
    if (!grant) return { kind: 'link_refused' };
    const maxAgeSeconds = Math.max(0, grant.exp - Math.floor(now.getTime() / 1000));
    return { kind: 'start_session', session: access.link, maxAgeSeconds, location: statusPagePath(caseId) };
  }
  const customerId = access.customerId ?? (access.session === undefined ? undefined : grantFor(access.session)?.customerId);
  if (!customerId) return { kind: 'not_found' };
  const incidents = await customerIncidents(deps, customerId, caseId);
  return incidents.length ? { kind: 'incidents', caseId, incidents } : { kind: 'not_found' };
}
