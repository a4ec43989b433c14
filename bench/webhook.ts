/**
 * Scenario 2, webhook ingest: autocannon (programmatic) against `POST /v1/webhooks/{partnerId}` of the
 * local runtime with valid Standard-Webhooks-signed bodies, a distinct delivery id per request, each
 * updating one of the real tickets; the baseline is a bare Node `http` server doing the same HMAC check,
 * with the same autocannon settings. Each server runs in its own forked process (bench/webhook-target.ts);
 * autocannon runs here. After the hub's run, the time to apply the backlog (status sync) is reported too.
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { signedUpdate } from './hub';
import { round } from './stats';

export interface WebhookRun {
  target: 'hub' | 'bare';
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  /** hub only: delivery items/s the embedded DynamoDB stores with batched writes (bench/webhook-target.ts) */
  storeFloor?: number;
  /** hub only: applying the accepted deliveries after the load stopped */
  drain?: { ms: number; complete: boolean; statusSyncInvocations: number; recordsApplied: number; dlq: number };
}

interface Ready { type: 'ready'; url: string; partnerId?: string; tickets: string[]; storeFloor?: number }

function startTarget(mode: 'hub' | 'bare', tickets: number): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(join(__dirname, 'webhook-target.ts'), [mode, String(tickets)], {
    execArgv: ['--import', 'tsx', '--no-warnings', ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`webhook target (${mode}) exited with ${code}`)));
    child.once('message', (m: Ready) => resolve({ child, ready: m }));
  });
}

const ask = <T>(child: ChildProcess, msg: unknown, reply: string) => new Promise<T>((resolve) => {
  const on = (m: { type: string }) => { if (m.type === reply) { child.off('message', on); resolve(m as T); } };
  child.on('message', on);
  child.send(msg as object);
});

export async function runWebhookOnce(target: 'hub' | 'bare', opts: { connections: number; durationS: number; tickets: number; drainTimeoutMs?: number }): Promise<WebhookRun> {
  const { child, ready } = await startTarget(target, opts.tickets);
  try {
    // the bare server needs no real tickets; it gets the same bodies
    const tickets = ready.tickets.length ? ready.tickets : Array.from({ length: opts.tickets }, (_, i) => String(10000 + i));
    const tag = `${target}${Date.now().toString(36)}`;
    let seq = 0;
    const statuses = ['in_progress', 'awaiting_info'];
    const result = await autocannon({
      url: ready.url,
      connections: opts.connections,
      duration: opts.durationS,
      requests: [{
        method: 'POST',
        path: `/v1/webhooks/${ready.partnerId ?? 'bench-cloud'}`,
        setupRequest: (req) => {
          const k = seq++;
          const s = signedUpdate(`msg_${tag}_${k}`, tickets[k % tickets.length]!, statuses[Math.floor(k / tickets.length) % 2]!, new Date().toISOString());
          return { ...req, headers: s.headers, body: s.body };
        },
      }],
    });
    const run: WebhookRun = {
      target,
      requestsPerSecond: round(result.requests.average, 0),
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      requests: result['2xx'] + result.non2xx,
      non2xx: result.non2xx,
      errors: result.errors,
    };
    if (target === 'hub') {
      run.storeFloor = round(ready.storeFloor ?? NaN, 0);
      const d = await ask<{ ms: number; complete: boolean; statusSync: { count: number; records: number }; dlq: number }>(child, { type: 'drain', timeoutMs: opts.drainTimeoutMs ?? 120_000 }, 'drained');
      run.drain = { ms: round(d.ms, 0), complete: d.complete, statusSyncInvocations: d.statusSync.count, recordsApplied: d.statusSync.records, dlq: d.dlq };
    }
    return run;
  } finally {
    child.removeAllListeners('exit');
    child.send({ type: 'stop' });
    await new Promise((r) => { child.once('exit', r); setTimeout(() => { child.kill(); r(undefined); }, 10_000).unref(); });
  }
}
