/** WorkQueue on SQS: logical queue names map to queue URLs given at deploy time. */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../core/errors';
import type { QueueMessage, WorkQueue } from '../../core/ports';
import { requiredEnv } from './config-source';

/** SQS delays are whole seconds, at most 15 minutes. */
export const sqsDelaySeconds = (ms = 0) => Math.min(900, Math.max(0, Math.ceil(ms / 1000)));

/**
 * The SQS client every SQS caller uses (work queues, dead-letter tools). By default the SDK sends each call
 * to the host of its `QueueUrl` (`useQueueUrlAsEndpoint`), even when an endpoint is configured through
 * `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL`: the SDK reads those only at the first call, after its
 * queue-URL middleware was built without them. An emulator (moto, `npm run test:aws`) or a VPC endpoint
 * hands out queue URLs whose host is not the endpoint, so when an endpoint is configured it wins and the
 * queue URL is still passed as is. In AWS with no endpoint configured nothing changes.
 */
export function sqsClient(env: NodeJS.ProcessEnv = process.env): SQSClient {
  const ignored = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true';
  const configured = ignored ? undefined : env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined;
  return configured ? new SQSClient({ endpoint: configured, useQueueUrlAsEndpoint: false }) : new SQSClient({});
}

export class SqsWorkQueue implements WorkQueue {
  constructor(private readonly client: SQSClient, private readonly urls: Record<string, string>) {}

  async send(m: QueueMessage): Promise<void> {
    const url = this.urls[m.queue];
    if (!url) throw new ConfigError(`no URL is configured for queue ${m.queue}`);
    await this.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(m.body), DelaySeconds: sqsDelaySeconds(m.delayMs) }));
  }
}

/** The work queues this function may send to (`QUEUE_URLS`, topology/access.ts `sendTo`). */
export const sqsWorkQueue = (): WorkQueue => new SqsWorkQueue(sqsClient(), JSON.parse(requiredEnv('QUEUE_URLS')) as Record<string, string>);
