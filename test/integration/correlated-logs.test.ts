/**
 * Correlated logs: every line a handling writes carries its request or message id and the escalation, case
 * and partner it concerns, through the real handler factories; concurrent handlings never share keys.
 */
import type { SQSEvent } from 'aws-lambda';
import { parseHubConfig } from '../../core/config';
import type { HubDeps } from '../../core/deps';
import type { Escalation } from '../../core/escalation';
import { logHandling, scopedLog, withLogKeys, type LogFields } from '../../core/log';
import type { PartnerIncident, TicketingConnector } from '../../core/ports';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { makeApiHandler } from '../../functions/api';
import type { HttpEvent } from '../../functions/http';
import { makePartnerWorkerHandler } from '../../functions/partner-worker';
import { makeStatusSyncHandler } from '../../functions/status-sync';
import { scheduledHandler } from '../../functions/scheduled';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingQueue, uid } from '../support/fixtures';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

/** Resolves once `n` callers are waiting: the handlings it holds are all in flight at once. */
function barrier(n: number) {
  let release!: () => void;
  const all = new Promise<void>((r) => { release = r; });
  let waiting = 0;
  return () => { if (++waiting === n) release(); return all; };
}

type Line = LogFields & { level: string; message: string };

function setup() {
  const lines: Line[] = [];
  const log = scopedLog((level, message, fields) => { lines.push({ ...fields, level, message }); });
  const partner = (id: string) => ({
    id, name: id, platforms: [id], connector: 'generic-rest', baseUrl: 'http://127.0.0.1:1', credentials: { token: 't' },
    retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
  });
  const both = barrier(2);
  /** Logs a line naming no id, then waits until the other record's call has started too. */
  const ticketing: TicketingConnector = {
    async openIncident(input): Promise<PartnerIncident> {
      log.info('partner called');
      await both();
      log.info('partner answered');
      return { id: uid('T'), number: `P-${input.caseId}`, status: 'open', partnerStatus: 'new', updatedAt: new Date().toISOString() };
    },
    findByExternalRef: async () => undefined,
    getIncident: async () => { throw new Error('not used'); },
    addComment: async () => {},
    verifyWebhook: () => ({ kind: 'rejected', reason: 'not used' }),
    parseWebhook: () => [],
  };
  const deps: HubDeps = {
    config: parseHubConfig({ partners: [partner('acme'), partner('beta')] }, {}),
    store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: { publish: async () => {} }, queue: new RecordingQueue(), clock: new FakeClock(Date.now()),
    connectors: { ticketing: () => ticketing, collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log,
  };
  return { deps, lines, log };
}

const flag = async (deps: HubDeps, platform: string) => (await flagEscalation(deps, {
  caseId: uid('CASE'), customerId: 'acme', platform, severity: 'high', summary: 's', findings: 'f',
}, 'eng-1')).escalation;

const idsOf = (e: Escalation) => ({ escalationId: e.escalationId, caseId: e.caseId, partnerId: e.partnerId });

const record = (messageId: string, body: unknown) => ({
  messageId, receiptHandle: messageId, body: JSON.stringify(body), md5OfBody: '', eventSource: 'aws:sqs', awsRegion: 'local',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:partner-work-acme',
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
});

const flagRequest = (requestId: string, platform: string): HttpEvent => ({
  routeKey: 'POST /v1/escalations', rawPath: '/v1/escalations', headers: {}, isBase64Encoded: false,
  body: JSON.stringify({ caseId: uid('CASE'), customerId: 'acme', platform, severity: 'high', summary: 's', findings: 'f' }),
  requestContext: { requestId, authorizer: { jwt: { claims: { sub: 'eng-1', role: 'engineer' }, scopes: [] } } },
}) as unknown as HttpEvent;

describe('correlated logs', () => {
  it('each record of a batch, processed concurrently, logs with its own message id and escalation, case and partner', async () => {
    const { deps, lines, log } = setup();
    const a = await flag(deps, 'acme');
    const b = await flag(deps, 'beta');
    lines.length = 0;
    // an EventBridge event names all three ids in its detail; a direct message only the escalation (the rest is learnt)
    const event = { Records: [
      record('m-a', { detail: { escalationId: a.escalationId, caseId: a.caseId, partnerId: a.partnerId } }),
      record('m-b', { escalationId: b.escalationId }),
    ] } as SQSEvent;
    const answer = await makePartnerWorkerHandler(deps)(event);
    expect(answer.batchItemFailures).toEqual([]);
    log.info('after the batch');

    const called = lines.filter((l) => l.message === 'partner called' || l.message === 'partner answered');
    expect(called).toHaveLength(4);
    // both calls started before either answered: the two handlings were in flight at once
    expect(called.map((l) => l.message)).toEqual(['partner called', 'partner called', 'partner answered', 'partner answered']);
    for (const l of lines.filter((x) => x.message !== 'after the batch')) {
      const [mine, other] = l.messageId === 'm-a' ? [a, b] : [b, a];
      expect(l).toMatchObject({ messageId: l.messageId === 'm-a' ? 'm-a' : 'm-b', queue: 'partner-work-acme', ...idsOf(mine) });
      expect(Object.values(l)).not.toContain(other.escalationId);
    }
    expect(lines.filter((l) => l.messageId === 'm-a').map((l) => l.message)).toEqual(['partner called', 'partner answered', 'partner incident opened']);
    expect(lines.filter((l) => l.messageId === 'm-b').map((l) => l.message)).toEqual(['partner called', 'partner answered', 'partner incident opened']);
    expect(lines.find((l) => l.message === 'after the batch')).toEqual({ level: 'info', message: 'after the batch' });
  });

  it('a status delivery updating two escalations logs each update with its own escalation', async () => {
    const { deps, lines } = setup();
    const a = await flag(deps, 'acme');
    const b = await flag(deps, 'acme');
    await deps.store.putTicketLink('acme', `T-${a.escalationId}`, a.escalationId);
    await deps.store.putTicketLink('acme', `T-${b.escalationId}`, b.escalationId);
    // each update is recorded in its escalation's timeline: a line there (as an adapter might write) names which
    const append = deps.store.appendTimeline.bind(deps.store);
    deps.store.appendTimeline = async (...args) => { deps.log.info('timeline appended'); return append(...args); };
    lines.length = 0;
    const update = (e: Escalation) => ({ ticketId: `T-${e.escalationId}`, status: 'in_progress', partnerStatus: 'working', updatedAt: new Date().toISOString() });
    const answer = await makeStatusSyncHandler(deps)({ Records: [record('m-1', { partnerId: 'acme', deliveryId: uid('d'), updates: [update(a), update(b)] })] } as SQSEvent);
    expect(answer.batchItemFailures).toEqual([]);
    expect(lines.filter((l) => l.message === 'timeline appended')).toEqual([
      expect.objectContaining({ messageId: 'm-1', escalationId: a.escalationId, partnerId: 'acme' }),
      expect.objectContaining({ messageId: 'm-1', escalationId: b.escalationId, partnerId: 'acme' }),
    ]);
  });

  it('each HTTP request logs with its request id, and with the escalation once the use case has made it', async () => {
    const { deps, lines, log } = setup();
    const both = barrier(2);
    // the bus fails once both requests are in flight: the line that says so names the escalation only
    deps.bus = { publish: async () => { await both(); throw new Error('bus down'); } };
    const api = makeApiHandler(deps);
    const [ra, rb] = await Promise.all([api(flagRequest('req-a', 'acme')), api(flagRequest('req-b', 'beta'))]);
    expect([ra.statusCode, rb.statusCode]).toEqual([202, 202]);
    log.info('after the requests');

    const created = { 'req-a': JSON.parse(ra.body) as Escalation, 'req-b': JSON.parse(rb.body) as Escalation };
    const failed = lines.filter((l) => l.message.startsWith('could not publish'));
    expect(failed).toHaveLength(2);
    for (const requestId of ['req-a', 'req-b'] as const) {
      const mine = lines.filter((l) => l.requestId === requestId);
      expect(mine.map((l) => l.message)).toEqual(['escalation requested', 'could not publish EscalationRequested; the sweep will drive it']);
      for (const l of mine) expect(l).toMatchObject(idsOf(created[requestId]));
    }
    expect(lines.find((l) => l.message === 'after the requests')).toEqual({ level: 'info', message: 'after the requests' });
  });

  it('a request names the escalation, case or partner of its path before anything is loaded', async () => {
    const { deps, lines } = setup();
    deps.store.getEscalationWithTimeline = async () => { throw new Error('store down'); };
    const r = await makeApiHandler(deps)({
      routeKey: 'GET /v1/escalations/{escalationId}', rawPath: '/v1/escalations/esc-1', headers: {}, isBase64Encoded: false,
      pathParameters: { escalationId: 'esc-1' },
      requestContext: { requestId: 'req-1', authorizer: { jwt: { claims: { sub: 'eng-1', role: 'engineer' }, scopes: [] } } },
    } as unknown as HttpEvent);
    expect(r.statusCode).toBe(500);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', message: 'unhandled error', requestId: 'req-1', escalationId: 'esc-1' })]);
  });

  it('each scheduled run logs with the schedule and a run id of its own', async () => {
    const { lines, log } = setup();
    const both = barrier(2);
    const run = scheduledHandler('sweep', async () => { log.info('before'); await both(); log.info('after'); });
    await Promise.all([run(), run()]);
    const runs = new Set(lines.map((l) => l.runId));
    expect(runs.size).toBe(2);
    for (const id of runs) {
      expect(lines.filter((l) => l.runId === id).map((l) => [l.schedule, l.message])).toEqual([['sweep', 'before'], ['sweep', 'after']]);
    }
  });

  it('a part of a handling adds keys that stay in it; a handling started from another never takes its keys', () => {
    const { lines, log } = setup();
    log.appendKeys({ escalationId: 'stray' }); // outside any handling: nothing
    logHandling({ requestId: 'r' }, () => {
      withLogKeys({ escalationId: 'e-1' }, () => { log.appendKeys({ caseId: 'c-1' }); log.info('inner'); });
      log.info('outer');
      logHandling({ messageId: 'm' }, () => { log.info('started from it'); });
    });
    log.info('outside');
    expect(lines).toEqual([
      { level: 'info', message: 'inner', requestId: 'r', escalationId: 'e-1', caseId: 'c-1' },
      { level: 'info', message: 'outer', requestId: 'r' },
      { level: 'info', message: 'started from it', messageId: 'm' },
      { level: 'info', message: 'outside' },
    ]);
  });
});
