/**
 * The SQS adapters with a configured endpoint whose host is not the queue URL's host (moto, a VPC
 * endpoint): the SDK's default sends each call to the queue URL's host, which from a test would leave the
 * machine. With `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL` set, the endpoint wins and the queue URL is
 * still passed as is. A small SQS (JSON protocol) stand-in on 127.0.0.1 records what arrives.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sqsDeadLetters } from '../../functions/adapters/sqs-dead-letters';
import { sqsClient, SqsWorkQueue } from '../../functions/adapters/sqs-queue';

interface Call { target: string; input: Record<string, unknown> }

let server: Server;
let endpoint: string;
const calls: Call[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      calls.push({ target, input });
      const answer = target.endsWith('.SendMessage')
        ? { MessageId: `m-${calls.length}`, MD5OfMessageBody: createHash('md5').update(String(input.MessageBody)).digest('hex') }
        : target.endsWith('.GetQueueUrl') ? { QueueUrl: `${REMOTE_URL}-${String(input.QueueName)}` }
        : target.endsWith('.StartMessageMoveTask') ? { TaskHandle: 'task-1' }
        : { Messages: [] };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => { calls.length = 0; });

const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
const REMOTE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/partner-work-acme';

it('sends to the configured endpoint (AWS_ENDPOINT_URL), with the queue URL as given and the delay in seconds', async () => {
  const client = sqsClient({ ...credentials, AWS_ENDPOINT_URL: endpoint });
  const saved = { ...process.env };
  Object.assign(process.env, credentials);
  try {
    await new SqsWorkQueue(client, { 'partner-work-acme': REMOTE_URL }).send({ queue: 'partner-work-acme', body: { escalationId: 'esc_1' }, delayMs: 1500 });
  } finally { process.env = saved; }
  expect(calls).toEqual([{ target: 'AmazonSQS.SendMessage', input: { QueueUrl: REMOTE_URL, MessageBody: '{"escalationId":"esc_1"}', DelaySeconds: 2 } }]);
});

it('the service-specific AWS_ENDPOINT_URL_SQS wins over AWS_ENDPOINT_URL; the dead-letter tools use it too', async () => {
  const client = sqsClient({ ...credentials, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SQS: endpoint });
  const saved = { ...process.env };
  Object.assign(process.env, credentials);
  try {
    const dlq = sqsDeadLetters(client, { 'partner-work-acme': 'arn:aws:sqs:us-east-1:123456789012:dlq' });
    expect(await dlq.list()).toEqual([]);
    expect(await dlq.list()).toEqual([]);
    expect(await dlq.redrive('partner-work-acme')).toEqual([{ queue: 'partner-work-acme', moved: 'started' }]);
  } finally { process.env = saved; }
  // the dead-letter queue's URL is asked of SQS once, by the ARN's name and account; a redrive names no
  // destination, so SQS moves each message back to its own source queue
  expect(calls).toEqual([
    { target: 'AmazonSQS.GetQueueUrl', input: { QueueName: 'dlq', QueueOwnerAWSAccountId: '123456789012' } },
    { target: 'AmazonSQS.ReceiveMessage', input: expect.objectContaining({ QueueUrl: `${REMOTE_URL}-dlq` }) },
    { target: 'AmazonSQS.ReceiveMessage', input: expect.objectContaining({ QueueUrl: `${REMOTE_URL}-dlq` }) },
    { target: 'AmazonSQS.StartMessageMoveTask', input: { SourceArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' } },
  ]);
});

it('without a configured endpoint (or with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) the SDK default stays: calls go to the queue URL host', () => {
  expect(sqsClient({}).config.useQueueUrlAsEndpoint).toBe(true);
  const ignoring = sqsClient({ AWS_ENDPOINT_URL: endpoint, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' });
  expect(ignoring.config.useQueueUrlAsEndpoint).toBe(true);
  const configured = sqsClient({ AWS_ENDPOINT_URL: endpoint });
  expect(configured.config.useQueueUrlAsEndpoint).toBe(false);
  expect(configured.config.isCustomEndpoint).toBe(true);
});
