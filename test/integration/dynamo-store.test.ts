import { commentRef } from '../../core/timeline';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { VersionConflictError } from '../../core/errors';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { draftEscalation, uid } from '../support/fixtures';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let store: DynamoEscalationStore;

beforeAll(async () => {
  dynamo = await startDynalite('memory');
  store = new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE);
});
afterAll(() => dynamo.close());

const details = { findings: 'Device logs show the relay closing sessions', customerContact: { email: 'ana@acme.example' } };


describe('DynamoEscalationStore on dynalite', () => {
  it('flags a case once, however many requests race for it', async () => {
    const caseId = uid('CASE');
    const results = await Promise.all(Array.from({ length: 25 }, () => store.createEscalation(draftEscalation({ caseId }), details)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.escalation.escalationId)).size).toBe(1);
    const listed = await store.listByCase(caseId);
    expect(listed).toHaveLength(1);
    expect(await store.getCaseDetails(listed[0]!)).toEqual(details);
    expect(await store.getTimeline(listed[0]!.escalationId)).toHaveLength(1);
  });

  it('keeps one escalation per partner for the same case', async () => {
    const caseId = uid('CASE');
    await store.createEscalation(draftEscalation({ caseId, partnerId: 'a' }), details);
    await store.createEscalation(draftEscalation({ caseId, partnerId: 'b' }), details);
    expect((await store.listByCase(caseId)).map((e) => e.partnerId).sort()).toEqual(['a', 'b']);
  });

  it('writes conditionally on the version', async () => {
    const { escalation } = await store.createEscalation(draftEscalation(), details);
    await store.saveEscalation({ ...escalation, status: 'open', version: 2 });
    await expect(store.saveEscalation({ ...escalation, status: 'referred', version: 2 })).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.getEscalation(escalation.escalationId))?.status).toBe('open');
    expect(await store.getEscalation('esc_missing')).toBeUndefined();
  });

  it('finds customers\' cases through the customer index, and only theirs', async () => {
    const caseId = uid('CASE');
    await store.createEscalation(draftEscalation({ caseId, customerId: 'initech' }), details);
    expect(await store.listByCustomerCase('initech', caseId)).toHaveLength(1);
    expect(await store.listByCustomerCase('umbrella', caseId)).toHaveLength(0);
    // a case id that is a prefix of another does not leak it
    expect(await store.listByCustomerCase('initech', caseId.slice(0, -1))).toHaveLength(0);
  });

  it('links partner tickets to escalations', async () => {
    await store.putTicketLink('acme-cloud', 'T-1', 'esc_1');
    expect(await store.findByTicket('acme-cloud', 'T-1')).toBe('esc_1');
    expect(await store.findByTicket('acme-cloud', 'T-2')).toBeUndefined();
  });

  it('appends to the timeline, once per dedupe key, in time order, after the entry derived from the request', async () => {
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: '2026-11-25T10:00:00.000Z' }), details);
    const id = escalation.escalationId;
    expect(await store.appendTimeline(id, { at: '2026-11-25T10:00:02.000Z', type: 'b', actor: 'x', detail: {} }, 'k1')).toBe(true);
    expect(await store.appendTimeline(id, { at: '2026-11-25T10:00:03.000Z', type: 'b', actor: 'x', detail: {} }, 'k1')).toBe(false);
    await store.appendTimeline(id, { at: '2026-11-25T10:00:01.000Z', type: 'a', actor: 'x', detail: {} });
    expect((await store.getTimeline(id)).map((t) => t.type)).toEqual(['escalation_requested', 'a', 'b']);
  });

  it('keeps pending comments until they are forwarded, one item each, in the open-work index meanwhile', async () => {
    const id = uid('esc');
    const at = new Date();
    const entry = { at: at.toISOString(), type: 'comment', actor: 'eng', detail: { body: 'hello' } };
    const c1 = commentRef('c1', entry.at);
    expect(c1.key).toBe(`T#${entry.at}#comment#c1`); // time-ordered: timeline pages read it in time order
    expect(await store.addPendingComment(id, 'c1', entry, new Date(at.getTime() + 15_000), 'hello')).toBe(true);
    expect(await store.addPendingComment(id, 'c1', entry, new Date(at.getTime() + 15_000))).toBe(false);
    expect(await store.isOwnCommentText(id, 'hello')).toBe(true);
    expect(await store.isOwnCommentText(id, 'hello there')).toBe(false);
    expect(await store.isOwnCommentText(uid('esc'), 'hello')).toBe(false);
    await store.appendTimeline(id, { at: at.toISOString(), type: 'other', actor: 'x', detail: {} }, 'not-a-comment');
    expect(await store.listPendingComments(id)).toEqual([{ commentId: 'c1', key: c1.key, body: 'hello', at: entry.at }]);
    const due = async (t: Date) => (await store.listDue(t, 10_000)).filter((d) => d.kind === 'comment' && d.escalationId === id);
    expect(await due(new Date(at.getTime() + 14_000))).toEqual([]);
    expect(await due(new Date(at.getTime() + 15_000))).toEqual([{ kind: 'comment', escalationId: id, comment: c1, commentAt: entry.at, dueAt: new Date(at.getTime() + 15_000).toISOString(), redrives: 0 }]);
    await store.deferComment(id, c1, new Date(at.getTime() + 45_000), 1);
    expect(await due(new Date(at.getTime() + 44_000))).toEqual([]);
    expect((await due(new Date(at.getTime() + 45_000)))[0]).toMatchObject({ comment: c1, redrives: 1 });
    await store.markCommentForwarded(id, c1, new Date().toISOString());
    expect(await store.listPendingComments(id)).toEqual([]);
    expect(await due(new Date(at.getTime() + 3600_000))).toEqual([]);
    // a forwarded comment is not brought back into the index
    await store.deferComment(id, c1, new Date(at.getTime() + 60_000), 2);
    expect(await due(new Date(at.getTime() + 3600_000))).toEqual([]);
  });

  it('lets exactly one of many concurrent forwarders claim a comment, until it gives the claim back or it expires', async () => {
    const id = uid('esc');
    const now = new Date();
    await store.addPendingComment(id, 'c1', { at: now.toISOString(), type: 'comment', actor: 'eng', detail: { body: 'once' } }, new Date(now.getTime() + 15_000));
    const c1 = commentRef('c1', now.toISOString());
    const claims = await Promise.all(Array.from({ length: 25 }, () => store.claimComment(id, c1, now, new Date(now.getTime() + 20_000))));
    const won = claims.filter((c) => c !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ commentId: 'c1', body: 'once', claims: 1 });
    expect(await store.claimComment(id, c1, new Date(now.getTime() + 19_999), new Date(now.getTime() + 40_000))).toBeUndefined();
    await store.releaseComment(id, c1, 'someone-else');
    expect(await store.claimComment(id, c1, now, new Date(now.getTime() + 20_000))).toBeUndefined();
    await store.releaseComment(id, c1, won[0]!.token);
    const again = await store.claimComment(id, c1, now, new Date(now.getTime() + 20_000));
    expect(again).toMatchObject({ claims: 2 });
    // an expired claim can be taken over (its holder crashed)
    expect(await store.claimComment(id, c1, new Date(now.getTime() + 20_000), new Date(now.getTime() + 40_000))).toMatchObject({ claims: 3 });
    await store.markCommentForwarded(id, c1, new Date().toISOString());
    expect(await store.claimComment(id, c1, new Date(now.getTime() + 3600_000), new Date(now.getTime() + 3700_000))).toBeUndefined();
    expect(await store.claimComment(id, commentRef('unknown', now.toISOString()), now, new Date(now.getTime() + 20_000))).toBeUndefined();
  });

  it('renews an attempt lease only for the attempt that holds it (the attempt count is the fencing token)', async () => {
    const { escalation } = await store.createEscalation(draftEscalation(), details);
    const id = escalation.escalationId;
    const now = new Date();
    const first = await store.claimAttempt(id, now, new Date(now.getTime() + 1000), now);
    expect(first?.attempts).toBe(1);
    expect(await store.renewAttempt(id, 1, new Date(now.getTime() + 500), new Date(now.getTime() + 5000))).toMatchObject({ attempts: 1, leaseUntil: new Date(now.getTime() + 5000).toISOString() });
    // run out: a second attempt takes over, and the first can no longer renew
    const second = await store.claimAttempt(id, new Date(now.getTime() + 5000), new Date(now.getTime() + 9000), new Date(now.getTime() + 5000));
    expect(second?.attempts).toBe(2);
    expect(await store.renewAttempt(id, 1, new Date(now.getTime() + 5001), new Date(now.getTime() + 20_000))).toBeUndefined();
    expect(await store.renewAttempt(id, 2, new Date(now.getTime() + 9000), new Date(now.getTime() + 20_000))).toBeUndefined(); // expired
    expect((await store.getEscalation(id))?.leaseUntil).toBe(new Date(now.getTime() + 9000).toISOString());
  });

  it('remembers webhook deliveries until their TTL, and lists unapplied ones as due', async () => {
    const now = new Date();
    const d = uid('msg');
    expect(await store.markDeliverySeen('p', d, [{ ticketId: '1' }], now, 60)).toBe(true);
    expect(await store.markDeliverySeen('p', d, [{ ticketId: '1' }], now, 60)).toBe(false);
    expect(await store.markDeliverySeen('p', d, [{ ticketId: '1' }], new Date(now.getTime() + 61_000), 60)).toBe(true);
    const later = new Date(now.getTime() + 3600_000);
    expect((await store.listDue(later, 1000)).some((i) => i.kind === 'delivery' && i.deliveryId === d)).toBe(true);
    await store.markDeliveryApplied('p', d);
    expect((await store.listDue(later, 1000)).some((i) => i.kind === 'delivery' && i.deliveryId === d)).toBe(false);
  });

  it('lists requested escalations as due once their grace has passed, and drops opened ones', async () => {
    const created = new Date(Date.now() - 3600_000).toISOString();
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: created }), details);
    const isDue = async () => (await store.listDue(new Date(), 1000)).some((i) => i.kind === 'escalation' && i.escalationId === escalation.escalationId);
    expect(await isDue()).toBe(true);
    await store.saveEscalation({ ...escalation, status: 'open', version: 2 });
    expect(await isDue()).toBe(false);
  });

  it('keepDue: saves the escalation but leaves its open-work entry where it was (early, never late)', async () => {
    const created = new Date(Date.now() - 3600_000).toISOString();
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: created, customerSummary: 'Relay drops calls' }), details);
    const isDue = async () => (await store.listDue(new Date(), 1000)).some((i) => i.kind === 'escalation' && i.escalationId === escalation.escalationId);
    const leased = { ...escalation, attempts: 1, leaseUntil: new Date(Date.now() + 60_000).toISOString(), version: 2 };
    await store.saveEscalation(leased, { keepDue: true });
    expect(await store.getEscalation(escalation.escalationId)).toEqual(leased);
    expect(await isDue()).toBe(true); // the entry still says "created + grace"; the sweep decides on the item
    await expect(store.saveEscalation({ ...leased, attempts: 9 }, { keepDue: true })).rejects.toBeInstanceOf(VersionConflictError);
    // a field that became absent is removed, not kept
    const { customerSummary: _, ...withoutSummary } = { ...leased, version: 3 };
    expect(await store.getEscalation(escalation.escalationId)).toHaveProperty('customerSummary', 'Relay drops calls');
    await store.saveEscalation(withoutSummary as typeof leased, { keepDue: true });
    expect(await store.getEscalation(escalation.escalationId)).not.toHaveProperty('customerSummary');
  });

  it('claimAttempt: leases and counts an attempt only when the escalation is requested, via the API, unleased and due', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const lease = new Date(now.getTime() + 30_000);
    const dueBy = new Date(now.getTime() + 100);
    const claim = async (over: Partial<Parameters<typeof draftEscalation>[0]> & object) => {
      const { escalation } = await store.createEscalation(draftEscalation(over), details);
      return { escalation, claimed: await store.claimAttempt(escalation.escalationId, now, lease, dueBy) };
    };
    const ok = await claim({});
    expect(ok.claimed).toEqual({ ...ok.escalation, attempts: 1, leaseUntil: lease.toISOString(), version: 2, updatedAt: now.toISOString() });
    expect(await store.getEscalation(ok.escalation.escalationId)).toEqual(ok.claimed);
    // a second attempt while the lease holds gets nothing; after it expires, the next one gets it
    expect(await store.claimAttempt(ok.escalation.escalationId, now, lease, dueBy)).toBeUndefined();
    const later = new Date(lease.getTime() + 1);
    expect((await store.claimAttempt(ok.escalation.escalationId, later, new Date(later.getTime() + 30_000), later))?.attempts).toBe(2);

    expect((await claim({ status: 'open' })).claimed).toBeUndefined();
    expect((await claim({ ticketMode: 'manual' })).claimed).toBeUndefined();
    expect((await claim({ ticketMode: 'api' })).claimed?.attempts).toBe(1);
    expect((await claim({ nextAttemptAt: new Date(now.getTime() + 5_000).toISOString() })).claimed).toBeUndefined();
    expect((await claim({ nextAttemptAt: new Date(now.getTime() + 50).toISOString() })).claimed?.attempts).toBe(1);
    expect((await claim({ leaseUntil: new Date(now.getTime() - 1).toISOString(), attempts: 1 })).claimed?.attempts).toBe(2);
    expect(await store.claimAttempt('esc_nobody', now, lease, dueBy)).toBeUndefined();
  });

  it('derives the request and opening entries from the item, and shows an older stored copy of them once', async () => {
    const { escalation } = await store.createEscalation(draftEscalation({ createdAt: '2026-11-25T09:00:00.000Z' }), details);
    const id = escalation.escalationId;
    const opened = {
      ...escalation, status: 'open' as const, version: 2, openedAt: '2026-11-25T09:00:01.000Z',
      partnerTicket: { id: 'T-9', number: 'INC-9' }, opening: { partnerStatus: 'new', attempts: 1 },
    };
    await store.saveEscalation(opened);
    // as items written before the entries were derived: the same entries stored under their dedupe keys
    await store.appendTimeline(id, { at: escalation.createdAt, type: 'escalation_requested', actor: 'old', detail: {} }, 'requested');
    await store.appendTimeline(id, { at: opened.openedAt, type: 'partner_incident_opened', actor: 'old', detail: {} }, 'opened#T-9');
    const got = await store.getEscalationWithTimeline(id);
    expect(got?.escalation).toEqual(opened);
    expect(got?.timeline.map((t) => [t.type, t.actor])).toEqual([['escalation_requested', 'old'], ['partner_incident_opened', 'old']]);

    const { escalation: fresh } = await store.createEscalation(draftEscalation({ createdAt: '2026-11-25T09:00:00.000Z' }), details);
    await store.saveEscalation({ ...fresh, status: 'open', version: 2, openedAt: '2026-11-25T09:00:01.000Z', partnerTicket: { id: 'T-10', number: 'INC-10' }, opening: { partnerStatus: 'new', attempts: 2 } });
    expect((await store.getTimeline(fresh.escalationId)).map((t) => [t.type, t.detail])).toEqual([
      ['escalation_requested', { partnerId: fresh.partnerId, severity: fresh.severity }],
      ['partner_incident_opened', { ticketId: 'T-10', ticketNumber: 'INC-10', partnerStatus: 'new', attempts: 2 }],
    ]);
    expect(await store.getEscalationWithTimeline('esc_unknown')).toBeUndefined();
  });
});

describe('webhook delivery marks under a burst (coalesced into batch calls)', () => {
  it('say "fresh" exactly once per delivery id, however the marks interleave, and store each delivery', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => uid(`burst${i}`));
    const now = new Date();
    // every id marked three times at once: within one batch, and across batches in flight
    const marks = ids.flatMap((id) => [0, 1, 2].map(() => ({ id })));
    const results = await Promise.all(marks.map(({ id }) => store.markDeliverySeen('p', id, [{ ticketId: id }], now, 60)));
    const freshIds = marks.filter((_, i) => results[i]).map((m) => m.id);
    expect(freshIds.sort()).toEqual([...ids].sort());
    expect((await Promise.all(ids.map((id) => store.markDeliverySeen('p', id, [], now, 60)))).every((r) => r === false)).toBe(true);
    // stored and due, with the update, for the sweep to find if status sync never applies it
    const due = (await store.listDue(new Date(now.getTime() + 3600_000), 10_000)).filter((d) => d.kind === 'delivery' && ids.includes(d.deliveryId));
    expect(due).toHaveLength(ids.length);
    expect(due.every((d) => d.kind === 'delivery' && (d.update as { ticketId: string }[])[0]!.ticketId === d.deliveryId)).toBe(true);
  });

  it('take an expired delivery id as new again, alone or in a batch', async () => {
    const past = new Date(Date.now() - 3600_000);
    const [a, b] = [uid('exp'), uid('exp')];
    expect(await Promise.all([store.markDeliverySeen('p', a, [], past, 60), store.markDeliverySeen('p', b, [], past, 60)])).toEqual([true, true]);
    expect(await store.markDeliverySeen('p', a, [], new Date(), 60)).toBe(true);
    expect(await Promise.all([store.markDeliverySeen('p', b, [], new Date(), 60), store.markDeliverySeen('p', uid('exp'), [], new Date(), 60)])).toEqual([true, true]);
  });
});

describe('keys built from outside ids', () => {
  it('accept ids longer than a DynamoDB key may be (they are hashed)', async () => {
    const long = 'msg_' + 'L'.repeat(5000);
    expect(await store.markDeliverySeen('p', long, [], new Date(), 60)).toBe(true);
    expect(await store.markDeliverySeen('p', long, [], new Date(), 60)).toBe(false);
    expect(await store.markDeliverySeen('p', long + 'x', [], new Date(), 60)).toBe(true);
    await store.putTicketLink('p', long, 'esc_long');
    expect(await store.findByTicket('p', long)).toBe('esc_long');
    expect(await store.appendTimeline('esc_long', { at: new Date().toISOString(), type: 't', actor: 'a', detail: {} }, `${long}#0`)).toBe(true);
    expect(await store.appendTimeline('esc_long', { at: new Date().toISOString(), type: 't', actor: 'a', detail: {} }, `${long}#0`)).toBe(false);
  });
});

describe('DynamoEscalationStore: meeting subscriptions', () => {
  // far from today on purpose: the store compares only the times it is given
  const t0 = new Date(Date.UTC(2031, 5, 1, 12));
  const iso = (mins: number) => new Date(t0.getTime() + mins * 60_000).toISOString();
  const sub = (over: Partial<import('../../core/ports').MeetingSubscription> = {}) => ({
    partnerId: 'teams-partner', escalationId: uid('esc'), meetingId: uid('MSo'), joinUrl: 'https://teams.example/l/meetup-join/x',
    action: 'create' as const, dueAt: iso(0), stopAt: iso(600), failures: 0, state: 'active' as const, createdAt: iso(0), updatedAt: iso(0), ...over,
  });

  it('records once, lets one of many racing runs claim it, and lists only what is due, in its own index partition', async () => {
    const s = sub();
    expect(await Promise.all([store.createMeetingSubscription(s), store.createMeetingSubscription(s)])).toEqual(expect.arrayContaining([true, false]));
    const due = await store.listMeetingSubscriptionsDue(new Date(iso(1)), 1000);
    expect(due).toContainEqual({ partnerId: s.partnerId, meetingId: s.meetingId, dueAt: iso(0) });
    // the sweep's open-work listing never sees subscriptions
    expect((await store.listDue(new Date(iso(1)), 1000)).some((d) => JSON.stringify(d).includes(s.meetingId))).toBe(false);
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimMeetingSubscription(s.partnerId, s.meetingId, new Date(iso(1)), new Date(iso(3)))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimMeetingSubscription(s.partnerId, s.meetingId, new Date(iso(2)), new Date(iso(4)))).toBeUndefined(); // leased
    expect(await store.claimMeetingSubscription(s.partnerId, s.meetingId, new Date(iso(3)), new Date(iso(5)))).toBeDefined(); // lease ran out

    // saved with a later due time: no longer listed now, nor claimable; found by its subscription id
    await store.saveMeetingSubscription({ ...s, action: 'renew', subscriptionId: 'graph-sub-1', dueAt: iso(300), leaseUntil: undefined });
    expect((await store.listMeetingSubscriptionsDue(new Date(iso(4)), 1000)).some((d) => d.meetingId === s.meetingId)).toBe(false);
    expect(await store.claimMeetingSubscription(s.partnerId, s.meetingId, new Date(iso(4)), new Date(iso(6)))).toBeUndefined();
    expect(await store.findMeetingSubscriptionById(s.partnerId, 'graph-sub-1')).toMatchObject({ meetingId: s.meetingId, action: 'renew', revision: 1 });
    // finished: out of the index for good
    await store.saveMeetingSubscription({ ...s, subscriptionId: 'graph-sub-1', state: 'ended', dueAt: undefined, revision: 1 });
    expect((await store.listMeetingSubscriptionsDue(new Date(iso(100_000)), 1000)).some((d) => d.meetingId === s.meetingId)).toBe(false);
  });

  it('saves on a revision only while nobody else saved', async () => {
    const s = sub();
    await store.createMeetingSubscription(s);
    await store.saveMeetingSubscription({ ...s, action: 'reauthorize' }, { ifRevision: 0 });
    await expect(store.saveMeetingSubscription({ ...s, action: 'renew' }, { ifRevision: 0 })).rejects.toBeInstanceOf(VersionConflictError);
    expect(await store.getMeetingSubscription(s.partnerId, s.meetingId)).toMatchObject({ action: 'reauthorize', revision: 1 });
  });
});
