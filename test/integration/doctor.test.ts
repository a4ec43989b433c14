/**
 * `hub doctor --config`: every check passes on `npm start`'s configuration (hub.config.json, its sandboxes
 * started as local/hub.ts starts them, on free ports), and it fails, naming the partner (or the desk) and
 * the check, for a wrong credential, missing variables and a malformed webhook secret, without printing a secret.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../cli/program';
import { EXIT } from '../../cli/exit-codes';
import { parseHubConfig } from '../../core/config';
import type { Sandbox } from '../../connectors/sandbox';
import { deskSandboxWanted, sandboxesWanted } from '../../connectors/sandboxes';

const COMMITTED = readFileSync(join(__dirname, '../../hub.config.json'), 'utf8');
/** Every secret of the committed configuration: none may appear in the doctor's output. */
const SECRETS = [
  'sandbox-microsoft-token', 'c2FuZGJveC1taWNyb3NvZnQtd2ViaG9vay1zZWNyZXQ=', 'sandbox-zoom-token', 'c2FuZGJveC16b29tLXdlYmhvb2stc2VjcmV0',
  'sandbox-secret', 'sandbox-client-state', 'sandbox-zoom-secret-token', 'sandbox-password', 'sandbox-tsanet-webhook-secret',
  'sandbox-desk-token', 'sandbox-desk-signing-secret',
];

let sandboxes: Sandbox[] = [];
/** hub.config.json with its sandbox ports replaced by the ports the sandboxes took here. */
let config = '';
const dir = mkdtempSync(join(tmpdir(), 'hub-doctor-'));

beforeAll(async () => {
  config = COMMITTED;
  const parsed = parseHubConfig(JSON.parse(COMMITTED), {});
  for (const { start, port } of [...parsed.partners.flatMap(sandboxesWanted), ...parsed.desks.flatMap(deskSandboxWanted)]) {
    const sandbox = await start({ port: 0 });
    sandboxes.push(sandbox);
    config = config.split(`http://127.0.0.1:${port}`).join(new URL(sandbox.baseUrl).origin);
  }
});
afterAll(async () => { await Promise.all(sandboxes.map((s) => s.close())); sandboxes = []; });

type Json = Record<string, unknown> & { partners: Record<string, unknown>[]; desks: Record<string, unknown>[] };
/** Runs `hub doctor --config` on `text` (or the configuration `edit` makes of the committed one) with `env`. */
async function doctor(edit: (cfg: Json) => void = () => {}, env: Record<string, string> = {}, json = false) {
  const cfg = JSON.parse(config) as Json;
  edit(cfg);
  const file = join(dir, `hub-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  let stdout = '';
  let stderr = '';
  const code = await runCli([...(json ? ['--json'] : []), 'doctor', '--config', file], {
    stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } },
    env: { HUB_PUBLIC_URL: 'https://hub.example.com', ...env }, readStdin: async () => '',
  });
  for (const secret of SECRETS) expect(`${stdout}${stderr}`).not.toContain(secret);
  return { code, stdout, stderr };
}
const partner = (cfg: Json, id: string) => cfg.partners.find((p) => p.id === id)!;
/** The table's row of `partner`'s `check` (columns: partner, connector, check, result, detail). */
const row = (out: string, partnerId: string, check: string) =>
  out.split('\n').find((l) => new RegExp(`^${partnerId}\\s+\\S+\\s+${check}\\s`).test(l));

it('passes every check on npm start\'s configuration, and prints the webhook URLs to register', async () => {
  const { code, stdout } = await doctor();
  expect(stdout).toMatch(/^PARTNER\s+CONNECTOR\s+CHECK\s+RESULT\s+DETAIL/);
  expect(stdout).not.toMatch(/\sFAIL\s/);
  expect(code).toBe(EXIT.ok);
  expect(row(stdout, 'partner-corp', 'token')).toMatch(/pass\s+Connect login accepted/);
  expect(row(stdout, 'partner-corp', 'read')).toMatch(/pass\s+GET \/v1\/me: company/);
  expect(row(stdout, 'microsoft', 'read')).toMatch(/pass\s+find by an impossible reference answered nothing/);
  expect(stdout).toMatch(/microsoft\s+teams\s+token\s+pass/);
  expect(stdout).toMatch(/zoom\s+zoom\s+read\s+pass/);
  expect(stdout).toContain('register https://hub.example.com/v1/webhooks/microsoft\n');
  expect(stdout).toContain('register https://hub.example.com/v1/webhooks/zoom/collaboration\n');
  // the vendor's desk: its secrets' forms, the API user read with its credentials, the trigger's URL
  expect(row(stdout, 'desk:vendor-zendesk', 'secret credentials.apiToken')).toMatch(/pass/);
  expect(row(stdout, 'desk:vendor-zendesk', 'read')).toMatch(/pass\s+GET \/api\/v2\/users\/me.json: user 361 \(admin\)/);
  expect(stdout).toContain('register https://hub.example.com/v1/desks/vendor-zendesk/events\n');
  expect(stdout).toContain('all checks pass');
});

it('fails for a credential the partner refuses, naming the partner and the check, and skips what depends on it', async () => {
  const { code, stdout, stderr } = await doctor((cfg) => {
    (partner(cfg, 'partner-corp').credentials as Record<string, string>).password = 'not-the-password';
    ((partner(cfg, 'zoom').collaboration as Record<string, unknown>).credentials as Record<string, string>).clientSecret = 'not-the-secret';
  });
  expect(code).toBe(EXIT.checkFailed);
  expect(row(stdout, 'partner-corp', 'token')).toMatch(/FAIL\s+TSANet login: HTTP 401/);
  expect(row(stdout, 'partner-corp', 'read')).toMatch(/skip\s+not run: token failed/);
  expect(stdout).toMatch(/zoom\s+zoom\s+token\s+FAIL\s+get Zoom token: .*400 .*invalid_client/);
  expect(row(stdout, 'microsoft', 'read')).toMatch(/pass/);
  expect(stderr).toContain('error: 2 check(s) failed');
  expect(`${stdout}${stderr}`).not.toMatch(/not-the-(password|secret)/);
});

it('fails for a desk API token the desk refuses, naming the desk and the check', async () => {
  const { code, stdout, stderr } = await doctor((cfg) => {
    (cfg.desks.find((d) => d.id === 'vendor-zendesk')!.credentials as Record<string, string>).apiToken = 'not-the-desk-token';
  });
  expect(code).toBe(EXIT.checkFailed);
  expect(row(stdout, 'desk:vendor-zendesk', 'read')).toMatch(/FAIL\s+GET \/api\/v2\/users\/me.json: HTTP 401/);
  expect(row(stdout, 'partner-corp', 'read')).toMatch(/pass/);
  expect(stderr).toContain('error: 1 check(s) failed');
  expect(`${stdout}${stderr}`).not.toContain('not-the-desk-token');
});

it('reports every missing variable of each partner, without stopping at the first', async () => {
  const { code, stdout } = await doctor((cfg) => {
    partner(cfg, 'microsoft').credentials = { token: '${MICROSOFT_TOKEN}' };
    partner(cfg, 'microsoft').webhookSecret = '${MICROSOFT_WEBHOOK_SECRET}';
    (partner(cfg, 'zoom').collaboration as Record<string, unknown>).webhookSecret = '${ZOOM_SECRET_TOKEN}';
    partner(cfg, 'partner-corp').credentials = { username: '${TSANET_USER}', password: 'sandbox-password' };
  }, { TSANET_USER: 'sandbox-hub' });
  expect(code).toBe(EXIT.checkFailed);
  expect(row(stdout, 'microsoft', 'variables')).toMatch(/FAIL\s+not set: MICROSOFT_TOKEN, MICROSOFT_WEBHOOK_SECRET$/);
  expect(row(stdout, 'zoom', 'variables')).toMatch(/FAIL\s+not set: ZOOM_SECRET_TOKEN$/);
  expect(row(stdout, 'partner-corp', 'variables')).toMatch(/pass\s+1 set \(TSANET_USER\)/);
  expect(row(stdout, 'partner-corp', 'token')).toMatch(/pass/);
});

it('fails for a malformed Standard Webhooks secret, and makes no partner call with it', async () => {
  const { code, stdout } = await doctor((cfg) => { partner(cfg, 'zoom').webhookSecret = 'whsec_not base64!'; });
  expect(code).toBe(EXIT.checkFailed);
  expect(row(stdout, 'zoom', 'secret webhookSecret')).toMatch(/FAIL\s+must be whsec_ followed by base64/);
  expect(stdout).toMatch(/zoom\s+generic-rest\s+partner calls\s+skip\s+not made until the settings and secrets pass/);
  expect(stdout).not.toContain('not base64!');
});

describe('a partner that echoes the credential in its error', () => {
  let echo: Server;
  beforeAll(async () => {
    echo = createServer((req, res) => { res.writeHead(403, { 'content-type': 'text/plain' }).end(`refused ${req.headers.authorization ?? ''}`.replace('Bearer ', '')); });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => echo.close(() => r())));

  it('has the secret redacted from the detail', async () => {
    const { code, stdout } = await doctor((cfg) => { partner(cfg, 'microsoft').baseUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`; }, {}, true);
    expect(code).toBe(EXIT.checkFailed);
    const report = JSON.parse(stdout) as { ok: boolean; checks: { partner: string; check: string; result: string; detail: string }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.partner === 'microsoft' && c.check === 'read')).toMatchObject({ result: 'fail', detail: expect.stringContaining('refused [secret]') });
  });
});
