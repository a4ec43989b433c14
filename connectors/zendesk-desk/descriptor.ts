/**
 * `zendesk-desk`: the vendor's own Zendesk Support as its desk (a `desks` entry, not a partner). The
 * descriptor and the desk's settings: the trigger body is the vendor's own (Zendesk placeholders), so
 * `mapping` points into it with JSON Pointers (RFC 6901); `writeBack` names the ticket fields the hub fills.
 */
import * as z from 'zod';
import { defineConnector } from '../kinds';
import { deskMapping, requiredSetting } from '../settings';

/** A JSON Pointer into the trigger's body: `""` (the whole body) or `/a/b`. */
const pointer = z.string().regex(/^(\/([^~/]|~[01])*)+$/, 'must be a JSON Pointer such as /ticket/id');

/**
 * Severity from the desk's value (e.g. `{{ticket.priority}}`: urgent, high …); the event is a flag when the
 * value at `partnerRelated.pointer` holds `contains` (an element of an array, or a word of a string: `{{ticket.tags}}`).
 */
export const ZendeskDeskMapping = deskMapping(pointer, { pointer }, z.strictObject({ pointer, contains: z.string().min(1) }));
export type ZendeskDeskMapping = z.infer<typeof ZendeskDeskMapping>;

/** A Zendesk custom field's id (a number; as a string too, as the Admin Center shows it). */
const fieldId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);

export const ZendeskDeskSettings = z.object({
  credentials: z.object({
    /** The API user the hub writes as: the trigger excludes updates by this user (no echo). */
    email: z.email({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be an email address') }),
    apiToken: requiredSetting('apiToken'),
  }),
  /** The trigger webhook's signing secret, used as-is as the HMAC key. */
  webhookSecret: requiredSetting('webhookSecret'),
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
  mapping: ZendeskDeskMapping,
  writeBack: z.strictObject({ ticketNumberField: fieldId, statusField: fieldId }),
  /** The tag every hub write adds to the ticket: the trigger's conditions exclude it as well. */
  syncedTag: z.string().regex(/^\S+$/, 'must be one tag (no spaces)').default('hub_synced'),
});
export type ZendeskDeskSettings = z.infer<typeof ZendeskDeskSettings>;

export const zendeskDesk = defineConnector({
  id: 'zendesk-desk', kind: 'desk', settings: ZendeskDeskSettings, example: 'zendesk-desk.json',
  secrets: [{ path: 'credentials.apiToken', form: 'text' }, { path: 'webhookSecret', form: 'text' }],
  summary: 'the vendor\'s own Zendesk Support: a trigger webhook flags a ticket (signed, mapped by JSON Pointers); the partner ticket written back to its fields and a comment',
});
