/**
 * The poller's service-health half (core/use-cases/poll-service-health.ts) with the DynamoDB store on
 * dynalite: each source on its interval, only changed incidents written, events when the set changes,
 * resolved incidents kept (and expired) by their TTL, Retry-After waited out, and the list route's answer.
 */
import { silentLog, type HubDeps } from '../../core/deps';
import { PartnerCallError } from '../../core/errors';
import { KNOWN_INCIDENT_KEEP_DAYS } from '../../core/known-incidents';
import type { EscalationStore, KnownIncident, ServiceHealthConnector } from '../../core/ports';
import { listKnownIncidents } from '../../core/use-cases/list-known-incidents';
import { pollServiceHealth } from '../../core/use-cases/poll-service-health';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

/** A source whose active incidents the test sets, or whose next poll fails. */
class ScriptedSource implements ServiceHealthConnector {
  readonly source = 'statuspage';
  readonly pollIntervalSeconds = 300;
  active: KnownIncident[] = [];
  polls = 0;
  failure: PartnerCallError | undefined;
  async listActive() {
    this.polls++;
    if (this.failure) throw this.failure;
    return this.active;
  }
}

const incident = (id: string, over: Partial<KnownIncident> = {}): KnownIncident => ({
  source: 'statuspage', id, title: `Incident ${id}`, status: 'investigating', url: `https://status.example/incidents/${id}`,
  startedAt: '2026-11-25T09:00:00.000Z', services: ['Meetings'], ...over,
});

function setup() {
  const source = new ScriptedSource();
  const clock = new FakeClock();
  const bus = new RecordingBus();
  const store = new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE);
  const writes: string[] = [];
  const counted: EscalationStore = Object.assign(Object.create(store) as EscalationStore, {
    saveKnownIncident: (partnerId: string, i: KnownIncident, keepUntil?: Date) => { writes.push(i.id); return store.saveKnownIncident(partnerId, i, keepUntil); },
  });
  const partnerId = uid('p').toLowerCase();
  const deps: HubDeps = {
    config: testConfig('http://127.0.0.1:1', { id: partnerId }), store: counted, bus, queue: new RecordingQueue(), clock,
    connectors: { ticketing: () => undefined, collaboration: () => undefined, serviceHealth: () => source },
    newId: () => uid('x'), random: () => 0.5, log: silentLog,
  };
  return { source, clock, bus, deps, writes, partnerId, store };
}

it('polls on the interval, writes only what changed, and publishes started and resolved incidents', async () => {
  const { source, clock, bus, deps, writes, partnerId } = setup();
  source.active = [incident('a'), incident('b')];
  expect(await pollServiceHealth(deps)).toEqual({ [partnerId]: 2 });
  expect(bus.events.map((e) => [e.detailType, (e.detail as { incidentId: string }).incidentId])).toEqual([['KnownIncidentStarted', 'a'], ['KnownIncidentStarted', 'b']]);
  expect(writes).toEqual(['a', 'b']);

  expect(await pollServiceHealth(deps)).toEqual({}); // within the interval: the source is not asked
  expect(source.polls).toBe(1);

  clock.advance(300_000); // nothing changed: no incident written, no event
  expect(await pollServiceHealth(deps)).toEqual({ [partnerId]: 2 });
  expect(writes).toEqual(['a', 'b']);
  expect(bus.events).toHaveLength(2);

  clock.advance(300_000); // a changes status, b is gone
  source.active = [incident('a', { status: 'identified' })];
  await pollServiceHealth(deps);
  expect(writes).toEqual(['a', 'b', 'a', 'b']);
  expect(bus.events.slice(2)).toEqual([expect.objectContaining({
    detailType: 'KnownIncidentResolved',
    detail: expect.objectContaining({ partnerId, incidentId: 'b', resolvedAt: clock.now().toISOString(), services: ['Meetings'] }),
  })]);

  const listed = await listKnownIncidents(deps, partnerId);
  expect(listed).toEqual({ source: 'statuspage', polledAt: clock.now().toISOString(), items: [incident('a', { status: 'identified' })] });
  // the resolved one is kept for what follows a resolution, and gone after its time
  const known = await deps.store.getServiceHealth(partnerId, clock.now());
  expect(known.incidents.find((i) => i.id === 'b')).toMatchObject({ resolvedAt: clock.now().toISOString() });
  const later = new Date(clock.now().getTime() + (KNOWN_INCIDENT_KEEP_DAYS * 24 + 1) * 3600_000);
  expect((await deps.store.getServiceHealth(partnerId, later)).incidents.map((i) => i.id)).toEqual(['a']);

  clock.advance(300_000); // listed again after its resolution: started anew
  source.active = [incident('a', { status: 'identified' }), incident('b')];
  await pollServiceHealth(deps);
  expect(bus.events.at(-1)).toMatchObject({ detailType: 'KnownIncidentStarted', detail: { incidentId: 'b' } });
  expect((await listKnownIncidents(deps, partnerId)).items.map((i) => i.id).sort()).toEqual(['a', 'b']);
});

it('waits out a Retry-After (fractional seconds included) before asking again, and keeps what it knew', async () => {
  const { source, clock, deps, partnerId } = setup();
  source.active = [incident('a')];
  await pollServiceHealth(deps);
  clock.advance(300_000);
  source.failure = new PartnerCallError('list: HTTP 429 TooManyRequests', true, 429, 600_500);
  expect(await pollServiceHealth(deps)).toEqual({ [partnerId]: expect.stringMatching(/^failed: .*429/) });
  source.failure = undefined;
  clock.advance(600_000); // past the interval, not past Retry-After
  await pollServiceHealth(deps);
  expect(source.polls).toBe(2);
  clock.advance(1_000);
  await pollServiceHealth(deps);
  expect(source.polls).toBe(3);
  expect((await listKnownIncidents(deps, partnerId)).items.map((i) => i.id)).toEqual(['a']);
});

it('answers no source for a partner without one, and 404 for an unknown partner', async () => {
  const { deps, partnerId } = setup();
  const none = { ...deps, connectors: { ...deps.connectors, serviceHealth: () => undefined } };
  expect(await listKnownIncidents(none, partnerId)).toEqual({ items: [], source: null, polledAt: null });
  await expect(listKnownIncidents(deps, 'no-such-partner')).rejects.toMatchObject({ status: 404 });
});
