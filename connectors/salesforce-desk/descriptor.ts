/**
 * `salesforce-desk`: the vendor's own Salesforce Service Cloud as its desk (a `desks` entry, not a partner).
 * The descriptor and the desk's settings. A flag arrives as a record-triggered Flow's HTTP callout (JSON) or,
 * when the desk enables them, an Outbound Message (SOAP); both carry Case fields by their API names, so
 * `mapping` names fields (not pointers); `writeBack` names the Case's custom fields the hub fills.
 */
import * as z from 'zod';
import { defineConnector } from '../kinds';
import { deskMapping, requiredSetting } from '../settings';

/** A field's API name as Salesforce spells it (`Subject`, `Partner_Related__c`, `Account_External_Id__c`). */
const field = z.string().regex(/^[A-Za-z]\w*$/, 'must be a field API name such as Partner_Related__c');
/** A custom field's API name: the hub writes only to the vendor's own fields. */
const customField = z.string().regex(/^[A-Za-z]\w*__c$/, 'must be a custom field API name (ending in __c)');
/** A record id of the key prefix `prefix` (`00D` an org, `005` a user): 15 characters, or 18 with the case-safe suffix. */
export const salesforceId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$`), `must be ${what} id (15 or 18 characters starting ${prefix})`);

/** A secret that goes into a URL as it is: long enough not to be guessed, and nothing that needs encoding. */
const urlToken = z.string().regex(/^[\w.~-]{24,200}$/, 'must be 24 to 200 characters of letters, digits, "-", ".", "_" or "~" (it goes in the endpoint URL as it is)');

/** The query parameter of an Outbound Message's endpoint URL that carries the desk's `outboundMessageToken`. */
export const TOKEN_PARAM = 'token';


const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/**
 * A record id in its 18-character form, the one the API answers with: the 15-character id (case-sensitive)
 * and a suffix of one character per five, whose bit i says the i-th of those five is an upper-case letter
 * (`ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`[bits]; Salesforce's CASESAFEID, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm).
 * From 15 characters the suffix is worked out; from 18, whose suffix lets a case-insensitive system keep it,
 * the letters' case is set again from the suffix. `undefined`: not an id (or a suffix that is not one).
 */
export function toId18(id: string): string | undefined {
  if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) return undefined;
  const given = id.length === 18 ? [...id.slice(15).toUpperCase()].map((c) => SUFFIX.indexOf(c)) : undefined;
  if (given?.includes(-1)) return undefined;
  let base = '';
  const suffix = [0, 1, 2].map((chunk) => {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      let c = id[chunk * 5 + i]!;
      if (given) c = given[chunk]! & (1 << i) ? c.toUpperCase() : c.toLowerCase();
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
      base += c;
    }
    return SUFFIX[bits]!;
  });
  return base + suffix.join('');
}

/** A Case's record id (`500…`, 15 or 18 characters: what the hub writes to) in its 18-character form; `undefined`: not one. */
export const caseId18 = (id: string): string | undefined => (id.startsWith('500') ? toId18(id) : undefined);
export const isCaseId = (id: string) => caseId18(id) !== undefined;

/**
 * Case fields by API name (`customerId`: e.g. a formula field carrying the Account's external id; severity
 * from e.g. `Priority`); the event is a flag when `partnerRelated.field`'s value is `equals` (a checkbox
 * arrives as "true"). `caseId` is the record's `Id` unless said otherwise.
 */
export const SalesforceDeskMapping = deskMapping(field, { field }, z.strictObject({ field, equals: z.string().min(1) })).extend({ caseId: field.default('Id') });
export type SalesforceDeskMapping = z.infer<typeof SalesforceDeskMapping>;

export const SalesforceDeskSettings = z.object({
  /** The External Client App's consumer key and secret (OAuth 2.0 client credentials flow, against `baseUrl`, the org's My Domain). */
  credentials: z.object({ clientId: requiredSetting('clientId'), clientSecret: requiredSetting('clientSecret') }),
  apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'must be a REST API version such as 62.0').default('62.0'),
  /** The org whose Outbound Messages are taken (their `OrganizationId`: checked, but no secret: Web-to-Case forms publish it). */
  organizationId: salesforceId('00D', 'an organization'),
  /** The app's run-as user, whom the hub writes as: an event last modified by this user is the hub's own write (no echo). */
  hubUserId: salesforceId('005', 'a user'),
  /** The secret the Flow's HTTP callout sends in `x-hub-desk-secret` (absent: Flow callouts are refused; Outbound Messages only). */
  calloutSecret: z.string().min(1).optional(),
  previousCalloutSecrets: z.array(z.string().min(1)).optional(),
  /**
   * The token an Outbound Message's endpoint URL carries (`…/events?token=<token>`): an Outbound Message is not
   * signed, and its OrganizationId is public. Absent: Outbound Messages are refused.
   */
  outboundMessageToken: urlToken.optional(),
  previousOutboundMessageTokens: z.array(urlToken).optional(),
  mapping: SalesforceDeskMapping,
  writeBack: z.strictObject({ ticketNumberField: customField, statusField: customField }),
}).refine((s) => s.calloutSecret !== undefined || s.outboundMessageToken !== undefined, {
  message: 'takes no event: set calloutSecret (a Flow callout) or outboundMessageToken (an Outbound Message)',
  path: ['calloutSecret'],
});
export type SalesforceDeskSettings = z.infer<typeof SalesforceDeskSettings>;

export const salesforceDesk = defineConnector({
  id: 'salesforce-desk', kind: 'desk', settings: SalesforceDeskSettings, example: 'salesforce-desk.json',
  secrets: [{ path: 'credentials.clientSecret', form: 'text' }, { path: 'calloutSecret', form: 'text', optional: true },
    { path: 'outboundMessageToken', form: 'text', optional: true }],
  webhookHint: 'as is for the Flow callout\'s Named Credential; an Outbound Message\'s endpoint adds ?token=<outboundMessageToken>',
  summary: 'the vendor\'s own Salesforce Service Cloud: an Outbound Message or a Flow callout flags a case; the partner ticket written back to its fields and a CaseComment',
});
