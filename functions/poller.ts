/** Scheduled: polls partners whose status does not come back by webhook. */
import type { HubDeps } from '../core/deps';
import { pollPartners } from '../core/use-cases/poll-partners';
import { buildTicketingRegistry } from '../connectors/ticketing-registry';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { scheduledHandler } from './scheduled';

export const makePollerHandler = (deps: HubDeps) => scheduledHandler('poller', () => pollPartners(deps));

let wired: ReturnType<typeof makePollerHandler> | undefined;
export const handler = withLambdaContext(async () => (wired ??= makePollerHandler(await hubDeps('poller', { connectors: buildTicketingRegistry, bus: eventBridgeBus })))());
