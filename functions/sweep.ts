/** Scheduled: re-drives open work that stopped moving. */
import type { HubDeps } from '../core/deps';
import { sweep } from '../core/use-cases/sweep';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { sqsWorkQueue } from './adapters/sqs-queue';
import { scheduledHandler } from './scheduled';

export const makeSweepHandler = (deps: HubDeps) => scheduledHandler('sweep', () => sweep(deps));

let wired: ReturnType<typeof makeSweepHandler> | undefined;
export const handler = withLambdaContext(async () => (wired ??= makeSweepHandler(await hubDeps('sweep', { bus: eventBridgeBus, queue: sqsWorkQueue })))());
