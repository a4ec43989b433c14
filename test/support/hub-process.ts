/**
 * The local hub as a child process (`node --import tsx local/main.ts`), as `npm start` runs it: for tests
 * that kill it (SIGKILL), measure its memory, or read every line it logs.
 * It runs detached, in its own process group, so that it can be killed as a whole; every hub still
 * running when the test process exits is killed then.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const live = new Set<number>();
process.once('exit', () => { for (const pgid of live) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } } });

export interface HubProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr, in order. */
  output(): string;
  /** SIGKILL (no clean-up), and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the clean stop), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Peak resident set size so far (VmHWM), in KiB; undefined when /proc is not readable. */
  peakRssKiB(): number | undefined;
  exited: Promise<number | null>;
}

export const freePort = () => new Promise<number>((res, rej) => {
  const s = createServer();
  s.once('error', rej);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => res(port));
  });
});

/** Writes a hub configuration file into a new temporary directory and returns its path. */
export function writeHubConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-rel-cfg-'));
  const path = join(dir, 'hub.config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export function procStatusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) the process has used so far, in seconds. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
  } catch {
    return undefined;
  }
}

export async function startHubProcess(opts: {
  configPath: string; dataDir: string; jwtSecret: string; sweepIntervalMs?: number;
  env?: Record<string, string>; startTimeoutMs?: number;
  /** Extra Node options before `--import tsx` (e.g. `--require` a crash-injection module). */
  nodeArgs?: string[];
}): Promise<HubProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'local/main.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      HUB_CONFIG: opts.configPath,
      HUB_DATA_DIR: opts.dataDir,
      HUB_JWT_SECRET: opts.jwtSecret,
      HUB_SWEEP_INTERVAL_MS: String(opts.sweepIntervalMs ?? 500),
      ...opts.env,
    },
  });
  const pid = child.pid!;
  live.add(pid);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => { live.delete(pid); r(code); }));
  let gone = false;
  void exited.then(() => { gone = true; });

  const until = Date.now() + (opts.startTimeoutMs ?? 30_000);
  let url: string | undefined;
  while (!url) {
    const m = out.match(/hub listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) url = m[1]!;
    else if (gone) throw new Error(`the hub exited before listening:\n${out}`);
    else if (Date.now() > until) {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
      throw new Error(`the hub did not start in time:\n${out}`);
    }
    else await new Promise((r) => setTimeout(r, 25));
  }

  const signal = async (sig: NodeJS.Signals) => {
    if (gone) return;
    try { process.kill(-pid, sig); } catch { /* already gone */ }
  };
  return {
    url, pid, child, exited,
    output: () => out,
    async kill() { await signal('SIGKILL'); await exited; },
    async stop(graceMs = 5000) {
      await signal('SIGTERM');
      const t = setTimeout(() => { void signal('SIGKILL'); }, graceMs);
      await exited;
      clearTimeout(t);
    },
    peakRssKiB: () => procStatusKiB(pid, 'VmHWM'),
  };
}
