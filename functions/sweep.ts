/** Scheduled: re-drives open work that stopped moving. */
import type { HubDeps } from '../core/deps';
import { sweep } from '../core/use-cases/sweep';
import { awsDeps } from './adapters/aws-deps';

export const makeSweepHandler = (deps: HubDeps) => async () => sweep(deps);

let wired: ReturnType<typeof makeSweepHandler> | undefined;
export const handler = async () => (wired ??= makeSweepHandler(await awsDeps()))();
