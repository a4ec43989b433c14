/**
 * The local HTTP front door: plays API Gateway (HTTP API). Matches the topology's routes, enforces the
 * 256 KiB body limit, validates bearer tokens like the JWT authorizer, and hands the handler an
 * API Gateway v2 event with the claims in `requestContext.authorizer.jwt.claims`.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Log } from '../core/deps';
import { MAX_BODY_BYTES, type HttpEvent, type HttpResult } from '../functions/http';
import type { FunctionName, RouteSpec } from '../topology/topology';
import { verifyJwt } from './jwt';
import { PendingWork } from './pending-work';

export type HttpHandler = (event: HttpEvent) => Promise<HttpResult>;

interface CompiledRoute { spec: RouteSpec; regex: RegExp; params: string[] }

const compile = (spec: RouteSpec): CompiledRoute => {
  const params: string[] = [];
  const pattern = spec.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a: string, b: string) => {
    params.push(a ?? b);
    return '([^/]+)';
  });
  return { spec, regex: new RegExp(`^${pattern}$`), params };
};

const problem = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
};

export interface LocalHttpOptions {
  routes: RouteSpec[];
  handlers: Partial<Record<FunctionName, HttpHandler>>;
  jwtSecret: string;
  log: Log;
}

/** A request Node's parser refuses (head over 16 KiB, malformed): still the contract's error body. */
function answerClientError(err: Error & { code?: string }, socket: import('node:stream').Duplex) {
  if (!socket.writable) return socket.destroy();
  const [status, text, code, message] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
    : [400, 'Bad Request', 'bad_request', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** The server, how many requests it is answering right now, and a wait for their handlers to finish. */
export type LocalHttpServer = Server & { inFlight(): number; settled(limitMs?: number): Promise<boolean> };

export function createLocalHttpServer(opts: LocalHttpOptions): LocalHttpServer {
  const routes = opts.routes.map(compile);
  let inFlight = 0;
  const handlers = new PendingWork();
  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => { inFlight--; });
    handlers.track(serve(req, res, routes, opts)).catch((err) => {
      opts.log.error('local server error', { error: String(err) });
      if (!res.headersSent) problem(res, 500, 'internal', 'Something went wrong on our side.');
      else res.end();
    });
  });
  server.on('clientError', answerClientError);
  return Object.assign(server, { inFlight: () => inFlight, settled: (limitMs?: number) => handlers.settled(limitMs) });
}

async function serve(req: IncomingMessage, res: ServerResponse, routes: CompiledRoute[], opts: LocalHttpOptions) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  let path = url.pathname;
  try { path = decodeURIComponent(url.pathname); } catch { /* keep it raw */ }
  const candidates = routes.filter((r) => r.regex.test(url.pathname));
  const route = candidates.find((r) => r.spec.method === method);
  if (!route) {
    req.resume();
    return candidates.length
      ? problem(res, 405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}.`)
      : problem(res, 404, 'not_found', `No route ${method} ${url.pathname}.`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    problem(res, 413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      problem(res, 413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      req.resume();
      return;
    }
    chunks.push(chunk);
  }
  // as API Gateway does for bodies it cannot pass as text: bytes that are not UTF-8 travel base64-encoded,
  // so that webhook signatures are checked over exactly the bytes received
  const bytes = Buffer.concat(chunks);
  const text = isUtf8(bytes);
  const body = text ? bytes.toString('utf8') : bytes.toString('base64');

  let claims: Record<string, unknown> | undefined;
  if (route.spec.auth !== 'none') {
    const auth = req.headers.authorization ?? '';
    const m = auth.match(/^Bearer\s+(\S+)$/i);
    const verdict = m ? verifyJwt(m[1]!, opts.jwtSecret) : { ok: false as const, reason: 'no bearer token' };
    if (verdict.ok) claims = verdict.claims;
    else if (route.spec.auth === 'jwt') return problem(res, 401, 'unauthorized', `A valid bearer token is required (${verdict.reason}).`);
  }
  const handler = opts.handlers[route.spec.function];
  if (!handler) return problem(res, 500, 'internal', 'No handler is wired for this route.');

  const match = url.pathname.match(route.regex)!;
  const pathParameters = Object.fromEntries(route.params.map((p, i) => {
    const raw = match[i + 1]!;
    try { return [p, decodeURIComponent(raw)]; } catch { return [p, raw]; }
  }));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query = Object.fromEntries(url.searchParams.entries());
  const now = Date.now();
  const event = {
    version: '2.0',
    routeKey: `${route.spec.method} ${route.spec.path}`,
    rawPath: path,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(route.params.length ? { pathParameters } : {}),
    body,
    isBase64Encoded: !text,
    requestContext: {
      accountId: 'local', apiId: 'local', domainName: '127.0.0.1', domainPrefix: 'local', requestId: randomUUID(),
      routeKey: `${route.spec.method} ${route.spec.path}`, stage: '$default', time: new Date(now).toISOString(), timeEpoch: now,
      http: { method, path, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
  };
  if (!claims) delete (event.requestContext as { authorizer?: unknown }).authorizer;
  const result = await handler(event as unknown as HttpEvent);
  res.writeHead(result.statusCode, result.headers);
  res.end(result.body);
}
