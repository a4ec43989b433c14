/**
 * Issue 12: partners never see a comment twice. A burst of comments posted concurrently on one escalation
 * reaches the partner once each: one `POST …/comments` per comment, counted at the sandbox.
 * `COMMENT_BURST=<n>` changes the burst size (default 50), for measuring.
 */
import { engineerToken, http, startE2E, waitFor, type E2E } from '../support/local-hub';

const BURST = Number(process.env.COMMENT_BURST ?? 50);

let e2e: E2E;
beforeAll(async () => { e2e = await startE2E(); });
afterAll(() => e2e.stop());

const caseNo = () => `CASE-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function openedEscalation() {
  const created = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(),
    body: { caseId: caseNo(), customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Calls drop', findings: 'f' },
  });
  expect(created.status).toBe(202);
  return waitFor('the partner ticket', async () => {
    const r = await http(e2e.hub.url, 'GET', `/v1/escalations/${created.json.escalationId}`, { token: engineerToken() });
    return r.json.partnerTicket ? r.json as { escalationId: string; partnerTicket: { id: string } } : false;
  });
}

/** Posts `n` comments at once (at most 50 in flight) and waits until the partner holds all of them. */
async function burst(n: number, escalationId: string, ticketId: string) {
  const bodies = Array.from({ length: n }, (_, i) => `comment ${i + 1} of ${n}`);
  for (let i = 0; i < n; i += 50) {
    const answers = await Promise.all(bodies.slice(i, i + 50).map((body) =>
      http(e2e.hub.url, 'POST', `/v1/escalations/${escalationId}/comments`, { token: engineerToken(), body: { body } })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
  }
  const incident = e2e.sandbox.incidents.get(ticketId)!;
  await waitFor(`${n} distinct comments at the partner`, async () => new Set(incident.comments).size === n, 120_000 + n * 200);
  // and the forwarders have stopped: nothing pending in the hub's timeline any more
  await waitFor('the forwarders to settle', async () => {
    const before = postsTo(ticketId);
    await new Promise((r) => setTimeout(r, 300));
    return postsTo(ticketId) === before;
  }, 60_000);
  return { bodies, incident };
}

const postsTo = (ticketId: string) => e2e.sandbox.calls.filter((c) => c.method === 'POST' && c.path === `/incidents/${ticketId}/comments`).length;

describe('comments reach the partner exactly once', () => {
  it(`${BURST} comments posted concurrently on one escalation make ${BURST} POSTs at the partner`, async () => {
    const esc = await openedEscalation();
    const started = Date.now();
    const { bodies, incident } = await burst(BURST, esc.escalationId, esc.partnerTicket.id);
    const posts = postsTo(esc.partnerTicket.id);
    process.stdout.write(`comments-once: ${BURST} comments → ${posts} POST …/comments at the partner (${incident.comments.length} stored) in ${Date.now() - started} ms\n`);
    expect(incident.comments.slice().sort()).toEqual(bodies.slice().sort());
    expect(posts).toBe(BURST);
  }, 600_000);
});
