/**
 * `npm run bench`: how fast, how cheap, and how it scales (issue 7). Runs each scenario several times,
 * prints a table (median, and min–max over the runs) next to the physical baseline measured in the same
 * run, and writes bench/results.json.
 *
 *   npm run bench                      # 3 runs, N=500, 10 s autocannon, 100,000 closed escalations
 *   npm run bench -- --quick           # smoke: 1 run, N=50, 3 s autocannon, 10,000 closed
 *   npm run bench -- --only pipeline,cost --runs 5
 *   BENCH_N=1000 BENCH_CLOSED=20000 npm run bench
 *
 * Scenarios: pipeline, webhook, cost, idle, coldstart, sweep (see the module of each).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { runColdStart, type ColdStartResult } from './cold-start';
import { runCost, type CostResult } from './cost';
import { synthesizedIdleCost } from './idle-cost-synth';
import { runPipeline, type PipelineResult } from './pipeline';
import { spread, round, type Spread } from './stats';
import { runSweep, type SweepResult } from './sweep';
import { runWebhookOnce, type WebhookRun } from './webhook';

const SCENARIOS = ['pipeline', 'webhook', 'cost', 'idle', 'coldstart', 'sweep'] as const;
type Scenario = (typeof SCENARIOS)[number];

function args(argv: string[]) {
  const quick = argv.includes('--quick');
  const value = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const only = value('--only')?.split(',') as Scenario[] | undefined;
  return {
    quick,
    scenarios: only ?? [...SCENARIOS],
    runs: Number(value('--runs') ?? (quick ? 1 : 3)),
    n: Number(process.env.BENCH_N ?? (quick ? 50 : 500)),
    concurrency: Number(value('--concurrency') ?? 32),
    closed: Number(process.env.BENCH_CLOSED ?? (quick ? 10_000 : 100_000)),
    connections: 200,
    durationS: quick ? 3 : 10,
    tickets: quick ? 100 : 200,
    bundleRuns: quick ? 2 : 5,
    lifecycles: quick ? 1 : 3,
  };
}

interface Row { scenario: string; metric: string; value: string; spread: string; target: string; status: string }

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : String(x));
const spreadText = (s: Spread, digits = 1) => (s.runs.length > 1 ? `${fmt(s.min, digits)}–${fmt(s.max, digits)}` : '');
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function printTable(rows: Row[]) {
  const head: Row = { scenario: 'scenario', metric: 'metric', value: 'median', spread: 'min–max', target: 'target', status: '' };
  const cols = Object.keys(head) as (keyof Row)[];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => r[c].length))])) as Record<keyof Row, number>;
  const line = (r: Row) => `| ${cols.map((c) => (c === 'value' || c === 'spread' ? r[c].padStart(width[c]) : r[c].padEnd(width[c]))).join(' | ')} |`;
  const sep = `|${cols.map((c) => `${c === 'value' || c === 'spread' ? '-'.repeat(width[c] + 1) + ':' : '-'.repeat(width[c] + 2)}`).join('|')}|`;
  return [line(head), sep, ...rows.map(line)].join('\n');
}

async function main() {
  const a = args(process.argv.slice(2));
  const started = new Date();
  const env = { date: started.toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', loadAverageAtStart: loadavg().map((x) => round(x, 2)) };
  const log = (m: string) => console.log(m);
  log(`bench: ${a.scenarios.join(', ')} — ${a.runs} run(s); node ${env.node}, ${env.cpus} CPUs, load average ${env.loadAverageAtStart.join(' ')}`);
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};

  if (a.scenarios.includes('pipeline')) {
    const runs: PipelineResult[] = [];
    for (let r = 0; r < a.runs; r++) {
      log(`pipeline run ${r + 1}/${a.runs}: ${a.n} escalations, concurrency ${a.concurrency}`);
      runs.push(await runPipeline({ n: a.n, concurrency: a.concurrency }));
      const x = runs[runs.length - 1]!;
      log(`  ${x.opened}/${x.n} opened, ${x.escalationsPerSecond}/s, p50 ${x.latencyMs.p50} ms p99 ${x.latencyMs.p99} ms; baseline ${x.baseline.putsPerSecond} puts/s ÷ ${x.writesPerEscalation} writes = ${x.baseline.escalationsPerSecond}/s; ratio ${x.ratio}`);
    }
    const s = {
      eps: spread(runs.map((x) => x.escalationsPerSecond)), p50: spread(runs.map((x) => x.latencyMs.p50)), p95: spread(runs.map((x) => x.latencyMs.p95)),
      p99: spread(runs.map((x) => x.latencyMs.p99)), puts: spread(runs.map((x) => x.baseline.putsPerSecond)), base: spread(runs.map((x) => x.baseline.escalationsPerSecond)),
      ratio: spread(runs.map((x) => x.ratio)),
    };
    const w = runs[0]!;
    const opened = runs.every((x) => x.opened === x.n);
    rows.push(
      { scenario: 'pipeline', metric: `escalations/s (N=${a.n}, conc ${a.concurrency})`, value: fmt(s.eps.median), spread: spreadText(s.eps), target: '', status: opened ? `all ${a.n} opened` : 'SOME FAILED' },
      { scenario: 'pipeline', metric: 'latency POST → ticket on GET p50', value: `${fmt(s.p50.median, 0)} ms`, spread: spreadText(s.p50, 0), target: '', status: '' },
      { scenario: 'pipeline', metric: 'latency p95', value: `${fmt(s.p95.median, 0)} ms`, spread: spreadText(s.p95, 0), target: '', status: '' },
      { scenario: 'pipeline', metric: 'latency p99', value: `${fmt(s.p99.median, 0)} ms`, spread: spreadText(s.p99, 0), target: '', status: '' },
      { scenario: 'pipeline', metric: 'baseline: dynalite PutItem/s (same client)', value: fmt(s.puts.median, 0), spread: spreadText(s.puts, 0), target: '', status: '' },
      { scenario: 'pipeline', metric: `baseline ÷ ${w.writesPerEscalation} writes/escalation`, value: fmt(s.base.median), spread: spreadText(s.base), target: '', status: `${w.readsPerEscalation} reads/esc incl. GETs` },
      { scenario: 'pipeline', metric: 'ratio pipeline / baseline', value: `${fmt(s.ratio.median * 100, 0)}%`, spread: runs.length > 1 ? `${fmt(s.ratio.min * 100, 0)}–${fmt(s.ratio.max * 100, 0)}%` : '', target: '≥ 50%', status: verdict(s.ratio.median >= 0.5) },
    );
    results.pipeline = { runs, summary: s };
  }

  if (a.scenarios.includes('webhook')) {
    const runs: { bare: WebhookRun; hub: WebhookRun; ratio: number }[] = [];
    for (let r = 0; r < a.runs; r++) {
      log(`webhook run ${r + 1}/${a.runs}: ${a.connections} connections, ${a.durationS} s each (bare server, then hub)`);
      const opts = { connections: a.connections, durationS: a.durationS, tickets: a.tickets };
      const bare = await runWebhookOnce('bare', opts);
      const hub = await runWebhookOnce('hub', opts);
      runs.push({ bare, hub, ratio: hub.requestsPerSecond / bare.requestsPerSecond });
      log(`  bare ${bare.requestsPerSecond} req/s p99 ${bare.latencyMs.p99} ms; hub ${hub.requestsPerSecond} req/s p99 ${hub.latencyMs.p99} ms (non-2xx ${hub.non2xx}, errors ${hub.errors}); backlog applied in ${hub.drain?.ms} ms (${hub.drain?.recordsApplied} records)`);
    }
    const s = {
      hubRps: spread(runs.map((x) => x.hub.requestsPerSecond)), hubP99: spread(runs.map((x) => x.hub.latencyMs.p99)),
      bareRps: spread(runs.map((x) => x.bare.requestsPerSecond)), bareP99: spread(runs.map((x) => x.bare.latencyMs.p99)),
      ratio: spread(runs.map((x) => x.ratio)), drainMs: spread(runs.map((x) => x.hub.drain?.ms ?? NaN)),
      floor: spread(runs.map((x) => x.hub.storeFloor ?? NaN)), floorRatio: spread(runs.map((x) => (x.hub.storeFloor ?? NaN) / x.bare.requestsPerSecond)),
    };
    const clean = runs.every((x) => x.hub.non2xx === 0 && x.hub.errors === 0 && x.hub.drain?.complete && x.hub.drain.dlq === 0);
    rows.push(
      { scenario: 'webhook', metric: `hub req/s (${a.connections} conns, ${a.durationS} s)`, value: fmt(s.hubRps.median, 0), spread: spreadText(s.hubRps, 0), target: '', status: clean ? 'all 2xx, all applied' : 'ERRORS or not drained' },
      { scenario: 'webhook', metric: 'hub latency p99', value: `${fmt(s.hubP99.median, 0)} ms`, spread: spreadText(s.hubP99, 0), target: '< 50 ms', status: verdict(s.hubP99.median < 50) },
      { scenario: 'webhook', metric: 'baseline: bare http + HMAC req/s', value: fmt(s.bareRps.median, 0), spread: spreadText(s.bareRps, 0), target: '', status: '' },
      { scenario: 'webhook', metric: 'baseline latency p99', value: `${fmt(s.bareP99.median, 0)} ms`, spread: spreadText(s.bareP99, 0), target: '', status: '' },
      { scenario: 'webhook', metric: 'ratio hub / bare', value: `${fmt(s.ratio.median * 100, 1)}%`, spread: runs.length > 1 ? `${fmt(s.ratio.min * 100, 1)}–${fmt(s.ratio.max * 100, 1)}%` : '', target: '≥ 60%', status: verdict(s.ratio.median >= 0.6) },
      { scenario: 'webhook', metric: 'floor: dynalite batched durable writes/s', value: fmt(s.floor.median, 0), spread: spreadText(s.floor, 0), target: '', status: `${fmt(s.floorRatio.median * 100, 0)}% of bare: storing each delivery first caps the ratio here` },
      { scenario: 'webhook', metric: 'hub: applying the backlog after the load', value: `${fmt(s.drainMs.median, 0)} ms`, spread: spreadText(s.drainMs, 0), target: '', status: '' },
    );
    results.webhook = { connections: a.connections, durationS: a.durationS, tickets: a.tickets, runs, summary: s };
  }

  if (a.scenarios.includes('cost')) {
    log(`cost: ${a.lifecycles} lifecycle(s) flag → open → in_progress → awaiting_info → resolved`);
    const c: CostResult = await runCost({ lifecycles: a.lifecycles });
    const o = c.flagToOpen;
    const l = c.lifecycle;
    rows.push(
      { scenario: 'cost', metric: 'flag → open: write units (table + index)', value: `${o.dynamo.writeUnits} (${o.dynamo.tableWriteUnits} + ${o.dynamo.indexWriteUnits})`, spread: '', target: '≤ 6', status: verdict(o.dynamo.writeUnits <= 6) },
      { scenario: 'cost', metric: 'flag → open: Lambda invocations', value: `${o.invocationCount}`, spread: '', target: '≤ 3', status: verdict(o.invocationCount <= 3) },
      { scenario: 'cost', metric: 'lifecycle: DynamoDB WRU / RRU', value: `${l.dynamo.writeUnits} / ${l.dynamo.readUnits}`, spread: '', target: '', status: `${l.dynamo.writeOps} writes, ${l.dynamo.readOps} reads` },
      { scenario: 'cost', metric: 'lifecycle: events / SQS msgs / invocations', value: `${l.eventCount} / ${l.sqsMessageCount} / ${l.invocationCount}`, spread: '', target: '', status: c.finalStatus },
      { scenario: 'cost', metric: 'lifecycle: $ per 1,000 escalations', value: `$${c.dollarsPer1000Escalations.total.toFixed(4)}`, spread: '', target: '', status: `$${c.dollarsPer1000At100ms.total.toFixed(4)} at 100 ms/inv.` },
    );
    results.cost = c;
  }

  if (a.scenarios.includes('idle')) {
    log('idle: the synthesized template (as `npx cdk synth` in us-east-1), billed with no escalation at all');
    const c = synthesizedIdleCost();
    for (const l of c.lines) rows.push({ scenario: 'idle', metric: `${l.item} (${fmt(l.count, 0)})`, value: `$${l.dollarsPerMonth.toFixed(2)}/month`, spread: '', target: '', status: l.basis });
    rows.push({ scenario: 'idle', metric: `fixed monthly cost, list prices ${c.prices.region} ${c.prices.asOf}`, value: `$${c.totalPerMonth.toFixed(2)}/month`, spread: '', target: '', status: 'before free tiers' });
    results.idle = c;
  }

  if (a.scenarios.includes('coldstart')) {
    log(`cold start: scripts/measure-bundles.ts --runs ${a.bundleRuns}`);
    const c: ColdStartResult = await runColdStart(a.bundleRuns);
    log(c.table);
    for (const f of c.functions) {
      rows.push({
        scenario: 'cold start', metric: `${f.function}: KB / import ms`, value: `${f.sizeKb} / ${f.importMsMedian}`, spread: `max ${f.importMsMax}`,
        target: `< ${c.targets.sizeKb} / < ${c.targets.importMs}`,
        status: `${verdict(f.sizeKb < c.targets.sizeKb)} / ${verdict(f.importMsMedian < c.targets.importMs)} (SDK floor ${f.sdkFloorMsMedian})`,
      });
    }
    results.coldStart = c;
  }

  if (a.scenarios.includes('sweep')) {
    log(`sweep: 100 open (all due) with 0, then ${a.closed} closed escalations; ${a.runs} run(s) each`);
    const s: SweepResult = await runSweep({ closed: a.closed, runs: a.runs, onProgress: (m) => { if (!a.quick) log(m); } });
    log(`  closed history written in ${s.loadSeconds} s (${s.itemsWrittenPerSecond} items/s)`);
    for (const m of [s.withoutHistory, s.withHistory]) {
      rows.push({
        scenario: 'sweep', metric: `100 open + ${fmt(m.closed, 0)} closed: ms / items read`, value: `${fmt(m.msMedian, 0)} / ${m.itemsRead}`, spread: `max ${fmt(m.msMax, 0)} ms`,
        target: 'reads flat', status: `${m.indexItemsRead} index items, ${m.readUnits} RRU`,
      });
    }
    const flat = s.withHistory.itemsRead === s.withoutHistory.itemsRead && s.withHistory.readUnits === s.withoutHistory.readUnits;
    rows.push({ scenario: 'sweep', metric: 'items read independent of closed history', value: flat ? 'yes' : 'no', spread: '', target: 'yes', status: verdict(flat) });
    results.sweep = s;
  }

  const table = printTable(rows);
  const out = {
    ...env, loadAverageAtEnd: loadavg().map((x) => round(x, 2)), seconds: round((Date.now() - started.getTime()) / 1000, 1),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    settings: a, table: rows, markdown: table, results,
  };
  const file = join(__dirname, 'results.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  log(`\n${table}\n\nload average: ${env.loadAverageAtStart.join(' ')} at start, ${out.loadAverageAtEnd.join(' ')} at end; ${env.cpus} CPUs; ${out.seconds} s\nwritten to ${file}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
