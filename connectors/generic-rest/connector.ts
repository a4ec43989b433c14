/**
 * `generic-rest`: the hub's own partner protocol (API.md, "The generic partner protocol"), for partners
 * that adopt it. Bearer token, find-before-create by externalRef, Standard Webhooks back.
 */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import type { PartnerStatus } from '../../core/escalation';
import { ValidationError } from '../../core/errors';
import type { InboundUpdate, PartnerIncident, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { call, expectResponse, partnerClient } from '../partner-http';
import { verifyStandardWebhook } from '../standard-webhooks';
import { parseSettings } from '../settings';

const STATUS_MAP: Record<string, PartnerStatus> = {
  new: 'open', open: 'open', in_progress: 'in_progress', awaiting_info: 'awaiting_info', resolved: 'resolved', closed: 'closed',
};
export const mapGenericStatus = (s: string): PartnerStatus | null => STATUS_MAP[s] ?? null;

const Incident = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  number: z.union([z.string(), z.number()]).transform(String),
  url: z.string().optional(),
  status: z.string(),
  updatedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'updatedAt is not a time'),
});
const IncidentList = z.object({ items: z.array(Incident) });

export const GenericWebhookBody = z.object({
  type: z.string(),
  data: z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    number: z.union([z.string(), z.number()]).transform(String).optional(),
    status: z.string(),
    updatedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO time'),
    comment: z.string().max(10000).optional(),
  }),
});

export const GenericRestSettings = z.object({
  credentials: z.object({ token: z.string().min(1, 'credentials.token is required') }),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'webhookSecret must look like whsec_<base64>').optional(),
  /** Extra secrets accepted during rotation. */
  previousWebhookSecrets: z.array(z.string()).optional(),
});

const toIncident = (i: z.infer<typeof Incident>): PartnerIncident => ({
  id: i.id, number: i.number, ...(i.url ? { url: i.url } : {}), status: mapGenericStatus(i.status), partnerStatus: i.status, updatedAt: new Date(i.updatedAt).toISOString(),
});

export function genericRestConnector(profile: PartnerProfile): TicketingConnector {
  const { credentials, webhookSecret, previousWebhookSecrets = [] } = parseSettings(GenericRestSettings, profile, profile.id, 'generic-rest');
  const http = partnerClient(profile.baseUrl, { authorization: `Bearer ${credentials.token}` }, profile);
  const secrets = webhookSecret ? [webhookSecret, ...previousWebhookSecrets] : [];

  return {
    openIncident: (input) => call('open incident', async () => toIncident(expectResponse('open incident', await http.post('/incidents', input), [200, 201], Incident))),
    findByExternalRef: (ref) => call('find incident', async () => {
      const list = expectResponse('find incident', await http.get('/incidents', { params: { externalRef: ref } }), [200], IncidentList);
      const first = list.items[0];
      return first ? toIncident(first) : undefined;
    }),
    getIncident: (id) => call('get incident', async () => toIncident(expectResponse('get incident', await http.get(`/incidents/${encodeURIComponent(id)}`), [200], Incident))),
    addComment: (id, body) => call('add comment', async () => {
      expectResponse('add comment', await http.post(`/incidents/${encodeURIComponent(id)}/comments`, { body }), [200, 201, 204], z.unknown());
    }),
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this partner' };
      const r = verifyStandardWebhook(secrets, req.headers, req.body, now);
      return r.ok ? { kind: 'ok', deliveryId: r.id } : { kind: 'rejected', reason: r.reason };
    },
    parseWebhook(req: RawWebhook): InboundUpdate[] {
      let json: unknown;
      try { json = JSON.parse(req.body); } catch { throw new ValidationError('The webhook body is not JSON.'); }
      const { data } = parseOrThrow(GenericWebhookBody, json, 'webhook body');
      return [{
        ticketId: data.id, ...(data.number ? { ticketNumber: data.number } : {}),
        status: mapGenericStatus(data.status), partnerStatus: data.status,
        updatedAt: new Date(data.updatedAt).toISOString(), ...(data.comment ? { comment: data.comment } : {}),
      }];
    },
  };
}
