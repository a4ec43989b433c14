/**
 * Issue 12, items 10–15 ("Customers and engineers"), at the use cases and the API handler, on dynalite:
 * 10. another customer's case and an unknown case cost the customer routes the same store work;
 * 11. the same caseId flagged for another customer is 409 (naming caseId), never the other's escalation;
 * 12. cancelled and closed escalations take no comments and no joint calls (409);
 * 13. a partner's 401/403 is the hub's own problem: no referral, a problem, backoff, the alarm metric, aging;
 * 14. a referred escalation can try again: the same escalation and externalRef, no second incident;
 * 15. a manual partner's status is recorded by an engineer, and comments say where they went.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { manualConnector } from '../../connectors/manual/ticketing';
import { parseHubConfig } from '../../core/config';
import { silentLog, type HubDeps } from '../../core/deps';
import { ConflictError, PartnerCallError } from '../../core/errors';
import type { CollaborationConnector, OpenIncidentInput, PartnerIncident, TicketingConnector } from '../../core/ports';
import { addComment, forwardComments } from '../../core/use-cases/comments';
import { cancelEscalation } from '../../core/use-cases/cancel-escalation';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { scheduleJointCall } from '../../core/use-cases/joint-calls';
import { recordManualPartnerStatus } from '../../core/use-cases/manual-partner-status';
import { openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { pollPartners } from '../../core/use-cases/poll-partners';
import { recordPartnerTicket } from '../../core/use-cases/record-partner-ticket';
import { retryOpening } from '../../core/use-cases/retry-opening';
import { sweep } from '../../core/use-cases/sweep';
import { applyPartnerUpdates } from '../../core/use-cases/apply-partner-updates';
import { makeApiHandler } from '../../functions/api';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import type { HttpEvent } from '../../functions/http';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, uid } from '../support/fixtures';
import { fullConnector } from '../support/connector-harness';

/** A partner API whose answers each test scripts; it keeps incidents by externalRef like a real one. */
class ScriptedPartner implements TicketingConnector {
  /** Ticket ids unique across tests: one table holds them all, and a ticket id is never linked twice. */
  readonly idPrefix = uid('T');
  readonly mode = 'api' as const;
  readonly incidents = new Map<string, PartnerIncident>();
  readonly calls: string[] = [];
  /** Thrown by every call while set (e.g. a 401 for a wrong token). */
  refuse: PartnerCallError | undefined;
  readonly comments: string[] = [];
  async openIncident(input: OpenIncidentInput) {
    this.calls.push('open');
    if (this.refuse) throw this.refuse;
    const inc: PartnerIncident = { id: `${this.idPrefix}-${this.incidents.size + 1}`, number: `P-${this.incidents.size + 1}`, status: 'open', partnerStatus: 'new', updatedAt: new Date().toISOString() };
    this.incidents.set(input.externalRef, inc);
    return inc;
  }
  async findByExternalRef(ref: string) { this.calls.push('find'); if (this.refuse) throw this.refuse; return this.incidents.get(ref); }
  async getIncident(): Promise<PartnerIncident> { throw new Error('not used'); }
  async addComment(_id: string, body: string) { this.calls.push('comment'); if (this.refuse) throw this.refuse; this.comments.push(body); }
  async listUpdatedSince() { this.calls.push('poll'); if (this.refuse) throw this.refuse; return { incidents: [], cursor: 'c' }; }
  verifyWebhook() { return { kind: 'rejected' as const, reason: 'not used' }; }
  parseWebhook() { return []; }
}

const meetings: CollaborationConnector = {
  provider: 'teams',
  scheduleJointCall: async (req) => ({ provider: 'teams', meetingId: `m-${req.externalId}`, joinUrl: `https://teams.example/join/${req.externalId}` }),
  verifyWebhook: () => ({ kind: 'rejected', reason: 'not used' }),
  parseWebhook: () => [],
};

/** Counts every DynamoDB command the store sends, by kind: the store's work, not its timing. */
function countingClient(inner: DynamoDBDocumentClient) {
  const ops: string[] = [];
  const client = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'send') return (command: { constructor: { name: string } }) => { ops.push(command.constructor.name); return target.send(command as never); };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { client, ops };
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

function setup() {
  const config = parseHubConfig({ partners: [
    {
      id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: 'http://127.0.0.1:1',
      credentials: { token: 't' }, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      thresholds: { ticketWithinMinutes: 60, partnerUpdateWithinMinutes: 1440 },
    },
    { id: 'portal-only', name: 'Portal Partner', platforms: ['portal'], connector: 'manual', baseUrl: 'https://portal.example', portalUrl: 'https://portal.example/support' },
  ] }, {});
  const partner = new ScriptedPartner();
  const manual = fullConnector(manualConnector, config.partners[1]!);
  const counting = countingClient(documentClient(dynamo.client));
  const measured: string[] = [];
  const deps: HubDeps = {
    config,
    store: new DynamoEscalationStore(counting.client, LOCAL_TABLE),
    bus: new RecordingBus(), queue: new RecordingQueue(), clock: new FakeClock(Date.now()),
    connectors: { ticketing: (id) => (id === 'portal-only' ? manual : id === 'acme-cloud' ? partner : undefined), collaboration: () => meetings, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
    metrics: { count: (name, partnerId) => { measured.push(`${name}:${partnerId}`); }, partnerLatency: () => {} },
  };
  const flag = async (over: Partial<{ caseId: string; customerId: string; platform: string }> = {}) => (await flagEscalation(deps, {
    caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Calls drop', findings: 'the findings', ...over,
  }, 'eng-1')).escalation;
  const clock = deps.clock as FakeClock;
  return { deps, partner, flag, clock, ops: counting.ops, measured, queue: deps.queue as RecordingQueue, bus: deps.bus as RecordingBus };
}

const apiEvent = (routeKey: string, pathParameters: Record<string, string>, claims: Record<string, string>, body?: unknown): HttpEvent => ({
  routeKey, rawPath: '', pathParameters, headers: {}, isBase64Encoded: false,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  requestContext: { authorizer: { jwt: { claims, scopes: [] } } },
}) as unknown as HttpEvent;

const unauthorized = new PartnerCallError('open incident: HTTP 401 {"error":"bad token"}', false, 401);

describe('10. no timing oracle on the customer routes', () => {
  it.each([
    ['GET /v1/customer/cases/{caseId}/partner-incidents'],
    ['GET /status/cases/{caseId}'],
  ])('%s: another customer\'s case costs the store exactly what an unknown case does', async (routeKey) => {
    const { deps, flag, ops } = setup();
    const theirs = await flag({ customerId: 'umbrella' });
    await flag({ caseId: theirs.caseId, customerId: 'umbrella', platform: 'portal' }); // a case with two partners
    const api = makeApiHandler(deps);
    const asAcme = { sub: 'cust-acme', role: 'customer', customerId: 'acme' };
    const work = async (caseId: string) => {
      ops.length = 0;
      const r = await api(apiEvent(routeKey, { caseId }, asAcme));
      return { status: r.statusCode, ops: [...ops] };
    };
    const foreign = await work(theirs.caseId);
    const unknown = await work(uid('CASE'));
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.ops).toEqual(unknown.ops);
    expect(unknown.ops).toEqual(['QueryCommand']);
    // the owner still sees the case
    const own = await api(apiEvent(routeKey, { caseId: theirs.caseId }, { sub: 'cust-u', role: 'customer', customerId: 'umbrella' }));
    expect(own.statusCode).toBe(200);
  });
});

describe('11. a case belongs to one customer', () => {
  it('answers 409 naming caseId for the same case flagged for another customer, for the same or another partner', async () => {
    const { deps, flag } = setup();
    const first = await flag({ customerId: 'acme' });
    const api = makeApiHandler(deps);
    const engineer = { sub: 'eng-1', role: 'engineer' };
    for (const platform of ['acme', 'portal']) {
      const r = await api(apiEvent('POST /v1/escalations', {}, engineer, {
        caseId: first.caseId, customerId: 'umbrella', platform, severity: 'high', summary: 'other', findings: 'other findings',
      }));
      expect(r.statusCode).toBe(409);
      const body = JSON.parse(r.body);
      expect(body.error).toMatchObject({ code: 'conflict', details: [{ path: 'caseId' }] });
      expect(r.body).not.toContain(first.escalationId);
      expect(r.body).not.toContain(first.summary);
    }
    // the case still has acme's escalation only, and acme's own repeat flag answers it
    expect((await deps.store.listByCase(first.caseId)).map((e) => e.customerId)).toEqual(['acme']);
    const again = await api(apiEvent('POST /v1/escalations', {}, engineer, {
      caseId: first.caseId, customerId: 'acme', platform: 'acme', severity: 'high', summary: 'again', findings: 'again',
    }));
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body).escalationId).toBe(first.escalationId);
  });
});

describe('12. cancelled and closed escalations take no more work', () => {
  it('refuses comments and joint calls (409), at the use case', async () => {
    const { deps, flag, partner } = setup();
    const cancelled = await flag();
    await openPartnerIncident(deps, cancelled.escalationId);
    const after = await cancelEscalation(deps, cancelled.escalationId, 'fixed by the customer', 'eng-1');
    expect(after.status).toBe('cancelled');
    // cancelling tells the partner itself (the hub's own note is allowed after the end)
    expect(await forwardComments(deps, cancelled.escalationId)).toBe(1);
    expect(partner.comments).toEqual(['The vendor has cancelled this escalation: fixed by the customer']);

    const closed = await flag();
    await openPartnerIncident(deps, closed.escalationId);
    const opened = (await deps.store.getEscalation(closed.escalationId))!;
    await applyPartnerUpdates(deps, {
      partnerId: 'acme-cloud', deliveryId: uid('d'),
      updates: [{ ticketId: opened.partnerTicket!.id, status: 'closed', partnerStatus: 'closed', updatedAt: new Date(deps.clock.now().getTime() + 1000).toISOString() }],
    });
    for (const e of [(await deps.store.getEscalation(cancelled.escalationId))!, (await deps.store.getEscalation(closed.escalationId))!]) {
      expect(['cancelled', 'closed']).toContain(e.status);
      await expect(addComment(deps, e, 'anyone there?', 'eng-1')).rejects.toBeInstanceOf(ConflictError);
      await expect(scheduleJointCall(deps, e, {}, 'eng-1')).rejects.toBeInstanceOf(ConflictError);
      const timeline = await deps.store.getTimeline(e.escalationId);
      expect(timeline.some((t) => t.type === 'comment' && t.detail.body === 'anyone there?')).toBe(false);
      expect(timeline.some((t) => t.type === 'joint_call_scheduled')).toBe(false);
    }
  });
});

describe('13. the partner refusing the hub\'s credentials is the hub\'s problem', () => {
  it('keeps the escalation requested with a problem, backs off long, alarms, ages, and recovers once fixed', async () => {
    const { deps, flag, partner, clock, queue, measured } = setup();
    const esc = await flag();
    partner.refuse = unauthorized;
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('retry_scheduled');
    let e = (await deps.store.getEscalation(esc.escalationId))!;
    expect(e.status).toBe('requested');
    expect(e.referral).toBeNull();
    expect(e.problem).toMatchObject({ code: 'partner_credentials_rejected', since: clock.now().toISOString(), failures: 1 });
    expect(measured).toContain('HubProblems:acme-cloud');
    const firstDelay = queue.messages.at(-1)!.delayMs!;
    expect(firstDelay).toBeGreaterThanOrEqual(30_000); // long, not the partner's 10 ms retry policy

    // more refusals than retry.maxAttempts (3): still requested, the delay grows and is capped at an hour
    let lastDelay = firstDelay;
    for (let i = 0; i < 10; i++) {
      clock.advance(lastDelay);
      expect(await openPartnerIncident(deps, esc.escalationId)).toBe('retry_scheduled');
      lastDelay = queue.messages.at(-1)!.delayMs!;
    }
    expect(lastDelay).toBeGreaterThan(firstDelay);
    expect(lastDelay).toBeLessThanOrEqual(60 * 60_000);
    e = (await deps.store.getEscalation(esc.escalationId))!;
    expect(e).toMatchObject({ status: 'requested', referral: null, problem: { failures: 11 } });

    // the engineer sees the problem; the customer does not, and is not referred
    const api = makeApiHandler(deps);
    const engineerView = JSON.parse((await api(apiEvent('GET /v1/escalations/{escalationId}', { escalationId: esc.escalationId }, { sub: 'eng-1', role: 'engineer' }))).body);
    expect(engineerView.problem).toEqual({ code: 'partner_credentials_rejected', message: expect.stringContaining('401'), since: e.problem!.since });
    expect(engineerView.timeline.some((t: { type: string }) => t.type === 'hub_problem')).toBe(true);
    const customer = (await api(apiEvent('GET /v1/customer/cases/{caseId}/partner-incidents', { caseId: esc.caseId }, { sub: 'c', role: 'customer', customerId: 'acme' }))).body;
    expect(customer).not.toContain('problem');
    expect(JSON.parse(customer).incidents[0]).toMatchObject({ status: 'requested', referral: null });

    // the aging path: past the ticket threshold the sweep reports it
    await sweep(deps);
    expect((deps.bus as RecordingBus).events.some((ev) => ev.detailType === 'EscalationAged' && ev.detail.escalationId === esc.escalationId)).toBe(true);

    // the token is fixed: the next attempt opens the incident and the problem goes
    partner.refuse = undefined;
    clock.advance(lastDelay);
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    e = (await deps.store.getEscalation(esc.escalationId))!;
    expect(e).toMatchObject({ status: 'open', problem: null });
    expect(partner.incidents.size).toBe(1);
  });

  it('does not call a 401 on a comment the partner\'s refusal: it stays pending with a problem, and goes once fixed', async () => {
    const { deps, flag, partner, measured } = setup();
    const esc = await flag();
    await openPartnerIncident(deps, esc.escalationId);
    await addComment(deps, (await deps.store.getEscalation(esc.escalationId))!, 'repro on 4.1.0', 'eng-1');
    partner.refuse = new PartnerCallError('add comment: HTTP 403', false, 403);
    await expect(forwardComments(deps, esc.escalationId)).rejects.toBeInstanceOf(PartnerCallError);
    expect(await deps.store.listPendingComments(esc.escalationId)).toHaveLength(1);
    const timeline = await deps.store.getTimeline(esc.escalationId);
    expect(timeline.some((t) => t.type === 'comment_refused')).toBe(false);
    expect((await deps.store.getEscalation(esc.escalationId))!.problem).toMatchObject({ code: 'partner_credentials_rejected' });
    expect(measured).toContain('HubProblems:acme-cloud');

    partner.refuse = undefined;
    expect(await forwardComments(deps, esc.escalationId)).toBe(1);
    expect(partner.comments).toEqual(['repro on 4.1.0']);
    expect((await deps.store.getEscalation(esc.escalationId))!.problem).toBeNull();
  });

  it('raises the alarm metric when polling is refused', async () => {
    const { deps, partner, measured } = setup();
    partner.refuse = new PartnerCallError('poll: HTTP 401', false, 401);
    const r = await pollPartners(deps);
    expect(r['acme-cloud']).toMatch(/^partner_credentials_rejected/);
    expect(measured).toContain('HubProblems:acme-cloud');
  });
});

describe('14. trying again after a referral', () => {
  it('brings a referred escalation back to requested: the same escalation and externalRef, no second incident', async () => {
    const { deps, flag, partner, clock, bus } = setup();
    const esc = await flag();
    // an attempt whose answer was lost, then a refusal: referred, with an incident already at the partner
    const lost = new PartnerCallError('open incident: ETIMEDOUT', true);
    const original = partner.openIncident.bind(partner);
    partner.openIncident = async (input) => { await original(input); throw lost; };
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('retry_scheduled');
    partner.openIncident = async () => { throw new PartnerCallError('open incident: HTTP 400', false, 400); };
    partner.findByExternalRef = async () => { throw new PartnerCallError('find: HTTP 400', false, 400); };
    clock.advance(60_000);
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('referred');
    expect((await deps.store.getEscalation(esc.escalationId))!.status).toBe('referred');

    const api = makeApiHandler(deps);
    const engineer = { sub: 'eng-1', role: 'engineer' };
    const r = await api(apiEvent('POST /v1/escalations/{escalationId}/retry', { escalationId: esc.escalationId }, engineer, {}));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ escalationId: esc.escalationId, status: 'requested', referral: null });
    expect(bus.events.filter((ev) => ev.detailType === 'EscalationRequested' && ev.detail.escalationId === esc.escalationId)).toHaveLength(2);

    // the partner works again: the worker finds the incident made by the lost attempt instead of opening another
    partner.openIncident = original;
    partner.findByExternalRef = async (ref) => partner.incidents.get(ref);
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('opened');
    expect(partner.incidents.size).toBe(1);
    expect((await deps.store.getEscalation(esc.escalationId))!).toMatchObject({ status: 'open', partnerTicket: { number: 'P-1' } });

    // 409 from any other state, saying which
    const again = await api(apiEvent('POST /v1/escalations/{escalationId}/retry', { escalationId: esc.escalationId }, engineer, {}));
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body).error).toMatchObject({ code: 'conflict', message: expect.stringContaining('is open') });
    await expect(retryOpening(deps, (await flag()).escalationId, 'eng-1')).rejects.toThrow(/is requested/);
  });
});

describe('15. partners without an API', () => {
  it('records the status an engineer reads in the portal; 409 for a partner with an API or before a ticket', async () => {
    const { deps, flag, bus } = setup();
    const esc = await flag({ platform: 'portal' });
    await expect(recordManualPartnerStatus(deps, esc.escalationId, { status: 'in_progress' }, 'eng-1')).rejects.toThrow(/no partner ticket/);
    await recordPartnerTicket(deps, esc.escalationId, { number: 'SR-77' }, 'eng-1');

    const api = makeApiHandler(deps);
    const engineer = { sub: 'eng-1', role: 'engineer' };
    const r = await api(apiEvent('POST /v1/escalations/{escalationId}/partner-status', { escalationId: esc.escalationId }, engineer, { status: 'awaiting_info', note: 'they want logs' }));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'awaiting_info' });
    expect(bus.events.some((ev) => ev.detailType === 'PartnerStatusChanged' && ev.detail.to === 'awaiting_info')).toBe(true);
    expect((await deps.store.getTimeline(esc.escalationId)).find((t) => t.type === 'partner_status_recorded')?.detail).toMatchObject({ from: 'open', status: 'awaiting_info', note: 'they want logs' });
    const bad = await api(apiEvent('POST /v1/escalations/{escalationId}/partner-status', { escalationId: esc.escalationId }, engineer, { status: 'referred' }));
    expect(bad.statusCode).toBe(422);

    const withApi = await flag();
    await openPartnerIncident(deps, withApi.escalationId);
    const refused = await api(apiEvent('POST /v1/escalations/{escalationId}/partner-status', { escalationId: withApi.escalationId }, engineer, { status: 'resolved' }));
    expect(refused.statusCode).toBe(409);
  });

  it('says truthfully where a comment went', async () => {
    const { deps, flag } = setup();
    const api = makeApiHandler(deps);
    const engineer = { sub: 'eng-1', role: 'engineer' };
    const manual = await flag({ platform: 'portal' });
    await recordPartnerTicket(deps, manual.escalationId, { number: 'SR-78' }, 'eng-1');
    const m = JSON.parse((await api(apiEvent('POST /v1/escalations/{escalationId}/comments', { escalationId: manual.escalationId }, engineer, { body: 'copy me' }))).body);
    expect(m).toMatchObject({ destination: 'timeline_only', message: expect.stringContaining('copy it to the partner\'s portal') });
    expect(m.message).not.toContain('on its way');
    expect(await deps.store.listPendingComments(manual.escalationId)).toEqual([]);

    const viaApi = await flag();
    await openPartnerIncident(deps, viaApi.escalationId);
    const a = JSON.parse((await api(apiEvent('POST /v1/escalations/{escalationId}/comments', { escalationId: viaApi.escalationId }, engineer, { body: 'send me' }))).body);
    expect(a).toMatchObject({ forwarded: 'pending', destination: 'partner_ticket', message: 'on its way to the partner ticket' });
  });
});
