/**
 * An escalation with 1,000 long comments, over HTTP and through the CLI (issue 12, item 17):
 * `GET /v1/escalations/{id}` answers the newest 200 entries and `timelineBefore`; `GET …/timeline?before=`
 * pages back to the first entry; a cursor the hub did not make is `400 invalid_cursor`; `hub show` says
 * how to see older entries and `hub timeline` shows them.
 */
import { uid } from '../support/fixtures';
import { customerToken, engineerToken, http, runHubCli, startE2E, waitFor, type E2E } from '../support/local-hub';

const COMMENTS = 1000;
const BODY_CHARS = 10_000; // the longest comment the contract allows

let e2e: E2E;
let id: string;
beforeAll(async () => {
  e2e = await startE2E();
  const r = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 'Long thread', findings: 'f' },
  });
  id = r.json.escalationId;
  // once the partner incident is open, the comments follow it, a second apart (times from the hub's own, not today's)
  const opened = await waitFor('open', async () => {
    const g = await http(e2e.hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() });
    return g.json.status === 'open' && g.json;
  });
  const base = Date.parse(opened.updatedAt) + 1000;
  // 1,000 comments as the comments use case records them (through the HTTP route each would also go to the partner)
  const filler = 'x'.repeat(BODY_CHARS - 20);
  for (let i = 1; i <= COMMENTS; i++) {
    await e2e.hub.deps.store.appendTimeline(id, {
      at: new Date(base + i * 1000).toISOString(), type: 'comment', actor: 'eng-1', detail: { body: `comment ${String(i).padStart(4, '0')} ${filler}` },
    }, `comment#c${i}`);
  }
}, 180_000);
afterAll(() => e2e.stop());

const get = (path: string, token = engineerToken()) => http(e2e.hub.url, 'GET', path, { token });
const numberOf = (t: { type: string; detail: { body?: string } }) => (t.type === 'comment' ? Number(t.detail.body!.slice(8, 12)) : 0);

describe('a timeline of 1,000 comments', () => {
  it('GET /v1/escalations/{id} answers the newest 200 entries and a cursor', async () => {
    const r = await get(`/v1/escalations/${id}`);
    expect(r.status).toBe(200);
    console.log(`GET /v1/escalations/{id} with ${COMMENTS} comments of ${BODY_CHARS} chars: ${Buffer.byteLength(r.text)} bytes`);
    expect(r.json.timeline).toHaveLength(200);
    expect(r.json.timeline.map(numberOf)).toEqual(Array.from({ length: 200 }, (_, i) => COMMENTS - 199 + i));
    expect(r.json.timelineBefore).toEqual(expect.any(String));
    expect(Buffer.byteLength(r.text)).toBeLessThan(2.2 * 1024 * 1024); // 200 entries of 10 KB, not 1,000
    expect(r.json).toMatchObject({ escalationId: id, status: expect.any(String), findings: 'f' });
  });

  it('GET …/timeline?before= pages back to the request, every entry once, in time order', async () => {
    const first = await get(`/v1/escalations/${id}`);
    const all = [...first.json.timeline];
    let before: string | null = first.json.timelineBefore;
    let pages = 0;
    while (before) {
      const r = await get(`/v1/escalations/${id}/timeline?before=${encodeURIComponent(before)}&limit=200`);
      expect(r.status).toBe(200);
      expect(r.json.items.length).toBeGreaterThan(0);
      expect(Buffer.byteLength(r.text)).toBeLessThan(2.2 * 1024 * 1024);
      all.unshift(...r.json.items);
      before = r.json.before;
      pages++;
    }
    expect(pages).toBe(5); // 1,002 entries: 200 newest, then 200, 200, 200, 200, 2
    expect(all.slice(0, 2).map((t) => t.type)).toEqual(['escalation_requested', 'partner_incident_opened']);
    expect(all.slice(2).map(numberOf)).toEqual(Array.from({ length: COMMENTS }, (_, i) => i + 1));
    // without a cursor: the newest page; the default limit is 100
    const newest = await get(`/v1/escalations/${id}/timeline`);
    expect(newest.json.items).toHaveLength(100);
    expect(numberOf(newest.json.items[99])).toBe(COMMENTS);
  });

  it('refuses a cursor it did not make (400, the contract\'s error body), a bad limit (422), an unknown escalation (404), a customer (403)', async () => {
    for (const bad of ['garbage!', 'bm90LWEtY3Vyc29y', 'A'.repeat(1001)]) {
      const r = await get(`/v1/escalations/${id}/timeline?before=${encodeURIComponent(bad)}`);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ error: { code: 'invalid_cursor', message: expect.any(String) } });
    }
    for (const limit of ['0', '201', 'ten', '1.5']) {
      const r = await get(`/v1/escalations/${id}/timeline?limit=${limit}`);
      expect(r.status).toBe(422);
      expect(r.json.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'limit' })] });
    }
    expect((await get('/v1/escalations/esc_unknown/timeline')).status).toBe(404);
    expect((await get(`/v1/escalations/${id}/timeline`, customerToken('acme'))).status).toBe(403);
  });
});

const hub = (args: string[]) => runHubCli(e2e.hub.url, args);

describe('the CLI on a long timeline', () => {
  it('hub show prints the recent entries and how to see older ones; hub timeline --before shows them', async () => {
    const shown = await hub(['show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.includes('timeline (the 200 most recent entries)')).toBe(true);
    const hint = shown.stdout.trimEnd().split('\n').pop()!;
    const m = hint.match(/^older entries: hub timeline (\S+) --before (\S+)$/);
    expect(m?.[1]).toBe(id);

    const older = await hub(['timeline', id, '--before', m![2]!, '--limit', '3']);
    expect(older.code).toBe(0);
    const lines = older.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+ACTOR\s+DETAIL/);
    expect(lines.slice(1, 4).map((l) => l.match(/comment (\d{4})/)?.[1])).toEqual(['0798', '0799', '0800']);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^older entries: hub timeline ${id} --before \\S+$`));

    const json = await hub(['timeline', id, '--limit', '2', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ items: [expect.objectContaining({ type: 'comment' }), expect.objectContaining({ type: 'comment' })], before: expect.any(String) });
    const usage = await hub(['timeline', id, '--limit', '500']);
    expect(usage.code).toBe(2);
    const badCursor = await hub(['timeline', id, '--before', 'nope']);
    expect(badCursor.code).toBe(1);
    expect(badCursor.stderr).toContain('error: invalid_cursor');
  });
});
