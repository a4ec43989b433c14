/**
 * Domain events on the bus. Each is a versioned contract: source, detail-type, version and schema.
 * Events carry ids, never findings or customer contact data.
 */
import * as z from 'zod';
import { SEVERITIES, STATUSES } from './escalation';

export const EVENT_SOURCE = 'partner-escalation-hub';

const base = { version: z.literal(1), escalationId: z.string(), partnerId: z.string(), caseId: z.string() };

export const EscalationRequested = z.object({ ...base });
export const PartnerIncidentOpened = z.object({ ...base, ticketNumber: z.string(), pendingComments: z.number().int().min(0) });
export const PartnerStatusChanged = z.object({ ...base, from: z.enum(STATUSES), to: z.enum(STATUSES), partnerStatus: z.string() });
export const EscalationReferred = z.object({ ...base, reason: z.string() });
/**
 * `commentId` and `commentAt` (added): the comment to forward, by its id and time (which name its timeline
 * item, commentRef in core/timeline.ts); absent on older events, which forward every pending comment.
 */
export const CommentAdded = z.object({ ...base, commentId: z.string().optional(), commentAt: z.string().optional() });
export const EscalationCancelled = z.object({ ...base });
export const EscalationAged = z.object({
  ...base, threshold: z.enum(['ticketWithinMinutes', 'partnerUpdateWithinMinutes']), severity: z.enum(SEVERITIES), deadline: z.string(),
});
export const JointCallScheduled = z.object({ ...base, provider: z.string(), meetingId: z.string() });
export const PartnerTicketRecorded = z.object({ ...base, ticketNumber: z.string() });
/**
 * A partner's own incident (its service-health source) started or was resolved: partner-wide, so no
 * escalation. `incidentId` is the partner's (`TM123456`).
 */
const knownIncident = {
  version: z.literal(1), partnerId: z.string(), source: z.string(), incidentId: z.string(), title: z.string(), status: z.string(),
  startedAt: z.string(), services: z.array(z.string()), url: z.string().optional(),
};
export const KnownIncidentStarted = z.object(knownIncident);
export const KnownIncidentResolved = z.object({ ...knownIncident, resolvedAt: z.string() });
/**
 * An engineer confirmed that a partner incident attached to this escalation is the case's cause: the
 * escalation's own event (a desk case it came from gets a customer-visible comment).
 */
export const KnownIncidentConfirmed = z.object({
  ...base, source: z.string(), incidentId: z.string(), title: z.string(), status: z.string(), url: z.string().optional(), startedAt: z.string(),
});
/**
 * A partner incident that an engineer confirmed on this escalation was resolved by the partner: the
 * escalation's own event (subscribers hear of it), one per escalation that confirmed it.
 */
export const ConfirmedIncidentResolved = z.object({
  ...base, source: z.string(), incidentId: z.string(), title: z.string(), status: z.string(), url: z.string().optional(),
  startedAt: z.string(), resolvedAt: z.string(),
});

export const EVENT_SCHEMAS = {
  EscalationRequested,
  PartnerIncidentOpened,
  PartnerStatusChanged,
  EscalationReferred,
  CommentAdded,
  EscalationCancelled,
  JointCallScheduled,
  PartnerTicketRecorded,
  EscalationAged,
  KnownIncidentStarted,
  KnownIncidentResolved,
  KnownIncidentConfirmed,
  ConfirmedIncidentResolved,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type HubEvent = {
  [K in EventType]: { source: typeof EVENT_SOURCE; detailType: K; detail: z.infer<(typeof EVENT_SCHEMAS)[K]> }
}[EventType];

export function hubEvent<K extends EventType>(detailType: K, detail: z.infer<(typeof EVENT_SCHEMAS)[K]>): HubEvent {
  return { source: EVENT_SOURCE, detailType, detail: EVENT_SCHEMAS[detailType].parse(detail) } as HubEvent;
}
