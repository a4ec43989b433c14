/**
 * Issue 12 item 2: a comment accepted (202) before a crash reaches the partner without waiting for another
 * comment. Each pending comment carries an entry in the open-work index; the sweep re-drives it after the
 * grace period, and the forwarder's claim makes re-drives and duplicate messages harmless.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { commentRef } from '../../core/timeline';
import { genericRestConnector } from '../../connectors/generic-rest/ticketing';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { silentLog, type HubDeps } from '../../core/deps';
import { REDRIVE_GRACE_MS, type Escalation } from '../../core/escalation';
import { PARTNER_CALL_DEADLINE_MS, LEASE_MARGIN_MS } from '../../core/leases';
import { addComment, commentIdempotencyKey, forwardComment, forwardComments } from '../../core/use-cases/comments';
import { cancelEscalation } from '../../core/use-cases/cancel-escalation';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { sweep } from '../../core/use-cases/sweep';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';
import { fullConnector } from '../support/connector-harness';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let sandbox: GenericSandbox;
beforeAll(async () => {
  dynamo = await startDynalite('memory');
  sandbox = await startGenericSandbox({ token: 'partner-token' });
});
afterAll(async () => { await sandbox.close(); await dynamo.close(); });

/** The bus records `CommentAdded` but nothing consumes it: the hub "crashed" before the forwarder ran. */
function setup() {
  const config = testConfig(sandbox.baseUrl);
  const connector = fullConnector(genericRestConnector, config.partners[0]!);
  // a clock of its own, far ahead: the sweeps of this file never see another file's open work as due first
  const clock = new FakeClock(Date.now() + 400 * 24 * 3600_000 + Math.floor(Math.random() * 1e9));
  const queue = new RecordingQueue();
  const deps: HubDeps = {
    config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: new RecordingBus(), queue, clock,
    connectors: { ticketing: () => connector, collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('id'), random: () => 0.5, log: silentLog,
  };
  const flag = async () => (await flagEscalation(deps, { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' }, 'eng-1')).escalation;
  const opened = async (): Promise<Escalation & { partnerTicket: { id: string } }> => {
    const esc = await flag();
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    return (await deps.store.getEscalation(esc.escalationId)) as Escalation & { partnerTicket: { id: string } };
  };
  /** The sweep's comment re-drives of this escalation (the sweep sees the whole table's due work). */
  const sweepFor = async (escalationId: string) => {
    const from = queue.messages.length;
    await sweep(deps, 10_000);
    return queue.messages.slice(from).filter((m) => m.queue === 'comments' && (m.body as { escalationId: string }).escalationId === escalationId);
  };
  /** Delivers a re-drive message to the forwarder, as the comments queue would. */
  const deliver = (m: { body: unknown }) => {
    const { escalationId, commentId, commentAt } = m.body as { escalationId: string; commentId: string; commentAt: string };
    return forwardComment(deps, escalationId, commentRef(commentId, commentAt));
  };
  const posts = (ticketId: string) => sandbox.calls.filter((c) => c.method === 'POST' && c.path === `/incidents/${ticketId}/comments`);
  return { deps, clock, flag, opened, sweepFor, deliver, posts };
}

describe('comments accepted before a crash', () => {
  it('are re-driven by the sweep after the grace period, and reach the partner once each', async () => {
    const { deps, clock, opened, sweepFor, deliver, posts } = setup();
    const esc = await opened();
    for (const body of ['one', 'two', 'three']) await addComment(deps, esc, body, 'eng-1');
    expect(await sweepFor(esc.escalationId)).toEqual([]); // within the grace period: the forwarder may still be on it
    clock.advance(REDRIVE_GRACE_MS);
    const redriven = await sweepFor(esc.escalationId);
    expect(redriven).toHaveLength(3);
    // each re-drive delivered twice (at-least-once queues), two at a time: still once each at the partner
    const outcomes = await Promise.all([...redriven, ...redriven].map(deliver));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(3);
    expect(sandbox.incidents.get(esc.partnerTicket.id)!.comments.sort()).toEqual(['one', 'three', 'two']);
    expect(posts(esc.partnerTicket.id)).toHaveLength(3);
    // forwarded comments leave the open-work index: later sweeps find nothing
    clock.advance(3600_000);
    expect(await sweepFor(esc.escalationId)).toEqual([]);
  });

  it('a forwarder that died holding a claim: the sweep re-drives the comment once the claim has run out', async () => {
    const { deps, clock, opened, sweepFor, deliver, posts } = setup();
    const esc = await opened();
    await addComment(deps, esc, 'claimed, then the forwarder died', 'eng-1');
    const [pending] = await deps.store.listPendingComments(esc.escalationId);
    clock.advance(10_000); // the forwarder claimed 10 s after the comment, then died
    const now = clock.now();
    expect(await deps.store.claimComment(esc.escalationId, pending!, now, new Date(now.getTime() + PARTNER_CALL_DEADLINE_MS + LEASE_MARGIN_MS))).toBeDefined();
    clock.advance(REDRIVE_GRACE_MS - 10_000);
    const first = await sweepFor(esc.escalationId);
    expect(first).toHaveLength(1);
    expect(await deliver(first[0]!)).toBe('not_claimed'); // the claim still holds: the dead forwarder might be sending
    expect(posts(esc.partnerTicket.id)).toHaveLength(0);
    clock.advance(REDRIVE_GRACE_MS); // the first re-drive waits 15 s before the next
    const second = await sweepFor(esc.escalationId);
    expect(second).toHaveLength(1);
    expect(await deliver(second[0]!)).toBe('sent');
    expect(posts(esc.partnerTicket.id).map((c) => c.idempotencyKey)).toEqual([commentIdempotencyKey(esc.escalationId, pending!.commentId)]);
  });

  it('waiting for a ticket: re-driven with growing delays; leave the index once the escalation ends without one', async () => {
    const { deps, clock, flag, sweepFor, deliver } = setup();
    const esc = await flag();
    await addComment(deps, esc, 'before the ticket', 'eng-1');
    clock.advance(REDRIVE_GRACE_MS);
    const first = await sweepFor(esc.escalationId);
    expect(first).toHaveLength(1);
    expect(await deliver(first[0]!)).toBe('waiting');
    clock.advance(REDRIVE_GRACE_MS);
    expect(await sweepFor(esc.escalationId)).toHaveLength(1); // 15 s after the first re-drive
    clock.advance(REDRIVE_GRACE_MS);
    expect(await sweepFor(esc.escalationId)).toHaveLength(0); // the next waits 30 s
    await cancelEscalation(deps, esc.escalationId, 'fixed', 'eng-1');
    clock.advance(REDRIVE_GRACE_MS);
    const third = await sweepFor(esc.escalationId);
    expect(third).toHaveLength(1);
    expect(await deliver(third[0]!)).toBe('parked');
    clock.advance(24 * 3600_000);
    expect(await sweepFor(esc.escalationId)).toEqual([]);
    // still in the timeline for the engineer
    expect((await deps.store.getTimeline(esc.escalationId)).filter((t) => t.type === 'comment').map((t) => t.detail.body)).toEqual(['before the ticket']);
  });

  it('older escalations: pending comments under either earlier key are forwarded once by a message that names none', async () => {
    const { deps, opened, posts } = setup();
    const esc = await opened();
    const { timelineKeys: _t, commentTexts: _c, ...older } = esc;
    await deps.store.saveEscalation({ ...older, version: esc.version + 1 });
    const db = documentClient(dynamo.client);
    const at = deps.clock.now().toISOString();
    // before time-ordered keys (`T#comment#<id>`), and after them but before claims (`T#<at>#comment#<id>`, no index entry)
    for (const [sk, body] of [['T#comment#old-1', 'older key'], [`T#${at}#comment#old-2`, 'time key, no claim']] as const) {
      await db.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { PK: `ESC#${esc.escalationId}`, SK: sk, type: 'timeline', at, kind: 'comment', actor: 'eng-1', detail: { body }, pending: 1 } }));
    }
    expect((await deps.store.listPendingComments(esc.escalationId)).map((c) => c.commentId).sort()).toEqual(['old-1', 'old-2']);
    const sent = await Promise.all([forwardComments(deps, esc.escalationId), forwardComments(deps, esc.escalationId)]);
    expect(sent[0]! + sent[1]!).toBe(2);
    expect(posts(esc.partnerTicket.id).map((c) => c.idempotencyKey).sort()).toEqual(
      [commentIdempotencyKey(esc.escalationId, 'old-1'), commentIdempotencyKey(esc.escalationId, 'old-2')]);
    expect(await deps.store.listPendingComments(esc.escalationId)).toEqual([]);
  });
});
