/**
 * HTTP edge helpers shared by the API handlers: API Gateway v2 events in, contract responses out.
 * Errors are mapped to the contract's body in one place; a 500 says `internal` and nothing more.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import {
  ForbiddenError, HubError, InvalidJsonError, PayloadTooLargeError, UnauthorizedError,
} from '../core/errors';
import type { Log } from '../core/deps';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export interface HttpResult { statusCode: number; headers: Record<string, string>; body: string }

export const MAX_BODY_BYTES = 256 * 1024;

export const json = (statusCode: number, value: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value),
});

export function errorResult(err: unknown, log: Log): HttpResult {
  if (err instanceof HubError) {
    return json(err.status, { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
  }
  log.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  return json(500, { error: { code: 'internal', message: 'Something went wrong on our side; the request can be retried.' } });
}

/** The raw body as received (API Gateway may base64 it). */
export function rawBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function parseJsonBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): unknown {
  const raw = rawBody(event);
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  if (raw.trim() === '') throw new InvalidJsonError('The request body is empty; send a JSON object.');
  try {
    return JSON.parse(raw);
  } catch {
    throw new InvalidJsonError('The request body is not valid JSON.');
  }
}

export const ROLES = ['engineer', 'customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];
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
