/**
 * Taking desk deliveries in (core/use-cases/desk-events.ts takeDeskEvent) against dynalite: a delivery is
 * remembered only once its work is done, so a crash half-way never loses a flag; a desk's own event ids
 * (a Salesforce notification Id) dedupe across deliveries; the desk's expected answer comes back.
 */
import { silentLog, type HubDeps } from '../../core/deps';
import type { DeskConnector, DeskEvent, RawWebhook } from '../../core/ports';
import { takeDeskEvent } from '../../core/use-cases/desk-events';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { FakeClock, RecordingBus, RecordingQueue, testConfig } from '../support/fixtures';
import { useMemoryStore } from '../support/memory-store';

const db = useMemoryStore();

const flag = (caseId: string, eventId?: string): DeskEvent => ({
  kind: 'flag', caseId, flag: { customerId: 'cust-1', platform: 'acme', severity: 'high', summary: 'Rooms drop calls', findings: 'relay timeouts' },
  ...(eventId ? { eventId } : {}),
});

/** A desk whose deliveries carry the events `events` gives for the delivery id (the body). */
function harness(events: (deliveryId: string) => DeskEvent[], over: Partial<HubDeps['store']> = {}) {
  const desk: DeskConnector = {
    verifyEvent: (req) => ({ kind: 'ok', deliveryId: String(req.body) }),
    readEvents: (req) => events(String(req.body)),
    acknowledge: () => ({ contentType: 'text/xml', body: '<Ack>true</Ack>' }),
    writeBack: async () => {},
  };
  const bus = new RecordingBus();
  const queue = new RecordingQueue();
  let n = 0;
  const deps = {
    config: testConfig('http://127.0.0.1:1'), bus, queue, clock: new FakeClock(), log: silentLog, newId: () => `esc-${Date.now()}-${n++}`,
    // the store's own methods, some replaced (a dying process)
    store: Object.assign(Object.create(db.store) as DynamoEscalationStore, over),
    connectors: { ticketing: () => undefined, collaboration: () => undefined, serviceHealth: () => undefined, desk: (id: string) => (id === 'desk-1' ? desk : undefined) },
  } as unknown as Parameters<typeof takeDeskEvent>[0];
  const deliver = (deliveryId: string) => takeDeskEvent(deps, 'desk-1', { headers: {}, body: deliveryId, query: {} } satisfies RawWebhook);
  return { deps, bus, queue, deliver };
}

const requested = (bus: RecordingBus) => bus.events.filter((e) => e.detailType === 'EscalationRequested');

it('a process that dies after the delivery arrived and before the escalation is written loses nothing: the desk\'s retry flags the case', async () => {
  let dying = true;
  const dies = () => { throw new Error('the process died'); };
  const { bus, deliver } = harness(() => [flag('CASE-crash')], {
    // the first attempt dies in the write; a dead process forgets nothing either
    createEscalation: (...args: Parameters<DynamoEscalationStore['createEscalation']>) => (dying ? dies() : db.store.createEscalation(...args)),
    forgetDelivery: async () => dies(),
  });
  await expect(deliver('d-crash')).rejects.toThrow('the process died');
  dying = false;
  const retry = await deliver('d-crash');
  expect(retry.results).toEqual([{ status: 'flagged', escalationId: expect.any(String) }]);
  expect(requested(bus)).toHaveLength(1);
  // and once taken, the same delivery again is a duplicate, with the desk's answer
  expect(await deliver('d-crash')).toEqual({ results: [{ status: 'duplicate' }], acknowledge: { contentType: 'text/xml', body: '<Ack>true</Ack>' } });
});

it('a desk\'s own event id seen before is a duplicate in any later delivery; the other events of that delivery are taken', async () => {
  const { bus, deliver } = harness((d) => (d === 'om-1' ? [flag('CASE-n1', 'N1')] : [flag('CASE-n1', 'N1'), flag('CASE-n2', 'N2')]));
  expect((await deliver('om-1')).results).toEqual([{ status: 'flagged', escalationId: expect.any(String) }]);
  const second = await deliver('om-2');
  expect(second.results).toEqual([{ status: 'duplicate' }, { status: 'flagged', escalationId: expect.any(String) }]);
  expect(requested(bus).map((e) => e.detail.caseId)).toEqual(['CASE-n1', 'CASE-n2']);
});

it('an event that fails leaves its delivery unseen: the retry takes the failed event and skips the ones already taken', async () => {
  let failing = true;
  const { bus, deliver } = harness(() => [flag('CASE-p1', 'P1'), flag('CASE-p2', 'P2')], {
    createEscalation: (...args: Parameters<DynamoEscalationStore['createEscalation']>) => {
      if (failing && args[0].caseId === 'CASE-p2') throw new Error('throttled');
      return db.store.createEscalation(...args);
    },
  });
  await expect(deliver('om-p')).rejects.toThrow('throttled');
  failing = false;
  expect((await deliver('om-p')).results).toEqual([{ status: 'duplicate' }, { status: 'flagged', escalationId: expect.any(String) }]);
  expect(requested(bus).map((e) => e.detail.caseId)).toEqual(['CASE-p1', 'CASE-p2']);
});

it('a desk\'s subject or description longer than a flag takes is cut to fit, marked, instead of refusing the case', async () => {
  const long: DeskEvent = { kind: 'flag', caseId: 'CASE-long', flag: { customerId: 'cust-1', platform: 'acme', severity: 'high', summary: 'S'.repeat(255), findings: 'F'.repeat(32000) } };
  const { deliver } = harness(() => [long]);
  const [r] = (await deliver('d-long')).results;
  expect(r).toEqual({ status: 'flagged', escalationId: expect.any(String) });
  const e = await db.store.getEscalation((r as { escalationId: string }).escalationId);
  expect(e!.summary).toBe(`${'S'.repeat(199)}…`);
  const findings = (await db.store.getCaseDetails(e!))!.findings;
  expect(findings).toHaveLength(20000);
  expect(findings.endsWith("\n[cut by the hub: the desk's text is 32000 characters]")).toBe(true);
});
