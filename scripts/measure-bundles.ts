/* eslint-disable no-console -- a command-line report: it prints on stdout */
/**
 * Bundles every topology function exactly as the stack does (infra/bundling/esbuild-settings.ts), then
 * prints and records in bench/bundles.json: the bundle size, and the time to load it in a fresh Node
 * process (median of several runs; `@aws-sdk/*` resolves from node_modules, as it does from the Lambda
 * runtime). Targets: every bundle < 300 KB, every import < 150 ms.
 *
 * Node runs with the functions' NODE_OPTIONS (`--enable-source-maps`, as deployed), and the bundle is
 * written with its linked source map, as the stack writes it.
 *
 * Next to each import time, the SDK floor: the time to load, in a fresh process and nothing else, the
 * `@aws-sdk/*` packages that bundle requires when it loads (the runtime's SDK, which no bundle setting
 * removes). Runs go round robin over the functions, bundle then floor, so that all see the same machine
 * load; `own` is the difference, the part the hub's code and its bundled libraries cost.
 *
 *   npx tsx scripts/measure-bundles.ts [--runs 7]
 */
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ALIASES, BUNDLE_TARGET, EXTERNAL_MODULES, MAIN_FIELDS, NODE_OPTIONS } from '../infra/bundling/esbuild-settings';
import { REPO_ROOT } from '../infra/hub-config';
import { buildTopology } from '../topology/topology';

const SIZE_TARGET_KB = 300;
const IMPORT_TARGET_MS = 150;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

/**
 * Runs `load` (statements that `require`) in a new Node process and reports how long it took, in ms. The
 * clock stops before `process.stdout` is touched: its first use sets the stream up (3–6 ms here), which
 * is not the bundle's cost unless the bundle itself writes at load.
 */
function timeMs(load: string): number {
  const probe = `const t=process.hrtime.bigint();${load};const ms=Number(process.hrtime.bigint()-t)/1e6;process.stdout.write(String(ms))`;
  const out = execFileSync(process.execPath, ['-e', probe], {
    // the functions' own NODE_OPTIONS: `--enable-source-maps` reads the bundle's source map as it loads
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(REPO_ROOT, 'node_modules'), AWS_REGION: 'eu-west-1', NODE_OPTIONS },
    encoding: 'utf8',
  });
  return Number(out);
}
const requireAll = (ids: string[]) => ids.map((id) => `require(${JSON.stringify(id)})`).join(';');

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const load = () => loadavg().map((x) => +x.toFixed(2));

async function main() {
  const outDir = mkdtempSync(join(tmpdir(), 'hub-bundles-'));
  const loadAtStart = load();
  const built = [];
  for (const f of buildTopology([{ id: 'example' }]).functions) {
    const dir = join(outDir, f.name);
    mkdirSync(dir);
    const outfile = join(dir, 'index.js');
    const started = performance.now();
    const r = await build({
      entryPoints: [join(REPO_ROOT, f.entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: BUNDLE_TARGET,
      minify: true,
      treeShaking: true,
      sourcemap: 'linked',
      sourcesContent: false,
      mainFields: MAIN_FIELDS,
      external: EXTERNAL_MODULES,
      alias: ALIASES,
      metafile: true,
      logLevel: 'warning',
    });
    const bundleMs = performance.now() - started;
    const output = (r.metafile as Metafile).outputs[Object.keys(r.metafile!.outputs).find((o) => o.endsWith('index.js'))!]!;
    // what the bundle requires as it loads (a dynamic import, e.g. Secrets Manager, loads on first use)
    const sdkAtLoad = [...new Set(output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/') && i.kind !== 'dynamic-import').map((i) => i.path))].sort();
    built.push({ name: f.name, outfile, sdkAtLoad, bundleMs, imports: [] as number[], floors: [] as number[] });
  }
  // round robin over the functions, bundle then floor: a slow spell of the machine touches them all alike
  for (let i = 0; i < RUNS; i++) {
    for (const b of built) {
      b.imports.push(timeMs(requireAll([b.outfile])));
      b.floors.push(timeMs(requireAll(b.sdkAtLoad)));
    }
  }
  const results = built.map((b) => {
    const importMsMedian = +median(b.imports).toFixed(1);
    const sdkFloorMsMedian = +median(b.floors).toFixed(1);
    return {
      function: b.name,
      sizeKb: +(statSync(b.outfile).size / 1024).toFixed(1),
      gzipKb: +(gzipSync(readFileSync(b.outfile)).length / 1024).toFixed(1),
      importMsMedian,
      importMsMax: +Math.max(...b.imports).toFixed(1),
      sdkAtLoad: b.sdkAtLoad,
      sdkFloorMsMedian,
      ownMsMedian: +(importMsMedian - sdkFloorMsMedian).toFixed(1),
      bundleMs: Math.round(b.bundleMs),
    };
  });
  const loadAtEnd = load();

  const rows = results.map((r) => {
    const ok = r.sizeKb < SIZE_TARGET_KB && r.importMsMedian < IMPORT_TARGET_MS;
    const sdk = r.sdkAtLoad.map((p) => p.replace('@aws-sdk/', '').replace(/^client-/, '')).join('+');
    return `${r.function.padEnd(18)} ${String(r.sizeKb).padStart(6)} KB  ${String(r.gzipKb).padStart(5)} KB gz  ${String(r.importMsMedian).padStart(6)} ms import (max ${String(r.importMsMax).padStart(5)})`
      + `  SDK floor ${String(r.sdkFloorMsMedian).padStart(6)} ms (${sdk})  own ${String(r.ownMsMedian).padStart(5)} ms  ${ok ? 'ok' : 'OVER TARGET'}`;
  });
  console.log(`bundles (target ${BUNDLE_TARGET}, minified, @aws-sdk external) — targets < ${SIZE_TARGET_KB} KB, import < ${IMPORT_TARGET_MS} ms; node ${process.version}, ${RUNS} runs each`);
  console.log(`${cpus().length} CPUs, load average ${loadAtStart.join(' ')} at the start, ${loadAtEnd.join(' ')} at the end\n`);
  console.log(rows.join('\n'));

  mkdirSync(join(REPO_ROOT, 'bench'), { recursive: true });
  const file = join(REPO_ROOT, 'bench', 'bundles.json');
  writeFileSync(file, `${JSON.stringify({
    measuredAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    settings: { target: BUNDLE_TARGET, format: 'cjs', minify: true, external: EXTERNAL_MODULES, aliases: Object.keys(ALIASES), nodeOptions: NODE_OPTIONS, runs: RUNS },
    targets: { sizeKb: SIZE_TARGET_KB, importMs: IMPORT_TARGET_MS },
    functions: results,
  }, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
  const over = results.filter((r) => r.sizeKb >= SIZE_TARGET_KB || r.importMsMedian >= IMPORT_TARGET_MS);
  if (over.length) process.exitCode = 1;
}

main().catch((e) => { console.error(e); process.exit(1); });
