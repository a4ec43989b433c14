/**
 * Scenario 1, the pipeline: N escalations flagged over HTTP (bounded concurrency) through the in-process
 * local runtime against a zero-latency sandbox, each followed until its partner ticket is visible on
 * `GET /v1/escalations/{id}`. Baseline in the same hub: raw dynalite PutItem through the same document
 * client and concurrency, divided by the writes the pipeline needs per escalation (counted, not assumed).
 *
 * Latency is POST sent → the GET that first shows the ticket. The client learns *when* to look from the
 * hub's own bus (`PartnerIncidentOpened`, as a push-notified client would) and then confirms with GET,
 * polling every `pollMs` until the ticket shows; `mode: 'poll'` polls from the start instead (adds the
 * poll interval and its reads to what is measured).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_TABLE } from '../local/dynamo';
import { attachDynamoMeter } from './dynamo-meter';
import { httpClient } from './http-client';
import { flagBody, startBenchHub, type BenchHub } from './hub';
import { percentile, pool, round, sleep } from './stats';

export interface PipelineOptions {
  n: number;
  concurrency?: number;
  mode?: 'notify' | 'poll';
  pollMs?: number;
  /** Escalations run first and not measured (JIT, sockets). */
  warmup?: number;
  /** PutItem operations for the baseline; default max(1000, 8 n). */
  baselinePuts?: number;
  timeoutMs?: number;
}

export interface PipelineResult {
  n: number;
  concurrency: number;
  mode: 'notify' | 'poll';
  opened: number;
  failed: number;
  seconds: number;
  escalationsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** DynamoDB requests per escalation in the measured pass (reads include the client's GETs). */
  writesPerEscalation: number;
  readsPerEscalation: number;
  writeOpsByCommand: Record<string, number>;
  baseline: { puts: number; putsPerSecond: number; escalationsPerSecond: number };
  /** escalationsPerSecond / baseline.escalationsPerSecond */
  ratio: number;
}

async function baselinePuts(b: BenchHub, count: number, concurrency: number, tag: string): Promise<number> {
  const payload = 'x'.repeat(400); // about the mean size of the pipeline's items
  const started = performance.now();
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    await b.db.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { PK: `BENCH#${tag}#${i}`, SK: 'META', type: 'bench', seq: i, payload } }));
  });
  return count / ((performance.now() - started) / 1000);
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const n = opts.n;
  const concurrency = opts.concurrency ?? 32;
  const mode = opts.mode ?? 'notify';
  const pollMs = opts.pollMs ?? 5;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const runId = Date.now().toString(36);
  const b = await startBenchHub();
  const client = httpClient(b.hub.url, concurrency * 2);
  const auth = { authorization: `Bearer ${b.engineerToken}` };

  const one = async (i: number, tag: string): Promise<number | undefined> => {
    const t0 = performance.now();
    const r = await client.post('/v1/escalations', flagBody(i, `${runId}${tag}`), auth);
    if (r.status !== 202) throw new Error(`POST /v1/escalations answered ${r.status}: ${JSON.stringify(r.json)}`);
    const id = r.json.escalationId as string;
    const deadline = t0 + timeoutMs;
    if (mode === 'notify') {
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        b.waitForEvent('PartnerIncidentOpened', id).then(() => false),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(true), timeoutMs); }),
      ]);
      clearTimeout(timer);
      if (late) return undefined;
    }
    while (performance.now() < deadline) {
      const g = await client.get(`/v1/escalations/${id}`, b.engineerToken);
      if (g.status === 200 && g.json.partnerTicket) return performance.now() - t0;
      await sleep(pollMs);
    }
    return undefined;
  };

  try {
    const meter = attachDynamoMeter(b.db);
    await pool(Array.from({ length: opts.warmup ?? Math.min(50, n) }, (_, i) => i), concurrency, async (i) => { await one(i, 'w'); });
    const putsCount = opts.baselinePuts ?? Math.max(1000, 8 * n);
    await baselinePuts(b, Math.min(500, putsCount), concurrency, `${runId}w`); // warm the put path too
    await b.drained();

    const putsPerSecond = await baselinePuts(b, putsCount, concurrency, runId);
    meter.take();

    const latencies: number[] = [];
    let failed = 0;
    const started = performance.now();
    await pool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
      const ms = await one(i, 'm');
      if (ms === undefined) failed++;
      else latencies.push(ms);
    });
    const seconds = (performance.now() - started) / 1000;
    await b.drained();
    const counts = meter.take();
    meter.stop();

    const writesPerEscalation = counts.writeOps / n;
    const escalationsPerSecond = latencies.length / seconds;
    const baselineEps = putsPerSecond / writesPerEscalation;
    return {
      n, concurrency, mode, opened: latencies.length, failed,
      seconds: round(seconds, 3),
      escalationsPerSecond: round(escalationsPerSecond, 1),
      latencyMs: { p50: round(percentile(latencies, 50), 1), p95: round(percentile(latencies, 95), 1), p99: round(percentile(latencies, 99), 1), max: round(Math.max(...latencies), 1) },
      writesPerEscalation: round(writesPerEscalation, 2),
      readsPerEscalation: round(counts.readOps / n, 2),
      writeOpsByCommand: Object.fromEntries(Object.entries(counts.ops).filter(([k]) => !/Get|Query/.test(k)).map(([k, v]) => [k, round(v / n, 2)])),
      baseline: { puts: putsCount, putsPerSecond: round(putsPerSecond, 0), escalationsPerSecond: round(baselineEps, 1) },
      ratio: round(escalationsPerSecond / baselineEps, 3),
    };
  } finally {
    client.close();
    await b.stop();
  }
}
