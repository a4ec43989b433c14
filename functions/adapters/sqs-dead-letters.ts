/**
 * The DeadLetterQueues port on SQS. Listing receives with a zero visibility timeout (the messages stay
 * where they are); redrive starts an SQS message-move task from each dead-letter queue back to its source.
 */
import { ReceiveMessageCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueues } from '../../core/ports';

export interface DeadLetterTarget { dlqUrl: string; dlqArn: string; sourceArn: string }

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
