/**
 * `salesforce-desk`, inbound half: `POST /v1/desks/{deskId}/events` in the two forms an org can send, told
 * apart by their content type, both carrying Case fields by their API names and read with the same mapping.
 *
 * - An Outbound Message (`text/xml`, SOAP 1.1; https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm):
 *   `notifications{ OrganizationId, ActionId, SessionId?, EnterpriseUrl, PartnerUrl, Notification[1..100]{ Id,
 *   sObject{ sf:Id, sf:<Field> … } } }`. It is not signed, and the org id it names is no secret (Web-to-Case
 *   forms publish it): the hub takes one only when the desk enables them with an `outboundMessageToken`, which
 *   the Outbound Message's endpoint URL carries (`?token=…`, compared in constant time), and only from the
 *   desk's org (`OrganizationId`, compared on its 15-character form). Each Notification is one event whose id is
 *   the Notification `Id` (Salesforce resends a Notification until it is acknowledged: seen again, it is a
 *   duplicate). The answer Salesforce expects is `notificationsResponse` with `<Ack>true</Ack>`.
 * - A record-triggered Flow's HTTP callout (`application/json`): a flat JSON object of Case fields,
 *   authenticated by the desk's `calloutSecret` in `x-hub-desk-secret` (the Flow's External Credential
 *   sends it as a custom header), compared in constant time.
 *
 * Neither form has a delivery id of its own. An Outbound Message's is the digest of its body (a resend is
 * the same bytes). A Flow callout is a delivery of its own each time, deduplicated only on its body within
 * `FLOW_REPLAY_SECONDS`: the same body later is the case ticked again (e.g. after a refused flag was fixed by
 * adding the partner), which must be taken, not dropped as a duplicate for a week. An event last
 * modified by the hub's own user is ignored (`hubUserId`: the hub's writes never flag a case; the Flow's
 * entry criteria leave them out too).
 *
 * XML is parsed with fast-xml-parser: a document type declaration is refused before parsing, so no entity
 * can be declared (no XXE, no expansion); XML's own five entities and character references are decoded,
 * as they are part of the text (`R&amp;D` is "R&D", `&#233;` is "é"). No HTTP client here: the webhook function carries
 * this half alone.
 */
import { createHash, randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as z from 'zod';
import { ValidationError } from '../../core/errors';
import type { DeskEvent, RawWebhook, WebhookVerdict } from '../../core/ports';
import { deskText, readMappedCase } from '../desk-mapping';
import { defineWebhookHalf } from '../halves';
import { isOneOfSecrets, replayOf, webhookBytes, webhookJson, webhookText } from '../webhook-body';
import { caseId18, salesforceDesk, TOKEN_PARAM, type SalesforceDeskMapping } from './descriptor';

/** The header a Flow's callout carries the desk's secret in. */
export const SECRET_HEADER = 'x-hub-desk-secret';
/**
 * How long a Flow callout's body is a duplicate of itself (remembered for twice that, as a signature's
 * window): long enough for a save that fires the Flow twice, short enough that a case re-ticked once its
 * refused flag is fixed (the same fields, the same body) is taken.
 */
export const FLOW_REPLAY_SECONDS = 300;

/** What the hub answers an Outbound Message it took (the WSDL's `notificationsResponse`). */
export const OUTBOUND_ACK = '<?xml version="1.0" encoding="UTF-8"?>'
  + '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
  + '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>'
  + '</soapenv:Body></soapenv:Envelope>';

/** Case fields as a delivery carries them: text in an Outbound Message, JSON values in a Flow's callout. */
export type CaseRecord = Readonly<Record<string, string | number | boolean | null>>;

const NOTIFICATION = 'Envelope.Body.notifications.Notification';
const parser = new XMLParser({
  removeNSPrefix: true, // soapenv:Envelope, sf:Subject → Envelope, Subject
  ignoreAttributes: true, // xsi:type, xsi:nil (an empty field reads as nothing)
  ignoreDeclaration: true,
  parseTagValue: false, // every value stays text: "00042" is a case number, not 42
  // XML's five entities, and character references (`&#233;`: decoded only with `htmlEntities`, whose HTML
  // names Salesforce never writes); never a declared one: a DTD is refused before parsing
  processEntities: true,
  htmlEntities: true,
  isArray: (_name, path) => path === NOTIFICATION,
});

const OutboundMessage = z.object({
  Envelope: z.object({
    Body: z.object({
      notifications: z.object({
        OrganizationId: z.string().min(1),
        ActionId: z.string().optional(),
        Notification: z.array(z.object({ Id: z.string().min(1), sObject: z.record(z.string(), z.string()) })).min(1).max(100),
      }),
    }),
  }),
});
export type OutboundMessage = z.infer<typeof OutboundMessage>['Envelope']['Body']['notifications'];

/** An Outbound Message's notifications; ValidationError naming what is wrong (a DTD, XML not well formed, not the WSDL's shape). */
export function parseOutboundMessage(xml: string): OutboundMessage {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ValidationError('The Outbound Message declares a document type or entities, which the hub refuses.');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ValidationError(`The Outbound Message is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parsed = OutboundMessage.safeParse(parser.parse(xml));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`The body is not a Salesforce Outbound Message: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data.Envelope.Body.notifications;
}

/** A Flow's body: one flat object of Case fields. */
const FlowBody = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
function parseFlowBody(req: RawWebhook): CaseRecord {
  const body = FlowBody.safeParse(webhookJson(req, "The Flow's callout body"));
  if (!body.success) throw new ValidationError("The Flow's callout body must be one flat JSON object of Case fields (names to text, numbers, booleans or null).");
  return body.data;
}

/** Salesforce ids compare on their 15-character form (the 18-character one adds a case-safe suffix). */
export const sameId = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

const form = (req: RawWebhook): 'outbound-message' | 'flow' | undefined => {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'text/xml' ? 'outbound-message' : type === 'application/json' ? 'flow' : undefined;
};

/**
 * Reads one case's fields with `mapping`: written by the hub's user → ignored; not partner-related →
 * ignored; else a flag (its case id in the 18-character form, toId18), or the problems (a case id that is not a Case's among them: the hub could never
 * write back to it; the problems are then noted on the record's own `Id` when that is a Case).
 */
export function readCase(mapping: SalesforceDeskMapping, hubUserId: string, record: CaseRecord): DeskEvent {
  const by = deskText(record.LastModifiedById);
  if (by !== undefined && sameId(by, hubUserId)) return { kind: 'ignored', reason: 'written by the hub (LastModifiedById is the hub\'s user)' };
  const related = mapping.partnerRelated;
  if (deskText(record[related.field]) !== related.equals) return { kind: 'ignored', reason: `${related.field} is not "${related.equals}"` };
  const event = readMappedCase((name) => {
    const field = name === 'severity' ? mapping.severity.field : mapping[name];
    return { value: record[field], where: `in ${field}` };
  }, mapping.severity.values);
  if (event.kind === 'ignored' || event.caseId === undefined) return event;
  // one case, one caseId, whichever form (15 or 18 characters, or case-mangled 18) this delivery carries
  const caseId = caseId18(event.caseId);
  if (caseId) return { ...event, caseId };
  const id = deskText(record.Id);
  const recordId = id === undefined ? undefined : caseId18(id);
  return {
    kind: 'unmappable', ...(recordId ? { caseId: recordId } : {}),
    problems: [`caseId: "${event.caseId}" in ${mapping.caseId} is not a Case id (500…, 15 or 18 characters)`, ...(event.kind === 'unmappable' ? event.problems : [])],
  };
}

export const salesforceDeskInbound = defineWebhookHalf(salesforceDesk, (s) => {
  const valid = (current: string | undefined, previous: string[] | undefined) => [current, ...(previous ?? [])].filter((x): x is string => x !== undefined);
  const calloutSecrets = valid(s.calloutSecret, s.previousCalloutSecrets);
  const outboundTokens = valid(s.outboundMessageToken, s.previousOutboundMessageTokens);
  // verifying reads the org id and reading takes the Notifications: one parse of a delivery serves both
  const parsed = new WeakMap<RawWebhook, OutboundMessage>();
  const outboundMessage = (req: RawWebhook) => {
    let message = parsed.get(req);
    if (!message) parsed.set(req, message = parseOutboundMessage(webhookText(req)));
    return message;
  };

  function verifyEvent(req: RawWebhook): WebhookVerdict {
    const bytes = webhookBytes(req);
    switch (form(req)) {
      case 'outbound-message': {
        if (!outboundTokens.length) return { kind: 'rejected', reason: 'Outbound Messages are not enabled for this desk (no outboundMessageToken is configured)' };
        const offered = req.query[TOKEN_PARAM];
        if (!isOneOfSecrets(outboundTokens, offered)) return { kind: 'rejected', reason: `${offered === undefined ? 'no' : 'a wrong'} ${TOKEN_PARAM} in the Outbound Message's endpoint URL` };
        let org: string;
        try { org = outboundMessage(req).OrganizationId; } catch (e) { return { kind: 'rejected', reason: (e as Error).message }; }
        if (!sameId(org, s.organizationId)) return { kind: 'rejected', reason: `the Outbound Message comes from org ${org.slice(0, 15)}, not this desk's` };
        // the same Notifications again are Salesforce's resend: the same delivery (and each Notification's Id is its event's)
        return { kind: 'ok', deliveryId: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
      }
      case 'flow': {
        const offered = req.headers[SECRET_HEADER];
        if (!calloutSecrets.length) return { kind: 'rejected', reason: 'this desk takes no Flow callouts (no calloutSecret is configured)' };
        if (!isOneOfSecrets(calloutSecrets, offered)) return { kind: 'rejected', reason: `${offered === undefined ? 'no' : 'a wrong'} ${SECRET_HEADER} header` };
        // no id of its own, and the same body is also a case re-ticked after a refused flag was fixed: each
        // callout is a delivery of its own, and only the same body again within a short window is one
        // the core keeps a replay key for twice its window (a signature's timestamp may be that far either way): half, for FLOW_REPLAY_SECONDS in all
        return { kind: 'ok', deliveryId: `flow:${randomUUID()}`, replay: replayOf(FLOW_REPLAY_SECONDS / 2, bytes) };
      }
      default:
        return { kind: 'rejected', reason: `content type "${req.headers['content-type'] ?? ''}" is neither an Outbound Message (text/xml) nor a Flow callout (application/json)` };
    }
  }

  return {
    verifyEvent,
    readEvents: (req: RawWebhook): DeskEvent[] => (form(req) === 'outbound-message'
      ? outboundMessage(req).Notification.map((n) => ({ ...readCase(s.mapping, s.hubUserId, n.sObject), eventId: n.Id }))
      : [readCase(s.mapping, s.hubUserId, parseFlowBody(req))]),
    // Salesforce resends an Outbound Message until it reads this; a Flow's callout gets the hub's JSON result
    acknowledge: (req: RawWebhook) => (form(req) === 'outbound-message' ? { contentType: 'text/xml; charset=utf-8', body: OUTBOUND_ACK } : undefined),
  };
});
