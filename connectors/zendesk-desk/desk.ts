/**
 * `zendesk-desk`, HTTP half: the hub's writes to a ticket of the vendor's Zendesk
 * (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket).
 *
 * `PUT {baseUrl}/api/v2/tickets/{id}.json` with `custom_fields` (the partner ticket's number and status, in
 * the fields `writeBack` names), a `comment` (`public: true` for the customer-safe text the customer reads in
 * the portal, `false` for an engineer-only note) and `additional_tags: [syncedTag]`, as the API user
 * (Basic `{email}/token:{apiToken}`). The trigger that flags tickets excludes updates made through the API
 * (`current_via_id is_not 5`), so the hub's own writes never flag again; the tag marks the tickets it wrote
 * to. 429 (Zendesk's rate limits) is transient with its `Retry-After`; 409 (another update of the ticket at the same moment: nothing applied, Zendesk says to retry,
 * https://developer.zendesk.com/api-reference/introduction/requests/) is transient too; 404 means the ticket
 * was deleted: final, never retried. Zendesk's error bodies are read by connectors/zendesk/errors.ts.
 * `hub doctor` reads the API user (`GET /api/v2/users/me.json`,
 * https://developer.zendesk.com/api-reference/ticketing/users/users/#show-self), which Zendesk also answers
 * for anonymous callers: a user without an id means the credentials were not taken.
 * Documented shapes: test/fixtures/zendesk-desk/README.md.
 */
import * as z from 'zod';
import { PartnerCallError } from '../../core/errors';
import type { DeskWriteBack } from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { zendeskErrorText } from '../zendesk/errors';
import { zendeskDesk } from './descriptor';

const Me = z.looseObject({ user: z.looseObject({ id: z.union([z.number(), z.string()]).nullable(), role: z.string() }) });
const Updated = z.looseObject({ ticket: z.looseObject({ id: z.union([z.number(), z.string()]) }) });

/** The body of one write: only what `update` carries. */
export function ticketUpdate(update: DeskWriteBack, fields: { ticketNumberField: number; statusField: number }, syncedTag: string) {
  const custom_fields = [
    ...(update.ticketNumber !== undefined ? [{ id: fields.ticketNumberField, value: update.ticketNumber }] : []),
    ...(update.status !== undefined ? [{ id: fields.statusField, value: update.status }] : []),
  ];
  return {
    ticket: {
      ...(custom_fields.length ? { custom_fields } : {}),
      ...(update.comment ? { comment: { body: update.comment.body, public: update.comment.public } } : {}),
      additional_tags: [syncedTag],
    },
  };
}

export const zendeskDeskWriter = defineHttpHalf(zendeskDesk, (s, desk) => {
  const auth = Buffer.from(`${s.credentials.email}/token:${s.credentials.apiToken}`).toString('base64');
  const http = partnerClient(desk.baseUrl.replace(/\/$/, ''), { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, desk);
  return {
    writeBack: (caseId, update) => call(`update desk ticket ${caseId}`, async () => {
      if (!/^\d+$/.test(caseId)) throw new PartnerCallError(`desk ${desk.id}: "${caseId}" is not a Zendesk ticket id`, false);
      const res = await http.put(`/api/v2/tickets/${caseId}.json`, ticketUpdate(update, s.writeBack, s.syncedTag));
      if (res.status === 404) {
        throw new PartnerCallError(`desk ${desk.id}: ticket ${caseId} no longer exists (deleted in Zendesk); nothing more is written to it`, false, 404);
      }
      if (res.status === 409) {
        throw new PartnerCallError(`desk ${desk.id}: ticket ${caseId} was being updated by someone else (HTTP 409); written again`, true, 409);
      }
      expectResponse(`update desk ticket ${caseId}`, res, [200], Updated, zendeskErrorText);
    }),
    // the API user itself: proves the address and the token, and says which role the hub writes as
    setUpProbes: () => [{
      check: 'read',
      run: async () => {
        const me = expectResponse('GET /api/v2/users/me.json', await http.get('/api/v2/users/me.json'), [200], Me, zendeskErrorText);
        if (me.user.id === null) throw new Error(`GET /api/v2/users/me.json answered an anonymous user (${me.user.role}): Zendesk did not take ${s.credentials.email}'s API token`);
        return `GET /api/v2/users/me.json: user ${String(me.user.id)} (${me.user.role})`;
      },
    }],
  };
});
