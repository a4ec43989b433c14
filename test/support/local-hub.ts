/** Starts the local runtime in-process against a generic-rest sandbox, for end-to-end tests over HTTP. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub, type LocalHubOptions } from '../../local/hub';
import { signJwt } from '../../local/jwt';
import { testConfig } from './fixtures';

export const JWT_SECRET = 'e2e-secret';
export const engineerToken = () => signJwt({ sub: 'eng-1', role: 'engineer' }, JWT_SECRET);
export const customerToken = (customerId: string) => signJwt({ sub: `cust-${customerId}`, role: 'customer', customerId }, JWT_SECRET);

export interface E2E { hub: LocalHub; sandbox: GenericSandbox; dataDir: string; restart(): Promise<void>; stop(): Promise<void> }

/**
 * @param hubOver options of the local hub (e.g. `access`, `log`) over the defaults
 * @param configTop top-level configuration besides the partner (e.g. `subscribers`)
 */
export async function startE2E(partnerOver: Record<string, unknown> = {}, hubOver: Partial<LocalHubOptions> = {}, configTop: Record<string, unknown> = {}): Promise<E2E> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const config0 = testConfig('http://127.0.0.1:1'); // only to read the secret back
  const secret = config0.partners[0]!.webhookSecret!;
  const sandbox = await startGenericSandbox({ token: 'partner-token', webhookSecret: secret });
  const config = testConfig(sandbox.baseUrl, partnerOver, configTop);
  const start = () => startLocalHub({ config, dataDir, jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500, ...hubOver });
  const e2e: E2E = {
    hub: await start(),
    sandbox,
    dataDir,
    async restart() {
      await e2e.hub.stop();
      e2e.hub = await start();
      sandbox.settings.webhookUrl = `${e2e.hub.url}/v1/webhooks/acme-cloud`;
    },
    async stop() {
      await e2e.hub.stop();
      await sandbox.close();
    },
  };
  sandbox.settings.webhookUrl = `${e2e.hub.url}/v1/webhooks/acme-cloud`;
  return e2e;
}

export async function http(base: string, method: string, path: string, { token, body, raw, headers = {} }: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | false | undefined>, timeoutMs = 15000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface CliRun { code: number | null; stdout: string; stderr: string }

/**
 * Runs the `hub` CLI (bin/hub.mjs) as a user would, against the hub at `hubUrl` with an engineer token:
 * the test's environment without its own HUB_* settings, then `env` (a value `undefined` removes one).
 */
export function runHubCli(hubUrl: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const { HUB_URL: _u, HUB_TOKEN: _t, HUB_JWT_SECRET: _s, ...inherited } = process.env;
  const childEnv: NodeJS.ProcessEnv = { ...inherited, HUB_URL: hubUrl, HUB_TOKEN: engineerToken(), ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '../../bin/hub.mjs'), ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
