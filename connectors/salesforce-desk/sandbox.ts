/**
 * A sandbox of the vendor's own Salesforce org (the desk), speaking Salesforce's wire format: Cases in
 * memory; the client-credentials token endpoint (`POST /services/oauth2/token`, tokens that can be revoked
 * on demand: the next call answers 401 `INVALID_SESSION_ID`); `PATCH …/sobjects/Case/{Id}` (204; 404
 * `ENTITY_IS_DELETED` for a deleted case), `POST …/sobjects/CaseComment` (201 `{ id, success, errors }`),
 * `GET …/limits`, `GET /services/data/v{version}` (v31.0 to v62.0; another version answers 404 `NOT_FOUND`,
 * as a missing record does); errors as Salesforce's array `[{ message, errorCode, fields }]`; `faults` script the
 * answers (403 `REQUEST_LIMIT_EXCEEDED`, 503, or any status with an `errorCode`).
 *
 * The automation README "Connect your support desk" sets up, on a Case created or updated with
 * `mapping.partnerRelated` newly equal to its value, **unless the change was made by the hub's user**
 * (the entry criteria `LastModifiedById != hub user`): either an Outbound Message (SOAP, as Salesforce
 * sends it, the fields of `mapping` and `LastModifiedById`, to an endpoint URL carrying the desk's
 * `outboundMessageToken`; Salesforce resends a Notification until it is acknowledged) or a record-triggered Flow's HTTP callout (a flat JSON object of the same fields, with the
 * desk's secret in `x-hub-desk-secret`).
 *
 * Agents (`/_sandbox`): `POST /_sandbox/cases` `{ <Case field>: value … }` creates a case,
 * `POST /_sandbox/cases/{Id}` `{ <field>: value … }` edits one (tick `Partner_Related__c` there),
 * `POST /_sandbox/cases/{Id}/delete`, `POST /_sandbox/notifications/resend` `{ ids: "04l…,04l…" }` sends
 * Outbound Message Notifications again, in one message (a redelivery); `GET /_sandbox/cases` lists cases, comments, the hub's
 * writes and the automation's deliveries.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { jsonSender, readBody, SandboxTokens, serveSandbox, takeFault, type SandboxFault } from '../sandbox';
import { COMMENT_BODY_BYTES } from './desk';
import { salesforceDesk, toId18, TOKEN_PARAM, type SalesforceDeskMapping } from './descriptor';

export type CaseValue = string | number | boolean | null;
export type SandboxCase = Record<string, CaseValue> & { Id: string; LastModifiedById: string };
export type Automation = 'outbound-message' | 'flow';
export interface SalesforceSandboxOptions {
  port?: number; clientId: string; clientSecret: string; organizationId: string; hubUserId: string;
  mapping: SalesforceDeskMapping; automation: Automation; calloutSecret?: string | undefined; webhookUrl?: string;
  /** The desk's token, which the Outbound Message's endpoint URL carries as the README sets it up (`?token=…`). */
  outboundMessageToken?: string | undefined;
  /** The org's custom fields on Case besides those the mapping reads (the write-back fields): writing any other answers INVALID_FIELD. */
  customFields: string[];
}
export interface Delivery { caseIds: string[]; automation: Automation; notificationIds: string[]; url: string | undefined; status: number | undefined; body: string; answer: string }

/** A scripted answer: its status and Salesforce's error code (by default 403 `REQUEST_LIMIT_EXCEEDED`, 503 `SERVER_UNAVAILABLE`). */
export interface SalesforceFault extends SandboxFault { errorCode?: string }
const FAULT_MESSAGES: Record<string, string> = {
  REQUEST_LIMIT_EXCEEDED: 'TotalRequests Limit exceeded.',
  SERVER_UNAVAILABLE: 'Server temporarily unavailable; try again later.',
  UNABLE_TO_LOCK_ROW: 'unable to obtain exclusive access to this record or 1 records',
  INSUFFICIENT_ACCESS_OR_READONLY: 'insufficient access rights on object id',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'A closed case cannot be changed.',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'Partner Status: bad value for restricted picklist field: open',
};
/** The REST API versions the sandbox org serves (Salesforce serves v31.0 to the release's own). */
export const OLDEST_API_VERSION = 31;
export const LATEST_API_VERSION = 62;

/** The agents' user: what the web interface writes as. */
export const AGENT_USER_ID = '005000000000AGTAAA';
const same15 = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);
const sfError = (errorCode: string, message: string, fields: string[] = []) => [{ message, errorCode, fields }];
const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
/** A new record id of the key prefix (`500` Case, `00a` CaseComment, `04l` Notification): 18 characters, as the API answers. */
const newId = (prefix: string) => toId18(`${prefix}${randomBytes(12).toString('base64').replace(/[^A-Za-z0-9]/g, '0').slice(0, 12)}`)!;

/** An Outbound Message of one Notification, as Salesforce sends it (sforce_api_om_outboundmessaging_wsdl.htm). */
export function outboundMessage(organizationId: string, actionId: string, baseUrl: string, notifications: { id: string; record: Record<string, CaseValue> }[]): string {
  const field = (k: string, v: CaseValue) => (v === null ? `<sf:${k} xsi:nil="true"/>` : `<sf:${k}>${escapeXml(String(v))}</sf:${k}>`);
  return '<?xml version="1.0" encoding="UTF-8"?>'
    + '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    + '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
    + `<OrganizationId>${organizationId}</OrganizationId><ActionId>${actionId}</ActionId><SessionId xsi:nil="true"/>`
    + `<EnterpriseUrl>${baseUrl}/services/Soap/c/62.0/${organizationId.slice(0, 15)}</EnterpriseUrl><PartnerUrl>${baseUrl}/services/Soap/u/62.0/${organizationId.slice(0, 15)}</PartnerUrl>`
    + notifications.map((n) => `<Notification><Id>${n.id}</Id><sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${Object.entries(n.record).map(([k, v]) => field(k, v)).join('')}</sObject></Notification>`).join('')
    + '</notifications></soapenv:Body></soapenv:Envelope>';
}

export async function startSalesforceDeskSandbox(opts: SalesforceSandboxOptions) {
  const cases = new Map<string, SandboxCase>();
  const deleted = new Set<string>();
  const comments: { caseId: string; body: string; public: boolean }[] = [];
  const writes: { caseId: string; body: unknown }[] = [];
  const deliveries: Delivery[] = [];
  const faults: SalesforceFault[] = [];
  const tokens = new SandboxTokens(`${opts.organizationId.slice(0, 15)}!sbx.`, 7200);
  const settings: { webhookUrl?: string | undefined; automation: Automation } = { webhookUrl: opts.webhookUrl, automation: opts.automation };
  const actionId = newId('04k');
  const notifications = new Map<string, { caseId: string; record: Record<string, CaseValue> }>();
  let apiUsage = 0;
  let baseUrl = '';
  const m = opts.mapping;
  /** What the automation sends: the fields the mapping reads, and who made the change. */
  const sent = [...new Set(['Id', m.caseId, m.customerId, m.platform, m.severity.field, m.summary, m.findings, m.partnerRelated.field, 'LastModifiedById'])];
  const related = (c: Record<string, CaseValue> | undefined) => c !== undefined && String(c[m.partnerRelated.field]) === m.partnerRelated.equals;

  /** Where the automation sends: the hub's route; an Outbound Message's endpoint URL carries the desk's token. */
  function endpoint(automation: Automation): string | undefined {
    if (!settings.webhookUrl) return undefined;
    const url = new URL(settings.webhookUrl);
    if (automation === 'outbound-message' && opts.outboundMessageToken) url.searchParams.set(TOKEN_PARAM, opts.outboundMessageToken);
    return url.toString();
  }

  async function deliver(caseIds: string[], notificationIds: string[], body: string, headers: Record<string, string>) {
    const automation: Automation = notificationIds.length ? 'outbound-message' : 'flow';
    const url = endpoint(automation);
    const delivery: Delivery = { caseIds, automation, notificationIds, url, status: undefined, body, answer: '' };
    deliveries.push(delivery);
    if (!url) return delivery;
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    delivery.status = res.status;
    delivery.answer = await res.text();
    return delivery;
  }

  /** One Outbound Message of these Notifications (Salesforce sends a Notification again until it is acknowledged, alone or with others). */
  function sendNotifications(ids: string[]) {
    const batch = ids.map((id) => {
      const n = notifications.get(id);
      if (!n) throw new Error(`no notification ${id}`);
      return { id, ...n };
    });
    return deliver(batch.map((n) => n.caseId), ids, outboundMessage(opts.organizationId, actionId, baseUrl, batch),
      { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'user-agent': 'Salesforce - Outbound Notification' });
  }

  /** The automation, after every change: only when the partner-related field became its value, and not by the hub's user. */
  async function automate(before: Record<string, CaseValue> | undefined, c: SandboxCase) {
    if (related(before) || !related(c) || same15(c.LastModifiedById, opts.hubUserId)) return undefined;
    const record = Object.fromEntries(sent.map((f) => [f, c[f] ?? null]));
    if (settings.automation === 'flow') {
      return deliver([c.Id], [], JSON.stringify(record), { 'content-type': 'application/json', ...(opts.calloutSecret ? { 'x-hub-desk-secret': opts.calloutSecret } : {}) });
    }
    const notificationId = newId('04l');
    notifications.set(notificationId, { caseId: c.Id, record });
    return sendNotifications([notificationId]);
  }

  function find(id: string): SandboxCase | undefined {
    return [...cases.values()].find((c) => same15(c.Id, id));
  }

  /** A change by `userId` (an agent in the web interface, or the hub through the API), then the automation. */
  async function change(id: string, fields: Record<string, CaseValue>, userId: string) {
    const c = find(id);
    if (!c) throw new Error(`no case ${id}`);
    const before = { ...c };
    Object.assign(c, fields, { LastModifiedById: userId });
    await automate(before, c);
    return c;
  }

  async function create(fields: Record<string, CaseValue>) {
    const c: SandboxCase = { Status: 'New', ...fields, Id: newId('500'), CaseNumber: String(1000 + cases.size).padStart(8, '0'), LastModifiedById: AGENT_USER_ID };
    cases.set(c.Id, c);
    await automate(undefined, c);
    return c;
  }

  const agentRoutes = async (path: string, method: string, body: string, send: ReturnType<typeof jsonSender>) => {
    const input = (body ? JSON.parse(body) : {}) as Record<string, CaseValue>;
    if (path === '/_sandbox/cases' && method === 'GET') return send(200, { cases: [...cases.values()], comments, writes, deliveries });
    if (path === '/_sandbox/cases' && method === 'POST') return send(201, await create(input));
    const one = /^\/_sandbox\/cases\/(\w+)(\/delete)?$/.exec(path);
    if (one && method === 'POST' && one[2]) return send(200, { deleted: deleteCase(one[1]!) });
    if (one && method === 'POST') return send(200, await change(one[1]!, input, AGENT_USER_ID));
    if (path === '/_sandbox/notifications/resend' && method === 'POST') return send(200, await sendNotifications(String(input.ids ?? '').split(',')));
    return send(404, { error: 'no such sandbox route' });
  };

  function deleteCase(id: string) {
    const c = find(id);
    if (c) { cases.delete(c.Id); deleted.add(c.Id.slice(0, 15)); }
    return c !== undefined;
  }

  function tokenAnswer(req: IncomingMessage, body: string): [number, unknown] {
    tokens.requests++;
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return [400, { error: 'invalid_request', error_description: 'must use application/x-www-form-urlencoded' }];
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return [400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }];
    if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) return [400, { error: 'invalid_client', error_description: 'invalid client credentials' }];
    return [200, {
      access_token: tokens.issue(), signature: randomBytes(32).toString('base64'), scope: 'api', instance_url: baseUrl,
      id: `${baseUrl}/id/${opts.organizationId}/${opts.hubUserId}`, token_type: 'Bearer', issued_at: String(Date.now()),
    }];
  }

  /** The REST API (`/services/data/vXX.X/…`), as the hub's user. */
  async function rest(path: string, method: string, body: string): Promise<[number, unknown]> {
    const notFound: [number, unknown] = [404, sfError('NOT_FOUND', 'The requested resource does not exist')];
    const version = /^\/services\/data\/v(\d+)\.0(\/.*)?$/.exec(path);
    // a version the org does not serve answers as a missing record does
    if (!version || Number(version[1]) < OLDEST_API_VERSION || Number(version[1]) > LATEST_API_VERSION) return notFound;
    if (version[2] === undefined && method === 'GET') return [200, { sobjects: `${path}/sobjects`, limits: `${path}/limits` }];
    const sobject = /^\/(limits|sobjects\/Case\/(\w+)|sobjects\/CaseComment)$/.exec(version[2] ?? '');
    if (!sobject) return notFound;
    if (sobject[1] === 'limits' && method === 'GET') return [200, { DailyApiRequests: { Max: 100000, Remaining: 100000 - apiUsage } }];
    let input: Record<string, CaseValue>;
    try { input = JSON.parse(body) as Record<string, CaseValue>; } catch { return [400, sfError('JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value')]; }
    const caseId = sobject[2] ?? String(input.ParentId ?? '');
    const c = find(caseId);
    if (!c) {
      // the case's own path answers 404; a comment naming it is refused as its body (400)
      if (deleted.has(caseId.slice(0, 15))) return [sobject[2] ? 404 : 400, sfError('ENTITY_IS_DELETED', 'entity is deleted')];
      return sobject[2] ? notFound : [400, sfError('FIELD_INTEGRITY_EXCEPTION', 'Parent ID: id value of incorrect type', ['ParentId'])];
    }
    writes.push({ caseId: c.Id, body: input });
    if (sobject[2] && method === 'PATCH') {
      const unknown = Object.keys(input).filter((k) => !(k in c) && !opts.customFields.includes(k));
      if (unknown.length) return [400, sfError('INVALID_FIELD', `No such column '${unknown[0]}' on sobject of type Case. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`, unknown)];
      await change(c.Id, input, opts.hubUserId); // the automation runs, and its entry criteria leave the hub's writes out
      return [204, undefined];
    }
    if (!sobject[2] && method === 'POST') {
      if (typeof input.CommentBody !== 'string' || Buffer.byteLength(input.CommentBody) > COMMENT_BODY_BYTES) {
        return [400, sfError('STRING_TOO_LONG', `Body: data value too large (max length=${COMMENT_BODY_BYTES})`, ['CommentBody'])];
      }
      comments.push({ caseId: c.Id, body: input.CommentBody, public: input.IsPublished === true });
      return [201, { id: newId('00a'), success: true, errors: [] }];
    }
    return [405, sfError('METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,PATCH,DELETE`)];
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json;charset=UTF-8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sandbox/')) {
      try { return await agentRoutes(url.pathname, method, body, send); } catch (e) { return send(400, { error: (e as Error).message }); }
    }
    if (url.pathname === '/services/oauth2/token' && method === 'POST') return send(...tokenAnswer(req, body));
    if (!tokens.accepts(req.headers.authorization)) return send(401, sfError('INVALID_SESSION_ID', 'Session expired or invalid'));
    const limitInfo = { 'sforce-limit-info': `api-usage=${++apiUsage}/100000` };
    const fault = await takeFault(faults, { method, path: url.pathname }) as SalesforceFault | undefined;
    if (fault) {
      const errorCode = fault.errorCode ?? (fault.status === 403 ? 'REQUEST_LIMIT_EXCEEDED' : fault.status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION');
      const answer = sfError(errorCode, FAULT_MESSAGES[errorCode] ?? `Sandbox answered ${fault.status}`);
      return send(fault.status, answer, { ...limitInfo, ...fault.headers });
    }
    const [status, answer] = await rest(url.pathname, method, body);
    return send(status, answer, limitInfo);
  };

  const served = await serveSandbox(handle, opts.port);
  baseUrl = served.baseUrl;
  return {
    baseUrl, cases, comments, writes, deliveries, faults, settings, create, find,
    /** An agent edits a case (e.g. ticks the partner-related field); the automation runs after it. */
    update: (id: string, fields: Record<string, CaseValue>) => change(id, fields, AGENT_USER_ID),
    /** Salesforce sends these Notifications again, in one Outbound Message. */
    resend: (...ids: string[]) => sendNotifications(ids),
    deleteCase,
    /** An agent sets the case's status (the Sandbox contract's `move`). */
    move: (id: string, status: string) => change(id, { Status: status }, AGENT_USER_ID),
    get tokenRequests() { return tokens.requests; },
    /** Every issued token ends (a session timeout, a revoked app): the next API call answers 401. */
    expireTokens: () => tokens.revokeAll(),
    close: served.close,
  };
}
export type SalesforceDeskSandbox = Awaited<ReturnType<typeof startSalesforceDeskSandbox>>;

/** The automation is the Flow callout when the desk has a callout secret, else the Outbound Message (with the desk's token). */
export const salesforceDeskSandbox = defineSandbox(salesforceDesk, (s, _desk, { port, webhookUrl }) => startSalesforceDeskSandbox({
  port, clientId: s.credentials.clientId, clientSecret: s.credentials.clientSecret, organizationId: s.organizationId, hubUserId: s.hubUserId,
  mapping: s.mapping, automation: s.calloutSecret ? 'flow' : 'outbound-message', calloutSecret: s.calloutSecret, outboundMessageToken: s.outboundMessageToken,
  ...(webhookUrl ? { webhookUrl } : {}),
  customFields: [s.writeBack.ticketNumberField, s.writeBack.statusField],
}));
