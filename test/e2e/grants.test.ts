/**
 * The local runtime gives each function only what its AWS function is granted (topology/access.ts): a use
 * case that reaches a port its function lacks fails here, as it would in AWS. The real profiles pass the
 * whole pipeline (pipeline.test.ts and the other end-to-end tests run with them).
 */
import { randomBytes } from 'node:crypto';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import type { Log } from '../../core/deps';
import { scopedLog } from '../../core/log';
import { documentClient } from '../../functions/adapters/document-client';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { grantedTable, LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { ACCESS } from '../../topology/access';
import { openEscalationWithTicket } from '../support/fixtures';
import { engineerToken, http, startE2E, type E2E } from '../support/local-hub';

const errors: string[] = [];
const log: Log = scopedLog((level, _m, fields) => { if (level === 'error') errors.push(JSON.stringify(fields)); });

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({}, {
    log,
    access: {
      api: { ...ACCESS.api, putEvents: false },
      // the webhook function consumes no queue, so it has none of its own to send to
      webhook: { ...ACCESS.webhook, sendTo: 'own-queues' },
    },
  });
});
afterAll(() => e2e.stop());
beforeEach(() => { errors.length = 0; });

it('a function without putEvents cannot publish: the comment that needs CommentAdded fails', async () => {
  const { escalation } = await openEscalationWithTicket(e2e.hub.deps.store);
  const r = await http(e2e.hub.url, 'POST', `/v1/escalations/${escalation.escalationId}/comments`, { token: engineerToken(), body: { body: 'hello' } });
  expect(r.status).toBe(500);
  expect(errors.join('\n')).toContain('api was deployed without an event bus, so it cannot publish CommentAdded');
});

it('a function sends only to the queues its sendTo names: a webhook without inbound fails', async () => {
  const secret = e2e.hub.deps.config.partners[0]!.webhookSecret!;
  const body = JSON.stringify({ type: 'incident.updated', data: { id: 'T-1', status: 'in_progress', updatedAt: new Date().toISOString() } });
  const id = `msg_${randomBytes(6).toString('hex')}`;
  const ts = Math.floor(Date.now() / 1000);
  const r = await http(e2e.hub.url, 'POST', '/v1/webhooks/acme-cloud', {
    raw: body, headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(secret, id, ts, body) },
  });
  // not taken: the partner is asked to send it again (503 with Retry-After), and the log names the missing grant
  expect(r.status).toBe(503);
  expect(r.json).toEqual({ error: { code: 'unavailable', message: expect.stringContaining('send it again') } });
  expect(errors.join('\n')).toContain('webhook was deployed without queue inbound');
});

it('a function issues only the table actions it is granted (admin: GetItem)', async () => {
  const dynamo = await startDynalite('memory');
  try {
    const admin = new DynamoEscalationStore(grantedTable(documentClient(dynamo.client), 'admin', ACCESS.admin.table), LOCAL_TABLE);
    // what its use case needs works
    await expect(admin.getMessageFailures(['m-1'])).resolves.toEqual(new Map());
    await expect(admin.recordMessageFailure('m-1', { queue: 'inbound', error: 'e', at: new Date().toISOString(), receiveCount: 1 }))
      .rejects.toThrow('admin is not granted dynamodb:PutItem on the table (topology/access.ts)');
    await expect(admin.listDue(new Date(), 10)).rejects.toThrow(/admin is not granted dynamodb:Query/);
    // concurrent webhook marks share one BatchGetItem and BatchWriteItem (delivery-marks.ts): checked as the gets and puts they stand for
    const now = new Date();
    const marks = (store: DynamoEscalationStore) => Promise.all(['d-1', 'd-2'].map((id) => store.markDeliverySeen('acme', id, [], now, 60)));
    await expect(marks(admin)).rejects.toThrow('admin is not granted dynamodb:PutItem');
    const getAndPut = new DynamoEscalationStore(grantedTable(documentClient(dynamo.client), 'webhook', ['dynamodb:GetItem', 'dynamodb:PutItem']), LOCAL_TABLE);
    await expect(marks(getAndPut)).resolves.toEqual([true, true]);
  } finally {
    await dynamo.close();
  }
});
