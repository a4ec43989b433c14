/** WorkQueue on SQS: logical queue names map to queue URLs given at deploy time. */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../core/errors';
import type { QueueMessage, WorkQueue } from '../../core/ports';
import { requiredEnv } from './config-source';

/** SQS delays are whole seconds, at most 15 minutes. */
export const sqsDelaySeconds = (ms = 0) => Math.min(900, Math.max(0, Math.ceil(ms / 1000)));

export class SqsWorkQueue implements WorkQueue {
  constructor(private readonly client: SQSClient, private readonly urls: Record<string, string>) {}

  async send(m: QueueMessage): Promise<void> {
    const url = this.urls[m.queue];
    if (!url) throw new ConfigError(`no URL is configured for queue ${m.queue}`);
    await this.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(m.body), DelaySeconds: sqsDelaySeconds(m.delayMs) }));
  }
}

/** The work queues this function may send to (`QUEUE_URLS`, infra/access.ts `sendTo`). */
export const sqsWorkQueue = (): WorkQueue => new SqsWorkQueue(new SQSClient({}), JSON.parse(requiredEnv('QUEUE_URLS')) as Record<string, string>);
