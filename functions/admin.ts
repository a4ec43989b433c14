/** Operator routes (role `admin`): dead letters you can act on — what failed and why, and a safe replay. */
import * as z from 'zod';
import type { HubDeps } from '../core/deps';
import { NotFoundError } from '../core/errors';
import type { DeadLetterQueues } from '../core/ports';
import { parseOrThrow } from '../core/schemas';
import { listDeadLetters, redriveDeadLetters } from '../core/use-cases/dead-letters';
import { hubDeps } from './adapters/hub-deps';
import { requiredEnv } from './adapters/config-source';
import { withLambdaContext } from './adapters/logger';
import { sqsDeadLetters, type DeadLetterTarget } from './adapters/sqs-dead-letters';
import { sqsClient } from './adapters/sqs-queue';
import { callerOf, httpHandler, json, parseJsonBody, requireRole, type HttpEvent } from './http';

const RedriveRequest = z.strictObject({ queue: z.string().min(1).max(100).optional() });
const ListQuery = z.object({ queue: z.string().min(1).max(100).optional() });

export function makeAdminHandler(deps: HubDeps, dlq: DeadLetterQueues) {
  return httpHandler(deps.log, async (event) => {
    requireRole(callerOf(event), 'admin');
    switch (event.routeKey) {
      case 'GET /v1/admin/dead-letters': {
        const { queue } = parseOrThrow(ListQuery, event.queryStringParameters ?? {}, 'query');
        return json(200, { queues: dlq.queues, items: await listDeadLetters(deps.store, dlq, queue) });
      }
      case 'POST /v1/admin/dead-letters/redrive': {
        const { queue } = parseOrThrow(RedriveRequest, event.body ? parseJsonBody(event) : {});
        const results = await redriveDeadLetters(dlq, queue);
        deps.log.info('dead letters redriven', { results });
        return json(200, { results });
      }
      default:
        throw new NotFoundError(`No route ${event.routeKey}.`);
    }
  });
}

let wired: ReturnType<typeof makeAdminHandler> | undefined;
export const handler = withLambdaContext(async (event: HttpEvent) =>
  (wired ??= makeAdminHandler(await hubDeps('admin'), sqsDeadLetters(sqsClient(), JSON.parse(requiredEnv('DLQ_TARGETS')) as Record<string, DeadLetterTarget>)))(event));
