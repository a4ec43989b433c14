/**
 * Load (issue 6, part 8). LONG: 2.5–3 minutes on a shared 2-core machine (the hub is CPU-bound on one core). Exclude with
 * `npx jest --testPathIgnorePatterns 'test/reliability/(crash-safety|load)'`.
 *
 * The hub runs as a child process (as `npm start` runs it, LevelDB files on disk) against a fast generic-rest
 * sandbox in this process. 1,000 escalations are flagged in a burst (50 requests at a time) and must all reach
 * `open`, one incident each; then 10,000 signed webhook deliveries with distinct ids (10 per ticket, in random
 * order, 50 at a time) must each be applied exactly once: 10 `partner_update` timeline entries per escalation,
 * one per delivery id, and the final status is the newest update's. 500 re-sent deliveries are answered as
 * duplicates and change nothing. The hub's peak RSS (VmHWM) is printed and bounded.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { signJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { procCpuSeconds, procStatusKiB, startHubProcess, writeHubConfig, type HubProcess } from '../support/hub-process';

jest.setTimeout(240_000);

const ESCALATIONS = 1_000;
const UPDATES_PER_TICKET = 10; // 10,000 deliveries
const CONCURRENCY = 50;
/**
 * Peak RSS bound. The hub at rest (Node + tsx + AWS SDK + dynalite/LevelDB) is printed by the test (about
 * 110 MB); measured peaks of this run were 460–530 MB on a shared 2-core machine, most of it V8 heap that the
 * garbage collector lets grow under a burst (the data itself, 1,000 escalations, ~14,000 timeline items and
 * 10,000 delivery items, is a few MB). 800 MB is that peak plus ~50 %: it does not flake on GC timing, and
 * still catches state kept per request or per message: ~30 KB retained per delivery (a body, a parsed event, a
 * closure over a request) times 10,000 deliveries is 300 MB more, over the bound.
 */
const PEAK_RSS_LIMIT_MB = 800;

const JWT = `load-${uid('jwt')}`;
const PARTNER_TOKEN = `load-partner-${uid('tok')}`;
const SECRET = 'whsec_' + Buffer.from(`load-webhook-${uid('s')}`).toString('base64');
const engineer = signJwt({ sub: 'eng-load', role: 'engineer' }, JWT, 3600);

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sandbox: GenericSandbox;
let hub: HubProcess;
let rssTimer: NodeJS.Timeout;
let maxRssKiB = 0;

beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: PARTNER_TOKEN, webhookSecret: SECRET });
  const configPath = writeHubConfig({
    partners: [{
      id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: sandbox.baseUrl,
      credentials: { token: PARTNER_TOKEN }, webhookSecret: SECRET, retry: { maxAttempts: 8, initialDelayMs: 200, maxDelayMs: 2000 },
    }],
  });
  hub = await startHubProcess({ configPath, dataDir: join(mkdtempSync(join(tmpdir(), 'hub-load-')), 'data'), jwtSecret: JWT, sweepIntervalMs: 5000 }); // the `npm start` default
  rssTimer = setInterval(() => { maxRssKiB = Math.max(maxRssKiB, procStatusKiB(hub.pid, 'VmRSS') ?? 0); }, 200);
});
afterAll(async () => {
  clearInterval(rssTimer);
  await hub?.stop();
  await sandbox?.close();
});

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(hub.url + path, {
    method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, any> : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const getEsc = (id: string) => call('GET', `/v1/escalations/${id}`, undefined, { authorization: `Bearer ${engineer}` });

interface Opened { escalationId: string; ticketId: string }
const opened: Opened[] = [];

describe('load: bursts against the hub as a child process', () => {
  it(`${ESCALATIONS} escalations flagged in a burst all reach open, one incident each`, async () => {
    const run = uid('LOAD');
    const ids: string[] = [];
    const t0 = Date.now();
    const cpu0 = procCpuSeconds(hub.pid) ?? 0;
    console.log(`load: hub RSS at rest ${Math.round((procStatusKiB(hub.pid, 'VmRSS') ?? 0) / 1024)} MB`);
    await pool(Array.from({ length: ESCALATIONS }, (_, i) => i), CONCURRENCY, async (i) => {
      const r = await call('POST', '/v1/escalations', JSON.stringify({
        caseId: `${run}-${i}`, customerId: `cust-${i % 20}`, platform: 'acme', severity: 'medium',
        summary: `Load case ${i}`, findings: `Findings ${i} `.repeat(20),
      }), { authorization: `Bearer ${engineer}` });
      expect(r.status).toBe(202);
      ids[i] = r.json!.escalationId as string;
    });
    const flagMs = Date.now() - t0;
    await (async () => {
      const until = Date.now() + 120_000;
      while (sandbox.incidents.size < ESCALATIONS && Date.now() < until) await sleep(200);
    })();
    const incidentsMs = Date.now() - t0;

    // every escalation is open in the hub (not only created at the partner)
    const pending = new Set(ids);
    const deadline = Date.now() + 60_000;
    while (pending.size && Date.now() < deadline) {
      await pool([...pending], 10, async (id) => {
        const r = await getEsc(id);
        if (r.json?.status === 'open') {
          pending.delete(id);
          opened.push({ escalationId: id, ticketId: r.json.partnerTicket.id as string });
        }
      });
      if (pending.size) await sleep(500);
    }
    const openMs = Date.now() - t0;
    console.log(`load: ${ESCALATIONS} flags answered in ${flagMs} ms (${Math.round(ESCALATIONS / (flagMs / 1000))}/s); `
      + `all incidents at the partner after ${incidentsMs} ms; all open after ${openMs} ms `
      + `(${Math.round(ESCALATIONS / (openMs / 1000))} escalations/s end to end); hub CPU ${Math.round((procCpuSeconds(hub.pid) ?? 0) - cpu0)} s in ${Math.round(openMs / 1000)} s; hub peak RSS so far ${Math.round((hub.peakRssKiB() ?? 0) / 1024)} MB`);
    expect(pending.size).toBe(0);
    const byRef = new Map<string, number>();
    for (const inc of sandbox.incidents.values()) byRef.set(inc.externalRef, (byRef.get(inc.externalRef) ?? 0) + 1);
    for (const id of ids) expect(byRef.get(`hub:${id}`)).toBe(1);
    expect(sandbox.incidents.size).toBe(ESCALATIONS);
  });

  it(`${ESCALATIONS * UPDATES_PER_TICKET} signed webhook deliveries in a burst are each applied exactly once`, async () => {
    expect(opened).toHaveLength(ESCALATIONS); // needs the first test
    // newer than every incident's own creation time (the hub applied that when it opened the ticket)
    const base = Date.now() + 1000;
    const statusOf = (k: number) => (k === UPDATES_PER_TICKET - 1 ? 'resolved' : k % 2 ? 'awaiting_info' : 'in_progress');
    const run = uid('dlv');
    const deliveries = opened.flatMap((o, n) => Array.from({ length: UPDATES_PER_TICKET }, (_, k) => ({
      id: `msg_${run}_${n}_${k}`, escalationId: o.escalationId,
      body: JSON.stringify({ type: 'incident.updated', data: { id: o.ticketId, status: statusOf(k), updatedAt: new Date(base + k * 1000).toISOString() } }),
    })));
    // random order: updates of one ticket arrive out of order and concurrently
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    const post = (d: { id: string; body: string }) => {
      const ts = Math.floor(Date.now() / 1000);
      return call('POST', '/v1/webhooks/acme-cloud', d.body, { 'webhook-id': d.id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(SECRET, d.id, ts, d.body) });
    };
    const t0 = Date.now();
    const cpu0 = procCpuSeconds(hub.pid) ?? 0;
    const statuses = new Map<number, number>();
    await pool(deliveries, CONCURRENCY, async (d) => {
      const r = await post(d);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    });
    const ingestMs = Date.now() - t0;
    expect(Object.fromEntries(statuses)).toEqual({ 202: deliveries.length });

    // 500 deliveries sent again (a partner retrying): acknowledged as duplicates
    const again = deliveries.slice(0, 500);
    const dupStatuses: string[] = [];
    await pool(again, CONCURRENCY, async (d) => { const r = await post(d); dupStatuses.push(`${r.status} ${r.json?.status}`); });
    expect(new Set(dupStatuses)).toEqual(new Set(['200 duplicate']));

    // wait until every delivery is recorded, then check each escalation once more
    const expectedIds = new Map<string, Set<string>>();
    for (const d of deliveries) {
      if (!expectedIds.has(d.escalationId)) expectedIds.set(d.escalationId, new Set());
      expectedIds.get(d.escalationId)!.add(d.id);
    }
    const pending = new Set(expectedIds.keys());
    const finals = new Map<string, Record<string, any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
    const deadline = Date.now() + 150_000;
    while (pending.size && Date.now() < deadline) {
      // polling costs the hub work too: look at a few until they are done, then at all of them
      const probe = [...pending].slice(0, pending.size > 100 ? 20 : pending.size);
      let done = 0;
      await pool(probe, 10, async (id) => {
        const r = await getEsc(id);
        const updates = (r.json!.timeline as { type: string }[]).filter((t) => t.type === 'partner_update');
        if (updates.length >= UPDATES_PER_TICKET) { pending.delete(id); finals.set(id, r.json!); done++; }
      });
      if (done < probe.length) await sleep(1000);
    }
    const appliedMs = Date.now() - t0;
    // what the sweep re-enqueued: stored deliveries not applied within 15 s are driven again
    const sweepLines = hub.output().split('\n').filter((l) => l.includes('"message":"sweep"'));
    const redriven = sweepLines.reduce((n, l) => n + (Number((JSON.parse(l) as { deliveries?: number }).deliveries) || 0), 0);
    const redrivenEsc = sweepLines.reduce((n, l) => n + (Number((JSON.parse(l) as { escalations?: number }).escalations) || 0), 0);
    const peakMb = Math.round((hub.peakRssKiB() ?? maxRssKiB) / 1024);
    console.log(`load: ${deliveries.length} webhook deliveries accepted in ${ingestMs} ms (${Math.round(deliveries.length / (ingestMs / 1000))}/s); `
      + `all applied after ${appliedMs} ms (${Math.round(deliveries.length / (appliedMs / 1000))}/s); ${pending.size} escalations short; `
      + `hub CPU ${Math.round((procCpuSeconds(hub.pid) ?? 0) - cpu0)} s in ${Math.round(appliedMs / 1000)} s; sweep re-drove ${redriven} deliveries and ${redrivenEsc} escalations during the run; `
      + `hub peak RSS (VmHWM) ${peakMb} MB, max sampled VmRSS ${Math.round(maxRssKiB / 1024)} MB`);
    expect(pending.size).toBe(0);

    // give a duplicate application a moment to show up, then check exactly-once per delivery id
    await sleep(1000);
    await pool([...expectedIds.keys()], CONCURRENCY, async (id) => {
      const r = await getEsc(id);
      const updates = (r.json!.timeline as { type: string; detail: { deliveryId: string; applied: boolean } }[]).filter((t) => t.type === 'partner_update');
      const seen = updates.map((u) => u.detail.deliveryId).sort();
      expect(seen).toEqual([...expectedIds.get(id)!].sort());
      // the newest update (resolved) wins whatever the arrival order
      expect(r.json!.status).toBe('resolved');
      expect(updates.filter((u) => u.detail.applied).length).toBeGreaterThanOrEqual(1);
    });
    expect(peakMb).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
  });
});
