/**
 * `servicenow`: an incident in the partner's ServiceNow instance, through the Table API
 * (`/api/now/table/incident`, https://developer.servicenow.com/dev.do#!/reference/api/latest/rest/c_TableAPI).
 *
 * - Auth: Basic `credentials.username:credentials.password` (an integration user; give it the GMT time
 *   zone, because encoded-query dates are read in the user's zone and the cursor below is UTC).
 * - No duplicates: ServiceNow has no idempotency header, so every incident carries the hub's reference in
 *   `correlation_id` (and `correlation_display` names the hub); `findByExternalRef` queries
 *   `correlation_id=<ref>`, which the hub calls before any re-create.
 * - Status: `state` codes (strings, as ServiceNow sends them) 1 New → open, 2 In Progress → in_progress,
 *   3 On Hold → awaiting_info, 6 Resolved → resolved, 7 Closed and 8 Canceled → closed; anything else
 *   (e.g. `-2`, or a customised state) is kept as `partnerStatus` with status `null`.
 * - Status comes back by polling (`listUpdatedSince`, a `sys_updated_on` cursor) and, optionally, by a
 *   Standard Webhooks push from a business rule (`webhookSecret`, `whsec_…`), body:
 *
 *     { "type": "incident.updated",
 *       "data": { "sys_id": "…", "number": "INC0010002", "state": "2",
 *                 "sys_updated_on": "2026-11-25 10:00:00", "correlation_id": "hub:esc_…"?,
 *                 "comment": "latest customer-visible comment"? } }
 *
 *   (the values a business rule reads with `current.getValue(...)`: strings, `sys_updated_on` in UTC).
 */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import type { PartnerStatus, Severity } from '../../core/escalation';
import { ValidationError } from '../../core/errors';
import type { InboundUpdate, PartnerIncident, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { call, expectResponse, partnerClient } from '../partner-http';
import { verifyStandardWebhook } from '../standard-webhooks';
import { parseSettings } from '../settings';

export const SERVICENOW_STATES: Record<string, PartnerStatus> = {
  '1': 'open', '2': 'in_progress', '3': 'awaiting_info', '6': 'resolved', '7': 'closed', '8': 'closed',
};
/** `null` for a state code the hub has no mapping for (recorded, never applied). */
export const mapServiceNowState = (state: string): PartnerStatus | null =>
  Object.hasOwn(SERVICENOW_STATES, state.trim()) ? SERVICENOW_STATES[state.trim()]! : null;

/** Urgency and impact (1 high, 2 medium, 3 low); the instance's priority matrix derives the priority. */
export const SERVICENOW_URGENCY_IMPACT: Record<Severity, { urgency: string; impact: string }> = {
  critical: { urgency: '1', impact: '1' },
  high: { urgency: '1', impact: '2' },
  medium: { urgency: '2', impact: '2' },
  low: { urgency: '3', impact: '3' },
};

/** ServiceNow's internal date-time format, always UTC: `YYYY-MM-DD HH:mm:ss`. */
const SN_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
export function fromServiceNowTime(value: string): string {
  const m = SN_TIME.exec(value.trim());
  const iso = m ? `${m[1]}T${m[2]}Z` : value;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ValidationError(`"${value}" is not a ServiceNow date-time`);
  return new Date(t).toISOString();
}
export const toServiceNowTime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

const scalar = z.union([z.string(), z.number()]).transform(String);
const snTime = z.string().refine((s) => SN_TIME.test(s.trim()) || !Number.isNaN(Date.parse(s)), 'is not a ServiceNow date-time');

/** The fields the hub reads from an incident record (others pass through unread). */
const SnIncident = z.object({
  sys_id: z.string().min(1),
  number: z.string().min(1),
  state: scalar,
  sys_updated_on: snTime,
  sys_mod_count: scalar.optional(),
  correlation_id: z.string().optional(),
});
type SnIncident = z.infer<typeof SnIncident>;
const SnOne = z.object({ result: SnIncident });
const SnMany = z.object({ result: z.array(SnIncident) });

export const ServiceNowPushBody = z.object({
  type: z.string().min(1),
  data: z.object({
    sys_id: z.string().min(1),
    number: z.string().min(1).optional(),
    state: scalar,
    sys_updated_on: snTime,
    correlation_id: z.string().optional(),
    comment: z.string().max(10000).optional(),
  }),
});

export const ServiceNowSettings = z.object({
  credentials: z.object({
    username: z.string({ error: 'is required' }).min(1, 'is required'),
    password: z.string({ error: 'is required' }).min(1, 'is required'),
  }),
  /** `sys_id` or name of the assignment group new incidents go to. */
  assignmentGroup: z.string().min(1).optional(),
  /** Extra fields set on every new incident (e.g. `caller_id`, `category`), as strings. */
  incidentDefaults: z.record(z.string(), z.string()).optional(),
  /** Written to `correlation_display`, and used to poll only the hub's incidents. */
  correlationDisplay: z.string().min(1).max(100).default('escalation-hub'),
  /** The journal field hub comments go to: `comments` (customer-visible) or `work_notes`. */
  commentField: z.enum(['comments', 'work_notes']).default('comments'),
  /** Records per polling call. */
  pollPageSize: z.number().int().min(1).max(1000).default(200),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>').optional(),
  previousWebhookSecrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>')).optional(),
});
export type ServiceNowSettings = z.infer<typeof ServiceNowSettings>;

/** Validates the connector's own profile fields; the error names the partner and the field. */
export function serviceNowSettings(profile: PartnerProfile): ServiceNowSettings {
  return parseSettings(ServiceNowSettings, profile, profile.id, 'servicenow');
}

const FIELDS = 'sys_id,number,state,sys_updated_on,sys_mod_count,correlation_id';
/** Encoded-query values escape `^` as `^^`. */
const q = (v: string) => v.replace(/\^/g, '^^');

/**
 * The polling cursor: the last `sys_updated_on` seen, and the records (`sys_id:sys_mod_count`) already
 * returned at exactly that second. The next query asks `>=` that second and drops those, so an update in
 * the same second as the last poll is neither missed nor returned twice.
 */
interface PollCursor { t: string; seen: string[] }
const encodeCursor = (c: PollCursor) => JSON.stringify(c);
function decodeCursor(cursor: string | undefined, now: Date): PollCursor {
  if (cursor === undefined) return { t: toServiceNowTime(new Date(now.getTime() - 24 * 3600_000)), seen: [] };
  try {
    const c = JSON.parse(cursor) as PollCursor;
    if (typeof c.t === 'string' && SN_TIME.test(c.t) && Array.isArray(c.seen)) return { t: c.t, seen: c.seen.map(String) };
  } catch { /* a bare sys_updated_on value is accepted too */ }
  if (SN_TIME.test(cursor)) return { t: cursor, seen: [] };
  throw new ValidationError(`"${cursor}" is not a ServiceNow polling cursor`);
}

export function serviceNowConnector(profile: PartnerProfile, clock: () => Date = () => new Date()): TicketingConnector {
  const s = serviceNowSettings(profile);
  const base = profile.baseUrl.replace(/\/$/, '');
  const auth = Buffer.from(`${s.credentials.username}:${s.credentials.password}`).toString('base64');
  const http = partnerClient(base, { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, profile);
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  const common = { sysparm_fields: FIELDS, sysparm_exclude_reference_link: 'true' };

  const toIncident = (r: SnIncident): PartnerIncident => ({
    id: r.sys_id,
    number: r.number,
    url: `${base}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${r.sys_id}`)}`,
    status: mapServiceNowState(r.state),
    partnerStatus: r.state,
    updatedAt: fromServiceNowTime(r.sys_updated_on),
  });

  return {
    openIncident: (input) => call('open incident', async () => {
      const sev = SERVICENOW_URGENCY_IMPACT[input.severity as Severity] ?? SERVICENOW_URGENCY_IMPACT.medium;
      const body = {
        ...s.incidentDefaults,
        short_description: input.title.slice(0, 160),
        description: `${input.description}\n\nCase ${input.caseId} (customer ${input.customerId}); hub reference ${input.externalRef}`,
        urgency: sev.urgency,
        impact: sev.impact,
        correlation_id: input.externalRef,
        correlation_display: s.correlationDisplay,
        ...(s.assignmentGroup ? { assignment_group: s.assignmentGroup } : {}),
      };
      const res = await http.post('/api/now/table/incident', body, { params: common });
      return toIncident(expectResponse('open incident', res, [200, 201], SnOne).result);
    }),

    findByExternalRef: (ref) => call('find incident', async () => {
      const res = await http.get('/api/now/table/incident', {
        params: { ...common, sysparm_query: `correlation_id=${q(ref)}^ORDERBYsys_created_on`, sysparm_limit: '1' },
      });
      const first = expectResponse('find incident', res, [200], SnMany).result[0];
      return first ? toIncident(first) : undefined;
    }),

    getIncident: (id) => call('get incident', async () => {
      const res = await http.get(`/api/now/table/incident/${encodeURIComponent(id)}`, { params: common });
      return toIncident(expectResponse('get incident', res, [200], SnOne).result);
    }),

    addComment: (id, body) => call('add comment', async () => {
      const res = await http.patch(`/api/now/table/incident/${encodeURIComponent(id)}`, { [s.commentField]: body }, { params: common });
      expectResponse('add comment', res, [200], SnOne);
    }),

    listUpdatedSince: (cursor) => call('poll incidents', async () => {
      const from = decodeCursor(cursor, clock());
      const res = await http.get('/api/now/table/incident', {
        params: {
          ...common,
          sysparm_query: `correlation_display=${q(s.correlationDisplay)}^sys_updated_on>=${from.t}^ORDERBYsys_updated_on`,
          sysparm_limit: String(s.pollPageSize),
        },
      });
      const rows = expectResponse('poll incidents', res, [200], SnMany).result;
      const seen = new Set(from.seen);
      const key = (r: SnIncident) => `${r.sys_id}:${r.sys_mod_count ?? r.state}`;
      const fresh = rows.filter((r) => !(r.sys_updated_on.trim() === from.t && seen.has(key(r))));
      const last = rows.reduce((max, r) => (r.sys_updated_on.trim() > max ? r.sys_updated_on.trim() : max), from.t);
      const atLast = rows.filter((r) => r.sys_updated_on.trim() === last).map(key);
      const next: PollCursor = { t: last, seen: last === from.t ? [...new Set([...from.seen, ...atLast])] : atLast };
      return { incidents: fresh.map(toIncident), cursor: encodeCursor(next) };
    }),

    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this ServiceNow partner (status comes by polling)' };
      const r = verifyStandardWebhook(secrets, req.headers, req.body, now);
      return r.ok ? { kind: 'ok', deliveryId: r.id } : { kind: 'rejected', reason: r.reason };
    },

    parseWebhook(req: RawWebhook): InboundUpdate[] {
      let json: unknown;
      try { json = JSON.parse(req.body); } catch { throw new ValidationError('The webhook body is not JSON.'); }
      const { data } = parseOrThrow(ServiceNowPushBody, json, 'ServiceNow webhook body');
      return [{
        ticketId: data.sys_id,
        ...(data.number ? { ticketNumber: data.number } : {}),
        status: mapServiceNowState(data.state),
        partnerStatus: data.state,
        updatedAt: fromServiceNowTime(data.sys_updated_on),
        ...(data.comment ? { comment: data.comment } : {}),
      }];
    },
  };
}
