/**
 * SQS batch handling shared by the queue consumers: each record is validated with zod and processed on
 * its own; failures are reported per record (partial batch response), never hiding one.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { Log } from '../core/deps';

/** A queue body: either sent directly `{ escalationId }`, or an EventBridge event whose detail has it. */
export const EscalationMessage = z.union([
  z.object({ escalationId: z.string().min(1) }),
  z.object({ detail: z.object({ escalationId: z.string().min(1) }) }).transform((e) => e.detail),
]);

export function makeSqsHandler<T>(schema: z.ZodType<T>, work: (message: T) => Promise<unknown>, log: Log) {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (r: SQSRecord) => {
    let body: unknown;
    try { body = JSON.parse(r.body); } catch { body = undefined; }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      // a malformed message never becomes valid: log it and let it go rather than poison the queue
      log.error('dropping malformed queue message', { messageId: r.messageId, issues: parsed.error.issues.slice(0, 3) });
      return;
    }
    await work(parsed.data);
  };
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    processPartialResponse(event, record, processor, { throwOnFullBatchFailure: false });
}
