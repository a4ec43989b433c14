/**
 * The DeadLetterQueues port on SQS. Listing receives with a zero visibility timeout (the messages stay
 * where they are); redrive starts an SQS message-move task from each dead-letter queue back to its source.
 */
import { ReceiveMessageCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { ConfigError } from '../../core/errors';
import type { DeadLetter, DeadLetterQueues } from '../../core/ports';
import type { DeadLetterTargetsEnv } from '../../topology/access';

export interface DeadLetterTarget { dlqUrl: string; dlqArn: string; sourceArn: string }

const DeadLetterTargetsEnv = z.strictObject({
  arn: z.string().startsWith('arn:'),
  url: z.url(),
  queues: z.record(z.string(), z.tuple([z.string().min(1), z.string().min(1)])),
}) satisfies z.ZodType<DeadLetterTargetsEnv>;

/** DLQ_TARGETS as the stack sets it (queue names and the account's prefixes) → each work queue's dead-letter target. */
export function deadLetterTargets(value: string): Record<string, DeadLetterTarget> {
  let parsed: DeadLetterTargetsEnv;
  try {
    parsed = DeadLetterTargetsEnv.parse(JSON.parse(value));
  } catch (e) {
    throw new ConfigError(`DLQ_TARGETS is not { arn, url, queues: { <work queue>: [<dead-letter queue name>, <work queue name>] } }: ${(e as Error).message}`);
  }
  const { arn, url, queues } = parsed;
  return Object.fromEntries(Object.entries(queues).map(([work, [dlq, source]]) => [work, { dlqUrl: url + dlq, dlqArn: arn + dlq, sourceArn: arn + source }]));
}

export function sqsDeadLetters(client: SQSClient, targets: Record<string, DeadLetterTarget>, maxPerQueue = 50): DeadLetterQueues {
  const names = Object.keys(targets);
  const pick = (queue?: string) => names.filter((q) => queue === undefined || q === queue);
  return {
    queues: names,
    async list(queue) {
      const out: DeadLetter[] = [];
      for (const q of pick(queue)) {
        const seen = new Set<string>();
        for (let round = 0; round < 5 && seen.size < maxPerQueue; round++) {
          const r = await client.send(new ReceiveMessageCommand({
            QueueUrl: targets[q]!.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }));
          const fresh = (r.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
          if (fresh.length === 0) break;
          for (const m of fresh) {
            seen.add(m.MessageId!);
            out.push({ queue: q, messageId: m.MessageId!, body: m.Body ?? '', receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0) });
          }
        }
      }
      return out;
    },
    async redrive(queue) {
      const results: { queue: string; moved: number | 'started' }[] = [];
      for (const q of pick(queue)) {
        await client.send(new StartMessageMoveTaskCommand({ SourceArn: targets[q]!.dlqArn, DestinationArn: targets[q]!.sourceArn }));
        results.push({ queue: q, moved: 'started' });
      }
      return results;
    },
  };
}
