/**
 * The mail-inbound function (functions/mail-inbound.ts) with an injected reader of the stored mail, its own
 * connector set (the webhook registry: the email connector's mail reader) and dynalite: SES's receipt event
 * in its documented shape (test/support/ses-receipt-event.ts) → the mail SES stored, read by message id →
 * parsed → ingested with the event's verdicts and the mail's s3:// address → queued to inbound. A malformed
 * event is refused naming the field; a mail that cannot be read fails the invocation (Lambda retries it),
 * never a silent success. And the S3 reader (functions/adapters/s3-mail.ts) against an S3 stand-in on
 * 127.0.0.1, as the function reads the bucket through a configured endpoint (moto in the AWS-parity tier).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildWebhookRegistry } from '../../connectors/webhook-registry';
import { parseHubConfig } from '../../core/config';
import { QUEUES, silentLog, type HubDeps } from '../../core/deps';
import { ValidationError } from '../../core/errors';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { s3StoredMail } from '../../functions/adapters/s3-mail';
import { makeMailInboundHandler } from '../../functions/mail-inbound';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { draftEscalation, FakeClock, RecordingBus, RecordingQueue, uid } from '../support/fixtures';
import { DOCUMENTED_SES_EVENT, sesReceiptEvent } from '../support/ses-receipt-event';

const REPLIES = 'microsoft@escalations-in.vendor.example';
const config = parseHubConfig({
  partners: [{
    id: 'microsoft-email', name: 'Microsoft (support mailbox)', platforms: ['teams'], connector: 'email', baseUrl: 'https://support.microsoft.com',
    to: 'support@microsoft.com', from: 'escalations@vendor.example', replyTo: REPLIES, ticketNumberPattern: 'TrackingID#(\\d+)',
    statusPatterns: [{ pattern: 'engineer (?:is|has been) assigned', status: 'in_progress' }], allowedSenders: ['microsoft.com'],
  }],
}, {});

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let deps: HubDeps;
const queue = new RecordingQueue();
/** The bucket as the injected reader sees it: what SES stored, by message id. */
const stored = new Map<string, Uint8Array>();
const asked: string[] = [];
const readStored = async (messageId: string) => {
  asked.push(messageId);
  const raw = stored.get(messageId);
  if (!raw) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
  return { raw, storedAt: `s3://hub-mail/inbound/${messageId}` };
};

beforeAll(async () => {
  dynamo = await startDynalite('memory');
  deps = {
    config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE), bus: new RecordingBus(), queue,
    clock: new FakeClock(), connectors: buildWebhookRegistry(config), newId: () => uid('id'), random: () => 0.5, log: silentLog,
  };
});
afterAll(() => dynamo.close());

/** An open escalation of the e-mail partner: its ticket is its externalRef until the partner's number arrives. */
async function mailedEscalation() {
  const escalationId = uid('esc');
  const ref = `hub:${escalationId}`;
  await deps.store.createEscalation(draftEscalation({ escalationId, partnerId: 'microsoft-email', partnerName: 'Microsoft', platform: 'teams', status: 'open', partnerTicket: { id: ref, number: ref } }), { findings: 'f', customerContact: null });
  await deps.store.putTicketLink('microsoft-email', ref, escalationId);
  return { escalationId, ref };
}

/** The desk's reply, stored as SES stores it (`messageId` is SES's id, not the mail's Message-ID). */
async function storeReply(ref: string, messageId = uid('ses').replace(/-/g, '')) {
  stored.set(messageId, await new MailComposer({
    from: 'Microsoft Support <support@microsoft.com>', to: REPLIES, subject: `RE: [${ref}] Teams Rooms drop calls TrackingID#2512070042`,
    text: 'An engineer has been assigned to your case.\n\n> On Monday the hub wrote: quoted history',
    messageId: `<${uid('reply')}@microsoft.com>`,
  }).compile().build());
  return messageId;
}

it('reads the mail SES stored under the event\'s message id and queues what the email connector reads of it, with its s3:// address', async () => {
  const { escalationId, ref } = await mailedEscalation();
  const messageId = await storeReply(ref);
  const before = queue.messages.length;
  const handler = makeMailInboundHandler(deps, readStored);
  const outcomes = await handler(sesReceiptEvent({ messageId, recipients: [REPLIES] }));
  expect(outcomes).toEqual([expect.objectContaining({ kind: 'accepted', partnerId: 'microsoft-email', escalationId })]);
  expect(asked.at(-1)).toBe(messageId);
  const queued = queue.messages.slice(before);
  expect(queued.map((m) => m.queue)).toEqual([QUEUES.inbound]);
  const body = JSON.stringify(queued[0]!.body);
  expect(body).toContain('2512070042');
  expect(body).toContain(`s3://hub-mail/inbound/${messageId}`);
  expect(body).not.toContain('quoted history');
  // SES retries an invocation the hub already took: the same mail is a duplicate, queued once
  expect(await handler(sesReceiptEvent({ messageId, recipients: [REPLIES] }))).toEqual([expect.objectContaining({ kind: 'duplicate', escalationId })]);
  expect(queue.messages.length).toBe(before + 1);
});

it('passes SES\'s verdicts on: a mail failing SPF is dropped and recorded with where it is stored, never queued', async () => {
  const { escalationId, ref } = await mailedEscalation();
  const messageId = await storeReply(ref);
  const before = queue.messages.length;
  const outcomes = await makeMailInboundHandler(deps, readStored)(sesReceiptEvent({ messageId, recipients: [REPLIES], verdicts: { spf: 'FAIL', virus: 'GRAY' } }));
  expect(outcomes).toEqual([{ kind: 'dropped', reason: expect.stringMatching(/spf FAIL, virus GRAY/) }]);
  expect(queue.messages.length).toBe(before);
  const drops = (await deps.store.getTimeline(escalationId)).filter((t) => t.type === 'partner_mail_dropped');
  expect(drops).toEqual([expect.objectContaining({ detail: expect.objectContaining({ storedAt: `s3://hub-mail/inbound/${messageId}` }) })]);
});

it('refuses an event that is not SES\'s receipt notification, naming the field, before reading anything', async () => {
  const handler = makeMailInboundHandler(deps, readStored);
  const count = asked.length;
  const noVerdict = structuredClone(DOCUMENTED_SES_EVENT) as { Records: { ses: { receipt: Record<string, unknown> } }[] };
  delete noVerdict.Records[0]!.ses.receipt.dkimVerdict;
  await expect(handler(noVerdict)).rejects.toThrow(new ValidationError('not an SES receipt event: Records.0.ses.receipt.dkimVerdict: Invalid input: expected object, received undefined'));
  // a message id is an object key under the prefix: nothing that could name another key
  await expect(handler(sesReceiptEvent({ messageId: '../other/key' }))).rejects.toThrow(/Records\.0\.ses\.mail\.messageId: an SES message id/);
  await expect(handler({ Records: [] })).rejects.toThrow(/not an SES receipt event/);
  expect(asked.length).toBe(count);
});

it('fails the invocation when the stored mail cannot be read (Lambda retries it; nothing is recorded as taken in)', async () => {
  const before = queue.messages.length;
  await expect(makeMailInboundHandler(deps, readStored)(sesReceiptEvent({ messageId: 'never-stored' }))).rejects.toThrow(/key does not exist/);
  expect(queue.messages.length).toBe(before);
});

describe('the S3 reader', () => {
  let server: Server;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.headers.host?.split(':')[0]} ${req.url}`);
      if (req.url?.startsWith('/hub-mail/inbound/m-1')) { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(Buffer.from('Subject: hi\r\n\r\nbody')); return; }
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const env = () => ({ INBOUND_MAIL_BUCKET: 'hub-mail', INBOUND_MAIL_PREFIX: 'inbound/' });
  const withAwsEnv = async <T>(work: () => Promise<T>): Promise<T> => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
    try { return await work(); } finally { process.env = saved; }
  };

  it('reads <prefix><message id> of the bucket, path-style at an IP endpoint, and names where it is', async () => {
    const read = await withAwsEnv(() => s3StoredMail(env())('m-1'));
    expect(Buffer.from(read.raw).toString()).toBe('Subject: hi\r\n\r\nbody');
    expect(read.storedAt).toBe('s3://hub-mail/inbound/m-1');
    expect(requests.at(-1)).toMatch(/^GET 127\.0\.0\.1 \/hub-mail\/inbound\/m-1/);
  });

  it('fails on a missing object, and at start without its settings', async () => {
    await expect(withAwsEnv(() => s3StoredMail(env())('gone'))).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(() => s3StoredMail({ INBOUND_MAIL_PREFIX: 'inbound/' })).toThrow(/INBOUND_MAIL_BUCKET is required/);
  });
});
