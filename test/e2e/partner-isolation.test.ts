/**
 * One partner down or rate-limiting never delays another's escalations; the failing one retries with
 * backoff behind its circuit breaker and recovers when the partner comes back.
 */
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { uid } from '../support/fixtures';
import { engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

const SECRET = 'whsec_' + Buffer.from('iso').toString('base64');
let healthy: GenericSandbox;
let troubled: GenericSandbox;
let hub: LocalHub;

beforeAll(async () => {
  healthy = await startGenericSandbox({ token: 't', webhookSecret: SECRET });
  troubled = await startGenericSandbox({ token: 't', webhookSecret: SECRET });
  const profile = (id: string, baseUrl: string) => ({
    id, name: id, platforms: [id], connector: 'generic-rest', baseUrl, credentials: { token: 't' }, webhookSecret: SECRET, timeoutMs: 3000,
    retry: { maxAttempts: 30, initialDelayMs: 50, maxDelayMs: 400 }, circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 500 },
  });
  hub = await startLocalHub({
    config: parseHubConfig({ partners: [profile('healthy', healthy.baseUrl), profile('troubled', troubled.baseUrl)] }, {}),
    dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500,
  });
});
afterAll(async () => { await hub.stop(); await healthy.close(); await troubled.close(); });

const escalate = (platform: string) => http(hub.url, 'POST', '/v1/escalations', {
  token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'acme', platform, severity: 'high', summary: 's', findings: 'f' },
});
const openedWithin = async (id: string) => {
  const started = Date.now();
  await waitFor(`escalation ${id} to open`, async () => (await http(hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() })).json.partnerTicket, 20000);
  return Date.now() - started;
};
async function healthyLatencies(n: number) {
  const ids = await Promise.all(Array.from({ length: n }, async () => (await escalate('healthy')).json.escalationId as string));
  const times = await Promise.all(ids.map(openedWithin));
  return times.sort((a, b) => a - b)[Math.floor(n * 0.9)]!;
}

describe('partner isolation', () => {
  for (const trouble of ['rate-limiting with Retry-After', 'timing out'] as const) {
    it(`keeps the healthy partner's pace while the other is ${trouble}, and the other recovers`, async () => {
      const alone = await healthyLatencies(10);
      // the troubled partner now answers every call badly
      const fault = trouble === 'timing out' ? { status: 0 } : { status: 429, headers: { 'retry-after': '1' } };
      const stop = troubledForever(fault);
      const callsBefore = troubled.calls.length;
      const stuck = await Promise.all(Array.from({ length: 10 }, async () => (await escalate('troubled')).json.escalationId as string));
      // the trouble is in effect: the troubled partner is being called (and failing) while we measure
      await waitFor('the troubled partner to be called', async () => troubled.calls.length > callsBefore);
      const during = await healthyLatencies(10);
      // "no added delay beyond noise": generous for a loaded two-core machine, yet far below what sharing
      // workers with the troubled partner would cost (each of its calls hangs for the 3 s timeout)
      expect(during).toBeLessThan(alone * 2 + 1500);
      const callsWhileDown = troubled.calls.length;
      // the breaker spares the partner: wait until it has refused 30 attempts without calling the partner…
      await waitFor('30 attempts refused by the open circuit', async () => (await circuitRefusals(stuck)) >= 30, 30000);
      // …while the partner itself saw far fewer calls than that
      expect(troubled.calls.length - callsWhileDown).toBeLessThan(30);
      stop();
      for (const id of stuck) await openedWithin(id);
      for (const id of stuck) {
        expect([...troubled.incidents.values()].filter((i) => i.externalRef === `hub:${id}`)).toHaveLength(1);
      }
    }, 60000);
  }
});

/** Attempts on these escalations that the partner's open circuit refused without calling it (their timelines). */
async function circuitRefusals(ids: string[]) {
  const counts = await Promise.all(ids.map(async (id) => {
    const { json } = await http(hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() });
    const timeline = (json.timeline ?? []) as { type: string; detail: { error?: string } }[];
    return timeline.filter((t) => t.type === 'partner_attempt_failed' && t.detail.error?.includes('circuit open')).length;
  }));
  return counts.reduce((a, b) => a + b, 0);
}

/** Makes every troubled-partner call fail (status 0: hang past the hub's 3 s timeout) until stopped. */
function troubledForever(fault: { status: number; headers?: Record<string, string> }) {
  let on = true;
  const refill = setInterval(() => {
    while (on && troubled.faults.length < 50) {
      troubled.faults.push(fault.status === 0 ? { status: 504, delayMs: 4000 } : fault);
    }
  }, 20);
  return () => { on = false; clearInterval(refill); troubled.faults.length = 0; };
}
