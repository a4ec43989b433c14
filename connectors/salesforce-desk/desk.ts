/**
 * `salesforce-desk`, HTTP half: the hub's writes to a Case of the vendor's Salesforce org, as the External
 * Client App's run-as user.
 *
 * Token: OAuth 2.0 client credentials, `POST {baseUrl}/services/oauth2/token` (form body) against the org's
 * My Domain (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm).
 * Salesforce's answer carries no expiry (the session lasts the org's Session Timeout, 15 minutes at the
 * shortest), so the token is kept as if it lived 15 minutes, and a 401 from the REST API drops it: the call is
 * made once more with a new one (access-token-cache.ts). Calls go to `baseUrl`, the My Domain (the token's
 * `instance_url` is that same host; a token answer never moves the hub's calls elsewhere).
 *
 * Write-back: `PATCH /services/data/v{apiVersion}/sobjects/Case/{Id}` with the two custom fields `writeBack`
 * names (only those the update carries; 204), then `POST …/sobjects/CaseComment` `{ ParentId, CommentBody,
 * IsPublished }` (`IsPublished`: the customer sees it in the portal; `CommentBody` is at most 4,000 bytes),
 * posted even when the fields are refused for good (then that refusal is reported, final).
 * Errors are Salesforce's array `[{ message, errorCode, fields }]`. Transient (retried, with their
 * `Retry-After` if any, then the queue's dead-letter queue): 503, `REQUEST_LIMIT_EXCEEDED` (403),
 * `UNABLE_TO_LOCK_ROW` (400), and what the set-up causes and fixing it cures (`INSUFFICIENT_ACCESS…`, a 401
 * with a new token, the token endpoint's `invalid_client`/`invalid_grant`, an API version the org does not
 * serve). Final: a deleted case (`ENTITY_IS_DELETED`, or `NOT_FOUND` for `sobjects/Case/{Id}` when the
 * org serves the API version), and other 4xx (a validation rule, a restricted picklist, a field the org
 * lacks). `hub doctor` reads the org's limits.
 */
import * as z from 'zod';
import { parseRetryAfter } from '../../core/backoff';
import { PartnerCallError } from '../../core/errors';
import { systemClock, type Clock, type DeskWriteBack } from '../../core/ports';
import { AccessTokenCache } from '../access-token-cache';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { caseId18, salesforceDesk } from './descriptor';

/** How long a token is kept: Salesforce does not say; 15 minutes is the shortest Session Timeout an org can set. */
export const SESSION_SECONDS = 15 * 60;
/** CaseComment.CommentBody's limit, in bytes (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_casecomment.htm). */
export const COMMENT_BODY_BYTES = 4000;
const CUT_NOTE = '\n[cut: the comment was longer than the 4,000 bytes Salesforce keeps]';

const TokenAnswer = z.looseObject({ access_token: z.string().min(1), token_type: z.string().optional() });
const Created = z.looseObject({ id: z.string(), success: z.literal(true) });
const Limits = z.looseObject({ DailyApiRequests: z.looseObject({ Max: z.number(), Remaining: z.number() }) });
const ErrorArray = z.array(z.looseObject({ message: z.string(), errorCode: z.string(), fields: z.array(z.string()).optional() }));
const OAuthError = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/** Salesforce's error array (`[{ message, errorCode, fields }]`) or an OAuth error, as one line. */
function describe(data: unknown): string | undefined {
  const errors = ErrorArray.safeParse(data);
  if (errors.success && errors.data.length) {
    return errors.data.map((e) => `${e.errorCode}: ${e.message}${e.fields?.length ? ` (${e.fields.join(', ')})` : ''}`).join('; ');
  }
  const oauth = OAuthError.safeParse(data);
  return oauth.success ? [oauth.data.error, oauth.data.error_description].filter(Boolean).join(': ') : undefined;
}
const errorCodes = (data: unknown): string[] => { const e = ErrorArray.safeParse(data); return e.success ? e.data.map((x) => x.errorCode) : []; };

/**
 * `body` within `COMMENT_BODY_BYTES` of UTF-8: a longer one is cut on a character boundary (never inside a
 * character's bytes) and ends with a line saying it was cut.
 */
export function fitCommentBody(body: string): string {
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= COMMENT_BODY_BYTES) return body;
  let end = COMMENT_BODY_BYTES - Buffer.byteLength(CUT_NOTE, 'utf8');
  while ((bytes[end]! & 0xc0) === 0x80) end--; // a continuation byte: back to the start of its character
  return bytes.subarray(0, end).toString('utf8') + CUT_NOTE;
}

/** The Case fields of one write: only what `update` carries. */
export function caseFields(update: DeskWriteBack, fields: { ticketNumberField: string; statusField: string }): Record<string, string> {
  return {
    ...(update.ticketNumber !== undefined ? { [fields.ticketNumberField]: update.ticketNumber } : {}),
    ...(update.status !== undefined ? { [fields.statusField]: update.status } : {}),
  };
}

export interface SalesforceDeskOptions { clock?: Clock }

/** The case is gone (final, 404): nothing, not even a comment, can be written to it. */
class CaseDeletedError extends PartnerCallError {
  constructor(message: string) { super(message, false, 404); }
}

/**
 * Answers that are the org's or the app's set-up, or a moment's contention, not the write's fault: retried, so
 * that a write the set-up keeps refusing reaches the write-back queue's dead-letter queue and its alarm (and is
 * redriven once fixed) instead of being dropped for good. `REQUEST_LIMIT_EXCEEDED`: the org's daily API limit
 * (403); `UNABLE_TO_LOCK_ROW`: another transaction holds the case (400); `INSUFFICIENT_ACCESS…`: the run-as
 * user lacks a permission (403 or 400); `API_CURRENTLY_DISABLED`: the run-as user has no "API Enabled".
 */
const isRetried = (code: string) => ['REQUEST_LIMIT_EXCEEDED', 'UNABLE_TO_LOCK_ROW', 'API_CURRENTLY_DISABLED'].includes(code) || code.startsWith('INSUFFICIENT_ACCESS');
/** The token endpoint's answers that mean the External Client App's set-up (its key or secret, its run-as user, the flow not enabled). */
const SETUP_OAUTH_ERRORS = ['invalid_client', 'invalid_grant', 'unauthorized_client'];

export const salesforceDeskWriter = defineHttpHalf(salesforceDesk, (s, desk, opts: SalesforceDeskOptions = {}) => {
  const clock = opts.clock ?? systemClock;
  const http = partnerClient(desk.baseUrl, { 'content-type': 'application/json' }, desk);
  const api = `/services/data/v${s.apiVersion}`;
  const setUp = (what: string) => `${what}; the write is retried, then kept in the desk-writeback dead-letter queue, to redrive once the set-up is fixed`;
  const tokens = new AccessTokenCache(() => call('get Salesforce token', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: s.credentials.clientId, client_secret: s.credentials.clientSecret });
    const res = await http.post('/services/oauth2/token', form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const refused = OAuthError.safeParse(res.data);
    if (res.status === 400 && refused.success && SETUP_OAUTH_ERRORS.includes(refused.data.error)) {
      throw new PartnerCallError(setUp(`desk ${desk.id}: Salesforce refused the app's token (HTTP 400 ${describe(res.data)}): check credentials and the External Client App's client credentials flow and run-as user`), true, 400);
    }
    return { token: expectResponse('get Salesforce token', res, [200], TokenAnswer, describe).access_token, expiresInSeconds: SESSION_SECONDS };
  }), clock);

  /** Whether the org serves `apiVersion` (`GET /services/data/v{apiVersion}`: its resources, or 404 NOT_FOUND as for a missing record). */
  async function versionServed(): Promise<boolean> {
    const res = await tokens.withToken((token) => http.get(api, { headers: { authorization: `Bearer ${token}` } }));
    if (res.status === 404) return false;
    // not known either way (the org failing): the write is retried, never called a deleted case on a guess
    if (res.status !== 200) throw new PartnerCallError(`desk ${desk.id}: GET ${api}: HTTP ${res.status} while telling a deleted case from an API version the org does not serve`, true, res.status);
    return true;
  }

  /** One REST call with the cached token (renewed once on a 401); the answer checked as Salesforce answers errors. */
  async function rest<T>(what: string, caseId: string | undefined, method: 'get' | 'patch' | 'post', path: string, ok: number[], schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const res = await tokens.withToken((token) => http.request({ method, url: `${api}${path}`, data: body, headers: { authorization: `Bearer ${token}` } }));
    if (ok.includes(res.status)) return expectResponse(what, res, ok, schema, describe);
    const codes = errorCodes(res.data);
    const answer = `HTTP ${res.status} ${describe(res.data) ?? ''}`.trim();
    // Salesforce answers a record that is not there and an API version the org does not serve alike (404
    // NOT_FOUND): the version is asked for before a case is called deleted
    if (codes.includes('NOT_FOUND') && !(await versionServed())) {
      throw new PartnerCallError(setUp(`desk ${desk.id}: ${what}: the org does not serve REST API version ${s.apiVersion} (GET ${api} answers 404): set apiVersion to one it serves`), true, res.status);
    }
    if (caseId && (codes.includes('ENTITY_IS_DELETED') || (codes.includes('NOT_FOUND') && path === `/sobjects/Case/${caseId}`))) {
      throw new CaseDeletedError(`desk ${desk.id}: case ${caseId} no longer exists (deleted in Salesforce: ${describe(res.data)}); nothing more is written to it`);
    }
    if (res.status === 401) {
      // refused again with a token just issued: the app's session settings or the run-as user, not this write
      throw new PartnerCallError(setUp(`${what}: ${answer} with a new token: check the run-as user and the app's OAuth policies`), true, 401);
    }
    if (codes.some(isRetried)) {
      throw new PartnerCallError(setUp(`${what}: ${answer}`), true, res.status, parseRetryAfter(res.headers['retry-after'] as string | undefined, clock.now()));
    }
    return expectResponse(what, res, ok, schema, describe);
  }

  return {
    writeBack: (given, update) => call(`update desk case ${given}`, async () => {
      const caseId = caseId18(given); // a case flagged through the API may name it by 15 characters
      if (!caseId) throw new PartnerCallError(`desk ${desk.id}: "${given}" is not a Salesforce Case id (500…, 15 or 18 characters)`, false);
      const fields = caseFields(update, s.writeBack);
      let refused: PartnerCallError | undefined;
      if (Object.keys(fields).length) {
        try {
          await rest(`update Case ${caseId}`, caseId, 'patch', `/sobjects/Case/${caseId}`, [204], z.unknown(), fields);
        } catch (e) {
          // refused for good (a validation rule on closed cases, a restricted picklist): the comment still tells
          // the customer, so it is posted before the refusal is reported. Only then: a retried update posts nothing
          // twice, and a comment that fails for a moment is retried with the update, which is refused again
          if (!update.comment || !(e instanceof PartnerCallError) || e.transient || e instanceof CaseDeletedError) throw e;
          refused = e;
        }
      }
      if (update.comment) {
        const comment = { ParentId: caseId, CommentBody: fitCommentBody(update.comment.body), IsPublished: update.comment.public };
        await rest(`comment on Case ${caseId}`, caseId, 'post', '/sobjects/CaseComment', [201], Created, comment);
      }
      if (refused) throw new PartnerCallError(`${refused.message} (the fields were not written; the comment was posted)`, false, refused.httpStatus);
    }),
    // the org's limits: proves the My Domain, the app's credentials and the run-as user's API access
    setUpProbes: () => [{
      check: 'read',
      run: async () => {
        const limits = await rest(`GET ${api}/limits`, undefined, 'get', '/limits', [200], Limits);
        return `GET ${api}/limits: ${limits.DailyApiRequests.Remaining} of ${limits.DailyApiRequests.Max} daily API requests left`;
      },
    }],
  };
});
