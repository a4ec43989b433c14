/** Starts the local runtime in-process against a generic-rest sandbox, for end-to-end tests over HTTP. */
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

/** @param hubOver options of the local hub (e.g. `access`, `log`) over the defaults */
export async function startE2E(partnerOver: Record<string, unknown> = {}, hubOver: Partial<LocalHubOptions> = {}): Promise<E2E> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const config0 = testConfig('http://127.0.0.1:1'); // only to read the secret back
  const secret = config0.partners[0]!.webhookSecret!;
  const sandbox = await startGenericSandbox({ token: 'partner-token', webhookSecret: secret });
  const config = testConfig(sandbox.baseUrl, partnerOver);
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
