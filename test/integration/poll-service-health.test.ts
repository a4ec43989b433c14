/**
 * The poller's service-health half (core/use-cases/poll-service-health.ts) with the DynamoDB store on
 * dynalite: each source on its interval, only changed incidents written, events when the set changes,
 * resolved incidents kept (and expired) by their TTL, Retry-After waited out, and the list route's answer;
 * and the correlation with escalations: suggested when flagged and while open, kept up to date, a
 * confirmed one's resolution announced, ended escalations no longer watched, a failed correlation finished
 * by the next poll.
 */
import { silentLog, type HubDeps } from '../../core/deps';
import { PartnerCallError } from '../../core/errors';
import { KNOWN_INCIDENT_KEEP_DAYS } from '../../core/known-incidents';
import type { EscalationStore, KnownIncident, ServiceHealthConnector } from '../../core/ports';
import { listKnownIncidents } from '../../core/use-cases/list-known-incidents';
import { pollServiceHealth } from '../../core/use-cases/poll-service-health';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { decideKnownIncident } from '../../core/use-cases/known-incident-matches';
import { mutateEscalation } from '../../core/use-cases/mutate-escalation';
import { retryOpening } from '../../core/use-cases/retry-opening';
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
    // `+`: written again once its change reached the partner's open escalations
    saveKnownIncident: (partnerId: string, i: KnownIncident, keepUntil?: Date, opts?: { correlated?: boolean }) => {
      writes.push(`${i.id}${opts?.correlated ? '+' : ''}`);
      return store.saveKnownIncident(partnerId, i, keepUntil, opts);
    },
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
  expect(writes).toEqual(['a', 'b', 'a+', 'b+']);

  expect(await pollServiceHealth(deps)).toEqual({}); // within the interval: the source is not asked
  expect(source.polls).toBe(1);

  clock.advance(300_000); // nothing changed: no incident written, no event
  expect(await pollServiceHealth(deps)).toEqual({ [partnerId]: 2 });
  expect(writes).toEqual(['a', 'b', 'a+', 'b+']);
  expect(bus.events).toHaveLength(2);

  clock.advance(300_000); // a changes status, b is gone
  source.active = [incident('a', { status: 'identified' })];
  await pollServiceHealth(deps);
  expect(writes.slice(4)).toEqual(['a', 'b', 'a+', 'b+']);
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

describe('known incidents on the partner\'s open escalations', () => {
  const flag = async (deps: HubDeps, partnerId: string) =>
    (await flagEscalation(deps, { caseId: uid('CASE'), customerId: 'acme', partnerId, severity: 'high', summary: 's', findings: 'f' }, 'eng-1')).escalation;
  const attached = async (deps: HubDeps, escalationId: string) =>
    ((await deps.store.getEscalation(escalationId))!.knownIncidents ?? []).map((i) => `${i.id}:${i.match}:${i.status}${i.resolvedAt ? ':resolved' : ''}`);

  it('suggests the active ones at flagging and new ones at the next poll, keeps them up to date, and announces a confirmed one\'s resolution', async () => {
    const { source, clock, bus, deps, partnerId } = setup();
    source.active = [incident('a')];
    await pollServiceHealth(deps);
    const esc = await flag(deps, partnerId);
    expect(esc.knownIncidents!.map((i) => [i.id, i.match])).toEqual([['a', 'suggested']]); // in the flag's own answer
    const ended = await flag(deps, partnerId);
    await mutateEscalation(deps.store, ended.escalationId, (e) => ({ ...e, status: 'cancelled' }), clock.now());

    clock.advance(300_000);
    source.active = [incident('a', { status: 'identified' }), incident('b')];
    await pollServiceHealth(deps);
    expect(await attached(deps, esc.escalationId)).toEqual(['a:suggested:identified', 'b:suggested:investigating']);
    expect(await attached(deps, ended.escalationId)).toEqual(['a:suggested:investigating']); // ended: left as it was
    expect(await deps.store.listKnownIncidentWatchers(partnerId)).toEqual([esc.escalationId]); // and no longer watching

    clock.advance(1_000);
    bus.events.length = 0;
    await decideKnownIncident(deps, esc.escalationId, 'a', 'confirmed', 'eng-2');
    await decideKnownIncident(deps, esc.escalationId, 'a', 'confirmed', 'eng-2'); // the same again: no change, no event
    clock.advance(1_000);
    await decideKnownIncident(deps, esc.escalationId, 'b', 'dismissed', 'eng-2');
    // a confirmation is the escalation's event (a desk case hears of it); a dismissal is not
    expect(bus.events.map((e) => [e.detailType, e.detail])).toEqual([['KnownIncidentConfirmed', {
      version: 1, escalationId: esc.escalationId, partnerId, caseId: esc.caseId, source: 'statuspage', incidentId: 'a', title: 'Incident a',
      status: 'identified', url: incident('a').url, startedAt: incident('a').startedAt,
    }]]);
    await expect(decideKnownIncident(deps, esc.escalationId, 'zz', 'confirmed', 'eng-2')).rejects.toMatchObject({ status: 404 });
    clock.advance(300_000);
    source.active = [];
    bus.events.length = 0;
    await pollServiceHealth(deps);
    expect(await attached(deps, esc.escalationId)).toEqual(['a:confirmed:identified:resolved', 'b:dismissed:investigating:resolved']);
    expect(bus.events.filter((e) => e.detailType === 'ConfirmedIncidentResolved').map((e) => e.detail)).toEqual([{
      version: 1, escalationId: esc.escalationId, partnerId, caseId: esc.caseId, source: 'statuspage', incidentId: 'a', title: 'Incident a',
      status: 'identified', url: incident('a').url, startedAt: incident('a').startedAt, resolvedAt: clock.now().toISOString(),
    }]);
    const timeline = (await deps.store.getTimeline(esc.escalationId)).filter((t) => t.type.startsWith('known_incident_'));
    expect(timeline.map((t) => `${t.type}:${String(t.detail.incidentId)}:${t.actor}`)).toEqual([
      `known_incident_suggested:a:partner:${partnerId}`, `known_incident_suggested:b:partner:${partnerId}`,
      'known_incident_confirmed:a:eng-2', 'known_incident_dismissed:b:eng-2', `known_incident_resolved:a:partner:${partnerId}`,
    ]);
  });

  it('a referred escalation stops watching, and watches again (with what is active then) once retried', async () => {
    const { source, clock, deps, partnerId } = setup();
    const esc = await flag(deps, partnerId);
    await mutateEscalation(deps.store, esc.escalationId, (e) => ({ ...e, status: 'referred', referral: { reason: 'r', instructions: 'i' } }), clock.now());
    source.active = [incident('d')];
    await pollServiceHealth(deps);
    expect(await deps.store.listKnownIncidentWatchers(partnerId)).toEqual([]);
    expect(await attached(deps, esc.escalationId)).toEqual([]);

    const retried = await retryOpening(deps, esc.escalationId, 'eng-1');
    expect(retried.knownIncidents!.map((i) => i.id)).toEqual(['d']);
    expect(await deps.store.listKnownIncidentWatchers(partnerId)).toEqual([esc.escalationId]);
  });

  it('a poll that could not reach the escalations leaves its changes for the next poll', async () => {
    const { source, clock, deps, partnerId, store } = setup();
    const esc = await flag(deps, partnerId);
    let failures = 1;
    const flaky = Object.assign(Object.create(deps.store) as EscalationStore, {
      listKnownIncidentWatchers: (p: string) => (failures-- > 0 ? Promise.reject(new Error('throttled')) : store.listKnownIncidentWatchers(p)),
    });
    source.active = [incident('c')];
    await pollServiceHealth({ ...deps, store: flaky });
    expect(await attached(deps, esc.escalationId)).toEqual([]);
    expect((await store.getServiceHealth(partnerId, clock.now())).uncorrelated).toEqual(['c']);

    clock.advance(300_000); // nothing changed at the source, but the incident was never brought to the escalation
    await pollServiceHealth({ ...deps, store: flaky });
    expect(await attached(deps, esc.escalationId)).toEqual(['c:suggested:investigating']);
    expect((await store.getServiceHealth(partnerId, clock.now())).uncorrelated).toEqual([]);
  });
});
