/**
 * The server side of the webhook-ingest scenario, in its own process (forked by bench/webhook.ts) so that
 * the server under test and autocannon do not share an event loop:
 *
 * - `hub`: the local runtime against a sandbox partner, with `tickets` real partner tickets opened first
 *   (so every update runs the full path: verify, dedupe, enqueue, status sync);
 * - `bare`: a bare Node `http` server that does the same Standard Webhooks HMAC check and nothing else.
 *
 * Talks to the parent over IPC: sends `ready` with the URL (and tickets), answers `drain` with how long
 * the hub took to apply its backlog, stops on `stop`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhook } from '../connectors/standard-webhooks';
import { httpClient } from './http-client';
import { flagBody, meterQueues, PARTNER_ID, startBenchHub, WEBHOOK_SECRET } from './hub';
import { pool } from './stats';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_TABLE } from '../local/dynamo';

type Msg = { type: 'drain'; timeoutMs: number } | { type: 'stop' };
const send = (m: unknown) => process.send!(m);

async function bare() {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      const r = verifyStandardWebhook([WEBHOOK_SECRET], headers, body, new Date());
      res.writeHead(r.ok ? 202 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.ok ? { status: 'accepted', deliveryId: r.id } : { error: r.reason }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tickets: [] });
  process.on('message', (m: Msg) => {
    if (m.type === 'drain') send({ type: 'drained', ms: 0 });
    if (m.type === 'stop') server.close(() => process.exit(0));
  });
}

/**
 * The durable-write floor: delivery-shaped items (with their open-work index entry, as the hub stores them)
 * per second that BatchWriteItem calls of 25, 8 in flight, store through the hub's own client. No design that
 * stores each delivery before answering can take webhooks faster than this on the embedded DynamoDB.
 */
async function storeFloor(b: Awaited<ReturnType<typeof startBenchHub>>, items = 4000): Promise<number> {
  const started = performance.now();
  await pool(Array.from({ length: items / 25 }, (_, i) => i), 8, async (i) => {
    let left: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: {
      PK: `HOOK#floor#${i}-${j}`, SK: 'META', type: 'delivery', partnerId: 'floor', deliveryId: `${i}-${j}`, ttl: 0,
      update: [{ ticketId: '10001', status: 'in_progress', partnerStatus: 'in_progress', updatedAt: new Date().toISOString() }],
      GSI2PK: `DUE#${j % 4}`, GSI2SK: `${new Date().toISOString()}#HOOK#floor#${i}-${j}`,
    } } }));
    while (left?.length) left = (await b.db.send(new BatchWriteCommand({ RequestItems: { [LOCAL_TABLE]: left } }))).UnprocessedItems?.[LOCAL_TABLE] as typeof left;
  });
  return items / ((performance.now() - started) / 1000);
}

async function hub(tickets: number) {
  const b = await startBenchHub();
  const client = httpClient(b.hub.url);
  const auth = { authorization: `Bearer ${b.engineerToken}` };
  await pool(Array.from({ length: tickets }, (_, i) => i), 32, async (i) => {
    const r = await client.post('/v1/escalations', flagBody(i, `wh${process.pid}`), auth);
    await b.waitForEvent('PartnerIncidentOpened', r.json.escalationId as string);
  });
  await b.drained();
  client.close();
  const q = meterQueues(b.hub);
  send({ type: 'ready', url: b.hub.url, partnerId: PARTNER_ID, tickets: [...b.sandbox.incidents.keys()], storeFloor: await storeFloor(b) });
  process.on('message', async (m: Msg) => {
    if (m.type === 'drain') {
      const started = performance.now();
      const inbound = b.hub.queues.get('inbound')!;
      const depthAtStart = inbound.depth;
      const done = await Promise.race([b.drained().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), m.timeoutMs))]);
      const snap = q.take();
      send({
        type: 'drained', ms: performance.now() - started, complete: done, backlogAtEnd: depthAtStart, left: inbound.depth,
        statusSync: snap.invocations.inbound ?? { count: 0, records: 0 }, sent: snap.sent, dlq: b.hub.queues.get('inbound-dlq')?.depth ?? 0,
      });
    }
    if (m.type === 'stop') { await b.stop(); process.exit(0); }
  });
}

const [mode, tickets] = [process.argv[2], Number(process.argv[3] ?? 200)];
(mode === 'bare' ? bare() : hub(tickets)).catch((e) => { console.error(e); process.exit(1); });
