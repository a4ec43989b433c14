/**
 * Operator routes (role `admin`): dead letters you can act on — what failed and why, and a safe replay —
 * and `hub doctor`, run here where the partner secrets are.
 */
import { runDoctor } from '../connectors/doctor';
import type { HubDeps } from '../core/deps';
import type { DeadLetterQueues } from '../core/ports';
import type { DoctorReport } from '../core/responses';
import { listDeadLetters, redriveDeadLetters } from '../core/use-cases/dead-letters';
import { hubDeps, publicUrlFromEnv } from './adapters/hub-deps';
import { readRawHubConfig, requiredEnv } from './adapters/config-source';
import { awsSecretReader, resolveSecretEnv } from './adapters/secrets';
import { withLambdaContext } from './adapters/logger';
import { deadLetterTargets, sqsDeadLetters } from './adapters/sqs-dead-letters';
import { sqsClient } from './adapters/sqs-queue';
import { json, type HttpEvent } from './http';
import { dispatch } from './routes';

/** The admin role is checked, and the query and body parsed, by the dispatcher (topology/routes.ts). */
/** `doctor`: runs the checks on the configuration as written, with the secrets its `${NAME}`s resolve from. */
export function makeAdminHandler(deps: HubDeps, dlq: DeadLetterQueues, doctor: () => Promise<DoctorReport>) {
  return dispatch<'admin'>({
    'GET /v1/admin/dead-letters': async ({ query }) =>
      json(200, { queues: dlq.queues, items: await listDeadLetters(deps.store, dlq, query.queue) }),
    'POST /v1/admin/dead-letters/redrive': async ({ body }) => {
      const results = await redriveDeadLetters(dlq, body.queue);
      deps.log.info('dead letters redriven', { results });
      return json(200, { results });
    },
    'POST /v1/admin/doctor': async () => {
      const report = await doctor();
      deps.log.info('doctor ran', { ok: report.ok, failed: report.checks.filter((c) => c.result === 'fail').map((c) => `${c.partner} ${c.check}`) });
      return json(200, report);
    },
  }, deps.log);
}

/** The doctor in Lambda: `${NAME}`s resolve from Secrets Manager (HUB_SECRET_ARNS), as at every function's start. */
const lambdaDoctor = async () => runDoctor(readRawHubConfig(), {
  env: { ...process.env, ...await resolveSecretEnv(process.env, awsSecretReader()) },
  publicUrl: publicUrlFromEnv(process.env),
});

let wired: ReturnType<typeof makeAdminHandler> | undefined;
export const handler = withLambdaContext(async (event: HttpEvent) =>
  (wired ??= makeAdminHandler(await hubDeps('admin'), sqsDeadLetters(sqsClient(), deadLetterTargets(requiredEnv('DLQ_TARGETS'))), lambdaDoctor))(event));
