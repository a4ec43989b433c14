import { agingDeadline } from '../aging';
import { routePartner, type PartnerProfile } from '../config';
import type { Needs } from '../deps';
import type { CustomerMandate, Escalation } from '../escalation';
import { ConflictError, NoRouteError, ValidationError } from '../errors';
import { hubEvent } from '../events';
import { correlationKeys } from '../log';
import type { EscalationRecords, ServiceHealthStore, TimelineStore } from '../ports';
import { suggestKnownIncidents } from './known-incident-matches';
import type { CreateEscalationRequest } from '../schemas';

/**
 * Flags a case as partner-related.
 * Steps: route to a partner (explicit partnerId wins over platform); refuse (422, naming each field) a flag
 * without a field the partner's profile `requires`; record the escalation through the
 * case→escalation uniqueness item (idempotent under concurrent requests); refuse (409, naming `caseId`)
 * when the case is another customer's; announce `EscalationRequested` for a new one (if the announcement
 * fails, the open-work index lets the sweep drive it later); attach the partner's active incidents as
 * suggestions and watch for new ones (known-incident-matches.ts).
 */
export async function flagEscalation(
  deps: Needs<'config' | 'bus' | 'clock' | 'newId' | 'log' | 'connectors', EscalationRecords & TimelineStore & ServiceHealthStore>,
  input: CreateEscalationRequest,
  actor: string,
  origin: { deskId?: string } = {},
): Promise<{ created: boolean; escalation: Escalation }> {
  const partner = routePartner(deps.config, input);
  if (!partner) {
    throw new NoRouteError(input.partnerId !== undefined
      ? `No configured partner has id "${input.partnerId}".`
      : `No configured partner serves platform "${input.platform}".`);
  }
  const mandate = customerMandate(partner, input);
  const nowDate = deps.clock.now();
  const now = nowDate.toISOString();
  const draft: Escalation = {
    escalationId: deps.newId(),
    caseId: input.caseId,
    customerId: input.customerId,
    partnerId: partner.id,
    partnerName: partner.name,
    platform: input.platform ?? null,
    status: 'requested',
    severity: input.severity,
    summary: input.summary,
    customerSummary: input.customerSummary ?? null,
    ...(origin.deskId ? { deskId: origin.deskId } : {}),
    product: input.product ?? null,
    ...(mandate ? { mandate } : {}),
    partnerTicket: null,
    referral: null,
    createdAt: now,
    updatedAt: now,
    createdBy: actor,
    openedAt: null,
    partnerUpdatedAt: null,
    partnerUpdateRank: 0,
    attempts: 0,
    nextAttemptAt: null,
    leaseUntil: null,
    redrivenAt: null,
    ticketMode: deps.connectors.ticketing(partner.id)?.mode === 'manual' ? 'manual' : 'api',
    lastError: null,
    commentsPending: false,
    commentTexts: true,
    ticketDueBy: agingDeadline(deps.config, partner.id, input.severity, nowDate, 'ticketWithinMinutes'),
    updateDueBy: null,
    agedFor: [],
    version: 1,
  };
  const details = { findings: input.findings, customerContact: input.customerContact ?? null };
  // its timeline's first entry ("escalation_requested") is derived from the item: no write of its own
  const result = await deps.store.createEscalation(draft, details);
  if (result.escalation.customerId !== input.customerId) {
    // never answer one customer's escalation to a request about another
    throw new ConflictError(`Case ${input.caseId} belongs to another customer; a case belongs to one customer.`, [
      { path: 'caseId', message: `is already flagged for another customer than ${input.customerId}` },
    ]);
  }
  deps.log.appendKeys(correlationKeys(result.escalation));
  if (result.created) {
    const e = result.escalation;
    deps.log.info('escalation requested', { findingsLength: input.findings.length });
    try {
      await deps.bus.publish([hubEvent('EscalationRequested', { version: 1, escalationId: e.escalationId, partnerId: e.partnerId, caseId: e.caseId })]);
    } catch (err) {
      // accepted all the same: the escalation is stored and due in the open-work index
      deps.log.error('could not publish EscalationRequested; the sweep will drive it', { error: String(err) });
    }
  }
  // again on a repeated flag: it finishes what a request stopped half-way left undone (idempotent)
  return { created: result.created, escalation: await suggestKnownIncidents(deps, result.escalation) };
}

/** The customer's request and entitlement as given (none: `undefined`); refuses a flag without one the partner requires. */
function customerMandate(partner: PartnerProfile, input: CreateEscalationRequest): CustomerMandate | undefined {
  const missing = partner.requires.filter((field) => input[field] === undefined);
  if (missing.length > 0) {
    throw new ValidationError(`${partner.name} takes escalations only with ${missing.join(' and ')}.`,
      missing.map((field) => ({ path: field, message: `is required by partner "${partner.id}"` })));
  }
  const { customerRequest, partnerEntitlement } = input;
  if (customerRequest === undefined && partnerEntitlement === undefined) return undefined;
  return { ...(customerRequest ? { customerRequest } : {}), ...(partnerEntitlement !== undefined ? { partnerEntitlement } : {}) };
}
