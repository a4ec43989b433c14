/** Operator routes (role `admin`): dead letters you can act on — what failed and why, and a safe replay. */
import type { HubDeps } from '../core/deps';
import type { DeadLetterQueues } from '../core/ports';
import { listDeadLetters, redriveDeadLetters } from '../core/use-cases/dead-letters';
import { hubDeps } from './adapters/hub-deps';
import { requiredEnv } from './adapters/config-source';
import { withLambdaContext } from './adapters/logger';
import { sqsDeadLetters, type DeadLetterTarget } from './adapters/sqs-dead-letters';
import { sqsClient } from './adapters/sqs-queue';
import { json, type HttpEvent } from './http';
import { dispatch } from './routes';

/** The admin role is checked, and the query and body parsed, by the dispatcher (topology/routes.ts). */
export function makeAdminHandler(deps: HubDeps, dlq: DeadLetterQueues) {
  return dispatch<'admin'>({
    'GET /v1/admin/dead-letters': async ({ query }) =>
      json(200, { queues: dlq.queues, items: await listDeadLetters(deps.store, dlq, query.queue) }),
    'POST /v1/admin/dead-letters/redrive': async ({ body }) => {
      const results = await redriveDeadLetters(dlq, body.queue);
      deps.log.info('dead letters redriven', { results });
      return json(200, { results });
    },
  }, deps.log);
}

let wired: ReturnType<typeof makeAdminHandler> | undefined;
export const handler = withLambdaContext(async (event: HttpEvent) =>
  (wired ??= makeAdminHandler(await hubDeps('admin'), sqsDeadLetters(sqsClient(), JSON.parse(requiredEnv('DLQ_TARGETS')) as Record<string, DeadLetterTarget>)))(event));
