/**
 * moto in server mode (pinned in scripts/requirements-tools.txt, installed into .venv/ by scripts/python-tools.sh), on 127.0.0.1 on a
 * free port, for one test file: started before, stopped after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/hub-config';

export const MOTO_SERVER = join(REPO_ROOT, '.venv', 'bin', 'moto_server');

export interface Moto { endpoint: string; port: number; log: () => string; stop(): Promise<void> }

/** A port the kernel hands out as free right now (closed again before moto binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  if (!existsSync(MOTO_SERVER)) throw new Error(`${MOTO_SERVER} is missing: run \`bash scripts/moto-venv.sh\` (npm run test:aws does)`);
  const port = await freePort();
  const child: ChildProcess = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    // moto must not try to run Lambdas itself (it would look for Docker)
    env: { ...process.env, MOTO_DOCKER_NETWORK_MODE: '', PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  const keep = (c: Buffer) => { output = (output + c.toString('utf8')).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}):\n${output}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > until) { child.kill(); throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint, port, log: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
