/**
 * Notifications: subscribers in the configuration receive domain events — the vendor's CRM or support
 * portal by signed webhook (it writes the partner ticket number back onto the case), support management
 * by a Microsoft Teams channel message or e-mail. Pure: schemas, selection and rendering.
 */
import * as z from 'zod';
import type { Escalation } from './escalation';
import type { EventType } from './events';

export const NOTIFICATION_EVENTS = [
  'EscalationRequested', 'PartnerIncidentOpened', 'PartnerStatusChanged', 'EscalationAged', 'EscalationReferred',
  'JointCallScheduled', 'PartnerTicketRecorded', 'EscalationCancelled', 'ConfirmedIncidentResolved',
] as const satisfies readonly EventType[];
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

const events = z.array(z.enum(NOTIFICATION_EVENTS)).min(1);
const id = z.string().regex(/^[a-z0-9-]+$/, 'use only a-z, 0-9 and -').min(1).max(40);

export const Subscriber = z.discriminatedUnion('kind', [
  z.strictObject({
    id, kind: z.literal('webhook'), events,
    url: z.url({ protocol: /^https?$/ }),
    /** Standard Webhooks signing secret, `whsec_<base64>`. */
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'secret must look like whsec_<base64>'),
  }),
  z.strictObject({ id, kind: z.literal('teams'), events, url: z.url({ protocol: /^https$|^http$/ }) }),
  z.strictObject({ id, kind: z.literal('email'), events, to: z.array(z.email()).min(1), from: z.email() }),
]);
export type Subscriber = z.infer<typeof Subscriber>;

/** What every channel is given: ids and customer-safe facts, never findings or contact data. */
export interface Notification {
  /** Stable per event and subscriber: receivers dedupe on it (`webhook-id`). */
  id: string;
  type: NotificationEvent;
  occurredAt: string;
  title: string;
  text: string;
  data: Record<string, unknown>;
}

export interface NotificationChannel {
  /** Delivers or throws (the queue retries, then dead-letters). */
  deliver(subscriber: Subscriber, notification: Notification): Promise<void>;
}

export const subscribersFor = (subscribers: readonly Subscriber[], type: string) =>
  subscribers.filter((s) => (s.events as readonly string[]).includes(type));

const TITLES: Record<NotificationEvent, (e: Escalation, d: Record<string, unknown>) => string> = {
  EscalationRequested: (e) => `Case ${e.caseId} escalated to ${e.partnerName}`,
  PartnerIncidentOpened: (e) => `${e.partnerName} opened ${e.partnerTicket?.number ?? 'an incident'} for case ${e.caseId}`,
  PartnerStatusChanged: (e, d) => `${e.partnerName} ${e.partnerTicket?.number ?? ''}: ${String(d.from)} → ${String(d.to)} (case ${e.caseId})`,
  EscalationAged: (e, d) => `Case ${e.caseId} (${e.severity}) aged past ${d.threshold === 'ticketWithinMinutes' ? 'the partner-ticket threshold' : 'the partner-update threshold'}`,
  EscalationReferred: (e) => `Case ${e.caseId}: customer referred to ${e.partnerName}`,
  JointCallScheduled: (e) => `Joint call with ${e.partnerName} scheduled for case ${e.caseId}`,
  PartnerTicketRecorded: (e) => `${e.partnerName} ticket ${e.partnerTicket?.number ?? ''} recorded for case ${e.caseId}`,
  EscalationCancelled: (e) => `Escalation of case ${e.caseId} to ${e.partnerName} cancelled`,
  ConfirmedIncidentResolved: (e, d) => `${e.partnerName} resolved its incident ${String(d.incidentId)} (${String(d.title)}), confirmed for case ${e.caseId}`,
};

export function renderNotification(id: string, type: NotificationEvent, occurredAt: string, detail: Record<string, unknown>, e: Escalation): Notification {
  const title = TITLES[type](e, detail).replace(/\s+/g, ' ').trim();
  const lines = [
    `Case ${e.caseId} (customer ${e.customerId}), severity ${e.severity}, status ${e.status}.`,
    e.partnerTicket ? `${e.partnerName} ticket: ${e.partnerTicket.number}${e.partnerTicket.url ? ` (${e.partnerTicket.url})` : ''}.` : `No ${e.partnerName} ticket yet.`,
    ...(e.referral ? [`Referral: ${e.referral.reason}`] : []),
  ];
  return {
    id, type, occurredAt, title, text: lines.join('\n'),
    data: {
      ...detail,
      escalationId: e.escalationId, caseId: e.caseId, customerId: e.customerId, partnerId: e.partnerId, partnerName: e.partnerName,
      status: e.status, severity: e.severity, partnerTicket: e.partnerTicket, referral: e.referral,
    },
  };
}
