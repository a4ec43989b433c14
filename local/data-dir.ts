/**
 * The local data directory (`HUB_DATA_DIR`, default `.hub/data`): private to its owner, and held by one
 * hub at a time.
 *
 * - Private: the directory (and any parent this creates) is `0700`, its files `0600`. LevelDB creates its
 *   own files as it goes (tables, logs, manifests), so the process umask is set to `077`; a directory or
 *   file an older hub left readable by others is tightened at start, with a log line.
 * - One hub: LevelDB's own `LOCK` file is the truth (an OS lock, released when its process dies, so it is
 *   never stale). It is tried before dynalite opens the directory, so a second hub stops with one clear
 *   line instead of dynalite's `Database is closed` stack. `hub.pid` beside it names the holder.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Log } from '../core/deps';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
export const PID_FILE = 'hub.pid';

/** Another process holds the data directory. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(readonly dataDir: string, readonly holderPid: number | undefined) {
    super(`another hub${holderPid ? ` (pid ${holderPid})` : ''} holds the data directory ${resolve(dataDir)}: stop it first, or set HUB_DATA_DIR to another directory`);
  }
}

interface LevelDb { open(opts?: { createIfMissing?: boolean }): Promise<void>; close(): Promise<void> }
// the LevelDB binding dynalite itself opens the directory with (dynalite → level → classic-level)
const requireFromDynalite = createRequire(require.resolve('dynalite'));
const { Level } = requireFromDynalite('level') as { Level: new (path: string) => LevelDb };

/** Creates the directory `0700` (or tightens an existing one and its files), and sets the umask to `077`. */
export function preparePrivateDir(dataDir: string, log?: Pick<Log, 'warn'>): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & 0o077) {
    chmodSync(dataDir, PRIVATE_DIR_MODE);
    log?.warn('data directory was readable by others: made private', { dataDir: resolve(dataDir), from: mode.toString(8), to: PRIVATE_DIR_MODE.toString(8) });
  }
  let tightened = 0;
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const st = statSync(path);
    if (st.isFile() && st.mode & 0o077) {
      chmodSync(path, PRIVATE_FILE_MODE);
      tightened++;
    }
  }
  if (tightened) log?.warn('data files were readable by others: made private', { dataDir: resolve(dataDir), files: tightened, to: PRIVATE_FILE_MODE.toString(8) });
}

const isLocked = (e: unknown) => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err.code === 'LEVEL_LOCKED' || err.cause?.code === 'LEVEL_LOCKED';
};

function pidIn(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws DataDirLockedError when another hub (or any LevelDB user) holds the directory; else records this
 * process in `hub.pid` and answers the function that removes it (when it still names this process).
 */
export async function claimDataDir(dataDir: string): Promise<() => void> {
  const probe = new Level(dataDir);
  try {
    await probe.open();
  } catch (e) {
    if (isLocked(e)) throw new DataDirLockedError(dataDir, pidIn(dataDir));
    throw e;
  }
  await probe.close();
  const pidFile = join(dataDir, PID_FILE);
  const fd = openSync(pidFile, 'w', PRIVATE_FILE_MODE);
  try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
  return () => {
    try { if (pidIn(dataDir) === process.pid) unlinkSync(pidFile); } catch { /* already gone */ }
  };
}
