/**
 * `zendesk`: a ticket in the partner's Zendesk Support (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/).
 *
 * - Auth: Basic `{email}/token:{apiToken}` (an API token of an agent account).
 * - No duplicates: `POST /api/v2/tickets.json` carries `Idempotency-Key: <externalRef>` (Zendesk replays
 *   the first answer for the same key, https://developer.zendesk.com/api-reference/ticketing/introduction/#idempotency)
 *   and `external_id: <externalRef>`; `findByExternalRef` lists `GET /api/v2/tickets.json?external_id=<ref>`
 *   (read from the database, unlike the search API, which lags behind its index). `external_id` is not
 *   unique in Zendesk, so the oldest ticket wins.
 * - Status: `new` → open, `open` → in_progress, `pending` and `hold` → awaiting_info, `solved` → resolved,
 *   `closed` → closed (case-insensitive: the `{{ticket.status}}` placeholder renders "Open"). A custom
 *   status name the hub does not know maps by its category when the body carries one
 *   (`status_category`, or the API's `custom_status.status_category`), else to `null`.
 * - Webhooks (https://developer.zendesk.com/documentation/webhooks/verifying/): `X-Zendesk-Webhook-Signature`
 *   = base64 HMAC-SHA256(key = signing secret as-is, timestamp + raw body), timestamp in
 *   `X-Zendesk-Webhook-Signature-Timestamp`, five minutes either way; delivery id
 *   `X-Zendesk-Webhook-Invocation-Id`. Body (API.md): `{ "ticket": { "id", "status", "external_id", "updated_at" } }`.
 * - The number people read is the ticket id.
 */
import * as z from 'zod';
import type { Severity } from '../../core/escalation';
import type { PartnerIncident } from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { zendesk } from './descriptor';
import { mapZendeskStatus } from './mapping';

export const ZENDESK_PRIORITY: Record<Severity, string> = { critical: 'urgent', high: 'high', medium: 'normal', low: 'low' };

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'is not a time');

/** The fields the hub reads from Zendesk's ticket JSON. */
const Ticket = z.object({
  id: z.number().int().or(z.string().regex(/^\d+$/)).transform(String),
  status: z.string().min(1),
  updated_at: isoTime,
  external_id: z.string().nullable().optional(),
  custom_status: z.object({ status_category: z.string() }).partial().nullable().optional(),
});
type Ticket = z.infer<typeof Ticket>;
const OneTicket = z.object({ ticket: Ticket });
const TicketList = z.object({ tickets: z.array(Ticket) });

export const zendeskConnector = defineHttpHalf(zendesk, (s, profile) => {
  const base = profile.baseUrl.replace(/\/$/, '');
  const auth = Buffer.from(`${s.credentials.email}/token:${s.credentials.apiToken}`).toString('base64');
  const http = partnerClient(base, { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, profile);

  const toIncident = (t: Ticket): PartnerIncident => ({
    id: t.id,
    number: t.id,
    url: `${base}/agent/tickets/${t.id}`,
    status: mapZendeskStatus(t.status, t.custom_status?.status_category),
    partnerStatus: t.status,
    updatedAt: new Date(t.updated_at).toISOString(),
  });

  return {
    openIncident: (input) => call('open ticket', async () => {
      const ticket = {
        subject: input.title.slice(0, 150),
        comment: { body: `${input.description}\n\nCase ${input.caseId} (customer ${input.customerId}); hub reference ${input.externalRef}`, public: true },
        priority: ZENDESK_PRIORITY[input.severity as Severity] ?? 'normal',
        type: 'incident',
        external_id: input.externalRef,
        tags: s.tags,
        ...(s.groupId ? { group_id: s.groupId } : {}),
      };
      const res = await http.post('/api/v2/tickets.json', { ticket }, { headers: { 'idempotency-key': input.externalRef } });
      return toIncident(expectResponse('open ticket', res, [200, 201], OneTicket).ticket);
    }),

    findByExternalRef: (ref) => call('find ticket', async () => {
      const res = await http.get('/api/v2/tickets.json', { params: { external_id: ref, sort_by: 'created_at', sort_order: 'asc' } });
      const list = expectResponse('find ticket', res, [200], TicketList).tickets.filter((t) => t.external_id === ref);
      const oldest = list.sort((a, b) => Number(a.id) - Number(b.id))[0];
      return oldest ? toIncident(oldest) : undefined;
    }),

    getIncident: (id) => call('get ticket', async () => {
      const res = await http.get(`/api/v2/tickets/${encodeURIComponent(id)}.json`);
      return toIncident(expectResponse('get ticket', res, [200], OneTicket).ticket);
    }),

    // Zendesk's Idempotency-Key covers ticket creation only, not the update that adds a comment: the hub's
    // claim sends each comment once; only a lost answer (Zendesk added it, the hub never heard) can repeat one
    addComment: (id, body) => call('add comment', async () => {
      const res = await http.put(`/api/v2/tickets/${encodeURIComponent(id)}.json`, { ticket: { comment: { body, public: s.publicComments } } });
      expectResponse('add comment', res, [200], z.unknown());
    }),
  };
});
