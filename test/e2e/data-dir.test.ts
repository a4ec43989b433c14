/**
 * The data directory on disk: private to its owner (0700, files 0600, an older readable one tightened at
 * start), held by one hub at a time (a second one says so in one line), and released when `npm start`
 * is told to stop (SIGTERM to npm reaches the hub, which shuts down and lets go of the LevelDB lock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataDirLockedError, PID_FILE } from '../../local/data-dir';
import { startDynalite } from '../../local/dynamo';
import { freePort, writeHubConfig } from '../support/hub-process';
import { waitFor } from '../support/local-hub';

const ROOT = resolve(__dirname, '../..');
const modeOf = (p: string) => statSync(p).mode & 0o777;
const filesIn = (dir: string) => readdirSync(dir).map((n) => join(dir, n)).filter((p) => statSync(p).isFile());
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('the data directory is private', () => {
  it('is created 0700 (with its parent) and every file in it is 0600', async () => {
    const base = mkdtempSync(join(tmpdir(), 'hub-mode-'));
    chmodSync(base, 0o755);
    const dataDir = join(base, '.hub', 'data');
    const dynamo = await startDynalite(dataDir);
    try {
      expect(modeOf(join(base, '.hub')).toString(8)).toBe('700');
      expect(modeOf(dataDir).toString(8)).toBe('700');
      const files = filesIn(dataDir);
      expect(files.length).toBeGreaterThan(2); // LevelDB's LOCK, CURRENT, MANIFEST, log ... and hub.pid
      for (const f of files) expect(`${f} ${modeOf(f).toString(8)}`).toBe(`${f} 600`);
    } finally {
      await dynamo.close();
    }
  });

  it('tightens a directory and files an older hub left readable, and logs it', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-mode-old-')), 'data');
    const first = await startDynalite(dataDir);
    await first.close();
    chmodSync(dataDir, 0o755);
    for (const f of filesIn(dataDir)) chmodSync(f, 0o644);
    writeFileSync(join(dataDir, 'LOG.old'), 'old findings in plain text\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'LOG.old'), 0o644);
    const warnings: string[] = [];
    const dynamo = await startDynalite(dataDir, { log: { warn: (m: string) => { warnings.push(m); } } });
    try {
      expect(modeOf(dataDir).toString(8)).toBe('700');
      for (const f of filesIn(dataDir)) expect(`${f} ${modeOf(f).toString(8)}`).toBe(`${f} 600`);
      expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/data directory .*private/), expect.stringMatching(/data files .*private/)]));
    } finally {
      await dynamo.close();
    }
  });
});

describe('one hub per data directory', () => {
  it('a second store on a held directory fails with DataDirLockedError naming the holder, and opens once it is released', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-lock-')), 'data');
    const first = await startDynalite(dataDir);
    const second = startDynalite(dataDir);
    await expect(second).rejects.toThrow(DataDirLockedError);
    await expect(second).rejects.toThrow(`another hub (pid ${process.pid}) holds the data directory ${dataDir}`);
    await first.close();
    expect(existsSync(join(dataDir, PID_FILE))).toBe(false);
    const again = await startDynalite(dataDir);
    await again.close();
  });
});

describe('npm start on a data directory', () => {
  const started: ChildProcess[] = [];
  let hubPid: number | undefined;
  afterAll(() => {
    // only what this test started, by pid
    for (const c of started) if (c.exitCode === null && c.pid) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
    if (hubPid && alive(hubPid)) process.kill(hubPid, 'SIGKILL');
  });

  const run = (cmd: string, args: string[], env: Record<string, string>) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    started.push(child);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
    return { child, exited, output: () => out };
  };

  it('a second hub says in one line that the first holds it; SIGTERM to npm stops the hub and releases the directory', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-npm-')), 'data');
    const configPath = writeHubConfig({ partners: [{ id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: 'http://127.0.0.1:9', credentials: { token: 't' } }] });
    const env = { HUB_CONFIG: configPath, HUB_DATA_DIR: dataDir, HUB_JWT_SECRET: 'data-dir-test', HUB_SWEEP_INTERVAL_MS: '60000' };

    const npm = run('npm', ['start'], { ...env, PORT: String(await freePort()) });
    await waitFor('the hub to listen', async () => {
      if (npm.child.exitCode !== null) throw new Error(`npm start exited:\n${npm.output()}`);
      return /hub listening on http:\/\/127\.0\.0\.1:\d+/.test(npm.output());
    }, 60_000);
    hubPid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8'));
    expect(hubPid).not.toBe(npm.child.pid);
    expect(alive(hubPid)).toBe(true);

    // the same command again, on the same directory
    const second = run(process.execPath, ['--import', 'tsx', 'local/main.ts'], { ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    const lines = second.output().trim().split('\n');
    expect(lines).toEqual([`hub: another hub (pid ${hubPid}) holds the data directory ${dataDir}: stop it first, or set HUB_DATA_DIR to another directory`]);
    expect(second.output()).not.toMatch(/Database is closed|at .*node_modules/);

    // what `kill -TERM <npm>` does: the signal to npm alone, not to its process group
    npm.child.kill('SIGTERM');
    await npm.exited;
    await waitFor('the hub process to be gone', async () => !alive(hubPid!), 20_000);
    expect(existsSync(join(dataDir, PID_FILE))).toBe(false);
    const reopened = await startDynalite(dataDir);
    await reopened.close();
  }, 120_000);
});

describe('a directory created by mkdir under a wide umask', () => {
  it('is still made private when the hub starts on it', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-mode-pre-')), 'data');
    mkdirSync(dataDir, { mode: 0o777 });
    chmodSync(dataDir, 0o777);
    const dynamo = await startDynalite(dataDir);
    await dynamo.close();
    expect(modeOf(dataDir).toString(8)).toBe('700');
  });
});
