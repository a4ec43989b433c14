/**
 * Status updates delivered out of order, twice, or concurrently end in the same state as in order; the
 * hub's own comments echoed back by the partner are recognised and not recorded again.
 */
import fc from 'fast-check';
import { silentLog, type HubDeps } from '../../core/deps';
import type { Escalation } from '../../core/escalation';
import { PARTNER_STATUSES, type PartnerStatus } from '../../core/escalation';
import type { InboundUpdate } from '../../core/ports';
import { applyPartnerUpdates } from '../../core/use-cases/apply-partner-updates';
import { addComment } from '../../core/use-cases/comments';
import { customerIncidents } from '../../core/use-cases/customer-view';
import { retryOpening } from '../../core/use-cases/retry-opening';
import { ConflictError } from '../../core/errors';
import type { PartnerIncident, TicketingConnector } from '../../core/ports';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, openEscalationWithTicket, RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let deps: HubDeps;
beforeAll(async () => {
  dynamo = await startDynalite('memory');
  deps = {
    config: testConfig('http://127.0.0.1:1'), store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: new RecordingBus(), queue: new RecordingQueue(), clock: new FakeClock(Date.now()),
    connectors: { ticketing: () => undefined, collaboration: () => undefined, serviceHealth: () => undefined }, newId: () => uid('c'), random: () => 0.5, log: silentLog,
  };
});
afterAll(() => dynamo.close());

const openEscalation = (over: Partial<Escalation> = {}) => openEscalationWithTicket(deps.store, over);

const deliver = (updates: InboundUpdate[], deliveryId = uid('d')) => applyPartnerUpdates(deps, { partnerId: 'acme-cloud', deliveryId, updates });

describe('ordering', () => {
  it('property: in order, shuffled, duplicated or concurrent, the final state is the same', async () => {
    const update = fc.record({ status: fc.constantFrom(...PARTNER_STATUSES), s: fc.integer({ min: 0, max: 30 }) });
    await fc.assert(fc.asyncProperty(fc.array(update, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), async (raw, seed) => {
      const mk = (ticketId: string) => raw.map((r): InboundUpdate => ({
        ticketId, status: r.status as PartnerStatus, partnerStatus: r.status, updatedAt: new Date(Date.UTC(2026, 10, 25, 10, 0, r.s)).toISOString(),
      }));
      const inOrder = await openEscalation();
      for (const u of [...mk(inOrder.ticketId)].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))) await deliver([u]);

      const chaos = await openEscalation();
      const updates = mk(chaos.ticketId);
      const shuffled = [...updates, ...updates].map((u, i) => ({ u, k: (i * 7919 + seed) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.u);
      // half one at a time (each delivered twice), half all at once
      const half = Math.floor(shuffled.length / 2);
      for (const u of shuffled.slice(0, half)) await deliver([u]);
      await Promise.all(shuffled.slice(half).map((u) => deliver([u])));

      const a = (await deps.store.getEscalation(inOrder.escalation.escalationId))!;
      const b = (await deps.store.getEscalation(chaos.escalation.escalationId))!;
      expect(b.status).toBe(a.status);
      expect(b.partnerUpdatedAt).toBe(a.partnerUpdatedAt);
    }), { numRuns: 25 });
  });

  it('a newer update renames the partner ticket (TSANet: the receiver\'s case number once accepted); an older one never names it back', async () => {
    const { escalation, ticketId } = await openEscalation();
    const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s)).toISOString();
    await deliver([{ ticketId, ticketNumber: 'PC-2512070001', status: 'in_progress', partnerStatus: 'ACCEPTED', updatedAt: at(10) }]);
    await deliver([{ ticketId, ticketNumber: ticketId, status: 'open', partnerStatus: 'OPEN', updatedAt: at(5) }]);
    const e = (await deps.store.getEscalation(escalation.escalationId))!;
    expect({ status: e.status, ticket: e.partnerTicket }).toEqual({ status: 'in_progress', ticket: { id: ticketId, number: 'PC-2512070001' } });
    const updates = (await deps.store.getTimeline(escalation.escalationId)).filter((t) => t.type === 'partner_update').map((t) => t.detail.ticketNumber);
    expect(updates).toEqual(['PC-2512070001', undefined]);
  });

  it('a delivery replayed is recorded once in the timeline', async () => {
    const { escalation, ticketId } = await openEscalation();
    const u: InboundUpdate = { ticketId, status: 'in_progress', partnerStatus: 'in_progress', updatedAt: new Date().toISOString() };
    await deliver([u], 'same-delivery');
    await deliver([u], 'same-delivery');
    expect((await deps.store.getTimeline(escalation.escalationId)).filter((t) => t.type === 'partner_update')).toHaveLength(1);
  });
});

describe('a partner\'s refusal (TSANet REJECTED)', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s)).toISOString();
  const bus = () => deps.bus as RecordingBus;

  it('refers the escalation with the partner\'s reason, as the hub\'s own referral does; nothing later or older moves it', async () => {
    const { escalation, ticketId } = await openEscalation({ customerSummary: 'Calls drop after 55 minutes' });
    await deliver([{ ticketId, status: 'in_progress', partnerStatus: 'ACCEPTED', updatedAt: at(10) }]);
    const published = bus().events.length;
    expect(await deliver([{ ticketId, status: 'closed', partnerStatus: 'REJECTED', updatedAt: at(20), refusal: 'End customer does not have support' }])).toEqual(['applied']);

    const e = (await deps.store.getEscalation(escalation.escalationId))!;
    expect(e.status).toBe('referred');
    expect(e.referral).toEqual({
      reason: 'End customer does not have support',
      instructions: `We could not open an incident with Acme Cloud on your behalf. Please contact Acme Cloud support and quote your case ${e.caseId}. Share this summary of our findings: Calls drop after 55 minutes`,
    });
    expect(bus().events.slice(published).map((x) => [x.detailType, x.detail])).toEqual([
      ['EscalationReferred', { version: 1, escalationId: e.escalationId, partnerId: 'acme-cloud', caseId: e.caseId, reason: 'End customer does not have support' }],
    ]);
    const timeline = await deps.store.getTimeline(e.escalationId);
    expect(timeline.filter((t) => t.type === 'escalation_referred')).toEqual([expect.objectContaining({
      actor: 'partner:acme-cloud', detail: { reason: 'End customer does not have support', partnerStatus: 'REJECTED' },
    })]);
    const [shown] = await customerIncidents(deps, e.customerId, e.caseId);
    expect(shown).toMatchObject({ status: 'referred', referral: e.referral });

    // an older update, a later one (the receiver closes the request), the refusal again: terminal
    expect(await deliver([{ ticketId, status: 'in_progress', partnerStatus: 'ACCEPTED', updatedAt: at(15) }])).toEqual(['terminal']);
    expect(await deliver([{ ticketId, status: 'closed', partnerStatus: 'CLOSED', updatedAt: at(40) }])).toEqual(['terminal']);
    expect(await deliver([{ ticketId, status: 'closed', partnerStatus: 'REJECTED', updatedAt: at(20), refusal: 'again' }])).toEqual(['terminal']);
    expect((await deps.store.getEscalation(e.escalationId))!).toMatchObject({ status: 'referred', referral: e.referral });
    expect(bus().events.filter((x) => x.detailType === 'EscalationReferred' && x.detail.escalationId === e.escalationId)).toHaveLength(1);
    // the partner's incident exists (refused): an engineer's retry would find it again, so it is refused with the ticket named
    await expect(retryOpening(deps, e.escalationId, 'eng')).rejects.toThrow(new ConflictError(`The escalation has partner ticket ${ticketId}.`));
  });
});

describe('thin events (refresh)', () => {
  it('reads the incident the event names from the partner and applies that; for an unknown ticket it neither calls the partner nor waits', async () => {
    const { escalation, ticketId } = await openEscalation();
    const reads: string[] = [];
    const incident: PartnerIncident = { id: ticketId, number: 'MS-2512010042', status: 'in_progress', partnerStatus: 'ACCEPTED', updatedAt: new Date(Date.UTC(2026, 10, 25, 10, 0, 5)).toISOString() };
    const connector = { getIncident: async (id: string) => { reads.push(id); return incident; } } as unknown as TicketingConnector;
    const withPartner: HubDeps = { ...deps, connectors: { ticketing: (p) => (p === 'acme-cloud' ? connector : undefined), collaboration: () => undefined, serviceHealth: () => undefined } };
    const thin: InboundUpdate = { ticketId, status: null, partnerStatus: 'note.created', updatedAt: '1970-01-01T00:00:00.000Z', refresh: true };

    expect(await applyPartnerUpdates(withPartner, { partnerId: 'acme-cloud', deliveryId: uid('d'), updates: [thin] })).toEqual(['applied']);
    expect(reads).toEqual([ticketId]);
    expect((await deps.store.getEscalation(escalation.escalationId))!).toMatchObject({ status: 'in_progress', partnerTicket: { id: ticketId, number: 'MS-2512010042' } });
    expect((await deps.store.getTimeline(escalation.escalationId)).filter((t) => t.type === 'partner_update').map((t) => t.detail.partnerStatus)).toEqual(['ACCEPTED']);

    // a request that is not the hub's (TSANet also sends the events of requests opened with the vendor): no partner call, and
    // the delivery is done with, not kept waiting for a ticket that will never be recorded
    const deferred: string[] = [];
    const watched: HubDeps = { ...withPartner, store: Object.assign(Object.create(deps.store) as typeof deps.store, {
      deferDelivery: async (_p: string, id: string) => { deferred.push(id); },
    }) };
    expect(await applyPartnerUpdates(watched, { partnerId: 'acme-cloud', deliveryId: 'thin-unknown', updates: [{ ...thin, ticketId: 'T-unknown' }] })).toEqual(['ticket_unknown']);
    expect(await applyPartnerUpdates(watched, { partnerId: 'acme-cloud', deliveryId: 'state-unknown', updates: [{ ...thin, ticketId: 'T-unknown', refresh: false }] })).toEqual(['ticket_unknown']);
    expect({ reads, deferred }).toEqual({ reads: [ticketId], deferred: ['state-unknown'] });
  });
});

describe('echoes', () => {
  it.each([
    ['an escalation that marks its comment texts (one read per echo check, however long its timeline)', true],
    ['an older escalation (its timeline is read)', undefined],
  ])('recognises the hub\'s own comment when the partner sends it back, and keeps the partner\'s own: %s', async (_name, commentTexts) => {
    const { escalation, ticketId } = await openEscalation(commentTexts ? { commentTexts } : {});
    const timelineReads = jest.spyOn(deps.store, 'getTimeline');
    await addComment(deps, escalation, 'Customer confirms   repro on firmware 4.1.0', 'eng-1');
    const at = new Date().toISOString();
    await deliver([{ ticketId, status: 'in_progress', partnerStatus: 'in_progress', updatedAt: at, comment: 'Customer confirms repro on firmware 4.1.0\n' }]);
    await deliver([{ ticketId, status: 'in_progress', partnerStatus: 'in_progress', updatedAt: at, comment: 'We found the relay bug' }]);
    const timeline = await deps.store.getTimeline(escalation.escalationId);
    expect(timeline.filter((t) => t.type === 'partner_comment').map((t) => t.detail.body)).toEqual(['We found the relay bug']);
    expect(timeline.filter((t) => t.type === 'partner_comment_echo')).toHaveLength(1);
    expect((await deps.store.getEscalation(escalation.escalationId))!.status).toBe('in_progress');
    expect(timelineReads).toHaveBeenCalledTimes(commentTexts ? 1 : 3); // the test's own read; the older one's two checks
    timelineReads.mockRestore();
  });
});
