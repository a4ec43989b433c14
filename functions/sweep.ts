/** Scheduled: re-drives open work that stopped moving. */
import type { HubDeps } from '../core/deps';
import { sweep } from '../core/use-cases/sweep';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { sqsWorkQueue } from './adapters/sqs-queue';

export const makeSweepHandler = (deps: HubDeps) => async () => sweep(deps);

let wired: ReturnType<typeof makeSweepHandler> | undefined;
export const handler = async () => (wired ??= makeSweepHandler(await hubDeps('sweep', { bus: eventBridgeBus, queue: sqsWorkQueue })))();
