/**
 * The shared dispatcher of the HTTP functions: finds the declaration of the event's route
 * (topology/routes.ts), checks the caller's role and parses the query and body from it, then calls the
 * route's handler with what it parsed. Handlers never check roles or parse requests themselves.
 */
import type * as z from 'zod';
import type { Log } from '../core/deps';
import { NotFoundError } from '../core/errors';
import { parseOrThrow } from '../core/schemas';
import { ROUTE_DECLARATIONS, type RouteDeclaration, type RouteKey, type RoutesOf } from '../topology/routes';
import type { FunctionName } from '../topology/topology';
import { callerOf, httpHandler, parseJsonBody, rawBody, requireRole, type Caller, type HttpEvent, type HttpResult, type UnexpectedAnswer } from './http';

type Declared<K extends RouteKey> = (typeof ROUTE_DECLARATIONS)[K];
type Parsed<D, F extends 'body' | 'query'> = D extends Record<F, infer S extends z.ZodType> ? z.output<S> : undefined;

/** What a handler is given: the event, the caller when the route names roles, and the parsed body and query. */
export interface RouteRequest<K extends RouteKey> {
  event: HttpEvent;
  caller: Declared<K> extends { roles: readonly unknown[] } ? Caller : undefined;
  body: Parsed<Declared<K>, 'body'>;
  query: Parsed<Declared<K>, 'query'>;
}
/** One handler per route of function `F`: a missing or an undeclared one fails `tsc`. */
export type RouteHandlers<F extends FunctionName> = { [K in RoutesOf<F>]: (req: RouteRequest<K>) => Promise<HttpResult> };

function parseRequest(d: RouteDeclaration, event: HttpEvent) {
  const caller = d.roles ? requireRole(callerOf(event), ...d.roles) : undefined;
  const query: unknown = d.query ? parseOrThrow(d.query, event.queryStringParameters ?? {}, 'query') : undefined;
  const body: unknown = !d.body ? undefined
    : d.optionalBody && rawBody(event).trim() === '' ? parseOrThrow(d.body, {})
      : parseOrThrow(d.body, parseJsonBody(event));
  return { event, caller, query, body };
}

export function dispatch<F extends FunctionName>(handlers: RouteHandlers<F>, log: Log, unexpected: UnexpectedAnswer = 'internal') {
  const byKey = handlers as unknown as Record<string, (req: ReturnType<typeof parseRequest>) => Promise<HttpResult>>;
  // one handling per request: its log lines carry the request id (httpHandler), and errors map to the contract
  return httpHandler(log, async (event) => {
    const handle = Object.hasOwn(byKey, event.routeKey) ? byKey[event.routeKey] : undefined;
    if (!handle) throw new NotFoundError(`No route ${event.routeKey}.`);
    return handle(parseRequest(ROUTE_DECLARATIONS[event.routeKey as RouteKey], event));
  }, unexpected);
}
