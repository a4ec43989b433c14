/**
 * Sandboxes: small HTTP servers that speak a partner's wire format and keep tickets in memory, so the
 * local runtime and the tests run the whole loop with no accounts. One per connector.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PartnerProfile } from '../core/config';

/** A scripted failure: answers the next matching partner API call (never the `/_sandbox` admin routes). */
export interface SandboxFault {
  status: number;
  headers?: Record<string, string>;
  match?: (call: { method: string; path: string }) => boolean;
  /** Answer only after this long (longer than the hub's `timeoutMs` models a partner that hangs). */
  delayMs?: number;
}

export interface Sandbox {
  baseUrl: string;
  /** Moves a ticket to a status of the partner's own vocabulary, as an agent would (and notifies the hub when it pushes). */
  move(ticketId: string, status: string, comment?: string): Promise<unknown>;
  /** Scripted failures, answered in order. */
  faults: SandboxFault[];
  /** Where webhooks go, and mail (`mailTo`, the hub's SMTP listener `smtp://host:port`: the mail desk); may be set once the hub is listening. */
  settings: { webhookUrl?: string | undefined; mailTo?: string | undefined };
  close(): Promise<void>;
}

/** Where a sandbox reaches the hub: its webhook route, and its SMTP listener (`smtp://host:port`, for a partner that answers by mail). */
export interface SandboxStart { port: number; webhookUrl?: string; mailTo?: string }

/** Starts the sandbox for a partner profile, listening on `port` (0: any free port). */
export type SandboxFactory<P = PartnerProfile> = (profile: P, opts: SandboxStart) => Promise<Sandbox>;

/**
 * Takes the first scripted fault that matches this call (removing it), after its `delayMs` if any;
 * `undefined` when none matches. Each sandbox answers it in its own partner's error format.
 */
export async function takeFault(faults: SandboxFault[], call: { method: string; path: string }): Promise<SandboxFault | undefined> {
  const at = faults.findIndex((f) => !f.match || f.match(call));
  if (at < 0) return undefined;
  const fault = faults.splice(at, 1)[0]!;
  if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  return fault;
}

/** The whole request body, as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** Answers `res` with JSON (or nothing), under the partner's own JSON content type. */
export const jsonSender = (res: ServerResponse, contentType: string) => (code: number, body?: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(code, { 'content-type': contentType, ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

/** Escapes text for the sandboxes' small HTML pages. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The OAuth bearer tokens a sandbox issues (client-credentials style), each valid for `lifetimeSeconds`. */
export class SandboxTokens {
  private readonly expiries = new Map<string, number>();
  /** Token requests received, granted or not (caching checks). */
  requests = 0;
  constructor(private readonly prefix: string, readonly lifetimeSeconds: number) {}

  issue(): string {
    const token = `${this.prefix}${randomBytes(24).toString('base64url')}`;
    this.expiries.set(token, Date.now() + this.lifetimeSeconds * 1000);
    return token;
  }

  /** Whether `authorization` carries a bearer token issued here that has not expired. */
  accepts(authorization: string | undefined): boolean {
    const auth = authorization ?? '';
    const expiry = this.expiries.get(auth.startsWith('Bearer ') ? auth.slice(7) : '');
    return expiry !== undefined && expiry >= Date.now();
  }

  /** Revokes every issued token: the next API call answers 401. */
  revokeAll(): void { this.expiries.clear(); }
}

/** Serves a sandbox's handler on loopback (`port` 0: any free port); a handler that throws answers 500. */
export async function serveSandbox(handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>, port = 0) {
  const server = createServer((req, res) => { handle(req, res).catch(() => { res.statusCode = 500; res.end(); }); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    baseUrl: `http://127.0.0.1:${actualPort}`,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
