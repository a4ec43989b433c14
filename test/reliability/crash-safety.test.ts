/**
 * Crash safety (issue 6, part 1). LONG: about 70 s (the random test 50–80 s, the deterministic one ~17 s). Exclude with
 * `npx jest --testPathIgnorePatterns 'test/reliability/(crash-safety|load)'`.
 *
 * The hub runs as a child process, as `npm start` runs it, on a data directory that survives it. The partner
 * is a generic-rest sandbox in this process behind a slow proxy (100–300 ms a call). 50 cases are flagged and
 * the hub is killed with SIGKILL four times, each time restarted on the same data directory:
 *   1. in the middle of the flag burst (some flags are answered, some are cut off, creates are in flight);
 *   2. right after the partner has answered a create and before the hub has seen the answer (the proxy kills
 *      the hub instead of relaying it): the incident exists at the partner, the hub does not know its number;
 *   3. at a random moment while the sweep re-drives the work the first hub lost (in-memory queues are gone);
 *   4. the last hub runs to the end.
 * Then: every escalation the hub accepted reaches `open`, each case has one escalation, and the partner holds
 * exactly one incident per escalation (counted by `externalRef`).
 *
 * Recovery of an attempt that held its lease when the hub died takes lease (30 s) + grace (15 s) after the
 * attempt started: that, not the work, is what makes this test take over a minute.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { signJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { startHubProcess, writeHubConfig, type HubProcess } from '../support/hub-process';

jest.setTimeout(180_000);

const JWT = `crash-${uid('jwt')}`;
const PARTNER_TOKEN = `crash-partner-${uid('tok')}`;
const SECRET = 'whsec_' + Buffer.from(`crash-webhook-${uid('s')}`).toString('base64');
const engineer = () => signJwt({ sub: 'eng-crash', role: 'engineer' }, JWT);

/** A small seeded generator, so a failing run can be replayed with RELIABILITY_SEED. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const rnd = mulberry32(SEED);
const between = (lo: number, hi: number) => Math.floor(lo + rnd() * (hi - lo));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proxy {
  url: string;
  server: Server;
  /** Kill the hub instead of relaying the answer to the next `n`-th create (counted from when it is armed). */
  armKillOnCreate(n: number, kill: () => Promise<void>): Promise<{ incidentId: string; externalRef: string }>;
  creates: number;
  finds: number;
  /** Calls the partner is working on right now. */
  inFlight: number;
  lostCreateAnswers: { incidentId: string; externalRef: string }[];
}

/** A slow partner: forwards to the sandbox after 100–300 ms; can kill the hub between a create and its answer. */
async function startSlowProxy(target: string): Promise<Proxy> {
  let armed: { left: number; kill: () => Promise<void>; done: (v: { incidentId: string; externalRef: string }) => void } | undefined;
  const proxy: Proxy = {
    url: '', server: undefined as unknown as Server, creates: 0, finds: 0, inFlight: 0, lostCreateAnswers: [],
    armKillOnCreate: (n, kill) => new Promise((done) => { armed = { left: n, kill, done }; }),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = Buffer.concat(chunks);
    proxy.inFlight++;
    await sleep(100 + Math.floor(Math.random() * 200));
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type', 'accept']) if (req.headers[h]) headers[h] = String(req.headers[h]);
    // the hub may have died while we waited: the partner still receives and processes the call
    const answer = await fetch(target + req.url, { method: req.method!, headers, ...(body.length ? { body } : {}) });
    const text = await answer.text();
    proxy.inFlight--;
    const isCreate = req.method === 'POST' && req.url === '/incidents';
    if (isCreate) proxy.creates++;
    if (req.method === 'GET' && req.url?.startsWith('/incidents?')) proxy.finds++;
    if (isCreate && answer.status === 201 && armed && --armed.left === 0) {
      const { kill, done } = armed;
      armed = undefined;
      const inc = JSON.parse(text) as { id: string };
      const externalRef = (JSON.parse(body.toString('utf8')) as { externalRef: string }).externalRef;
      await kill(); // the partner has answered; the hub dies before it hears the answer
      proxy.lostCreateAnswers.push({ incidentId: inc.id, externalRef });
      res.destroy();
      done({ incidentId: inc.id, externalRef });
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  };
  proxy.server = createServer((req, res) => { handle(req, res).catch(() => res.destroy()); });
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`;
  return proxy;
}

async function post(base: string, path: string, body: unknown) {
  const res = await fetch(base + path, {
    method: 'POST', headers: { authorization: `Bearer ${engineer()}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: await res.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
async function getEsc(base: string, id: string) {
  const res = await fetch(`${base}/v1/escalations/${id}`, { headers: { authorization: `Bearer ${engineer()}` }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, json: await res.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let sandbox: GenericSandbox;
let proxy: Proxy;
let hub: HubProcess | undefined;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: PARTNER_TOKEN, webhookSecret: SECRET });
  proxy = await startSlowProxy(sandbox.baseUrl);
});
afterAll(async () => {
  // every hub this file started (a killed one is already gone: stop() returns at once)
  for (const h of hubs) await h.stop().catch(() => undefined);
  await new Promise<void>((r) => { proxy.server.close(() => r()); proxy.server.closeAllConnections(); });
  await sandbox.close();
});

describe('crash safety: SIGKILL at random points, restart on the same data directory', () => {
  it('every accepted escalation opens exactly one partner incident', async () => {
    const started = Date.now();
    console.log(`crash-safety seed ${SEED} (replay with RELIABILITY_SEED=${SEED})`);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-crash-')), 'data');
    const configPath = writeHubConfig({
      partners: [{
        id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: proxy.url,
        credentials: { token: PARTNER_TOKEN }, webhookSecret: SECRET,
        retry: { maxAttempts: 8, initialDelayMs: 300, maxDelayMs: 2000 },
      }],
    });
    const boot = async () => {
      hub = await startHubProcess({ configPath, dataDir, jwtSecret: JWT, sweepIntervalMs: 500 });
      hubs.push(hub);
      return hub;
    };
    const run = uid('CRASH');
    const cases = Array.from({ length: 50 }, (_, i) => ({
      caseId: `${run}-${i}`, customerId: 'acme', platform: 'acme', severity: 'high',
      summary: `Crash-safety case ${i}`, findings: `Findings of case ${i}`,
    }));
    /** caseId → escalationId, from every 2xx answer (each case must keep one escalation throughout). */
    const accepted = new Map<string, string>();
    const acceptedWith202 = new Set<string>();
    const record = (caseId: string, r: { status: number; json: Record<string, any> }) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (r.status !== 200 && r.status !== 202) throw new Error(`flag ${caseId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      const before = accepted.get(caseId);
      expect(before === undefined || before === r.json.escalationId).toBe(true);
      accepted.set(caseId, r.json.escalationId as string);
      if (r.status === 202) acceptedWith202.add(r.json.escalationId as string);
    };
    const kills: string[] = [];

    // --- hub 1: kill in the middle of the flag burst ---
    let h = await boot();
    const firstFlagAt = Date.now();
    let answered = 0;
    const killAfter = between(15, 35);
    let killing: Promise<void> | undefined;
    const queue = [...cases];
    let cutOff = 0;
    await Promise.all(Array.from({ length: 5 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        try {
          record(c.caseId, await post(h.url, '/v1/escalations', c));
          if (++answered === killAfter) {
            killing = sleep(between(0, 150)).then(() => h.kill());
          }
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('flag ')) throw err;
          cutOff++; // no answer: the hub died under it; flagged again below
        }
      }
    }));
    await (killing ?? h.kill());
    kills.push(`1: during the flag burst, after ${answered} answers (${cutOff} flags cut off, ${proxy.creates} creates reached the partner)`);

    // --- hub 2: flag the rest again (idempotent); kill between the partner's answer to a create and its save ---
    h = await boot();
    const lost = proxy.armKillOnCreate(between(1, 4), () => h.kill());
    for (const c of cases) {
      try { record(c.caseId, await post(h.url, '/v1/escalations', c)); } catch (err) {
        if (err instanceof Error && err.message.startsWith('flag ')) throw err;
        break; // killed by the proxy meanwhile
      }
    }
    // every case is flagged once the first hub's flags and these are counted (the kill may cut the loop short)
    const lostAnswer = await Promise.race([lost, sleep(40_000).then(() => undefined)]);
    expect(lostAnswer).toBeDefined();
    kills.push(`2: after the partner answered the create for ${lostAnswer!.externalRef} (incident ${lostAnswer!.incidentId}), before the hub saved it`);

    // --- hub 3: flag whatever is left; kill at a random moment while the sweep re-drives the lost work ---
    h = await boot();
    for (const c of cases) record(c.caseId, await post(h.url, '/v1/escalations', c));
    expect(accepted.size).toBe(50);
    // the first escalations become due 15 s after they were created (their queue messages died with hub 1)
    await sleep(Math.max(0, firstFlagAt + between(15_500, 22_000) - Date.now()));
    const inFlightAtKill = proxy.inFlight;
    await h.kill();
    kills.push(`3: at a random moment, ${Math.round((Date.now() - firstFlagAt) / 1000)} s after the first flag, with ${inFlightAtKill} partner calls in flight (${proxy.creates} creates so far)`);

    // --- hub 4: runs to the end ---
    h = await boot();
    const ids = [...accepted.values()];
    const deadline = Date.now() + 110_000;
    const pending = new Set(ids);
    const final = new Map<string, Record<string, any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
    while (pending.size && Date.now() < deadline) {
      for (const id of [...pending]) {
        const r = await getEsc(h.url, id);
        expect(r.status).toBe(200);
        if (r.json.status !== 'requested') { pending.delete(id); final.set(id, r.json); }
      }
      if (pending.size) await sleep(1000);
    }
    const elapsed = Math.round((Date.now() - started) / 1000);
    console.log([
      `crash-safety: ${elapsed} s, seed ${SEED}, ${hubs.length} hub processes, kills:`, ...kills.map((k) => `  ${k}`),
      `  partner calls: ${proxy.creates} creates, ${proxy.finds} finds; ${sandbox.incidents.size} incidents; escalations accepted with 202: ${acceptedWith202.size}`,
    ].join('\n'));
    await h.stop();
    expect([...pending]).toEqual([]);

    // every accepted escalation is open (none referred here: the partner never refuses)
    for (const id of ids) expect({ id, status: final.get(id)!.status }).toEqual({ id, status: 'open' });
    // each case has exactly one escalation, and every 202 was one of them
    expect(new Set(ids).size).toBe(50);
    for (const id of acceptedWith202) expect(ids).toContain(id);

    // exactly one incident per escalation at the partner, and none for anything else
    const byRef = new Map<string, number>();
    for (const inc of sandbox.incidents.values()) byRef.set(inc.externalRef, (byRef.get(inc.externalRef) ?? 0) + 1);
    for (const id of ids) expect({ id, incidents: byRef.get(`hub:${id}`) ?? 0 }).toEqual({ id, incidents: 1 });
    expect(sandbox.incidents.size).toBe(50);

    // the escalation whose create answer was lost holds the incident the partner made then (found, not re-created)
    const victim = ids.find((id) => `hub:${id}` === lostAnswer!.externalRef)!;
    expect(final.get(victim)!.partnerTicket.id).toBe(lostAnswer!.incidentId);
    // and the hub's ticket matches the partner's incident for every escalation
    for (const id of ids) {
      const inc = sandbox.incidents.get(final.get(id)!.partnerTicket.id as string);
      expect(inc?.externalRef).toBe(`hub:${id}`);
    }
  });
});

/**
 * Found by the test above (it failed in about one run of two): dynalite, the embedded DynamoDB, writes an item
 * in three separate LevelDB writes (node_modules/dynalite/actions/putItem.js → db.updateIndexes: delete the old
 * index entries, put the new ones, put the item). A SIGKILL after the delete left the escalation `requested`
 * with NO entry in the open-work index (GSI2), the only thing the sweep reads: stuck forever after a 202.
 * Fixed in local/dynamo.ts (the index entries of open work are rewritten at start). This test reproduces the
 * crash window deterministically (test/support/crash-in-dynalite-index.cjs kills the hub right after the
 * delete) and guards the fix. AWS is not affected (DynamoDB maintains its GSIs itself).
 */
describe('crash safety: a SIGKILL inside the embedded database write', () => {
  it('an escalation whose open-work index entry was lost in the crash is still opened after a restart', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'hub-crash-idx-')), 'data');
    const configPath = writeHubConfig({
      partners: [{
        id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: sandbox.baseUrl,
        credentials: { token: PARTNER_TOKEN }, webhookSecret: SECRET, retry: { maxAttempts: 8, initialDelayMs: 300, maxDelayMs: 2000 },
      }],
    });
    const crashing = await startHubProcess({
      configPath, dataDir, jwtSecret: JWT, sweepIntervalMs: 500,
      nodeArgs: ['--require', resolve(__dirname, '../support/crash-in-dynalite-index.cjs')], env: { HUB_TEST_CRASH_ON_GSI2_REKEY: '1' },
    });
    hubs.push(crashing);
    const flag = { caseId: uid('CASE-IDX'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Index crash', findings: 'f' };
    // the worker's lease write moves the escalation in GSI2: the hub dies inside it (maybe before it answers)
    const first = await post(crashing.url, '/v1/escalations', flag).catch(() => undefined);
    await crashing.exited;
    const restarted = await startHubProcess({ configPath, dataDir, jwtSecret: JWT, sweepIntervalMs: 500 });
    hubs.push(restarted);
    const again = await post(restarted.url, '/v1/escalations', flag);
    expect(again.status).toBe(200); // it was stored before the crash
    if (first) expect(first.json.escalationId).toBe(again.json.escalationId);
    const id = again.json.escalationId as string;
    // due 15 s after it was created; allow lease and grace once more
    const until = Date.now() + 50_000;
    let status = '';
    while (Date.now() < until && status !== 'open') {
      status = (await getEsc(restarted.url, id)).json.status as string;
      if (status !== 'open') await sleep(500);
    }
    await restarted.stop();
    expect(status).toBe('open');
    expect([...sandbox.incidents.values()].filter((i) => i.externalRef === `hub:${id}`)).toHaveLength(1);
  }, 90_000);
});
