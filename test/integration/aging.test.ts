import { parseHubConfig } from '../../core/config';
import { silentLog, type HubDeps } from '../../core/deps';
import type { Severity } from '../../core/escalation';
import { manualConnector } from '../../connectors/manual/ticketing';
import { applyPartnerUpdates } from '../../core/use-cases/apply-partner-updates';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { recordPartnerTicket } from '../../core/use-cases/record-partner-ticket';
import { DELIVERY_TTL_SECONDS, type InboundMessage } from '../../core/use-cases/ingest-webhook';
import { DELIVERY_REDRIVE_MAX_DELAY_MS, deliveryRedriveDelayMs, sweep } from '../../core/use-cases/sweep';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, uid } from '../support/fixtures';
import { fullConnector } from '../support/connector-harness';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

const MIN = 60_000;

function setup() {
  // a partner of its own per test, so that other tests' due escalations do not count
  const id = uid('p').toLowerCase();
  const config = parseHubConfig({ partners: [{
    id, name: 'Microsoft', platforms: [id], connector: 'manual', baseUrl: 'https://partner.example', portalUrl: 'https://partner.example/support',
    thresholds: { ticketWithinMinutes: 240, partnerUpdateWithinMinutes: 1440 },
  }] }, {});
  // the sweep reads the whole index: start far in the future so every earlier test's items are past due and reported
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z') + Math.floor(Math.random() * 1e9));
  const bus = new RecordingBus();
  const deps: HubDeps = {
    config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE), bus, queue: new RecordingQueue(), clock,
    connectors: { ticketing: () => fullConnector(manualConnector, config.partners[0]!), collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
  };
  const flag = async (severity: Severity) => (await flagEscalation(deps, {
    caseId: uid('CASE'), customerId: 'acme', platform: id, severity, summary: 's', findings: 'f',
  }, 'eng')).escalation;
  const agedEvents = (escalationId: string) => bus.events.filter((e) => e.detailType === 'EscalationAged' && e.detail.escalationId === escalationId);
  return { deps, clock, flag, agedEvents, partnerId: id };
}

describe('aging thresholds', () => {
  it('reports a missing partner ticket once, at the severity-scaled time', async () => {
    const { deps, clock, flag, agedEvents } = setup();
    await sweep(deps); // earlier tests' leftovers
    const critical = await flag('critical'); // 240 min × 0.25 = 60 min
    const low = await flag('low'); // 240 min × 2 = 480 min
    clock.advance(59 * MIN);
    await sweep(deps);
    expect(agedEvents(critical.escalationId)).toHaveLength(0);
    clock.advance(2 * MIN);
    await sweep(deps);
    await sweep(deps);
    expect(agedEvents(critical.escalationId)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ threshold: 'ticketWithinMinutes', severity: 'critical' }) })]);
    expect(agedEvents(low.escalationId)).toHaveLength(0);
    clock.advance(420 * MIN);
    await sweep(deps);
    expect(agedEvents(low.escalationId)).toHaveLength(1);
    expect((await deps.store.getTimeline(critical.escalationId)).filter((t) => t.type === 'escalation_aged')).toHaveLength(1);
  });

  it('reports an unanswered request at the partner\'s own respondBy when that comes before the threshold (TSANet)', async () => {
    const { deps, clock, flag, agedEvents, partnerId } = setup();
    const esc = await flag('medium'); // silent partner: 1440 min
    await recordPartnerTicket(deps, esc.escalationId, { number: 'REQ-1' }, 'eng');
    const respondBy = new Date(clock.now().getTime() + 240 * MIN).toISOString();
    await applyPartnerUpdates(deps, { partnerId, deliveryId: uid('d'), updates: [{ ticketId: 'REQ-1', status: 'open', partnerStatus: 'OPEN', updatedAt: clock.now().toISOString(), respondBy }] });
    expect((await deps.store.getEscalation(esc.escalationId))!.updateDueBy).toBe(respondBy);
    clock.advance(239 * MIN);
    await sweep(deps);
    expect(agedEvents(esc.escalationId)).toHaveLength(0);
    clock.advance(2 * MIN);
    await sweep(deps);
    expect(agedEvents(esc.escalationId).map((e) => e.detail)).toEqual([expect.objectContaining({ threshold: 'partnerUpdateWithinMinutes', deadline: respondBy })]);
    // the partner answers (no respondBy any more): the hub's own threshold counts again from then
    await applyPartnerUpdates(deps, { partnerId, deliveryId: uid('d'), updates: [{ ticketId: 'REQ-1', status: 'in_progress', partnerStatus: 'ACCEPTED', updatedAt: clock.now().toISOString() }] });
    expect((await deps.store.getEscalation(esc.escalationId))!.updateDueBy).toBe(new Date(clock.now().getTime() + 1440 * MIN).toISOString());
  });

  it('reports a silent partner once per quiet period, counting again from each partner update', async () => {
    const { deps, clock, flag, agedEvents, partnerId } = setup();
    const esc = await flag('medium'); // 1440 min × 1
    await recordPartnerTicket(deps, esc.escalationId, { number: 'SR-1' }, 'eng');
    clock.advance(1441 * MIN);
    await sweep(deps);
    await sweep(deps);
    expect(agedEvents(esc.escalationId).map((e) => e.detail)).toEqual([expect.objectContaining({ threshold: 'partnerUpdateWithinMinutes' })]);
    // the partner speaks: a new quiet period starts
    await applyPartnerUpdates(deps, { partnerId, deliveryId: uid('d'), updates: [{ ticketId: 'SR-1', status: 'in_progress', partnerStatus: 'In progress', updatedAt: clock.now().toISOString() }] });
    clock.advance(1000 * MIN);
    await sweep(deps);
    expect(agedEvents(esc.escalationId)).toHaveLength(1);
    clock.advance(441 * MIN);
    await sweep(deps);
    expect(agedEvents(esc.escalationId)).toHaveLength(2);
  });

  it('stops watching an escalation once it is resolved', async () => {
    const { deps, clock, flag, agedEvents, partnerId } = setup();
    const esc = await flag('high');
    await recordPartnerTicket(deps, esc.escalationId, { number: 'SR-2' }, 'eng');
    await applyPartnerUpdates(deps, { partnerId, deliveryId: uid('d'), updates: [{ ticketId: 'SR-2', status: 'resolved', partnerStatus: 'Resolved', updatedAt: clock.now().toISOString() }] });
    clock.advance(10_000 * MIN);
    await sweep(deps);
    expect(agedEvents(esc.escalationId)).toHaveLength(0);
    const due = await deps.store.listDue(clock.now(), 10_000);
    expect(due.some((d) => d.kind === 'escalation' && d.escalationId === esc.escalationId)).toBe(false);
  });
});

describe('stored webhook deliveries the sweep drives again', () => {
  const SEC = 1000;

  it('waits twice as long after every re-drive, up to 15 minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map(deliveryRedriveDelayMs)).toEqual([15, 30, 60, 120, 240, 480, 900, 900, 900].map((s) => s * SEC));
    expect(DELIVERY_REDRIVE_MAX_DELAY_MS).toBe(900 * SEC);
  });

  it('re-enqueues a delivery not applied in time with growing gaps, and never once it is applied', async () => {
    // the update names a ticket the hub does not know: status sync keeps it waiting each time it is sent
    const { deps, clock, partnerId } = setup();
    await sweep(deps); // earlier tests' leftovers
    const queue = deps.queue as RecordingQueue;
    const deliveryId = uid('msg');
    const update = [{ ticketId: 'T-1', status: 'in_progress', partnerStatus: 'Work in progress', updatedAt: clock.now().toISOString() }];
    expect(await deps.store.markDeliverySeen(partnerId, deliveryId, update, clock.now(), DELIVERY_TTL_SECONDS)).toBe(true);
    const sent = () => queue.messages.filter((m) => m.queue === 'inbound' && (m.body as { deliveryId: string }).deliveryId === deliveryId);

    // stored at t0, due at t0 + 15 s; then looked at again after 15, 30, 60 s
    const redrivenAt: number[] = [];
    let t = 0;
    for (const step of [14, 1, 14, 1, 29, 1, 59, 1]) {
      clock.advance(step * SEC);
      t += step;
      const before = sent().length;
      await sweep(deps);
      if (sent().length > before) {
        redrivenAt.push(t);
        expect(await applyPartnerUpdates(deps, sent().at(-1)!.body as InboundMessage)).toEqual(['ticket_unknown']);
      }
    }
    expect(redrivenAt).toEqual([15, 30, 60, 120]);
    expect(sent().map((m) => m.body)).toEqual([1, 2, 3, 4].map((redrive) => ({ partnerId, deliveryId, updates: update, redrive })));

    // status sync applies it: the sweep never sends it again, and the backoff does not bring it back
    await deps.store.markDeliveryApplied(partnerId, deliveryId);
    clock.advance(DELIVERY_REDRIVE_MAX_DELAY_MS);
    await sweep(deps);
    expect(sent()).toHaveLength(4);
    await deps.store.deferDelivery(partnerId, deliveryId, clock.now(), 9);
    clock.advance(DELIVERY_REDRIVE_MAX_DELAY_MS);
    await sweep(deps);
    expect(sent()).toHaveLength(4);
  });
});
