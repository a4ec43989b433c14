/** zod schemas for every request body and query of the HTTP contract (docs/api.md). */
import * as z from 'zod';
import { CUSTOMER_REQUEST_CHANNELS, MANUAL_PARTNER_STATUSES, SEVERITIES } from './escalation';
import { ValidationError, type ErrorDetail } from './errors';
import { PROTOTYPE_KEYS } from './partner-input';

const idChars = /^[A-Za-z0-9._:-]+$/;
const externalId = (what: string) =>
  z.string().min(1).max(64).regex(idChars, `${what} may use only letters, digits and . _ : -`);

/**
 * A free-form record of short strings (`product`, `customerContact`). Keys that name an object's prototype
 * members (`constructor`, `__proto__`, `toString`…) are refused: stored, a `constructor` key made the
 * DynamoDB marshaller take the record for a class instance (a 500).
 */
const freeText = (max: number) => z.record(
  z.string().max(64).refine((k) => !PROTOTYPE_KEYS.has(k), { message: 'is a reserved name (an object prototype member)' }),
  z.string().max(max),
);

/** Who asked for the escalation, when and how (optional; a partner profile may require it). */
export const CustomerRequest = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  by: z.string().trim().min(1).max(200),
  channel: z.enum(CUSTOMER_REQUEST_CHANNELS),
});

/** The longest `summary` and `findings` of a flag (a desk's longer text is cut to fit: desk-events.ts). */
export const SUMMARY_MAX = 200;
export const FINDINGS_MAX = 20000;

export const CreateEscalationRequest = z.strictObject({
  caseId: externalId('caseId'),
  customerId: externalId('customerId'),
  platform: z.string().min(1).max(64).optional(),
  partnerId: z.string().min(1).max(64).optional(),
  severity: z.enum(SEVERITIES),
  summary: z.string().trim().min(1).max(SUMMARY_MAX),
  findings: z.string().min(1).max(FINDINGS_MAX),
  /** The part of the findings the customer may read (shown in referrals); defaults to the summary. */
  customerSummary: z.string().trim().min(1).max(2000).optional(),
  product: freeText(200).optional(),
  customerContact: freeText(320).optional(),
  customerRequest: CustomerRequest.optional(),
  /** The customer's support contract, tenant or account id with the partner. */
  partnerEntitlement: z.string().trim().min(1).max(200).optional(),
}).refine((v) => v.platform !== undefined || v.partnerId !== undefined, {
  message: 'give platform or partnerId', path: ['platform'],
});
export type CreateEscalationRequest = z.infer<typeof CreateEscalationRequest>;

export const AddCommentRequest = z.strictObject({ body: z.string().trim().min(1).max(10000) });
export const CancelRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const JointCallRequestBody = z.strictObject({
  startTime: z.iso.datetime({ offset: true }).optional(),
  durationMinutes: z.number().int().min(5).max(480).optional(),
});
export const StatusLinkRequest = z.strictObject({
  customerId: externalId('customerId'),
  caseId: externalId('caseId'),
  ttlMinutes: z.number().int().min(5).max(7 * 24 * 60).default(60),
});
export const PartnerTicketRequest = z.strictObject({
  number: z.string().trim().min(1).max(100),
  url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
});
/** `POST …/retry`: nothing to say (an empty body is taken as `{}`). */
export const RetryRequest = z.strictObject({});
/** Confirming or dismissing a known partner incident on an escalation: nothing to say but the route (an empty body, or none). */
export const KnownIncidentDecisionRequest = z.strictObject({});
/** `POST …/partner-status`: what the partner's portal shows, for a partner without an API. */
export const PartnerStatusRequest = z.strictObject({
  status: z.enum(MANUAL_PARTNER_STATUSES),
  note: z.string().trim().min(1).max(2000).optional(),
});
export const ListEscalationsQuery = z.object({ caseId: externalId('caseId') });
/**
 * `GET /v1/escalations/{id}/timeline`: `before` is a cursor from an earlier answer (checked by
 * decodeTimelineCursor: 400 when it is not one); `limit` a whole number from 1 to 200 (default 100).
 * (A regular expression rather than z.coerce: coercion costs every function bundle 2 KB.)
 */
export const TimelinePageQuery = z.object({
  before: z.string().min(1).max(8192).optional(),
  limit: z.string().regex(/^(?:[1-9]\d?|1\d\d|200)$/, 'a whole number from 1 to 200').optional(),
});
/** The roles a bearer token's `role` claim names. */
export const ROLES = ['engineer', 'customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The operator routes: `queue` names one work queue (all when absent). */
export const DeadLettersQuery = z.object({ queue: z.string().min(1).max(100).optional() });
/** A desk event's query: a Salesforce Outbound Message carries the desk's `outboundMessageToken` in its endpoint URL (the connector checks it). */
export const DeskEventQuery = z.object({ token: z.string().max(200).optional() });
export const RedriveRequest = z.strictObject({ queue: z.string().min(1).max(100).optional() });

export const EscalationIdParam = z.string().min(1).max(80).regex(/^[A-Za-z0-9_-]+$/);
export const CaseIdParam = externalId('caseId');

/** Turns zod issues into the contract's `details` (path as dotted string). */
export function toDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((i) => {
    const at = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({ path: at ? `${at}.${k}` : k, message: 'is not a known field' }));
    }
    return [{ path: at || '(body)', message: i.message }];
  });
}

/** Parses or throws a ValidationError that names every failing field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = toDetails(r.error);
    throw new ValidationError(`The ${what} is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  }
  return r.data;
}
