/**
 * Scenario 4, cold start: runs scripts/measure-bundles.ts (bundles every function as the stack does and
 * times `require` in fresh Node processes; it records bench/bundles.json) and reads its results back.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BundleRow { function: string; sizeKb: number; gzipKb: number; importMsMedian: number; importMsMax: number; sdkFloorMsMedian: number }
export interface ColdStartResult { runs: number; targets: { sizeKb: number; importMs: number }; functions: BundleRow[]; table: string }

const ROOT = join(__dirname, '..');

export function runColdStart(runs: number): Promise<ColdStartResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--no-warnings', join(ROOT, 'scripts', 'measure-bundles.ts'), '--runs', String(runs)], { cwd: ROOT, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      // it exits 1 when a function is over target: that is a result, not a failure
      if (err && (err as { code?: number }).code !== 1) return reject(new Error(`measure-bundles failed: ${stderr || err.message}`));
      try {
        const json = JSON.parse(readFileSync(join(ROOT, 'bench', 'bundles.json'), 'utf8')) as { targets: { sizeKb: number; importMs: number }; functions: BundleRow[] };
        resolve({ runs, targets: json.targets, functions: json.functions, table: stdout.trim() });
      } catch (e) {
        reject(e);
      }
    });
  });
}
