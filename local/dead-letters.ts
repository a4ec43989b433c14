/** The DeadLetterQueues port over the local runtime's queues (`<queue>-dlq` beside each work queue). */
import type { DeadLetter, DeadLetterQueues } from '../core/ports';
import type { LocalQueue } from './queues';

export function localDeadLetters(queues: ReadonlyMap<string, LocalQueue>, workQueues: readonly string[]): DeadLetterQueues {
  const pick = (queue?: string) => workQueues.filter((q) => queue === undefined || q === queue);
  return {
    queues: workQueues,
    async list(queue) {
      return pick(queue).flatMap((q): DeadLetter[] =>
        (queues.get(`${q}-dlq`)?.peek() ?? []).map((m) => ({ queue: q, messageId: m.messageId, body: m.body, receiveCount: m.receiveCount })));
    },
    async redrive(queue) {
      return pick(queue).map((q) => {
        const dlq = queues.get(`${q}-dlq`);
        const source = queues.get(q);
        if (!dlq || !source) return { queue: q, moved: 0 };
        const messages = dlq.drain();
        for (const m of messages) source.send(m.body, 0, m.messageId);
        return { queue: q, moved: messages.length };
      });
    },
  };
}
