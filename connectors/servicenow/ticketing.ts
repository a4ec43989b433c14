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
import type { Severity } from '../../core/escalation';
import { ValidationError } from '../../core/errors';
import { systemClock, type Clock, type PartnerIncident } from '../../core/ports';
import { defineHttpHalf, type TicketingHalfOptions } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { serviceNow } from './descriptor';
import { fromServiceNowTime, mapServiceNowState, SN_TIME, snTime, toServiceNowTime } from './mapping';

/** Urgency and impact (1 high, 2 medium, 3 low); the instance's priority matrix derives the priority. */
export const SERVICENOW_URGENCY_IMPACT: Record<Severity, { urgency: string; impact: string }> = {
  critical: { urgency: '1', impact: '1' },
  high: { urgency: '1', impact: '2' },
  medium: { urgency: '2', impact: '2' },
  low: { urgency: '3', impact: '3' },
};

const scalar = z.union([z.string(), z.number()]).transform(String);

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

export const serviceNowConnector = defineHttpHalf(serviceNow, (s, profile, { clock = systemClock }: TicketingHalfOptions & { clock?: Clock } = {}) => {
  const base = profile.baseUrl.replace(/\/$/, '');
  const auth = Buffer.from(`${s.credentials.username}:${s.credentials.password}`).toString('base64');
  const http = partnerClient(base, { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, profile);
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

    // the Table API takes no idempotency key: the hub's claim sends each comment once; only a lost answer
    // (the partner added it, the hub never heard) can repeat one
    addComment: (id, body) => call('add comment', async () => {
      const res = await http.patch(`/api/now/table/incident/${encodeURIComponent(id)}`, { [s.commentField]: body }, { params: common });
      expectResponse('add comment', res, [200], SnOne);
    }),

    listUpdatedSince: (cursor) => call('poll incidents', async () => {
      const from = decodeCursor(cursor, clock.now());
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
  };
});
