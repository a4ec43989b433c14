import { NotFoundError } from '../errors';
import type { DeadLetterQueues, MessageFailureStore } from '../ports';

/**
 * What failed and why: the dead-lettered messages, each with the reason its consumer gave on its last
 * failure (kept by the queue consumers), and the escalation it concerns when the body names one.
 */
export async function listDeadLetters(store: MessageFailureStore, dlq: DeadLetterQueues, queue?: string) {
  if (queue !== undefined && !dlq.queues.includes(queue)) throw new NotFoundError(`No work queue ${queue}.`);
  const messages = await dlq.list(queue);
  const failures = await store.getMessageFailures(messages.map((m) => m.messageId));
  return messages.map((m) => {
    let body: unknown = m.body;
    try { body = JSON.parse(m.body); } catch { /* keep the raw text */ }
    const b = body as { escalationId?: unknown; detail?: { escalationId?: unknown } };
    const escalationId = typeof b?.escalationId === 'string' ? b.escalationId : typeof b?.detail?.escalationId === 'string' ? b.detail.escalationId : null;
    const f = failures.get(m.messageId);
    return { queue: m.queue, messageId: m.messageId, receiveCount: m.receiveCount, escalationId, lastError: f?.error ?? null, failedAt: f?.at ?? null, body };
  });
}

/** Replays dead letters onto their work queue. Safe to repeat: every consumer is idempotent. */
export async function redriveDeadLetters(dlq: DeadLetterQueues, queue?: string) {
  if (queue !== undefined && !dlq.queues.includes(queue)) throw new NotFoundError(`No work queue ${queue}.`);
  return dlq.redrive(queue);
}
