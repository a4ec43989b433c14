/** Dead letters you can act on: `hub dlq list` shows what failed and why; `hub dlq redrive` replays it once. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { signJwt } from '../../local/jwt';
import { testConfig, uid } from '../support/fixtures';
import { engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'hub.mjs');
const admin = () => signJwt({ sub: 'ops-1', role: 'admin' }, JWT_SECRET);

let sandbox: GenericSandbox;
let hub: LocalHub;
beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: 'partner-token' });
  hub = await startLocalHub({
    config: testConfig(sandbox.baseUrl, { circuitBreaker: { consecutiveFailures: 100, halfOpenAfterMs: 100 } }),
    dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500, queueTimeScale: 0.002,
  });
});
afterAll(async () => { await hub.stop(); await sandbox.close(); });

const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, HUB_URL: hub.url, HUB_TOKEN: admin() } });

it('a comment the partner keeps refusing is dead-lettered with its reason, and a redrive delivers it once', async () => {
  const { json } = await http(hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' },
  });
  const esc = await waitFor('open', async () => {
    const r = await http(hub.url, 'GET', `/v1/escalations/${json.escalationId}`, { token: engineerToken() });
    return r.json.partnerTicket ? r.json : false;
  });
  // the partner's comment endpoint is down for longer than the queue's five receives
  const commentsDown = (c: { method: string; path: string }) => c.method === 'POST' && c.path.endsWith('/comments');
  for (let i = 0; i < 10; i++) sandbox.faults.push({ status: 503, match: commentsDown });
  await http(hub.url, 'POST', `/v1/escalations/${esc.escalationId}/comments`, { token: engineerToken(), body: { body: 'please check the relay' } });
  await waitFor('the dead letter', async () => hub.queues.get('comments-dlq')!.depth === 1, 20000);

  const listed = await cli('dlq', 'list', '--json');
  const { items } = JSON.parse(listed.stdout);
  expect(items).toEqual([expect.objectContaining({ queue: 'comments', escalationId: esc.escalationId, lastError: expect.stringContaining('HTTP 503') })]);
  const human = await cli('dlq', 'list');
  expect(human.stdout).toContain('last error: PartnerCallError: add comment: HTTP 503');

  sandbox.faults.length = 0; // the partner is back
  const redriven = await cli('dlq', 'redrive', '--queue', 'comments');
  expect(redriven.stdout).toContain('comments: 1 message(s) moved back');
  const incident = sandbox.incidents.get(esc.partnerTicket.id)!;
  await waitFor('the comment at the partner', async () => incident.comments.length === 1);
  // a second redrive (nothing left) and a replay of the same work change nothing
  expect((await cli('dlq', 'redrive')).stdout).toContain('comments: 0 message(s) moved back');
  const comments = hub.queues.get('comments')!;
  comments.send(JSON.stringify({ escalationId: esc.escalationId }));
  // the replayed message has been handled (and deleted, not dead-lettered) before we look
  await comments.drained();
  expect(hub.queues.get('comments-dlq')!.depth).toBe(0);
  expect(incident.comments).toEqual(['please check the relay']);
});

it('is for admins only', async () => {
  expect((await http(hub.url, 'GET', '/v1/admin/dead-letters', { token: engineerToken() })).status).toBe(403);
  expect((await http(hub.url, 'GET', '/v1/admin/dead-letters')).status).toBe(401);
  const r = await http(hub.url, 'POST', '/v1/admin/dead-letters/redrive', { token: admin(), body: { queue: 'nope' } });
  expect(r.status).toBe(404);
});
