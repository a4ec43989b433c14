/**
 * zod schemas for every answer of the HTTP contract (docs/api.md): what each route answers, per status.
 * The route declarations (topology/routes.ts) name them, the OpenAPI document is built from them, and a
 * test validates real answers of the running hub against that document. The views in core/escalation.ts
 * are typed by these schemas, so a field added to a view without its schema fails `tsc`.
 */
import * as z from 'zod';
import { KNOWN_INCIDENT_MATCHES, SEVERITIES, STATUSES } from './escalation';

const time = z.iso.datetime({ offset: true });
const ticket = z.strictObject({ id: z.string(), number: z.string(), url: z.string().optional() });
const referral = z.strictObject({ reason: z.string(), instructions: z.string() });

/** Every error: `{ error: { code, message, details? } }`. */
export const ErrorAnswer = z.strictObject({
  error: z.strictObject({
    code: z.string(), message: z.string(),
    details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** A partner's own incident attached to an escalation, as a customer sees a confirmed one: the partner's id, title, status and link. */
export const CustomerKnownIncidentAnswer = z.strictObject({
  source: z.string(), id: z.string(), title: z.string(), status: z.string(), url: z.string().optional(), startedAt: time, resolvedAt: time.optional(),
});
export type CustomerKnownIncidentAnswer = z.infer<typeof CustomerKnownIncidentAnswer>;
/** As engineers see it: with what was made of it (`suggested` by the hub, `confirmed` or `dismissed` by an engineer). */
export const EscalationKnownIncidentAnswer = z.strictObject({ ...CustomerKnownIncidentAnswer.shape, match: z.enum(KNOWN_INCIDENT_MATCHES) });

/** An escalation as engineers see it (engineerView). */
export const EscalationAnswer = z.strictObject({
  escalationId: z.string(), caseId: z.string(), customerId: z.string(), partnerId: z.string(), partnerName: z.string(),
  platform: z.string().nullable(), status: z.enum(STATUSES), severity: z.enum(SEVERITIES), summary: z.string(),
  customerSummary: z.string().nullable(), product: z.record(z.string(), z.string()).nullable(),
  partnerTicket: ticket.nullable(), referral: referral.nullable(), ticketMode: z.enum(['api', 'manual']),
  attempts: z.number().int(), lastError: z.string().nullable(),
  problem: z.strictObject({ code: z.string(), message: z.string(), since: time }).nullable(),
  knownIncidents: z.array(EscalationKnownIncidentAnswer),
  /** The vendor's desk its case is in (`desks`), when it was flagged or tagged there: its changes are written back to that case. */
  deskId: z.string().nullable(),
  createdAt: time, updatedAt: time,
});
export type EscalationAnswer = z.infer<typeof EscalationAnswer>;

export const TimelineEntryAnswer = z.strictObject({ at: time, type: z.string(), actor: z.string(), detail: z.record(z.string(), z.unknown()) });

/** `GET /v1/escalations/{id}`: the escalation, its findings, the newest timeline page, and a manual partner's instructions. */
export const EscalationDetailAnswer = z.strictObject({
  ...EscalationAnswer.shape,
  manual: z.strictObject({ portalUrl: z.string(), instructions: z.string() }).optional(),
  findings: z.string().nullable(),
  timeline: z.array(TimelineEntryAnswer),
  timelineBefore: z.string().optional(),
});

export const EscalationListAnswer = z.strictObject({ items: z.array(EscalationAnswer) });
/** Older timeline entries, oldest first; `before`: the cursor of the next older page, `null` when none are left. */
export const TimelinePageAnswer = z.strictObject({ items: z.array(TimelineEntryAnswer), before: z.string().nullable() });

export const COMMENT_DESTINATIONS = ['partner_ticket', 'when_ticket_opens', 'timeline_only'] as const;
export const CommentAnswer = z.strictObject({
  status: z.literal('accepted'), forwarded: z.string(), destination: z.enum(COMMENT_DESTINATIONS), message: z.string(),
});
export const JointCallAnswer = z.strictObject({ provider: z.string(), meetingId: z.string(), joinUrl: z.string() });
export const StatusLinkAnswer = z.strictObject({ path: z.string(), expiresAt: time });

/** A partner incident as its customer sees it (customerIncidentView): no findings, timeline or engineer names. */
export const CustomerIncidentAnswer = z.strictObject({
  partnerId: z.string(), partnerName: z.string(), ticketNumber: z.string().nullable(), ticketUrl: z.string().nullable(),
  status: z.enum(STATUSES), openedAt: time.nullable(), updatedAt: time, referral: referral.nullable(),
  knownIncidents: z.array(CustomerKnownIncidentAnswer),
});
export type CustomerIncidentAnswer = z.infer<typeof CustomerIncidentAnswer>;
export const CustomerIncidentsAnswer = z.strictObject({ caseId: z.string(), incidents: z.array(CustomerIncidentAnswer) });

/** A partner's own incident (API.md "Known partner incidents"): the partner's id, title, status and link. */
export const KnownIncidentAnswer = z.strictObject({
  source: z.string(), id: z.string(), title: z.string(), status: z.string(), url: z.string().optional(),
  startedAt: time, resolvedAt: time.optional(), services: z.array(z.string()),
});
/**
 * The partner's incidents active now, newest first. `source`: its service-health source, `null` when its
 * profile names none (then `items` is always empty); `polledAt`: the last poll, `null` before the first.
 */
export const KnownIncidentsAnswer = z.strictObject({
  items: z.array(KnownIncidentAnswer), source: z.string().nullable(), polledAt: time.nullable(),
});

export const HealthAnswer = z.strictObject({ status: z.literal('ok') });
export const OpenApiAnswer = z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) });

export const DeadLettersAnswer = z.strictObject({
  queues: z.array(z.string()),
  items: z.array(z.strictObject({
    queue: z.string(), messageId: z.string(), receiveCount: z.number().int(), escalationId: z.string().nullable(),
    lastError: z.string().nullable(), failedAt: time.nullable(), body: z.unknown(),
  })),
});
export const RedriveAnswer = z.strictObject({ results: z.array(z.strictObject({ queue: z.string(), moved: z.union([z.number().int(), z.literal('started')]) })) });

/**
 * `hub doctor` (POST /v1/admin/doctor): one line per check of each partner's set-up. `fail` makes `ok`
 * false; `skip` is a check not run (the detail says why); `info` is no check (a webhook URL to register).
 * No detail holds a secret.
 */
export const DOCTOR_RESULTS = ['pass', 'fail', 'skip', 'info'] as const;
export const DoctorLineAnswer = z.strictObject({
  partner: z.string(), connector: z.string(), check: z.string(), result: z.enum(DOCTOR_RESULTS), detail: z.string(),
});
export type DoctorLine = z.infer<typeof DoctorLineAnswer>;
export const DoctorAnswer = z.strictObject({ ok: z.boolean(), checks: z.array(DoctorLineAnswer) });
export type DoctorReport = z.infer<typeof DoctorAnswer>;

/** A webhook delivery taken: `accepted` (queued, 202), or on 200 a `duplicate`, or a collaboration delivery `recorded`. */
export const WebhookAcceptedAnswer = z.strictObject({ status: z.literal('accepted'), deliveryId: z.string() });
/** `POST /v1/desks/{deskId}/events`: what became of the desk event (every verified event is acknowledged). */
export const DeskEventAnswer = z.union([
  z.strictObject({ status: z.enum(['flagged', 'already-flagged']), escalationId: z.string() }),
  z.strictObject({ status: z.literal('ignored'), reason: z.string() }),
  // written to the desk case as an engineer-only note when the event named one
  z.strictObject({ status: z.literal('not-flagged'), problems: z.array(z.string()) }),
  z.strictObject({ status: z.literal('duplicate') }),
]);
export const WebhookAnsweredAnswer = z.union([
  z.strictObject({ status: z.literal('duplicate'), deliveryId: z.string() }),
  z.strictObject({ status: z.literal('recorded'), deliveryId: z.string(), events: z.number().int() }),
  // a provider's URL validation (Zoom: endpoint.url_validation) answered in its own form
  z.strictObject({ plainToken: z.string(), encryptedToken: z.string() }),
]);
