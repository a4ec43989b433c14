/** Partner webhooks: verify over the raw bytes (as received, never decoded first), dedupe, enqueue, answer fast. */
import type { HubDeps } from '../core/deps';
import { PayloadTooLargeError } from '../core/errors';
import { ingestWebhook } from '../core/use-cases/ingest-webhook';
import { ingestCollaborationWebhook } from '../core/use-cases/joint-calls';
import { takeDeskEvent } from '../core/use-cases/desk-events';
import { buildWebhookRegistry } from '../connectors/webhook-registry';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { sqsWorkQueue } from './adapters/sqs-queue';
import { json, lowerHeaders, MAX_BODY_BYTES, rawBytes, type HttpEvent, type HttpResult } from './http';
import { dispatch } from './routes';

/** The raw bytes are the request: no body schema, no roles (a partner proves itself by its signature). */
export function makeWebhookHandler(deps: HubDeps) {
  const ingest = async (event: HttpEvent, collaboration: boolean): Promise<HttpResult> => {
    const body = rawBytes(event);
    if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Webhook bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    const partnerId = event.pathParameters?.partnerId ?? '';
    const raw = { headers: lowerHeaders(event.headers), body, query: event.queryStringParameters ?? {} };
    const r = collaboration ? await ingestCollaborationWebhook(deps, partnerId, raw) : await ingestWebhook(deps, partnerId, raw);
    if (r.kind === 'challenge') return { statusCode: r.status, headers: { 'content-type': r.contentType }, body: r.body };
    if (r.kind === 'recorded') return json(200, { status: 'recorded', deliveryId: r.deliveryId, events: r.events });
    return r.kind === 'duplicate'
      ? json(200, { status: 'duplicate', deliveryId: r.deliveryId })
      : json(202, { status: 'accepted', deliveryId: r.deliveryId });
  };
  return dispatch<'webhook'>({
    'POST /v1/webhooks/{partnerId}': ({ event }) => ingest(event, false),
    'POST /v1/webhooks/{partnerId}/collaboration': ({ event }) => ingest(event, true),
    'POST /v1/desks/{deskId}/events': async ({ event }) => {
      const body = rawBytes(event);
      if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Desk events are limited to ${MAX_BODY_BYTES} bytes.`);
      const raw = { headers: lowerHeaders(event.headers), body, query: event.queryStringParameters ?? {} };
      const { results, acknowledge } = await takeDeskEvent(deps, event.pathParameters?.deskId ?? '', raw);
      if (acknowledge) return { statusCode: 200, headers: { 'content-type': acknowledge.contentType }, body: acknowledge.body };
      const flagged = results.some((r) => r.status === 'flagged');
      // a desk's one event answers as itself; a delivery of several, as the list
      return json(flagged ? 202 : 200, results.length === 1 ? results[0] : { items: results });
    },
  // a delivery the hub could not take (a store or queue failure) is answered 503 with Retry-After: the
  // sender's retry is how it comes again (nothing of it was remembered)
  }, deps.log, 'retry-later');
}

let wired: ReturnType<typeof makeWebhookHandler> | undefined;
// verifying and parsing needs the connectors' webhook halves only: no partner HTTP client in this bundle;
// the bus for a desk event's flag (EscalationRequested)
export const handler = withLambdaContext(async (event: HttpEvent) => (wired ??= makeWebhookHandler(await hubDeps('webhook', { connectors: buildWebhookRegistry, queue: sqsWorkQueue, bus: eventBridgeBus })))(event));
