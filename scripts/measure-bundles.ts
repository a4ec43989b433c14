/* eslint-disable no-console -- a command-line report: it prints on stdout */
/**
 * Bundles every topology function exactly as the stack does (infra/bundling/esbuild-settings.ts), then
 * prints and records in bench/bundles.json: the bundle size, and the time to load it in a fresh Node
 * process (median of several runs; `@aws-sdk/*` resolves from node_modules, as it does from the Lambda
 * runtime). Targets: every bundle < 300 KB, every import < 150 ms.
 *
 *   npx tsx scripts/measure-bundles.ts [--runs 7]
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ALIASES, BUNDLE_TARGET, EXTERNAL_MODULES, MAIN_FIELDS } from '../infra/bundling/esbuild-settings';
import { REPO_ROOT } from '../infra/hub-config';
import { buildTopology } from '../infra/topology';

const SIZE_TARGET_KB = 300;
const IMPORT_TARGET_MS = 150;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

/** Loads the bundle in a new Node process and reports how long `require` took, in ms. */
function importMs(file: string): number {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', probe], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(REPO_ROOT, 'node_modules'), AWS_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  return Number(out);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function main() {
  const outDir = mkdtempSync(join(tmpdir(), 'hub-bundles-'));
  const results = [];
  for (const f of buildTopology([{ id: 'example' }]).functions) {
    const dir = join(outDir, f.name);
    mkdirSync(dir);
    const outfile = join(dir, 'index.js');
    const started = performance.now();
    await build({
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
      logLevel: 'warning',
    });
    const bundleMs = performance.now() - started;
    const bytes = statSync(outfile).size;
    const imports = Array.from({ length: RUNS }, () => importMs(outfile));
    results.push({
      function: f.name,
      sizeKb: +(bytes / 1024).toFixed(1),
      gzipKb: +(gzipSync(readFileSync(outfile)).length / 1024).toFixed(1),
      importMsMedian: +median(imports).toFixed(1),
      importMsMax: +Math.max(...imports).toFixed(1),
      bundleMs: Math.round(bundleMs),
    });
  }

  const rows = results.map((r) => {
    const ok = r.sizeKb < SIZE_TARGET_KB && r.importMsMedian < IMPORT_TARGET_MS;
    return `${r.function.padEnd(18)} ${String(r.sizeKb).padStart(7)} KB  ${String(r.gzipKb).padStart(6)} KB gz  ${String(r.importMsMedian).padStart(6)} ms import (max ${r.importMsMax})  ${ok ? 'ok' : 'OVER TARGET'}`;
  });
  console.log(`bundles (target ${BUNDLE_TARGET}, minified, @aws-sdk external) — targets < ${SIZE_TARGET_KB} KB, import < ${IMPORT_TARGET_MS} ms; node ${process.version}, ${RUNS} runs each\n`);
  console.log(rows.join('\n'));

  mkdirSync(join(REPO_ROOT, 'bench'), { recursive: true });
  const file = join(REPO_ROOT, 'bench', 'bundles.json');
  writeFileSync(file, `${JSON.stringify({
    measuredAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    settings: { target: BUNDLE_TARGET, format: 'cjs', minify: true, external: EXTERNAL_MODULES, aliases: Object.keys(ALIASES), runs: RUNS },
    targets: { sizeKb: SIZE_TARGET_KB, importMs: IMPORT_TARGET_MS },
    functions: results,
  }, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
  const over = results.filter((r) => r.sizeKb >= SIZE_TARGET_KB || r.importMsMedian >= IMPORT_TARGET_MS);
  if (over.length) process.exitCode = 1;
}

main().catch((e) => { console.error(e); process.exit(1); });
