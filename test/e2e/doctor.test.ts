/**
 * `hub doctor` against a running hub: `POST /v1/admin/doctor` runs the checks where the secrets are, and
 * `hub doctor` (no --config) prints its table. One partner is set up right, one has a token the partner
 * refuses: the report names that partner and check, and holds neither token.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import type { DoctorReport } from '../../core/responses';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { signJwt } from '../../local/jwt';
import { engineerToken, http, JWT_SECRET } from '../support/local-hub';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'hub.mjs');
const admin = () => signJwt({ sub: 'ops-1', role: 'admin' }, JWT_SECRET);
const WEBHOOK_SECRET = `whsec_${Buffer.from('doctor-webhook-secret').toString('base64')}`;

let sandbox: GenericSandbox;
let hub: LocalHub;
beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: 'partner-token' });
  const partner = (id: string, token: string) => ({
    id, name: id, platforms: [id], connector: 'generic-rest', baseUrl: sandbox.baseUrl, credentials: { token }, webhookSecret: WEBHOOK_SECRET,
  });
  hub = await startLocalHub({
    config: parseHubConfig({ partners: [partner('acme-cloud', 'partner-token'), partner('beta-cloud', 'stale-token')] }, {}),
    dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, publicUrl: 'https://hub.example.com',
  });
});
afterAll(async () => { await hub.stop(); await sandbox.close(); });

it('is for admins only', async () => {
  expect((await http(hub.url, 'POST', '/v1/admin/doctor', { token: engineerToken(), body: {} })).status).toBe(403);
  expect((await http(hub.url, 'POST', '/v1/admin/doctor', { body: {} })).status).toBe(401);
});

it('answers the report: the partner with a refused token fails its read, the other passes', async () => {
  const r = await http(hub.url, 'POST', '/v1/admin/doctor', { token: admin(), body: {} });
  expect(r.status).toBe(200);
  const report = r.json as DoctorReport;
  expect(report.ok).toBe(false);
  const line = (partner: string, check: string) => report.checks.find((c) => c.partner === partner && c.check === check);
  expect(line('acme-cloud', 'read')).toMatchObject({ connector: 'generic-rest', result: 'pass' });
  expect(line('beta-cloud', 'read')).toMatchObject({ result: 'fail', detail: expect.stringContaining('HTTP 401') });
  expect(line('beta-cloud', 'webhook URL')).toMatchObject({ result: 'info', detail: 'register https://hub.example.com/v1/webhooks/beta-cloud' });
  for (const secret of ['partner-token', 'stale-token', WEBHOOK_SECRET.slice('whsec_'.length)]) expect(r.text).not.toContain(secret);
});

it('hub doctor prints the same report as a table and exits 6', async () => {
  const err = await run(process.execPath, [BIN, 'doctor'], { env: { ...process.env, HUB_URL: hub.url, HUB_TOKEN: admin() } })
    .then(() => undefined, (e: { code: number; stdout: string; stderr: string }) => e);
  expect(err?.code).toBe(6);
  expect(err?.stdout).toMatch(/^beta-cloud\s+generic-rest\s+read\s+FAIL\s+find incident: HTTP 401/m);
  expect(err?.stdout).toMatch(/^acme-cloud\s+generic-rest\s+read\s+pass/m);
  expect(err?.stderr).toContain('error: 1 check(s) failed');
  expect(err?.stdout).not.toMatch(/partner-token|stale-token/);
});
