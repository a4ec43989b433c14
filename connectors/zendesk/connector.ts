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
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import type { PartnerStatus, Severity } from '../../core/escalation';
import { ValidationError } from '../../core/errors';
import type { InboundUpdate, PartnerIncident, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { call, expectResponse, partnerClient } from '../partner-http';
import { parseSettings } from '../settings';

export const ZENDESK_STATUSES: Record<string, PartnerStatus> = {
  new: 'open', open: 'in_progress', pending: 'awaiting_info', hold: 'awaiting_info', solved: 'resolved', closed: 'closed',
};
const lookup = (s: string | undefined): PartnerStatus | null => {
  const k = (s ?? '').trim().toLowerCase();
  return Object.hasOwn(ZENDESK_STATUSES, k) ? ZENDESK_STATUSES[k]! : null;
};
/** A system status maps directly; an unknown (custom) status maps by its category when there is one. */
export const mapZendeskStatus = (status: string, category?: string | null): PartnerStatus | null =>
  lookup(status) ?? lookup(category ?? undefined);

export const ZENDESK_PRIORITY: Record<Severity, string> = { critical: 'urgent', high: 'high', medium: 'normal', low: 'low' };

export const TOLERANCE_MS = 5 * 60 * 1000;

/** base64 HMAC-SHA256 over `timestamp + body`, keyed with the signing secret exactly as Zendesk shows it. */
export const signZendeskWebhook = (secret: string, timestamp: string, body: string): string =>
  createHmac('sha256', secret).update(timestamp + body).digest('base64');

const scalar = z.union([z.string(), z.number()]).transform(String);
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

/** A time from a trigger body: ISO 8601 (`{{ticket.updated_at_with_timestamp}}`), or Unix seconds / milliseconds. */
const webhookTime = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : undefined;
  const t = n !== undefined ? (n < 1e12 ? n * 1000 : n) : Date.parse(v as string);
  if (Number.isNaN(t)) { ctx.addIssue({ code: 'custom', message: 'is not a time' }); return z.NEVER; }
  return new Date(t).toISOString();
});

export const ZendeskWebhookBody = z.object({
  ticket: z.object({
    id: scalar.refine((s) => /^\d+$/.test(s.trim()), 'is not a ticket id').transform((s) => s.trim()),
    status: scalar.refine((s) => s.trim().length > 0, 'is empty'),
    external_id: scalar.nullable().optional(),
    updated_at: webhookTime,
    status_category: scalar.nullable().optional(),
    comment: z.string().max(10000).optional(),
  }),
});

export const ZendeskSettings = z.object({
  credentials: z.object({
    email: z.email({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be an email address') }),
    apiToken: z.string({ error: 'is required' }).min(1, 'is required'),
  }),
  /** The webhook's signing secret, used as-is as the HMAC key. */
  webhookSecret: z.string().min(1).optional(),
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
  /** Optional routing of new tickets. */
  groupId: z.number().int().positive().optional(),
  tags: z.array(z.string().min(1)).default(['escalation-hub']),
  /** Hub comments are public replies (true) or internal notes (false). */
  publicComments: z.boolean().default(true),
});
export type ZendeskSettings = z.infer<typeof ZendeskSettings>;

export function zendeskSettings(profile: PartnerProfile): ZendeskSettings {
  return parseSettings(ZendeskSettings, profile, profile.id, 'zendesk');
}

/** Verifies a Zendesk webhook over the raw body against any of `secrets`, within five minutes of `now`. */
export function verifyZendeskSignature(secrets: readonly string[], headers: Record<string, string | undefined>, body: string, now: Date): { ok: true } | { ok: false; reason: string } {
  const sig = headers['x-zendesk-webhook-signature'];
  const ts = headers['x-zendesk-webhook-signature-timestamp'];
  if (!sig || !ts) return { ok: false, reason: 'missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp' };
  const at = Date.parse(ts);
  if (Number.isNaN(at)) return { ok: false, reason: 'X-Zendesk-Webhook-Signature-Timestamp is not a time' };
  if (Math.abs(now.getTime() - at) > TOLERANCE_MS) return { ok: false, reason: 'the signature timestamp is outside the five-minute tolerance' };
  const offered = Buffer.from(sig.trim(), 'base64');
  for (const secret of secrets) {
    const expected = Buffer.from(signZendeskWebhook(secret, ts, body), 'base64');
    if (offered.length === expected.length && timingSafeEqual(offered, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}

export function zendeskConnector(profile: PartnerProfile): TicketingConnector {
  const s = zendeskSettings(profile);
  const base = profile.baseUrl.replace(/\/$/, '');
  const auth = Buffer.from(`${s.credentials.email}/token:${s.credentials.apiToken}`).toString('base64');
  const http = partnerClient(base, { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, profile);
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];

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

    addComment: (id, body) => call('add comment', async () => {
      const res = await http.put(`/api/v2/tickets/${encodeURIComponent(id)}.json`, { ticket: { comment: { body, public: s.publicComments } } });
      expectResponse('add comment', res, [200], z.unknown());
    }),

    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this Zendesk partner' };
      const r = verifyZendeskSignature(secrets, req.headers, req.body, now);
      if (!r.ok) return { kind: 'rejected', reason: r.reason };
      // Zendesk keeps the invocation id across retries; without one, the body itself identifies the update
      const id = req.headers['x-zendesk-webhook-invocation-id']?.trim();
      return { kind: 'ok', deliveryId: id || `sha256:${createHash('sha256').update(req.body).digest('hex')}` };
    },

    parseWebhook(req: RawWebhook): InboundUpdate[] {
      let json: unknown;
      try { json = JSON.parse(req.body); } catch { throw new ValidationError('The webhook body is not JSON.'); }
      const { ticket } = parseOrThrow(ZendeskWebhookBody, json, 'Zendesk webhook body');
      const status = ticket.status.trim();
      return [{
        ticketId: ticket.id,
        ticketNumber: ticket.id,
        status: mapZendeskStatus(status, ticket.status_category),
        partnerStatus: status,
        updatedAt: ticket.updated_at,
        ...(ticket.comment ? { comment: ticket.comment } : {}),
      }];
    },
  };
}
