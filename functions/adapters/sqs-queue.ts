/** WorkQueue on SQS: logical queue names map to queue URLs given at deploy time. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../core/errors';
import type { QueueMessage, WorkQueue } from '../../core/ports';

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
