/** What the connector tests share: the failure they expect, and stand-ins for the hub's webhook routes. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_HALVES } from '../../connectors/generated/webhook';
import type { HttpHalf, WebhookHalf } from '../../connectors/halves';
import { composeConnector, type ConnectorKind, type PortOf } from '../../connectors/kinds';
import type { PartnerProfile } from '../../core/config';
import { PartnerCallError } from '../../core/errors';
import type { Clock, CollaborationConnector, CollaborationEvent, RawWebhook } from '../../core/ports';

/**
 * The whole connector of `profile` as the registries compose it (connectors/registry.ts, without the
 * breaker and guard they add): the HTTP half's partner calls and the connector's inbound half's webhooks,
 * both given the same `options` (a clock).
 */
export function fullConnector<K extends ConnectorKind>(half: HttpHalf<K, { clock?: Clock }>, profile: PartnerProfile, options?: { clock?: Clock }): PortOf<K> {
  const inbound = WEBHOOK_HALVES[half.descriptor.id] as WebhookHalf<K>;
  return composeConnector(half.descriptor, half(profile, options), inbound(profile, options?.clock));
}

/** The PartnerCallError `p` rejects with (anything else fails the test). */
export async function failure(p: Promise<unknown>): Promise<PartnerCallError> {
  try { await p; } catch (e) { if (e instanceof PartnerCallError) return e; throw e; }
  throw new Error('expected a PartnerCallError');
}

/** Listens on loopback, hands each request's raw body to `onBody`, and serves at `path` (`url`). */
async function listen(path: string, onBody: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => onBody(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, close: () => new Promise((r) => server.close(r)) };
}

/** Receives a sandbox's pushes at `path`, keeping the raw bytes and headers, and answers 200. */
export async function startReceiver(path: string) {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const served = await listen(path, (req, body, res) => { got.push({ headers: req.headers, body }); res.writeHead(200); res.end(); });
  return { ...served, got };
}

/** Header values as single strings. */
export const flat = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));

/** Stands in for `/v1/webhooks/{partnerId}/collaboration`: verify the raw bytes, answer handshakes, parse. */
export async function startCollaborationReceiver(connector: CollaborationConnector, path: string) {
  const events: CollaborationEvent[] = [];
  const deliveries: string[] = [];
  const served = await listen(path, (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const raw: RawWebhook = { headers: req.headers as Record<string, string>, body, query: Object.fromEntries(url.searchParams.entries()) };
    const verdict = connector.verifyWebhook(raw, new Date());
    if (verdict.kind === 'challenge') { res.writeHead(verdict.status, { 'content-type': verdict.contentType }); return res.end(verdict.body); }
    if (verdict.kind === 'rejected') { res.writeHead(401); return res.end(verdict.reason); }
    deliveries.push(verdict.deliveryId);
    events.push(...connector.parseWebhook(raw));
    res.writeHead(202);
    res.end();
  });
  return { ...served, events, deliveries };
}
