/**
 * The webhook function answers a delivery it could not take (an unexpected failure: the store or the queue
 * down) with 503 and Retry-After, so the sender delivers it again; a person's API answers 500 (functions/http.ts).
 */
import { silentLog, type HubDeps } from '../../core/deps';
import { errorResult, RETRY_LATER_SECONDS, type HttpEvent } from '../../functions/http';
import { makeWebhookHandler } from '../../functions/webhook';
import { testConfig } from '../support/fixtures';

const event = (routeKey: string, path: string, pathParameters: Record<string, string>) => ({
  routeKey, rawPath: path, headers: { 'content-type': 'application/json' }, body: '{}', isBase64Encoded: false,
  pathParameters, requestContext: { requestId: 'req-1', http: { method: 'POST', path } },
}) as unknown as HttpEvent;

it('a desk delivery or a partner webhook the hub fails to take: 503 with Retry-After, in the contract\'s error shape', async () => {
  const down = () => { throw new Error('store down'); };
  const ok = { kind: 'ok', deliveryId: 'd-1' } as const;
  // verified deliveries whose taking fails: the store cannot be read
  const deps = {
    log: silentLog, config: testConfig('http://127.0.0.1:1'), clock: { now: () => new Date() },
    connectors: {
      desk: () => ({ verifyEvent: () => ok, readEvents: () => [] }),
      ticketing: () => ({ verifyWebhook: () => ok, parseWebhook: () => [] }),
    },
    store: { wasSeen: down, markDeliverySeen: down },
  } as unknown as HubDeps;
  const handler = makeWebhookHandler(deps);
  for (const e of [event('POST /v1/desks/{deskId}/events', '/v1/desks/d1/events', { deskId: 'd1' }), event('POST /v1/webhooks/{partnerId}', '/v1/webhooks/acme-cloud', { partnerId: 'acme-cloud' })]) {
    const r = await handler(e);
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe(String(RETRY_LATER_SECONDS));
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'unavailable', message: `Not taken; send it again in ${RETRY_LATER_SECONDS} seconds.` } });
  }
});

it('a person\'s request still gets 500 internal', () => {
  const r = errorResult(new Error('store down'), silentLog);
  expect(r.statusCode).toBe(500);
  expect(JSON.parse(r.body)).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side; the request can be retried.' } });
});
