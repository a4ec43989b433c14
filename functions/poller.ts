/** Scheduled: polls partners whose status does not come back by webhook. */
import type { HubDeps } from '../core/deps';
import { pollPartners } from '../core/use-cases/poll-partners';
import { buildRegistry } from '../connectors/registry';
import { awsDeps } from './adapters/aws-deps';

export const makePollerHandler = (deps: HubDeps) => async () => pollPartners(deps);

let wired: ReturnType<typeof makePollerHandler> | undefined;
export const handler = async () => (wired ??= makePollerHandler(await awsDeps(buildRegistry)))();
