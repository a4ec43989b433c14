import { parseHubConfig } from '../../core/config';
import { silentLog, type HubDeps } from '../../core/deps';
import type { Severity } from '../../core/escalation';
import { manualConnector } from '../../connectors/manual/connector';
import { applyPartnerUpdates } from '../../core/use-cases/apply-partner-updates';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { recordPartnerTicket } from '../../core/use-cases/record-partner-ticket';
import { sweep } from '../../core/use-cases/sweep';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, uid } from '../support/fixtures';

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
    connectors: { ticketing: () => manualConnector(config.partners[0]!), collaboration: () => undefined },
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
