import { silentLog, type HubDeps } from '../../core/deps';
import { PartnerCallError, ValidationError } from '../../core/errors';
import type { OpenIncidentInput, PartnerIncident, TicketingConnector } from '../../core/ports';
import { ATTEMPT_LEASE_MS, openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { sweep } from '../../core/use-cases/sweep';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { REDRIVE_GRACE_MS } from '../../core/escalation';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';

/** A partner whose behaviour each test scripts; it keeps incidents by externalRef like a real one. */
class ScriptedPartner implements TicketingConnector {
  readonly incidents = new Map<string, PartnerIncident>();
  readonly calls: string[] = [];
  /** Ticket ids are unique to this partner instance: the tests share one table, and a link is never moved. */
  readonly idPrefix = uid('T');
  /** Runs after the incident exists at the partner: a throw here models a lost answer. */
  onOpen: ((input: OpenIncidentInput) => void) | undefined;
  /** Runs before anything is created: a throw here models a refusal or a 429. */
  beforeOpen: (() => void) | undefined;
  /** Runs after the find has looked (its answer is already decided): a slow answer. */
  onFind: (() => Promise<void>) | undefined;
  /** Incidents created (a create the partner accepted; `incidents` keeps one per externalRef). */
  created = 0;
  async openIncident(input: OpenIncidentInput) {
    this.calls.push('open');
    this.beforeOpen?.();
    this.created++;
    const inc: PartnerIncident = { id: `${this.idPrefix}-${this.incidents.size + 1}`, number: `P-${this.incidents.size + 1}`, status: 'open', partnerStatus: 'new', updatedAt: new Date().toISOString() };
    this.incidents.set(input.externalRef, inc);
    this.onOpen?.(input);
    return inc;
  }
  async findByExternalRef(ref: string) {
    this.calls.push('find');
    const found = this.incidents.get(ref);
    await this.onFind?.();
    return found;
  }
  async getIncident(): Promise<PartnerIncident> { throw new Error('not used'); }
  async addComment() {}
  verifyWebhook() { return { kind: 'rejected' as const, reason: 'not used' }; }
  parseWebhook() { return []; }
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

/** @param partnerOver the partner profile's fields over testConfig's */
function setup(partnerOver: Record<string, unknown> = {}) {
  const measured: string[] = [];
  const partner = new ScriptedPartner();
  const clock = new FakeClock(Date.now());
  const deps: HubDeps = {
    config: testConfig('http://127.0.0.1:1', partnerOver),
    store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: new RecordingBus(), queue: new RecordingQueue(), clock,
    connectors: { ticketing: () => partner, collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
    metrics: {
      count: (name: string, partnerId: string) => { measured.push(`${name}:${partnerId}`); },
      partnerLatency: (partnerId: string, operation: string, _ms: number, ok: boolean) => { measured.push(`latency:${partnerId}:${operation}:${ok ? 'ok' : 'error'}`); },
    },
  };
  const flag = async () => (await flagEscalation(deps, {
    caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'the findings',
  }, 'eng-1')).escalation;
  return { partner, clock, deps, flag, queue: deps.queue as RecordingQueue, measured };
}

describe('opening a partner incident', () => {
  it('after an attempt whose answer was lost, finds the incident instead of creating a second one', async () => {
    const { partner, deps, clock, flag, queue, measured } = setup();
    const esc = await flag();
    partner.onOpen = () => { throw new PartnerCallError('open incident: ETIMEDOUT', true); };
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('retry_scheduled');
    expect(queue.messages.at(-1)).toMatchObject({ queue: 'partner-work-acme-cloud', body: { escalationId: esc.escalationId } });
    partner.onOpen = undefined;
    clock.advance(queue.messages.at(-1)!.delayMs!);
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    expect(partner.calls).toEqual(['open', 'find']);
    expect(partner.incidents.size).toBe(1);
    expect(measured).toEqual([
      'latency:acme-cloud:open:error', 'PartnerCallErrors:acme-cloud', 'latency:acme-cloud:find:ok', 'EscalationsOpened:acme-cloud',
    ]);
    const opened = await deps.store.getEscalation(esc.escalationId);
    expect(opened).toMatchObject({ status: 'open', partnerTicket: { number: 'P-1' }, attempts: 2 });
    expect(await deps.store.findByTicket('acme-cloud', `${partner.idPrefix}-1`)).toBe(esc.escalationId);
  });

  it('refers with the partner\'s reason when the incident it finds (after a lost answer) was refused meanwhile; aging follows its respondBy', async () => {
    const { partner, deps, clock, flag, queue } = setup();
    const esc = await flag();
    const respondBy = new Date(clock.now().getTime() + 60_000).toISOString();
    partner.onOpen = (input) => {
      const inc = partner.incidents.get(input.externalRef)!;
      partner.incidents.set(input.externalRef, { ...inc, respondBy });
      throw new PartnerCallError('open incident: ETIMEDOUT', true);
    };
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('retry_scheduled');
    partner.onOpen = undefined;
    clock.advance(queue.messages.at(-1)!.delayMs!);
    // still unanswered when found: the escalation is aged at the partner's respondBy
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ status: 'open', updateDueBy: respondBy });

    const other = await flag();
    partner.onOpen = (input) => {
      partner.incidents.set(input.externalRef, { ...partner.incidents.get(input.externalRef)!, status: 'closed', partnerStatus: 'REJECTED', refusal: 'No support contract', updatedAt: clock.now().toISOString() });
      throw new PartnerCallError('open incident: ETIMEDOUT', true);
    };
    expect(await openPartnerIncident(deps, other.escalationId)).toBe('retry_scheduled');
    partner.onOpen = undefined;
    clock.advance(queue.messages.at(-1)!.delayMs!);
    const published = (deps.bus as RecordingBus).events.length;
    expect(await openPartnerIncident(deps, other.escalationId)).toBe('opened');
    const e = (await deps.store.getEscalation(other.escalationId))!;
    expect(e).toMatchObject({ status: 'referred', referral: { reason: 'No support contract' }, partnerTicket: { id: expect.any(String) } });
    expect((deps.bus as RecordingBus).events.slice(published).map((x) => x.detailType)).toEqual(['PartnerIncidentOpened', 'EscalationReferred']);
    expect((await deps.store.getTimeline(e.escalationId)).filter((t) => t.type === 'escalation_referred').map((t) => [t.actor, t.detail.reason])).toEqual([['partner:acme-cloud', 'No support contract']]);
  });

  it('makes no create once its lease has run out (a later attempt holds it): the attempt count fences it', async () => {
    const { partner, deps, clock, flag, queue } = setup();
    const esc = await flag();
    partner.beforeOpen = () => { throw new PartnerCallError('open incident: HTTP 503', true, 503); };
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('retry_scheduled');
    partner.beforeOpen = undefined;
    clock.advance(queue.messages.at(-1)!.delayMs!);
    // attempt 2's find answers "none" so late that its lease has run out; attempt 3 meanwhile opens the incident
    let third: string | undefined;
    partner.onFind = async () => {
      partner.onFind = undefined;
      clock.advance(ATTEMPT_LEASE_MS);
      third = await openPartnerIncident(deps, esc.escalationId);
    };
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('skipped');
    expect(third).toBe('opened');
    expect(partner.created).toBe(1);
    expect(await deps.store.getEscalation(esc.escalationId)).toMatchObject({ status: 'open', attempts: 3, leaseUntil: null });
  });

  it('renews its lease before a partner call the lease would not outlast', async () => {
    const { partner, deps, clock, flag } = setup();
    const esc = await flag();
    // a slow store (or a long find) has used up most of the lease before the create
    partner.beforeOpen = () => {};
    const claimedAt = clock.now().getTime();
    const renewals: string[] = [];
    const renew = deps.store.renewAttempt.bind(deps.store);
    deps.store.renewAttempt = async (...args) => { renewals.push(args[3].toISOString()); return renew(...args); };
    const getDetails = deps.store.getCaseDetails.bind(deps.store);
    deps.store.getCaseDetails = async (e) => { clock.advance(ATTEMPT_LEASE_MS - 1000); return getDetails(e); };
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    expect(renewals).toEqual([new Date(claimedAt + ATTEMPT_LEASE_MS - 1000 + 10_000 + 5_000).toISOString()]);
    expect(partner.created).toBe(1);
  });

  it('skips a message that arrives while another attempt holds the lease, or before the next attempt is due', async () => {
    const { deps, clock, flag, partner } = setup();
    const esc = await flag();
    const current = (await deps.store.getEscalation(esc.escalationId))!;
    await deps.store.saveEscalation({ ...current, leaseUntil: new Date(clock.now().getTime() + 1000).toISOString(), version: current.version + 1 });
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('skipped');
    clock.advance(2000);
    const leased = (await deps.store.getEscalation(esc.escalationId))!;
    await deps.store.saveEscalation({ ...leased, leaseUntil: null, nextAttemptAt: new Date(clock.now().getTime() + 5000).toISOString(), version: leased.version + 1 });
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('skipped');
    expect(partner.calls).toEqual([]);
  });

  it('is driven again by the sweep when a worker died mid-attempt, and does not duplicate', async () => {
    const { partner, deps, clock, flag, queue } = setup();
    const esc = await flag();
    // the worker created the incident, then died before saving it: the lease stays, nothing else
    partner.onOpen = () => { throw new Error('process killed'); };
    await expect(openPartnerIncident(deps, esc.escalationId)).rejects.toThrow('process killed');
    partner.onOpen = undefined;
    expect(await sweep(deps)).toEqual({ escalations: 0, aged: 0, deliveries: 0, comments: 0 });
    // the lease left the open-work entry at "created + grace": past it, the sweep finds the escalation but
    // sees the lease still held, and leaves it alone
    clock.advance(REDRIVE_GRACE_MS + 1);
    expect((await deps.store.listDue(clock.now(), 1000)).some((d) => d.kind === 'escalation' && d.escalationId === esc.escalationId)).toBe(true);
    expect(await sweep(deps)).toEqual({ escalations: 0, aged: 0, deliveries: 0, comments: 0 });
    clock.advance(ATTEMPT_LEASE_MS);
    expect((await sweep(deps)).escalations).toBeGreaterThanOrEqual(1);
    expect(queue.messages.some((m) => (m.body as { escalationId: string }).escalationId === esc.escalationId)).toBe(true);
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    expect(partner.incidents.size).toBe(1);
    expect(partner.calls).toEqual(['open', 'find']);
  });

  it('refers at once on a refusal, and after the last transient failure', async () => {
    const { partner, deps, clock, flag } = setup();
    const refused = await flag();
    // (a 401/403 is the hub's own credentials, not a refusal: test/integration/engineer-flows.test.ts)
    partner.beforeOpen = () => { throw new PartnerCallError('open incident: HTTP 422 unprocessable', false, 422); };
    expect(await openPartnerIncident(deps, refused.escalationId)).toBe('referred');
    expect(await deps.store.getEscalation(refused.escalationId)).toMatchObject({ status: 'referred', referral: { reason: expect.stringContaining('HTTP 422') } });

    const flaky = await flag();
    partner.beforeOpen = () => { throw new PartnerCallError('open incident: HTTP 429', true, 429, 7000); };
    expect(await openPartnerIncident(deps, flaky.escalationId)).toBe('retry_scheduled');
    const after1 = (await deps.store.getEscalation(flaky.escalationId))!;
    // Retry-After wins over the (smaller) backoff
    expect(Date.parse(after1.nextAttemptAt!) - clock.now().getTime()).toBe(7000);
    for (let i = 0; i < 2; i++) {
      clock.advance(10_000);
      await openPartnerIncident(deps, flaky.escalationId);
    }
    expect(await deps.store.getEscalation(flaky.escalationId)).toMatchObject({ status: 'referred', attempts: 3 });
    expect(partner.incidents.size).toBe(0);
  });
});

describe('at the customer\'s request, with the customer\'s entitlement', () => {
  const customerRequest = { at: '2026-11-25T09:40:00.000Z', by: 'Ana (acme IT)', channel: 'phone' as const };
  const request = () => ({ caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high' as const, summary: 's', findings: 'the findings' });
  const refusal = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e as ValidationError);

  it('refuses a flag without a field the partner requires, naming each missing one, and creates nothing', async () => {
    const { deps } = setup({ requires: ['customerRequest', 'partnerEntitlement'] });
    const bare = request();
    const neither = await refusal(flagEscalation(deps, bare, 'eng-1'));
    expect(neither).toBeInstanceOf(ValidationError);
    expect(neither.code).toBe('validation_failed');
    expect(neither.details?.map((d) => d.path)).toEqual(['customerRequest', 'partnerEntitlement']);
    const withoutEntitlement = await refusal(flagEscalation(deps, { ...bare, customerRequest }, 'eng-1'));
    expect(withoutEntitlement.details).toEqual([{ path: 'partnerEntitlement', message: 'is required by partner "acme-cloud"' }]);
    expect(await deps.store.listByCase(bare.caseId)).toEqual([]);
  });

  it('records both in the escalation_requested entry and hands them to the connector when opening', async () => {
    const { deps, partner } = setup({ requires: ['partnerEntitlement'] });
    const opened: OpenIncidentInput[] = [];
    partner.onOpen = (input) => { opened.push(input); };
    const { escalation } = await flagEscalation(deps, { ...request(), customerRequest, partnerEntitlement: 'PREMIER-4711' }, 'eng-1');
    expect(await openPartnerIncident(deps, escalation.escalationId)).toBe('opened');
    expect(opened).toEqual([expect.objectContaining({ customerRequest, partnerEntitlement: 'PREMIER-4711', caseId: escalation.caseId })]);
    const requested = (await deps.store.getTimeline(escalation.escalationId)).find((t) => t.type === 'escalation_requested');
    expect(requested?.detail).toEqual({ partnerId: 'acme-cloud', severity: 'high', customerRequest, partnerEntitlement: 'PREMIER-4711' });
  });

  it('without them (and no requires), the entry and the connector\'s input are as before', async () => {
    const { deps, partner } = setup();
    const opened: OpenIncidentInput[] = [];
    partner.onOpen = (input) => { opened.push(input); };
    const { escalation } = await flagEscalation(deps, request(), 'eng-1');
    expect(await openPartnerIncident(deps, escalation.escalationId)).toBe('opened');
    expect(Object.keys(opened[0]!).sort()).toEqual(['caseId', 'customerId', 'description', 'externalRef', 'severity', 'title']);
    const requested = (await deps.store.getTimeline(escalation.escalationId)).find((t) => t.type === 'escalation_requested');
    expect(requested?.detail).toEqual({ partnerId: 'acme-cloud', severity: 'high' });
  });
});
