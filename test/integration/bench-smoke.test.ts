/** Smoke test of the benchmark harness (npm run bench): the quick pipeline scenario runs end to end. Not a timing test. */
import { runPipeline } from '../../bench/pipeline';

test('the pipeline benchmark opens every escalation and reports its figures', async () => {
  const r = await runPipeline({ n: 20, concurrency: 8, warmup: 5, baselinePuts: 200 });
  expect(r.n).toBe(20);
  expect(r.opened).toBe(20);
  expect(r.failed).toBe(0);
  for (const k of ['escalationsPerSecond', 'ratio', 'writesPerEscalation', 'readsPerEscalation', 'seconds'] as const) {
    expect(typeof r[k]).toBe('number');
    expect(r[k]).toBeGreaterThan(0);
  }
  expect(r.latencyMs.p50).toBeGreaterThan(0);
  expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
  expect(r.baseline.putsPerSecond).toBeGreaterThan(0);
}, 20_000);
