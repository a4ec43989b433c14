/**
 * HTTP edge helpers shared by the API handlers: API Gateway v2 events in, contract responses out.
 * Errors are mapped to the contract's body in one place; a 500 says `internal` and nothing more.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { TextDecoder } from 'node:util';
import * as z from 'zod';
import {
  ForbiddenError, HubError, InvalidJsonError, PayloadTooLargeError, UnauthorizedError, ValidationError,
} from '../core/errors';
import type { Log } from '../core/deps';
import { correlationKeys, logHandling } from '../core/log';
import { PROTOTYPE_KEYS, wellFormed, wellFormedReviver } from '../core/partner-input';
import { ROLES, type Role } from '../core/schemas';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export interface HttpResult { statusCode: number; headers: Record<string, string>; body: string }

export const MAX_BODY_BYTES = 256 * 1024;

/** A lone surrogate as JSON.stringify escapes it (`\ud800`): strict JSON clients refuse those. */
const ESCAPED_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/i;

/**
 * JSON text every strict client can read: a lone surrogate in any string (stored before input was made
 * well-formed) is answered as U+FFFD, not as a `\ud800` escape. The check is one scan of the text; only an
 * answer that has such an escape (or a backslash-u text that looks like one) is serialized again.
 */
export function strictJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined || !ESCAPED_SURROGATE.test(text)) return text;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v));
}

export const json = (statusCode: number, value: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: strictJson(value),
});

/**
 * How an unexpected failure is answered: `internal` (500) to a person's client; `retry-later` (503 with
 * `Retry-After`) to a sender that delivers events (webhooks, desks): senders retry a 503 that says when,
 * where many give up on a 500 (Zendesk retries 409, 429 and 503 with `Retry-After` only), and a delivery
 * the hub did not take must come again.
 */
export type UnexpectedAnswer = 'internal' | 'retry-later';
export const RETRY_LATER_SECONDS = 10;

export function errorResult(err: unknown, log: Log, unexpected: UnexpectedAnswer = 'internal'): HttpResult {
  if (err instanceof HubError) {
    return json(err.status, { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
  }
  log.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  return unexpected === 'retry-later'
    ? json(503, { error: { code: 'unavailable', message: `Not taken; send it again in ${RETRY_LATER_SECONDS} seconds.` } }, { 'retry-after': String(RETRY_LATER_SECONDS) })
    : json(500, { error: { code: 'internal', message: 'Something went wrong on our side; the request can be retried.' } });
}

/**
 * An HTTP function's handling: every line it logs carries the request's id (API Gateway's, which the local
 * server mints too) and the escalation, case or partner its path names; an error becomes the contract's body.
 */
export function httpHandler(log: Log, answer: (event: HttpEvent) => Promise<HttpResult>, unexpected: UnexpectedAnswer = 'internal') {
  return (event: HttpEvent): Promise<HttpResult> =>
    logHandling({ requestId: event.requestContext?.requestId, ...correlationKeys(event.pathParameters) }, async () => {
      try {
        return await answer(event);
      } catch (err) {
        return errorResult(err, log, unexpected);
      }
    });
}

/**
 * The body's bytes exactly as received: API Gateway base64-encodes bodies it does not pass as text
 * (`isBase64Encoded`), and so does the local server for bytes that are not UTF-8. Webhook signatures are
 * checked over these bytes.
 */
export function rawBytes(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text: strict UTF-8 (API.md: JSON bodies are UTF-8); InvalidJsonError for other bytes. */
export function rawBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  if (event.body === undefined || event.body === null) return '';
  if (!event.isBase64Encoded) return event.body;
  try {
    return strictUtf8.decode(rawBytes(event));
  } catch {
    throw new InvalidJsonError('The request body is not valid UTF-8.');
  }
}

/**
 * The JSON body; strings in it are made well-formed (a lone surrogate becomes U+FFFD) before anything stores
 * them, and a key that names an object prototype member (`__proto__`, `constructor`, `toString`…) at any depth
 * is refused (422): no contract body has one, and such keys reach code that reads records by key.
 */
export function parseJsonBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): unknown {
  if (rawBytes(event).length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  const raw = rawBody(event);
  if (raw.trim() === '') throw new InvalidJsonError('The request body is empty; send a JSON object.');
  let reserved: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw, function (this: unknown, key: string, v: unknown) {
      if (reserved === undefined && !Array.isArray(this) && PROTOTYPE_KEYS.has(key)) reserved = key;
      return wellFormedReviver.call(this, key, v);
    });
  } catch {
    throw new InvalidJsonError('The request body is not valid JSON.');
  }
  if (reserved !== undefined) {
    throw new ValidationError(`The request is not valid: "${reserved}" is a reserved name (an object prototype member) and cannot be a field.`, [{ path: reserved, message: 'is a reserved name' }]);
  }
  return value;
}

export { ROLES, type Role };
export interface Caller { sub: string; role: Role; customerId?: string }

const Claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  customerId: z.string().min(1).optional(),
});

/** Reads the caller from the JWT authorizer context (filled by API Gateway, or by the local server). */
export function callerOf(event: HttpEvent): Caller {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) throw new UnauthorizedError('A bearer token is required.');
  const r = Claims.safeParse(claims);
  if (!r.success) throw new ForbiddenError('The token does not carry a usable sub and role.');
  return r.data;
}

export function requireRole(caller: Caller, ...roles: Role[]): Caller {
  if (!roles.includes(caller.role)) throw new ForbiddenError(`This route is for ${roles.join(' or ')} tokens.`);
  if (caller.role === 'customer' && !caller.customerId) throw new ForbiddenError('A customer token must carry customerId.');
  return caller;
}

/** Headers lower-cased (API Gateway v2 already does; tests and other callers may not). */
export function lowerHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}
