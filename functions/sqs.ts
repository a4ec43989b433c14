/**
 * SQS batch handling shared by the queue consumers: each record is validated with zod and processed on
 * its own; failures are reported per record (partial batch response), never hiding one.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { Log } from '../core/deps';
import { correlationKeys, logHandling } from '../core/log';
import type { EscalationStore } from '../core/ports';

/** A queue body: either sent directly `{ escalationId }`, or an EventBridge event whose detail has it. */
export const EscalationMessage = z.union([
  z.object({ escalationId: z.string().min(1) }),
  z.object({ detail: z.object({ escalationId: z.string().min(1) }) }).transform((e) => e.detail),
]);

/**
 * A comment queue body: `{ escalationId, commentId?, commentAt? }` sent directly (the sweep's re-drive), or
 * an EventBridge event (`CommentAdded` names the comment by id and time; `PartnerIncidentOpened` and older
 * events do not).
 */
const CommentRef = z.object({ escalationId: z.string().min(1), commentId: z.string().min(1).optional(), commentAt: z.string().min(1).optional() });
export const CommentMessage = z.union([CommentRef, z.object({ detail: CommentRef }).transform((e) => e.detail)]);

/** The queue a record came from: the last part of its ARN. */
export const queueOf = (r: SQSRecord) => r.eventSourceARN.split(':').pop() ?? 'unknown';

/**
 * @param store where each failure's reason is kept for the dead-letter tools (`hub dlq list`)
 */
export function makeSqsHandler<T>(schema: z.ZodType<T>, work: (message: T) => Promise<unknown>, log: Log, store?: Pick<EscalationStore, 'recordMessageFailure'>) {
  const processor = new BatchProcessor(EventType.SQS);
  // records of a batch are processed concurrently: each is a handling of its own, whose lines carry the
  // message id and the escalation, case and partner the body names (directly or in its event's detail)
  const record = (r: SQSRecord) => {
    let body: unknown;
    try { body = JSON.parse(r.body); } catch { body = undefined; }
    const detail = (body as { detail?: unknown } | null | undefined)?.detail;
    return logHandling({ messageId: r.messageId, queue: queueOf(r), ...correlationKeys(body, detail) }, () => handle(r, body));
  };
  const handle = async (r: SQSRecord, body: unknown) => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      // a malformed message never becomes valid: log it and let it go rather than poison the queue
      log.error('dropping malformed queue message', { issues: parsed.error.issues.slice(0, 3) });
      return;
    }
    try {
      await work(parsed.data);
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      log.warn('queue message failed; it will be retried, then dead-lettered', { error });
      await store?.recordMessageFailure(r.messageId, {
        queue: queueOf(r), error: error.slice(0, 1000), at: new Date().toISOString(), receiveCount: Number(r.attributes.ApproximateReceiveCount ?? 1),
      }).catch(() => undefined);
      throw err;
    }
  };
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    processPartialResponse(event, record, processor, { throwOnFullBatchFailure: false });
}
