/**
 * The DeadLetterQueues port on SQS, from each work queue's dead-letter queue ARN (`DLQ_TARGETS`). Listing
 * receives with a zero visibility timeout (the messages stay where they are), at the URL SQS gives for the
 * ARN's name and account (asked once); redrive starts an SQS message-move task from each dead-letter
 * queue, without a destination: SQS moves each message back to the queue it came from.
 */
import { GetQueueUrlCommand, ReceiveMessageCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueues } from '../../core/ports';

/** `arn:<partition>:sqs:<region>:<account>:<name>` → the name and the owning account. */
function queueOfArn(arn: string): { QueueName: string; QueueOwnerAWSAccountId: string } {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[2] !== 'sqs' || !parts[5]) throw new Error(`DLQ_TARGETS: "${arn}" is not an SQS queue ARN`);
  return { QueueName: parts[5], QueueOwnerAWSAccountId: parts[4]! };
}

export function sqsDeadLetters(client: SQSClient, targets: Record<string, string>, maxPerQueue = 50): DeadLetterQueues {
  const names = Object.keys(targets);
  const pick = (queue?: string) => names.filter((q) => queue === undefined || q === queue);
  const urls = new Map<string, Promise<string>>();
  const urlOf = (q: string) => {
    let url = urls.get(q);
    if (!url) {
      url = client.send(new GetQueueUrlCommand(queueOfArn(targets[q]!))).then((r) => r.QueueUrl!);
      url.catch(() => urls.delete(q)); // asked again next time
      urls.set(q, url);
    }
    return url;
  };
  return {
    queues: names,
    async list(queue) {
      const out: DeadLetter[] = [];
      for (const q of pick(queue)) {
        const seen = new Set<string>();
        for (let round = 0; round < 5 && seen.size < maxPerQueue; round++) {
          const r = await client.send(new ReceiveMessageCommand({
            QueueUrl: await urlOf(q), MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0,
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
        await client.send(new StartMessageMoveTaskCommand({ SourceArn: targets[q]! }));
        results.push({ queue: q, moved: 'started' });
      }
      return results;
    },
  };
}
