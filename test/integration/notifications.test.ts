import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notificationChannel, outboxEmailSender } from '../../connectors/notify/channels';
import { verifyStandardWebhook } from '../../connectors/standard-webhooks';
import { parseHubConfig } from '../../core/config';
import { QUEUES, silentLog, type HubDeps } from '../../core/deps';
import { hubEvent } from '../../core/events';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { makeNotifierHandler } from '../../functions/notifier';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { LocalQueue, LocalWorkQueue } from '../../local/queues';
import { draftEscalation, uid } from '../support/fixtures';
import { waitFor } from '../support/local-hub';

const SECRET = 'whsec_' + Buffer.from('crm-signing-secret').toString('base64');

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let receiver: Server;
let receiverUrl: string;
const received: { headers: Record<string, string | undefined>; body: string; path: string }[] = [];
let failFirst = 0;

beforeAll(async () => {
  dynamo = await startDynalite('memory');
  receiver = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    received.push({ headers: req.headers as Record<string, string | undefined>, body, path: req.url ?? '' });
    if (req.url === '/broken' || failFirst-- > 0) { res.statusCode = 503; return res.end(); }
    res.statusCode = 204;
    res.end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
const queues: LocalQueue[] = [];
afterAll(async () => {
  queues.forEach((q) => q.stop());
  await Promise.all(queues.map((q) => q.settled())); // batches under way finish with the table open
  await dynamo.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

function setup() {
  const outbox = join(mkdtempSync(join(tmpdir(), 'hub-outbox-')), 'outbox.jsonl');
  const config = parseHubConfig({
    partners: [{ id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'manual', baseUrl: 'https://acme.example', portalUrl: 'https://acme.example/support' }],
    subscribers: [
      { id: 'crm', kind: 'webhook', url: `${receiverUrl}/crm`, secret: SECRET, events: ['PartnerIncidentOpened', 'EscalationReferred'] },
      { id: 'mgmt-teams', kind: 'teams', url: `${receiverUrl}/teams`, events: ['EscalationAged'] },
      { id: 'mgmt-mail', kind: 'email', to: ['managers@vendor.example'], from: 'hub@vendor.example', events: ['EscalationAged'] },
      { id: 'broken', kind: 'webhook', url: `${receiverUrl}/broken`, secret: SECRET, events: ['EscalationReferred'] },
    ],
  }, {});
  const dlq = new LocalQueue({ name: 'notifications-dlq', visibilityTimeoutMs: 1000 });
  const queue = new LocalQueue({ name: QUEUES.notifications, visibilityTimeoutMs: 400, maxReceiveCount: 3, batchSize: 10, maxConcurrency: 2, deadLetter: dlq });
  const deps: HubDeps = {
    config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: { publish: async () => {} }, queue: new LocalWorkQueue(new Map([[QUEUES.notifications, queue]])),
    clock: { now: () => new Date() }, connectors: { ticketing: () => undefined, collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
  };
  queues.push(queue);
  queue.attach(makeNotifierHandler(deps, notificationChannel(outboxEmailSender(outbox, silentLog))));
  const publish = (e: ReturnType<typeof hubEvent>) =>
    queue.send(JSON.stringify({ version: '0', id: uid('evt'), time: new Date().toISOString(), 'detail-type': e.detailType, source: e.source, detail: e.detail }));
  return { deps, queue, dlq, outbox, publish };
}

/** Waits until the queue is empty and nothing is being processed (a queue that never drains fails the test). */
const settle = (q: LocalQueue) => waitFor('the queue to drain', async () => q.depth === 0 && (await q.settled(0)));

describe('notifications', () => {
  it('signs CRM webhooks with Standard Webhooks, retries a failing delivery, and records it once', async () => {
    const { deps, queue, publish } = setup();
    const { escalation } = await deps.store.createEscalation(
      draftEscalation({ partnerId: 'acme-cloud', status: 'open', partnerTicket: { id: '7', number: 'ACME-7', url: 'https://acme.example/7' } }),
      { findings: 'secret findings', customerContact: { email: 'ana@acme.example' } },
    );
    failFirst = 1;
    received.length = 0;
    publish(hubEvent('PartnerIncidentOpened', { version: 1, escalationId: escalation.escalationId, partnerId: 'acme-cloud', caseId: escalation.caseId, ticketNumber: 'ACME-7', pendingComments: 0 }));
    await settle(queue);
    const crm = received.filter((r) => r.path === '/crm');
    expect(crm).toHaveLength(2); // the first answered 503, the retry went through
    const last = crm.at(-1)!;
    expect(verifyStandardWebhook([SECRET], last.headers, last.body, new Date()).ok).toBe(true);
    expect(crm[0]!.headers['webhook-id']).toBe(last.headers['webhook-id']);
    const payload = JSON.parse(last.body);
    expect(payload).toMatchObject({ type: 'PartnerIncidentOpened', data: { caseId: escalation.caseId, partnerTicket: { number: 'ACME-7' } } });
    expect(last.body).not.toContain('secret findings');
    expect(last.body).not.toContain('ana@acme.example');
    const timeline = await deps.store.getTimeline(escalation.escalationId);
    expect(timeline.filter((t) => t.type === 'notification_delivered')).toHaveLength(1);
  });

  it('dead-letters a subscriber that keeps failing without holding back the others', async () => {
    const { deps, queue, dlq, publish } = setup();
    const { escalation } = await deps.store.createEscalation(draftEscalation({ partnerId: 'acme-cloud', status: 'referred', referral: { reason: 'refused', instructions: 'call them' } }),
      { findings: 'f', customerContact: null });
    received.length = 0;
    publish(hubEvent('EscalationReferred', { version: 1, escalationId: escalation.escalationId, partnerId: 'acme-cloud', caseId: escalation.caseId, reason: 'refused' }));
    // the broken subscriber's delivery is dead-lettered after its three receives, and nothing else is left
    await waitFor('the dead-lettered delivery', async () => dlq.depth === 1);
    await settle(queue);
    expect(received.filter((r) => r.path === '/crm')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/broken')).toHaveLength(3);
    const dead = dlq.peek().map((m) => JSON.parse(m.body));
    expect(dead).toEqual([expect.objectContaining({ kind: 'delivery', subscriberId: 'broken', type: 'EscalationReferred' })]);
  });

  it('tells support management in Teams and by e-mail when a case ages', async () => {
    const { deps, queue, outbox, publish } = setup();
    const { escalation } = await deps.store.createEscalation(draftEscalation({ partnerId: 'acme-cloud', severity: 'critical' }),
      { findings: 'f', customerContact: null });
    received.length = 0;
    publish(hubEvent('EscalationAged', { version: 1, escalationId: escalation.escalationId, partnerId: 'acme-cloud', caseId: escalation.caseId, threshold: 'ticketWithinMinutes', severity: 'critical', deadline: new Date().toISOString() }));
    await settle(queue);
    const teams = received.filter((r) => r.path === '/teams');
    expect(teams).toHaveLength(1);
    const card = JSON.parse(teams[0]!.body);
    expect(card.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0].content.body[0].text).toContain(`Case ${escalation.caseId} (critical) aged past the partner-ticket threshold`);
    const mail = readFileSync(outbox, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(mail).toEqual([expect.objectContaining({ to: ['managers@vendor.example'], subject: expect.stringContaining(escalation.caseId) })]);
  });
});
