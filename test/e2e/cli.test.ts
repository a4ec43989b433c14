/**
 * The `hub` CLI end to end: the real launcher (node bin/hub.mjs) as a child process against the local
 * runtime started in-process. Each invocation costs about a second of tsx start-up, so each one counts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escalationBody } from '../../cli/commands/escalate';
import { verifyJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { engineerToken, http, JWT_SECRET, runHubCli, startE2E, waitFor, type E2E } from '../support/local-hub';


/** Runs `hub <args>` against the test hub (HUB_URL/HUB_TOKEN overridable through `env`). */
const hub = (args: string[], env: Record<string, string | undefined> = {}) => runHubCli(e2e.hub.url, args, env);

let e2e: E2E;
let dir: string;
beforeAll(async () => {
  e2e = await startE2E();
  dir = mkdtempSync(join(tmpdir(), 'hub-cli-'));
});
afterAll(() => e2e.stop());

const getEscalation = (id: string) => http(e2e.hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() });
const caseFlags = (caseId: string) => [
  '--case', caseId, '--customer', 'acme', '--platform', 'acme', '--severity', 'high',
  '--summary', 'Audio drops after tenant policy change', '--findings', 'Media relay closes sessions after 30 s.',
];

describe('hub CLI against the local runtime', () => {
  it('escalate (flags) → wait until open → comment → show → list → cancel', async () => {
    const caseId = uid('CASE');
    const created = await hub(['escalate', ...caseFlags(caseId), '--json']);
    expect(created.code).toBe(0);
    const esc = JSON.parse(created.stdout); // --json: stdout holds the API's JSON and nothing else
    expect(esc).toMatchObject({ caseId, customerId: 'acme', partnerId: 'acme-cloud', status: 'requested', severity: 'high' });
    const id: string = esc.escalationId;

    const waited = await hub(['wait', id, '--status', 'open', '--timeout', '20']);
    expect(waited.code).toBe(0);
    const opened = (await getEscalation(id)).json;
    const ticketNumber: string = opened.partnerTicket.number;
    expect(waited.stdout).toContain(`${id} is open (partner ticket ${ticketNumber})`);
    expect(waited.stderr).toMatch(new RegExp(`${id}\\s+open, ticket ${ticketNumber}`)); // a plain line per change (no TTY)
    expect(waited.stderr).not.toContain('\x1b['); // no live progress line when stderr is not a terminal

    const commented = await hub(['comment', id, 'Repro', 'on', 'firmware', '4.1.0']);
    expect(commented.code).toBe(0);
    expect(commented.stdout).toContain(`comment added to ${id}`);
    await waitFor('the comment at the partner', async () => e2e.sandbox.incidents.get(opened.partnerTicket.id)!.comments.includes('Repro on firmware 4.1.0'));

    const shown = await hub(['show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`escalation\\s+${id}\\s+open`));
    expect(shown.stdout).toMatch(new RegExp(`ticket\\s+${ticketNumber}`));
    expect(shown.stdout).toMatch(/TIME\s+EVENT\s+ACTOR\s+DETAIL/);
    const rows = shown.stdout.split('\n');
    const at = (event: string) => rows.findIndex((r) => r.includes(`  ${event}  `));
    expect(at('escalation_requested')).toBeGreaterThan(-1);
    expect(at('partner_incident_opened')).toBeGreaterThan(at('escalation_requested')); // time order
    expect(rows[at('comment')]).toContain('"Repro on firmware 4.1.0"');

    const listed = await hub(['list', '--case', caseId]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ESCALATION\s+PARTNER\s+STATUS/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+acme-cloud\\s+open\\s+high\\s+${ticketNumber}`));

    const cancelled = await hub(['cancel', id, '--reason', 'fixed by the customer']);
    expect(cancelled).toMatchObject({ code: 0, stdout: `escalation ${id} cancelled\n` });
    expect((await getEscalation(id)).json.status).toBe('cancelled');
  });

  it('escalate from --file, flags overriding the file; the same case again answers the existing escalation', async () => {
    const caseId = uid('CASE');
    const file = join(dir, `${caseId}.json`);
    writeFileSync(file, JSON.stringify({
      caseId, customerId: 'acme', platform: 'acme', severity: 'low', summary: 'from the file', findings: 'findings from the file',
      product: { model: 'Studio X50', firmware: '4.1.0' },
    }));
    const created = await hub(['escalate', '--file', file, '--severity', 'critical', '--summary', 'from the flag']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^escalation requested\n/);
    expect(created.stdout).toMatch(/summary\s+from the flag/);
    const id = /escalation\s+(esc_\S+)/.exec(created.stdout)?.[1];
    const esc = (await getEscalation(id!)).json;
    expect(esc).toMatchObject({ caseId, severity: 'critical', summary: 'from the flag', findings: 'findings from the file', product: { model: 'Studio X50' } });

    const again = await hub(['escalate', '--file', file, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).escalationId).toBe(id);
  });

  it('escalate at the customer\'s request, with the entitlement: recorded for engineers; half a request is a usage error', async () => {
    const [created, half] = await Promise.all([
      hub(['escalate', ...caseFlags(uid('CASE')), '--requested-by', 'Ana (acme IT)', '--requested-via', 'desk',
        '--requested-at', '2026-11-25T10:40:00+01:00', '--entitlement', 'PREMIER-4711', '--json']),
      hub(['escalate', ...caseFlags(uid('CASE')), '--requested-by', 'Ana (acme IT)']),
    ]);
    expect(created.code).toBe(0);
    const { timeline } = (await getEscalation(JSON.parse(created.stdout).escalationId)).json;
    expect(timeline[0]).toMatchObject({
      type: 'escalation_requested',
      detail: { customerRequest: { at: '2026-11-25T09:40:00.000Z', by: 'Ana (acme IT)', channel: 'desk' }, partnerEntitlement: 'PREMIER-4711' },
    });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--requested-by needs --requested-via (phone | email | portal | desk)');
  });

  it('escalate: the customer\'s request is dated now unless --requested-at says when; a channel must be one of the four', async () => {
    const io = { readStdin: async () => '' };
    const now = () => new Date('2026-11-25T11:00:00.000Z');
    expect(await escalationBody(io, { requestedBy: 'Ana', requestedVia: 'phone', entitlement: 'E-1' }, now))
      .toEqual({ customerRequest: { at: '2026-11-25T11:00:00.000Z', by: 'Ana', channel: 'phone' }, partnerEntitlement: 'E-1' });
    expect(await escalationBody(io, {}, now)).toEqual({});
    await expect(escalationBody(io, { requestedAt: '2026-11-25T10:00:00Z' }, now)).rejects.toThrow('--requested-via and --requested-at need --requested-by');
    const fax = await hub(['escalate', ...caseFlags(uid('CASE')), '--requested-by', 'Ana', '--requested-via', 'fax']);
    expect(fax.code).toBe(2);
    expect(fax.stderr).toContain("argument 'fax' is invalid. Allowed choices are phone, email, portal, desk.");
  });

  it('wait: exit 4 when the time runs out', async () => {
    const created = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body: caseBody() });
    const r = await hub(['wait', created.json.escalationId, '--status', 'resolved', '--timeout', '1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error: timed out after 1 s: \S+ is still (requested|open) \(waiting for resolved\)/);
  });

  it('wait: exit 5 at once when the escalation is referred instead of opened', async () => {
    e2e.sandbox.faults.push({ status: 400, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const created = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body: caseBody() });
    const id: string = created.json.escalationId;
    const started = Date.now();
    const r = await hub(['wait', id, '--status', 'open', '--timeout', '30', '--json']);
    expect(r.code).toBe(5);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.stderr).toContain(`error: ${id} is referred: it will not become open`);
    expect(r.stderr).toMatch(/reason: .*HTTP 400/);
    expect(JSON.parse(r.stdout)).toMatchObject({ escalationId: id, status: 'referred' }); // --json: the last escalation seen
  });

  it('retry: a referred escalation tries again and opens, the same escalation and one incident; 409 after', async () => {
    e2e.sandbox.faults.push({ status: 400, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const created = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body: caseBody() });
    const id: string = created.json.escalationId;
    await waitFor('referral', async () => (await getEscalation(id)).json.status === 'referred');
    const r = await hub(['retry', id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`escalation ${id} requested`);
    expect((await hub(['wait', id, '--status', 'open', '--timeout', '20'])).code).toBe(0);
    const opened = (await getEscalation(id)).json;
    expect(opened.timeline.map((t: { type: string }) => t.type)).toContain('escalation_retried');
    expect([...e2e.sandbox.incidents.values()].filter((i) => i.externalRef === `hub:${id}`)).toHaveLength(1);
    const again = await hub(['retry', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: conflict: The escalation is open/);
  });

  it('a 401 from the partner is a problem for engineers, not a referral; retry tries at once once it is fixed', async () => {
    e2e.sandbox.faults.push({ status: 401, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const created = await http(e2e.hub.url, 'POST', '/v1/escalations', { token: engineerToken(), body: caseBody() });
    const id: string = created.json.escalationId;
    const held = await waitFor('problem', async () => { const e = (await getEscalation(id)).json; return e.problem ? e : false; });
    expect(held).toMatchObject({ status: 'requested', referral: null, problem: { code: 'partner_credentials_rejected' } });
    const shown = await hub(['show', id]);
    expect(shown.stdout).toMatch(/problem\s+partner_credentials_rejected since /);
    // the (scripted) token problem is over: no need to wait out the long backoff
    expect((await hub(['retry', id])).code).toBe(0);
    expect((await hub(['wait', id, '--status', 'open', '--timeout', '20'])).code).toBe(0);
    expect((await getEscalation(id)).json.problem).toBeNull();
  });

  it('an API error is exit 1 with the error code and details on stderr', async () => {
    const r = await hub(['escalate', ...caseFlags(uid('CASE')), '--severity', 'urgent']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: validation_failed: /);
    expect(r.stderr).toMatch(/\n {2}severity: /);
  });

  it('an unreachable hub is exit 3; a usage error is exit 2', async () => {
    const port = await freePort();
    const [down, usage] = await Promise.all([
      hub(['show', 'esc_x'], { HUB_URL: `http://127.0.0.1:${port}` }),
      hub(['list'], {}),
    ]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`error: cannot reach the hub at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--case <caseId>' not specified");
  });

  it('token mints a token the hub\'s key verifies; --help documents the exit codes', async () => {
    const [minted, help] = await Promise.all([
      hub(['token', '--role', 'customer', '--customer', 'acme', '--ttl', '600'], { HUB_JWT_SECRET: JWT_SECRET, HUB_TOKEN: undefined }),
      hub(['--help'], { HUB_TOKEN: undefined }),
    ]);
    expect(minted.code).toBe(0);
    const verified = verifyJwt(minted.stdout.trim(), JWT_SECRET);
    expect(verified).toMatchObject({ ok: true, claims: { role: 'customer', customerId: 'acme', sub: 'cust-acme' } });
    if (!verified.ok) throw new Error(verified.reason);
    expect(Number(verified.claims.exp) - Number(verified.claims.iat)).toBe(600);
    expect(verifyJwt(minted.stdout.trim(), 'another-key').ok).toBe(false);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*4 {2}wait: timed out/);
  });
});

const caseBody = () => ({ caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 's', findings: 'f' });

/** A port nothing listens on: bound, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
