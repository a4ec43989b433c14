/**
 * `tsanet`: TSANet Connect collaboration requests (API.md, "`tsanet`"; PARTNERS.md 1). The hub is the
 * submitting member; the receiving member (the partner) accepts with its own case number, rejects with a
 * reason, or asks for information.
 * - Auth: Connect password login (`POST /v1/login`) or Entra ID client credentials; the bearer token is
 *   cached and fetched again once when the API answers 401.
 * - Open: no idempotency key exists, so the hub's `externalRef` is the request's `internalCaseNumber` and
 *   is looked up before any create. The receiver's intake form (`documentId`, required custom fields) is
 *   read from `GET /v1/forms/company/{id}` unless the profile names it; custom fields are filled from the
 *   profile's `customFields` with `{{placeholders}}`.
 * - The ticket is the request `token`; its number the TSANet reference until accepted, then the receiver's
 *   case number.
 * - Comments: `USER_PARTNER` notes; while the receiver waits for information (`INFORMATION`), the
 *   engineer's comment is sent as the information response instead.
 * - Polling (`listUpdatedSince`): `updatedAfter` has a one-second resolution, so each poll asks again from
 *   a second before the newest update seen and drops what the last poll already returned.
 */
import * as z from 'zod';
import { PartnerCallError } from '../../core/errors';
import { systemClock, type Clock, type OpenIncidentInput, type PartnerIncident } from '../../core/ports';
import { AccessTokenCache } from '../access-token-cache';
import { defineHttpHalf, type TicketingHalfOptions } from '../halves';
import { fillPlaceholders } from '../placeholders';
import { call, expectResponse, partnerClient } from '../partner-http';
import { tsanet, type TsanetSettings } from './descriptor';
import { isTsanetRejection, mapTsanetStatus, tsanetTime } from './mapping';

const time = z.string().transform((s, ctx) => tsanetTime(s) ?? (ctx.addIssue({ code: 'custom', message: 'is not a time' }), z.NEVER));
const scalar = z.union([z.string(), z.number()]).transform(String);

/** `CollaborationRequestStatusDTO`, the fields the hub reads [S10]. */
const Request = z.object({
  id: scalar.optional(),
  token: z.string().min(1),
  status: z.string(),
  updatedAt: time,
  receiverCaseNumber: z.string().nullish(),
  /** When the receiver must answer by, and whether it has (PARTNERS.md 1.6). */
  respondBy: time.nullish(),
  responded: z.boolean().nullish(),
  caseResponses: z.array(z.object({
    id: scalar.nullish(), type: z.string().nullish(), caseNumber: z.string().nullish(),
    reason: z.string().nullish(), requestedInformation: z.string().nullish(), createdAt: time.nullish(),
  }).loose()).nullish(),
  caseNotes: z.array(z.object({
    token: z.string().min(1), summary: z.string().nullish(), description: z.string().nullish(),
    direction: z.string().nullish(), createdAt: time,
  }).loose()).nullish(),
}).loose();
type Request = z.infer<typeof Request>;
/** The list answers a plain array; with `paginated=true` a page (`content`). */
const RequestList = z.union([z.array(Request), z.object({ content: z.array(Request) }).transform((p) => p.content)]);

/** The receiver's intake form: its `documentId` and custom fields (`required` flags). */
const FormField = z.object({ fieldId: scalar, label: z.string().nullish(), required: z.boolean().nullish() }).loose();
const Form = z.object({ documentId: scalar, customFields: z.array(FormField).nullish() }).loose();

/** `GET /v1/me`: the company and user the token belongs to (PARTNERS.md 1.3). */
const Me = z.object({ company: z.object({ id: z.union([z.number(), z.string()]), name: z.string() }) });
const LoginAnswer = z.object({ accessToken: z.string().min(1), expiresIn: z.number().positive().optional() });
const EntraAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().positive().optional() });
/** The SDK's assumption when a token answer has no lifetime [S7]. */
const DEFAULT_TOKEN_SECONDS = 3600;

/** The legacy error body `{ message, validationErrors: [{ field, message }] }` [S6], as one line. */
export function legacyErrorText(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { message, validationErrors } = data as { message?: unknown; validationErrors?: unknown };
  if (typeof message !== 'string') return undefined;
  const fields = Array.isArray(validationErrors)
    ? validationErrors.map((v: { field?: unknown; message?: unknown }) => `${String(v.field)}: ${String(v.message)}`)
    : [];
  return fields.length ? `${message} (${fields.join('; ')})` : message;
}

/** The latest of the receiver's responses that carries `field` (a rejection's reason, the information it asked). */
const latestResponse = (r: Request, field: 'reason' | 'requestedInformation') => r.caseResponses?.filter((c) => c[field]).at(-1);

/**
 * The receiver's case number once it accepted (the request's, or the approval's), else the TSANet
 * reference. A rejection is a refusal with the receiver's reason; an unanswered request carries its
 * `respondBy` (the server's time is authoritative, PARTNERS.md 1.6).
 */
function toIncident(r: Request): PartnerIncident {
  const approved = r.caseResponses?.find((c) => c.type === 'APPROVAL' && c.caseNumber)?.caseNumber;
  return {
    id: r.token, number: r.receiverCaseNumber || approved || r.id || r.token,
    status: mapTsanetStatus(r.status), partnerStatus: r.status, updatedAt: r.updatedAt,
    ...(isTsanetRejection(r.status) ? { refusal: latestResponse(r, 'reason')?.reason ?? 'The receiver rejected the request without a reason.' } : {}),
    ...(r.respondBy && r.responded === false ? { respondBy: r.respondBy } : {}),
  };
}

const PRIORITY: Record<string, string> = { critical: 'HIGH', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' };

/**
 * The request's custom fields: each field of the receiver's form that the profile fills (by label or by
 * field id). A required field left unfilled is final: no retry fills it, the profile must.
 */
function formFields(fields: z.infer<typeof FormField>[], s: TsanetSettings, input: OpenIncidentInput) {
  const filled = fields.map((f) => {
    const template = (f.label ? s.customFields[f.label] : undefined) ?? s.customFields[f.fieldId];
    return { field: f, value: template === undefined ? '' : fillPlaceholders(template, input) };
  });
  const missing = filled.filter(({ field, value }) => field.required && !value).map(({ field }) => field.label ?? field.fieldId);
  if (missing.length) {
    throw new PartnerCallError(`open incident: the receiver's form requires ${missing.map((m) => `"${m}"`).join(', ')}; fill them in the profile's customFields`, false);
  }
  return filled.filter(({ value }) => value).map(({ field, value }) => ({ fieldId: Number(field.fieldId), value }));
}

export interface TsanetConnectorOptions extends TicketingHalfOptions { clock?: Clock }

/**
 * What the receiver wrote since `from` (ms) and is not in `seen`, for the timeline: the reason of a
 * rejection or the question of an information request (the latest response that carries one; one without
 * its own time counts as new as the request), and its notes (the hub's own are `OUTBOUND` [S3]). Answers
 * the text and the keys it used.
 */
function receiverText(r: Request, from: number, seen: Set<string>): { text: string; used: { key: string; at: string }[] } {
  const parts: string[] = [];
  const used: { key: string; at: string }[] = [];
  const take = (key: string, at: string, text: string) => {
    if (Date.parse(at) < from || seen.has(key) || !text) return;
    parts.push(text);
    used.push({ key, at });
  };
  const status = r.status.toUpperCase();
  const asked = status === 'REJECTED' ? 'reason' : status === 'INFORMATION' ? 'requestedInformation' : undefined;
  const response = asked ? latestResponse(r, asked) : undefined;
  if (response && asked) {
    take(`response:${r.token}:${response.id ?? r.updatedAt}`, response.createdAt ?? r.updatedAt,
      `${asked === 'reason' ? 'Rejected' : 'Information requested'}: ${response[asked]!}`);
  }
  for (const n of r.caseNotes ?? []) {
    if (n.direction === 'OUTBOUND') continue;
    const body = !n.summary || n.description?.startsWith(n.summary) ? n.description ?? '' : [n.summary, n.description].filter(Boolean).join('\n');
    take(`note:${n.token}`, n.createdAt, body);
  }
  return { text: parts.join('\n\n'), used };
}

/** Where the cursor of `listUpdatedSince` stands: the newest update seen, and what was seen in its second. */
interface PollCursor { since: string; seen: string[] }
/** How far back the first poll looks. */
const FIRST_POLL_LOOKBACK_MS = 24 * 3600 * 1000;
const seenKey = (i: PartnerIncident) => `${i.id}|${i.updatedAt}|${i.partnerStatus}`;
/** The start of the second `ms` falls in: `updatedAfter` has a one-second resolution [S4]. */
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
/** `YYYY-MM-DDTHH:MM:SSZ`, as `updatedAfter` takes it [S4]. */
const queryTime = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function readCursor(cursor: string | undefined, now: Date): PollCursor {
  if (cursor) {
    try {
      const c = JSON.parse(cursor) as Partial<PollCursor>;
      if (typeof c.since === 'string' && !Number.isNaN(Date.parse(c.since)) && Array.isArray(c.seen)) return { since: c.since, seen: c.seen.map(String) };
    } catch { /* a cursor from another connector version: start again */ }
  }
  return { since: new Date(now.getTime() - FIRST_POLL_LOOKBACK_MS).toISOString(), seen: [] };
}

export const tsanetConnector = defineHttpHalf(tsanet, (s, profile, opts: TsanetConnectorOptions = {}) => {
  const clock = opts.clock ?? systemClock;
  // problem details instead of the legacy `500 { message }` mode (SDK) where the server offers them
  const api = partnerClient(profile.baseUrl, { accept: 'application/json, application/problem+json' }, profile);
  const expect = <T>(what: string, res: Parameters<typeof expectResponse>[1], ok: number[], schema: z.ZodType<T>) => expectResponse(what, res, ok, schema, legacyErrorText);
  const creds = s.credentials;
  const entra = 'username' in creds ? undefined : partnerClient(creds.loginUrl, {}, profile);

  const tokens = new AccessTokenCache(() => call('TSANet login', async () => {
    if ('username' in creds) {
      const res = await api.post('/v1/login', { username: creds.username, password: creds.password });
      const answer = expect('TSANet login', res, [200], LoginAnswer);
      return { token: answer.accessToken, expiresInSeconds: answer.expiresIn ?? DEFAULT_TOKEN_SECONDS };
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: `${creds.audience}/.default` });
    const res = await entra!.post(`/${encodeURIComponent(creds.tenantId)}/oauth2/v2.0/token`, form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const answer = expect('TSANet login', res, [200], EntraAnswer);
    return { token: answer.access_token, expiresInSeconds: answer.expires_in ?? DEFAULT_TOKEN_SECONDS };
  }), clock);

  // a 401 (token expired or revoked before its time): tokens.withToken logs in again and retries once
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = (path: string, params?: Record<string, string>) => tokens.withToken((t) => api.get(path, { headers: bearer(t), ...(params ? { params } : {}) }));
  const post = (path: string, body: unknown) => tokens.withToken((t) => api.post(path, body, { headers: bearer(t) }));
  const requestPath = (token: string) => `/v1/collaboration-requests/${encodeURIComponent(token)}`;

  async function find(externalRef: string): Promise<PartnerIncident | undefined> {
    const list = expect('find incident', await get('/v1/collaboration-requests', { internalCaseNumber: externalRef }), [200], RequestList);
    const first = list[0];
    return first ? toIncident(first) : undefined;
  }

  async function create(input: OpenIncidentInput): Promise<PartnerIncident> {
    let documentId = s.documentId;
    let customFields: { fieldId: number; value: string }[];
    if (documentId === undefined) {
      const form = expect('read intake form', await get(`/v1/forms/company/${encodeURIComponent(s.partnerCompanyId!)}`), [200], Form);
      documentId = form.documentId;
      customFields = formFields(form.customFields ?? [], s, input);
    } else {
      // a named form is not read: the profile's fields are taken by field id, as written
      customFields = Object.entries(s.customFields).filter(([k]) => /^\d+$/.test(k))
        .map(([k, v]) => ({ fieldId: Number(k), value: fillPlaceholders(v, input) })).filter((f) => f.value);
    }
    const body = {
      documentId: Number(documentId),
      internalCaseNumber: input.externalRef,
      problemSummary: input.title,
      problemDescription: input.description,
      priority: PRIORITY[input.severity] ?? 'MEDIUM',
      submitterContactDetails: s.submitterContact,
      customFields,
      internalNotes: [{ note: `Opened by partner-escalation-hub for case ${input.caseId}` }],
      testSubmission: false,
    };
    return toIncident(expect('open incident', await post('/v1/collaboration-requests', body), [200, 201], Request));
  }

  const getRequest = async (token: string) => expect('get incident', await get(requestPath(token)), [200], Request);

  return {
    // the login, then `GET /v1/me`: it proves the credentials, not the API role (PARTNERS.md 1.3), so the
    // doctor's default find follows it
    setUpProbes: (impossibleRef) => [
      { check: 'token', run: async () => { await call('TSANet login', () => tokens.get()); return `${'username' in creds ? 'Connect login' : 'Entra token'} accepted`; } },
      { check: 'read', run: () => call('get /v1/me', async () => {
        const me = expect('get /v1/me', await get('/v1/me'), [200], Me);
        return `GET /v1/me: company ${me.company.name} (${me.company.id})`;
      }) },
      { check: 'find', run: async () => `find by reference answered ${(await call('find incident', () => find(impossibleRef))) ? 'a request' : 'none'}` },
    ],
    openIncident: (input) => call('open incident', async () => (await find(input.externalRef)) ?? create(input)),
    findByExternalRef: (ref) => call('find incident', () => find(ref)),
    getIncident: (token) => call('get incident', async () => toIncident(await getRequest(token))),
    addComment: (token, text) => call('add comment', async () => {
      // the receiver asked for information: the engineer's comment is the answer (the request goes back to it)
      if ((await getRequest(token)).status.toUpperCase() === 'INFORMATION') {
        expect('answer information request', await post(`${requestPath(token)}/information-response`, { requestedInformation: text.slice(0, 5000) }), [200, 201, 204], z.unknown());
        return;
      }
      const summary = (text.split('\n', 1)[0] ?? '').slice(0, 500) || 'Comment';
      expect('add comment', await post(`${requestPath(token)}/notes`, { summary, description: text.slice(0, 5000), priority: 'MEDIUM', type: 'USER_PARTNER' }), [200, 201, 204], z.unknown());
    }),
    listUpdatedSince: (cursor) => call('poll incidents', async () => {
      const from = readCursor(cursor, clock.now());
      const since = Date.parse(from.since);
      // a second early: an update in the same second as the newest one seen is returned again, and kept once
      const after = wholeSecond(since - 1000);
      const list = expect('poll incidents', await get('/v1/collaboration-requests', { updatedAfter: queryTime(after) }), [200], RequestList);
      // `seen`: `<ms> <key>` of what was listed at or after the start of the cursor's window
      const entries = from.seen.map((e) => ({ at: Number(e.slice(0, e.indexOf(' '))), key: e.slice(e.indexOf(' ') + 1) }));
      const seen = new Set(entries.map((e) => e.key));
      const read = list.map((r) => ({ incident: toIncident(r), said: receiverText(r, after, seen) }));
      const newest = Math.max(since, ...read.map(({ incident }) => Date.parse(incident.updatedAt)));
      // the next poll is answered again everything from the second before the newest update: remember what
      // it holds (states and the receiver's words), so that each is listed once
      const windowStart = wholeSecond(newest - 1000);
      const listed = [
        ...entries,
        ...read.flatMap(({ incident, said }) => [{ at: Date.parse(incident.updatedAt), key: seenKey(incident) }, ...said.used.map((u) => ({ at: Date.parse(u.at), key: u.key }))]),
      ].filter((e) => e.at >= windowStart).map((e) => `${e.at} ${e.key}`);
      const incidents = read.filter(({ incident, said }) => !seen.has(seenKey(incident)) || said.text)
        .map(({ incident, said }) => (said.text ? { ...incident, comment: said.text } : incident));
      return { incidents, cursor: JSON.stringify({ since: new Date(newest).toISOString(), seen: [...new Set(listed)] } satisfies PollCursor) };
    }),
  };
});
