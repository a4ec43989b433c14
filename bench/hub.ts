/**
 * The system under test: the in-process local runtime (dynalite in memory, or on LevelDB files with
 * BENCH_STORE=disk; HTTP front door, bus and queues) against a zero-latency generic-rest sandbox partner on
 * a free port, with a silent log.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { startGenericSandbox, type GenericSandbox } from '../connectors/generic-rest/sandbox';
import { signStandardWebhook } from '../connectors/standard-webhooks';
import { parseHubConfig, type HubConfig } from '../core/config';
import { silentLog } from '../core/deps';
import type { HubEvent } from '../core/events';
import { startLocalHub, type LocalHub } from '../local/hub';
import { signJwt } from '../local/jwt';
import type { LocalQueue, SqsConsumer } from '../local/queues';

export const PARTNER_ID = 'bench-cloud';
export const PLATFORM = 'bench';
export const JWT_SECRET = 'bench-jwt-secret';
export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('bench-webhook-secret-0123456789').toString('base64');
/** The schedules stay out of the way unless a scenario runs them (AWS runs them every minute). */
const NO_TIMERS_MS = 24 * 3600 * 1000;

export interface BenchHub {
  hub: LocalHub;
  sandbox: GenericSandbox;
  config: HubConfig;
  /** The document client the store writes through (the one the meter and the baseline use). */
  db: DynamoDBDocumentClient;
  engineerToken: string;
  /** A DynamoDB client on the same dynalite that nothing meters (before/after reads, setup). */
  rawClient(): Promise<DynamoDBClient>;
  /** Resolves when the bus publishes an event of `type` for the escalation. */
  waitForEvent(type: string, escalationId: string): Promise<HubEvent>;
  /** Events published on the bus so far, by detail type. */
  published: Record<string, number>;
  /** Every queue empty and idle. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export function benchConfig(baseUrl: string): HubConfig {
  return parseHubConfig({
    partners: [{
      id: PARTNER_ID, name: 'Bench Cloud', platforms: [PLATFORM], connector: 'generic-rest', baseUrl,
      credentials: { token: 'bench-partner-token' }, webhookSecret: WEBHOOK_SECRET,
    }],
  }, {});
}

export async function startBenchHub(): Promise<BenchHub> {
  const sandbox = await startGenericSandbox({ token: 'bench-partner-token', webhookSecret: WEBHOOK_SECRET });
  const config = benchConfig(sandbox.baseUrl);
  // BENCH_STORE=disk: dynalite on LevelDB files in a temporary folder, as `npm start` keeps it (default: memory)
  const disk = process.env.BENCH_STORE === 'disk' ? mkdtempSync(join(tmpdir(), 'hub-bench-')) : undefined;
  const hub = await startLocalHub({ config, dataDir: disk ? join(disk, 'data') : 'memory', jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: NO_TIMERS_MS });
  sandbox.settings.webhookUrl = `${hub.url}/v1/webhooks/${PARTNER_ID}`;
  const db = (hub.deps.store as unknown as { db: DynamoDBDocumentClient }).db;

  // one waiter per (event type, escalation): the bus is the hub's own, every publisher goes through it
  const waiters = new Map<string, (e: HubEvent) => void>();
  const seen = new Map<string, HubEvent>();
  const published: Record<string, number> = {};
  const publish = hub.bus.publish.bind(hub.bus);
  hub.bus.publish = async (events: HubEvent[]) => {
    await publish(events);
    for (const e of events) {
      published[e.detailType] = (published[e.detailType] ?? 0) + 1;
      const id = (e.detail as { escalationId?: string }).escalationId;
      if (!id) continue;
      const k = `${e.detailType}#${id}`;
      const w = waiters.get(k);
      if (w) { waiters.delete(k); w(e); } else seen.set(k, e);
    }
  };

  let raw: DynamoDBClient | undefined;
  return {
    hub, sandbox, config, db, published,
    engineerToken: signJwt({ sub: 'bench-engineer', role: 'engineer' }, JWT_SECRET, 24 * 3600),
    async rawClient() {
      if (raw) return raw;
      const ep = await (db.config.endpoint as () => Promise<{ protocol: string; hostname: string; port?: number }>)();
      raw = new DynamoDBClient({ endpoint: `${ep.protocol}//${ep.hostname}:${ep.port}`, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      return raw;
    },
    waitForEvent(type, escalationId) {
      const k = `${type}#${escalationId}`;
      const already = seen.get(k);
      if (already) { seen.delete(k); return Promise.resolve(already); }
      return new Promise((resolve) => waiters.set(k, resolve));
    },
    async drained() {
      // a consumer may enqueue into another queue: go round until all are idle at once
      for (;;) {
        await Promise.all([...hub.queues.values()].map((q) => q.drained()));
        if ([...hub.queues.values()].every((q) => q.depth === 0)) return;
      }
    },
    async stop() {
      raw?.destroy();
      await hub.stop();
      await sandbox.close();
      if (disk) rmSync(disk, { recursive: true, force: true });
    },
  };
}

/** A Standard-Webhooks-signed generic-rest `incident.updated` delivery. */
export function signedUpdate(deliveryId: string, ticketId: string, status: string, updatedAt: string, secret = WEBHOOK_SECRET) {
  const body = JSON.stringify({ type: 'incident.updated', data: { id: ticketId, status, updatedAt } });
  const ts = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json', 'webhook-id': deliveryId, 'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(secret, deliveryId, ts, body),
    },
  };
}

export function flagBody(i: number, runId: string) {
  return {
    caseId: `BENCH-${runId}-${i}`, customerId: `cust-${i % 50}`, platform: PLATFORM, severity: 'high',
    summary: `Audio drops in rooms after policy change (${i})`,
    findings: 'Device logs show the media relay closing sessions after 30 s; reproduced on firmware 4.1.0 in two rooms.',
  };
}

/**
 * Counts Lambda invocations (consumer calls) and their wall time per queue, and SQS messages sent,
 * by wrapping each local queue's consumer and `send`.
 */
export function meterQueues(hub: LocalHub) {
  const invocations: Record<string, { count: number; records: number; ms: number[] }> = {};
  const sent: Record<string, number> = {};
  for (const q of hub.queues.values()) {
    const inner = q as unknown as { consumer?: SqsConsumer; send: LocalQueue['send'] };
    const send = q.send.bind(q);
    inner.send = (body: string, delayMs?: number) => { sent[q.name] = (sent[q.name] ?? 0) + 1; return send(body, delayMs); };
    const consumer = inner.consumer;
    if (!consumer) continue;
    inner.consumer = async (event: SQSEvent) => {
      const t = performance.now();
      try {
        return await consumer(event);
      } finally {
        const inv = (invocations[q.name] ??= { count: 0, records: 0, ms: [] });
        inv.count++;
        inv.records += event.Records.length;
        inv.ms.push(performance.now() - t);
      }
    };
  }
  return {
    invocations, sent,
    take() {
      const snapshot = { invocations: structuredClone(invocations), sent: { ...sent } };
      for (const k of Object.keys(invocations)) delete invocations[k];
      for (const k of Object.keys(sent)) delete sent[k];
      return snapshot;
    },
  };
}
