/** Scheduled: polls partners whose status does not come back by webhook, and partners' service-health sources. */
import type { HubDeps } from '../core/deps';
import { pollPartners } from '../core/use-cases/poll-partners';
import { pollServiceHealth } from '../core/use-cases/poll-service-health';
import { buildPollerRegistry } from '../connectors/poller-registry';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { scheduledHandler } from './scheduled';

/** One run: partner statuses, then known partner incidents (each per partner, on its own interval). */
export const makePollerHandler = (deps: HubDeps) => scheduledHandler('poller', async () => ({
  partners: await pollPartners(deps),
  serviceHealth: await pollServiceHealth(deps),
}));

let wired: ReturnType<typeof makePollerHandler> | undefined;
export const handler = withLambdaContext(async () => (wired ??= makePollerHandler(await hubDeps('poller', { connectors: buildPollerRegistry, bus: eventBridgeBus })))());
