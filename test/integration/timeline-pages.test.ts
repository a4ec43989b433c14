/**
 * The timeline in pages (issue 12, item 17): the newest entries with one Query, newest first with a
 * Limit, on time-ordered keys, so that what a page reads does not grow with the timeline; older pages by
 * cursor; entries deduplicated whatever time a retry comes at; older escalations (entries under their
 * dedupe key alone) paged in the right order too.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { documentClient } from '../../functions/adapters/document-client';
import { commentRef, decodeTimelineCursor, encodeTimelineCursor } from '../../core/timeline';
import type { TimelineEntry } from '../../core/ports';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { draftEscalation } from '../support/fixtures';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let db: DynamoDBDocumentClient;
let store: DynamoEscalationStore;
/** Items the store's Queries read (what a Query is billed by), since the last reset. */
let itemsRead = 0;
const details = { findings: 'f', customerContact: null };
// fixed times, never today's
const BASE = Date.parse('2026-03-01T08:00:00.000Z');
const at = (i: number) => new Date(BASE + i * 1000).toISOString();

beforeAll(async () => {
  dynamo = await startDynalite('memory');
  db = documentClient(dynamo.client);
  const counting = {
    send: async (cmd: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      const r = await db.send(cmd as never) as { ScannedCount?: number };
      if (cmd instanceof QueryCommand) itemsRead += r.ScannedCount ?? 0;
      return r;
    },
  } as unknown as DynamoDBDocumentClient;
  store = new DynamoEscalationStore(counting, LOCAL_TABLE);
});
afterAll(() => dynamo.close());

/** An escalation with `n` comments (each its own pending item, as the comments use case writes them), one a second. */
async function withComments(n: number) {
  const { escalation } = await store.createEscalation(draftEscalation({ createdAt: at(0), updatedAt: at(0) }), details);
  for (let i = 1; i <= n; i++) {
    await store.addPendingComment(escalation.escalationId, `c${i}`, { at: at(i), type: 'comment', actor: 'eng-1', detail: { body: `comment ${i}` } }, new Date(Date.parse(at(i)) + 15_000), `comment ${i}`);
  }
  return escalation.escalationId;
}

const bodies = (entries: TimelineEntry[]) => entries.map((t) => (t.type === 'comment' ? (t.detail.body as string) : t.type));

describe('timeline pages', () => {
  let big: string;
  beforeAll(async () => { big = await withComments(1000); }, 120_000);

  it('answers the newest 200 entries in time order with a cursor, reading about 200 items of 1,001', async () => {
    itemsRead = 0;
    const got = (await store.getEscalationWithTimeline(big))!;
    expect(got.timeline).toHaveLength(200);
    expect(bodies(got.timeline)).toEqual(Array.from({ length: 200 }, (_, i) => `comment ${801 + i}`));
    expect(got.timelineBefore).toEqual(expect.any(String));
    expect(itemsRead).toBeGreaterThanOrEqual(200); // the counter counts
    expect(itemsRead).toBeLessThanOrEqual(202);
  });

  it('pages back to the first entry: every entry once, in time order, each page reading at most limit + 2 items', async () => {
    const seen: TimelineEntry[] = [];
    let before: string | null = (await store.getEscalationWithTimeline(big, 150))!.timelineBefore;
    seen.unshift(...(await store.getEscalationWithTimeline(big, 150))!.timeline);
    let pages = 0;
    while (before) {
      itemsRead = 0;
      const page = (await store.getTimelinePage(big, { before: decodeTimelineCursor(before), limit: 150 }))!;
      expect(itemsRead).toBeLessThanOrEqual(152);
      expect(page.items.length).toBeGreaterThan(0);
      seen.unshift(...page.items);
      before = page.before;
      pages++;
    }
    expect(pages).toBe(6); // 1,001 entries: 150 newest, then 6 pages (the last with 101)
    expect(bodies(seen)).toEqual(['escalation_requested', ...Array.from({ length: 1000 }, (_, i) => `comment ${i + 1}`)]);
    expect(await store.getTimeline(big)).toEqual(seen);
  });

  it('reads as much for the newest page of 1,000 entries as of 10 (the cost does not grow with the timeline)', async () => {
    const small = await withComments(10);
    itemsRead = 0;
    expect((await store.getEscalationWithTimeline(small, 5))!.timeline).toHaveLength(5);
    const readSmall = itemsRead;
    itemsRead = 0;
    expect((await store.getEscalationWithTimeline(big, 5))!.timeline).toHaveLength(5);
    expect(itemsRead).toBe(readSmall);
    expect(itemsRead).toBeGreaterThanOrEqual(5);
    expect(itemsRead).toBeLessThanOrEqual(7);
  });

  it('a short timeline has no cursor, and the derived entries take their place in time', async () => {
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: at(10) }), details);
    const id = escalation.escalationId;
    await store.appendTimeline(id, { at: at(5), type: 'early', actor: 'x', detail: {} }); // before the request: sorts first
    await store.appendTimeline(id, { at: at(20), type: 'late', actor: 'x', detail: {} }, 'late-key');
    const got = (await store.getEscalationWithTimeline(id))!;
    expect(got.timeline.map((t) => t.type)).toEqual(['early', 'escalation_requested', 'late']);
    expect(got.timelineBefore).toBeNull();
    const page = (await store.getTimelinePage(id, { limit: 2 }))!;
    expect(page.items.map((t) => t.type)).toEqual(['escalation_requested', 'late']);
    const rest = (await store.getTimelinePage(id, { before: decodeTimelineCursor(page.before!), limit: 2 }))!;
    expect(rest).toEqual({ items: [expect.objectContaining({ type: 'early' })], before: null });
    expect(await store.getTimelinePage('esc_unknown', { limit: 2 })).toBeUndefined();
  });

  it('records a deduplicated entry once whatever time the retry comes at, and finishes one a crash left half-written', async () => {
    const id = await withComments(0);
    expect(await store.appendTimeline(id, { at: at(30), type: 'partner_update', actor: 'p', detail: { n: 1 } }, 'delivery-1#0')).toBe(true);
    expect(await store.appendTimeline(id, { at: at(90), type: 'partner_update', actor: 'p', detail: { n: 1 } }, 'delivery-1#0')).toBe(false);
    // a first call that stopped after claiming its key: the retry writes the entry where the claim says
    await db.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { PK: `ESC#${id}`, SK: 'TKEY#delivery-2#0', type: 'timeline-key', entrySk: `T#${at(40)}#delivery-2#0`, at: at(40) } }));
    expect(await store.appendTimeline(id, { at: at(95), type: 'partner_update', actor: 'p', detail: { n: 2 } }, 'delivery-2#0')).toBe(false);
    expect((await store.getTimeline(id)).map((t) => [t.type, t.at])).toEqual([
      ['escalation_requested', at(0)], ['partner_update', at(30)], ['partner_update', at(40)],
    ]);
  });

  it('pages an escalation flagged before time-ordered keys in time order (entries under their dedupe key alone)', async () => {
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: at(0) }), details);
    const id = escalation.escalationId;
    const { timelineKeys: _flag, ...flaggedBefore } = escalation;
    await store.saveEscalation({ ...flaggedBefore, version: 2 });
    // as older versions stored them: deduplicated entries under `T#<key>`, others under `T#<at>#<random>`
    const old = (sk: string, t: string, type: string) => db.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { PK: `ESC#${id}`, SK: sk, type: 'timeline', at: t, kind: type, actor: 'old', detail: {} } }));
    await old('T#comment#01ZZZ', at(3), 'c3');
    await old('T#01J9ABC#0', at(2), 'u2'); // a delivery id that begins with a digit
    await old(`T#${at(1)}#abc123`, at(1), 'r1');
    await old('T#requested', at(0), 'escalation_requested');
    await store.appendTimeline(id, { at: at(4), type: 'n4', actor: 'new', detail: {} }, 'k4');
    const got = (await store.getEscalationWithTimeline(id, 3))!;
    expect(got.timeline.map((t) => t.type)).toEqual(['u2', 'c3', 'n4']);
    const rest = (await store.getTimelinePage(id, { before: decodeTimelineCursor(got.timelineBefore!), limit: 3 }))!;
    expect(rest.items.map((t) => [t.type, t.actor])).toEqual([['escalation_requested', 'old'], ['r1', 'old']]);
    expect(rest.before).toBeNull();
  });
});

describe('timeline cursors', () => {
  it('round-trip a position and refuse anything else', () => {
    const p = `T#${at(1)}#comment#c1`;
    expect(decodeTimelineCursor(encodeTimelineCursor(p))).toBe(p);
    for (const bad of ['', 'not a cursor', encodeTimelineCursor('META'), encodeTimelineCursor('T#yesterday#x'), `${encodeTimelineCursor(p)}=`, 'A'.repeat(2000)]) {
      expect(decodeTimelineCursor(bad)).toBeUndefined();
    }
  });

  it('pages pending and forwarded comments in time order with the other entries (a comment item sits at its time)', async () => {
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: at(0), updatedAt: at(0) }), details);
    const id = escalation.escalationId;
    for (let i = 1; i <= 6; i++) {
      if (i % 2) await store.addPendingComment(id, `z-c${i}`, { at: at(i), type: 'comment', actor: 'eng-1', detail: { body: `comment ${i}` } }, new Date(Date.parse(at(i)) + 15_000));
      else await store.appendTimeline(id, { at: at(i), type: `partner_update_${i}`, actor: 'p', detail: {} }, `a-delivery-${i}`);
    }
    // one of them forwarded (its item rewritten in place), the others still pending
    await store.markCommentForwarded(id, commentRef('z-c3', at(3)), at(7));
    const expected = ['escalation_requested', 'comment 1', 'partner_update_2', 'comment 3', 'partner_update_4', 'comment 5', 'partner_update_6'];
    expect(bodies((await store.getEscalationWithTimeline(id))!.timeline)).toEqual(expected);
    const newest = (await store.getTimelinePage(id, { limit: 4 }))!;
    expect(bodies(newest.items)).toEqual(expected.slice(3));
    const older = (await store.getTimelinePage(id, { before: decodeTimelineCursor(newest.before!), limit: 4 }))!;
    expect(older).toEqual({ items: expect.any(Array), before: null });
    expect(bodies(older.items)).toEqual(expected.slice(0, 3));
    expect((await store.listPendingComments(id)).map((c) => c.commentId)).toEqual(['z-c1', 'z-c5']);
  });
});
