/** Partner webhooks: verify over the raw bytes (as received, never decoded first), dedupe, enqueue, answer fast. */
import type { HubDeps } from '../core/deps';
import { PayloadTooLargeError } from '../core/errors';
import { ingestWebhook } from '../core/use-cases/ingest-webhook';
import { ingestCollaborationWebhook } from '../core/use-cases/joint-calls';
import { buildWebhookRegistry } from '../connectors/webhook-registry';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { sqsWorkQueue } from './adapters/sqs-queue';
import { httpHandler, json, lowerHeaders, MAX_BODY_BYTES, rawBytes, type HttpEvent } from './http';

export function makeWebhookHandler(deps: HubDeps) {
  return httpHandler(deps.log, async (event) => {
    const body = rawBytes(event);
    if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Webhook bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    const partnerId = event.pathParameters?.partnerId ?? '';
    const raw = { headers: lowerHeaders(event.headers), body, query: event.queryStringParameters ?? {} };
    const r = event.routeKey.endsWith('/collaboration')
      ? await ingestCollaborationWebhook(deps, partnerId, raw)
      : await ingestWebhook(deps, partnerId, raw);
    if (r.kind === 'challenge') return { statusCode: r.status, headers: { 'content-type': r.contentType }, body: r.body };
    if (r.kind === 'recorded') return json(200, { status: 'recorded', deliveryId: r.deliveryId, events: r.events });
    return r.kind === 'duplicate'
      ? json(200, { status: 'duplicate', deliveryId: r.deliveryId })
      : json(202, { status: 'accepted', deliveryId: r.deliveryId });
  });
}

let wired: ReturnType<typeof makeWebhookHandler> | undefined;
// verifying and parsing needs the connectors' webhook halves only: no partner HTTP client in this bundle
export const handler = withLambdaContext(async (event: HttpEvent) => (wired ??= makeWebhookHandler(await hubDeps('webhook', { connectors: buildWebhookRegistry, queue: sqsWorkQueue })))(event));
