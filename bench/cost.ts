/**
 * Scenario 3, cost per escalation: one full lifecycle (flag → open → three partner status updates by
 * signed webhook → resolved) through the local runtime, counting what AWS would bill:
 * - DynamoDB read/write request units: SDK middleware on the store's client (bench/dynamo-meter.ts), with
 *   GSI write amplification and failed conditional writes;
 * - EventBridge events: every event put on the bus;
 * - SQS: messages sent to each queue (EventBridge targets and direct sends); billed as 3 requests each
 *   (send, receive, delete; the event source mapping's idle long polling is a fixed cost per queue);
 * - Lambda invocations: HTTP requests into the hub (api, webhook) and consumer invocations per queue,
 *   with their duration *measured here in-process* (wall time of the handler call; for HTTP functions the
 *   client round trip, an upper bound), billed at the topology's memory on arm64.
 * The sweep and poller schedules are a fixed cost per minute, not per escalation, and are left out.
 */
import { LOCAL_TABLE } from '../local/dynamo';
import { TABLE_INDEXES } from '../topology/table-schema';
import { attachDynamoMeter, type MeterCounts } from './dynamo-meter';
import { httpClient } from './http-client';
import { flagBody, meterQueues, PARTNER_ID, signedUpdate, startBenchHub } from './hub';
import { median, round, sum } from './stats';

/** us-east-1 list prices (USD), as published on the AWS pricing pages; checked 2025-11 (see docs/performance.md). */
export const PRICES = {
  asOf: '2025-11',
  region: 'us-east-1',
  /** DynamoDB on-demand, Standard table class (after the 2024-11-01 price cut). */
  dynamoWriteRequestUnitsPerMillion: 0.625,
  dynamoReadRequestUnitsPerMillion: 0.125,
  /** EventBridge custom events (PutEvents), per million 64 KB chunks. */
  eventBridgeCustomEventsPerMillion: 1.0,
  /** SQS standard queue requests, per million (after the first million free per month). */
  sqsRequestsPerMillion: 0.4,
  /** Lambda requests, and duration on arm64 (first 7.5 billion GB-s per month). */
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  /** API Gateway HTTP API requests, per million (first 300 million per month). */
  httpApiRequestsPerMillion: 1.0,
} as const;

/** SQS requests one message costs: SendMessage, ReceiveMessage (share of a batch, counted whole), DeleteMessage. */
const SQS_REQUESTS_PER_MESSAGE = 3;

interface Invocation { fn: string; ms: number }

export interface PhaseCounts {
  dynamo: { readUnits: number; tableWriteUnits: number; indexWriteUnits: number; writeUnits: number; readOps: number; writeOps: number; failedConditionalWrites: number; ops: Record<string, number> };
  events: Record<string, number>;
  eventCount: number;
  sqsMessages: Record<string, number>;
  sqsMessageCount: number;
  invocations: Record<string, number>;
  invocationCount: number;
  httpRequests: number;
  gbSeconds: number;
}

function phase(d: MeterCounts, events: Record<string, number>, sent: Record<string, number>, invocations: Invocation[], httpRequests: number, memoryMb: (fn: string) => number): PhaseCounts {
  const byFn: Record<string, number> = {};
  for (const i of invocations) byFn[i.fn] = (byFn[i.fn] ?? 0) + 1;
  return {
    dynamo: {
      readUnits: d.readUnits, tableWriteUnits: d.tableWriteUnits, indexWriteUnits: d.indexWriteUnits, writeUnits: d.tableWriteUnits + d.indexWriteUnits,
      readOps: d.readOps, writeOps: d.writeOps, failedConditionalWrites: d.failedConditionalWrites, ops: d.ops,
    },
    events: { ...events }, eventCount: sum(Object.values(events)),
    sqsMessages: { ...sent }, sqsMessageCount: sum(Object.values(sent)),
    invocations: byFn, invocationCount: invocations.length,
    httpRequests,
    // Lambda bills each invocation's duration rounded up to the millisecond
    gbSeconds: sum(invocations.map((i) => (memoryMb(i.fn) / 1024) * (Math.ceil(i.ms) / 1000))),
  };
}

export function dollarsPer1000(p: PhaseCounts) {
  const perMillion = (units: number, price: number) => (units * price) / 1e6;
  const items = {
    dynamoWrites: perMillion(p.dynamo.writeUnits, PRICES.dynamoWriteRequestUnitsPerMillion),
    dynamoReads: perMillion(p.dynamo.readUnits, PRICES.dynamoReadRequestUnitsPerMillion),
    eventBridge: perMillion(p.eventCount, PRICES.eventBridgeCustomEventsPerMillion),
    sqs: perMillion(p.sqsMessageCount * SQS_REQUESTS_PER_MESSAGE, PRICES.sqsRequestsPerMillion),
    lambdaRequests: perMillion(p.invocationCount, PRICES.lambdaRequestsPerMillion),
    lambdaDuration: p.gbSeconds * PRICES.lambdaArmGbSecond,
    httpApi: perMillion(p.httpRequests, PRICES.httpApiRequestsPerMillion),
  };
  const per1000 = Object.fromEntries(Object.entries(items).map(([k, v]) => [k, round(v * 1000, 6)]));
  return { ...per1000, total: round(sum(Object.values(items)) * 1000, 5) };
}

export interface CostResult {
  lifecycles: number;
  prices: typeof PRICES;
  assumptions: string[];
  flagToOpen: PhaseCounts;
  lifecycle: PhaseCounts;
  dollarsPer1000Escalations: ReturnType<typeof dollarsPer1000>;
  /** The same with every invocation billed at 100 ms (a conservative AWS duration). */
  dollarsPer1000At100ms: ReturnType<typeof dollarsPer1000>;
  lambdaMsMedian: Record<string, number>;
  finalStatus: string;
}

export async function runCost(opts: { lifecycles?: number } = {}): Promise<CostResult> {
  const lifecycles = opts.lifecycles ?? 3;
  const b = await startBenchHub();
  const memory = Object.fromEntries(b.hub.topology.functions.map((f) => [f.name, f.memoryMb]));
  const consumerOf = Object.fromEntries(b.hub.topology.queues.map((q) => [q.name, q.consumer as string]));
  const memoryMb = (fn: string) => memory[fn] ?? 512;
  const meter = attachDynamoMeter(b.db, { capacity: true, indexes: { raw: await b.rawClient(), tableName: LOCAL_TABLE, list: TABLE_INDEXES } });
  const queues = meterQueues(b.hub);
  const client = httpClient(b.hub.url);
  const auth = { authorization: `Bearer ${b.engineerToken}` };
  const durations: Record<string, number[]> = {};
  let eventsAt: Record<string, number> = {};
  const eventsSince = () => {
    const d = Object.fromEntries(Object.entries(b.published).map(([k, v]) => [k, v - (eventsAt[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
    eventsAt = { ...b.published };
    return d as Record<string, number>;
  };
  const invocationsOf = (snap: ReturnType<typeof queues.take>): Invocation[] =>
    Object.entries(snap.invocations).flatMap(([q, inv]) => inv.ms.map((ms) => ({ fn: consumerOf[q] ?? q, ms })));

  const runs: { flagToOpen: PhaseCounts; lifecycle: PhaseCounts }[] = [];
  let finalStatus = '';
  try {
    for (let i = 0; i <= lifecycles; i++) { // lifecycle 0 warms up and is not counted
      meter.take(); queues.take(); eventsSince();
      const http: Invocation[] = [];
      let t = performance.now();
      const r = await client.post('/v1/escalations', flagBody(i, `cost${Date.now().toString(36)}`), auth);
      http.push({ fn: 'api', ms: performance.now() - t });
      const id = r.json.escalationId as string;
      await b.waitForEvent('PartnerIncidentOpened', id);
      await b.drained();
      const q1 = queues.take();
      const open = phase(meter.take(), eventsSince(), q1.sent, [...http, ...invocationsOf(q1)], 1, memoryMb);

      const ticket = [...b.sandbox.incidents.values()].find((x) => x.externalRef === `hub:${id}`)!;
      const hooks: Invocation[] = [];
      const statuses = ['in_progress', 'awaiting_info', 'resolved'];
      for (const [k, status] of statuses.entries()) {
        const s = signedUpdate(`msg_cost_${id}_${k}`, ticket.id, status, new Date(Date.now() + k).toISOString());
        t = performance.now();
        const w = await client.post(`/v1/webhooks/${PARTNER_ID}`, s.body, s.headers);
        hooks.push({ fn: 'webhook', ms: performance.now() - t });
        if (w.status !== 202) throw new Error(`webhook answered ${w.status}`);
        await b.drained();
      }
      const q2 = queues.take();
      const updates = phase(meter.take(), eventsSince(), q2.sent, [...hooks, ...invocationsOf(q2)], statuses.length, memoryMb);
      const all = [...http, ...invocationsOf(q1), ...hooks, ...invocationsOf(q2)];
      for (const inv of all) (durations[inv.fn] ??= []).push(inv.ms);

      const g = await client.get(`/v1/escalations/${id}`, b.engineerToken);
      finalStatus = g.json.status;
      meter.take();
      if (i === 0) continue;
      const merged = phase(
        {
          ...meter.counts, ops: {}, readUnits: open.dynamo.readUnits + updates.dynamo.readUnits,
          tableWriteUnits: open.dynamo.tableWriteUnits + updates.dynamo.tableWriteUnits, indexWriteUnits: open.dynamo.indexWriteUnits + updates.dynamo.indexWriteUnits,
          readOps: open.dynamo.readOps + updates.dynamo.readOps, writeOps: open.dynamo.writeOps + updates.dynamo.writeOps,
          failedConditionalWrites: open.dynamo.failedConditionalWrites + updates.dynamo.failedConditionalWrites,
        },
        Object.fromEntries([...new Set([...Object.keys(open.events), ...Object.keys(updates.events)])].map((k) => [k, (open.events[k] ?? 0) + (updates.events[k] ?? 0)])),
        Object.fromEntries([...new Set([...Object.keys(open.sqsMessages), ...Object.keys(updates.sqsMessages)])].map((k) => [k, (open.sqsMessages[k] ?? 0) + (updates.sqsMessages[k] ?? 0)])),
        all, 1 + statuses.length, memoryMb,
      );
      merged.dynamo.ops = Object.fromEntries([...new Set([...Object.keys(open.dynamo.ops), ...Object.keys(updates.dynamo.ops)])].map((k) => [k, (open.dynamo.ops[k] ?? 0) + (updates.dynamo.ops[k] ?? 0)]));
      runs.push({ flagToOpen: open, lifecycle: merged });
    }
  } finally {
    meter.stop();
    client.close();
    await b.stop();
  }
  // the counts are the same every time (deterministic); durations vary: take the median lifecycle by GB-s
  const mid = [...runs].sort((a, b) => a.lifecycle.gbSeconds - b.lifecycle.gbSeconds)[Math.floor(runs.length / 2)]!;
  const at100 = { ...mid.lifecycle, gbSeconds: mid.lifecycle.invocationCount * (512 / 1024) * 0.1 };
  return {
    lifecycles, prices: PRICES,
    assumptions: [
      `SQS: ${SQS_REQUESTS_PER_MESSAGE} requests per message (send, receive, delete); idle long polling of the event source mappings is a fixed cost per queue, not per escalation`,
      'Lambda duration: measured in-process on this machine (consumer wall time; client round trip for HTTP functions), rounded up to 1 ms, at the topology memory on arm64; also shown at 100 ms per invocation',
      'DynamoDB: on-demand; index writes per the GSI rules (projection ALL); a read of nothing bills 1 RRU (½ eventually consistent); storage and PITR not included',
      'API Gateway HTTP API: 1 request per HTTP invocation (flag, each webhook); customer and engineer reads not included',
      'sweep and poller schedules: fixed cost per minute, not per escalation; no notification subscribers',
    ],
    flagToOpen: mid.flagToOpen,
    lifecycle: mid.lifecycle,
    dollarsPer1000Escalations: dollarsPer1000(mid.lifecycle),
    dollarsPer1000At100ms: dollarsPer1000(at100),
    lambdaMsMedian: Object.fromEntries(Object.entries(durations).map(([k, v]) => [k, round(median(v), 1)])),
    finalStatus,
  };
}
