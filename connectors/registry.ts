/**
 * The full connectors (partner calls and webhooks, ticketing and collaboration), by connector id, built once
 * from the configuration: what the local runtime runs every function with. The Lambda functions each build
 * only the part they use: ticketing-registry.ts (partner worker, comment forwarder, poller),
 * collaboration-registry.ts (API) and webhook-registry.ts (webhook); test/unit/registries.test.ts keeps
 * them in step with this one.
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import type { CollaborationFactory, TicketingFactory } from './assemble-registry';
import { COLLABORATION_CONNECTORS } from './collaboration-registry';
import { registryWithBreakers, TICKETING_CONNECTORS } from './ticketing-registry';

export type { CollaborationFactory, TicketingFactory } from './assemble-registry';
export { COLLABORATION_CONNECTORS } from './collaboration-registry';
export { TICKETING_CONNECTORS } from './ticketing-registry';

/** Every partner call of an API connector goes through the partner's circuit breaker. */
export function buildRegistry(
  config: HubConfig,
  ticketing: Record<string, TicketingFactory> = TICKETING_CONNECTORS,
  collaboration: Record<string, CollaborationFactory> = COLLABORATION_CONNECTORS,
): ConnectorRegistry {
  return registryWithBreakers(config, ticketing, collaboration);
}
