/**
 * `generic-rest`: the hub's own partner protocol (API.md, "The generic partner protocol"), for partners
 * that adopt it. Bearer token, find-before-create by externalRef, Standard Webhooks back (webhook.ts, the inbound half).
 * Comments carry `Idempotency-Key` (one per hub comment): a partner that keeps the keys answers a repeat
 * without adding the comment twice; one that does not simply ignores the header.
 */
import * as z from 'zod';
import type { PartnerIncident } from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { genericRest } from './descriptor';
import { mapGenericStatus } from './mapping';

const Incident = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  number: z.union([z.string(), z.number()]).transform(String),
  url: z.string().optional(),
  status: z.string(),
  updatedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'updatedAt is not a time'),
});
const IncidentList = z.object({ items: z.array(Incident) });

const toIncident = (i: z.infer<typeof Incident>): PartnerIncident => ({
  id: i.id, number: i.number, ...(i.url ? { url: i.url } : {}), status: mapGenericStatus(i.status), partnerStatus: i.status, updatedAt: new Date(i.updatedAt).toISOString(),
});

export const genericRestConnector = defineHttpHalf(genericRest, (s, profile) => {
  const http = partnerClient(profile.baseUrl, { authorization: `Bearer ${s.credentials.token}` }, profile);

  return {
    openIncident: (input) => call('open incident', async () => {
      // the protocol's create body has exactly these fields (the customer's request and entitlement are not among them)
      const { externalRef, title, description, severity, caseId, customerId } = input;
      const body = { externalRef, title, description, severity, caseId, customerId };
      return toIncident(expectResponse('open incident', await http.post('/incidents', body), [200, 201], Incident));
    }),
    findByExternalRef: (ref) => call('find incident', async () => {
      const list = expectResponse('find incident', await http.get('/incidents', { params: { externalRef: ref } }), [200], IncidentList);
      const first = list.items[0];
      return first ? toIncident(first) : undefined;
    }),
    getIncident: (id) => call('get incident', async () => toIncident(expectResponse('get incident', await http.get(`/incidents/${encodeURIComponent(id)}`), [200], Incident))),
    addComment: (id, body, opts) => call('add comment', async () => {
      const headers = opts?.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {};
      expectResponse('add comment', await http.post(`/incidents/${encodeURIComponent(id)}/comments`, { body }, { headers }), [200, 201, 204], z.unknown());
    }),
  };
});
